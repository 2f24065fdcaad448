//! Capacity planning: how many reps the revenue plan needs, hired when. A quarter-by-quarter
//! model, simple enough to check by hand:
//!
//! - Everyone counts from the first day of a plan quarter. A fully ramped rep delivers
//!   `productivity` a quarter; in tenure quarter `k` (0 = their first) they deliver the ramp's
//!   step `k` percent of it, and 100% after the last step.
//! - Attrition: the annual rate becomes a quarterly survival rate `S = (1 − annual)^(1/4)`,
//!   rounded down to 6 decimals (slightly pessimistic); the share still there after `k`
//!   quarters is `S^k`, each power rounded half-even to 6 decimals. A quarter counts the people
//!   expected to be there at its end: the current team `S^(q+1)` in plan quarter `q` (0-based),
//!   someone who started in quarter `s` `S^(q−s+1)`. This is headcount, not money, so the
//!   figures are Decimal estimates, not amounts in minor units.
//! - Quarter by quarter, the capacity already planned — current reps (by their tenure at the
//!   plan's start), open seats (from their expected start quarter) and the hires planned so far
//!   — is compared with the plan. A shortfall is covered by new hires, as few as will do
//!   (whole people, rounded up), starting in the latest quarter in which a new hire delivers
//!   anything towards it: that quarter itself, or earlier when the ramp's first steps are 0%.
//!   When that start would fall before the plan, the shortfall is reported as uncovered.
//! - A hire starting in quarter `q` must be opened `lead` quarters earlier (time to fill); a
//!   negative quarter means before the plan starts: that hire is already late.
//!
//! Worked example (docs/planning-math.md has it as a table, and a test reproduces it): a plan of
//! 2.0, 2.2, 2.4 and 2.6 million over four quarters; 250,000 a quarter per ramped rep; ramp 25 /
//! 50 / 75; attrition 35% a year; eight ramped reps, two in their second quarter, one open seat
//! starting in the first quarter; lead time one quarter. `S = 0.65^(1/4) = 0.897900`.
//!
//! - Q1: the team delivers (8 × 250,000 + 2 × 125,000) × 0.8979 = 2,020,275 and the open seat
//!   250,000 × 25% × 0.8979 = 56,118.75: 2,076,393.75 ≥ 2,000,000, no hires.
//! - Q2: team (8 × 250,000 + 2 × 187,500) × 0.806224 = 1,914,782, open seat 100,778: short by
//!   184,440. A new hire delivers 56,118.75 in their first quarter: 3.29, so 4 hires start in
//!   Q2, opened in Q1.
//! - Q3: short by 51,382.5625 after the Q2 hires' 403,112: 1 hire. Q4: short by 168,795.75:
//!   3.008, so 4 hires. Nine people beyond the current team and the open seat.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use thiserror::Error;

use super::ramp::Ramp;

/// Approved seats not yet filled: `count` people expected to start in plan quarter `start`
/// (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenSeats {
    pub count: u32,
    pub start: usize,
}

/// What the model needs; amounts in minor units of one currency.
#[derive(Debug, Clone, Copy)]
pub struct HeadcountInputs<'a> {
    /// The revenue plan, one entry per plan quarter.
    pub plan: &'a [i64],
    /// What a fully ramped rep delivers in a quarter.
    pub productivity: i64,
    pub ramp: &'a Ramp,
    /// Expected annual attrition in percent, from 0 up to (not including) 100.
    pub annual_attrition: Decimal,
    /// The current reps, each as the tenure quarters they have completed when the plan starts.
    pub tenures: &'a [u32],
    pub open_seats: &'a [OpenSeats],
    /// Quarters it takes to fill a seat.
    pub lead_quarters: u32,
}

/// One plan quarter of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarterNeed {
    pub plan: i64,
    /// The current reps' expected delivery (ramp and attrition applied).
    pub team_capacity: Decimal,
    pub open_seat_capacity: Decimal,
    /// All planned hires' expected delivery in this quarter.
    pub hire_capacity: Decimal,
    /// New hires starting this quarter.
    pub hires: u32,
    /// The quarter their seats must be opened (this one less the lead time; negative: before
    /// the plan starts, so already late).
    pub open_by: i64,
    /// The part of the plan no hire can deliver in time; 0 when the plan is covered.
    pub uncovered: Decimal,
    /// People expected in seat at the quarter's end: current team, open seats and hires so far.
    pub heads: Decimal,
    /// Hires planned up to this quarter: people beyond the current team and the open seats.
    pub gap: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HeadcountError {
    #[error("a fully ramped rep's productivity must be above zero, not {0}")]
    Productivity(i64),
    #[error("annual attrition must be from 0 up to 100%, not {0}%")]
    Attrition(Decimal),
    #[error("open seats {index}: start quarter {start} is not within the plan's {quarters} quarters")]
    OpenSeatStart { index: usize, start: usize, quarters: usize },
    #[error(
        "a new hire is expected to deliver nothing by the time they count: no number of hires covers the plan"
    )]
    NoDelivery,
    #[error("the figures are too large to plan with")]
    Overflow,
}

