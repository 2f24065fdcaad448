//! Period runs on small hand-built companies, with hand-worked numbers: true-ups, proration on
//! a mid-quarter hire, roll-up without duplicate credit, clawbacks and re-bookings, refunds,
//! draws and negative balances; and the invariants (lines sum to the payout, a re-run of the
//! same inputs is identical).

use attain_core::domain::*;
use attain_core::{Currency, Dataset, Date, FiscalCalendar, Money, Period, Validity};
use attain_engine::plan::{CreditRules, PlanBook, load_plan};
use attain_engine::run::{Carry, LineKind, Prepared, Statement};
use jiff::civil::date;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const REP_PLAN: &str = r#"
id = "rep"
version = 1
valid_from = "2016-01-01"
credit_on = "booking"
clawback_days = 90
target_incentive = "12000"
[measures.revenue]
sum = "amount"
credit = ["direct"]
[[components]]
id = "commission"
type = "commission"
measure = "revenue"
quota = "revenue"
scope = "qtd"
mode = "marginal"
tiers = [ { from = "0%", rate = "10%" }, { from = "100%", rate = "20%" } ]
"#;

const MANAGER_PLAN: &str = r#"
id = "mgr"
version = 1
valid_from = "2016-01-01"
credit_on = "booking"
[measures.team]
sum = "amount"
credit = ["rollup"]
[[components]]
id = "override"
type = "commission"
measure = "team"
scope = "month"
mode = "retroactive"
tiers = [ { from = "0", rate = "2%" } ]
"#;

fn usd(amount: Decimal) -> Money {
    Money::new(amount, Currency::USD).unwrap()
}

fn until(from: Date, to: Option<Date>) -> Validity {
    Validity::new(from, to).unwrap()
}

/// A company with a manager (max) over two reps: ann (from 2016) and bob (hired 15 Feb 2017).
fn world() -> Dataset {
    let mut d = Dataset::default();
    d.company.push(Company {
        id: Company::ID.into(),
        name: "Test".into(),
        base_currency: Currency::USD,
        calendar: FiscalCalendar::default(),
        time_zone: "UTC".into(),
    });
    for (id, hired) in [("max", date(2016, 1, 1)), ("ann", date(2016, 1, 1)), ("bob", date(2017, 2, 15))] {
        d.people.push(Person {
            id: id.into(),
            name: id.to_uppercase(),
            email: None,
            hire_date: hired,
            termination_date: None,
            pay_currency: None,
        });
    }
    for (id, role, boss) in
        [("p-mgr", Role::Manager, None), ("p-a", Role::Rep, Some("p-mgr")), ("p-b", Role::Rep, Some("p-mgr"))]
    {
        d.positions.push(Position {
            id: id.into(),
            validity: until(date(2016, 1, 1), None),
            title: id.into(),
            role,
            team: None,
            region: None,
            reports_to: boss.map(Into::into),
        });
    }
    for (id, person, position, from) in [
        ("a1", "max", "p-mgr", date(2016, 1, 1)),
        ("a2", "ann", "p-a", date(2016, 1, 1)),
        ("a3", "bob", "p-b", date(2017, 2, 15)),
    ] {
        d.assignments.push(Assignment {
            id: id.into(),
            person_id: person.into(),
            position_id: position.into(),
            validity: until(from, None),
        });
    }
    for (id, position, plan) in [("pa1", "p-mgr", "mgr"), ("pa2", "p-a", "rep"), ("pa3", "p-b", "rep")] {
        d.plan_assignments.push(PlanAssignment {
            id: id.into(),
            position_id: position.into(),
            plan_id: plan.into(),
            validity: until(date(2016, 1, 1), None),
        });
    }
    for month in 1..=12 {
        for position in ["p-a", "p-b"] {
            d.quotas.push(Quota {
                id: format!("q-{position}-{month}"),
                position_id: position.into(),
                measure: "revenue".into(),
                period: Period::Month { year: 2017, month },
                amount: dec!(10000),
                currency: Some(Currency::USD),
            });
        }
    }
    d
}

