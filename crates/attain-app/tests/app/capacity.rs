//! Capacity planning on the demo company (as of 2018-01-15, FY2018's plan approved), on both
//! databases: the quarters carry the whole plan; the team, its open seats and last year's
//! productivity come from the data; more productive reps never need more hires; only the
//! whole-company roles read it; every bad choice names its field.

use attain_app::plan::CapacityRequest;
use attain_app::{AppError, Role};
use attain_core::domain::{Role as SeatRole, holder_of};
use attain_store::Store;
use attain_testkit::Db;
use jiff::civil::date;

use crate::on_both;
use crate::scope::as_person;

async fn the_plan_needs_its_heads_quarter_by_quarter(store: Store, _: Db) {
    let app = crate::demo_app(store.clone()).await;
    // A new rep seat approved to open in the second quarter, nobody in it yet.
    let manager =
        app.snapshot().data.positions.iter().find(|p| p.role == SeatRole::Manager).unwrap().id.clone();
    let dir = tempfile::tempdir().unwrap();
    let seat = format!(
        "id,valid_from,title,role,team,region,reports_to\npos-new-ae,2018-04-01,Account Executive,rep,New Sales,,{manager}\n"
    );
    crate::import_text(
        &store,
        dir.path(),
        attain_core::Kind::Positions,
        &seat,
        attain_app::ImportOptions::default(),
    )
    .await
    .unwrap();
    app.refresh().await.unwrap();
    let finance = as_person(Role::Finance, None);
    let c = app.capacity_plan(&finance, &CapacityRequest::defaults(2018)).unwrap();
    let plan = app.revenue_year(&finance, 2018).unwrap().in_force().unwrap().clone();
    assert_eq!(c.plan_id, plan.id);
    assert_eq!(c.quarters.len(), 4);
    let total: i64 = c.quarters.iter().map(|q| q.need.plan).sum();
    assert_eq!(total, plan.revenue.minor(), "the quarters carry the whole plan, to the cent");

    // The team: every rep seat held on 2018-01-01.
    let snapshot = app.snapshot();
    let data = &snapshot.data;
    let first = date(2018, 1, 1);
    let held = data
        .positions
        .iter()
        .filter(|p| p.role == SeatRole::Rep && p.validity.contains(first))
        .filter(|p| holder_of(&data.assignments, &p.id, first).is_some())
        .count();
    assert_eq!(c.current_reps, held);
    assert!(c.ramping <= c.current_reps);
    assert_eq!(c.open_seats.len(), 1, "{:?}", c.open_seats);
    assert_eq!(
        (c.open_seats[0].position_id.as_str(), c.open_seats[0].starts.to_string().as_str()),
        ("pos-new-ae", "2018-Q2")
    );
    assert!(
        c.quarters[0].need.open_seat_capacity.is_zero()
            && c.quarters[1].need.open_seat_capacity > rust_decimal::Decimal::ZERO
    );
    assert_eq!(Some(c.productivity), c.suggested, "empty productivity is last year's");
    assert!(c.productivity.minor() > 0);
    assert_eq!(c.hires, c.quarters.iter().map(|q| q.need.hires).sum::<u32>());
    assert_eq!(c.quarters.last().unwrap().need.gap, c.hires);

    // Reps twice as productive never need more hires; half as productive need at least as many.
    let at = |amount: i64| {
        let request = CapacityRequest {
            productivity: Some(
                (c.productivity.amount() * rust_decimal::Decimal::from(amount)
                    / rust_decimal::Decimal::from(2))
                .round_dp(2)
                .to_string(),
            ),
            ..CapacityRequest::defaults(2018)
        };
        app.capacity_plan(&finance, &request).unwrap().hires
    };
    let (half, same, double) = (at(1), at(2), at(4));
    assert!(half >= same && same >= double, "{half} ≥ {same} ≥ {double}");
    assert!(half > 0, "half as productive, the team cannot carry the plan");
}

async fn only_the_whole_company_roles_read_it_and_bad_choices_name_their_field(store: Store, _: Db) {
    let app = crate::demo_app(store).await;
    let ops = as_person(Role::CompAdmin, None);
    let snapshot = app.snapshot();
    let data = &snapshot.data;
    let manager_seat = data.positions.iter().find(|p| p.role == SeatRole::Manager).unwrap();
    let manager = holder_of(&data.assignments, &manager_seat.id, date(2018, 1, 15)).unwrap().to_string();
    for (role, person) in [(Role::Manager, Some(manager.as_str())), (Role::Rep, Some(manager.as_str()))] {
        let err = app.capacity_plan(&as_person(role, person), &CapacityRequest::defaults(2018)).unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{role:?}: {err:?}");
    }
    let bad = |change: fn(&mut CapacityRequest)| {
        let mut request = CapacityRequest::defaults(2018);
        change(&mut request);
        match app.capacity_plan(&ops, &request).unwrap_err() {
            AppError::Invalid { field: Some(f), .. } => f,
            other => panic!("not a field error: {other:?}"),
        }
    };
    assert_eq!(bad(|r| r.attrition = "100".into()), "attrition");
    assert_eq!(bad(|r| r.attrition = "lots".into()), "attrition");
    assert_eq!(bad(|r| r.ramp = "25,120".into()), "ramp");
    assert_eq!(bad(|r| r.lead_quarters = "9".into()), "lead_quarters");
    assert_eq!(bad(|r| r.productivity = Some("abc".into())), "productivity");
    assert_eq!(bad(|r| r.productivity = Some("0".into())), "productivity");
    assert_eq!(bad(|r| r.productivity = Some("10.005".into())), "productivity");
    // A ramp under which a hire delivers nothing within the year, and a team that cannot carry
    // the plan: no hire helps in time, so every quarter's shortfall is reported as not covered.
    let hopeless = CapacityRequest {
        ramp: "0,0,0,0".into(),
        productivity: Some("1".into()),
        ..CapacityRequest::defaults(2018)
    };
    let c = app.capacity_plan(&ops, &hopeless).unwrap();
    assert_eq!(c.hires, 0);
    assert!(c.quarters.iter().all(|q| q.need.uncovered > rust_decimal::Decimal::ZERO), "{c:?}");
    assert!(matches!(
        app.capacity_plan(&ops, &CapacityRequest::defaults(2031)).unwrap_err(),
        AppError::NotFound
    ));
}

on_both!(
    the_plan_needs_its_heads_quarter_by_quarter,
    only_the_whole_company_roles_read_it_and_bad_choices_name_their_field,
);
