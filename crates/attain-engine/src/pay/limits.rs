//! Proration and limits: the two adjustments every component's earnings pass through before
//! they reach a statement line.
//!
//! - Proration: a payee who held the plan for part of a period (hired mid-quarter, on leave,
//!   transferred) earns the share of the period's days they held it.
//! - Limits: a floor (a guaranteed minimum), a per-period cap and a plan-year cap, applied in
//!   that order to positive earnings. Negative amounts (clawbacks, reversals) pass through
//!   untouched: limits bound what is paid, not what is taken back.

use attain_core::Validity;
use rust_decimal::Decimal;

/// The share of `period` covered by `held` (days held ÷ days in the period), exactly. Ranges
/// in `held` must not overlap (a payee holds one plan assignment at a time); an open-ended
/// period cannot be prorated and counts as fully held.
pub fn held_share(period: &Validity, held: &[Validity]) -> Decimal {
    let Some(total) = period.days().filter(|d| *d > 0) else { return Decimal::ONE };
    let days: i32 = held.iter().filter_map(|h| h.intersect(period)).filter_map(|v| v.days()).sum();
    Decimal::from(days.min(total)) / Decimal::from(total)
}

/// `amount` prorated by the share of `period` covered by `held`.
pub fn prorate(amount: Decimal, period: &Validity, held: &[Validity]) -> Decimal {
    amount * held_share(period, held)
}

/// Which limit decided an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Floor,
    PeriodCap,
    YearCap,
}

/// A floor and caps for one component (each optional).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub floor: Option<Decimal>,
    pub period_cap: Option<Decimal>,
    pub year_cap: Option<Decimal>,
}

/// An amount after limits, and the limit that changed it, for the statement's explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub amount: Decimal,
    pub by: Option<Limit>,
}

impl Limits {
    /// Applies the floor, then the period cap, then what is left of the plan-year cap after
    /// `paid_this_year` (earlier periods' limited amounts of this component).
    pub fn apply(&self, earned: Decimal, paid_this_year: Decimal) -> Limited {
        if earned < Decimal::ZERO {
            return Limited { amount: earned, by: None };
        }
        let mut limited = Limited { amount: earned, by: None };
        if let Some(floor) = self.floor
            && limited.amount < floor
        {
            limited = Limited { amount: floor, by: Some(Limit::Floor) };
        }
        if let Some(cap) = self.period_cap
            && limited.amount > cap
        {
            limited = Limited { amount: cap, by: Some(Limit::PeriodCap) };
        }
        if let Some(cap) = self.year_cap {
            let room = (cap - paid_this_year).max(Decimal::ZERO);
            if limited.amount > room {
                limited = Limited { amount: room, by: Some(Limit::YearCap) };
            }
        }
        limited
    }
}