fn book(day: Date, id: &str, owner: &str, amount: Decimal) -> Transaction {
    Transaction {
        id: id.into(),
        date: day,
        kind: if amount < Decimal::ZERO { TransactionKind::Cancellation } else { TransactionKind::Booking },
        account_id: None,
        product_id: None,
        quantity: None,
        currency: Currency::USD,
        amount: usd(amount),
        cost: None,
        opportunity_id: None,
        original_id: None,
        owner_id: Some(owner.into()),
    }
}

fn cancel(day: Date, id: &str, original: &str, owner: &str, amount: Decimal) -> Transaction {
    Transaction {
        original_id: Some(original.into()),
        kind: TransactionKind::Cancellation,
        ..book(day, id, owner, -amount)
    }
}

fn plans(texts: &[&str]) -> PlanBook {
    let plans =
        texts.iter().enumerate().map(|(i, t)| load_plan(&format!("plan{i}.toml"), t).unwrap()).collect();
    PlanBook::new(plans, CreditRules::default()).unwrap()
}

fn month(y: i16, m: i8) -> Period {
    Period::Month { year: y, month: m }
}

/// Statements of every month from January 2017 through `last`, by month then person.
fn run(d: &Dataset, book: &PlanBook, last: Period) -> Vec<(Period, Vec<Statement>)> {
    Prepared::new(d, book).unwrap().run_months(month(2017, 1), last).unwrap()
}

fn payout(months: &[(Period, Vec<Statement>)], m: Period, person: &str) -> Decimal {
    statement(months, m, person).payout
}

fn statement<'a>(months: &'a [(Period, Vec<Statement>)], m: Period, person: &str) -> &'a Statement {
    let (_, list) = months.iter().find(|(p, _)| *p == m).expect("month was run");
    list.iter().find(|s| s.person_id == person).expect("person has a statement")
}

#[test]
fn a_quarter_to_date_commission_pays_monthly_true_ups_and_accelerates_above_quota() {
    let mut d = world();
    d.transactions = vec![
        book(date(2017, 1, 10), "t1", "ann", dec!(12000)),
        book(date(2017, 2, 10), "t2", "ann", dec!(15000)),
        book(date(2017, 3, 10), "t3", "ann", dec!(5000)),
    ];
    let months = run(&d, &plans(&[REP_PLAN, MANAGER_PLAN]), month(2017, 3));
    // Quarter quota 30,000. Jan: 12,000 × 10% = 1,200. Feb: 27,000 × 10% = 2,700, less 1,200.
    // Mar: 30,000 × 10% + 2,000 × 20% = 3,400, less 2,700.
    assert_eq!(payout(&months, month(2017, 1), "ann"), dec!(1200));
    assert_eq!(payout(&months, month(2017, 2), "ann"), dec!(1500));
    assert_eq!(payout(&months, month(2017, 3), "ann"), dec!(700));
    let march = statement(&months, month(2017, 3), "ann");
    let line = march.components().next().unwrap();
    assert_eq!(line.attainment, Some(dec!(32000) / dec!(30000)));
    assert_eq!(line.tier, Some(2));
    assert!(line.explanation.contains("less 2700 paid earlier in the window"), "{}", line.explanation);
}

#[test]
fn a_mid_quarter_hire_gets_the_share_of_the_quarter_quota_for_the_days_held() {
    let mut d = world();
    // Bob is hired on 15 Feb: he holds his seat 45 of Q1's 90 days, so his Q1 quota is 15,000.
    d.transactions = vec![book(date(2017, 3, 1), "t1", "bob", dec!(15000))];
    let months = run(&d, &plans(&[REP_PLAN, MANAGER_PLAN]), month(2017, 3));
    let line = statement(&months, month(2017, 3), "bob").components().next().unwrap().clone();
    assert_eq!(line.quota, Some(dec!(15000)));
    assert_eq!(line.attainment, Some(Decimal::ONE));
    assert_eq!(line.amount, dec!(1500));
    // Before his start he has no statement at all.
    let (_, january) = &months[0];
    assert!(january.iter().all(|s| s.person_id != "bob"));
}

