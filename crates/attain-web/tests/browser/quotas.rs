//! Quotas in the browser: a comp admin previews and writes the FY2018 allocation; the manager
//! finds their team's sheet under Plan → Quotas, moves quota past the envelope, is told to
//! give a reason, submits with one; the executive (the next level up) approves it from its
//! confirmation page, and it is in force. At phone width the manager's sheet still works.

use attain_app::Role;
use attain_testkit::Db;
use attain_testkit::browser;

use super::support::TestApp;
use super::{eval, go_by_menu, sign_in, texts};

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_adjusts_and_submits_quotas_and_the_executive_approves_them() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    browser::run("a_manager_adjusts_and_submits_quotas_and_the_executive_approves_them", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::CompAdmin).await?;
        b.goto("/plan/quotas?year=2018").await?;
        b.click("#allocate-quotas").await?;
        b.wait_for("#allocate-form").await?;
        b.click("#method-mix").await?;
        b.fill("#alloc-note", "Annual allocation").await?;
        b.click("#preview-allocation").await?;
        b.wait_for("#allocation-preview").await?;
        let preview = b.text_of("#allocation-preview h2").await?;
        assert!(preview.starts_with("FY2018 revenue from plan rp-2018-v1"), "{preview}");
        let seats: usize =
            eval(b, "return document.querySelectorAll('#allocation-preview tbody tr').length;").await?;
        assert!(seats > 10, "the VP, three managers and their reps: {seats}");
        b.click("#apply-allocation").await?;
        b.wait_for("#quota-sheets").await?;
        let statuses = texts(b, "#quota-sheets td[data-label=Status]").await?;
        assert_eq!(statuses.len(), 4);
        assert!(statuses.iter().all(|s| s == "Draft"), "{statuses:?}");

        b.click("form[action='/logout'] button").await?;
        b.wait_for("#login").await?;
        sign_in(b, &app, Role::Manager).await?;
        go_by_menu(b, "/plan/quotas").await?;
        b.goto("/plan/quotas?year=2018").await?;
        let mine = texts(b, "#quota-sheets td[data-label=Seat]").await?;
        assert_eq!(mine.len(), 1, "the manager sees their own team's sheet only: {mine:?}");
        b.click("#quota-sheets td[data-label=Seat] a").await?;
        b.wait_for("#sheet-form").await?;
        // Raise the first rep's year by 5,000: saved as the draft, but now past the target.
        let first: String = eval(b, "return document.querySelector('#sheet-lines input.amount').id;").await?;
        let value: String =
            eval(b, "return document.querySelector('#sheet-lines input.amount').value;").await?;
        let raised = value.parse::<rust_decimal::Decimal>()? + rust_decimal::Decimal::from(5000);
        let field = format!("[id='{first}']");
        b.fill(&field, &raised.to_string()).await?;
        b.click("#save-sheet").await?;
        b.wait_for("#off-target").await?;
        assert!(b.text_of("#off-target").await?.contains("5,000.00 above the target"));
        // Submitting without a reason is refused, naming it; with one it goes up.
        b.click("#submit-sheet").await?;
        let error = b.text_of("#sheet-error").await?;
        assert!(error.starts_with("reason:"), "{error}");
        b.fill("#submit-reason", "A new strategic account in the patch").await?;
        b.click("#submit-sheet").await?;
        b.wait_for_text("#sheet-status", "Submitted — awaiting approval").await?;
        let sheet = b.current_path().await?;
        let forms: usize =
            eval(b, "return document.querySelectorAll('#save-sheet, #submit-sheet, #approve-sheet').length;")
                .await?;
        assert_eq!(forms, 0, "submitted: the manager can neither change nor approve it");

        b.click("form[action='/logout'] button").await?;
        b.wait_for("#login").await?;
        sign_in(b, &app, Role::Executive).await?;
        b.goto(&sheet).await?;
        b.click("#approve-sheet").await?;
        b.wait_for("#approve-summary").await?;
        let summary = b.text_of("#approve-summary").await?;
        assert!(summary.contains("A new strategic account"), "{summary}");
        b.click("#approve-form button[type=submit]").await?;
        b.wait_for_text("#sheet-status", "Approved — in force").await?;

        // The manager, at phone width, sees it in force and can start a revision.
        b.click("form[action='/logout'] button").await?;
        b.wait_for("#login").await?;
        b.set_phone_width().await?;
        sign_in(b, &app, Role::Manager).await?;
        b.goto(&sheet).await?;
        assert_eq!(b.text_of("#sheet-status").await?, "Approved — in force");
        let overflow: bool =
            eval(b, "return document.documentElement.scrollWidth > window.innerWidth + 1;").await?;
        assert!(!overflow, "nothing is cut off at phone width");
        assert!(b.text_of("#save-sheet").await?.contains("Start a new version"));
        Ok(())
    })
    .await;
}
