//! A fiscal year's actuals per deal owner (the person a transaction names as its owner, else
//! its opportunity's owner):
//! revenue, margin and bookings, by the same rules and the same month-by-month conversion as
//! the company's actuals ([`super::actuals`]). Quota allocation by last year's results reads
//! it; rows with neither count for nobody.

use std::collections::HashMap;

use attain_core::money::FxRate;
use attain_core::{Currency, FiscalCalendar, Money};
use attain_facts::day::day_of;
use attain_facts::transactions::{BOOKING, INVOICE};
use attain_facts::{FactStore, NONE};
use rayon::prelude::*;
use rust_decimal::Decimal;

use super::ActualsError;

const CHUNK: usize = 1 << 20;

/// One owner's year in the requested currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnerActuals {
    pub revenue: Money,
    pub margin: Money,
    pub bookings: Money,
}

/// Each owner's revenue, margin and bookings in `fiscal_year`, by person id, in `currency`
/// (each month's sum converted at the rate on its first day). Owners with no row in the year
/// are absent.
pub fn owners_of_year(
    facts: &FactStore,
    fiscal_year: i16,
    currency: Currency,
    fx_rates: &[FxRate],
) -> Result<HashMap<String, OwnerActuals>, ActualsError> {
    let calendar: FiscalCalendar = facts.calendar;
    let mut month = calendar.month_period(calendar.fiscal_year_start(fiscal_year));
    let mut firsts = Vec::with_capacity(12);
    let mut bounds = Vec::with_capacity(13);
    for _ in 0..12 {
        let from = calendar.bounds(month).from;
        firsts.push(from);
        bounds.push(day_of(from));
        month = month.next_month();
    }
    bounds.push(day_of(calendar.bounds(month).from));
    let (first_day, end_day) = (bounds[0], bounds[12]);

    let txns = &facts.transactions;
    let currencies = facts.currencies.len().max(1);
    let rows = txns.len();
    // Sparse per task: (owner, month, currency) → [revenue, margin, bookings] in minor units.
    type Sums = HashMap<(u32, usize, u8), [i128; 3]>;
    let sums: Sums = (0..rows.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let mut sums = Sums::new();
            for row in chunk * CHUNK..((chunk + 1) * CHUNK).min(rows) {
                let day = txns.day[row];
                if day < first_day || day >= end_day {
                    continue;
                }
                // The row's own owner, else its opportunity's (as crediting reads it).
                let owner = txns.owner.get(row).filter(|o| *o != NONE).or_else(|| {
                    let opportunity = txns.opportunity.get(row)?;
                    facts.pipeline.owner.get(opportunity as usize).copied().filter(|o| *o != NONE)
                });
                let Some(owner) = owner else { continue };
                let m = bounds.partition_point(|b| *b <= day) - 1;
                let flags = txns.flags[row];
                let amount = i128::from(txns.amount[row]);
                let slot = sums.entry((owner, m, txns.currency[row])).or_default();
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
        .reduce(Sums::new, |mut a, b| {
            for (k, v) in b {
                let slot = a.entry(k).or_default();
                for i in 0..3 {
                    slot[i] += v[i];
                }
            }
            a
        });

    let base = facts.base.unwrap_or(currency);
    let mut totals: HashMap<u32, [Decimal; 3]> = HashMap::new();
    for ((owner, m, c), minor) in sums {
        let from = facts.currencies.get(usize::from(c)).copied().unwrap_or(currency);
        let rate = crate::fx::rate(fx_rates, base, from, currency, firsts[m])
            .ok_or(ActualsError::NoFxRate { from, to: currency, day: firsts[m] })?;
        let total = totals.entry(owner).or_default();
        for (t, v) in total.iter_mut().zip(minor) {
            let v = i64::try_from(v).map_err(|_| ActualsError::Overflow { currency: from })?;
            *t += Money::from_minor(v, from).amount() * rate;
        }
    }
    let _ = currencies;
    let money = |v: Decimal| Money::rounded(v, currency).map_err(|_| ActualsError::Overflow { currency });
    totals
        .into_iter()
        .map(|(owner, [revenue, margin, bookings])| {
            Ok((
                facts.people.name(owner).to_string(),
                OwnerActuals { revenue: money(revenue)?, margin: money(margin)?, bookings: money(bookings)? },
            ))
        })
        .collect()
}
