//! Pay in the browser, against the demo's pay (2016-01 to 2017-12 closed, 2018-01 a draft): a
//! rep opens their statement and the explanation of a line (also on a phone), and a comp
//! admin runs the open month, sees the outcome, closes it, is told why it cannot run again,
//! and reopens it.

use attain_app::{Actor, Role};
use attain_testkit::Db;
use attain_testkit::browser;

use super::support::TestApp;
use super::{eval, sign_in, texts};

#[tokio::test(flavor = "multi_thread")]
async fn a_rep_opens_their_statement_and_the_explanation_of_a_line() {
    let Some(app) = TestApp::spawn_with_pay(Db::Sqlite).await else { return };
    let rep = app.person_of(Role::Rep);
    let rep_name = app.login(Role::Rep).person.clone().expect("the rep is a person");
    browser::run("a_rep_opens_their_statement_and_the_explanation_of_a_line", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::Rep).await?;
        // Pay goes straight to the rep's own statement of the newest month.
        super::go_by_menu(b, "/pay/statements").await?;
        b.wait_for("#payee").await?;
        assert_eq!(b.current_path().await?, format!("/pay/statements/2018-01/{rep}"));
        assert_eq!(b.text_of("#payee").await?, rep_name);
        assert_eq!(b.text_of("#run-status").await?, "Draft — not final");
        let tabs = texts(b, "nav.tabs a").await?;
        assert_eq!(tabs, ["Statements", "Plans"], "a rep sees no runs");

        // A closed month, chosen with the month field (a rep's list is their own statement).
        b.goto("/pay/statements?period=2017-06").await?;
        b.wait_for("#lines").await?;
        assert_eq!(b.current_path().await?, format!("/pay/statements/2017-06/{rep}"));
        assert_eq!(b.text_of("#run-status").await?, "Closed (final)");
        let labels = texts(b, "#lines td[data-label=Line]").await?;
        assert!(labels.iter().any(|l| l == "Bookings commission"), "{labels:?}");
        let amounts = texts(b, "#lines td[data-label=Amount]").await?;
        assert!(amounts.iter().all(|a| a.ends_with(" USD")), "amounts with their currency: {amounts:?}");

        b.click("#lines a.explain[href*='component=commission']").await?;
        b.wait_for("#trace-summary").await?;
        assert_eq!(b.current_path().await?, format!("/pay/statements/2017-06/{rep}/explain"));
        assert_eq!(b.text_of("h1").await?, "Bookings commission");
        let summary = b.text_of("#trace-summary").await?;
        assert!(
            summary.starts_with("Measure ")
                && summary.contains(" against quota ")
                && summary.contains("% attainment"),
            "{summary}"
        );
        let transactions = texts(b, "#credits td[data-label=Transaction]").await?;
        assert!(!transactions.is_empty(), "the credited transactions are listed");
        assert!(transactions.iter().all(|t| t.starts_with("t-")), "{transactions:?}");
        assert!(!texts(b, "#quota-parts tbody tr").await?.is_empty(), "the quota's parts");

        // The same pages on a phone: no sideways scrolling, lines as labelled cards.
        b.set_phone_width().await?;
        b.goto(&format!("/pay/statements/2017-06/{rep}")).await?;
        b.wait_for("#lines tbody tr").await?;
        let (scroll, inner): (u64, u64) =
            eval(b, "return [document.documentElement.scrollWidth, window.innerWidth];").await?;
        assert!(scroll <= inner, "the statement scrolls sideways: {scroll}px in a {inner}px window");
        let label: String = eval(
            b,
            "return getComputedStyle(document.querySelector('#lines tbody td'), '::before').content;",
        )
        .await?;
        assert_eq!(label, "\"Kind\"", "each cell is labelled with its column");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_comp_admin_runs_the_open_month_and_closes_it() {
    let Some(app) = TestApp::spawn_with_pay(Db::Sqlite).await else { return };
    let runs = app.app.runs(&Actor::system()).await.expect("the demo's runs");
    let payees = runs.iter().find(|r| r.period.to_string() == "2018-01").expect("the open month").payees;
    browser::run("a_comp_admin_runs_the_open_month_and_closes_it", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::CompAdmin).await?;
        super::go_by_menu(b, "/pay/statements").await?;
        assert_eq!(b.text_of("#run-status").await?, "Draft — not final");
        assert_eq!(texts(b, "#statements tbody tr").await?.len() as i64, payees, "every payee");
        let downloads = texts(b, "#downloads a").await?;
        assert_eq!(downloads, ["Statement CSV", "Workbook (XLSX)", "Payroll CSV"]);

        b.click("nav.tabs a[href='/pay/runs']").await?;
        assert_eq!(b.value_of("#run-period").await?, "2018-01", "the open month is offered");
        b.click("#run-form button[type=submit]").await?;
        assert_eq!(b.text_of("#run-outcome h2").await?, "Ran January 2018 as version 2 (Draft — not final)");
        let facts = texts(b, "#run-outcome dd").await?;
        assert_eq!(facts[0], "2", "version: {facts:?}");
        assert_eq!(facts[1], payees.to_string(), "payees: {facts:?}");
        assert_eq!(facts[3], format!("0 of {payees} (against version 1)"), "changed payees: {facts:?}");

        // A manual adjustment, with its reason; the next run of the month pays it.
        assert_eq!(b.value_of("#adj-period").await?, "2018-01");
        let rep = app.person_of(Role::Rep);
        let _: Option<String> =
            eval(b, &format!("document.getElementById('adj-person').value = '{rep}'; return null;")).await?;
        b.fill("#adj-amount", "250.00").await?;
        b.fill("#adj-reason", "Relocation bonus").await?;
        b.click("#adjustment-form button[type=submit]").await?;
        let notice = b.text_of("#run-notice").await?;
        assert!(notice.starts_with("Added an adjustment of 250.00 for "), "{notice}");
        b.fill("#adj-amount", "12.345").await?;
        b.fill("#adj-reason", "Too precise").await?;
        b.click("#adjustment-form button[type=submit]").await?;
        let refused = b.text_of("#run-error").await?;
        assert!(refused.contains("12.345"), "the bad amount is named: {refused}");
        b.click("#run-form button[type=submit]").await?;
        assert_eq!(b.text_of("#run-outcome h2").await?, "Ran January 2018 as version 3 (Draft — not final)");
        let facts = texts(b, "#run-outcome dd").await?;
        assert_eq!(
            facts[3],
            format!("1 of {payees} (against version 2)"),
            "the adjusted payee changed: {facts:?}"
        );

        // Closing asks first: a page naming the month and its total; January has not ended
        // (the demo's today is 2018-01-15), so it needs the override and a reason.
        b.click("a.close-link[href='/pay/periods/2018-01/close']").await?;
        assert_eq!(b.text_of("h1").await?, "Close January 2018?");
        let summary = texts(b, "#close-summary dd").await?;
        assert!(summary.iter().any(|f| f.ends_with(" USD")), "the total: {summary:?}");
        assert!(b.text_of("#close-early").await?.contains("has not ended"));
        let button = b.text_of("#close-form button[type=submit]").await?;
        assert!(button.starts_with("Close January 2018 — total "), "{button}");
        b.click("#close-before-end").await?;
        b.fill("#close-reason", "payroll cut-off").await?;
        b.click("#close-form button[type=submit]").await?;
        let notice = b.text_of("#run-notice").await?;
        assert!(notice.starts_with("Closed January 2018 (version 3, total "), "{notice}");
        let newest = "#runs tbody tr[data-period='2018-01'][data-version='3'] td[data-label=Status]";
        assert_eq!(b.text_of(newest).await?, "Closed (final)");
        let drafts: u64 = eval(b, "return document.querySelectorAll('a.close-link').length;").await?;
        assert_eq!(drafts, 0, "no draft is left to close");

        // Running a closed month is refused on the page, with the reason.
        assert_eq!(b.value_of("#run-period").await?, "2018-02", "the next month is offered");
        let _: Option<String> =
            eval(b, "document.getElementById('run-period').value = '2018-01'; return null;").await?;
        b.click("#run-form button[type=submit]").await?;
        assert_eq!(b.text_of("#run-error").await?, "2018-01 is closed; reopen it to run it again");

        // The last closed month reopens, with a reason.
        b.fill("#reason-2018-01", "a late deal").await?;
        b.click("form[action='/pay/periods/2018-01/reopen'] button").await?;
        assert_eq!(
            b.text_of("#run-notice").await?,
            "Reopened January 2018: run it again to make a new draft."
        );
        let reopened =
            texts(b, "#runs tbody tr[data-period='2018-01'][data-version='3'] td[data-label=Reopened]")
                .await?;
        assert!(reopened[0].contains("compadmin") && reopened[0].contains("a late deal"), "{reopened:?}");

        // Plans: assign the overlay plan to the rep's seat from February on.
        b.click("nav.tabs a[href='/pay/plans']").await?;
        let seat = attain_core::domain::position_of(
            &app.app.snapshot().data.assignments,
            &rep,
            super::support::as_of(),
        )
        .expect("the rep's seat")
        .to_string();
        let script = format!(
            "document.getElementById('assign-position').value = '{seat}'; \
             document.getElementById('assign-plan').value = 'se'; \
             document.getElementById('assign-from').value = '2018-02-01'; return null;"
        );
        let _: Option<String> = eval(b, &script).await?;
        b.click("#assign-form button[type=submit]").await?;
        assert_eq!(
            b.text_of("#plans-notice").await?,
            format!("{seat} holds plan `se` from 2018-02-01 (its earlier plan ends that day).")
        );
        Ok(())
    })
    .await;
}
