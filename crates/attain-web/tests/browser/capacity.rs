//! Capacity in the browser: the executive opens Plan → Capacity, tries lower attrition and
//! sees the plan's quarters with fewer or as many hires; a ramp step over 100 is named.

use attain_app::Role;
use attain_testkit::Db;
use attain_testkit::browser;

use super::support::TestApp;
use super::{go_by_menu, sign_in, texts};

#[tokio::test(flavor = "multi_thread")]
async fn an_executive_plans_capacity_under_other_assumptions() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    browser::run("an_executive_plans_capacity_under_other_assumptions", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::Executive).await?;
        go_by_menu(b, "/plan/capacity").await?;
        b.wait_for("#capacity").await?;
        let quarters = texts(b, "#capacity tbody th").await?;
        assert_eq!(quarters, ["2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4"]);
        let hires = |cells: Vec<String>| cells.iter().map(|h| h.parse::<u32>().unwrap_or(0)).sum::<u32>();
        let before = hires(texts(b, "#capacity td[data-label='Hires starting']").await?);
        b.fill("#capacity-attrition", "10").await?;
        b.click("#plan-capacity").await?;
        b.wait_for("#capacity-summary").await?;
        assert!(b.text_of("#capacity-summary").await?.contains("10%"));
        let after = hires(texts(b, "#capacity td[data-label='Hires starting']").await?);
        assert!(after <= before, "less attrition never needs more hires: {after} > {before}");
        b.fill("#capacity-ramp", "50,120").await?;
        b.click("#plan-capacity").await?;
        let error = b.text_of("#capacity-error").await?;
        assert!(error.starts_with("ramp:"), "{error}");
        Ok(())
    })
    .await;
}
