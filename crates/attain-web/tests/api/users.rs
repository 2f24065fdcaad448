//! Users (admins manage them) and API tokens (everyone manages their own) through the API.

use attain_app::Role;
use attain_testkit::Db;
use serde_json::json;

use crate::client::{Api, sign_in};
use crate::on_both;
use crate::support::TestApp;

on_both!(admins_manage_users);

async fn admins_manage_users(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let admin = Api::as_role(&app, Role::Admin).await;
    let person = app.person_of(Role::Rep);
    let password = "correct horse battery staple";
    let new = json!({"login": "New.Rep", "display_name": "New Rep", "role": "rep", "person_id": person, "password": password});

    let created = admin.post("/api/v1/users", new.clone()).await;
    let user = created.expect(201).json();
    assert_eq!(user["login"], "new.rep", "logins are stored lower-case");
    assert_eq!((user["role"].as_str(), user["person_id"].as_str()), (Some("rep"), Some(person.as_str())));
    assert_eq!(user["disabled"], false);
    let listed = admin.get("/api/v1/users").await;
    assert!(listed.json().as_array().unwrap().iter().any(|u| u["login"] == "new.rep"));
    for text in [&created.text, &listed.text] {
        assert!(!text.contains(password) && !text.contains("argon2") && !text.contains("password_hash"));
    }
    assert_eq!(admin.get("/api/v1/users/NEW.REP").await.expect(200).json()["id"], user["id"]);
    let entries =
        admin.get(&format!("/api/v1/audit?entity=users&entity_id={}", user["id"].as_str().unwrap())).await;
    let entry = &entries.json()["entries"][0];
    assert_eq!(entry["action"], "user.create");
    assert_eq!(entry["after"]["login"], "new.rep");
    assert!(!entries.text.contains(password));

    // Refusals, each naming the field at fault.
    admin.post("/api/v1/users", new.clone()).await.expect_error(409, "conflict", None);
    let with = |field: &str, value: serde_json::Value| {
        let mut body = new.clone();
        body["login"] = json!("another.user");
        body[field] = value;
        body
    };
    admin.post("/api/v1/users", with("password", json!("short"))).await.expect_error(
        422,
        "invalid",
        Some("password"),
    );
    let manager = with("role", json!("manager"));
    let mut no_person = manager.clone();
    no_person.as_object_mut().unwrap().remove("person_id");
    admin.post("/api/v1/users", no_person).await.expect_error(422, "invalid", Some("person_id"));
    admin.post("/api/v1/users", with("person_id", json!("  "))).await.expect_error(
        422,
        "invalid",
        Some("person_id"),
    );
    admin.post("/api/v1/users", with("person_id", json!("p-nobody"))).await.expect_error(
        422,
        "invalid",
        Some("person_id"),
    );
    admin.post("/api/v1/users", with("login", json!("has space"))).await.expect_error(
        422,
        "invalid",
        Some("login"),
    );
    admin.post("/api/v1/users", with("display_name", json!(" "))).await.expect_error(
        422,
        "invalid",
        Some("display_name"),
    );
    admin.post("/api/v1/users", with("role", json!("boss"))).await.expect_error(400, "invalid", Some("role"));
    assert!(!admin.get("/api/v1/users").await.text.contains("another.user"), "no refused user was made");

    // The new user signs in and makes a token; an admin's reset ends their sessions and
    // revokes their tokens; the new password works.
    let cookie = sign_in(&app, "new.rep", password).await;
    let session = crate::client::session_csrf(&app, &cookie).await;
    assert!(!session.is_empty());
    let own_token = crate::client::Api::anonymous(&app)
        .with_auth(crate::client::Auth::Session { cookie: cookie.clone(), csrf: session })
        .post("/api/v1/tokens", json!({"name": "script"}))
        .await
        .expect(201)
        .json()["secret"]
        .as_str()
        .unwrap()
        .to_string();
    Api::bearer(&app, &own_token).get("/api/v1/me").await.expect(200);
    let reset = "a brand new long password";
    let done = admin.post("/api/v1/users/new.rep/password", json!({"password": reset})).await;
    assert_eq!(done.expect(200).json()["login"], "new.rep");
    admin.post("/api/v1/users/new.rep/password", json!({"password": "short"})).await.expect_error(
        422,
        "invalid",
        Some("password"),
    );
    let http = reqwest::Client::new();
    let old = http
        .get(app.at("/api/v1/me"))
        .header("Cookie", format!("attain_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401, "a password reset ends the user's sessions");
    Api::bearer(&app, &own_token).get("/api/v1/me").await.expect_error(401, "unauthenticated", None);
    let entry = admin.get("/api/v1/audit?action=user.password_reset").await.json();
    assert_eq!(entry["entries"][0]["after"], json!({"sessions_ended": 1, "tokens_revoked": 1}));
    assert_eq!(crate::client::post_sign_in(&app, "new.rep", password).await.status, 401);
    sign_in(&app, "new.rep", reset).await;

    // Your own password needs the current one; afterwards your sessions and tokens are gone.
    let rep = Api::as_role(&app, Role::Rep).await;
    let rep_login = app.login(Role::Rep).login.clone();
    let rep_password = app.login(Role::Rep).password.clone();
    let own = format!("/api/v1/users/{rep_login}/password");
    rep.post(&own, json!({"password": "the rep's own new password"})).await.expect_error(
        422,
        "invalid",
        Some("current_password"),
    );
    rep.post(&own, json!({"password": "the rep's own new password", "current_password": "a guess"}))
        .await
        .expect_error(422, "invalid", Some("current_password"));
    // Nobody but admins sets another's, and a login's existence shows to no one else.
    let taken = rep.post("/api/v1/users/new.rep/password", json!({"password": "a takeover password"})).await;
    let missing = rep.post("/api/v1/users/nobody/password", json!({"password": "a takeover password"})).await;
    taken.expect_error(403, "forbidden", None);
    assert_eq!((missing.status, &missing.text), (taken.status, &taken.text), "same answer, existing or not");
    let admins = format!("/api/v1/users/{}/password", app.login(Role::Admin).login);
    assert_eq!(rep.post(&admins, json!({"password": "a takeover password"})).await.text, taken.text);
    for path in ["/api/v1/users/new.rep", "/api/v1/users/nobody"] {
        assert_eq!(rep.get(path).await.expect(403).text, taken.text, "{path}");
    }
    let changed = rep
        .post(&own, json!({"password": "the rep's own new password", "current_password": rep_password}))
        .await;
    assert_eq!(changed.expect(200).json()["login"], rep_login.as_str());
    rep.get("/api/v1/me").await.expect_error(401, "unauthenticated", None);
    sign_in(&app, &rep_login, "the rep's own new password").await;

    // Disabling: not yourself; a disabled user cannot sign in.
    let admin_login = app.login(Role::Admin).login.clone();
    admin.post(&format!("/api/v1/users/{admin_login}/disable"), json!({})).await.expect_error(
        422,
        "invalid",
        Some("login"),
    );
    let disabled = admin.post("/api/v1/users/new.rep/disable", json!({})).await;
    assert_eq!(disabled.expect(200).json()["disabled"], true);
    assert_eq!(crate::client::post_sign_in(&app, "new.rep", reset).await.status, 401);
    assert_eq!(
        admin.post("/api/v1/users/new.rep/enable", json!({})).await.expect(200).json()["disabled"],
        false
    );
    sign_in(&app, "new.rep", reset).await;
}

on_both!(everyone_manages_their_own_tokens);

async fn everyone_manages_their_own_tokens(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let admin = Api::as_role(&app, Role::Admin).await;
    let rep = Api::as_role(&app, Role::Rep).await;

    let made = rep.post("/api/v1/tokens", json!({"name": "  nightly export  "})).await;
    let made = made.expect(201).json();
    let secret = made["secret"].as_str().expect("the secret, shown once").to_string();
    assert!(secret.starts_with("atn_") && secret.len() > 40, "{secret}");
    assert_eq!(made["token"]["name"], "nightly export");
    assert!(secret.starts_with(made["token"]["prefix"].as_str().unwrap()));
    let id = made["token"]["id"].as_str().unwrap().to_string();

    // Listing shows the prefix, never the secret; use is recorded.
    let fresh = Api::bearer(&app, &secret);
    assert_eq!(fresh.get("/api/v1/me").await.json()["login"], app.login(Role::Rep).login.as_str());
    let listed = rep.get("/api/v1/tokens").await;
    assert!(!listed.text.contains(&secret), "a token list never holds a secret");
    let tokens = listed.json();
    let tokens = tokens.as_array().unwrap();
    assert_eq!(tokens.len(), 2, "the rep's own tokens only: {tokens:?}");
    let listed_token = tokens.iter().find(|t| t["id"] == id.as_str()).expect("the new token");
    assert!(listed_token.get("secret").is_none());
    assert!(listed_token["last_used_at"].is_string(), "a used token says when");
    assert!(listed_token["revoked_at"].is_null());
    rep.post("/api/v1/tokens", json!({"name": "   "})).await.expect_error(422, "invalid", Some("name"));
    rep.post("/api/v1/tokens", json!({"name": "x".repeat(101)})).await.expect_error(
        422,
        "invalid",
        Some("name"),
    );

    // Another user's token is "not found" to a non-admin.
    let admin_tokens = admin.get("/api/v1/tokens").await.json();
    let admin_token = admin_tokens[0]["id"].as_str().expect("the admin's token").to_string();
    rep.delete(&format!("/api/v1/tokens/{admin_token}")).await.expect_error(404, "not_found", None);
    admin.get("/api/v1/me").await.expect(200);
    let manager = Api::as_role(&app, Role::Manager).await;
    manager.delete(&format!("/api/v1/tokens/{id}")).await.expect_error(404, "not_found", None);
    fresh.get("/api/v1/me").await.expect(200);

    // Revoking: the token stops at once; revoking again changes nothing.
    let revoked = rep.delete(&format!("/api/v1/tokens/{id}")).await.expect(200).json();
    assert!(revoked["revoked_at"].is_string());
    fresh.get("/api/v1/me").await.expect_error(401, "unauthenticated", None);
    fresh.get("/api/v1/opportunities").await.expect_error(401, "unauthenticated", None);
    let again = rep.delete(&format!("/api/v1/tokens/{id}")).await.expect(200).json();
    assert_eq!(again["revoked_at"], revoked["revoked_at"]);
    // Admins may revoke anyone's token (say, a leaked one).
    let rep_token = rep
        .get("/api/v1/tokens")
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] != id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    admin.delete(&format!("/api/v1/tokens/{rep_token}")).await.expect(200);
    rep.get("/api/v1/me").await.expect_error(401, "unauthenticated", None);
    let entries = admin.get(&format!("/api/v1/audit?action=token.revoke&entity_id={rep_token}")).await.json();
    assert_eq!(entries["entries"][0]["actor"], app.login(Role::Admin).login.as_str());
}

on_both!(a_throttled_password_change_on_the_account_page_says_when_to_try_again);

/// The account page's own-password form checks the current password behind the sign-in
/// throttle; once the guesses run out it answers 429 with `Retry-After` and says so plainly,
/// and even the right current password changes nothing until the lock ends.
async fn a_throttled_password_change_on_the_account_page_says_when_to_try_again(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let rep = app.login(Role::Rep).clone();
    let cookie = sign_in(&app, &rep.login, &rep.password).await;
    let csrf = crate::client::session_csrf(&app, &cookie).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let change = |current: &str| {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("_csrf", &csrf)
            .append_pair("current_password", current)
            .append_pair("password", "the rep's own new password")
            .finish();
        let request = http
            .post(app.at("/account/password"))
            .header("Cookie", format!("attain_session={cookie}"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        async move {
            let response = request.send().await.expect("POST /account/password");
            let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
            (response.status().as_u16(), retry, response.text().await.unwrap())
        }
    };
    for guess in 1..=5 {
        let (status, retry, text) = change(&format!("wrong guess {guess}")).await;
        assert_eq!((status, retry), (422, None), "guess {guess}: {text}");
        assert!(text.contains("Current password is wrong."), "guess {guess} names the field: {text}");
    }
    for current in ["wrong guess 6", rep.password.as_str()] {
        let (status, retry, text) = change(current).await;
        assert_eq!(status, 429, "{text}");
        let retry: u64 = retry.expect("a 429 says when to retry").parse().unwrap();
        assert!(retry > 0);
        assert!(
            text.contains("Too many wrong current passwords: your password was not changed. Try again in"),
            "{text}"
        );
        assert!(!text.contains("Current password is wrong."), "{text}");
    }
    // Nothing changed: the session still works and no password change was recorded.
    assert_eq!(crate::client::session_csrf(&app, &cookie).await, csrf);
    let admin = Api::as_role(&app, Role::Admin).await;
    let changes = admin.get("/api/v1/audit?action=user.password_change").await.expect(200).json();
    assert_eq!(changes["entries"], json!([]), "{changes}");
}
