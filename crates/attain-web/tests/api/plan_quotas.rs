//! Quota allocation and sheets over HTTP on a real server: a comp admin previews and applies
//! the allocation; a manager's answers hold their own team's sheet and nobody else's; the
//! manager adjusts with the sheet's ETag and submits; the executive (the next level up)
//! approves; a rep sees no sheet. Answers match their OpenAPI schemas.

use attain_app::Role;
use attain_testkit::Db;
use reqwest::Method;
use serde_json::json;

use crate::client::Api;
use crate::on_both;
use crate::pay::conforms;
use crate::support::TestApp;

on_both!(quotas_are_allocated_adjusted_and_approved_over_http);

async fn quotas_are_allocated_adjusted_and_approved_over_http(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let ops = Api::as_role(&app, Role::CompAdmin).await;
    let manager = Api::as_role(&app, Role::Manager).await;
    let exec = Api::as_role(&app, Role::Executive).await;
    let rep = Api::as_role(&app, Role::Rep).await;

    let request = json!({"fiscal_year": "FY2018", "method": "mix", "mix": ["50", "30", "20"],
        "over_assignment": ["100", "110"], "ramp": "25,50,75", "note": "Annual allocation", "preview": true});
    let preview = ops.post("/api/v1/plan/quotas/allocate", request.clone()).await.expect(200).json();
    conforms("QuotaAllocation", &preview, &[]);
    assert_eq!(preview["written"], false);
    assert!(ops.get("/api/v1/plan/quotas/2018").await.expect(200).json().as_array().unwrap().is_empty());
    let mut bad = request.clone();
    bad["over_assignment"] = json!(["100", "400"]);
    ops.post("/api/v1/plan/quotas/allocate", bad).await.expect_error(422, "invalid", Some("over_assignment"));
    manager.post("/api/v1/plan/quotas/allocate", request.clone()).await.expect_error(403, "forbidden", None);
    let mut apply = request;
    apply["preview"] = json!(false);
    let applied = ops.post("/api/v1/plan/quotas/allocate", apply).await.expect(200).json();
    assert_eq!(applied["written"], true);
    assert_eq!(applied["sheets"], preview["sheets"], "apply writes what the preview showed");

    // The manager's answers hold their own team's sheet only.
    let mine = manager.get("/api/v1/plan/quotas/2018").await.expect(200).json();
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 1, "{mine:?}");
    conforms("QuotaSheetSummary", &mine[0], &[]);
    let id = mine[0]["sheet"]["id"].as_str().unwrap().to_string();
    assert!(
        !serde_json::to_string(mine).unwrap().contains("pos-vp"),
        "no company sheet in a manager's answer"
    );
    assert!(rep.get("/api/v1/plan/quotas/2018").await.expect(200).json().as_array().unwrap().is_empty());
    let path = format!("/api/v1/plan/quotas/sheets/{id}");
    rep.get(&path).await.expect_error(404, "not_found", None);
    manager.get("/api/v1/plan/quotas/sheets/qs-2018-revenue-pos-vp-v1").await.expect_error(
        404,
        "not_found",
        None,
    );

    let reply = manager.get(&path).await;
    reply.expect(200);
    let view = reply.json();
    conforms("QuotaSheetView", &view, &[]);
    assert_eq!(view["total"], view["target"]);
    assert_eq!(view["may_edit"], true);
    let tag = reply.header("etag").expect("an etag");
    let first = view["reports"][0]["position_id"].as_str().unwrap().to_string();
    let annual: rust_decimal::Decimal = view["reports"][0]["annual"].as_str().unwrap().parse().unwrap();

    // Bad amounts name their seat; without the ETag the change is refused.
    let body = json!({"annual": {first.clone(): "lots"}});
    manager.put(&path, &body, Some(&tag)).await.expect_error(
        422,
        "invalid",
        Some(&format!("annual.{first}")),
    );
    let raised = json!({"annual": {first.clone(): (annual + rust_decimal::Decimal::from(2500)).to_string()}});
    manager.put(&path, &raised, None).await.expect_error(428, "precondition_required", Some("If-Match"));
    let saved = manager.put(&path, &raised, Some(&tag)).await;
    saved.expect(200);
    assert_ne!(saved.json()["total"], saved.json()["target"]);

    // Past the envelope: a reason is needed; then the executive approves.
    let submit = format!("{path}/submit");
    manager.post(&submit, json!({})).await.expect_error(422, "invalid", Some("reason"));
    let submitted = manager.post(&submit, json!({"reason": "A strategic account"})).await;
    submitted.expect(200);
    assert_eq!(submitted.json()["sheet"]["status"], "submitted");
    let approve = format!("{path}/approve");
    manager.send(Method::POST, &approve, None, &[]).await.expect_error(409, "conflict", None);
    ops.send(Method::POST, &approve, None, &[]).await.expect_error(403, "forbidden", None);
    let approved = exec.send(Method::POST, &approve, None, &[]).await;
    approved.expect(200);
    assert_eq!(approved.json()["sheet"]["status"], "approved");
    assert_eq!(approved.json()["in_force"], true);

    // The generic record PUT cannot change a sheet behind the workflow's back.
    let reply = ops.put(&format!("/api/v1/quota_sheets/{id}"), &json!({"note": "sneaky"}), Some("*")).await;
    assert_eq!(reply.status, 405, "{}", reply.text);
}
