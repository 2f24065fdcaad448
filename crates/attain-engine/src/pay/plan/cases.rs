//! Plan test cases: small files comp admins write next to their plans ("given these
//! transactions and quotas, expect these payouts"), run by `attain plan test DIR`. A case
//! builds a one-payee company, runs it through the real engine and compares.

use std::collections::BTreeMap;

use attain_core::domain::{
    Assignment, Company, Person, PlanAssignment, Position, Quota, Role, Transaction, TransactionKind,
};
use attain_core::record::Choice;
use attain_core::{Currency, Dataset, Date, FiscalCalendar, Money, Period, Validity};
use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::load::PlanError;
use super::read::{self, Raw, Unit};
use super::{CreditRules, PlanBook, PrimaryRule};
use crate::pay::run::Prepared;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: Raw,
    plan: Raw,
    hired: Option<Raw>,
    currency: Option<Raw>,
    #[serde(default)]
    quotas: Vec<Spanned<RawQuota>>,
    #[serde(default)]
    transactions: Vec<Spanned<RawTransaction>>,
    expect: Vec<Spanned<RawExpect>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuota {
    measure: Raw,
    period: Raw,
    amount: Raw,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransaction {
    id: Raw,
    date: Raw,
    amount: Raw,
    kind: Option<Raw>,
    product: Option<Raw>,
    cost: Option<Raw>,
    reverses: Option<Raw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    period: Raw,
    component: Option<Raw>,
    earnings: Option<Raw>,
    payout: Option<Raw>,
}

/// What a case expects for one month: a component's earnings or the payout.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Expectation {
    line: usize,
    period: Period,
    component: Option<String>,
    amount: Decimal,
}

/// A loaded plan test case.
#[derive(Debug, Clone)]
pub struct PlanCase {
    pub file: String,
    pub name: String,
    pub plan: String,
    data: Dataset,
    expectations: Vec<Expectation>,
}

/// A case's result: the checks made and each failure, in words with the expectation's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseOutcome {
    pub checks: usize,
    pub failures: Vec<String>,
}

const PAYEE: &str = "payee";
const SEAT: &str = "seat";

impl PlanCase {
    pub fn load(file: &str, text: &str) -> Result<PlanCase, PlanError> {
        let err = |field: &str, bad: read::Bad| PlanError {
            file: file.to_string(),
            line: read::line_of(text, bad.span.start),
            field: field.to_string(),
            message: bad.message,
        };
        let raw: RawCase = toml::from_str(text).map_err(|e| PlanError {
            file: file.to_string(),
            line: e.span().map_or(0, |s| read::line_of(text, s.start)),
            field: String::new(),
            message: e.message().trim().to_string(),
        })?;
        let name = read::text(&raw.name).map_err(|b| err("name", b))?;
        let plan = read::text(&raw.plan).map_err(|b| err("plan", b))?;
        let currency = match &raw.currency {
            None => Currency::USD,
            Some(r) => {
                let code = read::text(r).map_err(|b| err("currency", b))?;
                Currency::parse(&code)
                    .map_err(|e| err("currency", read::Bad { span: r.span(), message: e.to_string() }))?
            }
        };
        let mut transactions = Vec::new();
        for (i, t) in raw.transactions.iter().enumerate() {
            let f = |name: &str| format!("transactions[{i}].{name}");
            let t = t.get_ref();
            let money = |r: &Raw, name: &str| -> Result<Money, PlanError> {
                let d = read::decimal(r, Unit::Amount).map_err(|b| err(&f(name), b))?;
                Money::new(d, currency)
                    .map_err(|e| err(&f(name), read::Bad { span: r.span(), message: e.to_string() }))
            };
            let kind = match &t.kind {
                None => TransactionKind::Booking,
                Some(r) => {
                    TransactionKind::ALL
                        [read::one_of(r, TransactionKind::NAMES).map_err(|b| err(&f("kind"), b))?]
                }
            };
            transactions.push(Transaction {
                id: read::text(&t.id).map_err(|b| err(&f("id"), b))?,
                date: read::date(&t.date).map_err(|b| err(&f("date"), b))?,
                kind,
                account_id: None,
                product_id: t
                    .product
                    .as_ref()
                    .map(read::text)
                    .transpose()
                    .map_err(|b| err(&f("product"), b))?,
                quantity: None,
                currency,
                amount: money(&t.amount, "amount")?,
                cost: t.cost.as_ref().map(|c| money(c, "cost")).transpose()?,
                opportunity_id: None,
                original_id: t
                    .reverses
                    .as_ref()
                    .map(read::text)
                    .transpose()
                    .map_err(|b| err(&f("reverses"), b))?,
                owner_id: Some(PAYEE.into()),
            });
        }
        let mut quotas = Vec::new();
        for (i, q) in raw.quotas.iter().enumerate() {
            let f = |name: &str| format!("quotas[{i}].{name}");
            let q = q.get_ref();
            quotas.push(Quota {
                id: format!("q{i}"),
                position_id: SEAT.into(),
                measure: read::text(&q.measure).map_err(|b| err(&f("measure"), b))?,
                period: period(&q.period).map_err(|b| err(&f("period"), b))?,
                amount: read::non_negative(&q.amount, Unit::Amount).map_err(|b| err(&f("amount"), b))?,
                currency: Some(currency),
                sheet_id: None,
            });
        }
        let mut expectations = Vec::new();
        for (i, e) in raw.expect.iter().enumerate() {
            let f = |name: &str| format!("expect[{i}].{name}");
            let line = read::line_of(text, e.span().start);
            let e = e.get_ref();
            let (component, amount) = match (&e.component, &e.earnings, &e.payout) {
                (Some(c), Some(a), None) => (
                    Some(read::text(c).map_err(|b| err(&f("component"), b))?),
                    read::decimal(a, Unit::Amount).map_err(|b| err(&f("earnings"), b))?,
                ),
                (None, None, Some(a)) => {
                    (None, read::decimal(a, Unit::Amount).map_err(|b| err(&f("payout"), b))?)
                }
                _ => {
                    return Err(PlanError {
                        file: file.to_string(),
                        line,
                        field: format!("expect[{i}]"),
                        message: "give either `component` with `earnings`, or `payout`".into(),
                    });
                }
            };
            let period = period(&e.period).map_err(|b| err(&f("period"), b))?;
            if !matches!(period, Period::Month { .. }) {
                return Err(err(
                    &f("period"),
                    read::Bad {
                        span: e.period.span(),
                        message: "expectations are per month, like 2017-03".into(),
                    },
                ));
            }
            expectations.push(Expectation { line, period, component, amount });
        }
        let first_day = transactions.iter().map(|t| t.date).min();
        let hired = match &raw.hired {
            Some(r) => read::date(r).map_err(|b| err("hired", b))?,
            None => first_day.map_or(Date::constant(2000, 1, 1), |d| Date::constant(d.year(), 1, 1)),
        };
        let data = one_payee_company(currency, hired, &plan, quotas, transactions);
        Ok(PlanCase { file: file.to_string(), name, plan, data, expectations })
    }

