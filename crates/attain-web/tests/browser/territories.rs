//! Territory design in the browser: the comp admin finds Plan → Territory design, adds a
//! country rule (a clashing second one is refused, naming the field, with what was typed
//! kept), previews on the Assign tab which accounts it moves and from whom to whom, applies
//! them through the confirmation page; Assign then shows nothing left to move. On the Balance
//! tab they take the suggested moves as overrides (again through a confirmation), land on
//! Assign with those moves, apply them, and the imbalance is lower. The pages fit a phone.
//! The territory pages take a new territory, its edit and its hand-over to another seat; a
//! manager finds no territory design at all.

use std::collections::HashSet;

use attain_app::Role;
use attain_core::domain::AccountSize;
use attain_testkit::Db;
use attain_testkit::browser::{self, BoxError, Browser};
use rust_decimal::Decimal;

use super::support::{TestApp, as_of};
use super::{eval, go_by_menu, sign_in, texts};

/// Sets a form control's value the way a person picks it (selects and date inputs take no
/// typing that does not depend on the browser's locale).
fn set(css: &str, value: &str) -> String {
    format!("document.querySelector({css:?}).value = {value:?}; return true;")
}

/// The imbalance the Balance tab reads: "Imbalance 23.41% on potential — 0% is even".
async fn score(b: &Browser) -> Result<Decimal, BoxError> {
    let text = b.text_of("#balance-score").await?;
    assert!(text.ends_with("on potential — 0% is even"), "{text}");
    let number = text.strip_prefix("Imbalance ").and_then(|t| t.split_once('%')).map(|(n, _)| n);
    Ok(number.ok_or_else(|| format!("no score in {text:?}"))?.parse()?)
}

