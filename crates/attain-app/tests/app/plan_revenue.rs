//! The revenue plan's workflow on the demo company (as of 2018-01-15), on both databases:
//! who may read, prepare and approve; drafts change in place and approved versions never;
//! approval by someone other than the preparer, of the version they saw; plan against actual
//! sums exactly to the objectives and reads the same actuals as the engine.

use attain_app::plan::RevenueDraft;
use attain_app::seed::seed_demo;
use attain_app::{Actor, App, AppError, NoProgress, Role, Settings};
use attain_core::domain::PlanStatus;
use attain_core::{Currency, Decimal, Kind};
use attain_demo::DemoConfig;
use attain_store::{AuditFilter, Store};
use attain_testkit::Db;
use jiff::civil::date;

use crate::on_both;
use crate::scope::{as_person, seen};

async fn demo(store: Store) -> App {
    let as_of = date(2018, 1, 15);
    seed_demo(&store, &DemoConfig::new(as_of), &NoProgress).await.unwrap();
    App::new(store, Settings { today: Some(as_of), ..Settings::default() }).await.unwrap()
}

fn as_login(role: Role, login: &str) -> Actor {
    Actor { login: login.into(), ..as_person(role, None) }
}

fn draft(note: &str) -> RevenueDraft {
    RevenueDraft {
        fiscal_year: "2018".into(),
        currency: None,
        revenue: "24000000".into(),
        margin: "9000000".into(),
        bookings: "26000000".into(),
        new_logos: "30".into(),
        season: "entered".into(),
        shares: ["6", "7", "10", "7", "7", "10", "6", "7", "10", "8", "9", "13"].map(String::from).to_vec(),
        note: note.into(),
        if_match: None,
    }
}

/// A draft for FY2018 as someone who read the open draft (version `version`) would send it.
fn draft_over(app: &App, version: u32, note: &str) -> RevenueDraft {
    let etag = app.revenue_etag(&as_person(Role::Admin, None), 2018, version).unwrap();
    RevenueDraft { if_match: Some(etag), ..draft(note) }
}

async fn only_whole_company_roles_read_the_plan(store: Store, _: Db) {
    let app = demo(store).await;
    for role in [Role::Admin, Role::CompAdmin, Role::Finance, Role::Executive] {
        let years = app.revenue_years(&as_person(role, None)).unwrap();
        assert_eq!(years.iter().map(|y| y.fiscal_year).collect::<Vec<_>>(), [2018, 2017, 2016], "{role}");
        let fy2018 = &years[0];
        assert_eq!(fy2018.in_force().map(|p| p.version), Some(1));
        assert_eq!(fy2018.draft().map(|p| p.version), Some(2));
    }
    for role in [Role::Manager, Role::Rep] {
        let actor = as_person(role, Some("nobody"));
        assert!(matches!(app.revenue_years(&actor), Err(AppError::NotFound)), "{role}");
        assert!(matches!(app.plan_vs_actual(&actor, 2017, None), Err(AppError::NotFound)), "{role}");
        // Nor through the records: the rows are outside their scope.
        assert!(seen(&app.snapshot(), &actor, Kind::RevenuePlans).is_empty(), "{role}");
    }
}

