//! Period runs on small hand-built companies, with hand-worked numbers: true-ups, proration on
//! a mid-quarter hire, roll-up without duplicate credit, clawbacks and re-bookings, refunds,
//! draws and negative balances; and the invariants (lines sum to the payout, a re-run of the
//! same inputs is identical).

use attain_core::domain::*;
use attain_core::{Currency, Dataset, Date, FiscalCalendar, Money, Period, Validity};
use attain_engine::pay::plan::{CreditRules, PlanBook, load_plan};
use attain_engine::pay::run::{Carry, LineKind, Prepared, Statement};
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
                sheet_id: None,
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
    // Each component line names its plan, so a statement's traces need no guessing.
    assert_eq!(max.plan.as_deref(), Some("mgr"));
    let traces = Prepared::new(&d, &book).unwrap().statement_traces(statement(&months, m, "max")).unwrap();
    assert_eq!(traces, vec![trace.clone()]);
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
    // February (hired on the 15th: 14 of 28 days, so half the draw): earned 200, the draw tops
    // up 300. March: earned 0, tops up 1,000.
    let feb = statement(&months, month(2017, 2), "bob");
    assert_eq!(feb.payout, dec!(500));
    assert_eq!(feb.draw_outstanding, dec!(300));
    assert_eq!(payout(&months, month(2017, 3), "bob"), dec!(1000));
    // April (past the draw months): earned 1,500, of which the outstanding 1,300 takes 1,300.
    let april = statement(&months, month(2017, 4), "bob");
    assert_eq!(april.payout, dec!(200));
    assert_eq!(april.draw_outstanding, Decimal::ZERO);
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

#[test]
fn a_payee_paid_in_another_currency_gets_transactions_and_quotas_at_each_month_s_rate() {
    let mut d = world();
    d.people.iter_mut().find(|p| p.id == "ann").unwrap().pay_currency = Some(Currency::EUR);
    for (id, from, to, rate) in [
        ("fx1", date(2017, 1, 1), Some(date(2017, 2, 1)), dec!(0.9)),
        ("fx2", date(2017, 2, 1), None, dec!(0.8)),
    ] {
        d.fx_rates.push(attain_core::FxRate {
            id: id.into(),
            from_currency: Currency::USD,
            to_currency: Currency::EUR,
            rate,
            validity: until(from, to),
        });
    }
    d.transactions = vec![
        book(date(2017, 1, 10), "t1", "ann", dec!(10000)),
        book(date(2017, 2, 10), "t2", "ann", dec!(5000)),
    ];
    let months = run(&d, &plans(&[REP_PLAN, MANAGER_PLAN]), month(2017, 2));
    let january = statement(&months, month(2017, 1), "ann");
    assert_eq!(january.currency, Currency::EUR);
    // 10,000 USD at January's 0.9 = 9,000 EUR. The Q1 quota's monthly 10,000 USD rows convert at
    // their own months' rates: 9,000 + 8,000 + 8,000 = 25,000 EUR.
    let line = january.components().next().unwrap();
    assert_eq!((line.measure, line.quota), (Some(dec!(9000)), Some(dec!(25000))));
    assert_eq!(january.payout, dec!(900));
    // February's 5,000 USD at 0.8 = 4,000 EUR: the quarter so far earns 1,300, less 900 paid.
    assert_eq!(payout(&months, month(2017, 2), "ann"), dec!(400));
}

#[test]
fn a_missing_fx_rate_stops_the_run_naming_the_pair_and_day() {
    let mut d = world();
    d.people.iter_mut().find(|p| p.id == "ann").unwrap().pay_currency = Some(Currency::EUR);
    d.transactions = vec![book(date(2017, 1, 10), "t1", "ann", dec!(10000))];
    let book = plans(&[REP_PLAN, MANAGER_PLAN]);
    let error = Prepared::new(&d, &book).unwrap().run_month(month(2017, 1), &Carry::default()).unwrap_err();
    assert_eq!(error.to_string(), "no FX rate from USD to EUR on 2017-01-01 (add one to fx_rates)");
}

