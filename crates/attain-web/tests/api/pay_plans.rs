//! Plan files over HTTP: saving adds or replaces the named files only as a valid set, with a
//! preview first; removal is its own action; the upload page shows the same.

use std::collections::{BTreeMap, BTreeSet};

use attain_app::Role;
use attain_testkit::Db;
use reqwest::Method;
use serde_json::{Value, json};

use crate::client::{Api, Auth, Body};
use crate::on_both;
use crate::pay::conforms;
use crate::support::TestApp;

/// A change to one plan file's text.
type Edit<'a> = (&'a str, &'a dyn Fn(&str) -> String);

/// The demo's plan files as a PUT body, with each edit applied to its file's text.
fn plan_body(edits: &[Edit<'_>]) -> Value {
    let files: Vec<Value> = attain_demo::plan_files(crate::support::as_of())
        .into_iter()
        .map(|(name, text)| {
            let text = edits.iter().find(|(n, _)| *n == name).map_or(text.clone(), |(_, edit)| edit(&text));
            json!({"name": name, "text": text})
        })
        .collect();
    json!({ "files": files })
}

/// The 1-based line of `text` that starts with `prefix`.
fn line_of(text: &str, prefix: &str) -> usize {
    text.lines().position(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("a line starting {prefix}")) + 1
}

on_both!(plans_are_replaced_only_as_a_valid_set);

async fn plans_are_replaced_only_as_a_valid_set(backend: Db) {
    let Some(app) = TestApp::spawn_with_pay(backend).await else { return };
    let rep = Api::as_role(&app, Role::Rep).await;
    let comp_admin = Api::as_role(&app, Role::CompAdmin).await;
    let demo: BTreeMap<String, String> =
        attain_demo::plan_files(crate::support::as_of()).into_iter().collect();

    // The comp admin reads every plan file, each with its summary; a rep only the plans they
    // hold (the AE plan's versions) and the crediting rules.
    let before = comp_admin.get("/api/v1/pay/plans").await.expect(200).json();
    let reps_plans = rep.get("/api/v1/pay/plans").await;
    reps_plans.expect(200);
    let readable: BTreeSet<String> = reps_plans
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    assert!(readable.contains("ae-v2.toml") && readable.contains("crediting.toml"), "{readable:?}");
    for hidden in ["manager.toml", "se.toml"] {
        assert!(!readable.contains(hidden), "the rep reads {hidden}");
    }
    let manager_base = demo["manager.toml"].lines().find(|l| l.starts_with("base_salary")).unwrap();
    assert!(!reps_plans.text.contains(manager_base), "the manager's {manager_base} reaches the rep");
    let files = before.as_array().expect("a list of files");
    assert_eq!(files.len(), demo.len());
    for f in files {
        let name = f["name"].as_str().unwrap();
        assert_eq!(f["text"].as_str(), demo.get(name).map(String::as_str), "{name} as stored");
        if name == "crediting.toml" {
            assert!(f["plan"].is_null(), "the crediting rules are not a plan");
        } else {
            assert!(f["plan"]["id"].is_string() && f["plan"]["version"].is_u64(), "{name}: {f}");
            assert!(!f["plan"]["components"].as_array().unwrap().is_empty(), "{name} lists its components");
        }
    }
    let ae = files.iter().find(|f| f["name"] == "ae-v2.toml").expect("ae-v2.toml");
    assert_eq!((ae["plan"]["id"].as_str(), ae["plan"]["version"].as_u64()), (Some("ae"), Some(2)));

    // Two invalid files: both are reported, by file and line, and nothing is stored.
    let ae_text = &demo["ae-v2.toml"];
    let se_text = &demo["se.toml"];
    let bad_version = line_of(ae_text, "version = ");
    let bad_id = line_of(se_text, "id = ");
    let body = plan_body(&[
        ("ae-v2.toml", &|t: &str| t.replacen("version = 2", "version = \"two\"", 1)),
        ("se.toml", &|t: &str| t.replacen("id = ", "id = 42 #", 1)),
    ]);
    let refused = comp_admin.put("/api/v1/pay/plans", &body, None).await;
    let error = refused.expect_error(422, "invalid", Some("plans"));
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("ae-v2.toml:{bad_version}:")),
        "names ae-v2.toml line {bad_version}: {message}"
    );
    assert!(message.contains(&format!("se.toml:{bad_id}:")), "names se.toml line {bad_id}: {message}");
    assert_eq!(message.lines().count(), 2, "one line per problem: {message}");
    assert_eq!(comp_admin.get("/api/v1/pay/plans").await.expect(200).json(), before, "nothing was stored");

    // Who may replace them, and with what.
    rep.put("/api/v1/pay/plans", &plan_body(&[]), None).await.expect_error(403, "forbidden", None);
    let bad_name = json!({"files": [{"name": "../ae.toml", "text": ae_text}]});
    comp_admin.put("/api/v1/pay/plans", &bad_name, None).await.expect_error(422, "invalid", Some("name"));
    let extra = json!({"files": [{"name": "ae.toml", "text": "", "size": 1}]});
    comp_admin.put("/api/v1/pay/plans", &extra, None).await.expect_error(
        400,
        "invalid",
        Some("files[0].size"),
    );
    let session = Api::session(&app, Role::CompAdmin).await;
    let renamed = plan_body(&[("ae-v2.toml", &|t: &str| {
        t.replacen("name = \"Account Executive\"", "name = \"Account Executive II\"", 1)
    })]);
    session.without_csrf().put("/api/v1/pay/plans", &renamed, None).await.expect_error(403, "csrf", None);
    assert_eq!(comp_admin.get("/api/v1/pay/plans").await.expect(200).json(), before, "nothing was stored");

    // A preview says what would change and stores nothing.
    let preview = session.put("/api/v1/pay/plans?preview=true", &renamed, None).await.expect(200).json();
    assert_eq!(preview["replaced"], json!(["ae-v2.toml"]), "{preview}");
    assert_eq!(preview["saved"], false);
    conforms("PlanChanges", &preview, &[]);
    assert_eq!(comp_admin.get("/api/v1/pay/plans").await.expect(200).json(), before, "nothing was stored");

    // A valid set is saved: the named files replace the stored ones of the same names.
    let saved = session.put("/api/v1/pay/plans", &renamed, None).await.expect(200).json();
    assert_eq!((saved["replaced"].clone(), saved["saved"].clone()), (json!(["ae-v2.toml"]), json!(true)));
    let saved: Vec<(String, u64, String)> = saved["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().into(),
                p["version"].as_u64().unwrap(),
                p["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(saved.contains(&("ae".into(), 2, "Account Executive II".into())), "{saved:?}");
    assert_eq!(saved.len(), demo.len() - 1, "every plan but the crediting rules: {saved:?}");
    // Saving only some files keeps the others: one file, and every plan is still stored.
    let one = json!({"files": [{"name": "se.toml", "text": demo["se.toml"]}]});
    let kept = session.put("/api/v1/pay/plans", &one, None).await.expect(200).json();
    assert_eq!(kept["unchanged"], json!(["se.toml"]));
    assert_eq!(kept["plans"].as_array().unwrap().len(), demo.len() - 1, "no plan was dropped: {kept}");
    // Removing is its own action, refused for a plan in use, with the reason.
    let refused = session.send(Method::DELETE, "/api/v1/pay/plans/ae-v2.toml", None, &[]).await;
    let message =
        refused.expect_error(409, "conflict", None)["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("ae@2"), "{message}");
    session.send(Method::DELETE, "/api/v1/pay/plans/none.toml", None, &[]).await.expect_error(
        404,
        "not_found",
        None,
    );
    rep.send(Method::DELETE, "/api/v1/pay/plans/se.toml", None, &[]).await.expect_error(
        403,
        "forbidden",
        None,
    );
    let after = comp_admin.get("/api/v1/pay/plans").await.expect(200).json();
    assert_eq!(after.as_array().unwrap().len(), demo.len(), "every file is still stored");
    let ae = after.as_array().unwrap().iter().find(|f| f["name"] == "ae-v2.toml").unwrap().clone();
    assert_eq!(ae["plan"]["name"], "Account Executive II");

    upload_page(&session, &demo, &after).await;
}

/// A multipart form of the plan upload page: its CSRF token and the files.
fn upload(csrf: &str, files: &[(&str, &str)]) -> Body {
    const BOUNDARY: &str = "attain-test-boundary";
    let mut body =
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n");
    for (name, text) in files {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n{text}\r\n"
        ));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    Body::Raw {
        content_type: Some("multipart/form-data; boundary=attain-test-boundary"),
        bytes: body.into_bytes(),
    }
}

/// The plans page's upload: every problem listed and nothing stored, then a valid set saved.
async fn upload_page(session: &Api, demo: &BTreeMap<String, String>, stored: &Value) {
    let Auth::Session { csrf, .. } = &session.auth else { panic!("a browser session") };
    let bad_version = line_of(&demo["ae-v2.toml"], "version = ");
    let broken = demo["ae-v2.toml"].replacen("version = 2", "version = \"two\"", 1);
    let mut files: Vec<(&str, &str)> =
        demo.iter().filter(|(n, _)| *n != "ae-v2.toml").map(|(n, t)| (n.as_str(), t.as_str())).collect();
    files.push(("ae-v2.toml", &broken));
    let refused = session.send(Method::POST, "/pay/plans", Some(upload(csrf, &files)), &[]).await;
    refused.expect(422);
    assert!(refused.text.contains("Nothing was changed: 1 problem"), "{}", refused.text);
    assert!(refused.text.contains(&format!("ae-v2.toml:{bad_version}:")), "names the file and line");
    let forged = session.send(Method::POST, "/pay/plans", Some(upload("forged", &files)), &[]).await;
    forged.expect(403);
    assert_eq!(&session.get("/api/v1/pay/plans").await.expect(200).json(), stored, "nothing was stored");

    // Uploading one file shows what would change, and saves only when confirmed.
    let ae = [("ae-v2.toml", demo["ae-v2.toml"].as_str())];
    let preview = session.send(Method::POST, "/pay/plans", Some(upload(csrf, &ae)), &[]).await;
    let html = &preview.expect(200).text;
    assert!(html.contains("Check what changes, then save") && html.contains("plans-save-form"), "{html}");
    assert_eq!(
        &session.get("/api/v1/pay/plans").await.expect(200).json(),
        stored,
        "a preview stores nothing"
    );
    // The preview page carries the files (hex, so the browser keeps every byte) to the save.
    let hexed: String = demo["ae-v2.toml"].bytes().map(|b| format!("{b:02x}")).collect();
    assert!(html.contains(&hexed), "the preview carries the file to save");
    let save = save_form(csrf, &[("ae-v2.toml", &hexed)]);
    let saved = session.send(Method::POST, "/pay/plans", Some(save), &[]).await;
    let html = &saved.expect(200).text;
    assert!(html.contains("Saved: 0 added, 1 replaced, 0 unchanged, 4 kept as stored."), "{html}");
    let now = session.get("/api/v1/pay/plans").await.expect(200).json();
    let ae = now.as_array().unwrap().iter().find(|f| f["name"] == "ae-v2.toml").unwrap().clone();
    assert_eq!(ae["plan"]["name"], "Account Executive", "the uploaded file replaced the stored one");
    assert_eq!(now.as_array().unwrap().len(), demo.len(), "and the others stayed");

    // A plan file near the JSON body limit goes through the preview and the save, although the
    // save carries it hex-encoded at twice its size.
    let padding: String =
        (0..13_000).map(|i| format!("# padding line {i:05} of a long comment block\n")).collect();
    let large = format!("{padding}{}", demo["ae-v2.toml"]);
    assert!(large.len() > 512 * 1024, "{} bytes: hex of it is over the 1 MiB form limit", large.len());
    let preview =
        session.send(Method::POST, "/pay/plans", Some(upload(csrf, &[("ae-v2.toml", &large)])), &[]).await;
    assert!(preview.expect(200).text.contains("plans-save-form"));
    let hexed: String = large.bytes().map(|b| format!("{b:02x}")).collect();
    let saved =
        session.send(Method::POST, "/pay/plans", Some(save_form(csrf, &[("ae-v2.toml", &hexed)])), &[]).await;
    assert!(saved.expect(200).text.contains("Saved: 0 added, 1 replaced"), "{}", saved.text);
    let now = session.get("/api/v1/pay/plans").await.expect(200).json();
    let ae = now.as_array().unwrap().iter().find(|f| f["name"] == "ae-v2.toml").unwrap();
    assert_eq!(ae["text"].as_str(), Some(large.as_str()), "stored whole");

    remove_page(session, csrf, demo).await;
}

/// Removing a plan file from the page takes two steps: the button shows what would go, and only
/// the confirmation removes it.
async fn remove_page(session: &Api, csrf: &str, demo: &BTreeMap<String, String>) {
    let spare = demo["se.toml"].replacen("id = \"se\"", "id = \"spare\"", 1);
    let preview =
        session.send(Method::POST, "/pay/plans", Some(upload(csrf, &[("spare.toml", &spare)])), &[]).await;
    preview.expect(200);
    let hexed: String = spare.bytes().map(|b| format!("{b:02x}")).collect();
    session
        .send(Method::POST, "/pay/plans", Some(save_form(csrf, &[("spare.toml", &hexed)])), &[])
        .await
        .expect(200);
    let stored = |names: Value| names.as_array().unwrap().iter().any(|f| f["name"] == "spare.toml");
    assert!(stored(session.get("/api/v1/pay/plans").await.expect(200).json()));

    let form = |fields: &str| Body::Raw {
        content_type: Some("application/x-www-form-urlencoded"),
        bytes: format!("_csrf={csrf}&name=spare.toml{fields}").into_bytes(),
    };
    let asked = session.send(Method::POST, "/pay/plans/remove", Some(form("")), &[]).await;
    let html = &asked.expect(200).text;
    assert!(html.contains("Remove spare.toml?") && html.contains("name=\"confirm\" value=\"yes\""), "{html}");
    assert!(
        html.contains("id = &quot;spare&quot;") || html.contains("id = &#34;spare&#34;"),
        "shows the file's text"
    );
    assert!(stored(session.get("/api/v1/pay/plans").await.expect(200).json()), "asking removes nothing");
    let gone = session.send(Method::POST, "/pay/plans/remove", Some(form("&confirm=yes")), &[]).await;
    assert!(gone.expect(200).text.contains("Removed spare.toml."), "{}", gone.text);
    assert!(!stored(session.get("/api/v1/pay/plans").await.expect(200).json()), "confirmed, it is gone");
    // A file that is not stored answers 404, before and after the confirmation.
    session.send(Method::POST, "/pay/plans/remove", Some(form("")), &[]).await.expect(404);
}

/// The save the preview page posts: its CSRF token and each file's name and hex.
fn save_form(csrf: &str, files: &[(&str, &str)]) -> Body {
    let mut body = format!(
        "--attain-test-boundary\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n\
         --attain-test-boundary\r\nContent-Disposition: form-data; name=\"step\"\r\n\r\nsave\r\n"
    );
    for (name, hexed) in files {
        body.push_str(&format!(
            "--attain-test-boundary\r\nContent-Disposition: form-data; name=\"file_name\"\r\n\r\n{name}\r\n\
             --attain-test-boundary\r\nContent-Disposition: form-data; name=\"file_hex\"\r\n\r\n{hexed}\r\n"
        ));
    }
    body.push_str("--attain-test-boundary--\r\n");
    Body::Raw {
        content_type: Some("multipart/form-data; boundary=attain-test-boundary"),
        bytes: body.into_bytes(),
    }
}
