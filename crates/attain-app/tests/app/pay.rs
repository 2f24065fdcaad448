//! Pay runs end to end on the demo company, on both databases: the seeded history (every month
//! closed in order, the current month a draft), who may see which statements, re-running an
//! unchanged month, the close/reopen rules, and a late deal for a closed month arriving as a
//! prior-period line in the open month while the closed statement stays as paid.

use attain_app::pay::{
    CloseRequest, CompanyStatements, NewAdjustment, NewPlanAssignment, RunStatus, StatementView,
    TeamStatements,
};
use attain_app::seed::{seed_demo, seed_demo_pay, seed_demo_users};
use attain_app::{Actor, App, AppError, NoProgress, Role, Settings};
use attain_core::{Kind, Period};
use attain_demo::DemoConfig;
use attain_engine::pay::run::LineKind;
use attain_store::Store;
use attain_testkit::Db;
use jiff::civil::date;
use rust_decimal::Decimal;

use crate::on_both;
use crate::platform::assert_err;

pub(crate) fn month(year: i16, month: i8) -> Period {
    Period::Month { year, month }
}

/// A person of `role`, logged in the audit and on adjustments as `test-<role>`.
fn as_role(role: Role, person: Option<&str>) -> Actor {
    Actor { login: format!("test-{role}"), ..crate::scope::as_person(role, person) }
}

/// A whole-company view (the comp admin's, finance's…): its run and every statement.
#[track_caller]
fn company(view: StatementView) -> CompanyStatements {
    match view {
        StatementView::Company(v) => *v,
        StatementView::Team(v) => panic!("a team view where the company's was due: {:?}", v.month),
    }
}

/// A manager's or rep's view: the month's status and their statements, nothing more.
#[track_caller]
fn team(view: StatementView) -> TeamStatements {
    match view {
        StatementView::Team(v) => v,
        StatementView::Company(v) => {
            panic!("the company's view (with totals) for a scoped reader: {:?}", v.run.id)
        }
    }
}

async fn demo(store: Store) -> App {
    let as_of = date(2018, 1, 15);
    seed_demo(&store, &DemoConfig::new(as_of), &NoProgress).await.unwrap();
    // The demo's today: 2018-01 has not ended.
    let app = App::new(store, Settings { today: Some(as_of), ..Settings::default() }).await.unwrap();
    seed_demo_users(&app, as_of).await.unwrap();
    let pay = seed_demo_pay(&app, as_of).await.unwrap();
    assert_eq!(pay.closed.len(), 24, "2016-01 through 2017-12");
    assert_eq!(pay.closed.first(), Some(&month(2016, 1)));
    assert_eq!(pay.draft, Some(month(2018, 1)));
    app
}

