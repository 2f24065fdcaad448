//! A measure over a window, read from the bucket sums (`accumulate.rs`): the payee's buckets
//! inside the window in which they hold the plan, each signature's integral and exact sums for
//! the credit kinds the measure counts, converted at each month's FX rate. Reversals count
//! when the window also holds their original; the others are the window's clawback
//! candidates, read one by one.
//!
//! `each_credit` (the trace) reads the same credits transaction by transaction; the
//! differential test holds the two to the same statements.

use attain_core::{Date, Validity};
use attain_facts::day::{date_of, day_of, end_of};
use rust_decimal::Decimal;

use super::EngineError;
use super::accumulate::NOT_REVERSAL;
use super::component::{Counted, Reversal, Subject, Total, first_of_month};
use super::credit::CreditKind;
use super::prepare::Prepared;
use super::txn::Txn;
use crate::pay::plan::days_between;

fn month_index(day: Date) -> i32 {
    i32::from(day.year()) * 12 + i32::from(day.month()) - 1
}

/// The window as half-open ranges of days and of month indexes, when it is whole months.
fn whole_months(days: &Validity) -> Option<((i32, i32), (i32, i32))> {
    let first = |d: Date| d.day() == 1;
    if !first(days.from) || !days.to.is_none_or(first) {
        return None;
    }
    Some((
        (day_of(days.from), end_of(days.to)),
        (month_index(days.from), days.to.map_or(i32::MAX, month_index)),
    ))
}

/// `units` of 10^-(`minor` + `scale`) as a decimal, at the scale of `minor` when it has no
/// more decimals (so whole credits read as they always have: cents as cents).
fn in_units(units: i128, minor: u32, scale: u32) -> Result<Decimal, EngineError> {
    let unit = 10i128.pow(scale);
    let (units, scale) = if units % unit == 0 { (units / unit, minor) } else { (units, minor + scale) };
    Decimal::try_from_i128_with_scale(units, scale).map_err(|_| EngineError::TooLarge)
}

impl Prepared<'_> {
    /// The measure over `days`: what `each_credit` would add up, with the reversals of
    /// originals outside the window set apart for clawback.
    pub(crate) fn measure_total(
        &self,
        who: Subject,
        measure: usize,
        days: Validity,
    ) -> Result<Total, EngineError> {
        let version = self.book.plans().iter().position(|p| std::ptr::eq(p, who.plan));
        let (Some(version), Some(((from, to), (first, last)))) = (version, whole_months(&days)) else {
            return self.measure_total_by_credit(who, measure, days);
        };
        let s = self.sigs.of[version][measure];
        let sig = &self.sigs.list[s as usize];
        let m = &who.plan.measures[measure];
        let kinds = [(m.credit.direct, 0u8), (m.credit.overlay, 1), (m.credit.rollup, 2)];
        let kinds = kinds.iter().filter(|(on, _)| *on).map(|(_, k)| *k);
        let sums = &self.sums;
        let mut out = Total::default();
        // Read on from the total kept for an earlier part of this window, if there is one.
        let key = (version, measure, who.currency, from);
        let mut read_from = from;
        if let Some((upto, total)) = self.running.before(who.person, key, to) {
            (read_from, out.total) = (upto, total);
        }
        for (b, start) in self.buckets.of_person(who.person).filter(|(_, d)| read_from <= *d && *d < to) {
            let date = date_of(start);
            if !self.holds(who.person, &who.plan.id, date) {
                continue;
            }
            if let Some(e) = sums.errors.get(&(b, s)) {
                return Err(e.clone());
            }
            let counted = |kind: u8| kinds.clone().any(|k| k == kind);
            for c in 0..sums.currencies() as u8 {
                let currency = self.store.currencies[c as usize];
                let (mut sum, mut any) = (Decimal::ZERO, false);
                let units: i128 = kinds.clone().map(|kind| sums.integral(b, s, kind, c)).sum();
                if units != 0 {
                    any = true;
                    let minor = if sig.is_money() { currency.minor_units() } else { 0 };
                    sum += in_units(units, minor, sums.scale())?;
                }
                // One scan of the bucket's exact sums for every kind counted. A sum of zero
                // counts as none, as an integral one does (a change taken back in place
                // leaves its key at zero).
                for (_, _, _, month, v) in
                    sums.exact_of(b).filter(|e| e.0 == s && e.2 == c && !e.4.is_zero() && counted(e.1))
                {
                    if *month == NOT_REVERSAL || (first <= *month && *month < last) {
                        any = true;
                        sum += *v;
                    }
                }
                if any && sig.is_money() {
                    sum *= self.fx(currency, who.currency, first_of_month(date))?;
                }
                out.total += sum;
            }
        }
        self.running.keep(who.person, key, to, out.total);
        for credit in &sums.candidates[who.person] {
            let allowed = match credit.kind {
                CreditKind::Direct => m.credit.direct,
                CreditKind::Overlay => m.credit.overlay,
                CreditKind::Rollup => m.credit.rollup,
            };
            let t = Txn::at(&self.store, credit.txn);
            if !(allowed && from <= t.day && t.day < to) {
                continue;
            }
            let Some(original) = t.original else { continue };
            let original_day = self.store.transactions.day[original as usize];
            if from <= original_day && original_day < to {
                continue;
            }
            let date = t.date();
            if !self.holds(who.person, &who.plan.id, date) || !sig.passes(&t)? {
                continue;
            }
            let mut value = sig.value(&t, credit.share)?;
            if sig.is_money() {
                value *= self.fx(t.currency(), who.currency, first_of_month(date))?;
            }
            let original_date = date_of(original_day);
            let paid_under = self.book.version_on(&who.plan.id, original_date).unwrap_or(who.plan);
            let late = paid_under
                .clawback_days
                .is_some_and(|limit| days_between(original_date, date) > i64::from(limit));
            if !late {
                out.reversals.push(Reversal { txn: credit.txn, original, value });
            }
        }
        Ok(out)
    }

    /// The same total read credit by credit: for windows that are not whole months.
    fn measure_total_by_credit(
        &self,
        who: Subject,
        measure: usize,
        days: Validity,
    ) -> Result<Total, EngineError> {
        let mut out = Total::default();
        self.each_credit(who, measure, days, |c, value, counted| match counted {
            Counted::InMeasure => out.total += value,
            Counted::Clawback { original } => out.reversals.push(Reversal { txn: c.txn, original, value }),
            Counted::TooLate { .. } => {}
        })?;
        Ok(out)
    }
}
