//! Ramp and proration for one seat over one period, as one capacity factor: the share of a
//! fully productive period the seat can be expected to deliver, given the days it is worked and
//! how far into their ramp the rep is on each of those days.
//!
//! A ramp is a percent of full productivity per quarter of tenure. Tenure quarter `k` covers the
//! days `[start + 3k months, start + 3(k+1) months)`, in calendar months counted from the start
//! date each time (not by adding three months repeatedly). A day of the month that the target
//! month lacks clamps to its last day, as jiff's date arithmetic does: a start on 31 January
//! has its second tenure quarter begin on 30 April, its third on 31 July.

use attain_core::{Date, Validity};
use rust_decimal::Decimal;
use thiserror::Error;

/// Percent of full productivity per tenure quarter; after the last step, 100%.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Ramp {
    steps: Vec<Decimal>,
}

/// Why ramp steps are not a ramp; `index` is the 0-based tenure quarter.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RampError {
    #[error("ramp step {index}: {percent}% is outside 0 to 100")]
    OutOfRange { index: usize, percent: Decimal },
}

/// Why a capacity factor cannot be measured.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CapacityError {
    #[error("the period {period} has no end: capacity is measured over a bounded period")]
    Unbounded { period: Validity },
    #[error("the period {period} has no days")]
    Empty { period: Validity },
}

impl Ramp {
    /// Steps in percent, one per tenure quarter from the start date (e.g. `[25, 50, 75]`: the
    /// first three months at 25%, the next three at 50%, the next three at 75%, then 100%).
    pub fn new(steps: Vec<Decimal>) -> Result<Ramp, RampError> {
        if let Some((index, percent)) =
            steps.iter().enumerate().find(|(_, p)| **p < Decimal::ZERO || **p > Decimal::ONE_HUNDRED)
        {
            return Err(RampError::OutOfRange { index, percent: *percent });
        }
        Ok(Ramp { steps })
    }

    /// No ramp: fully productive from the first day.
    pub fn none() -> Ramp {
        Ramp { steps: Vec::new() }
    }

    pub fn steps(&self) -> &[Decimal] {
        &self.steps
    }

    /// Percent of full productivity in tenure quarter `quarter` (0 = the first three months).
    pub fn percent(&self, quarter: usize) -> Decimal {
        self.steps.get(quarter).copied().unwrap_or(Decimal::ONE_HUNDRED)
    }
}

/// The first day of tenure quarter `quarter` for a start on `start`, or `None` when that day is
/// past the end of the calendar (year 9999), which no period reaches.
pub fn tenure_quarter_start(start: Date, quarter: usize) -> Option<Date> {
    let months = i64::try_from(quarter).ok()?.checked_mul(3)?;
    let index = (i64::from(start.year()) * 12 + i64::from(start.month()) - 1).checked_add(months)?;
    let year = i16::try_from(index.div_euclid(12)).ok()?;
    let month = i8::try_from(index.rem_euclid(12) + 1).ok()?;
    let last_day = Date::new(year, month, 1).ok()?.days_in_month();
    Date::new(year, month, start.day().min(last_day)).ok()
}