#[test]
fn a_split_deal_between_two_reps_of_one_manager_credits_the_manager_once() {
    let mut d = world();
    d.opportunities.push(Opportunity {
        id: "o1".into(),
        name: None,
        account_id: None,
        owner_id: "ann".into(),
        product_id: None,
        currency: Currency::USD,
        amount: None,
        stage: "won".into(),
        status: DealStatus::Won,
        probability: None,
        expected_close: None,
        deal_type: None,
        channel: None,
        created_on: None,
        closed_on: None,
        close_reason: None,
    });
    for (id, person) in [("s1", "ann"), ("s2", "bob")] {
        d.credit_splits.push(CreditSplit {
            id: id.into(),
            opportunity_id: "o1".into(),
            person_id: person.into(),
            role: CreditRole::Primary,
            percent: dec!(50),
        });
    }
    d.transactions = vec![Transaction {
        opportunity_id: Some("o1".into()),
        ..book(date(2017, 3, 1), "t1", "ann", dec!(20000))
    }];
    let book = plans(&[REP_PLAN, MANAGER_PLAN]);
    let months = run(&d, &book, month(2017, 3));
    let m = month(2017, 3);
    assert_eq!(statement(&months, m, "ann").components().next().unwrap().measure, Some(dec!(10000)));
    assert_eq!(statement(&months, m, "bob").components().next().unwrap().measure, Some(dec!(10000)));
    // 20,000 once, not 2 × 10,000 twice: 2% of 20,000.
    let max = statement(&months, m, "max").components().next().unwrap().clone();
    assert_eq!(max.measure, Some(dec!(20000)));
    assert_eq!(max.amount, dec!(400));
    // The trace names the one transaction, credited once at 100%, through both reps' seats.
    let trace = Prepared::new(&d, &book).unwrap().trace("max", m, "mgr", "override").unwrap();
    assert_eq!(trace.credits.len(), 1);
    let credit = &trace.credits[0];
    assert_eq!((credit.transaction.as_str(), credit.share, credit.value), ("t1", Decimal::ONE, dec!(20000)));
    assert_eq!(credit.why, "roll-up (100%) from ANN via p-a → p-mgr; BOB via p-b → p-mgr");
    assert_eq!(trace.measure_total, Some(dec!(20000)));
    assert_eq!(trace.earned, dec!(400));
    let ann = Prepared::new(&d, &book).unwrap().trace("ann", m, "rep", "commission").unwrap();
    assert_eq!(ann.credits[0].why, "splits (50%)");
    assert_eq!(ann.quota, Some(dec!(30000)));
    assert_eq!(ann.quota_parts.len(), 3);
    assert_eq!(ann.tiers.len(), 1);
    assert_eq!((ann.tiers[0].slice, ann.tiers[0].paid), (dec!(10000), dec!(1000)));
}

#[test]
fn splits_that_do_not_total_one_hundred_percent_stop_the_run_naming_the_deal() {
    let mut d = world();
    d.credit_splits.push(CreditSplit {
        id: "s1".into(),
        opportunity_id: "o9".into(),
        person_id: "ann".into(),
        role: CreditRole::Primary,
        percent: dec!(60),
    });
    d.transactions = vec![Transaction {
        opportunity_id: Some("o9".into()),
        ..book(date(2017, 3, 1), "t1", "ann", dec!(100))
    }];
    let book = plans(&[REP_PLAN]);
    let error = Prepared::new(&d, &book).unwrap_err().to_string();
    assert_eq!(error, "opportunity o9: split shares total 60%, not 100%");
}

#[test]
fn a_cancellation_in_a_later_quarter_claws_back_at_the_rate_the_original_earned() {
    let mut d = world();
    d.transactions = vec![
        book(date(2017, 1, 10), "t1", "ann", dec!(40000)),
        // 85 days after its booking: inside the 90-day window.
        cancel(date(2017, 4, 5), "t2", "t1", "ann", dec!(10000)),
        book(date(2017, 4, 20), "t3", "ann", dec!(5000)),
    ];
    let months = run(&d, &plans(&[REP_PLAN, MANAGER_PLAN]), month(2017, 4));
    // Q1 earned 30,000 × 10% + 10,000 × 20% = 5,000 on 40,000: an effective 12.5%.
    let april = statement(&months, month(2017, 4), "ann");
    let clawback = april.lines.iter().find(|l| l.kind == LineKind::Clawback).expect("a clawback line");
    assert_eq!(clawback.amount, dec!(-1250));
    assert!(clawback.explanation.contains("reverses booking t1"), "{}", clawback.explanation);
    // April's own commission is not reduced by the cancellation: 5,000 × 10%.
    assert_eq!(april.components().next().unwrap().amount, dec!(500));
    assert_eq!(april.payout, dec!(-750) + dec!(750));
    assert_eq!(april.balance_carried, dec!(-750));
}

