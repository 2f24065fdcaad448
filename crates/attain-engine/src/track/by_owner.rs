//! A fiscal year's actuals per deal owner (the person a transaction names as its owner, else
//! its opportunity's owner):
//! revenue, margin and bookings, by the same rules and the same month-by-month conversion as
//! the company's actuals ([`super::actuals`]). Quota allocation by last year's results reads
//! it; rows with neither count for nobody. Per account too, for territory balance.

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
    let txns = &facts.transactions;
    let sums = year_by(facts, fiscal_year, currency, fx_rates, facts.people.len(), |row| {
        // The row's own owner, else its opportunity's (as crediting reads it).
        txns.owner.get(row).filter(|o| *o != NONE).or_else(|| {
            let opportunity = txns.opportunity.get(row)?;
            facts.pipeline.owner.get(opportunity as usize).copied().filter(|o| *o != NONE)
        })
    })?;
    Ok(sums.into_iter().map(|(owner, a)| (facts.people.name(owner).to_string(), a)).collect())
}

/// Each account's revenue, margin and bookings in `fiscal_year`, by account number, as
/// [`owners_of_year`] counts them (territory balance reads last year's bookings from it).
pub fn accounts_of_year(
    facts: &FactStore,
    fiscal_year: i16,
    currency: Currency,
    fx_rates: &[FxRate],
) -> Result<HashMap<u32, OwnerActuals>, ActualsError> {
    let txns = &facts.transactions;
    year_by(facts, fiscal_year, currency, fx_rates, facts.accounts.len(), |row| {
        Some(txns.account[row]).filter(|a| *a != NONE)
    })
}

/// The year's sums per key (`key` of a transaction row, below `keys`; `None`: the row counts
/// for nobody).
///
/// Each month's sum in a currency is converted at the rate on the month's first day. Rather
/// than keep a sum per key, month and currency (4.8M sparse entries for 200,000 accounts),
/// each (month, currency) gets its conversion as an exact integer factor at one common
/// scale, and each row adds `minor units × factor` to its key's dense `i128` sums:
/// Σ (amount × rate) is exactly (Σ amount) × rate in integers, so the result is the same
/// to the last digit as summing first, with one small array per task instead of a hash map.
fn year_by(
    facts: &FactStore,
    fiscal_year: i16,
    currency: Currency,
    fx_rates: &[FxRate],
    keys: usize,
    key: impl Fn(usize) -> Option<u32> + Sync,
) -> Result<HashMap<u32, OwnerActuals>, ActualsError> {
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
    let factors = Factors::new(facts, &firsts, currency, fx_rates);

    let txns = &facts.transactions;
    let rows = txns.len();
    let sums: Dense = (0..rows.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let mut dense = Dense::new(keys);
            for row in chunk * CHUNK..((chunk + 1) * CHUNK).min(rows) {
                let day = txns.day[row];
                if day < first_day || day >= end_day {
                    continue;
                }
                let Some(k) = key(row).filter(|k| (*k as usize) < keys) else { continue };
                let m = bounds.partition_point(|b| *b <= day) - 1;
                let c = txns.currency[row];
                let Some(f) = factors.get(m, c) else {
                    dense.missing.get_or_insert((m, c));
                    continue;
                };
                let flags = txns.flags[row];
                let amount = i128::from(txns.amount[row]);
                let mut add = |lane: usize, v: i128| {
                    let slot = &mut dense.sums[k as usize][lane];
                    match v.checked_mul(f).and_then(|x| slot.checked_add(x)) {
                        Some(x) => *slot = x,
                        None => {
                            dense.overflow.get_or_insert(c);
                        }
                    }
                };
                if flags & INVOICE != 0 {
                    add(0, amount);
                    if let Some(cost) = txns.cost.get(row) {
                        add(1, amount - i128::from(cost));
                    }
                }
                if flags & BOOKING != 0 {
                    add(2, amount);
                }
                dense.seen[k as usize] = true;
            }
            dense
        })
        .reduce(|| Dense::new(keys), Dense::merge);

    let currency_of = |c: u8| facts.currencies.get(usize::from(c)).copied().unwrap_or(currency);
    if let Some((m, c)) = sums.missing {
        return Err(ActualsError::NoFxRate { from: currency_of(c), to: currency, day: firsts[m] });
    }
    if let Some(c) = sums.overflow {
        return Err(ActualsError::Overflow { currency: currency_of(c) });
    }
    let money = |v: i128| {
        // Minor units of `currency` at the factors' scale: major units one step further.
        Decimal::try_from_i128_with_scale(v, factors.scale + currency.minor_units())
            .ok()
            .and_then(|d| Money::rounded(d, currency).ok())
            .ok_or(ActualsError::Overflow { currency })
    };
    let mut out = HashMap::new();
    for (k, [revenue, margin, bookings]) in sums.sums.iter().enumerate() {
        if sums.seen[k] {
            let actuals = OwnerActuals {
                revenue: money(*revenue)?,
                margin: money(*margin)?,
                bookings: money(*bookings)?,
            };
            out.insert(k as u32, actuals);
        }
    }
    Ok(out)
}

