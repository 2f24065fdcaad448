//! The UI in a real headless Chromium against a real server on a random port: signing in and
//! out, what each role sees, CSV import, the admin pages, API tokens, phone width, the
//! keyboard, and pay (statements, explanations, runs). SQLite only (the API suite covers
//! PostgreSQL). Without Chromium these tests skip outside CI and fail under `CI=true` (see
//! `attain_testkit::browser`).

#[path = "../support/mod.rs"]
mod support;

mod access;
mod admin;
mod capacity;
mod import;
mod layout;
mod objectives;
mod pay;
mod plan;
mod quotas;
mod session;
mod territories;

use attain_app::Role;
use attain_testkit::browser::{BoxError, Browser};
use support::TestApp;

/// What a browser test body returns.
type Outcome = Result<(), BoxError>;

/// Signs in as `role` through the real form at `/login` and waits for the signed-in page.
async fn sign_in(b: &Browser, app: &TestApp, role: Role) -> Outcome {
    let login = app.login(role);
    b.goto("/login").await?;
    b.fill("#login", &login.login).await?;
    b.fill("#password", &login.password).await?;
    b.click("form[action='/login'] button[type=submit]").await?;
    // The sign-in page has no main navigation; the page after it always has.
    b.wait_for("nav.nav").await?;
    Ok(())
}

/// The rendered text of every element matching `css`, after waiting for the first one.
async fn texts(b: &Browser, css: &str) -> Result<Vec<String>, BoxError> {
    b.wait_for(css).await?;
    let value = b
        .client()
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0]), e => e.innerText.trim());",
            vec![serde_json::json!(css)],
        )
        .await?;
    Ok(serde_json::from_value(value)?)
}

/// Runs `script` (a function body that returns something) and reads its answer as `T`.
async fn eval<T: serde::de::DeserializeOwned>(b: &Browser, script: &str) -> Result<T, BoxError> {
    let value = b.client().execute(script, vec![]).await?;
    Ok(serde_json::from_value(value)?)
}

/// Goes to the menu entry `href` as a person does: opens the menu group holding it (on a phone,
/// the Menu button, which opens every group), then clicks the entry.
async fn go_by_menu(b: &Browser, href: &str) -> Outcome {
    let folded: bool = eval(
        b,
        "return getComputedStyle(document.querySelector('nav.nav .menu-button')).display !== 'none';",
    )
    .await?;
    if folded {
        b.click("nav.nav .menu-button").await?;
    } else {
        b.click(&format!("nav.nav li.group:has(a[href='{href}']) > details > summary")).await?;
    }
    b.click(&format!("nav.nav a[href='{href}']")).await?;
    Ok(())
}

/// The `N` of a list's "1–50 of N" count line (thousands separators removed).
async fn list_total(b: &Browser) -> Result<usize, BoxError> {
    let count = b.text_of(".count").await?;
    let total = count.rsplit(" of ").next().unwrap_or("").replace(',', "");
    total.parse().map_err(|e| format!("count line {count:?}: {e}").into())
}

/// Clicks a button that asks "…?" first (disable, revoke) and answers yes.
async fn click_and_confirm(b: &Browser, css: &str) -> Outcome {
    b.click(css).await?;
    b.client().accept_alert().await?;
    Ok(())
}
