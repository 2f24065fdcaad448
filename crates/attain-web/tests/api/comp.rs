//! The compensation inputs through the API and the pages: every kind listed for the roles that
//! see the whole company; a rep only their own seat's quotas and their own splits, adjustments
//! and scores; a manager their team's; the Compensation pages render and answer 404 outside
//! scope. Expectations are computed from the raw dataset, not through the app's scope code.

use std::collections::BTreeSet;

use attain_app::Role;
use attain_core::{Dataset, Kind, Validity};
use attain_testkit::Db;

use crate::client::Api;
use crate::on_both;
use crate::scope::{all, ids};
use crate::support::TestApp;

const COMP: [Kind; 5] =
    [Kind::Quotas, Kind::PlanAssignments, Kind::CreditSplits, Kind::Adjustments, Kind::ObjectiveScores];

/// The quotas of the seats `person` held, for periods overlapping their time in the seat.
fn quotas_of_seats(data: &Dataset, person: &str) -> BTreeSet<String> {
    let calendar = data.company[0].calendar;
    let seats: Vec<(&str, Validity)> = data
        .assignments
        .iter()
        .filter(|a| a.person_id == person)
        .map(|a| (a.position_id.as_str(), a.validity))
        .collect();
    data.quotas
        .iter()
        .filter(|q| {
            let days = calendar.bounds(q.period);
            seats.iter().any(|(seat, held)| *seat == q.position_id && held.overlaps(&days))
        })
        .map(|q| q.id.clone())
        .collect()
}

on_both!(comp_inputs_follow_the_same_scope_as_everything_else);

async fn comp_inputs_follow_the_same_scope_as_everything_else(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let snapshot = app.app.snapshot();
    let data = &snapshot.data;
    for kind in COMP {
        assert!(data.len(kind) > 0, "the demo has {kind}");
    }
    for role in [Role::Admin, Role::CompAdmin, Role::Finance, Role::Executive] {
        let api = Api::as_role(&app, role).await;
        for kind in COMP {
            let reply = api.get(&format!("/api/v1/{}?per_page=1", kind.name())).await;
            assert_eq!(reply.total(), data.len(kind) as u64, "{role} sees every row of {kind}");
        }
    }

    let rep_id = app.person_of(Role::Rep);
    let rep = Api::as_role(&app, Role::Rep).await;
    let quotas = ids(&all(&rep, "/api/v1/quotas").await);
    let expected = quotas_of_seats(data, &rep_id);
    assert!(!expected.is_empty(), "the demo rep has quotas");
    assert_eq!(quotas, expected, "a rep sees exactly the quotas of their own seat");
    for kind in [Kind::CreditSplits, Kind::Adjustments, Kind::ObjectiveScores] {
        let rows = all(&rep, &format!("/api/v1/{}", kind.name())).await;
        assert!(rows.iter().all(|r| r["person_id"] == rep_id.as_str()), "{kind}: only the rep's own rows");
    }
    let own_splits = data.credit_splits.iter().filter(|s| s.person_id == rep_id).count();
    assert_eq!(rep.get("/api/v1/credit_splits?per_page=1").await.total(), own_splits as u64);
    let others_quota = data.quotas.iter().find(|q| !expected.contains(&q.id)).expect("another seat's quota");
    rep.get(&format!("/api/v1/quotas/{}", others_quota.id)).await.expect_error(404, "not_found", None);
    let others_split = data.credit_splits.iter().find(|s| s.person_id != rep_id).expect("another's split");
    rep.get(&format!("/api/v1/credit_splits/{}", others_split.id)).await.expect(404);

    // The manager sees their reps' quotas and their own, not another region's.
    let manager_id = app.person_of(Role::Manager);
    let manager = Api::as_role(&app, Role::Manager).await;
    let own_seat =
        data.assignments.iter().find(|a| a.person_id == manager_id).expect("a seat").position_id.clone();
    let team_seats: BTreeSet<&str> = data
        .positions
        .iter()
        .filter(|p| p.id == own_seat || p.reports_to.as_deref() == Some(own_seat.as_str()))
        .map(|p| p.id.as_str())
        .collect();
    let expected: BTreeSet<String> = data
        .quotas
        .iter()
        .filter(|q| team_seats.contains(q.position_id.as_str()))
        .map(|q| q.id.clone())
        .collect();
    assert_eq!(
        ids(&all(&manager, "/api/v1/quotas").await),
        expected,
        "the manager's quotas are their team's"
    );
    let rep_quota = quotas_of_seats(data, &rep_id).into_iter().next().expect("a quota of the rep");
    manager.get(&format!("/api/v1/quotas/{rep_quota}")).await.expect(200);
    let plans = all(&manager, "/api/v1/plan_assignments").await;
    assert!(plans.iter().all(|p| team_seats.contains(p["position_id"].as_str().unwrap_or_default())));
    assert_eq!(plans.len(), team_seats.len(), "one plan per seat of the team");

    // The pages: the overview and each list render for every role; a record outside scope is
    // a 404 page, one inside it opens.
    for role in Role::ALL {
        let session = Api::session(&app, role).await;
        for path in [
            "/compensation",
            "/compensation/quotas",
            "/compensation/plan-assignments",
            "/compensation/credit-splits",
            "/compensation/adjustments",
            "/compensation/quotas?measure=deals&sort=amount",
        ] {
            let page = session.get(path).await;
            assert_eq!(
                page.status,
                200,
                "{role} {path}: {}",
                page.text.chars().take(300).collect::<String>()
            );
            // The quota records are compensation data; Plan → Quotas is the sheets' page.
            let entry = "Compensation data";
            assert!(page.text.contains(&format!("aria-current=\"page\">{entry}<")), "{role} {path}: menu");
        }
    }
    let session = Api::session(&app, Role::Rep).await;
    session.get(&format!("/compensation/quotas/{rep_quota}")).await.expect(200);
    assert_eq!(session.get(&format!("/compensation/quotas/{}", others_quota.id)).await.status, 404);
    assert_eq!(session.get(&format!("/compensation/credit-splits/{}", others_split.id)).await.status, 404);
    let admin = Api::session(&app, Role::CompAdmin).await;
    for (path, id) in [
        ("/compensation/credit-splits", &data.credit_splits[0].id),
        ("/compensation/adjustments", &data.adjustments[0].id),
        ("/compensation/plan-assignments", &data.plan_assignments[0].id),
        ("/compensation/quotas", &data.quotas[0].id),
    ] {
        let page = admin.get(&format!("{path}/{id}")).await;
        assert_eq!(page.status, 200, "{path}/{id}");
        assert!(page.text.contains(id.as_str()), "{path}/{id} names the record");
    }
}