/// Per key: revenue, margin and bookings as `minor units × factor` at the factors' scale.
struct Dense {
    sums: Vec<[i128; 3]>,
    seen: Vec<bool>,
    /// The first (month, currency) met with no rate.
    missing: Option<(usize, u8)>,
    /// A currency whose sums would not fit.
    overflow: Option<u8>,
}

impl Dense {
    fn new(keys: usize) -> Dense {
        Dense { sums: vec![[0; 3]; keys], seen: vec![false; keys], missing: None, overflow: None }
    }

    fn merge(mut self, other: Dense) -> Dense {
        for (a, b) in self.sums.iter_mut().zip(&other.sums) {
            for lane in 0..3 {
                match a[lane].checked_add(b[lane]) {
                    Some(x) => a[lane] = x,
                    None => self.overflow = self.overflow.or(Some(0)),
                }
            }
        }
        for (a, b) in self.seen.iter_mut().zip(&other.seen) {
            *a |= *b;
        }
        self.missing = self.missing.or(other.missing);
        self.overflow = self.overflow.or(other.overflow);
        self
    }
}

/// Each (month, currency)'s conversion into `currency`'s minor units, as an integer at one
/// common scale: minor units × factor ÷ 10^scale is the amount in the target's minor units.
struct Factors {
    /// `[month * currencies + currency]`; `None` where no rate exists.
    factor: Vec<Option<i128>>,
    currencies: usize,
    scale: u32,
}

impl Factors {
    fn new(
        facts: &FactStore,
        firsts: &[attain_core::Date],
        currency: Currency,
        fx_rates: &[FxRate],
    ) -> Factors {
        let base = facts.base.unwrap_or(currency);
        let currencies = facts.currencies.len().max(1);
        let mut decimals: Vec<Option<Decimal>> = Vec::with_capacity(firsts.len() * currencies);
        for first in firsts {
            for c in 0..currencies {
                let from = facts.currencies.get(c).copied().unwrap_or(currency);
                // A minor unit of `from` in minor units of `currency`, at the day's rate.
                let factor = crate::fx::rate(fx_rates, base, from, currency, *first).and_then(|rate| {
                    let shift = i64::from(currency.minor_units()) - i64::from(from.minor_units());
                    let ten = Decimal::from(10u64.pow(shift.unsigned_abs() as u32));
                    if shift >= 0 { rate.checked_mul(ten) } else { rate.checked_div(ten) }
                });
                decimals.push(factor.map(|d| d.normalize()));
            }
        }
        let scale = decimals.iter().flatten().map(|d| d.scale()).max().unwrap_or(0);
        let factor = decimals
            .iter()
            .map(|d| {
                d.and_then(|d| {
                    let widen = 10i128.checked_pow(scale - d.scale())?;
                    d.mantissa().checked_mul(widen)
                })
            })
            .collect();
        Factors { factor, currencies, scale }
    }

    fn get(&self, month: usize, currency: u8) -> Option<i128> {
        self.factor.get(month * self.currencies + usize::from(currency)).copied().flatten()
    }
}
