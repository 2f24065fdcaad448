//! Capacity over HTTP on a real server: the whole-company roles get the year's headcount plan
//! (matching its OpenAPI schema, the quarters carrying the whole plan); a manager's answer is
//! a 404 carrying nothing of it; a bad choice is a 422 naming it.

use attain_app::Role;
use attain_testkit::Db;
use rust_decimal::Decimal;

use crate::client::Api;
use crate::on_both;
use crate::pay::conforms;
use crate::support::TestApp;

on_both!(capacity_is_planned_for_the_whole_company_roles_only);

async fn capacity_is_planned_for_the_whole_company_roles_only(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let exec = Api::as_role(&app, Role::Executive).await;
    let manager = Api::as_role(&app, Role::Manager).await;

    let plan = exec.get("/api/v1/plan/capacity/2018").await.expect(200).json();
    conforms("CapacityPlan", &plan, &[]);
    let quarters = plan["quarters"].as_array().unwrap();
    assert_eq!(quarters.len(), 4);
    let total: Decimal =
        quarters.iter().map(|q| q["plan"].as_str().unwrap().parse::<Decimal>().unwrap()).sum();
    let year = exec.get("/api/v1/plan/revenue/2018").await.expect(200).json();
    let revenue: Decimal = year["total_plan"]["revenue"].as_str().unwrap().parse().unwrap();
    assert_eq!(total, revenue, "the quarters carry the year's plan");
    assert_eq!(plan["productivity"], plan["suggested_productivity"], "empty productivity is last year's");

    let slower = exec
        .get("/api/v1/plan/capacity/2018?productivity=50000&ramp=0,25,50,75&attrition=40")
        .await
        .expect(200)
        .json();
    assert!(slower["hires"].as_u64().unwrap() >= plan["hires"].as_u64().unwrap());
    assert_eq!(slower["productivity"], "50000.00");

    let reply = manager.get("/api/v1/plan/capacity/2018").await;
    assert!(
        !reply.text.contains(plan["plan"].as_str().unwrap()),
        "nothing of the plan in a manager's answer"
    );
    reply.expect_error(404, "not_found", None);
    exec.get("/api/v1/plan/capacity/2018?attrition=100").await.expect_error(
        422,
        "invalid",
        Some("attrition"),
    );
    exec.get("/api/v1/plan/capacity/2018?lead_quarters=9").await.expect_error(
        422,
        "invalid",
        Some("lead_quarters"),
    );
}
