//! Individual objectives on the demo company (as of 2018-01-15, every rep with 20 calls a week
//! from 2018-01-01 and 8 new opportunities a month), on both databases: a manager gives their
//! whole team one objective at once and each seat's earlier one ends that day; who may set
//! what; bad input names its field and writes nothing; what each role reads.

use attain_app::plan::ObjectiveRequest;
use attain_app::{Actor, App, AppError, Role};
use attain_core::domain::{ObjectiveMeasure, Position, Role as SeatRole, holder_of};
use attain_core::{Decimal, Kind};
use attain_store::{AuditFilter, Store};
use attain_testkit::Db;
use jiff::civil::date;

use crate::on_both;
use crate::scope::as_person;

fn login(role: Role, login: &str, person: Option<&str>) -> Actor {
    Actor { login: login.into(), ..as_person(role, person) }
}

/// Two managers' seats on 2018-01-15 with their holders, and the rep seats under the first.
struct Org {
    manager: (Position, String),
    other: (Position, String),
    reps: Vec<String>,
    other_rep: String,
}

fn org(app: &App) -> Org {
    let snapshot = app.snapshot();
    let data = &snapshot.data;
    let day = date(2018, 1, 15);
    let now: Vec<&Position> = data.positions.iter().filter(|p| p.validity.contains(day)).collect();
    let holder = |id: &str| holder_of(&data.assignments, id, day).unwrap().to_string();
    let managers: Vec<&&Position> = now.iter().filter(|p| p.role == SeatRole::Manager).collect();
    let under = |m: &Position| -> Vec<String> {
        now.iter().filter(|p| p.reports_to.as_deref() == Some(m.id.as_str())).map(|p| p.id.clone()).collect()
    };
    Org {
        manager: ((*managers[0]).clone(), holder(&managers[0].id)),
        other: ((*managers[1]).clone(), holder(&managers[1].id)),
        reps: under(managers[0]),
        other_rep: under(managers[1])[0].clone(),
    }
}

fn calls(seat: &str, target: &str, from: &str) -> ObjectiveRequest {
    ObjectiveRequest {
        seat: seat.into(),
        team: false,
        measure: "calls".into(),
        cadence: "week".into(),
        target: target.into(),
        currency: None,
        valid_from: from.into(),
        valid_to: None,
        note: Some("More first calls".into()),
    }
}

async fn a_manager_sets_their_team_one_objective_and_the_earlier_ones_end(store: Store, _: Db) {
    let app = crate::demo_app(store.clone()).await;
    let o = org(&app);
    let manager = login(Role::Manager, "east.manager", Some(&o.manager.1));
    let before = app.snapshot().data.objectives.len();
    let request = ObjectiveRequest { team: true, ..calls(&o.manager.0.id, "25", "2018-02-01") };
    let written = app.set_objectives(&manager, &request).await.unwrap();

    let mut seats: Vec<String> = written.iter().map(|w| w.position_id.clone()).collect();
    let mut reps = o.reps.clone();
    seats.sort();
    reps.sort();
    assert_eq!(seats, reps, "one objective per seller below the manager");
    let snapshot = app.snapshot();
    let data = &snapshot.data;
    assert_eq!(data.objectives.len(), before + reps.len(), "the earlier ones stay, ended");
    for seat in &reps {
        let mut history: Vec<_> = data
            .objectives
            .iter()
            .filter(|x| &x.position_id == seat && x.measure == ObjectiveMeasure::Calls)
            .collect();
        history.sort_by_key(|x| x.valid_from);
        let last = history.last().unwrap();
        assert_eq!(
            (last.target, last.valid_to, last.set_by.as_deref()),
            (Decimal::from(25), None, Some("east.manager"))
        );
        let previous = history[history.len() - 2];
        assert_eq!(
            previous.valid_to,
            Some(date(2018, 2, 1)),
            "{seat}: the one before ends the day the new one starts"
        );
        assert_eq!(previous.target, Decimal::from(20));
        assert!(
            history.windows(2).all(|w| w[0].valid_to.is_some_and(|to| to <= w[1].valid_from)),
            "no overlap"
        );
    }
    let (entries, _) = store.audit_page(&AuditFilter::default(), 1000, 0).await.unwrap();
    let set: Vec<_> = entries.iter().filter(|e| e.action == "objective.set").collect();
    assert_eq!(set.len(), 1, "one audit entry for the team");

    // Setting it again from the same day changes the same rows: nothing is added.
    let again = ObjectiveRequest { target: "30".into(), ..request };
    app.set_objectives(&manager, &again).await.unwrap();
    assert_eq!(app.snapshot().data.objectives.len(), before + reps.len());

    // Ending one: from the day chosen it no longer holds, and the history keeps it.
    let id = &written[0].id;
    let ended = app.end_objective(&manager, id, "2018-03-01").await.unwrap();
    assert_eq!(ended.valid_to, Some(date(2018, 3, 1)));
    let err = app.end_objective(&manager, id, "2018-02-01").await.unwrap_err();
    assert!(matches!(&err, AppError::Invalid { field: Some(f), .. } if f == "valid_to"), "{err:?}");
}

