//! Signing in through the form: wrong passwords, the lockout after repeated failures, signing
//! out, and the CSRF checks of the sign-in and UI forms.

use attain_app::Role;
use attain_testkit::Db;
use reqwest::Method;

use crate::client::{Api, Auth, Reply, form, post_sign_in, post_sign_in_to, set_cookie};
use crate::on_both;
use crate::support::TestApp;

fn is_html(reply: &Reply) -> bool {
    reply.header("content-type").is_some_and(|t| t.starts_with("text/html"))
}

on_both!(sign_in_lockout_and_sign_out);

async fn sign_in_lockout_and_sign_out(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let exec = app.login(Role::Executive).clone();

    // A wrong password: the form again, 401, the same words for an unknown login.
    let wrong = post_sign_in(&app, &exec.login, "not the password").await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.text.contains("Wrong login name or password"), "{}", wrong.text);
    assert!(set_cookie(&wrong.headers, "attain_session").is_none(), "no session for a wrong password");
    let unknown = post_sign_in(&app, "nobody-at-all", "not the password").await;
    assert_eq!(unknown.status, 401);
    assert!(unknown.text.contains("Wrong login name or password"));
    assert_eq!(post_sign_in(&app, "nul\u{0}name", "not the password").await.status, 401);

    // Five failures lock the name, even against the right password; others are unaffected.
    for attempt in 2..=5 {
        let reply = post_sign_in(&app, &exec.login, &format!("wrong password {attempt}")).await;
        assert_eq!(reply.status, 401, "failure {attempt} is still a plain refusal");
    }
    let locked = post_sign_in(&app, &exec.login, &exec.password).await;
    assert_eq!(locked.status, 429, "the sixth attempt is throttled: {}", locked.text);
    assert!(set_cookie(&locked.headers, "attain_session").is_none());
    assert!(locked.text.contains("Too many failed attempts"), "{}", locked.text);
    let retry: u64 = locked
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a 429 says when to retry (Retry-After)");
    assert!(retry > 0 && retry <= 15 * 60, "Retry-After {retry}");
    let rep = app.login(Role::Rep).clone();
    assert_eq!(post_sign_in(&app, &rep.login, &rep.password).await.status, 303, "the lock is per login name");

    // After signing in, only same-site paths are followed: never another site, and odd
    // characters (which browsers drop, turning `/<tab>/evil` into `//evil`) are not trusted.
    for (next, expected) in [
        ("/opportunities?status=won", "/opportunities?status=won"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("/\t/evil.example/", "/"),
        ("/\n/evil.example/", "/"),
        ("/caf\u{e9}", "/"),
    ] {
        let reply = post_sign_in_to(&app, &rep.login, &rep.password, next).await;
        assert_eq!(reply.status, 303, "next={next:?}: {}", reply.text);
        let location = reply.headers.get("location").and_then(|v| v.to_str().ok());
        assert_eq!(location, Some(expected), "next={next:?}");
    }

    // Signing out ends the session: the old cookie no longer works for the API or the UI.
    let session = Api::session(&app, Role::Rep).await;
    session.get("/api/v1/me").await.expect(200);
    let Auth::Session { csrf, .. } = &session.auth else { unreachable!() };
    let refused = session.without_csrf().send(Method::POST, "/logout", Some(form(&[])), &[]).await;
    assert_eq!(refused.status, 403, "sign-out without the form's token is refused");
    session.get("/api/v1/me").await.expect(200);
    let out = session.send(Method::POST, "/logout", Some(form(&[("_csrf", csrf)])), &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location").as_deref(), Some("/login"));
    assert_eq!(set_cookie(&out.headers, "attain_session").as_deref(), Some(""), "the cookie is cleared");
    session.get("/api/v1/me").await.expect_error(401, "unauthenticated", None);
    let page = session.get("/account").await;
    assert_eq!(page.status, 303, "a UI page sends an ended session to sign in");
    assert!(page.header("location").is_some_and(|l| l.starts_with("/login")));

    // Form posts without their CSRF token: 403 pages, and nothing happens.
    let admin = Api::session(&app, Role::Admin).await;
    let blind =
        admin.without_csrf().send(Method::POST, "/account/tokens", Some(form(&[("name", "x")])), &[]).await;
    assert_eq!(blind.status, 403);
    assert!(is_html(&blind), "a UI refusal is a page");
    assert!(blind.text.contains("This form has expired"));
    let forged = admin
        .send(Method::POST, "/account/tokens", Some(form(&[("name", "x"), ("_csrf", "forged")])), &[])
        .await;
    assert_eq!(forged.status, 403);
    admin.get("/api/v1/tokens").await.expect(200);
    assert_eq!(admin.get("/api/v1/tokens").await.json().as_array().map(Vec::len), Some(0));
    let no_login_csrf = Api::anonymous(&app)
        .send(Method::POST, "/login", Some(form(&[("login", &rep.login), ("password", &rep.password)])), &[])
        .await;
    assert_eq!(no_login_csrf.status, 403, "the sign-in form needs its double-submit token");
    assert!(is_html(&no_login_csrf));
    assert!(set_cookie(&no_login_csrf.headers, "attain_session").is_none());
    let field_only = Api::anonymous(&app)
        .send(
            Method::POST,
            "/login",
            Some(form(&[("login", &rep.login), ("password", &rep.password), ("_csrf", "guess")])),
            &[],
        )
        .await;
    assert_eq!(field_only.status, 403, "a token without its cookie is refused");
}
