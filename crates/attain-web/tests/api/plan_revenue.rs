//! The revenue plan over HTTP on a real server: whole-company roles read it and managers and
//! reps get 404 (their bodies hold no company totals); a comp admin saves the draft with its
//! ETag, finance approves the version it read; answers match their OpenAPI schemas.

use attain_app::Role;
use attain_testkit::Db;
use reqwest::Method;
use serde_json::{Value, json};

use crate::client::Api;
use crate::on_both;
use crate::pay::conforms;
use crate::support::TestApp;

fn draft(note: &str) -> Value {
    json!({
        "revenue": "24000000", "margin": "9000000.50", "bookings": "26000000", "new_logos": 30.0,
        "season": "entered", "shares": ["6", "7", "10", "7", "7", "10", "6", "7", "10", "8", "9", "13"],
        "note": note,
    })
}

on_both!(the_revenue_plan_is_prepared_and_approved_over_http);

async fn the_revenue_plan_is_prepared_and_approved_over_http(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let ops = Api::as_role(&app, Role::CompAdmin).await;
    let finance = Api::as_role(&app, Role::Finance).await;

    // Managers and reps: not found, and the answer holds nothing of the plan.
    for role in [Role::Manager, Role::Rep] {
        let api = Api::as_role(&app, role).await;
        for path in
            ["/api/v1/plan/revenue", "/api/v1/plan/revenue/2017", "/api/v1/plan/revenue/2018/learned-shares"]
        {
            let reply = api.get(path).await;
            let body = reply.expect_error(404, "not_found", None);
            assert!(!body.to_string().contains("revenue\":"), "{role} {path}: {body}");
        }
        assert!(api.get("/api/v1/revenue_plans").await.expect(200).data().is_empty(), "{role}");
    }

    let years = finance.get("/api/v1/plan/revenue").await.expect(200).json();
    let years = years.as_array().expect("a list");
    assert_eq!(
        years.iter().map(|y| y["fiscal_year"].as_i64().unwrap()).collect::<Vec<_>>(),
        [2018, 2017, 2016]
    );
    conforms("RevenueYear", &years[0], &[]);
    assert_eq!((years[0]["in_force"].as_i64(), years[0]["draft"].as_i64()), (Some(1), Some(2)));

    let view = finance.get("/api/v1/plan/revenue/2017").await;
    view.expect(200);
    let body = view.json();
    conforms("PlanVsActual", &body, &[]);
    assert_eq!(body["months"].as_array().unwrap().len(), 12);
    assert_eq!(body["total_plan"]["revenue"], body["plan"]["revenue"], "the months add up to the objective");
    assert!(view.header("etag").is_some());

    // Bad input names the field; a malformed year is the path's fault.
    finance.get("/api/v1/plan/revenue/20x8").await.expect_error(400, "invalid", Some("fiscal_year"));
    finance.get("/api/v1/plan/revenue/2017?version=0").await.expect_error(400, "invalid", Some("version"));
    finance.get("/api/v1/plan/revenue/2017?version=9").await.expect_error(404, "not_found", None);

    // Changing the open draft needs its ETag; a share off by one names its month.
    ops.put("/api/v1/plan/revenue/2018/draft", &draft("no tag"), None).await.expect_error(
        428,
        "precondition_required",
        Some("If-Match"),
    );
    let tag = ops.get("/api/v1/plan/revenue/2018?version=2").await.header("etag").expect("an etag");
    let mut bad = draft("bad month");
    bad["shares"][11] = json!("12");
    ops.put("/api/v1/plan/revenue/2018/draft", &bad, Some(&tag)).await.expect_error(
        422,
        "invalid",
        Some("month_12"),
    );
    finance.put("/api/v1/plan/revenue/2018/draft", &draft("not mine"), Some(&tag)).await.expect_error(
        403,
        "forbidden",
        None,
    );
    let mut thirteen = draft("thirteen months");
    thirteen["shares"].as_array_mut().unwrap().push(json!("0"));
    let reply = ops.put("/api/v1/plan/revenue/2018/draft", &thirteen, Some(&tag)).await;
    reply.expect_error(400, "invalid", Some("shares"));
    let mut words = draft("words");
    words["season"] = json!("even");
    words["shares"] = json!(["eight"]);
    ops.put("/api/v1/plan/revenue/2018/draft", &words, Some(&tag)).await.expect_error(
        400,
        "invalid",
        Some("shares"),
    );
    let mut half = draft("half a logo");
    half["new_logos"] = json!(30.5);
    ops.put("/api/v1/plan/revenue/2018/draft", &half, Some(&tag)).await.expect_error(
        422,
        "invalid",
        Some("new_logos"),
    );
    let saved = ops.put("/api/v1/plan/revenue/2018/draft", &draft("Reforecast"), Some(&tag)).await;
    saved.expect(200);
    assert_eq!(saved.json()["version"], 2);
    assert_eq!(saved.json()["margin"], "9000000.50");
    assert_eq!(saved.json()["new_logos"], 30, "30.0 in JSON is the whole number 30");
    let new_tag = saved.header("etag").expect("an etag");

    // Approval: not by comp admins, not of what the approver did not see, then done.
    let approve = "/api/v1/plan/revenue/2018/versions/2/approve";
    ops.send(Method::POST, approve, None, &[]).await.expect_error(403, "forbidden", None);
    finance
        .send(Method::POST, approve, None, &[("If-Match", &tag)])
        .await
        .expect_error(409, "conflict", None);
    let approved = finance.send(Method::POST, approve, None, &[("If-Match", &new_tag)]).await;
    approved.expect(200);
    assert_eq!(approved.json()["status"], "approved");
    assert!(approved.json()["approved_by"].as_str().is_some_and(|a| !a.is_empty()));
    finance.send(Method::POST, approve, None, &[]).await.expect_error(409, "conflict", None);
    let years = finance.get("/api/v1/plan/revenue").await.json();
    assert_eq!((years[0]["in_force"].as_i64(), years[0]["draft"].as_i64()), (Some(2), None));

    // The generic record PUT cannot change a plan behind the workflow's back.
    let reply = ops.put("/api/v1/revenue_plans/rp-2018-v2", &json!({"note": "sneaky"}), Some(&new_tag)).await;
    assert_eq!(reply.status, 405, "{}", reply.text);

    let learned = finance.get("/api/v1/plan/revenue/2018/learned-shares").await.expect(200).json();
    let shares: Vec<rust_decimal::Decimal> =
        learned["shares"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().parse().unwrap()).collect();
    assert_eq!(shares.iter().sum::<rust_decimal::Decimal>(), rust_decimal::Decimal::from(100));
}
