//! Bad input and bad credentials: always a 4xx in the one error shape, naming what is wrong,
//! never a 500 and never internals (the client checks the shape and the absence of traces on
//! every answer).

use attain_app::Role;
use attain_app::access::secret::digest;
use attain_testkit::Db;
use reqwest::Method;
use serde_json::json;

use crate::client::{Api, Auth, Body};
use crate::support::TestApp;
use crate::{on_both, raw_sql};

on_both!(bad_bodies_paths_and_ids);

async fn bad_bodies_paths_and_ids(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let admin = Api::as_role(&app, Role::Admin).await;
    let post = |path: &'static str, body: Body| {
        let admin = admin.clone();
        async move { admin.send(Method::POST, path, Some(body), &[]).await }
    };
    let user = json!({"login": "new.user", "display_name": "New User", "role": "finance", "password": "a long enough password"});

    // JSON that does not parse, or does not fit.
    for text in ["{\"login\": ", "not json", "", "{\"login\": \"a\",}", "{\"login\" \"a\"}"] {
        let reply = post("/api/v1/users", Body::json_text(text)).await;
        reply.expect_error(400, "malformed_json", None);
    }
    for (field, value) in [("login", json!(5)), ("role", json!(["admin"])), ("password", json!({"a": 1}))] {
        let mut body = user.clone();
        body[field] = value;
        post("/api/v1/users", Body::Json(body)).await.expect_error(400, "invalid", Some(field));
    }
    let mut extra = user.clone();
    extra["nickname"] = json!("Nick");
    post("/api/v1/users", Body::Json(extra)).await.expect_error(400, "invalid", Some("nickname"));
    post("/api/v1/tokens", Body::Json(json!({"name": "x", "scope": "all"}))).await.expect_error(
        400,
        "invalid",
        Some("scope"),
    );
    // A missing field is named too (the first one missing).
    let missing = post("/api/v1/users", Body::Json(json!({"login": "only", "role": "rep"}))).await;
    missing.expect_error(400, "invalid", Some("display_name"));
    post("/api/v1/users/admin/password", Body::Json(json!({}))).await.expect_error(
        400,
        "invalid",
        Some("password"),
    );
    post(
        "/api/v1/users",
        Body::Json(
            json!({"login": "x", "display_name": "X", "role": "boss", "password": "a long enough password"}),
        ),
    )
    .await
    .expect_error(400, "invalid", Some("role"));

    // The wrong media type, and bodies over the limit.
    let no_type = Body::Raw { content_type: None, bytes: serde_json::to_vec(&user).unwrap() };
    post("/api/v1/users", no_type).await.expect_error(415, "unsupported_media_type", Some("Content-Type"));
    let as_text = Body::Raw { content_type: Some("text/plain"), bytes: serde_json::to_vec(&user).unwrap() };
    post("/api/v1/users", as_text).await.expect_error(415, "unsupported_media_type", Some("Content-Type"));
    let huge = json!({"name": "x".repeat(1024 * 1024 + 10)});
    post("/api/v1/tokens", Body::Json(huge.clone())).await.expect_error(413, "too_large", None);
    admin.put("/api/v1/accounts/acc-0001", &huge, Some("*")).await.expect_error(413, "too_large", None);
    assert_eq!(
        admin.get("/api/v1/tokens").await.json().as_array().map(Vec::len),
        Some(1),
        "nothing refused was created"
    );

    // Ids that do not exist, odd or not, and paths that lead nowhere: 404 in JSON.
    let long = "x".repeat(5000);
    for path in [
        "/api/v1/accounts/no-such-account".to_string(),
        "/api/v1/accounts/%2E%2E%2F%2E%2E%2Fetc".to_string(),
        "/api/v1/accounts/a%20b%00c".to_string(),
        "/api/v1/accounts/%E2%9C%93".to_string(),
        "/api/v1/accounts/'%20OR%201=1--".to_string(),
        format!("/api/v1/accounts/{long}"),
        "/api/v1/users/nobody".to_string(),
        "/api/v1/nope".to_string(),
        "/api/v1/nope/1".to_string(),
        "/api/v1/accounts/acc-0001/more".to_string(),
        "/api/v2/accounts".to_string(),
        "/api/nothing".to_string(),
    ] {
        admin.get(&path).await.expect_error(404, "not_found", None);
    }
    admin.delete("/api/v1/tokens/no-such-token").await.expect_error(404, "not_found", None);
    admin.post("/api/v1/users/nobody/disable", json!({})).await.expect_error(404, "not_found", None);
    admin.post_csv("/api/v1/imports/nope", "id\n1\n").await.expect_error(404, "not_found", None);
    // NUL characters, which PostgreSQL refuses to store or compare, anywhere a caller can put
    // text.
    admin.get("/api/v1/users/a%00b").await.expect_error(404, "not_found", None);
    admin.post("/api/v1/users/a%00b/disable", json!({})).await.expect_error(404, "not_found", None);
    admin
        .post("/api/v1/users/a%00b/password", json!({"password": "a long enough password"}))
        .await
        .expect(404);
    admin.delete("/api/v1/tokens/a%00b").await.expect_error(404, "not_found", None);
    for filter in ["actor=a%00b", "entity_id=%00", "action=x%00", "entity=%00"] {
        assert_eq!(admin.get(&format!("/api/v1/audit?{filter}")).await.expect(200).total(), 0, "{filter}");
    }
    // Audit bounds are dates, or a 400 naming the parameter (text compared with instants
    // would match by accident of spelling).
    for (filter, field) in
        [("from=%00", "from"), ("to=%00", "to"), ("from=yesterday", "from"), ("to=2026-13-01", "to")]
    {
        admin.get(&format!("/api/v1/audit?{filter}")).await.expect_error(400, "invalid", Some(field));
    }
    assert!(admin.get("/api/v1/audit?from=2000-01-01&to=2999-01-01").await.expect(200).total() > 0);
    // A NUL in a path id is refused as in any other cell, on both databases (SQLite stored it,
    // PostgreSQL answered 500), and nothing is written.
    let mut nul_id = admin.get("/api/v1/accounts/acc-0001").await.json();
    nul_id.as_object_mut().unwrap().remove("id");
    admin.put("/api/v1/accounts/acc%00x", &nul_id, None).await.expect_error(422, "invalid", Some("id"));
    admin.get("/api/v1/accounts/acc%00x").await.expect_error(404, "not_found", None);
    // Text longer than its column takes, and a sale with a negative quantity.
    let mut long_name = admin.get("/api/v1/accounts/acc-0001").await.json();
    long_name["name"] = json!("n".repeat(2001));
    admin.put("/api/v1/accounts/acc-0001", &long_name, Some("*")).await.expect_error(
        422,
        "invalid",
        Some("name"),
    );
    let mut sale = admin.get("/api/v1/transactions?per_page=1&kind=booking").await.data()[0].clone();
    let sale_id = sale["id"].as_str().unwrap().to_string();
    sale["quantity"] = json!("-1");
    admin.put(&format!("/api/v1/transactions/{sale_id}"), &sale, Some("*")).await.expect_error(
        422,
        "invalid",
        Some("quantity"),
    );
    let mut nul_name = user.clone();
    nul_name["display_name"] = json!("Nul\u{0}Name");
    post("/api/v1/users", Body::Json(nul_name)).await.expect_error(422, "invalid", Some("display_name"));
    post("/api/v1/tokens", Body::Json(json!({"name": "a\u{0}b"}))).await.expect_error(
        422,
        "invalid",
        Some("name"),
    );
    let mut nul_account = admin.get("/api/v1/accounts/acc-0001").await.json();
    nul_account["industry"] = json!("Soft\u{0}ware");
    admin.put("/api/v1/accounts/acc-0001", &nul_account, Some("*")).await.expect_error(
        422,
        "invalid",
        Some("industry"),
    );
    let reply = admin.post_csv("/api/v1/imports/accounts", "id,name\nacc-nul,Nul\u{0}Co\n").await;
    let refused = reply.expect_error(422, "rejected_rows", Some("name"));
    assert_eq!(refused["error"]["rows"][0]["value"], "Nul\\0Co", "the NUL is shown, not sent back");
    admin.get("/api/v1/accounts/acc-nul").await.expect(404);
    // A path segment that is not UTF-8 cannot name anything: a 400, still in JSON.
    admin.get("/api/v1/accounts/%FF").await.expect_error(400, "invalid", None);
    // Paging beyond the documented maximum is refused, not silently clamped.
    admin.get("/api/v1/accounts?per_page=501").await.expect_error(400, "invalid", Some("per_page"));
    assert_eq!(admin.get("/api/v1/accounts?per_page=500").await.expect(200).json()["per_page"], 500);
    // An empty or repeated page parameter is refused too: which value was meant is a guess.
    for query in ["per_page=", "page=", "per_page=10&per_page=20", "page=1&page=2"] {
        let field = query.split('=').next().unwrap();
        admin.get(&format!("/api/v1/accounts?{query}")).await.expect_error(400, "invalid", Some(field));
    }
    // A method the route does not take.
    for (method, path) in [
        (Method::DELETE, "/api/v1/me"),
        (Method::PUT, "/api/v1/users/admin"),
        (Method::POST, "/api/v1/accounts"),
        (Method::PUT, "/api/v1/company/company"),
    ] {
        let reply = admin.send(method, path, None, &[]).await;
        reply.expect_error(405, "method_not_allowed", None);
        assert!(reply.header("allow").is_some(), "{path}: a 405 says what is allowed");
    }
}

