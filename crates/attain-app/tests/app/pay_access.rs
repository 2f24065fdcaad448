//! Pay's privacy and safety rules on the demo company (as of 2018-01-15, the app's today), on
//! both databases: plan files are read within pay scope, a month closes early only with an
//! override and a reason (audited), and saving plan files adds or replaces the named files while
//! removing one is its own action, refused for a plan in use.

use std::collections::BTreeSet;

use attain_app::pay::{CloseRequest, NewPlanAssignment, RunStatus, StatementView};
use attain_app::seed::{DemoLogin, seed_demo, seed_demo_pay, seed_demo_users};
use attain_app::{Actor, App, AppError, NoProgress, Role, Settings};
use attain_demo::DemoConfig;
use attain_store::{AuditFilter, Store};
use attain_testkit::Db;
use jiff::civil::date;

use crate::on_both;
use crate::pay::month;
use crate::platform::assert_err;
use crate::scope::as_person;

async fn demo(store: Store) -> (App, Vec<DemoLogin>) {
    let as_of = date(2018, 1, 15);
    seed_demo(&store, &DemoConfig::new(as_of), &NoProgress).await.unwrap();
    let app = App::new(store, Settings { today: Some(as_of), ..Settings::default() }).await.unwrap();
    let logins = seed_demo_users(&app, as_of).await.unwrap();
    seed_demo_pay(&app, as_of).await.unwrap();
    (app, logins)
}

fn person_of(logins: &[DemoLogin], role: Role) -> String {
    logins.iter().find(|l| l.role == role).and_then(|l| l.person_id.clone()).unwrap()
}

/// The names of the plan files `actor` may read.
async fn readable(app: &App, actor: &Actor) -> BTreeSet<String> {
    app.plan_files(actor).await.unwrap().into_iter().map(|f| f.name).collect()
}

async fn plan_files_are_read_within_pay_scope(store: Store, _: Db) {
    let (app, logins) = demo(store).await;
    let every: BTreeSet<String> =
        attain_demo::plan_files(date(2018, 1, 15)).into_iter().map(|(name, _)| name).collect();
    for role in [Role::Admin, Role::CompAdmin, Role::Finance, Role::Executive] {
        assert_eq!(readable(&app, &as_person(role, None)).await, every, "{role} reads every plan");
    }

    // A rep reads the versions of the plans they hold (and the company's crediting rules),
    // never the manager's or the overlay's: those say what other people are paid.
    let rep = as_person(Role::Rep, Some(&person_of(&logins, Role::Rep)));
    let files = app.plan_files(&rep).await.unwrap();
    let names: BTreeSet<String> = files.iter().map(|f| f.name.clone()).collect();
    assert!(names.contains("ae-v2.toml") && names.contains("crediting.toml"), "{names:?}");
    assert!(!names.contains("manager.toml") && !names.contains("se.toml"), "{names:?}");
    for f in &files {
        assert!(f.plan.as_ref().is_none_or(|p| p.id == "ae"), "{}: {:?}", f.name, f.plan);
        assert!(!f.text.contains("120000"), "the manager's base salary reaches the rep through {}", f.name);
    }
    // A past version is theirs when they held it: the AE plan's first version, in force in
    // 2016, if the rep was paid on it then.
    let mut paid_on_v1 = false;
    for m in 1..=12 {
        let found = app.statement(&rep, month(2016, m), rep.person_id.as_deref().unwrap()).await;
        paid_on_v1 |= found.is_ok_and(|(_, s)| s.plans.iter().any(|p| p == "ae@1"));
    }
    assert_eq!(names.contains("ae-v1.toml"), paid_on_v1, "ae-v1 readable exactly when held: {names:?}");

    // A manager reads their own plan and their team's.
    let manager = as_person(Role::Manager, Some(&person_of(&logins, Role::Manager)));
    let names = readable(&app, &manager).await;
    assert!(names.contains("manager.toml") && names.contains("ae-v2.toml"), "{names:?}");
    assert!(names.is_subset(&every));
    // Someone who holds no plan reads only the crediting rules; an unlinked user nothing else.
    let nobody = as_person(Role::Rep, Some("no-such-person"));
    assert_eq!(readable(&app, &nobody).await, BTreeSet::from(["crediting.toml".to_string()]));
}