/// The quarterly survival rate for an annual attrition in percent: `(1 − annual/100)^(1/4)`
/// rounded down to 6 decimals, found exactly in integers (the largest `r` with `r^4 ≤ (1 −
/// annual/100) × 10^24`).
pub fn quarterly_survival(annual_attrition: Decimal) -> Result<Decimal, HeadcountError> {
    if annual_attrition < Decimal::ZERO || annual_attrition >= Decimal::ONE_HUNDRED {
        return Err(HeadcountError::Attrition(annual_attrition));
    }
    // (100 − a) × 10^22 = (1 − a/100) × 10^24, at most 10^24: inside Decimal and u128.
    let e11 = Decimal::from(100_000_000_000u64);
    let target = (Decimal::ONE_HUNDRED - annual_attrition)
        .checked_mul(e11)
        .and_then(|v| v.checked_mul(e11))
        .and_then(|v| v.floor().to_u128())
        .ok_or(HeadcountError::Overflow)?;
    let (mut low, mut high) = (0u128, 1_000_000u128);
    while low < high {
        let mid = (low + high).div_ceil(2);
        if mid * mid * mid * mid <= target {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    Ok(Decimal::new(i64::try_from(low).map_err(|_| HeadcountError::Overflow)?, 6))
}

/// The plan's needs quarter by quarter, by the model in the module documentation.
pub fn plan_headcount(inputs: &HeadcountInputs) -> Result<Vec<QuarterNeed>, HeadcountError> {
    let quarters = inputs.plan.len();
    if inputs.productivity <= 0 {
        return Err(HeadcountError::Productivity(inputs.productivity));
    }
    if let Some((index, seats)) = inputs.open_seats.iter().enumerate().find(|(_, s)| s.start >= quarters) {
        return Err(HeadcountError::OpenSeatStart { index, start: seats.start, quarters });
    }
    let model = Model::new(inputs)?;
    // The first tenure quarter in which a hire delivers anything (the step after the last is
    // 100%, so there is one).
    let first =
        (0..=inputs.ramp.steps().len()).find(|k| inputs.ramp.percent(*k) > Decimal::ZERO).unwrap_or(0);
    let per_hire = model.delivery(1, first, first)?;
    if per_hire <= Decimal::ZERO {
        return Err(HeadcountError::NoDelivery);
    }

    let mut hires = vec![0u32; quarters];
    let mut uncovered = vec![Decimal::ZERO; quarters];
    for (q, plan) in inputs.plan.iter().enumerate() {
        let planned = model.team(q)?.checked_add(model.open(q)?).ok_or(HeadcountError::Overflow)?;
        let planned = planned.checked_add(model.hired(q, &hires)?).ok_or(HeadcountError::Overflow)?;
        let short = Decimal::from(*plan).checked_sub(planned).ok_or(HeadcountError::Overflow)?;
        if short <= Decimal::ZERO {
            continue;
        }
        match q.checked_sub(first) {
            Some(start) => {
                hires[start] =
                    hires[start].checked_add(fewest(short, per_hire)?).ok_or(HeadcountError::Overflow)?
            }
            None => uncovered[q] = short,
        }
    }

    let mut gap = 0u32;
    let mut needs = Vec::with_capacity(quarters);
    for (q, plan) in inputs.plan.iter().enumerate() {
        gap = gap.checked_add(hires[q]).ok_or(HeadcountError::Overflow)?;
        let quarter = i64::try_from(q).map_err(|_| HeadcountError::Overflow)?;
        needs.push(QuarterNeed {
            plan: *plan,
            team_capacity: model.team(q)?,
            open_seat_capacity: model.open(q)?,
            hire_capacity: model.hired(q, &hires)?,
            hires: hires[q],
            open_by: quarter - i64::from(inputs.lead_quarters),
            uncovered: uncovered[q],
            heads: model.heads(q, &hires)?,
            gap,
        });
    }
    Ok(needs)
}

fn sum(mut parts: impl Iterator<Item = Result<Decimal, HeadcountError>>) -> Result<Decimal, HeadcountError> {
    parts.try_fold(Decimal::ZERO, |sum, part| sum.checked_add(part?).ok_or(HeadcountError::Overflow))
}

/// The fewest whole people whose delivery reaches `short`: the rounded-up quotient, checked by
/// multiplying back so a quotient's last digit cannot add or lose a person.
fn fewest(short: Decimal, per_hire: Decimal) -> Result<u32, HeadcountError> {
    let overflow = HeadcountError::Overflow;
    let mut count =
        short.checked_div(per_hire).ok_or(overflow.clone())?.ceil().to_u32().ok_or(overflow.clone())?;
    let reaches = |n: u32| per_hire.checked_mul(Decimal::from(n)).map(|d| d >= short);
    while count > 0 && reaches(count - 1).ok_or(overflow.clone())? {
        count -= 1;
    }
    while !reaches(count).ok_or(overflow.clone())? {
        count = count.checked_add(1).ok_or(overflow.clone())?;
    }
    Ok(count)
}

/// The inputs with their survival table worked out.
struct Model<'a> {
    inputs: &'a HeadcountInputs<'a>,
    /// `survival[k]`: the share still there `k` quarters on.
    survival: Vec<Decimal>,
}

impl<'a> Model<'a> {
    fn new(inputs: &'a HeadcountInputs<'a>) -> Result<Model<'a>, HeadcountError> {
        let rate = quarterly_survival(inputs.annual_attrition)?;
        // Enough powers for any quarter of the plan and for a hire's first delivering quarter.
        let needed = inputs.plan.len().max(inputs.ramp.steps().len()) + 2;
        let mut survival = vec![Decimal::ONE];
        for k in 1..needed {
            let previous = survival[k - 1];
            let power = previous.checked_mul(rate).ok_or(HeadcountError::Overflow)?;
            survival.push(power.round_dp_with_strategy(6, RoundingStrategy::MidpointNearestEven));
        }
        Ok(Model { inputs, survival })
    }

    /// What `people` deliver in a quarter in which they are in tenure quarter `tenure`, `since`
    /// quarters after the start of the quarter they were all there (0: this one). They count
    /// at the quarter's end: `S^(since + 1)` of them.
    fn delivery(&self, people: u32, tenure: usize, since: usize) -> Result<Decimal, HeadcountError> {
        let survival = self.survival.get(since + 1).copied().unwrap_or(Decimal::ZERO);
        Decimal::from(self.inputs.productivity)
            .checked_mul(Decimal::from(people))
            .and_then(|d| d.checked_mul(self.inputs.ramp.percent(tenure)))
            .and_then(|d| d.checked_div(Decimal::ONE_HUNDRED))
            .and_then(|d| d.checked_mul(survival))
            .ok_or(HeadcountError::Overflow)
    }

    fn team(&self, q: usize) -> Result<Decimal, HeadcountError> {
        sum(self
            .inputs
            .tenures
            .iter()
            .map(|t| self.delivery(1, usize::try_from(*t).unwrap_or(usize::MAX).saturating_add(q), q)))
    }

    fn open(&self, q: usize) -> Result<Decimal, HeadcountError> {
        sum(self
            .inputs
            .open_seats
            .iter()
            .filter(|s| s.start <= q)
            .map(|s| self.delivery(s.count, q - s.start, q - s.start)))
    }

    fn hired(&self, q: usize, hires: &[u32]) -> Result<Decimal, HeadcountError> {
        sum(hires.iter().take(q + 1).enumerate().map(|(s, n)| self.delivery(*n, q - s, q - s)))
    }

    fn heads(&self, q: usize, hires: &[u32]) -> Result<Decimal, HeadcountError> {
        let at = |people: usize, since: usize| {
            let share = self.survival.get(since + 1).copied().unwrap_or(Decimal::ZERO);
            Decimal::from(people).checked_mul(share).ok_or(HeadcountError::Overflow)
        };
        let seats = self.inputs.open_seats.iter().filter(|s| s.start <= q);
        let started = hires.iter().take(q + 1).enumerate();
        sum(std::iter::once(at(self.inputs.tenures.len(), q))
            .chain(seats.map(|s| at(s.count as usize, q - s.start)))
            .chain(started.map(|(s, n)| at(*n as usize, q - s))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn ramp() -> Ramp {
        Ramp::new(vec![dec!(25), dec!(50), dec!(75)]).unwrap()
    }

    #[test]
    fn survival_is_the_fourth_root_rounded_down() {
        // 0.8979^4 = 0.64999... ≤ 0.65 < 0.897901^4.
        assert_eq!(quarterly_survival(dec!(35)), Ok(dec!(0.897900)));
        assert_eq!(quarterly_survival(dec!(0)), Ok(dec!(1)));
        // 0.937507^4 = 0.772499… ≤ 1 − 22.75% = 0.7725 < 0.937508^4 = 0.772502….
        assert_eq!(quarterly_survival(dec!(22.75)), Ok(dec!(0.937507)));
        assert_eq!(quarterly_survival(dec!(100)), Err(HeadcountError::Attrition(dec!(100))));
        assert_eq!(quarterly_survival(dec!(-1)), Err(HeadcountError::Attrition(dec!(-1))));
    }

    #[test]
    fn the_worked_example_by_hand() {
        let mut tenures = vec![8; 8];
        tenures.extend([1, 1]);
        let ramp = ramp();
        let inputs = HeadcountInputs {
            plan: &[2_000_000, 2_200_000, 2_400_000, 2_600_000],
            productivity: 250_000,
            ramp: &ramp,
            annual_attrition: dec!(35),
            tenures: &tenures,
            open_seats: &[OpenSeats { count: 1, start: 0 }],
            lead_quarters: 1,
        };
        let needs = plan_headcount(&inputs).unwrap();
        let column = |f: fn(&QuarterNeed) -> Decimal| needs.iter().map(f).collect::<Vec<_>>();
        // Survival 0.8979, 0.806224, 0.723909, 0.649998 at the ends of Q1..Q4.
        assert_eq!(
            column(|n| n.team_capacity),
            [dec!(2020275), dec!(1914782), dec!(1809772.5), dec!(1624995)]
        );
        assert_eq!(
            column(|n| n.open_seat_capacity),
            [dec!(56118.75), dec!(100778), dec!(135732.9375), dec!(162499.5)]
        );
        // Q2's four hires: 4 × 56,118.75; in Q3 at 50% (403,112) plus Q3's one; in Q4 at 75%
        // (542,931.75), 100,778 and Q4's four.
        assert_eq!(column(|n| n.hire_capacity), [dec!(0), dec!(224475), dec!(459230.75), dec!(868184.75)]);
        assert_eq!(needs.iter().map(|n| n.hires).collect::<Vec<_>>(), [0, 4, 1, 4]);
        assert_eq!(needs.iter().map(|n| n.open_by).collect::<Vec<_>>(), [-1, 0, 1, 2]);
        assert_eq!(needs.iter().map(|n| n.gap).collect::<Vec<_>>(), [0, 4, 5, 9]);
        assert!(needs.iter().all(|n| n.uncovered.is_zero()));
        // Q4's heads: 11 × 0.649998 + 4 × 0.723909 + 0.806224 + 4 × 0.8979.
        assert_eq!(column(|n| n.heads), [dec!(9.8769), dec!(12.460064), dec!(12.085795), dec!(14.443438)]);
        for need in &needs {
            assert!(
                need.team_capacity + need.open_seat_capacity + need.hire_capacity >= Decimal::from(need.plan)
            );
        }
    }

    #[test]
    fn a_ramp_starting_at_zero_hires_earlier_or_reports_what_cannot_be_covered() {
        // No attrition; one ramped rep delivering 100. A new hire delivers nothing in their
        // first quarter and 50 in their second.
        let ramp = Ramp::new(vec![dec!(0), dec!(50)]).unwrap();
        let mut inputs = HeadcountInputs {
            plan: &[150, 200, 300],
            productivity: 100,
            ramp: &ramp,
            annual_attrition: dec!(0),
            tenures: &[5],
            open_seats: &[],
            lead_quarters: 2,
        };
        let needs = plan_headcount(&inputs).unwrap();
        // Q1 is short by 50 and nobody hired now delivers in Q1. Q2's shortfall of 100 takes two
        // hires starting in Q1 (50 each in their second quarter), who cover Q3 at 100% each.
        assert_eq!(needs[0].uncovered, dec!(50));
        assert_eq!(needs.iter().map(|n| n.hires).collect::<Vec<_>>(), [2, 0, 0]);
        assert_eq!(
            needs.iter().map(|n| n.hire_capacity).collect::<Vec<_>>(),
            [dec!(0), dec!(100), dec!(200)]
        );
        assert_eq!(needs[0].open_by, -2, "two quarters' lead time: already late");
        inputs.plan = &[100, 150, 300];
        let needs = plan_headcount(&inputs).unwrap();
        // Exactly one hire covers Q2's 50, and the 100 still short in Q3 takes two more.
        assert_eq!(needs.iter().map(|n| n.hires).collect::<Vec<_>>(), [1, 2, 0]);
    }

    #[test]
    fn the_fewest_people_are_exact_at_the_boundary() {
        assert_eq!(fewest(dec!(300), dec!(100)), Ok(3));
        assert_eq!(fewest(dec!(300.0000001), dec!(100)), Ok(4));
        // 1/3 cannot be written exactly; three of its 28-digit value fall short of 1.
        assert_eq!(fewest(Decimal::ONE, Decimal::ONE / Decimal::from(3)), Ok(4));
        assert_eq!(fewest(dec!(0.5), dec!(56118.75)), Ok(1));
    }
}
