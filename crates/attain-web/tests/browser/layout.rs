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
        // The menu folds behind one button; opened, every entry shows, none cut off.
        let shown = "return Array.from(document.querySelectorAll('nav.nav a'), a => { \
               const r = a.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth; });";
        let before: Vec<bool> = eval(b, shown).await?;
        assert!(before.iter().all(|s| !s), "the menu is folded: {before:?}");
        b.click("nav.nav .menu-button").await?;
        let after: Vec<bool> = eval(b, shown).await?;
        assert!(after.len() > 10 && after.iter().all(|s| *s), "every entry shows in the window: {after:?}");
        let expanded: String = eval(b, "return document.querySelector('nav.nav .menu-button').getAttribute('aria-expanded');").await?;
        assert_eq!(expanded, "true");
        let (scroll, inner): (u64, u64) =
            eval(b, "return [document.documentElement.scrollWidth, window.innerWidth];").await?;
        assert!(scroll <= inner, "the open menu scrolls sideways: {scroll}px wide in a {inner}px window");
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

#[tokio::test(flavor = "multi_thread")]
async fn the_menu_opens_one_group_at_a_time_and_closes_on_escape() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    browser::run("the_menu_opens_one_group_at_a_time_and_closes_on_escape", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::CompAdmin).await?;
        b.goto("/accounts").await?;
        b.wait_for("#results").await?;
        let open = "return Array.from(document.querySelectorAll('nav.nav details'), d => d.open);";
        let opened: Vec<bool> = eval(b, open).await?;
        assert!(opened.iter().all(|o| !o), "every group starts folded: {opened:?}");
        let here: Vec<String> =
            eval(b, "return Array.from(document.querySelectorAll('nav.nav li.here summary'), s => s.innerText);").await?;
        assert_eq!(here, ["Track"], "the page's group is marked");
        // A click opens Plan's drop-down over the page; opening Pay folds Plan.
        b.click("nav.nav li.group:nth-child(2) summary").await?;
        let quotas = b.wait_for("nav.nav a[href='/plan/quotas']").await?;
        assert!(quotas.is_displayed().await?, "Plan's entries show");
        b.click("nav.nav li.group:has(a[href='/pay/runs']) summary").await?;
        // The script folds the others on the group's `toggle` event, a moment after the click.
        b.wait_for("nav.nav li.group:nth-child(2) details:not([open])").await?;
        let opened: Vec<bool> = eval(b, open).await?;
        assert_eq!(opened.iter().filter(|o| **o).count(), 1, "one group open at a time: {opened:?}");
        assert!(!quotas.is_displayed().await?, "Plan folded when Pay opened");
        // Escape folds it; the keyboard alone opens a group and follows an entry.
        b.client().active_element().await?.send_keys("\u{E00C}").await?;
        b.wait_for("nav.nav li.group:has(a[href='/pay/runs']) details:not([open])").await?;
        let opened: Vec<bool> = eval(b, open).await?;
        assert!(opened.iter().all(|o| !o), "Escape folds the menu: {opened:?}");
        let summary = b.wait_for("nav.nav li.group:has(a[href='/plan/quotas']) summary").await?;
        summary.send_keys(ENTER).await?;
        b.wait_for("nav.nav a[href='/plan/quotas']").await?.send_keys(ENTER).await?;
        // Only the new page marks Quotas as the current entry (the old one has results too).
        b.wait_for("nav.nav a[aria-current=page][href='/plan/quotas']").await?;
        assert_eq!(b.current_path().await?, "/plan/quotas");
        let current: Vec<String> = eval(
            b,
            "return Array.from(document.querySelectorAll('nav.nav a[aria-current=page]'), a => a.getAttribute('href'));",
        )
        .await?;
        assert_eq!(current, ["/plan/quotas"], "the page's entry is marked, and only it");
        let here: Vec<String> =
            eval(b, "return Array.from(document.querySelectorAll('nav.nav li.here summary'), s => s.innerText);").await?;
        assert_eq!(here, ["Plan"], "quotas are planned: the Plan group is marked");
        Ok(())
    })
    .await;
}