async fn a_month_closes_early_only_with_an_override_and_a_reason(store: Store, _: Db) {
    let (app, _) = demo(store).await;
    let admin = Actor::system();
    let january = month(2018, 1);

    // What the confirmation shows: the draft, its total, and that January has not ended.
    let preview = app.close_preview(&admin, january).await.unwrap();
    assert_eq!((preview.run.status, preview.run.version), (RunStatus::Draft, 1));
    assert!(!preview.ended);
    assert_eq!(preview.ends, date(2018, 2, 1));
    assert!(!preview.run.totals.is_empty());
    assert_err!(app.close_preview(&as_person(Role::Finance, None), january).await, AppError::Forbidden);

    assert_err!(
        app.close_period(&admin, january, CloseRequest::default()).await,
        AppError::Conflict(m) if m.contains("2018-01 has not ended") && m.contains("2018-02-01")
    );
    let no_reason =
        CloseRequest { before_month_end: true, reason: Some("  ".into()), ..CloseRequest::default() };
    assert_err!(
        app.close_period(&admin, january, no_reason).await,
        AppError::Invalid { field: Some(f), .. } if f == "reason"
    );
    let stale =
        CloseRequest { version: Some(7), before_month_end: true, reason: Some("payroll cut-off".into()) };
    assert_err!(
        app.close_period(&admin, january, stale).await,
        AppError::Conflict(m) if m.contains("version 1 now")
    );
    assert_eq!(
        app.statements(&admin, january).await.unwrap().month().status,
        RunStatus::Draft,
        "nothing closed"
    );

    let early =
        CloseRequest { version: Some(1), before_month_end: true, reason: Some("payroll cut-off".into()) };
    let closed = app.close_period(&admin, january, early).await.unwrap();
    assert_eq!(closed.status, RunStatus::Closed);
    let filter = AuditFilter { action: Some("pay.close".into()), ..AuditFilter::default() };
    let entries = app.audit_page(&admin, &filter, 1, 1).await.unwrap().entries;
    let after = entries[0].after.clone().expect("the close's details");
    assert_eq!(entries[0].entity_id.as_deref(), Some(closed.id.as_str()));
    assert_eq!(after["before_month_end"]["reason"], "payroll cut-off", "{after}");
    assert_eq!(after["before_month_end"]["month_ends"], "2018-02-01");
    assert_eq!(after["totals"].as_array().map(Vec::len), Some(preview.run.totals.len()), "{after}");

    // An ended month needs no override, and its audit entry says nothing about one.
    app.reopen_period(&admin, january, "test").await.unwrap();
    app.reopen_period(&admin, month(2017, 12), "test").await.unwrap();
    app.calculate(&admin, month(2017, 12)).await.unwrap();
    app.close_period(&admin, month(2017, 12), CloseRequest::default()).await.unwrap();
    let entries = app.audit_page(&admin, &filter, 1, 1).await.unwrap().entries;
    assert!(
        entries[0].after.as_ref().is_some_and(|a| a.get("before_month_end").is_none()),
        "{:?}",
        entries[0]
    );
}