/// The capacity factor of one seat over `period`: for every day of the period that falls in
/// any of the `worked` ranges, the ramp percent of that day's tenure quarter; summed, and
/// divided by 100 × the days in the period. So a seat worked the whole period, fully ramped, is
/// 1; worked half of it at a 50% step, 0.25.
///
/// `worked` are the ranges the seat is held and worked (hire to termination, less leave, each
/// side of a transfer); they may overlap, and a day counts once. Days worked before `start`
/// count at the first step (a ramp never runs backwards). The period must be bounded.
///
/// The day sums are exact; the one division at the end is Decimal's (28 significant digits).
/// The work is proportional to the number of ranges and steps, not the number of days.
pub fn capacity(
    period: Validity,
    worked: &[Validity],
    start: Date,
    ramp: &Ramp,
) -> Result<Decimal, CapacityError> {
    if period.to.is_none() {
        return Err(CapacityError::Unbounded { period });
    }
    let days = period.days().filter(|d| *d > 0).ok_or(CapacityError::Empty { period })?;
    // Every day as its offset from the period's first day, clamped into the period.
    let offset = |day: Date| (day - period.from).get_days().clamp(0, days);

    let mut spans: Vec<(i32, i32)> = worked
        .iter()
        .filter_map(|w| w.intersect(&period))
        .map(|w| (offset(w.from), w.to.map_or(days, offset)))
        .collect();
    spans.sort_unstable();
    let spans = merged(spans);

    // The ramp as consecutive segments covering the period: step k from the start of tenure
    // quarter k (the first from the period's beginning) to the start of quarter k + 1; then
    // 100% to the end.
    let boundary = |quarter: usize| tenure_quarter_start(start, quarter).map_or(days, offset);
    let mut segments = Vec::with_capacity(ramp.steps.len() + 1);
    let mut from = 0;
    for (quarter, percent) in ramp.steps.iter().enumerate() {
        let to = boundary(quarter + 1).max(from);
        segments.push((from, to, *percent));
        from = to;
    }
    segments.push((from, days, Decimal::ONE_HUNDRED));

    // Both lists are sorted and disjoint: walk them together.
    let mut percent_days = Decimal::ZERO;
    let (mut s, mut r) = (0, 0);
    while let (Some(&(a, b)), Some(&(lo, hi, percent))) = (spans.get(s), segments.get(r)) {
        let overlap = b.min(hi) - a.max(lo);
        if overlap > 0 {
            // At most 100 × 7.3 million day-percents: far inside Decimal's range.
            percent_days += Decimal::from(overlap) * percent;
        }
        if b <= hi {
            s += 1;
        } else {
            r += 1;
        }
    }
    Ok(percent_days / Decimal::from(i64::from(days) * 100))
}