/// Whether the page is wider than the window's content area (something cut off or scrolling
/// sideways); the content area leaves out a vertical scrollbar, which `innerWidth` counts.
async fn overflows(b: &Browser) -> Result<bool, BoxError> {
    eval(b, "const d = document.documentElement; return d.scrollWidth > d.clientWidth;").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_comp_admin_assigns_accounts_by_rule_and_evens_out_the_territories() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    // Two leaf territories of the demo, the Canadian accounts a "country = CA" rule for the
    // first one decides (those no named-account rule keeps), and how many of them it moves
    // (those not already there).
    let (leaf, other, leaf_name, decided, expected) = {
        let snapshot = app.app.snapshot();
        let data = &snapshot.data;
        let parents: HashSet<&str> = data.territories.iter().filter_map(|t| t.parent_id.as_deref()).collect();
        let mut leaves: Vec<_> =
            data.territories.iter().filter(|t| !parents.contains(t.id.as_str())).collect();
        leaves.sort_by(|a, b| a.id.cmp(&b.id));
        let leaf = leaves[0];
        let canadian: Vec<_> = data
            .accounts
            .iter()
            .filter(|a| a.country.as_deref() == Some("CA") && a.size != Some(AccountSize::Enterprise))
            .collect();
        let expected =
            canadian.iter().filter(|a| a.territory_id.as_deref() != Some(leaf.id.as_str())).count();
        (leaf.id.clone(), leaves[1].id.clone(), leaf.name.clone(), canadian.len(), expected)
    };
    assert!(expected > 0, "the demo has Canadian accounts outside {leaf}");
    let today = as_of().to_string();
    browser::run("a_comp_admin_assigns_accounts_by_rule_and_evens_out_the_territories", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::CompAdmin).await?;
        go_by_menu(b, "/plan/territories").await?;
        b.wait_for("#rule-form").await?;
        let precedence = texts(b, "#rules td[data-label=Precedence]").await?;
        assert!(
            precedence.iter().all(|p| p == "1 · named account"),
            "the demo's strategic accounts: {precedence:?}"
        );

        // A rule: Canadian accounts go to the first leaf.
        let _: bool = eval(b, &set("#rule-basis", "country")).await?;
        let _: bool = eval(b, &set("#rule-territory", &leaf)).await?;
        b.fill("#rule-value", "CA").await?;
        b.fill("#rule-note", "Canada is one patch").await?;
        assert_eq!(b.value_of("#rule-from").await?, today, "a rule starts today unless told otherwise");
        b.click("#save-rule").await?;
        let saved = b.text_of("#rule-saved").await?;
        assert!(saved.starts_with(&format!("Rule saved: country = CA → {leaf_name}")), "{saved}");
        let conditions = texts(b, "#rules td[data-label=Condition]").await?;
        assert!(conditions.iter().any(|c| c == "country = CA"), "{conditions:?}");
        let decides = texts(b, "#rules tr:has(td.condition strong) td[data-label='Decides today']").await?;
        assert_eq!(
            decides,
            [decided.to_string()],
            "the rule decides the Canadian accounts no named rule keeps"
        );

        // The same accounts for another territory from a later day: refused, naming the field
        // and both rules, with what was typed kept.
        let _: bool = eval(b, &set("#rule-territory", &other)).await?;
        let _: bool = eval(b, &set("#rule-from", "2018-02-01")).await?;
        b.fill("#rule-value", "CA").await?;
        b.fill("#rule-note", "Clash").await?;
        b.click("#save-rule").await?;
        let error = b.text_of("#rule-error").await?;
        assert!(error.starts_with("value:") && error.contains("both claim account"), "{error}");
        assert_eq!(b.value_of("#rule-note").await?, "Clash", "what was typed is kept");
        assert_eq!(b.value_of("#rule-territory").await?, other);
        assert_eq!(b.value_of("#rule-from").await?, "2018-02-01");

        // Assign: the moves, from whom to whom; applied through the confirmation.
        b.click("nav.tabs a[href='/plan/territories/assign']").await?;
        b.wait_for("#assign-summary").await?;
        let to = texts(b, "#moves td[data-label=To]").await?;
        assert_eq!(to.len(), expected, "{to:?}");
        assert!(
            to.iter().all(|t| t.starts_with(&leaf_name) && t.ends_with(')')),
            "to the leaf and its owner: {to:?}"
        );
        let from = texts(b, "#moves td[data-label=From]").await?;
        assert!(from.iter().all(|f| !f.starts_with(&leaf_name) && f.ends_with(')')), "{from:?}");
        let rules = texts(b, "#moves td[data-label='By the rule']").await?;
        assert!(rules.iter().all(|r| r == "country = CA"), "{rules:?}");
        let moving = texts(b, "#moves td[data-label=Account]").await?;
        b.click("#apply-moves").await?;
        b.wait_for("#apply-form").await?;
        let summary = b.text_of("#apply-summary").await?;
        assert!(summary.contains(&format!(" to {leaf_name} (")), "from whom to whom: {summary}");
        assert_eq!(texts(b, "#moves td[data-label=Account]").await?.len(), expected);
        b.click("#apply-assignment").await?;
        let moved = format!("Moved {expected} account{} on {today}.", if expected == 1 { "" } else { "s" });
        b.wait_for_text("#assign-notice", &moved).await?;
        b.goto("/plan/territories/assign").await?;
        b.wait_for("#no-moves").await?;
        let apply: usize = eval(b, "return document.querySelectorAll('#apply-moves').length;").await?;
        assert_eq!(apply, 0, "nothing left to apply");
        b.goto(&format!("/territories/{leaf}")).await?;
        let there = texts(b, "td[data-label=Account]").await?;
        assert!(moving.iter().all(|m| there.contains(m)), "the leaf holds them today: {there:?}");
        b.goto("/plan/territories/assign").await?;

        // Balance: take the suggested moves as overrides, apply them, and the score drops.
        b.click("nav.tabs a[href='/plan/territories/balance']").await?;
        let before = score(b).await?;
        assert!(before > Decimal::ZERO, "{before}");
        let bars: usize =
            eval(b, "return document.querySelectorAll('#balance svg.index-bar').length;").await?;
        assert_eq!(bars, texts(b, "#balance td[data-label=Territory]").await?.len(), "a bar per territory");
        let suggested = texts(b, "#suggestions td[data-label=Account]").await?.len();
        assert!(suggested > 0, "moves that lower the imbalance");
        b.click("#take-moves").await?;
        b.wait_for("#take-form").await?;
        assert_eq!(texts(b, "#suggestions td[data-label=Account]").await?.len(), suggested);
        b.click("#take-balance").await?;
        b.wait_for("#assign-notice").await?;
        assert_eq!(b.current_path().await?, "/plan/territories/assign");
        let notice = b.text_of("#assign-notice").await?;
        assert!(notice.contains("written as override rules"), "{notice}");
        let rules = texts(b, "#moves td[data-label='By the rule']").await?;
        assert_eq!(rules.len(), suggested, "{rules:?}");
        assert!(rules.iter().all(|r| r.starts_with("override = ")), "{rules:?}");
        b.click("#apply-moves").await?;
        b.click("#apply-assignment").await?;
        let moved = format!("Moved {suggested} account{} on {today}.", if suggested == 1 { "" } else { "s" });
        b.wait_for_text("#assign-notice", &moved).await?;
        b.click("nav.tabs a[href='/plan/territories/balance']").await?;
        let after = score(b).await?;
        assert!(after < before, "the moves even the territories out: {after} ≥ {before}");

        // At phone width every tab still fits.
        b.set_phone_width().await?;
        for page in ["/plan/territories", "/plan/territories/assign", "/plan/territories/balance"] {
            b.goto(page).await?;
            b.wait_for("nav.tabs").await?;
            assert!(!overflows(b).await?, "nothing is cut off at phone width on {page}");
        }
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_comp_admin_edits_territories_and_a_manager_finds_no_territory_design() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    let (region, seat, seat_title, ruled) = {
        let snapshot = app.app.snapshot();
        let data = &snapshot.data;
        let region =
            data.territories.iter().find(|t| t.parent_id.as_deref() == Some("ter-all")).expect("a region");
        let seat = data.positions.iter().find(|p| p.validity.contains(as_of())).expect("a seat in force");
        let ruled = data.territory_rules.first().expect("the demo has rules").territory_id.clone();
        (region.id.clone(), seat.id.clone(), seat.title.clone(), ruled)
    };
    browser::run("a_comp_admin_edits_territories_and_a_manager_finds_no_territory_design", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::CompAdmin).await?;
        go_by_menu(b, "/territories").await?;
        b.click("a.button[href='/territories/new']").await?;
        b.fill("#territory-name", "Yukon").await?;
        let _: bool = eval(b, &set("#territory-parent", &region)).await?;
        b.fill("#territory-region", "North").await?;
        b.click("#add-territory").await?;
        b.wait_for_text("#territory-saved", "Territory added.").await?;
        assert_eq!(b.current_path().await?, "/territories/ter-yukon");
        let parents: Vec<String> = eval(
            b,
            "return Array.from(document.querySelectorAll('#territory-parent option'), o => o.value);",
        )
        .await?;
        assert!(!parents.iter().any(|p| p == "ter-yukon"), "never under itself: {parents:?}");
        b.fill("#territory-name", "Yukon and Nunavut").await?;
        b.click("#save-territory").await?;
        b.wait_for_text("#territory-saved", "Territory saved.").await?;
        assert_eq!(b.text_of("h1").await?, "Yukon and Nunavut");

        // Handed to a seat from today: it is the owner listed.
        let _: bool = eval(b, &set("#owner-seat", &seat)).await?;
        b.click("#hand-over").await?;
        b.wait_for_text("#territory-saved", "Territory handed to the new seat.").await?;
        let positions = texts(b, "td[data-label=Position]").await?;
        assert_eq!(positions, [seat_title.as_str()]);

        // A territory some rule gives accounts to lists it.
        b.goto(&format!("/territories/{ruled}")).await?;
        let rules = texts(b, "td[data-label=Rule]").await?;
        assert!(rules.iter().any(|r| r.starts_with("named account = ")), "{rules:?}");
        // Its forms fit a phone, long seat names and all.
        b.set_phone_width().await?;
        b.goto(&format!("/territories/{ruled}")).await?;
        b.wait_for("#owner-form").await?;
        assert!(!overflows(b).await?, "nothing is cut off at phone width");

        b.click("form[action='/logout'] button").await?;
        b.wait_for("#login").await?;
        sign_in(b, &app, Role::Manager).await?;
        for page in ["/plan/territories", "/plan/territories/assign", "/plan/territories/balance"] {
            b.goto(page).await?;
            assert_eq!(b.text_of("main h1").await?, "Not found", "{page}");
        }
        b.goto("/territories").await?;
        b.wait_for("#results").await?;
        let writes: usize =
            eval(b, "return document.querySelectorAll(\"a[href='/territories/new']\").length;").await?;
        assert_eq!(writes, 0, "a manager adds no territory");
        let design: usize =
            eval(b, "return document.querySelectorAll(\"a[href='/plan/territories']\").length;").await?;
        assert_eq!(design, 0, "nor sees Territory design in the menu");
        Ok(())
    })
    .await;
}
