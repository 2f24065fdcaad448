//! The revenue plan in the browser: a comp admin finds it under Plan, changes the FY2018 draft
//! (a share that does not add up is refused, naming the month), and finance approves the
//! version from its confirmation page; a rep finds no trace of it.

use attain_app::Role;
use attain_testkit::Db;
use attain_testkit::browser;

use super::support::TestApp;
use super::{eval, go_by_menu, sign_in, texts};

#[tokio::test(flavor = "multi_thread")]
async fn a_comp_admin_prepares_the_plan_and_finance_approves_it() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    browser::run("a_comp_admin_prepares_the_plan_and_finance_approves_it", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::CompAdmin).await?;
        go_by_menu(b, "/plan/revenue").await?;
        let years = texts(b, "#plan-years tbody td[data-label='Fiscal year']").await?;
        assert_eq!(years, ["FY2018", "FY2017", "FY2016"]);
        b.click("#plan-years a[href='/plan/revenue/2018']").await?;
        b.wait_for("#plan-vs-actual").await?;
        assert!(b.text_of("h1").await?.contains("version 1"), "the plan in force is shown first");
        assert_eq!(texts(b, "#plan-vs-actual tbody tr").await?.len(), 12);
        let approve_links: usize =
            eval(b, "return document.querySelectorAll('#approve-plan').length;").await?;
        assert_eq!(approve_links, 0, "a comp admin does not approve");

        b.click("#edit-plan").await?;
        b.wait_for("#plan-form").await?;
        assert!(b.text_of("h1").await?.contains("Draft version 2"), "the open draft is edited");
        // A month's share that leaves the year at 99% is refused, naming the month.
        b.click("#season-entered").await?;
        b.fill("#share-month_12", "12").await?;
        b.click("#plan-form button[type=submit]").await?;
        let error = b.text_of("#plan-error").await?;
        assert!(error.contains("month 12") && error.contains("99"), "{error}");
        // Corrected, with new objectives: saved as the same draft.
        b.fill("#share-month_12", "13").await?;
        b.fill("#plan-revenue", "25000000").await?;
        b.fill("#plan-note", "Reforecast after the Q4 close").await?;
        b.click("#plan-form button[type=submit]").await?;
        b.wait_for("#plan-versions").await?;
        assert_eq!(b.current_path().await?, "/plan/revenue/2018");
        let heading = b.text_of("h1").await?;
        assert!(heading.contains("version 2") && heading.contains("Draft"), "{heading}");
        let versions = texts(b, "#plan-versions tbody td[data-label=Why]").await?;
        assert_eq!(versions[0], "Reforecast after the Q4 close");

        b.click("form[action='/logout'] button").await?;
        b.wait_for("#login").await?;
        sign_in(b, &app, Role::Finance).await?;
        b.goto("/plan/revenue/2018?version=2").await?;
        b.click("#approve-plan").await?;
        b.wait_for("#approve-summary").await?;
        let summary = b.text_of("#approve-summary").await?;
        assert!(summary.contains("25,000,000.00 USD") && summary.contains("Reforecast"), "{summary}");
        b.click("#approve-form button[type=submit]").await?;
        b.wait_for("#plan-versions").await?;
        let heading = b.text_of("h1").await?;
        assert!(heading.contains("version 2") && heading.contains("in force"), "{heading}");
        let statuses = texts(b, "#plan-versions tbody td[data-label=Status]").await?;
        assert_eq!(statuses, ["Approved — in force", "Approved — replaced"]);

        // A rep has no way in: no menu entry, and the address answers not found.
        b.click("form[action='/logout'] button").await?;
        b.wait_for("#login").await?;
        sign_in(b, &app, Role::Rep).await?;
        b.goto("/plan/revenue/2018").await?;
        let text = b.page_text().await?;
        assert!(!text.contains("25,000,000") && text.to_lowercase().contains("not found"), "{text}");
        Ok(())
    })
    .await;
}
