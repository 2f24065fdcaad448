//! Signing in through the form: wrong passwords, the lockout after repeated failures, signing
//! out, and the CSRF checks of the sign-in and UI forms.

use attain_app::Role;
use attain_testkit::Db;
use reqwest::Method;

use std::sync::Arc;

use crate::client::{Api, Auth, Reply, form, post_sign_in, post_sign_in_to, post_sign_in_with, set_cookie};
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

/// Posts the sign-in form `n` times at once; returns the statuses, sorted.
async fn race(app: &Arc<TestApp>, login: &str, password: &str, n: usize) -> Vec<u16> {
    let mut posts = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (app, login, password) = (app.clone(), login.to_string(), password.to_string());
        posts.spawn(async move {
            let reply = post_sign_in(&app, &login, &password).await;
            assert!(
                reply.status == 303 || set_cookie(&reply.headers, "attain_session").is_none(),
                "only a sign-in sets a session"
            );
            reply.status
        });
    }
    let mut statuses = posts.join_all().await;
    statuses.sort_unstable();
    statuses
}

on_both!(parallel_guesses_get_five_checks_and_no_sign_in_once_locked);

async fn parallel_guesses_get_five_checks_and_no_sign_in_once_locked(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let app = Arc::new(app);
    let admin = app.login(Role::Admin).clone();
    // 30 guesses at once: five are checked (401), the others refused unchecked (429), however
    // they interleave; the count is taken before the password is checked.
    let mut expected = vec![401; 5];
    expected.extend([429; 25]);
    assert_eq!(race(&app, &admin.login, "a wrong guess", 30).await, expected);
    // Locked: 30 posts with the right password at once, not one signs in.
    assert_eq!(race(&app, &admin.login, &admin.password, 30).await, vec![429; 30]);
}

on_both!(an_attackers_failures_do_not_lock_the_owner_out);

async fn an_attackers_failures_do_not_lock_the_owner_out(backend: Db) {
    let Some(app) = TestApp::spawn_behind_proxy(backend).await else { return };
    let admin = app.login(Role::Admin).clone();
    let from = |address: &'static str| [("X-Forwarded-For", address)];
    // The attacker at A (the proxy appends the real address last; what the client sent
    // before it is not believed).
    for _ in 0..5 {
        let reply =
            post_sign_in_with(&app, &admin.login, "a guess", "/", &from("10.9.9.9, 198.51.100.66"), None)
                .await;
        assert_eq!(reply.status, 401);
    }
    let locked =
        post_sign_in_with(&app, &admin.login, &admin.password, "/", &from("198.51.100.66"), None).await;
    assert_eq!(locked.status, 429, "A is locked out, right password or not");
    let forged =
        post_sign_in_with(&app, &admin.login, &admin.password, "/", &from("198.51.100.66, 10.9.9.9"), None)
            .await;
    assert_eq!(forged.status, 303, "only the proxy's address counts: this is a client at 10.9.9.9");
    // The owner at B signs in.
    let owner = post_sign_in_with(&app, &admin.login, &admin.password, "/", &from("203.0.113.5"), None).await;
    assert_eq!(owner.status, 303, "the owner is not locked out: {}", owner.text);
    // The audit log names A for the lock.
    let api = Api::as_role(&app, Role::Admin).await;
    let entries = api.get("/api/v1/audit?action=session.sign_in_locked").await.json();
    assert_eq!(entries["total"], 1);
    assert_eq!(entries["entries"][0]["ip"], "198.51.100.66");
}

on_both!(forwarded_addresses_are_ignored_unless_a_proxy_is_trusted);

async fn forwarded_addresses_are_ignored_unless_a_proxy_is_trusted(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let rep = app.login(Role::Rep).clone();
    for address in ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5"] {
        let reply =
            post_sign_in_with(&app, &rep.login, "a guess", "/", &[("X-Forwarded-For", address)], None).await;
        assert_eq!(reply.status, 401);
    }
    let next =
        post_sign_in_with(&app, &rep.login, &rep.password, "/", &[("X-Forwarded-For", "203.0.113.9")], None)
            .await;
    assert_eq!(next.status, 429, "a client cannot pick a fresh address by sending the header");
}

on_both!(failed_sign_ins_write_a_bounded_number_of_rows);

