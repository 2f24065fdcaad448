//! Who sees which compensation inputs, on the company of `scope.rs`: quotas and plan
//! assignments follow the position (effective-dated, so a reorg moves them), splits,
//! adjustments and objective scores follow the person over the days the row is about.

use attain_app::Role;
use attain_app::snapshot::Snapshot;
use attain_core::domain::{Adjustment, CreditRole, CreditSplit, ObjectiveScore, PlanAssignment, Quota};
use attain_core::{Currency, Dataset, FiscalCalendar, FiscalYearNaming, Kind, Money, Period, Validity};
use jiff::civil::date;
use rust_decimal::Decimal;

use crate::scope::{MOVE_DAY, Move, as_person, org, seen};

fn quota(id: &str, position: &str, period: &str) -> Quota {
    Quota {
        id: id.into(),
        position_id: position.into(),
        measure: "revenue".into(),
        period: Period::parse(period).unwrap(),
        amount: Decimal::from(50_000),
        currency: Some(Currency::USD),
        sheet_id: None,
    }
}

fn split(id: &str, opportunity: &str, person: &str, percent: i64) -> CreditSplit {
    CreditSplit {
        id: id.into(),
        opportunity_id: opportunity.into(),
        person_id: person.into(),
        role: CreditRole::Primary,
        percent: Decimal::from(percent),
    }
}

fn adjustment(id: &str, person: &str, month: &str) -> Adjustment {
    Adjustment {
        id: id.into(),
        person_id: person.into(),
        period: Period::parse(month).unwrap(),
        currency: Currency::USD,
        amount: Money::parse("-120", Currency::USD).unwrap(),
        reason: "Correction".into(),
        entered_by: Some("comp.admin".into()),
    }
}

fn score(id: &str, person: &str, period: &str) -> ObjectiveScore {
    ObjectiveScore {
        id: id.into(),
        person_id: person.into(),
        period: Period::parse(period).unwrap(),
        objective: "pipeline_hygiene".into(),
        score: Decimal::from(85),
    }
}

/// The scope company with compensation inputs. Raj moves from Alice's team to Bruno's on
/// 2017-07-01; with `Move::NewPosition` he changes seat (pos-r1 → pos-r2), with `Move::Reorg`
/// his seat pos-r1 moves under Bruno.
fn company(how: Move) -> Dataset {
    let mut d = org(how);
    d.quotas.extend([
        quota("q-r1-mar", "pos-r1", "2017-03"),
        quota("q-r1-aug", "pos-r1", "2017-08"),
        quota("q-s-q1", "pos-s", "2017-Q1"),
        quota("q-ops", "pos-ops", "FY2017"),
    ]);
    if how == Move::NewPosition {
        d.quotas.push(quota("q-r2-aug", "pos-r2", "2017-08"));
    }
    d.plan_assignments.extend([
        PlanAssignment {
            id: "pa-r1".into(),
            position_id: "pos-r1".into(),
            plan_id: "ae".into(),
            validity: Validity::new(date(2017, 1, 1), Some(MOVE_DAY)).unwrap(),
        },
        PlanAssignment {
            id: "pa-ma".into(),
            position_id: "pos-ma".into(),
            plan_id: "manager".into(),
            validity: Validity::open_from(date(2017, 1, 1)),
        },
    ]);
    d.credit_splits.extend([
        // o-raj-early is worked before the move, o-raj-late after it; o-tina is Bruno's deal,
        // shared with Sam from Alice's team.
        split("cs-raj-early", "o-raj-early", "raj", 100),
        split("cs-raj-late", "o-raj-late", "raj", 100),
        split("cs-tina", "o-tina", "tina", 60),
        split("cs-sam", "o-tina", "sam", 40),
    ]);
    d.adjustments.extend([
        adjustment("adj-raj-jun", "raj", "2017-06"),
        adjustment("adj-raj-jul", "raj", "2017-07"),
        adjustment("adj-fiona", "fiona", "2017-07"),
    ]);
    d.objective_scores.extend([
        score("os-raj-q2", "raj", "2017-Q2"),
        score("os-raj-q4", "raj", "2017-Q4"),
        // The year spans the move: both managers had Raj part of it.
        score("os-raj-fy", "raj", "FY2017"),
        score("os-alice-q2", "alice", "2017-Q2"),
    ]);
    d.sort();
    d
}