    /// Runs the case against `book` from the payee's first month through the last expected one.
    pub fn run(&self, book: &PlanBook) -> CaseOutcome {
        let mut outcome = CaseOutcome { checks: 0, failures: Vec::new() };
        let fail = |outcome: &mut CaseOutcome, message: String| {
            outcome.failures.push(format!("{}: {message}", self.file))
        };
        if !book.knows(&self.plan) {
            fail(&mut outcome, format!("no plan `{}` in the plans directory", self.plan));
            return outcome;
        }
        // A case's transactions name the payee as their owner: the case tests the plan, not
        // the company's crediting rules, so it credits by owner whatever crediting.toml says.
        let mut book = book.clone();
        book.rules = CreditRules { primary: vec![PrimaryRule::TransactionOwner], ..CreditRules::default() };
        let book = &book;
        let prepared = match Prepared::new(&self.data, book) {
            Ok(p) => p,
            Err(e) => {
                fail(&mut outcome, e.to_string());
                return outcome;
            }
        };
        let (Some(first), Some(last)) =
            (prepared.first_month(), self.expectations.iter().map(|e| e.period).max())
        else {
            fail(&mut outcome, "nothing to check".into());
            return outcome;
        };
        let months: BTreeMap<Period, Vec<crate::pay::run::Statement>> = match prepared.run_months(first, last)
        {
            Ok(m) => m.into_iter().collect(),
            Err(e) => {
                fail(&mut outcome, e.to_string());
                return outcome;
            }
        };
        for e in &self.expectations {
            outcome.checks += 1;
            let statement = months.get(&e.period).and_then(|list| list.first());
            let actual = match (&e.component, statement) {
                (_, None) => None,
                (None, Some(s)) => Some(s.payout),
                // A component's earnings include its clawback lines.
                (Some(c), Some(s)) => {
                    Some(s.lines.iter().filter(|l| l.component.as_deref() == Some(c)).map(|l| l.amount).sum())
                }
            };
            let what = e.component.as_deref().map_or("payout".to_string(), |c| format!("{c} earnings"));
            if actual != Some(e.amount) {
                let got = actual.map_or("no statement".to_string(), |a| a.normalize().to_string());
                let got = match statement {
                    Some(s) => format!(
                        "{got} ({})",
                        s.lines
                            .iter()
                            .map(|l| format!("{} {}", l.label, l.amount.normalize()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    None => got,
                };
                fail(
                    &mut outcome,
                    format!(
                        "line {}: {} {what}: expected {}, got {got}",
                        e.line,
                        e.period,
                        e.amount.normalize()
                    ),
                );
            }
        }
        outcome
    }
}

fn period(raw: &Raw) -> read::Got<Period> {
    let text = read::text(raw)?;
    Period::parse(&text).map_err(|e| read::Bad { span: raw.span(), message: e.to_string() })
}

/// A company of one payee in one seat holding `plan` from `hired`.
fn one_payee_company(
    currency: Currency,
    hired: Date,
    plan: &str,
    quotas: Vec<Quota>,
    transactions: Vec<Transaction>,
) -> Dataset {
    let from = Validity::open_from(hired);
    Dataset {
        company: vec![Company {
            id: Company::ID.into(),
            name: "Plan test".into(),
            base_currency: currency,
            calendar: FiscalCalendar::default(),
            time_zone: "UTC".into(),
        }],
        people: vec![Person {
            id: PAYEE.into(),
            name: "Payee".into(),
            email: None,
            hire_date: hired,
            termination_date: None,
            pay_currency: Some(currency),
        }],
        positions: vec![Position {
            id: SEAT.into(),
            validity: from,
            title: "Seat".into(),
            role: Role::Rep,
            team: None,
            region: None,
            reports_to: None,
        }],
        assignments: vec![Assignment {
            id: "a".into(),
            person_id: PAYEE.into(),
            position_id: SEAT.into(),
            validity: from,
        }],
        plan_assignments: vec![PlanAssignment {
            id: "pa".into(),
            position_id: SEAT.into(),
            plan_id: plan.into(),
            validity: from,
        }],
        quotas,
        transactions,
        ..Dataset::default()
    }
}