#[test]
fn a_clawback_is_taken_once_not_again_in_later_months_of_the_window() {
    let mut d = world();
    d.transactions = vec![
        book(date(2017, 1, 10), "t1", "ann", dec!(40000)),
        cancel(date(2017, 4, 5), "t2", "t1", "ann", dec!(10000)),
    ];
    let months = run(&d, &plans(&[REP_PLAN, MANAGER_PLAN]), month(2017, 6));
    let clawbacks: Vec<Period> = months
        .iter()
        .filter(|(_, list)| {
            list.iter().any(|s| s.person_id == "ann" && s.lines.iter().any(|l| l.kind == LineKind::Clawback))
        })
        .map(|(m, _)| *m)
        .collect();
    assert_eq!(clawbacks, vec![month(2017, 4)]);
}

#[test]
fn a_cap_on_a_quarter_to_date_component_caps_the_quarter() {
    let plan = REP_PLAN.replace("mode = \"marginal\"", "mode = \"marginal\"\ncap = \"2000\"");
    let mut d = world();
    d.transactions = vec![
        book(date(2017, 1, 10), "t1", "ann", dec!(15000)),
        book(date(2017, 2, 10), "t2", "ann", dec!(15000)),
    ];
    let months = run(&d, &plans(&[&plan, MANAGER_PLAN]), month(2017, 3));
    // Jan earns 1,500; Feb would bring the quarter to 3,000 but the cap holds it at 2,000.
    assert_eq!(payout(&months, month(2017, 1), "ann"), dec!(1500));
    assert_eq!(payout(&months, month(2017, 2), "ann"), dec!(500));
    assert_eq!(payout(&months, month(2017, 3), "ann"), Decimal::ZERO);
}

#[test]
fn a_cancellation_after_the_clawback_window_takes_nothing_back() {
    let mut d = world();
    d.transactions = vec![
        book(date(2017, 1, 10), "t1", "ann", dec!(10000)),
        cancel(date(2017, 5, 1), "t2", "t1", "ann", dec!(10000)),
    ];
    let months = run(&d, &plans(&[REP_PLAN, MANAGER_PLAN]), month(2017, 5));
    let may = statement(&months, month(2017, 5), "ann");
    assert!(may.lines.iter().all(|l| l.kind != LineKind::Clawback));
    assert_eq!(may.payout, Decimal::ZERO);
}

#[test]
fn a_clawback_then_a_re_booking_in_the_same_quarter_nets_to_the_deal_once() {
    let mut d = world();
    d.transactions = vec![
        book(date(2017, 1, 10), "t1", "ann", dec!(10000)),
        cancel(date(2017, 2, 1), "t2", "t1", "ann", dec!(10000)),
        book(date(2017, 2, 3), "t3", "ann", dec!(10000)),
    ];
    let months = run(&d, &plans(&[REP_PLAN, MANAGER_PLAN]), month(2017, 3));
    let total: Decimal = ["ann"]
        .iter()
        .flat_map(|p| (1..=3).map(move |m| (m, *p)))
        .map(|(m, p)| payout(&months, month(2017, m), p))
        .sum();
    // One 10,000 deal at 10%, whatever happened on the way.
    assert_eq!(total, dec!(1000));
    assert_eq!(payout(&months, month(2017, 2), "ann"), Decimal::ZERO);
}