const BONUS_PLAN: &str = r#"
id = "rep"
version = 1
valid_from = "2016-01-01"
credit_on = "booking"
target_incentive = "40000"
[measures.revenue]
sum = "amount"
[measures.margin]
sum = "margin"
[measures.widgets]
sum = "deals"
products = ["widget"]
from = "2017-02-01"
to = "2017-03-01"
[[components]]
id = "commission"
type = "commission"
measure = "revenue"
mode = "retroactive"
tiers = [ { from = "0", rate = "10%" } ]
[[components.modifiers]]
label = "Low margin halves"
when = "margin.total < revenue.total * 50%"
factor = "0.5"
[[components]]
id = "club"
type = "bonus"
scope = "quarter"
when = "revenue.attainment >= 100%"
percent_of_target = "10%"
[[components]]
id = "widget_spif"
type = "spif"
measure = "widgets"
per_unit = "250"
[[components]]
id = "mbo"
type = "mbo"
scope = "quarter"
target = "20%"
objectives = [ { id = "hygiene", weight = "50%" }, { id = "hiring", weight = "50%" } ]
max_score = "120%"
"#;

#[test]
fn bonuses_spifs_objectives_and_modifiers_pay_what_their_rules_say() {
    let mut d = world();
    let product = |t: Transaction, p: &str, cost: Decimal| Transaction {
        product_id: Some(p.into()),
        cost: Some(usd(cost)),
        ..t
    };
    d.transactions = vec![
        product(book(date(2017, 1, 10), "t1", "ann", dec!(10000)), "gadget", dec!(2000)),
        // February: two widget deals in the SPIF window, one at a low margin.
        product(book(date(2017, 2, 3), "t2", "ann", dec!(10000)), "widget", dec!(8000)),
        product(book(date(2017, 2, 20), "t3", "ann", dec!(12000)), "widget", dec!(1000)),
        // March 1st is after the SPIF window.
        product(book(date(2017, 3, 1), "t4", "ann", dec!(1000)), "widget", dec!(100)),
    ];
    for (objective, score) in [("hygiene", dec!(100)), ("hiring", dec!(150))] {
        d.objective_scores.push(ObjectiveScore {
            id: format!("s-{objective}"),
            person_id: "ann".into(),
            period: Period::Quarter { fiscal_year: 2017, quarter: 1 },
            objective: objective.into(),
            score,
        });
    }
    let months = run(&d, &plans(&[BONUS_PLAN, MANAGER_PLAN]), month(2017, 3));
    let amount = |m: i8, id: &str| {
        statement(&months, month(2017, m), "ann")
            .lines
            .iter()
            .find(|l| l.component.as_deref() == Some(id))
            .unwrap()
            .amount
    };
    assert_eq!(amount(1, "commission"), dec!(1000));
    // February: margin 13,000 on 22,000 is 59%: no halving. SPIF: 2 deals × 250.
    assert_eq!(amount(2, "commission"), dec!(2200));
    assert_eq!(amount(2, "widget_spif"), dec!(500));
    assert_eq!(amount(3, "widget_spif"), Decimal::ZERO);
    // March: margin 900 on 1,000 is fine; the quarter: 33,000 on a 30,000 quota → the club bonus,
    // 10% of a quarter's target incentive (40,000 / 4).
    assert_eq!(amount(3, "club"), dec!(1000));
    // Objectives: 20% of the quarter's 10,000 target × (50% × 100% + 50% × min(150%, 120%)).
    assert_eq!(amount(3, "mbo"), dec!(2200));
    // The bonus and objectives settle once, at the quarter's end.
    assert!(
        statement(&months, month(2017, 2), "ann")
            .lines
            .iter()
            .all(|l| l.component.as_deref() != Some("club"))
    );
}