fn ids(list: &[&str]) -> std::collections::BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn managers_see_the_inputs_of_their_team_for_the_time_it_was_theirs() {
    for how in [Move::NewPosition, Move::Reorg] {
        let snapshot = Snapshot::new(company(how));
        let alice = as_person(Role::Manager, Some("alice"));
        let bruno = as_person(Role::Manager, Some("bruno"));
        let vera = as_person(Role::Manager, Some("vera"));
        // The seat pos-r1 stays under Alice when Raj changes seat; a reorg moves it to Bruno.
        let (alice_quotas, bruno_quotas): (&[&str], &[&str]) = match how {
            Move::NewPosition => (&["q-r1-aug", "q-r1-mar", "q-s-q1"], &["q-r2-aug"]),
            Move::Reorg => (&["q-r1-mar", "q-s-q1"], &["q-r1-aug"]),
        };
        let expected = [
            (&alice, Kind::Quotas, alice_quotas),
            (&bruno, Kind::Quotas, bruno_quotas),
            (&alice, Kind::PlanAssignments, &["pa-ma", "pa-r1"][..]),
            (&bruno, Kind::PlanAssignments, &[][..]),
            (&alice, Kind::CreditSplits, &["cs-raj-early", "cs-sam"][..]),
            (&bruno, Kind::CreditSplits, &["cs-raj-late", "cs-tina"][..]),
            (&alice, Kind::Adjustments, &["adj-raj-jun"][..]),
            (&bruno, Kind::Adjustments, &["adj-raj-jul"][..]),
            (&alice, Kind::ObjectiveScores, &["os-alice-q2", "os-raj-fy", "os-raj-q2"][..]),
            (&bruno, Kind::ObjectiveScores, &["os-raj-fy", "os-raj-q4"][..]),
        ];
        for (actor, kind, wanted) in expected {
            let who = format!("{} ({how:?})", actor.person_id.as_deref().unwrap_or_default());
            assert_eq!(seen(&snapshot, actor, kind), ids(wanted), "{who}: {kind}");
        }
        // Above both managers, everything in the org and nothing of Fiona's.
        assert!(!seen(&snapshot, &vera, Kind::Quotas).contains("q-ops"));
        assert!(!seen(&snapshot, &vera, Kind::Adjustments).contains("adj-fiona"));
        assert_eq!(seen(&snapshot, &vera, Kind::CreditSplits).len(), 4, "{how:?}");
    }
}

#[test]
fn a_rep_sees_only_their_own_seat_and_themselves() {
    let snapshot = Snapshot::new(company(Move::NewPosition));
    let raj = as_person(Role::Rep, Some("raj"));
    let expected: [(Kind, &[&str]); 5] = [
        // pos-r1's August quota is for whoever sat there after Raj left.
        (Kind::Quotas, &["q-r1-mar", "q-r2-aug"]),
        (Kind::PlanAssignments, &["pa-r1"]),
        (Kind::CreditSplits, &["cs-raj-early", "cs-raj-late"]),
        (Kind::Adjustments, &["adj-raj-jul", "adj-raj-jun"]),
        (Kind::ObjectiveScores, &["os-raj-fy", "os-raj-q2", "os-raj-q4"]),
    ];
    for (kind, wanted) in expected {
        assert_eq!(seen(&snapshot, &raj, kind), ids(wanted), "raj: {kind}");
    }
    // A split on a colleague's deal is visible to the person it credits, not to the owner.
    let sam = as_person(Role::Rep, Some("sam"));
    let tina = as_person(Role::Rep, Some("tina"));
    assert_eq!(seen(&snapshot, &sam, Kind::CreditSplits), ids(&["cs-sam"]));
    assert_eq!(seen(&snapshot, &tina, Kind::CreditSplits), ids(&["cs-tina"]));
    assert_eq!(seen(&snapshot, &sam, Kind::Quotas), ids(&["q-s-q1"]));
}

#[test]
fn whole_company_roles_see_every_input() {
    let snapshot = Snapshot::new(company(Move::NewPosition));
    for role in [Role::Admin, Role::CompAdmin, Role::Finance, Role::Executive] {
        let actor = as_person(role, None);
        for kind in [Kind::Quotas, Kind::PlanAssignments, Kind::CreditSplits, Kind::Adjustments] {
            assert_eq!(seen(&snapshot, &actor, kind).len(), snapshot.data.len(kind), "{role}: {kind}");
        }
    }
}

#[test]
fn periods_are_read_in_the_companys_fiscal_calendar() {
    // With a fiscal year from July, named for the year it ends, 2017-Q4 is April–June 2017:
    // before Raj's move, so Alice's, not Bruno's.
    let mut data = company(Move::NewPosition);
    data.company[0].calendar = FiscalCalendar::new(7, FiscalYearNaming::EndYear).unwrap();
    let snapshot = Snapshot::new(data);
    let alice = seen(&snapshot, &as_person(Role::Manager, Some("alice")), Kind::ObjectiveScores);
    let bruno = seen(&snapshot, &as_person(Role::Manager, Some("bruno")), Kind::ObjectiveScores);
    assert!(alice.contains("os-raj-q4") && !bruno.contains("os-raj-q4"), "alice {alice:?}, bruno {bruno:?}");
}
