//! What the company actually sold, month by month, from the fact store's columns: revenue
//! (invoices less returns), margin (the same rows' amount less cost, where the cost is known),
//! bookings (bookings less cancellations) and new logos (accounts whose first booking falls in
//! the month). Plan vs actual reads this; so will the attainment pages and the dashboards.
//!
//! One pass over the columns sums each month and currency in `i128` minor units, on every
//! core; only then is each month's sum converted into the plan's currency, at the rate on the
//! first of the month (the same rule pay converts by), so ten million rows cost twelve
//! conversions per currency, not ten million, and the result is exact until the one rounding.

use attain_core::domain::TransactionKind;
use attain_core::money::FxRate;
use attain_core::{Currency, Date, FiscalCalendar, Money};
use attain_facts::day::day_of;
use attain_facts::transactions::{BOOKING, INVOICE, kind_of};
use attain_facts::{FactStore, NONE};
use rayon::prelude::*;
use rust_decimal::Decimal;

/// Rows per task: large enough that combining the tasks' sums costs nothing beside the pass.
const CHUNK: usize = 1 << 20;

/// One month's actuals in the plan's currency (money rounded to its minor unit, half-even).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthActuals {
    pub revenue: Money,
    pub margin: Money,
    pub bookings: Money,
    pub new_logos: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActualsError {
    #[error("no FX rate from {from} to {to} on {day} (add one to fx_rates)")]
    NoFxRate { from: Currency, to: Currency, day: Date },
    #[error("the sum of {currency} in a month is too large to convert")]
    Overflow { currency: Currency },
}

/// Per-task sums: `[month][currency]` of revenue, margin and bookings, and each account's
/// first booking day.
struct Sums {
    money: Vec<[i128; 3]>,
    first_booking: Vec<i32>,
}

impl Sums {
    fn new(months: usize, currencies: usize, accounts: usize) -> Sums {
        Sums { money: vec![[0; 3]; months * currencies], first_booking: vec![i32::MAX; accounts] }
    }

    fn add(mut self, other: Sums) -> Sums {
        for (a, b) in self.money.iter_mut().zip(other.money) {
            for i in 0..3 {
                a[i] += b[i];
            }
        }
        for (a, b) in self.first_booking.iter_mut().zip(other.first_booking) {
            *a = (*a).min(b);
        }
        self
    }
}

/// The twelve months of `fiscal_year`, in `currency`, converted by `fx_rates` (through the
/// company's `base` currency when there is no direct rate).
pub fn months_of_year(
    facts: &FactStore,
    fiscal_year: i16,
    currency: Currency,
    fx_rates: &[FxRate],
) -> Result<Vec<MonthActuals>, ActualsError> {
    let calendar: FiscalCalendar = facts.calendar;
    let start = calendar.fiscal_year_start(fiscal_year);
    let mut bounds = Vec::with_capacity(13);
    let mut month = calendar.month_period(start);
    let mut firsts = Vec::with_capacity(12);
    for _ in 0..12 {
        let b = calendar.bounds(month);
        firsts.push(b.from);
        bounds.push(day_of(b.from));
        month = month.next_month();
    }
    bounds.push(day_of(calendar.bounds(month).from));
    let (first_day, end_day) = (bounds[0], bounds[12]);
    let month_of = |day: i32| -> Option<usize> {
        if day < first_day || day >= end_day {
            return None;
        }
        Some(bounds.partition_point(|b| *b <= day) - 1)
    };

    let txns = &facts.transactions;
    let currencies = facts.currencies.len().max(1);
    let accounts = facts.accounts.len();
    let rows = txns.len();
    let sums = (0..rows.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let mut sums = Sums::new(12, currencies, accounts);
            for row in chunk * CHUNK..((chunk + 1) * CHUNK).min(rows) {
                let day = txns.day[row];
                let flags = txns.flags[row];
                let account = txns.account[row];
                if kind_of(flags) == TransactionKind::Booking && account != NONE {
                    let first = &mut sums.first_booking[account as usize];
                    *first = (*first).min(day);
                }
                let Some(m) = month_of(day) else { continue };
                let slot = &mut sums.money[m * currencies + usize::from(txns.currency[row])];
                let amount = i128::from(txns.amount[row]);
                // Payments carry only the payment basis; returns and invoice cancellations carry
                // the invoice basis, so they take back revenue.
                if flags & INVOICE != 0 {
                    slot[0] += amount;
                    if let Some(cost) = txns.cost.get(row) {
                        slot[1] += amount - i128::from(cost);
                    }
                }
                if flags & BOOKING != 0 {
                    slot[2] += amount;
                }
            }
            sums
        })
        .reduce(|| Sums::new(12, currencies, accounts), Sums::add);

    let mut logos = [0u32; 12];
    for m in sums.first_booking.iter().filter_map(|d| month_of(*d)) {
        logos[m] += 1;
    }
    let base = facts.base.unwrap_or(currency);
    let mut out = Vec::with_capacity(12);
    for (m, first) in firsts.iter().enumerate() {
        let mut totals = [Decimal::ZERO; 3];
        for (c, from) in facts.currencies.iter().enumerate() {
            let sums = sums.money[m * currencies + c];
            if sums == [0; 3] {
                continue;
            }
            let rate = crate::fx::rate(fx_rates, base, *from, currency, *first)
                .ok_or(ActualsError::NoFxRate { from: *from, to: currency, day: *first })?;
            for (total, minor) in totals.iter_mut().zip(sums) {
                let minor = i64::try_from(minor).map_err(|_| ActualsError::Overflow { currency: *from })?;
                *total += Money::from_minor(minor, *from).amount() * rate;
            }
        }
        let money = |v: Decimal| Money::rounded(v, currency).map_err(|_| ActualsError::Overflow { currency });
        out.push(MonthActuals {
            revenue: money(totals[0])?,
            margin: money(totals[1])?,
            bookings: money(totals[2])?,
            new_logos: logos[m],
        });
    }
    Ok(out)
}