async fn who_may_set_what(store: Store, _: Db) {
    let app = crate::demo_app(store).await;
    let o = org(&app);
    let manager = login(Role::Manager, "east.manager", Some(&o.manager.1));
    let rep_person =
        holder_of(&app.snapshot().data.assignments, &o.reps[0], date(2018, 1, 15)).unwrap().to_string();
    let rep = login(Role::Rep, "a.rep", Some(&rep_person));
    let finance = login(Role::Finance, "finance", None);
    let ops = login(Role::CompAdmin, "ops", None);
    let refused = |r: Result<Vec<attain_core::domain::Objective>, AppError>| r.unwrap_err();

    assert!(
        matches!(
            refused(app.set_objectives(&rep, &calls(&o.reps[0], "40", "2018-02-01")).await),
            AppError::Forbidden
        ),
        "a rep sets none, not even their own"
    );
    assert!(
        matches!(
            refused(app.set_objectives(&manager, &calls(&o.manager.0.id, "40", "2018-02-01")).await),
            AppError::Forbidden
        ),
        "nor a manager their own"
    );
    assert!(
        matches!(
            refused(app.set_objectives(&manager, &calls(&o.other_rep, "40", "2018-02-01")).await),
            AppError::NotFound
        ),
        "another team's seat is not there for them"
    );
    assert!(matches!(
        refused(app.set_objectives(&finance, &calls(&o.reps[0], "40", "2018-02-01")).await),
        AppError::Forbidden
    ));
    let other_team = ObjectiveRequest { team: true, ..calls(&o.other.0.id, "40", "2018-02-01") };
    assert!(matches!(refused(app.set_objectives(&manager, &other_team).await), AppError::NotFound));
    assert!(app.set_objectives(&ops, &other_team).await.is_ok(), "comp admins set any team's");

    // Each reads what is theirs: the rep their own seat, the manager their team.
    let rep_view = app.objectives(&rep, true).unwrap();
    assert!(!rep_view.rows.is_empty() && rep_view.rows.iter().all(|r| r.objective.position_id == o.reps[0]));
    assert!(rep_view.seats.is_empty() && rep_view.teams.is_empty());
    let team_view = app.objectives(&manager, false).unwrap();
    assert!(team_view.rows.iter().all(|r| o.reps.contains(&r.objective.position_id)));
    assert_eq!(team_view.teams.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), [o.manager.0.id.as_str()]);
    let mut settable: Vec<&str> = team_view.seats.iter().map(|s| s.id.as_str()).collect();
    settable.sort();
    let mut reps: Vec<&str> = o.reps.iter().map(String::as_str).collect();
    reps.sort();
    assert_eq!(settable, reps);
}

async fn bad_input_names_its_field_and_writes_nothing(store: Store, _: Db) {
    let app = crate::demo_app(store).await;
    let o = org(&app);
    let ops = login(Role::CompAdmin, "ops", None);
    let seat = &o.reps[0];
    let before = app.snapshot().data.objectives.clone();
    let field_of = |e: AppError| match e {
        AppError::Invalid { field: Some(f), .. } => f,
        other => panic!("not a field error: {other:?}"),
    };
    let cases = [
        (
            ObjectiveRequest {
                measure: "bookings".into(),
                target: "50000".into(),
                ..calls(seat, "1", "2018-02-01")
            },
            "currency",
        ),
        (
            ObjectiveRequest {
                measure: "bookings".into(),
                target: "1.005".into(),
                currency: Some("USD".into()),
                ..calls(seat, "1", "2018-02-01")
            },
            "target",
        ),
        (calls(seat, "2.5", "2018-02-01"), "target"),
        (calls(seat, "-3", "2018-02-01"), "target"),
        (calls(seat, "twenty", "2018-02-01"), "target"),
        (ObjectiveRequest { measure: "smiles".into(), ..calls(seat, "5", "2018-02-01") }, "measure"),
        (ObjectiveRequest { cadence: "fortnight".into(), ..calls(seat, "5", "2018-02-01") }, "cadence"),
        (calls(seat, "5", "2018-02-30"), "valid_from"),
        (
            ObjectiveRequest { valid_to: Some("2018-01-31".into()), ..calls(seat, "5", "2018-02-01") },
            "valid_to",
        ),
        // The demo's 20-a-week objective holds from 2018-01-01; one starting before it, open
        // ended, would run into it.
        (calls(seat, "5", "2017-12-01"), "valid_to"),
        (ObjectiveRequest { team: true, ..calls(seat, "5", "2018-02-01") }, "team"),
    ];
    for (request, field) in cases {
        let err = app.set_objectives(&ops, &request).await.unwrap_err();
        assert_eq!(field_of(err), field, "{request:?}");
    }
    assert_eq!(app.snapshot().data.objectives, before, "nothing was written");
    assert_eq!(app.snapshot().count(Kind::Objectives), before.len());
}

on_both!(
    a_manager_sets_their_team_one_objective_and_the_earlier_ones_end,
    who_may_set_what,
    bad_input_names_its_field_and_writes_nothing,
);