async fn saving_plans_adds_or_replaces_and_removal_is_its_own_action(store: Store, _: Db) {
    let (app, _) = demo(store).await;
    let admin = Actor::system();
    let demo_files = attain_demo::plan_files(date(2018, 1, 15));
    let text_of = |name: &str| demo_files.iter().find(|(n, _)| n == name).unwrap().1.clone();
    let stored = || async { app.plan_files(&admin).await.unwrap() };
    let before = stored().await;

    // One new plan file: a preview says what would change and writes nothing.
    let extra = text_of("se.toml").replacen("id = \"se\"", "id = \"spare\"", 1);
    let upload = vec![("spare.toml".to_string(), extra.clone())];
    let preview = app.preview_plans(&admin, upload.clone()).await.unwrap();
    assert_eq!(preview.added, ["spare.toml"]);
    assert!(preview.replaced.is_empty() && preview.unchanged.is_empty());
    assert_eq!(preview.kept.len(), before.len(), "every stored file stays: {preview:?}");
    assert!(preview.plans.iter().any(|p| p.id == "spare") && preview.plans.iter().any(|p| p.id == "ae"));
    assert!(!preview.saved);
    assert_eq!(stored().await, before, "a preview writes nothing");

    // Saving it adds it: the other plans stay, and the next run still works.
    let saved = app.save_plans(&admin, upload).await.unwrap();
    assert!(saved.saved && saved.added == ["spare.toml"]);
    let names: BTreeSet<String> = stored().await.into_iter().map(|f| f.name).collect();
    assert_eq!(names.len(), before.len() + 1, "{names:?}");
    assert!(names.contains("ae-v1.toml") && names.contains("ae-v2.toml"));
    app.calculate(&admin, month(2018, 1)).await.unwrap();

    // Replacing one file by name leaves the others; the same text again is unchanged.
    let renamed = text_of("ae-v2.toml").replacen("name = \"Account Executive\"", "name = \"AE\"", 1);
    let changes = app
        .save_plans(&admin, vec![("ae-v2.toml".into(), renamed), ("se.toml".into(), text_of("se.toml"))])
        .await
        .unwrap();
    assert_eq!(
        (changes.replaced.clone(), changes.unchanged.clone()),
        (vec!["ae-v2.toml".to_string()], vec!["se.toml".to_string()])
    );
    assert_eq!(stored().await.len(), before.len() + 1);

    // The whole resulting set is checked: a file that clashes with a stored one is refused.
    let clash = text_of("ae-v2.toml").replacen("version = 2", "version = 3", 1);
    assert_err!(
        app.save_plans(&admin, vec![("ae-v3.toml".into(), clash)]).await,
        AppError::Invalid { field: Some(f), .. } if f == "plans"
    );
    assert_eq!(stored().await.len(), before.len() + 1, "nothing was written");

    // Removing: a plan that is assigned, or was paid under a closed run, is refused with why.
    assert_err!(
        app.remove_plan_file(&admin, "ae-v2.toml").await,
        AppError::Conflict(m) if m.contains("ae@2") && m.contains("holds")
    );
    let assignments_of_v1: Vec<_> = app
        .snapshot()
        .data
        .plan_assignments
        .iter()
        .filter(|a| a.plan_id == "ae")
        .map(|a| a.validity.from)
        .collect();
    assert!(!assignments_of_v1.is_empty());
    assert_err!(app.remove_plan_file(&admin, "ae-v1.toml").await, AppError::Conflict(_));
    assert_err!(app.remove_plan_file(&admin, "nothing.toml").await, AppError::NotFound);
    assert_err!(
        app.remove_plan_file(&as_person(Role::Finance, None), "spare.toml").await,
        AppError::Forbidden
    );
    // A plan nobody holds and nobody was paid on goes.
    let removed = app.remove_plan_file(&admin, "spare.toml").await.unwrap();
    assert_eq!(removed.removed, "spare.toml");
    assert!(removed.plans.iter().all(|p| p.id != "spare"));
    assert_eq!(stored().await.len(), before.len());

    // Assigned, then unassigned before it was ever paid: still refused while assigned.
    app.save_plans(&admin, vec![("spare.toml".into(), extra)]).await.unwrap();
    let position = app.snapshot().data.positions[0].id.clone();
    let assign =
        NewPlanAssignment { position_id: position, plan_id: "spare".into(), valid_from: "2018-06-01".into() };
    app.assign_plan(&admin, assign).await.unwrap();
    assert_err!(app.remove_plan_file(&admin, "spare.toml").await, AppError::Conflict(m) if m.contains("spare@1"));

    // Every save and removal is in the audit log.
    for action in ["plans.save", "plans.remove"] {
        let filter = AuditFilter { action: Some(action.into()), ..AuditFilter::default() };
        assert!(app.audit_page(&admin, &filter, 1, 10).await.unwrap().total >= 1, "{action} is audited");
    }
    // And the statement views stay typed by audience.
    assert!(matches!(app.statements(&admin, month(2018, 1)).await.unwrap(), StatementView::Company(_)));
}

on_both!(
    plan_files_are_read_within_pay_scope,
    a_month_closes_early_only_with_an_override_and_a_reason,
    saving_plans_adds_or_replaces_and_removal_is_its_own_action
);