async fn failed_sign_ins_write_a_bounded_number_of_rows(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let admin = Api::as_role(&app, Role::Admin).await;
    let before = admin.get("/api/v1/audit?per_page=1").await.json()["total"].as_u64().unwrap();
    // 200 failed sign-ins from one client, over 40 names (existing or not): at most
    // 20 / 5 = 4 audit entries (one per lock), and no more once the address is locked.
    let names: Vec<String> =
        app.logins.iter().map(|l| l.login.clone()).chain((0..34).map(|i| format!("guess{i}"))).collect();
    let rows_before = app.app.store().throttle_count().await.unwrap();
    let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
    for i in 0..200 {
        let reply = post_sign_in(&app, &names[i % names.len()], "a guess").await;
        *statuses.entry(reply.status).or_default() += 1;
    }
    assert_eq!(statuses.get(&401), Some(&20), "20 password checks from one address: {statuses:?}");
    let after = admin.get("/api/v1/audit?per_page=1").await.json()["total"].as_u64().unwrap();
    assert!(after - before <= 4, "{} audit entries for 200 failures", after - before);
    let locks = admin.get("/api/v1/audit?action=session.sign_in_locked").await.json();
    assert_eq!(locks["total"].as_u64(), Some(after - before), "nothing but locks was written");
    assert!(
        locks["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["after"]["locked"].to_string().contains("\"address\""))
    );
    // Rows of throttle state: the address, and a name and a pair per name checked.
    let rows = app.app.store().throttle_count().await.unwrap() - rows_before;
    assert!(rows <= 1 + 2 * 20, "{rows} throttle rows");
}

on_both!(signing_in_ends_the_browsers_previous_session);

async fn signing_in_ends_the_browsers_previous_session(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let (rep, exec) = (app.login(Role::Rep).clone(), app.login(Role::Executive).clone());
    let first = crate::client::sign_in(&app, &rep.login, &rep.password).await;
    let me = |cookie: String| Api::anonymous(&app).with_auth(Auth::Session { cookie, csrf: String::new() });
    assert_eq!(me(first.clone()).get("/api/v1/me").await.expect(200).json()["login"], rep.login.as_str());
    // Another user signs in on the same browser: the rep's session ends.
    let second = post_sign_in_with(&app, &exec.login, &exec.password, "/", &[], Some(&first)).await;
    assert_eq!(second.status, 303);
    let second = set_cookie(&second.headers, "attain_session").expect("a new session");
    assert_ne!(second, first);
    me(first).get("/api/v1/me").await.expect_error(401, "unauthenticated", None);
    assert_eq!(me(second.clone()).get("/api/v1/me").await.expect(200).json()["login"], exec.login.as_str());
    // A failed sign-in leaves the current session alone.
    let failed = post_sign_in_with(&app, &exec.login, "a guess", "/", &[], Some(&second)).await;
    assert_eq!(failed.status, 401);
    me(second).get("/api/v1/me").await.expect(200);
}

on_both!(signed_in_answers_are_not_cached);

async fn signed_in_answers_are_not_cached(backend: Db) {
    let Some(app) = TestApp::spawn_with_pay(backend).await else { return };
    let rep = Api::session(&app, Role::Rep).await;
    let person = app.person_of(Role::Rep);
    let pages = [
        "/pay/statements?period=2017-06".to_string(),
        format!("/pay/statements/2017-06/{person}"),
        "/api/v1/pay/statements?period=2017-06".to_string(),
        "/api/v1/pay/plans".to_string(),
        "/api/v1/me".to_string(),
        "/account".to_string(),
        "/".to_string(),
    ];
    for path in &pages {
        let reply = rep.get(path).await;
        assert!([200, 303].contains(&reply.status), "{path}: {} {}", reply.status, reply.text);
        assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"), "{path}");
    }
    // Refusals too (they can name what was asked for); files keep their own words.
    let statement = rep.get(&format!("/pay/statements/2017-06/{person}")).await;
    assert!(statement.status == 200 && statement.text.contains(&person), "a statement page, not an error");
    let home = rep.get("/pay").await;
    assert_eq!((home.status, home.header("cache-control").as_deref()), (303, Some("no-store")));
    let missing = rep.get("/api/v1/pay/statements/2017-06/nobody").await;
    assert_eq!(missing.header("cache-control").as_deref(), Some("no-store"));
    let file = rep.get("/api/v1/pay/statements?period=2017-06&format=csv").await;
    assert_eq!(file.header("cache-control").as_deref(), Some("private, no-store"));
    let login = Api::anonymous(&app).get("/login").await;
    assert_eq!(login.header("cache-control").as_deref(), Some("no-store"), "the form holds a CSRF token");
}
