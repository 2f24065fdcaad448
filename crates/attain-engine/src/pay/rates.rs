//! Rate tables: how a measured input (attainment, or an amount) becomes earnings, with the
//! tier mode named explicitly, because the same tiers pay very differently by mode:
//!
//! - `marginal` (graduated): each slice of the input between one tier's start and the next is
//!   paid at its own tier's rate. Continuous and monotone in the input (for rates ≥ 0).
//! - `retroactive`: the whole input is paid at the rate of the highest tier reached, so the
//!   payout jumps when a tier starts.
//! - `step`: the payout is the fixed amount of the highest tier reached (nothing below the
//!   first tier).
//! - `curve`: payout levels at given inputs, linear between consecutive levels, flat above the
//!   top level; below the first level nothing is paid unless the first level starts at 0.
//!
//! Tiers start at `from` (inclusive) and run to the next tier's `from` (exclusive); the last
//! runs on forever. Inputs are exact decimals; nothing is rounded here (rounding happens once,
//! at the statement line). Tiers evaluate the period-cumulative input, never per transaction.

use rust_decimal::Decimal;
use thiserror::Error;

/// How tiers turn an input into a payout (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierMode {
    Marginal,
    Retroactive,
    Step,
    Curve,
}

impl TierMode {
    pub fn parse(text: &str) -> Option<TierMode> {
        match text.trim() {
            "marginal" => Some(TierMode::Marginal),
            "retroactive" => Some(TierMode::Retroactive),
            "step" => Some(TierMode::Step),
            "curve" => Some(TierMode::Curve),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TierMode::Marginal => "marginal",
            TierMode::Retroactive => "retroactive",
            TierMode::Step => "step",
            TierMode::Curve => "curve",
        }
    }
}

/// One row of a rate table: from this input on, `value` applies. For `marginal` and
/// `retroactive` the value is a rate (payout per unit of input); for `step` a fixed payout;
/// for `curve` the payout level at exactly `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub from: Decimal,
    pub value: Decimal,
}

/// Why a rate table is not valid; `index` is the 0-based tier at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RateError {
    #[error("a rate table needs at least one tier")]
    Empty,
    #[error("tier {index}: starts at {from}, which is not above the previous tier's start")]
    NotIncreasing { index: usize, from: Decimal },
    #[error("tier {index}: starts below zero ({from})")]
    Negative { index: usize, from: Decimal },
}

/// A checked rate table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateTable {
    mode: TierMode,
    steps: Vec<Step>,
}

/// What a table paid for an input, with the tiers it used: enough to explain the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    pub amount: Decimal,
    /// The highest tier reached (0-based), if any.
    pub tier: Option<usize>,
    /// For `marginal`: each tier's slice of the input and what it paid, in tier order.
    pub slices: Vec<(usize, Decimal, Decimal)>,
}

impl RateTable {
    /// Checks that tiers start at or above zero, in strictly increasing order.
    pub fn new(mode: TierMode, steps: Vec<Step>) -> Result<RateTable, RateError> {
        if steps.is_empty() {
            return Err(RateError::Empty);
        }
        for (index, step) in steps.iter().enumerate() {
            if step.from < Decimal::ZERO {
                return Err(RateError::Negative { index, from: step.from });
            }
            if index > 0 && step.from <= steps[index - 1].from {
                return Err(RateError::NotIncreasing { index, from: step.from });
            }
        }
        Ok(RateTable { mode, steps })
    }

    pub fn mode(&self) -> TierMode {
        self.mode
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The highest tier whose start the input has reached.
    fn reached(&self, input: Decimal) -> Option<usize> {
        self.steps.iter().rposition(|s| input >= s.from)
    }

    /// The payout for `input` (attainment as a fraction, 1.0 = 100%, or an amount).
    pub fn pay(&self, input: Decimal) -> Payout {
        let tier = self.reached(input);
        match self.mode {
            TierMode::Marginal => {
                let mut slices = Vec::new();
                let mut amount = Decimal::ZERO;
                for (i, step) in self.steps.iter().enumerate() {
                    if input <= step.from {
                        break;
                    }
                    let end = self.steps.get(i + 1).map_or(input, |next| next.from.min(input));
                    let slice = end - step.from;
                    let paid = slice * step.value;
                    amount += paid;
                    slices.push((i, slice, paid));
                }
                Payout { amount, tier, slices }
            }
            TierMode::Retroactive => {
                let amount = tier.map_or(Decimal::ZERO, |t| input * self.steps[t].value);
                Payout { amount, tier, slices: Vec::new() }
            }
            TierMode::Step => {
                let amount = tier.map_or(Decimal::ZERO, |t| self.steps[t].value);
                Payout { amount, tier, slices: Vec::new() }
            }
            TierMode::Curve => {
                let amount = match tier {
                    None => Decimal::ZERO,
                    Some(t) => match self.steps.get(t + 1) {
                        // Flat above the top level.
                        None => self.steps[t].value,
                        Some(next) => {
                            let low = self.steps[t];
                            let share = (input - low.from) / (next.from - low.from);
                            low.value + (next.value - low.value) * share
                        }
                    },
                };
                Payout { amount, tier, slices: Vec::new() }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_must_start_at_or_above_zero_and_increase() {
        let step = |from: i64| Step { from: Decimal::from(from), value: Decimal::ONE };
        assert_eq!(RateTable::new(TierMode::Marginal, vec![]), Err(RateError::Empty));
        assert_eq!(
            RateTable::new(TierMode::Marginal, vec![step(0), step(0)]),
            Err(RateError::NotIncreasing { index: 1, from: Decimal::ZERO })
        );
        assert_eq!(
            RateTable::new(TierMode::Step, vec![step(-1)]),
            Err(RateError::Negative { index: 0, from: Decimal::from(-1) })
        );
        assert!(RateTable::new(TierMode::Curve, vec![step(0), step(1)]).is_ok());
        for mode in [TierMode::Marginal, TierMode::Retroactive, TierMode::Step, TierMode::Curve] {
            assert_eq!(TierMode::parse(mode.name()), Some(mode));
        }
    }
}