/// Sorted ranges with overlapping or touching ones joined.
fn merged(sorted: Vec<(i32, i32)>) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(sorted.len());
    for (from, to) in sorted {
        match out.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => out.push((from, to)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ToSpan;
    use jiff::civil::date;
    use rust_decimal_macros::dec;

    fn range(from: Date, to: Date) -> Validity {
        Validity::new(from, Some(to)).unwrap()
    }

    fn month(year: i16, month: i8) -> Validity {
        let from = date(year, month, 1);
        range(from, from + 1.month())
    }

    fn ramp() -> Ramp {
        Ramp::new(vec![dec!(25), dec!(50), dec!(75)]).unwrap()
    }

    fn ratio(numerator: i64, denominator: i64) -> Decimal {
        Decimal::from(numerator) / Decimal::from(denominator)
    }

    #[test]
    fn a_rep_starting_on_15_february_ramps_by_three_month_quarters() {
        // Ramp 25/50/75 from 2017-02-15: tenure quarter 0 is [Feb 15, May 15), quarter 1
        // [May 15, Aug 15), quarter 2 [Aug 15, Nov 15), then fully ramped.
        let start = date(2017, 2, 15);
        let worked = [Validity::open_from(start)];
        let factor = |period| capacity(period, &worked, start, &ramp()).unwrap();
        // February: 14 of 28 days at 25%.
        assert_eq!(factor(month(2017, 2)), dec!(0.125));
        assert_eq!(factor(month(2017, 2)), ratio(14 * 25, 28 * 100));
        assert_eq!(factor(month(2017, 3)), dec!(0.25));
        // April lies wholly in the first tenure quarter.
        assert_eq!(factor(month(2017, 4)), dec!(0.25));
        // May: 14 days at 25% (1–14), 17 at 50% (15–31).
        assert_eq!(factor(month(2017, 5)), ratio(14 * 25 + 17 * 50, 31 * 100));
        // Q1 2017: (14 + 31) days at 25% of 90.
        assert_eq!(factor(range(date(2017, 1, 1), date(2017, 4, 1))), dec!(0.125));
        // November: 14 days at 75%, 16 at 100%.
        assert_eq!(factor(month(2017, 11)), ratio(14 * 75 + 16 * 100, 30 * 100));
        assert_eq!(factor(month(2017, 12)), Decimal::ONE);
        assert_eq!(factor(month(2017, 1)), Decimal::ZERO, "not yet started");
    }

    #[test]
    fn a_termination_on_the_tenth_ends_the_days_worked() {
        // Worked up to (not including) 10 April: 9 of April's 30 days, at 25%.
        let start = date(2017, 2, 15);
        let worked = [range(start, date(2017, 4, 10))];
        assert_eq!(capacity(month(2017, 4), &worked, start, &ramp()), Ok(dec!(0.075)));
        assert_eq!(capacity(month(2017, 4), &worked, start, &Ramp::none()), Ok(dec!(0.3)));
        assert_eq!(capacity(month(2017, 5), &worked, start, &ramp()), Ok(Decimal::ZERO));
    }

    #[test]
    fn a_leave_leaves_a_gap() {
        // On leave 11–25 June: 10 + 5 of June's 30 days worked, at 50% (tenure quarter 1).
        let start = date(2017, 2, 15);
        let worked = [range(start, date(2017, 6, 11)), Validity::open_from(date(2017, 6, 26))];
        assert_eq!(capacity(month(2017, 6), &worked, start, &ramp()), Ok(dec!(0.25)));
    }

    #[test]
    fn a_transfer_splits_the_month_and_the_two_sides_add_to_the_whole() {
        // Started 2016-11-15, so tenure quarter 1 starts 2017-02-15. Moved to a new position
        // on 8 February: the old one has Feb 1–7 (7 days at 25%), the new one Feb 8–14 at 25%
        // and Feb 15–28 at 50%. Tenure carries over the move.
        let start = date(2016, 11, 15);
        let feb = month(2017, 2);
        let old = capacity(feb, &[range(start, date(2017, 2, 8))], start, &ramp()).unwrap();
        let new = capacity(feb, &[Validity::open_from(date(2017, 2, 8))], start, &ramp()).unwrap();
        let whole = capacity(feb, &[Validity::open_from(start)], start, &ramp()).unwrap();
        assert_eq!(old, dec!(0.0625));
        assert_eq!(new, dec!(0.3125));
        assert_eq!(whole, dec!(0.375));
        assert_eq!(old + new, whole);
    }

    #[test]
    fn overlapping_ranges_count_a_day_once() {
        let start = date(2016, 1, 1);
        let worked = [
            range(date(2017, 6, 1), date(2017, 6, 21)),
            range(date(2017, 6, 11), date(2017, 6, 16)),
            range(date(2017, 6, 16), date(2017, 7, 1)),
            range(date(2017, 6, 5), date(2017, 6, 7)),
        ];
        assert_eq!(capacity(month(2017, 6), &worked, start, &ramp()), Ok(Decimal::ONE));
    }

    #[test]
    fn days_before_the_start_count_at_the_first_step() {
        // A new ramp from 15 March (say, a promotion) over days worked since January.
        let worked = [Validity::open_from(date(2017, 1, 1))];
        assert_eq!(capacity(month(2017, 2), &worked, date(2017, 3, 15), &ramp()), Ok(dec!(0.25)));
    }

    #[test]
    fn a_start_on_the_31st_clamps_to_the_month_end() {
        let start = date(2017, 1, 31);
        assert_eq!(tenure_quarter_start(start, 0), Some(start));
        assert_eq!(tenure_quarter_start(start, 1), Some(date(2017, 4, 30)));
        assert_eq!(tenure_quarter_start(start, 2), Some(date(2017, 7, 31)));
        assert_eq!(tenure_quarter_start(date(2015, 11, 30), 1), Some(date(2016, 2, 29)));
        assert_eq!(tenure_quarter_start(date(9999, 1, 1), 4), None, "past the calendar's end");
        // April 1–29 at 25%, the 30th at 50%.
        let worked = [Validity::open_from(start)];
        assert_eq!(capacity(month(2017, 4), &worked, start, &ramp()), Ok(ratio(29 * 25 + 50, 3000)));
    }

    #[test]
    fn bad_ramps_and_periods_are_refused() {
        assert_eq!(
            Ramp::new(vec![dec!(50), dec!(100.01)]),
            Err(RampError::OutOfRange { index: 1, percent: dec!(100.01) })
        );
        assert!(Ramp::new(vec![dec!(-1)]).is_err());
        assert_eq!(ramp().percent(2), dec!(75));
        assert_eq!(ramp().percent(3), dec!(100));
        let open = Validity::open_from(date(2017, 1, 1));
        assert_eq!(
            capacity(open, &[], date(2017, 1, 1), &ramp()),
            Err(CapacityError::Unbounded { period: open })
        );
        let empty = Validity { from: date(2017, 1, 1), to: Some(date(2017, 1, 1)) };
        assert_eq!(
            capacity(empty, &[], date(2017, 1, 1), &ramp()),
            Err(CapacityError::Empty { period: empty })
        );
    }
}
