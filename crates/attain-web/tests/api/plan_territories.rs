//! Territory design over HTTP on a real server: finance reads the rules, the preview and the
//! balance report (each answer matching its OpenAPI schema); a manager is told none of it
//! exists and their answers hold nothing of it; the comp admin adds a rule, and the apply
//! answers exactly the moves the preview listed; a second rule of the same precedence claiming
//! those accounts is a 422 naming `value`; the balance's suggested moves become override rules.

use attain_app::Role;
use attain_testkit::Db;
use serde_json::json;

use crate::client::Api;
use crate::on_both;
use crate::pay::conforms;
use crate::support::TestApp;

on_both!(territory_design_is_read_and_changed_by_who_may_over_http);

async fn territory_design_is_read_and_changed_by_who_may_over_http(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let finance = Api::as_role(&app, Role::Finance).await;
    let manager = Api::as_role(&app, Role::Manager).await;
    let ops = Api::as_role(&app, Role::CompAdmin).await;

    let rules = finance.get("/api/v1/plan/territories/rules").await.expect(200).json();
    let first = &rules.as_array().unwrap()[0];
    conforms("TerritoryRuleView", first, &[]);
    assert_eq!(first["precedence"], 1, "the demo's rules are its named accounts");
    for path in [
        "/api/v1/plan/territories/rules",
        "/api/v1/plan/territories/assignment",
        "/api/v1/plan/territories/balance",
    ] {
        let body = manager.get(path).await.expect_error(404, "not_found", None);
        assert!(!body.to_string().contains("ter-"), "{path}: a manager's answer names no territory: {body}");
    }

    // The comp admin adds a rule; the apply moves exactly what the preview listed.
    let rule = json!({"territory_id": "ter-all", "basis": "country", "value": "CA", "valid_from": "2018-02-01",
        "note": "One Canada desk"});
    let saved = ops.post("/api/v1/plan/territories/rules", rule.clone()).await.expect(201).json();
    assert_eq!(saved["id"], "tr-country-ca-2018-02-01");
    let preview = finance.get("/api/v1/plan/territories/assignment?on=2018-02-01").await.expect(200).json();
    conforms("TerritoryAssignment", &preview, &[]);
    let moves = preview["moves"].as_array().unwrap();
    assert!(
        !moves.is_empty()
            && moves.iter().all(|m| m["to_territory"] == "ter-all" && m["rule"] == "country = CA")
    );
    finance.post("/api/v1/plan/territories/assignment", json!({"on": "2018-02-01"})).await.expect(403);
    let applied =
        ops.post("/api/v1/plan/territories/assignment", json!({"on": "2018-02-01"})).await.expect(200).json();
    assert_eq!(applied["moves"], preview["moves"]);
    assert_eq!(applied["applied"], true);
    let again = finance.get("/api/v1/plan/territories/assignment?on=2018-02-01").await.expect(200).json();
    assert_eq!(again["moves"], json!([]));

    // The same precedence claiming those accounts for another territory: refused, named.
    let region =
        json!({"territory_id": "ter-matrix", "basis": "country", "value": "ca", "valid_from": "2018-03-01"});
    ops.post("/api/v1/plan/territories/rules", region).await.expect_error(
        422,
        "invalid",
        Some("territory_id"),
    );
    let clash =
        json!({"territory_id": "ter-all-x", "basis": "country", "value": "ca", "valid_from": "2018-03-01"});
    ops.post("/api/v1/plan/territories/rules", clash).await.expect(422);
    let other = ops
        .post("/api/v1/plan/territories", json!({"name": "Canada East", "parent_id": "ter-all"}))
        .await
        .expect(201)
        .json();
    let clash =
        json!({"territory_id": other["id"], "basis": "country", "value": " ca", "valid_from": "2018-03-01"});
    let body =
        ops.post("/api/v1/plan/territories/rules", clash).await.expect_error(422, "invalid", Some("value"));
    assert!(body["error"]["message"].as_str().unwrap().contains("tr-country-ca-2018-02-01"), "{body}");
    ops.post(
        "/api/v1/plan/territories/rules",
        json!({"territory_id": "ter-all", "basis": "city", "value": "x", "valid_from": "2018-03-01"}),
    )
    .await
    .expect_error(422, "invalid", Some("basis"));

    // The balance report, and its moves taken as overrides.
    let report = finance
        .get("/api/v1/plan/territories/balance?on=2018-02-01&measure=potential")
        .await
        .expect(200)
        .json();
    conforms("TerritoryBalance", &report, &["under"]);
    let suggested = report["suggestions"].as_array().unwrap().len();
    assert!(suggested > 0, "{report}");
    finance.get("/api/v1/plan/territories/balance?measure=beauty").await.expect_error(
        422,
        "invalid",
        Some("measure"),
    );
    let taken = ops
        .post("/api/v1/plan/territories/balance/moves", json!({"on": "2018-02-01", "measure": "potential"}))
        .await
        .expect(201)
        .json();
    assert_eq!(taken.as_array().unwrap().len(), suggested);
    assert!(taken.as_array().unwrap().iter().all(|r| r["basis"] == "override"));
}