async fn pay_history_scope_and_reruns(store: Store, _: Db) {
    let app = demo(store).await;
    let admin = Actor::system();
    let runs = app.runs(&admin).await.unwrap();
    assert_eq!(runs.len(), 25);
    assert!(
        runs.iter()
            .filter(|r| r.period < month(2018, 1))
            .all(|r| r.status == RunStatus::Closed && r.version == 1)
    );

    // Everyone in the company for the comp admin; a rep sees only themselves; a manager their team.
    let all = company(app.statements(&as_role(Role::CompAdmin, None), month(2017, 6)).await.unwrap());
    assert!(all.statements.len() > 15, "{}", all.statements.len());
    let rep = all
        .statements
        .iter()
        .find(|s| s.plans.iter().any(|p| p.starts_with("ae@")))
        .unwrap()
        .person_id
        .clone();
    let other = all.statements.iter().find(|s| s.person_id != rep).unwrap().person_id.clone();
    let mine = team(app.statements(&as_role(Role::Rep, Some(&rep)), month(2017, 6)).await.unwrap());
    assert_eq!(mine.statements.iter().map(|s| s.person_id.as_str()).collect::<Vec<_>>(), vec![rep.as_str()]);
    assert_err!(
        app.statement(&as_role(Role::Rep, Some(&rep)), month(2017, 6), &other).await,
        AppError::NotFound
    );
    assert_err!(app.runs(&as_role(Role::Rep, Some(&rep))).await, AppError::Forbidden);
    assert_err!(app.calculate(&as_role(Role::Rep, Some(&rep)), month(2018, 1)).await, AppError::Forbidden);
    let manager = all.statements.iter().find(|s| s.plans.iter().any(|p| p.starts_with("manager@"))).unwrap();
    let managed = team(
        app.statements(&as_role(Role::Manager, Some(&manager.person_id)), month(2017, 6)).await.unwrap(),
    );
    assert!(
        managed.statements.len() > 1 && managed.statements.len() < all.statements.len(),
        "{}",
        managed.statements.len()
    );
    assert_eq!((managed.month.period, managed.month.status), (month(2017, 6), RunStatus::Closed));
    // Statement lines add up to the payout everywhere.
    for s in &all.statements {
        assert_eq!(s.lines.iter().map(|l| l.amount).sum::<Decimal>(), s.payout, "{}", s.person_id);
    }
    // The trace explains a line within scope, and is not found outside it.
    let trace =
        app.trace(&as_role(Role::Rep, Some(&rep)), month(2017, 6), &rep, "ae", "commission").await.unwrap();
    assert!(!trace.credits.is_empty());
    assert_err!(
        app.trace(&as_role(Role::Rep, Some(&other)), month(2017, 6), &rep, "ae", "commission").await,
        AppError::NotFound
    );

    // Re-running the unchanged open month gives the same statements from the same inputs.
    let first = company(app.statements(&admin, month(2018, 1)).await.unwrap());
    let again = app.calculate(&admin, month(2018, 1)).await.unwrap();
    assert_eq!(again.run.version, 2);
    assert_eq!(again.changed_payees, 0);
    // No closed month's inputs changed since December closed: none of the 24 is recalculated.
    assert_eq!(again.recalculated_months, []);
    assert_eq!(again.run.input_hash, first.run.input_hash);
    assert_eq!(app.statements(&admin, month(2018, 1)).await.unwrap().statements(), first.statements);
    let runs = app.runs(&admin).await.unwrap();
    assert_eq!(runs.iter().find(|r| r.id == first.run.id).unwrap().status, RunStatus::Superseded);

    // A comp admin's manual adjustment: a record with its reason and who entered it, paid by
    // the next run of the month.
    let comp_admin = as_role(Role::CompAdmin, None);
    let adjustment = |period: &str, amount: &str| NewAdjustment {
        person_id: rep.clone(),
        period: period.into(),
        amount: amount.into(),
        currency: None,
        reason: "Relocation bonus".into(),
    };
    assert_err!(
        app.add_adjustment(&as_role(Role::Rep, Some(&rep)), adjustment("2018-01", "250")).await,
        AppError::Forbidden
    );
    assert_err!(app.add_adjustment(&comp_admin, adjustment("2018-Q1", "250")).await, AppError::Invalid { field: Some(f), .. } if f == "period");
    assert_err!(
        app.add_adjustment(&comp_admin, adjustment("2018-01", "12.345")).await,
        AppError::Invalid { .. }
    );
    app.add_adjustment(&comp_admin, adjustment("2018-01", "250")).await.unwrap();
    app.calculate(&admin, month(2018, 1)).await.unwrap();
    let (_, january) = app.statement(&admin, month(2018, 1), &rep).await.unwrap();
    let line = january
        .lines
        .iter()
        .find(|l| l.kind == LineKind::Adjustment && l.label == "Relocation bonus")
        .unwrap();
    assert_eq!(line.amount, Decimal::from(250));
    assert!(line.explanation.contains("entered by test-comp_admin"), "{}", line.explanation);

    // Assigning another plan to the rep's position from a day on ends the current one that day.
    let position =
        attain_core::domain::position_of(&app.snapshot().data.assignments, &rep, date(2018, 1, 10))
            .unwrap()
            .to_string();
    let assign = |plan: &str, from: &str| NewPlanAssignment {
        position_id: position.clone(),
        plan_id: plan.into(),
        valid_from: from.into(),
    };
    assert_err!(app.assign_plan(&comp_admin, assign("nope", "2018-02-01")).await, AppError::Invalid { field: Some(f), .. } if f == "plan_id");
    assert_err!(app.assign_plan(&comp_admin, assign("se", "2018-02-30")).await, AppError::Invalid { field: Some(f), .. } if f == "valid_from");
    app.assign_plan(&comp_admin, assign("se", "2018-02-01")).await.unwrap();
    let snapshot = app.snapshot();
    let mut held: Vec<(String, String, Option<String>)> = snapshot
        .data
        .plan_assignments
        .iter()
        .filter(|a| a.position_id == position)
        .map(|a| (a.plan_id.clone(), a.validity.from.to_string(), a.validity.to.map(|d| d.to_string())))
        .collect();
    held.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(held.last().unwrap(), &("se".to_string(), "2018-02-01".to_string(), None));
    assert_eq!(held[held.len() - 2].0, "ae");
    assert_eq!(held[held.len() - 2].2.as_deref(), Some("2018-02-01"));
    assert_err!(app.assign_plan(&comp_admin, assign("ae", "2018-01-15")).await, AppError::Conflict(m) if m.contains("already has plan `se`"));
}

