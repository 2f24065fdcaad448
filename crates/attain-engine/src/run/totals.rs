//! Measure totals by month. When a run is prepared, each payee's credits are summed once per
//! (plan version, measure, calendar month), so a component's window is a sum of at most twelve
//! month totals instead of a re-read of every credit for every component of every month (the
//! year-to-date windows made that quadratic in months). Reversals are kept one by one: whether
//! one lowers the measure or is clawed back depends on the window it is read in.
//!
//! `each_credit` (the trace) reads the same credits one by one; the differential test holds
//! the two to the same statements.

use std::collections::HashMap;

use attain_core::{Date, Validity};
use rust_decimal::Decimal;

use super::EngineError;
use super::component::{Counted, Reversal, Subject, Total, first_of_month};
use super::credit::CreditKind;
use super::prepare::{Prepared, passes, value_of};
use crate::plan::days_between;

/// One reversal credit of a payee: counted in a window that holds its original, else clawed back.
#[derive(Debug, Clone)]
struct Reversed {
    txn: u32,
    original: u32,
    date: Date,
    original_date: Date,
    value: Result<Decimal, EngineError>,
}

/// A payee's credits for one measure of one plan version.
#[derive(Debug, Clone, Default)]
pub(crate) struct MeasureSums {
    /// By calendar month (`year * 12 + month`), ascending; an error (a missing FX rate, a
    /// formula failing) surfaces only when a window reads that month, as it did per credit.
    months: Vec<(i32, Result<Decimal, EngineError>)>,
    reversals: Vec<Reversed>,
}

/// Every payee's sums, by (person, plan version's index in the book, measure).
pub(crate) type Sums = HashMap<(u32, u32, u32), MeasureSums>;

fn month_index(day: Date) -> i32 {
    i32::from(day.year()) * 12 + i32::from(day.month()) - 1
}

/// The window's months as a half-open range of month indexes, when it is whole months.
fn months_of(days: &Validity) -> Option<(i32, i32)> {
    let whole = |d: Date| d.day() == 1;
    if !whole(days.from) || !days.to.is_none_or(whole) {
        return None;
    }
    Some((month_index(days.from), days.to.map_or(i32::MAX, month_index)))
}

impl Prepared<'_> {
    /// Sums every payee's credits for each measure of each version of the plans they hold.
    pub(crate) fn sum_credits(&self) -> Sums {
        let mut sums = Sums::new();
        for (p, stretches) in self.stretches.iter().enumerate() {
            let mut held: Vec<&str> = stretches.iter().map(|s| s.plan.as_str()).collect();
            held.sort_unstable();
            held.dedup();
            for (v, plan) in self.book.plans().iter().enumerate().filter(|(_, v)| held.contains(&v.id.as_str())) {
                for m in 0..plan.measures.len() {
                    let who = Subject { person: p, plan, currency: self.payee_currency(p) };
                    let out = self.sum_measure(who, m);
                    if !out.months.is_empty() || !out.reversals.is_empty() {
                        sums.insert((p as u32, v as u32, m as u32), out);
                    }
                }
            }
        }
        sums
    }

    fn sum_measure(&self, who: Subject, measure: usize) -> MeasureSums {
        let plan = who.plan;
        let m = &plan.measures[measure];
        let mut out = MeasureSums::default();
        for c in &self.credits[who.person] {
            let allowed = match c.kind {
                CreditKind::Direct => m.credit.direct,
                CreditKind::Overlay => m.credit.overlay,
                CreditKind::Rollup => m.credit.rollup,
            };
            let f = &self.facts[c.txn as usize];
            if !allowed || !self.holds(who.person, &plan.id, f.date) {
                continue;
            }
            let value = (|| {
                if !passes(f, plan.credit_on, &m.filter)? {
                    return Ok(None);
                }
                let mut value = value_of(f, m, c.share)?;
                if m.value.is_money() {
                    value *= self.fx(f.currency, who.currency, first_of_month(f.date))?;
                }
                Ok(Some(value))
            })();
            let value = match value {
                Ok(None) => continue,
                Ok(Some(v)) => Ok(v),
                Err(e) => Err(e),
            };
            if let Some(o) = f.original {
                let original_date = self.facts[o as usize].date;
                out.reversals.push(Reversed { txn: c.txn, original: o, date: f.date, original_date, value });
                continue;
            }
            let month = month_index(f.date);
            let at = match out.months.binary_search_by_key(&month, |(m, _)| *m) {
                Ok(i) => i,
                Err(i) => {
                    out.months.insert(i, (month, Ok(Decimal::ZERO)));
                    i
                }
            };
            let slot = &mut out.months[at].1;
            match (slot.as_mut(), value) {
                (Ok(sum), Ok(v)) => *sum += v,
                (Ok(_), Err(e)) => *slot = Err(e),
                (Err(_), _) => {}
            }
        }
        out
    }

    /// The measure over `days` from the month sums: what `each_credit` would add up, with the
    /// reversals of originals outside the window set apart for clawback.
    pub(crate) fn measure_total(&self, who: Subject, measure: usize, days: Validity) -> Result<Total, EngineError> {
        let version = self.book.plans().iter().position(|p| std::ptr::eq(p, who.plan));
        let (Some(version), Some((first, last))) = (version, months_of(&days)) else {
            return self.measure_total_by_credit(who, measure, days);
        };
        let mut out = Total::default();
        let Some(sums) = self.sums.get(&(who.person as u32, version as u32, measure as u32)) else {
            return Ok(out);
        };
        let start = sums.months.partition_point(|(m, _)| *m < first);
        for (_, sum) in sums.months[start..].iter().take_while(|(m, _)| *m < last) {
            out.total += sum.clone()?;
        }
        for r in sums.reversals.iter().filter(|r| days.contains(r.date)) {
            let value = r.value.clone()?;
            if days.contains(r.original_date) {
                out.total += value;
                continue;
            }
            let paid_under = self.book.version_on(&who.plan.id, r.original_date).unwrap_or(who.plan);
            let late = paid_under
                .clawback_days
                .is_some_and(|limit| days_between(r.original_date, r.date) > i64::from(limit));
            if !late {
                out.reversals.push(Reversal { txn: r.txn, original: r.original, value });
            }
        }
        Ok(out)
    }

    /// The same total read credit by credit: for windows that are not whole months.
    fn measure_total_by_credit(&self, who: Subject, measure: usize, days: Validity) -> Result<Total, EngineError> {
        let mut out = Total::default();
        self.each_credit(who, measure, days, |c, value, counted| match counted {
            Counted::InMeasure => out.total += value,
            Counted::Clawback { original } => out.reversals.push(Reversal { txn: c.txn, original, value }),
            Counted::TooLate { .. } => {}
        })?;
        Ok(out)
    }
}
