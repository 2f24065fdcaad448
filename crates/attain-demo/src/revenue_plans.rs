//! The demo's revenue plans: one approved plan per fiscal year of the history, set the way a
//! finance team would have set it (last year's results plus growth; the first year, which has
//! no last year in the demo, a little above what it turned out to be), spread by the month
//! shares a B2B software company sees (quarter ends heavy, a strong last quarter). The current
//! year also has a mid-year reforecast waiting as a draft, so the versions have a history.

use std::collections::BTreeSet;

use attain_core::domain::{PlanStatus, RevenuePlan, SeasonSource, Transaction, TransactionKind};
use attain_core::{Currency, FiscalCalendar, Money};
use rust_decimal::Decimal;

use crate::dates::Window;

/// Percent of the year in each fiscal month: the last month of each quarter carries the most.
const SHARES: [i64; 12] = [6, 7, 10, 7, 7, 10, 6, 7, 10, 8, 9, 13];

/// A year's results, in whole dollars.
#[derive(Debug, Default, Clone, Copy)]
struct Year {
    revenue: i64,
    margin: i64,
    bookings: i64,
    new_logos: i64,
}

fn results(transactions: &[Transaction], calendar: &FiscalCalendar, year: i16) -> Year {
    let mut out = Year::default();
    let mut cents = [0i64; 3];
    for t in transactions.iter().filter(|t| calendar.fiscal_year_of(t.date) == year) {
        let amount = minor(t.amount);
        match t.kind {
            TransactionKind::Invoice | TransactionKind::Return => {
                cents[0] += amount;
                cents[1] += amount - t.cost.map(minor).unwrap_or(0);
            }
            TransactionKind::Booking | TransactionKind::Cancellation => cents[2] += amount,
            TransactionKind::Payment => {}
        }
    }
    [out.revenue, out.margin, out.bookings] = cents.map(|c| c / 100);
    out.new_logos = new_logos(transactions, calendar, year);
    out
}

fn minor(m: Money) -> i64 {
    m.minor()
}

/// Accounts whose first booking falls in the year.
fn new_logos(transactions: &[Transaction], calendar: &FiscalCalendar, year: i16) -> i64 {
    let mut seen = BTreeSet::new();
    let mut bookings: Vec<&Transaction> = transactions
        .iter()
        .filter(|t| t.kind == TransactionKind::Booking && t.account_id.is_some())
        .collect();
    bookings.sort_by_key(|t| t.date);
    let mut count = 0;
    for t in bookings {
        if seen.insert(t.account_id.as_deref()) && calendar.fiscal_year_of(t.date) == year {
            count += 1;
        }
    }
    count
}

/// `value` × `percent` / 100, rounded to thousands.
fn grown(value: i64, percent: i64) -> Decimal {
    let v = Decimal::from(value) * Decimal::from(percent) / Decimal::ONE_HUNDRED;
    (v / Decimal::ONE_THOUSAND).round() * Decimal::ONE_THOUSAND
}

fn plan(fiscal_year: i16, version: u32, basis: Year, growth: i64, note: &str, approved: bool) -> RevenuePlan {
    let usd = |v: Decimal| Money::new(v, Currency::USD).unwrap_or_else(|_| Money::zero(Currency::USD));
    let logos = (basis.new_logos * growth + 50) / 100;
    RevenuePlan {
        id: RevenuePlan::id_for(fiscal_year, version),
        fiscal_year,
        version,
        status: if approved { PlanStatus::Approved } else { PlanStatus::Draft },
        currency: Currency::USD,
        revenue: usd(grown(basis.revenue, growth)),
        margin: usd(grown(basis.margin, growth)),
        bookings: usd(grown(basis.bookings, growth)),
        new_logos: logos.max(1),
        season: SeasonSource::Entered,
        shares: SHARES.map(Decimal::from),
        note: note.to_string(),
        prepared_by: "sales-ops@harborlight.example".to_string(),
        approved_by: approved.then(|| "cfo@harborlight.example".to_string()),
        approved_at: approved.then(|| approval_instant(fiscal_year)),
    }
}

/// Plans are approved in the December before their year.
fn approval_instant(fiscal_year: i16) -> jiff::Timestamp {
    let text = format!("{}-12-15T15:00:00Z", fiscal_year - 1);
    text.parse().unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

pub(crate) fn build(
    transactions: &[Transaction],
    calendar: &FiscalCalendar,
    window: &Window,
) -> Vec<RevenuePlan> {
    let first = calendar.fiscal_year_of(window.start);
    let last = calendar.fiscal_year_of(window.last_day());
    let mut plans = Vec::new();
    for year in first..=last {
        let (basis, growth, note) = if year == first {
            (results(transactions, calendar, year), 104, "First plan: the board's target for the year")
        } else {
            (results(transactions, calendar, year - 1), 118, "Annual plan: last year's results plus growth")
        };
        plans.push(plan(year, 1, basis, growth, note, true));
        if year == last && year != first {
            plans.push(plan(year, 2, basis, 112, "Mid-year reforecast: growth lowered to 12%", false));
        }
    }
    plans
}