async fn closed_months_are_immutable_and_late_data_becomes_a_prior_period_line(store: Store, _: Db) {
    let app = demo(store).await;
    let admin = Actor::system();
    // A closed month cannot be run again, and only the last closed month can be reopened.
    assert_err!(app.calculate(&admin, month(2017, 5)).await, AppError::Conflict(m) if m.contains("reopen"));
    assert_err!(app.reopen_period(&admin, month(2017, 5), "typo").await, AppError::Conflict(m) if m.contains("2017-12"));
    assert_err!(app.reopen_period(&admin, month(2017, 12), "  ").await, AppError::Invalid { .. });

    // A late booking dated in closed November 2017 for a rep on the AE plan.
    let november = company(app.statements(&admin, month(2017, 11)).await.unwrap());
    let rep =
        november.statements.iter().find(|s| s.plans.iter().any(|p| p.starts_with("ae@"))).unwrap().clone();
    let csv = format!(
        "id,date,kind,currency,amount,cost,owner_id\nlate-1,2017-11-20,booking,USD,10000,2000,{}\n",
        rep.person_id
    );
    app.import_csv(&admin, Kind::Transactions, "late.csv", csv.as_bytes(), false).await.unwrap();
    let outcome = app.calculate(&admin, month(2018, 1)).await.unwrap();
    assert!(outcome.prior_period_lines >= 1, "{outcome:?}");
    // Only the fiscal year holding November is recalculated, not 2016.
    let fiscal_2017: Vec<Period> = (1..=12).map(|m| month(2017, m)).collect();
    assert_eq!(outcome.recalculated_months, fiscal_2017);
    let (_, january) = app.statement(&admin, month(2018, 1), &rep.person_id).await.unwrap();
    let prior: Vec<_> = january.lines.iter().filter(|l| l.kind == LineKind::PriorPeriod).collect();
    assert!(!prior.is_empty(), "{:#?}", january.lines);
    // The AE commission is quarter-to-date: the correction is for the fourth quarter as a whole.
    let q4 = Period::Quarter { fiscal_year: 2017, quarter: 4 };
    assert!(prior.iter().all(|l| l.of_period == Some(q4)), "{prior:#?}");
    assert!(prior.iter().map(|l| l.amount).sum::<Decimal>() > Decimal::ZERO);
    // What was paid for November is what November's statement still says.
    let (_, still) = app.statement(&admin, month(2017, 11), &rep.person_id).await.unwrap();
    assert_eq!(still, rep);

    // Reopen the last closed month: the closed run is kept; months after it wait for it.
    let (_, december_v1) = app.statement(&admin, month(2017, 12), &rep.person_id).await.unwrap();
    let reopened = app.reopen_period(&admin, month(2017, 12), "late deal").await.unwrap();
    assert_eq!(reopened.status, RunStatus::Reopened);
    assert_err!(app.calculate(&admin, month(2018, 1)).await, AppError::Conflict(m) if m.contains("2017-12"));
    let rerun = app.calculate(&admin, month(2017, 12)).await.unwrap();
    assert_eq!(rerun.run.version, 2);
    app.close_period(&admin, month(2017, 12), CloseRequest::default()).await.unwrap();
    // January's draft started from December's first version: it must be run again.
    let early =
        CloseRequest { before_month_end: true, reason: Some("test".into()), ..CloseRequest::default() };
    assert_err!(app.close_period(&admin, month(2018, 1), early).await, AppError::Conflict(m) if m.contains("run 2018-01 again"));
    let december: Vec<_> =
        app.runs(&admin).await.unwrap().into_iter().filter(|r| r.period == month(2017, 12)).collect();
    let statuses: Vec<RunStatus> = december.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![RunStatus::Closed, RunStatus::Reopened]);
    assert_eq!(december[1].reopen_reason.as_deref(), Some("late deal"));
    // December shares November's quarter: its quarter-to-date true-up now pays the late deal
    // (no separate prior-period line), and January no longer repeats it.
    let (_, december_v2) = app.statement(&admin, month(2017, 12), &rep.person_id).await.unwrap();
    let commission = |s: &attain_engine::pay::run::Statement| {
        s.lines
            .iter()
            .filter(|l| l.component.as_deref() == Some("commission"))
            .map(|l| l.amount)
            .sum::<Decimal>()
    };
    assert!(commission(&december_v2) > commission(&december_v1), "{:#?}", december_v2.lines);
    assert!(december_v2.lines.iter().all(|l| l.kind != LineKind::PriorPeriod), "{:#?}", december_v2.lines);
    app.calculate(&admin, month(2018, 1)).await.unwrap();
    let (_, january) = app.statement(&admin, month(2018, 1), &rep.person_id).await.unwrap();
    assert!(january.lines.iter().all(|l| l.kind != LineKind::PriorPeriod), "{:#?}", january.lines);
}

