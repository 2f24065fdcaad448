//! Replacing records: ETags and If-Match (lost updates are refused), idempotent PUTs, the
//! import rules applied to one record, and the audit entry each real change leaves.

use attain_app::Role;
use attain_testkit::Db;
use serde_json::{Value, json};

use crate::client::Api;
use crate::on_both;
use crate::support::TestApp;

/// How many audit entries exist (all of them, or those about one record).
async fn audit_total(admin: &Api, filter: &str) -> u64 {
    admin.get(&format!("/api/v1/audit?per_page=1{filter}")).await.expect(200).total()
}

on_both!(put_follows_etags_and_is_audited_once);

async fn put_follows_etags_and_is_audited_once(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let admin = Api::as_role(&app, Role::Admin).await;
    let via = admin.get("/api/v1/me").await.json()["via"].as_str().expect("via").to_string();
    assert!(via.starts_with("token:"), "a bearer call acts via its token: {via}");
    let id = app.app.snapshot().data.accounts[0].id.clone();
    let path = format!("/api/v1/accounts/{id}");
    let about = format!("&entity=accounts&entity_id={id}");

    let read = admin.get(&path).await;
    let original = read.expect(200).json();
    let first_tag = read.header("etag").expect("a GET of one record carries an ETag");
    assert!(first_tag.starts_with('"') && first_tag.ends_with('"'), "a strong ETag: {first_tag}");

    // Replacing needs If-Match.
    let mut renamed = original.clone();
    renamed["name"] = json!("Renamed Holdings");
    admin.put(&path, &renamed, None).await.expect_error(428, "precondition_required", Some("If-Match"));

    // The first save: 200, the new content and a new ETag.
    let entries_before = audit_total(&admin, "").await;
    let saved = admin.put(&path, &renamed, Some(&first_tag)).await;
    assert_eq!(saved.expect(200).json(), renamed);
    let second_tag = saved.header("etag").expect("a PUT answers with the new ETag");
    assert_ne!(second_tag, first_tag);
    let reread = admin.get(&path).await;
    assert_eq!(reread.json()["name"], "Renamed Holdings");
    assert_eq!(reread.header("etag").as_deref(), Some(second_tag.as_str()));
    assert_eq!(audit_total(&admin, "").await, entries_before + 1, "one change, one entry");

    // The same PUT again: 200, the same ETag, nothing written, no audit entry.
    let again = admin.put(&path, &renamed, Some(&second_tag)).await;
    again.expect(200);
    assert_eq!(again.header("etag").as_deref(), Some(second_tag.as_str()));
    assert_eq!(audit_total(&admin, "").await, entries_before + 1, "an unchanged PUT is not audited");

    // A save based on the old version is a conflict, and changes nothing.
    let mut stale = original.clone();
    stale["industry"] = json!("Shipping");
    let conflict = admin.put(&path, &stale, Some(&first_tag)).await.expect_error(409, "conflict", None);
    assert!(
        conflict["error"]["message"].as_str().unwrap().contains(&second_tag),
        "the message gives the current ETag"
    );
    assert_eq!(admin.get(&path).await.json(), renamed);

    // The record breaks a rule: 422 naming the field, and nothing is written.
    for (field, value) in [
        ("territory_id", json!("ter-does-not-exist")),
        ("owner_id", json!("p-nobody")),
        ("size", json!("gigantic")),
        ("employees", json!("many")),
        ("revenue_currency", json!("XXXX")),
        ("name", Value::Null),
        ("name", json!(["a", "list"])),
    ] {
        let mut bad = renamed.clone();
        bad[field] = value.clone();
        let reply = admin.put(&path, &bad, Some(&second_tag)).await;
        reply.expect_error(422, "invalid", Some(field));
    }
    let mut unknown = renamed.clone();
    unknown["colour"] = json!("teal");
    admin.put(&path, &unknown, Some(&second_tag)).await.expect_error(422, "invalid", Some("colour"));
    let mut other_id = renamed.clone();
    other_id["id"] = json!("acc-other");
    admin.put(&path, &other_id, Some(&second_tag)).await.expect_error(422, "invalid", Some("id"));
    admin
        .put(&path, &json!(["not", "an", "object"]), Some(&second_tag))
        .await
        .expect_error(422, "invalid", None);
    assert_eq!(admin.get(&path).await.json(), renamed, "refused PUTs wrote nothing");
    assert_eq!(audit_total(&admin, &about).await, 1, "refused PUTs are not audited");

    // The audit entry of the change: who, via which token, the record before and after.
    let entries = admin.get(&format!("/api/v1/audit?per_page=50{about}")).await.json();
    let entry = &entries["entries"][0];
    assert_eq!(entry["action"], "record.update");
    assert_eq!(entry["entity"], "accounts");
    assert_eq!(entry["entity_id"], id.as_str());
    assert_eq!(entry["actor"], app.login(Role::Admin).login.as_str());
    assert_eq!(entry["via"], via.as_str());
    assert_eq!(entry["before"]["name"], original["name"]);
    assert_eq!(entry["after"]["name"], "Renamed Holdings");

    // `If-Match: *` overwrites deliberately; a comp admin may edit too.
    let comp_admin = Api::as_role(&app, Role::CompAdmin).await;
    let mut star = renamed.clone();
    star["industry"] = json!("Logistics");
    comp_admin.put(&path, &star, Some("*")).await.expect(200);

    // A new id needs no If-Match: 201, and then it exists (and a second blind PUT is a 428).
    // Naming a version of an id that is not stored (a mistyped id) creates nothing: 409.
    let new_path = "/api/v1/accounts/acc-new-1";
    let new_account = json!({"id": "acc-new-1", "name": "Newco", "territory_id": original["territory_id"]});
    let tag = created_tag(&admin, &path).await;
    admin.put(new_path, &new_account, Some(&tag)).await.expect_error(409, "conflict", None);
    admin.get(new_path).await.expect(404);
    let created = admin.put(new_path, &new_account, None).await;
    assert_eq!(created.expect(201).json()["name"], "Newco");
    assert!(created.header("etag").is_some());
    assert_eq!(admin.get(new_path).await.expect(200).json()["territory_id"], original["territory_id"]);
    admin.put(new_path, &new_account, None).await.expect_error(
        428,
        "precondition_required",
        Some("If-Match"),
    );
    let created_entry = admin.get("/api/v1/audit?entity=accounts&entity_id=acc-new-1").await.json();
    assert_eq!(created_entry["entries"][0]["action"], "record.create");
    assert_eq!(created_entry["entries"][0]["before"], Value::Null);
    // The path's id wins when the body has none.
    let no_id = json!({"name": "Idless"});
    assert_eq!(
        admin.put("/api/v1/accounts/acc-new-2", &no_id, None).await.expect(201).json()["id"],
        "acc-new-2"
    );

    // Roles that do not edit data are refused, whatever the ETag; versioned kinds are not PUT.
    for role in [Role::Rep, Role::Manager, Role::Finance, Role::Executive] {
        let api = Api::as_role(&app, role).await;
        api.put(&path, &renamed, Some("*")).await.expect_error(403, "forbidden", None);
        api.put("/api/v1/accounts/acc-new-3", &no_id, None).await.expect_error(403, "forbidden", None);
    }
    admin.get("/api/v1/accounts/acc-new-3").await.expect(404);
    let position = app.app.snapshot().data.positions[0].id.clone();
    let reply =
        admin.put(&format!("/api/v1/positions/{position}"), &json!({"id": position}), Some("*")).await;
    // Positions change by import only: the path has no PUT, whatever the body.
    reply.expect_error(405, "method_not_allowed", None);
    assert_eq!(reply.header("allow").as_deref(), Some("GET,HEAD"));
    admin.put("/api/v1/nope/x", &json!({}), None).await.expect_error(404, "not_found", None);
}

/// A stored record's current ETag.
async fn created_tag(api: &Api, path: &str) -> String {
    api.get(path).await.header("etag").expect("an ETag")
}
