//! Signing out, a wrong password, changing your password, and API tokens made and revoked on
//! the account page.

use attain_app::Role;
use attain_testkit::Db;
use attain_testkit::browser;

use super::support::TestApp;
use super::{click_and_confirm, eval, sign_in};

#[tokio::test(flavor = "multi_thread")]
async fn sign_out_ends_the_session() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    browser::run("sign_out_ends_the_session", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::Finance).await?;
        b.click("header form[action='/logout'] button").await?;
        b.wait_for("#login").await?;
        assert_eq!(b.current_path().await?, "/login");
        b.goto("/").await?;
        b.wait_for("#login").await?;
        let url = b.current_url().await?;
        assert_eq!((url.path(), url.query()), ("/login", Some("next=%2F")), "{url}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_is_refused_on_the_sign_in_page() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    browser::run("a_wrong_password_is_refused_on_the_sign_in_page", async |b| {
        b.set_base_url(&app.url);
        b.goto("/login").await?;
        b.fill("#login", &app.login(Role::Rep).login).await?;
        b.fill("#password", "not the password at all").await?;
        b.click("form[action='/login'] button[type=submit]").await?;
        assert_eq!(b.text_of("#login-error").await?, "Wrong login name or password.");
        assert_eq!(b.current_path().await?, "/login");
        // The login name is kept, the password is not, and nobody is signed in.
        assert_eq!(b.value_of("#login").await?, app.login(Role::Rep).login);
        assert_eq!(b.value_of("#password").await?, "");
        let menu: bool = eval(b, "return document.querySelector('nav.nav') !== null;").await?;
        assert!(!menu, "no menu before signing in");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_token_made_on_the_account_page_works_until_revoked() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    let http = reqwest::Client::new();
    let me = |secret: String| {
        let request = http.get(app.at("/api/v1/me")).bearer_auth(secret);
        async move { request.send().await.expect("the server answers") }
    };
    browser::run("an_api_token_made_on_the_account_page_works_until_revoked", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::Rep).await?;
        b.click("a.me").await?;
        b.fill("#token-name", "script").await?;
        b.click("form[action='/account/tokens'] button[type=submit]").await?;
        let secret = b.text_of("#new-token").await?;
        assert!(secret.starts_with("atn_"), "{secret}");

        let response = me(secret.clone()).await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await?;
        assert_eq!(body["login"], app.login(Role::Rep).login.as_str());

        b.goto("/account").await?;
        assert!(b.page_text().await?.contains("script"), "the token is listed");
        click_and_confirm(b, "form[action$='/revoke'] button").await?;
        b.wait_for(".badge.b-lost").await?;
        assert_eq!(me(secret).await.status(), 401);
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_your_password_needs_the_current_one_and_signs_you_out() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    let rep = app.login(Role::Rep).clone();
    let new_password = "the rep's brand new password";
    browser::run("changing_your_password_needs_the_current_one_and_signs_you_out", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::Rep).await?;
        b.click("a.me").await?;

        // A wrong current password: the error names the field and nothing changes.
        b.fill("#current-password", "not my password at all").await?;
        b.fill("#new-password", new_password).await?;
        b.click("form[action='/account/password'] button[type=submit]").await?;
        assert_eq!(b.text_of("#password-error").await?, "Current password is wrong.");
        let menu: bool = eval(b, "return document.querySelector('nav.nav') !== null;").await?;
        assert!(menu, "still signed in after a wrong current password");
        // The form sits below the token list: the field takes the focus, so the page scrolls
        // to it and its error, which the field points to for screen readers.
        let focused: String = eval(b, "return document.activeElement.id;").await?;
        assert_eq!(focused, "current-password");
        let described: String =
            eval(b, "return document.activeElement.getAttribute('aria-describedby');").await?;
        assert_eq!(described, "password-error");

        // The right one: every session ends, this one too, and the sign-in page says why.
        b.goto("/account").await?;
        b.fill("#current-password", &rep.password).await?;
        b.fill("#new-password", new_password).await?;
        b.click("form[action='/account/password'] button[type=submit]").await?;
        let notice = b.text_of("#login-notice").await?;
        assert!(notice.starts_with("Your password was changed."), "{notice}");
        assert!(notice.contains("sign in with your new password"), "{notice}");
        b.goto("/account").await?;
        b.wait_for("#login").await?;
        assert_eq!(b.current_path().await?, "/login", "the old session is over");

        // The old password no longer signs in; the new one does.
        b.fill("#login", &rep.login).await?;
        b.fill("#password", &rep.password).await?;
        b.click("form[action='/login'] button[type=submit]").await?;
        assert_eq!(b.text_of("#login-error").await?, "Wrong login name or password.");
        b.fill("#password", new_password).await?;
        b.click("form[action='/login'] button[type=submit]").await?;
        b.wait_for("nav.nav").await?;
        assert_eq!(b.current_path().await?, "/account", "back where the person was going");
        Ok(())
    })
    .await;
}
