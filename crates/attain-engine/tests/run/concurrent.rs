//! Concurrent plans: a payee holding two plans at once is paid on each, on its own credits,
//! quotas and windows (one position with two plans, two positions, a change beside a plan).

use super::*;

/// A second plan whose component has the same id (and so the same label) as the rep plan's: a
/// monthly commission on the month's quota, 5% below it and 8% on everything from 100%.
const CLUB_PLAN: &str = r#"
id = "club"
version = 1
valid_from = "2016-01-01"
credit_on = "booking"
[measures.revenue]
sum = "amount"
credit = ["direct"]
[[components]]
id = "commission"
type = "commission"
measure = "revenue"
quota = "revenue"
scope = "month"
mode = "retroactive"
tiers = [ { from = "0%", rate = "5%" }, { from = "100%", rate = "8%" } ]
"#;

fn plan_assignment(id: &str, position: &str, plan: &str, from: Date, to: Option<Date>) -> PlanAssignment {
    PlanAssignment {
        id: id.into(),
        position_id: position.into(),
        plan_id: plan.into(),
        validity: until(from, to),
    }
}

/// The component line of `plan` on a statement.
fn line_of<'a>(s: &'a Statement, plan: &str) -> &'a attain_engine::pay::run::Line {
    s.components().find(|l| l.plan.as_deref() == Some(plan)).unwrap_or_else(|| panic!("{plan}: {s:#?}"))
}

#[test]
fn one_position_with_two_plans_over_the_same_days_pays_both() {
    let mut d = world();
    d.plan_assignments.push(plan_assignment("pa4", "p-a", "club", date(2016, 1, 1), None));
    d.transactions = vec![book(date(2017, 1, 10), "t1", "ann", dec!(12000))];
    let plan_book = plans(&[REP_PLAN, MANAGER_PLAN, CLUB_PLAN]);
    let months = run(&d, &plan_book, month(2017, 1));
    let jan = statement(&months, month(2017, 1), "ann");
    assert_eq!(jan.plans, ["rep@1", "club@1"]);
    // rep (qtd): Q1 quota 3 × 10,000 = 30,000; 12,000 × 10% = 1,200.
    let rep = line_of(jan, "rep");
    assert_eq!((rep.measure, rep.quota, rep.amount), (Some(dec!(12000)), Some(dec!(30000)), dec!(1200)));
    // club (month): January's quota of p-a, 10,000; 120% reaches tier 2: 12,000 × 8% = 960.
    let club = line_of(jan, "club");
    assert_eq!((club.measure, club.quota, club.tier), (Some(dec!(12000)), Some(dec!(10000)), Some(2)));
    assert_eq!(club.amount, dec!(960));
    assert_eq!((club.component.as_deref(), club.label.as_str()), (Some("commission"), "commission"));
    assert_eq!(jan.payout, dec!(2160));
    // Each plan keeps its own window: February pays the rep true-up and club's own month.
    d.transactions.push(book(date(2017, 2, 10), "t2", "ann", dec!(6000)));
    let months = run(&d, &plan_book, month(2017, 2));
    let feb = statement(&months, month(2017, 2), "ann");
    // rep: 18,000 × 10% = 1,800, less 1,200 paid; club: 6,000 is 60% of 10,000: 5% = 300.
    assert_eq!((line_of(feb, "rep").amount, line_of(feb, "club").amount), (dec!(600), dec!(300)));
    assert_eq!(feb.payout, dec!(900));
    // The trace works per plan: the same component id explains each plan's own numbers.
    let prepared = Prepared::new(&d, &plan_book).unwrap();
    let traces = prepared.statement_traces(jan).unwrap();
    let named: Vec<(&str, &str, Decimal)> =
        traces.iter().map(|t| (t.plan.as_str(), t.component.as_str(), t.earned)).collect();
    assert_eq!(named, [("rep@1", "commission", dec!(1200)), ("club@1", "commission", dec!(960))]);
    assert_eq!(traces[1].credits.len(), 1);
    assert_eq!(traces[1].quota, Some(dec!(10000)));
}