/// A plan paying `rate` of each month's bookings through a component called `commission`.
fn monthly_plan(id: &str, rate: &str) -> (String, String) {
    let text = format!(
        "id = \"{id}\"\nversion = 1\nvalid_from = \"2017-01-01\"\ncredit_on = \"booking\"\n\
         [measures.revenue]\nsum = \"amount\"\n\
         [[components]]\nid = \"commission\"\ntype = \"commission\"\nmeasure = \"revenue\"\n\
         mode = \"retroactive\"\ntiers = [{{ from = \"0\", rate = \"{rate}\" }}]\n"
    );
    (format!("{id}.toml"), text)
}

/// A payee holding two plans whose components share an id and label: a late deal in a closed
/// month is corrected once per plan, each prior-period line naming its plan.
async fn a_late_deal_is_corrected_on_each_of_two_concurrent_plans(store: Store, _: Db) {
    let app = App::new(store, Settings::default()).await.unwrap();
    let admin = Actor::system();
    let files: [(Kind, &str); 6] = [
        (
            Kind::Company,
            "id,name,base_currency,fiscal_year_start_month,fiscal_year_naming,time_zone\ncompany,Two Plans,USD,1,end_year,UTC\n",
        ),
        (Kind::People, "id,name,hire_date\nann,Ann,2016-01-04\n"),
        (Kind::Positions, "id,valid_from,title,role\np-a,2016-01-01,Rep,rep\n"),
        (Kind::Assignments, "id,person_id,position_id,valid_from\na1,ann,p-a,2016-01-04\n"),
        (
            Kind::PlanAssignments,
            "id,position_id,plan_id,valid_from\npa-rep,p-a,rep,2017-01-01\npa-club,p-a,club,2017-01-01\n",
        ),
        (Kind::Transactions, "id,date,kind,currency,amount,owner_id\nt1,2017-01-10,booking,USD,1000,ann\n"),
    ];
    for (kind, csv) in files {
        app.import_csv(&admin, kind, "data.csv", csv.as_bytes(), false).await.unwrap();
    }
    app.save_plans(&admin, vec![monthly_plan("rep", "10%"), monthly_plan("club", "5%")]).await.unwrap();
    app.calculate(&admin, month(2017, 1)).await.unwrap();
    app.close_period(&admin, month(2017, 1), CloseRequest::default()).await.unwrap();
    let (_, january) = app.statement(&admin, month(2017, 1), "ann").await.unwrap();
    let paid: Vec<(Option<&str>, Decimal)> =
        january.components().map(|l| (l.plan.as_deref(), l.amount)).collect();
    // Plan assignments are read in id order: pa-club, then pa-rep.
    assert_eq!(paid, [(Some("club"), Decimal::new(5000, 2)), (Some("rep"), Decimal::new(10000, 2))]);

    let late = "id,date,kind,currency,amount,owner_id\nt2,2017-01-20,booking,USD,2000,ann\n";
    app.import_csv(&admin, Kind::Transactions, "late.csv", late.as_bytes(), false).await.unwrap();
    app.calculate(&admin, month(2017, 2)).await.unwrap();
    let (_, february) = app.statement(&admin, month(2017, 2), "ann").await.unwrap();
    // Each plan's January recalculated: rep 3,000 × 10% = 300 instead of 100; club 3,000 × 5% =
    // 150 instead of 50.
    let prior: Vec<(Option<&str>, Option<&str>, Decimal)> = february
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::PriorPeriod)
        .map(|l| (l.plan.as_deref(), l.component.as_deref(), l.amount))
        .collect();
    assert_eq!(
        prior,
        [
            (Some("club"), Some("commission"), Decimal::new(10000, 2)),
            (Some("rep"), Some("commission"), Decimal::new(20000, 2)),
        ],
        "{:#?}",
        february.lines
    );
    assert_eq!(february.payout, Decimal::new(30000, 2));
}

on_both!(
    pay_history_scope_and_reruns,
    closed_months_are_immutable_and_late_data_becomes_a_prior_period_line,
    a_late_deal_is_corrected_on_each_of_two_concurrent_plans
);