async fn drafts_change_in_place_and_approval_is_someone_elses(store: Store, _: Db) {
    let app = demo(store.clone()).await;
    let ops = as_login(Role::CompAdmin, "ops@example.com");
    let cfo = as_login(Role::Finance, "cfo@example.com");

    // The open draft (version 2) is changed in place; no version 3 appears.
    // Changing the open draft needs the version read: without it, or with a stale one, no.
    let err = app.save_revenue_draft(&ops, draft("blind")).await.unwrap_err();
    assert!(matches!(&err, AppError::Invalid { field: Some(f), .. } if f == "If-Match"), "{err:?}");
    let stale = RevenueDraft { if_match: Some("\"stale\"".into()), ..draft("stale") };
    assert!(matches!(app.save_revenue_draft(&ops, stale).await, Err(AppError::Conflict(_))));
    let saved = app.save_revenue_draft(&ops, draft_over(&app, 2, "Reforecast after Q4")).await.unwrap();
    assert_eq!((saved.version, saved.status), (2, PlanStatus::Draft));
    assert_eq!(saved.revenue.amount(), Decimal::from(24_000_000));
    assert_eq!(saved.prepared_by, "ops@example.com");
    assert_eq!(app.revenue_year(&cfo, 2018).unwrap().versions.len(), 2);

    // Bad input names the field, and nothing is written.
    let mut bad = draft_over(&app, 2, "shares off by one");
    bad.shares[11] = "12".into();
    let err = app.save_revenue_draft(&ops, bad).await.unwrap_err();
    assert!(
        matches!(&err, AppError::Invalid { field: Some(f), message } if f == "month_12" && message.contains("99")),
        "{err:?}"
    );
    let mut bad = draft_over(&app, 2, "no note");
    bad.note = " ".into();
    assert!(
        matches!(app.save_revenue_draft(&ops, bad).await, Err(AppError::Invalid { field: Some(f), .. }) if f == "note")
    );
    assert_eq!(app.revenue_year(&cfo, 2018).unwrap().draft().unwrap().note, "Reforecast after Q4");

    // Finance, executives and managers may not prepare; comp admins may not approve.
    for role in [Role::Finance, Role::Executive, Role::Manager, Role::Rep] {
        let err = app.save_revenue_draft(&as_login(role, "x@example.com"), draft("x")).await.unwrap_err();
        assert!(matches!(err, AppError::Forbidden), "{role}: {err:?}");
    }
    assert!(matches!(app.approve_revenue_plan(&ops, 2018, 2, None).await, Err(AppError::Forbidden)));
    // The preparer cannot approve their own version, whatever their role.
    let ops_admin = as_login(Role::Admin, "ops@example.com");
    let err = app.approve_revenue_plan(&ops_admin, 2018, 2, None).await.unwrap_err();
    assert!(matches!(&err, AppError::Conflict(m) if m.contains("someone else")), "{err:?}");
    // Approving figures other than those seen is refused.
    let err = app.approve_revenue_plan(&cfo, 2018, 2, Some("\"stale\"")).await.unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");

    let seen_version = app.plan_vs_actual(&cfo, 2018, Some(2)).unwrap().etag;
    let approved = app.approve_revenue_plan(&cfo, 2018, 2, Some(&seen_version)).await.unwrap();
    assert_eq!(approved.status, PlanStatus::Approved);
    assert_eq!(approved.approved_by.as_deref(), Some("cfo@example.com"));
    let year = app.revenue_year(&cfo, 2018).unwrap();
    assert_eq!(year.in_force().map(|p| p.version), Some(2));
    assert_eq!(
        year.versions.iter().filter(|p| p.status == PlanStatus::Approved).count(),
        2,
        "v1 stays in the history"
    );
    assert!(matches!(app.approve_revenue_plan(&cfo, 2018, 2, None).await, Err(AppError::Conflict(_))));

    // A change after approval is a new version beside the approved one.
    let next = app.save_revenue_draft(&ops, draft("Board asked for more")).await.unwrap();
    assert_eq!((next.version, next.status), (3, PlanStatus::Draft));
    assert_eq!(app.revenue_year(&cfo, 2018).unwrap().versions[1].note, "Reforecast after Q4");

    let (entries, _) = store.audit_page(&AuditFilter::default(), 1000, 0).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "revenue_plan.save").count(), 2, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| **a == "revenue_plan.approve").count(), 1, "{actions:?}");
}