#[test]
fn a_modifier_halves_a_low_margin_month() {
    let mut d = world();
    d.transactions = vec![Transaction {
        cost: Some(usd(dec!(9000))),
        ..book(date(2017, 1, 10), "t1", "ann", dec!(10000))
    }];
    let months = run(&d, &plans(&[BONUS_PLAN, MANAGER_PLAN]), month(2017, 1));
    let s = statement(&months, month(2017, 1), "ann");
    let line = s.components().find(|l| l.component.as_deref() == Some("commission")).unwrap();
    assert_eq!(line.amount, dec!(500));
    assert!(line.explanation.contains("Low margin halves ×0.5"), "{}", line.explanation);
}

#[test]
fn a_quarterly_component_claws_back_reversals_from_anywhere_in_its_quarter_when_it_settles() {
    let plan = REP_PLAN.replace("scope = \"qtd\"", "scope = \"quarter\"");
    let mut d = world();
    d.transactions = vec![
        book(date(2017, 2, 10), "t1", "ann", dec!(20000)),
        // Cancelled in May, inside the 90-day window; Q2 settles in June.
        cancel(date(2017, 5, 2), "t2", "t1", "ann", dec!(20000)),
    ];
    let months = run(&d, &plans(&[&plan, MANAGER_PLAN]), month(2017, 6));
    assert_eq!(payout(&months, month(2017, 3), "ann"), dec!(2000));
    let may = statement(&months, month(2017, 5), "ann");
    assert!(may.lines.iter().all(|l| l.kind != LineKind::Clawback));
    let june = statement(&months, month(2017, 6), "ann");
    let clawbacks: Vec<Decimal> =
        june.lines.iter().filter(|l| l.kind == LineKind::Clawback).map(|l| l.amount).collect();
    assert_eq!(clawbacks, vec![dec!(-2000)]);
}

#[test]
fn a_mid_quarter_hire_gets_the_held_share_of_fixed_bonuses_and_targets() {
    let mut d = world();
    // Bob holds his seat 45 of Q1's 90 days: half the quota (15,000), half the bonus and
    // objectives targets. 15,000 booked is 100% of his prorated quota.
    d.transactions = vec![book(date(2017, 3, 1), "t1", "bob", dec!(15000))];
    for objective in ["hygiene", "hiring"] {
        d.objective_scores.push(ObjectiveScore {
            id: format!("s-{objective}"),
            person_id: "bob".into(),
            period: Period::Quarter { fiscal_year: 2017, quarter: 1 },
            objective: objective.into(),
            score: dec!(100),
        });
    }
    let months = run(&d, &plans(&[BONUS_PLAN, MANAGER_PLAN]), month(2017, 3));
    let march = statement(&months, month(2017, 3), "bob");
    let amount = |id: &str| march.lines.iter().find(|l| l.component.as_deref() == Some(id)).unwrap().amount;
    // 10% of a quarter's 10,000 target, for half the quarter.
    assert_eq!(amount("club"), dec!(500));
    // 20% of the quarter's target × 100%, for half the quarter.
    assert_eq!(amount("mbo"), dec!(1000));
    let club = march.lines.iter().find(|l| l.component.as_deref() == Some("club")).unwrap();
    assert!(club.explanation.contains("held the plan 50% of the window"), "{}", club.explanation);
}

#[test]
fn on_a_payment_basis_each_partial_payment_earns_its_share_in_its_month() {
    let plan = REP_PLAN.replace("credit_on = \"booking\"", "credit_on = \"payment\"");
    let mut d = world();
    let pay = |day: Date, id: &str, amount: Decimal| Transaction {
        kind: TransactionKind::Payment,
        ..book(day, id, "ann", amount)
    };
    d.transactions = vec![
        book(date(2017, 1, 5), "b1", "ann", dec!(10000)),
        pay(date(2017, 1, 30), "p1", dec!(4000)),
        pay(date(2017, 2, 27), "p2", dec!(6000)),
    ];
    let months = run(&d, &plans(&[&plan, MANAGER_PLAN]), month(2017, 2));
    assert_eq!(payout(&months, month(2017, 1), "ann"), dec!(400));
    assert_eq!(payout(&months, month(2017, 2), "ann"), dec!(600));
}