#[test]
fn draws_top_up_new_hires_and_are_recovered_from_later_earnings() {
    let plan = REP_PLAN.replace(
        "[measures.revenue]",
        "[draw]\namount = \"1000\"\nmonths = 2\nrecoverable = true\n[measures.revenue]",
    );
    let mut d = world();
    d.transactions = vec![
        book(date(2017, 2, 20), "t1", "bob", dec!(2000)),
        book(date(2017, 4, 20), "t2", "bob", dec!(15000)),
    ];
    let months = run(&d, &plans(&[&plan, MANAGER_PLAN]), month(2017, 4));
    // February: earned 200, the draw tops up 800. March: earned 0, tops up 1,000.
    let feb = statement(&months, month(2017, 2), "bob");
    assert_eq!(feb.payout, dec!(1000));
    assert_eq!(feb.draw_outstanding, dec!(800));
    assert_eq!(payout(&months, month(2017, 3), "bob"), dec!(1000));
    // April (past the draw months): earned 1,500, of which the outstanding 1,800 takes all.
    let april = statement(&months, month(2017, 4), "bob");
    assert_eq!(april.payout, Decimal::ZERO);
    assert_eq!(april.draw_outstanding, dec!(300));
}

#[test]
fn refunds_on_an_invoice_basis_reduce_the_measure_with_their_sign() {
    let plan = REP_PLAN.replace("credit_on = \"booking\"", "credit_on = \"invoice\"");
    let mut d = world();
    let invoice =
        Transaction { kind: TransactionKind::Invoice, ..book(date(2017, 1, 5), "i1", "ann", dec!(8000)) };
    let refund = Transaction {
        kind: TransactionKind::Return,
        original_id: Some("i1".into()),
        ..book(date(2017, 1, 25), "r1", "ann", dec!(-3000))
    };
    d.transactions = vec![book(date(2017, 1, 2), "b1", "ann", dec!(8000)), invoice, refund];
    let months = run(&d, &plans(&[&plan, MANAGER_PLAN]), month(2017, 1));
    let line = statement(&months, month(2017, 1), "ann").components().next().unwrap().clone();
    // The booking does not count on an invoice basis; the return is −3,000.
    assert_eq!(line.measure, Some(dec!(5000)));
    assert_eq!(line.amount, dec!(500));
}

fn deals() -> impl Strategy<Value = Vec<(i8, u8, i64, bool)>> {
    proptest::collection::vec((1i8..=6, 1u8..=28, 1i64..=40_000, any::<bool>()), 0..25)
}

fn random_world(deals: &[(i8, u8, i64, bool)]) -> Dataset {
    let mut d = world();
    for (i, (m, day, amount, to_bob)) in deals.iter().enumerate() {
        let day = date(2017, *m, (*day).min(28) as i8);
        let owner = if *to_bob && day >= date(2017, 2, 15) { "bob" } else { "ann" };
        d.transactions.push(book(day, &format!("t{i:03}"), owner, Decimal::new(*amount, 1)));
        if i % 4 == 3 {
            let later = day.checked_add(jiff::Span::new().days(20)).unwrap();
            d.transactions.push(cancel(
                later,
                &format!("c{i:03}"),
                &format!("t{i:03}"),
                owner,
                Decimal::new(*amount, 1),
            ));
        }
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn statement_lines_always_add_up_to_the_payout(deals in deals()) {
        let d = random_world(&deals);
        let book = plans(&[REP_PLAN, MANAGER_PLAN]);
        for (_, statements) in run(&d, &book, month(2017, 7)) {
            for s in statements {
                let sum: Decimal = s.lines.iter().map(|l| l.amount).sum();
                prop_assert_eq!(sum, s.payout);
                prop_assert!(s.lines.iter().all(|l| l.amount.scale() <= 2));
                prop_assert!(s.payout >= Decimal::ZERO, "negative balances are carried, not paid");
            }
        }
    }

    #[test]
    fn running_the_same_inputs_twice_gives_identical_statements(deals in deals()) {
        let d = random_world(&deals);
        let book = plans(&[REP_PLAN, MANAGER_PLAN]);
        let prepared = Prepared::new(&d, &book).unwrap();
        let first = prepared.run_month(month(2017, 3), &Carry::default()).unwrap();
        let again = Prepared::new(&d, &book).unwrap().run_month(month(2017, 3), &Carry::default()).unwrap();
        prop_assert_eq!(first, again);
    }
}