on_both!(bad_credentials_are_refused);

async fn bad_credentials_are_refused(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let anonymous = Api::anonymous(&app);
    anonymous.get("/api/v1/me").await.expect_error(401, "unauthenticated", None);

    // Credentials that name no one.
    let forged =
        anonymous.with_auth(Auth::Session { cookie: "forged-session-value".into(), csrf: String::new() });
    forged.get("/api/v1/me").await.expect_error(401, "unauthenticated", None);
    let long_cookie = anonymous.with_auth(Auth::Session { cookie: "c".repeat(4000), csrf: String::new() });
    long_cookie.get("/api/v1/me").await.expect_error(401, "unauthenticated", None);
    for token in ["garbage", "atn_not-a-real-token", "", "atn_"] {
        Api::bearer(&app, token).get("/api/v1/me").await.expect_error(401, "unauthenticated", None);
    }
    let basic =
        anonymous.send(Method::GET, "/api/v1/me", None, &[("Authorization", "Basic YWRtaW46YWRtaW4=")]).await;
    basic.expect_error(401, "unauthenticated", Some("Authorization"));

    // A browser session works for reads; its unsafe calls need the session's CSRF token.
    let session = Api::session(&app, Role::Admin).await;
    let me = session.get("/api/v1/me").await.expect(200).json();
    assert_eq!(me["via"], "session");
    let refused = session.without_csrf().post("/api/v1/tokens", json!({"name": "csrf-less"})).await;
    refused.expect_error(403, "csrf", Some("X-CSRF-Token"));
    let Auth::Session { cookie, .. } = &session.auth else { unreachable!() };
    let wrong = session.with_auth(Auth::Session { cookie: cookie.clone(), csrf: "wrong".into() });
    wrong.post("/api/v1/tokens", json!({"name": "wrong csrf"})).await.expect_error(
        403,
        "csrf",
        Some("X-CSRF-Token"),
    );
    wrong.delete("/api/v1/tokens/anything").await.expect_error(403, "csrf", Some("X-CSRF-Token"));
    wrong.put("/api/v1/accounts/acc-0001", &json!({}), Some("*")).await.expect_error(
        403,
        "csrf",
        Some("X-CSRF-Token"),
    );
    assert_eq!(
        session.get("/api/v1/tokens").await.json().as_array().map(Vec::len),
        Some(0),
        "no refused call wrote"
    );
    let token = session.post("/api/v1/tokens", json!({"name": "with csrf"})).await;
    let secret = token.expect(201).json()["secret"].as_str().expect("a secret").to_string();
    let token_id = token.json()["token"]["id"].as_str().unwrap().to_string();

    // An expired session is refused.
    let expired = Api::session(&app, Role::Executive).await;
    expired.get("/api/v1/me").await.expect(200);
    let Auth::Session { cookie: expired_cookie, .. } = &expired.auth else { unreachable!() };
    let changed = raw_sql(
        &app,
        "UPDATE sessions SET expires_at = '2001-01-01T00:00:00Z' WHERE id_hash = $1",
        &[&digest(expired_cookie)],
    )
    .await;
    assert_eq!(changed, 1);
    let reply = expired.get("/api/v1/me").await.expect_error(401, "unauthenticated", None);
    assert!(reply["error"]["message"].as_str().unwrap().contains("expired"));

    // A revoked token is refused from then on.
    let scripted = Api::bearer(&app, &secret);
    scripted.get("/api/v1/me").await.expect(200);
    session.delete(&format!("/api/v1/tokens/{token_id}")).await.expect(200);
    scripted.get("/api/v1/me").await.expect_error(401, "unauthenticated", None);

    // A disabled user's tokens and sessions stop at once, and work again once re-enabled.
    let finance_token = Api::as_role(&app, Role::Finance).await;
    let finance_session = Api::session(&app, Role::Finance).await;
    finance_token.get("/api/v1/me").await.expect(200);
    let finance = &app.login(Role::Finance).login;
    session.post(&format!("/api/v1/users/{finance}/disable"), json!({})).await.expect(200);
    finance_token.get("/api/v1/me").await.expect_error(401, "unauthenticated", None);
    finance_token.get("/api/v1/accounts").await.expect_error(401, "unauthenticated", None);
    finance_session.get("/api/v1/me").await.expect_error(401, "unauthenticated", None);
    session.post(&format!("/api/v1/users/{finance}/enable"), json!({})).await.expect(200);
    finance_token.get("/api/v1/me").await.expect(200);
    finance_session.get("/api/v1/me").await.expect_error(401, "unauthenticated", None);
}