async fn plan_against_actual_spreads_exactly_and_reads_the_engines_actuals(store: Store, _: Db) {
    let app = demo(store).await;
    let exec = as_person(Role::Executive, None);
    let view = app.plan_vs_actual(&exec, 2017, None).unwrap();
    assert_eq!(view.plan.version, 1);
    assert!(view.months.iter().all(|m| m.actual.is_some()), "every month of 2017 has begun");
    // The months add up to the objectives exactly.
    assert_eq!(view.total_plan.revenue, view.plan.revenue);
    assert_eq!(view.total_plan.bookings, view.plan.bookings);
    assert_eq!(view.total_plan.new_logos, view.plan.new_logos);
    // Actuals are the engine's, for the same year.
    let snapshot = app.snapshot();
    let engine = attain_engine::track::months_of_year(&snapshot.facts, 2017, Currency::USD, &[]).unwrap();
    let revenue: Decimal = engine.iter().map(|m| m.revenue.amount()).sum();
    assert_eq!(view.total_actual.revenue.amount(), revenue);
    assert!(revenue > Decimal::ZERO);
    // Computed once per snapshot: the next page view reads the same months.
    let first = snapshot.company_actuals(2017, Currency::USD).unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &snapshot.company_actuals(2017, Currency::USD).unwrap()));

    // 2018 as of 15 January: January has begun, February has not.
    let view = app.plan_vs_actual(&exec, 2018, None).unwrap();
    assert!(view.months[0].actual.is_some() && view.months[1].actual.is_none());
    assert_eq!(view.plan_to_date.revenue, view.months[0].plan.revenue);
    // Shares 6% in January: the in-force plan's first month.
    assert_eq!(
        view.months[0].plan.revenue.amount() * Decimal::from(100) / view.plan.revenue.amount(),
        Decimal::from(6)
    );
}

async fn learned_shares_follow_earlier_bookings(store: Store, _: Db) {
    let app = demo(store).await;
    let ops = as_login(Role::CompAdmin, "ops@example.com");
    let shares = app.learned_shares(&ops, 2018).unwrap();
    assert_eq!(shares.iter().sum::<Decimal>(), Decimal::from(100));
    assert!(shares.iter().any(|s| *s != shares[0]), "bookings are not flat: {shares:?}");
    let mut learned = draft_over(&app, 2, "Learned season");
    learned.season = "learned".into();
    learned.shares.clear();
    let saved = app.save_revenue_draft(&ops, learned).await.unwrap();
    assert_eq!(saved.shares, shares);
}

/// `revenue_plans.csv` holding the stored FY2017 version 1, with `edit` applied to its cells.
fn approved_csv(app: &App, edit: impl Fn(&mut Vec<String>)) -> Vec<u8> {
    let snapshot = app.snapshot();
    let index = snapshot.find(Kind::RevenuePlans, "rp-2017-v1")[0];
    let spec = Kind::RevenuePlans.spec();
    let mut cells = attain_core::record::cells_to_text(spec, &snapshot.values(Kind::RevenuePlans, index));
    edit(&mut cells);
    let header: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
    format!("{}\n{}\n", header.join(","), cells.join(",")).into_bytes()
}

async fn an_approved_version_never_changes_whichever_way_it_is_written(store: Store, _: Db) {
    let app = demo(store).await;
    let admin = as_person(Role::Admin, None);
    // The same row again is an idempotent re-import.
    let report = app
        .import_csv(&admin, Kind::RevenuePlans, "revenue_plans.csv", &approved_csv(&app, |_| {}), false)
        .await;
    let written = report.unwrap().written();
    assert_eq!((written.inserted, written.updated), (0, 0));
    // A changed objective is refused, naming file, line and why; nothing is written.
    let revenue = Kind::RevenuePlans.spec().index_of("revenue").unwrap();
    let changed = approved_csv(&app, |cells| cells[revenue] = "1.00".into());
    let err =
        app.import_csv(&admin, Kind::RevenuePlans, "revenue_plans.csv", &changed, false).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("revenue_plans.csv: line 2") && text.contains("approved and never changes"),
        "{text}"
    );
    let stored = &app.revenue_year(&admin, 2017).unwrap().versions[0];
    assert_ne!(stored.revenue.amount(), Decimal::ONE);
}

on_both!(
    an_approved_version_never_changes_whichever_way_it_is_written,
    only_whole_company_roles_read_the_plan,
    drafts_change_in_place_and_approval_is_someone_elses,
    plan_against_actual_spreads_exactly_and_reads_the_engines_actuals,
    learned_shares_follow_earlier_bookings,
);