#[test]
fn adjustments_rounding_year_to_date_and_the_pay_negative_balance_policy() {
    // 0.125% of the amount: 100 → 0.125 → 0.12 and 300 → 0.375 → 0.38 (half to even).
    let plan = r#"
id = "rep"
version = 1
valid_from = "2016-01-01"
credit_on = "booking"
negative_balance = "pay"
[draw]
amount = "100"
months = 1
recoverable = false
[measures.revenue]
sum = "amount"
[[components]]
id = "commission"
type = "commission"
measure = "revenue"
mode = "marginal"
tiers = [ { from = "0", rate = "0.125%" } ]
"#;
    let mut d = world();
    // Ann's first month on the plan is January 2016: the non-recoverable draw is a guarantee.
    d.transactions = vec![
        book(date(2017, 1, 10), "t1", "ann", dec!(100)),
        book(date(2017, 2, 10), "t2", "ann", dec!(300)),
    ];
    d.adjustments.push(Adjustment {
        id: "adj1".into(),
        person_id: "ann".into(),
        period: month(2017, 2),
        currency: Currency::USD,
        amount: usd(dec!(-5)),
        reason: "Correction: duplicate credit".into(),
        entered_by: Some("comp.admin".into()),
    });
    let book = plans(&[plan, MANAGER_PLAN]);
    let months = Prepared::new(&d, &book).unwrap().run_months(month(2016, 1), month(2017, 2)).unwrap();
    let jan16 = statement(&months, month(2016, 1), "ann");
    assert_eq!(jan16.payout, dec!(100));
    assert_eq!(jan16.draw_outstanding, Decimal::ZERO, "a guarantee is never recovered");
    assert_eq!(payout(&months, month(2017, 1), "ann"), dec!(0.12));
    let feb = statement(&months, month(2017, 2), "ann");
    let adjustment = feb.lines.iter().find(|l| l.kind == LineKind::Adjustment).unwrap();
    assert_eq!((adjustment.label.as_str(), adjustment.amount), ("Correction: duplicate credit", dec!(-5)));
    assert!(adjustment.explanation.contains("entered by comp.admin"));
    // 0.38 − 5 is paid as a deduction under `negative_balance = "pay"`, nothing carried.
    assert_eq!(feb.payout, dec!(-4.62));
    assert_eq!(feb.balance_carried, Decimal::ZERO);
    // The fiscal year so far: January's 0.12 and February's −4.62.
    assert_eq!(feb.ytd_payout, dec!(-4.50));
}

#[test]
fn an_adjustment_for_someone_no_longer_on_a_plan_still_gets_paid() {
    let mut d = world();
    // Bob leaves at the end of January; a correction for him is entered for March.
    d.people.iter_mut().find(|p| p.id == "bob").unwrap().hire_date = date(2016, 1, 1);
    d.people.iter_mut().find(|p| p.id == "bob").unwrap().termination_date = Some(date(2017, 2, 1));
    d.adjustments.push(Adjustment {
        id: "adj1".into(),
        person_id: "bob".into(),
        period: month(2017, 3),
        currency: Currency::USD,
        amount: usd(dec!(120)),
        reason: "Final commission correction".into(),
        entered_by: None,
    });
    let months = run(&d, &plans(&[REP_PLAN, MANAGER_PLAN]), month(2017, 3));
    let (_, february) = &months[1];
    assert!(february.iter().all(|s| s.person_id != "bob"), "no plan, no adjustment: no statement");
    let march = statement(&months, month(2017, 3), "bob");
    assert!(march.plans.is_empty());
    assert_eq!(march.payout, dec!(120));
}

mod allocated;
mod concurrent;
mod differential;
mod ids;
mod incremental;
mod versions;
