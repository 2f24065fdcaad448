//! Individual objectives over HTTP on a real server: each role's answer holds only the seats it
//! may see (a rep their own, a manager their team), with the seats they may set objectives
//! for; a manager gives their team one objective; bad input is a 422 naming the field; a rep
//! cannot set their own. Answers match their OpenAPI schemas.

use std::collections::BTreeSet;

use attain_app::Role;
use attain_testkit::Db;
use serde_json::{Value, json};

use crate::client::Api;
use crate::on_both;
use crate::pay::conforms;
use crate::support::TestApp;

on_both!(objectives_are_read_and_set_by_who_may_over_http);

fn seats_of(answer: &Value) -> BTreeSet<String> {
    answer["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["objective"]["position_id"].as_str().unwrap().to_string())
        .collect()
}

async fn objectives_are_read_and_set_by_who_may_over_http(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let exec = Api::as_role(&app, Role::Executive).await;
    let manager = Api::as_role(&app, Role::Manager).await;
    let rep = Api::as_role(&app, Role::Rep).await;

    let all = exec.get("/api/v1/plan/objectives").await.expect(200).json();
    conforms("ObjectivesView", &all, &[]);
    assert!(all["seats"].as_array().unwrap().is_empty(), "an executive reads, never sets");
    let team = manager.get("/api/v1/plan/objectives").await.expect(200).json();
    conforms("ObjectivesView", &team, &[]);
    let own = rep.get("/api/v1/plan/objectives").await.expect(200).json();
    let (all_seats, team_seats, own_seats) = (seats_of(&all), seats_of(&team), seats_of(&own));
    assert_eq!(own_seats.len(), 1, "a rep's answer holds their own seat: {own_seats:?}");
    assert!(own_seats.is_subset(&team_seats) && team_seats.len() > 1 && team_seats.len() < all_seats.len());
    let settable: BTreeSet<String> =
        team["seats"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(settable, team_seats, "a manager sets objectives for exactly the seats of their team");
    assert!(own["seats"].as_array().unwrap().is_empty() && own["teams"].as_array().unwrap().is_empty());
    assert!(
        own["objectives"].as_array().unwrap().iter().all(|r| r["sentence"]
            .as_str()
            .unwrap()
            .ends_with(" a week")
            || r["sentence"].as_str().unwrap().ends_with(" a month")),
        "{own}"
    );

    // The manager gives the whole team one objective.
    let my_seat = team["teams"][0]["id"].as_str().unwrap().to_string();
    let body = json!({"seat": my_seat, "team": true, "measure": "demos", "cadence": "month", "target": "4",
        "valid_from": "2018-02-01", "note": "One demo a week"});
    let written = manager.post("/api/v1/plan/objectives", body.clone()).await.expect(201).json();
    let written = written.as_array().unwrap();
    assert_eq!(written.len(), team_seats.len());
    for w in written {
        conforms("Objectives", w, &[]);
    }
    let mut bad = body.clone();
    bad["target"] = json!("4.5");
    manager.post("/api/v1/plan/objectives", bad).await.expect_error(422, "invalid", Some("target"));
    let mut bad = body.clone();
    bad["valid_to"] = json!("2018-01-01");
    manager.post("/api/v1/plan/objectives", bad).await.expect_error(422, "invalid", Some("valid_to"));
    let own_seat = own_seats.iter().next().unwrap().clone();
    let mine = json!({"seat": own_seat, "measure": "calls", "cadence": "week", "target": "5", "valid_from": "2018-02-01"});
    rep.post("/api/v1/plan/objectives", mine).await.expect_error(403, "forbidden", None);

    // The rep now reads their new objective, and still nothing of anyone else's.
    let own = rep.get("/api/v1/plan/objectives").await.expect(200).json();
    assert_eq!(seats_of(&own), BTreeSet::from([own_seat]));
    assert!(own["objectives"].as_array().unwrap().iter().any(|r| r["objective"]["measure"] == "demos"));
}