#[test]
fn a_person_in_two_positions_is_paid_on_each_position_s_plan_and_quota() {
    let mut d = world();
    // Ann also holds p-x, a seat of its own with the club plan and a January quota of 20,000.
    d.positions.push(Position {
        id: "p-x".into(),
        validity: until(date(2016, 1, 1), None),
        title: "p-x".into(),
        role: Role::Rep,
        team: None,
        region: None,
        reports_to: None,
    });
    d.assignments.push(Assignment {
        id: "a4".into(),
        person_id: "ann".into(),
        position_id: "p-x".into(),
        validity: until(date(2016, 1, 1), None),
    });
    d.plan_assignments.push(plan_assignment("pa4", "p-x", "club", date(2016, 1, 1), None));
    d.quotas.push(Quota {
        id: "q-x-1".into(),
        position_id: "p-x".into(),
        measure: "revenue".into(),
        period: month(2017, 1),
        amount: dec!(20000),
        currency: Some(Currency::USD),
        sheet_id: None,
    });
    d.transactions = vec![book(date(2017, 1, 10), "t1", "ann", dec!(12000))];
    let plan_book = plans(&[REP_PLAN, MANAGER_PLAN, CLUB_PLAN]);
    let months = run(&d, &plan_book, month(2017, 1));
    let jan = statement(&months, month(2017, 1), "ann");
    // rep through p-a: Q1 quota 30,000 (p-a's months only); 12,000 × 10% = 1,200.
    let rep = line_of(jan, "rep");
    assert_eq!((rep.quota, rep.amount), (Some(dec!(30000)), dec!(1200)));
    // club through p-x: its own quota of 20,000 (not p-a's 10,000); 60% stays in tier 1:
    // 12,000 × 5% = 600.
    let club = line_of(jan, "club");
    assert_eq!((club.quota, club.tier, club.amount), (Some(dec!(20000)), Some(1), dec!(600)));
    assert_eq!(jan.payout, dec!(1800));
    let trace =
        Prepared::new(&d, &plan_book).unwrap().trace("ann", month(2017, 1), "club", "commission").unwrap();
    let positions: Vec<&str> = trace.quota_parts.iter().map(|q| q.position.as_str()).collect();
    assert_eq!(positions, ["p-x"]);
}

#[test]
fn a_plan_change_mid_month_beside_a_concurrent_plan_pays_each_on_its_own_days() {
    let mut d = world();
    let old =
        REP_PLAN.replace("id = \"rep\"", "id = \"old\"").replace("scope = \"qtd\"", "scope = \"month\"");
    let new = REP_PLAN
        .replace("id = \"rep\"", "id = \"new\"")
        .replace("scope = \"qtd\"", "scope = \"month\"")
        .replace("rate = \"10%\"", "rate = \"15%\"");
    // p-a: `old` until 16 January, `new` from then; `club` all month.
    d.plan_assignments.retain(|pa| pa.position_id != "p-a");
    d.plan_assignments.push(plan_assignment(
        "pa-old",
        "p-a",
        "old",
        date(2016, 1, 1),
        Some(date(2017, 1, 16)),
    ));
    d.plan_assignments.push(plan_assignment("pa-club", "p-a", "club", date(2016, 1, 1), None));
    d.plan_assignments.push(plan_assignment("pa-new", "p-a", "new", date(2017, 1, 16), None));
    d.transactions = vec![
        book(date(2017, 1, 10), "t1", "ann", dec!(12000)),
        book(date(2017, 1, 20), "t2", "ann", dec!(6000)),
    ];
    let plan_book = plans(&[&old, &new, REP_PLAN, MANAGER_PLAN, CLUB_PLAN]);
    let months = run(&d, &plan_book, month(2017, 1));
    let jan = statement(&months, month(2017, 1), "ann");
    // old, held 1–15 January (15 of 31 days): t1 only; quota 10,000 × 15/31.
    let old_line = line_of(jan, "old");
    assert_eq!(old_line.measure, Some(dec!(12000)));
    assert_eq!(old_line.quota.map(|q| q.round_dp(2)), Some(dec!(4838.71)));
    // 12,000 is above that quota: 10% of the quota + 20% of the rest
    // = 4838.709677… × 10% + (12,000 − 4838.709677…) × 20% = 483.87 + 1432.26 = 1916.13.
    assert_eq!(old_line.amount, dec!(1916.13));
    // new, held 16–31 January (16 days): t2 only; quota 10,000 × 16/31 = 5161.29…; 6,000 is
    // above it: 5161.29… × 15% + 838.70… × 20% = 774.19 + 167.74 = 941.94.
    let new_line = line_of(jan, "new");
    assert_eq!(new_line.measure, Some(dec!(6000)));
    assert_eq!(new_line.amount, dec!(941.94));
    // club, held all month: both, 18,000 on its 10,000 quota: 180% → 8% of 18,000 = 1,440.
    let club = line_of(jan, "club");
    assert_eq!((club.measure, club.amount), (Some(dec!(18000)), dec!(1440)));
    assert_eq!(jan.payout, dec!(1916.13) + dec!(941.94) + dec!(1440));
}
