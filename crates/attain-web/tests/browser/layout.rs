//! The UI on a phone-width screen and with the keyboard alone.

use attain_app::Role;
use attain_testkit::Db;
use attain_testkit::browser;

use super::support::TestApp;
use super::{eval, sign_in};

/// WebDriver's key codes.
const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

#[tokio::test(flavor = "multi_thread")]
async fn lists_fit_a_phone_and_show_each_row_as_a_card() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    browser::run("lists_fit_a_phone_and_show_each_row_as_a_card", async |b| {
        b.set_base_url(&app.url);
        b.set_phone_width().await?;
        // The admin: the longest menu and the widest name badge.
        sign_in(b, &app, Role::Admin).await?;
        b.goto("/opportunities").await?;
        b.wait_for("#results tbody tr td").await?;
        let width: u64 = eval(b, "return window.innerWidth;").await?;
        assert!(width <= 400, "the window is phone-wide: {width}px");
        let (scroll, inner): (u64, u64) =
            eval(b, "return [document.documentElement.scrollWidth, window.innerWidth];").await?;
        assert!(scroll <= inner, "the page scrolls sideways: {scroll}px wide in a {inner}px window");
        let (nav, brand, who): ((u64, u64), (u64, u64), (u64, u64)) = eval(
            b,
            "const edges = s => { const r = document.querySelector(s).getBoundingClientRect(); \
               return [Math.round(r.left), Math.round(r.right)]; }; \
             return [edges('nav.nav'), edges('.brand'), edges('.who')];",
        )
        .await?;
        assert!(
            nav.0 <= brand.0 && nav.1 >= who.1,
            "the menu is a full row of its own: menu {nav:?}, brand {brand:?}, user {who:?}"
        );
        let row: String = eval(b, "return getComputedStyle(document.querySelector('#results tbody tr')).display;").await?;
        assert_eq!(row, "block", "a table row is a card");
        let label: String =
            eval(b, "return getComputedStyle(document.querySelector('#results tbody td'), '::before').content;")
                .await?;
        assert_eq!(label, "\"Opportunity\"", "each cell is labelled with its column");
        let head: (u64, u64) = eval(
            b,
            "const r = document.querySelector('#results thead').getBoundingClientRect(); return [r.width, r.height].map(Math.ceil);",
        )
        .await?;
        assert!(head.0 <= 1 && head.1 <= 1, "the column heads are hidden (kept for screen readers): {head:?}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_keyboard_reaches_the_content_and_sorts_lists() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    browser::run("the_keyboard_reaches_the_content_and_sorts_lists", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::Rep).await?;
        b.goto("/").await?;
        b.wait_for("main h1").await?;
        let start: String = eval(b, "return document.activeElement.tagName;").await?;
        assert_eq!(start, "BODY", "nothing has focus on a fresh page");
        b.client().active_element().await?.send_keys(TAB).await?;
        let first = b.wait_for("a.skip:focus").await?;
        assert_eq!(first.text().await?, "Skip to content");
        assert!(first.is_displayed().await?, "the skip link shows once focused");
        first.send_keys(ENTER).await?;
        b.wait_for("#main:focus").await?;

        // Accounts are listed by name: that head says so, and Enter on it reverses the order.
        b.goto("/accounts").await?;
        b.wait_for("#results thead th:first-child[aria-sort=ascending]").await?;
        let name = b.wait_for("#results thead th:first-child a").await?;
        assert_eq!(name.text().await?.to_lowercase(), "name", "the first column head");
        name.send_keys(ENTER).await?;
        b.wait_for("#results thead th:first-child[aria-sort=descending]").await?;
        let url = b.current_url().await?;
        assert!(url.query_pairs().any(|(k, v)| k == "sort" && v == "-name"), "{url}");
        // Enter on another head sorts by it.
        let country = b.wait_for("#results thead th:nth-child(3) a").await?;
        country.send_keys(ENTER).await?;
        b.wait_for("#results thead th:nth-child(3)[aria-sort=ascending]").await?;
        let url = b.current_url().await?;
        assert!(url.query_pairs().any(|(k, v)| k == "sort" && v == "country"), "{url}");
        Ok(())
    })
    .await;
}
