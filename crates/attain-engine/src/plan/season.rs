//! Seasonality: how a fiscal year's objective spreads over its twelve fiscal months, as shares
//! in percent with two decimals (whole basis points) that sum to exactly 100.00 — entered by
//! hand, even, or learned from past years' bookings. Month index 0 is the fiscal year's first
//! month, whatever calendar month that is.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use thiserror::Error;

use super::apportion::{apportion_units, hand_out};
use super::wide::U256;

/// 100.00% in basis points (hundredths of a percent).
const WHOLE: u16 = 10_000;

/// What [`apportion`](super::apportion) gives for 10,000 basis points over twelve equal
/// weights: 833 each and four left over, which go to the first four months (equal remainders
/// go to the lower index). A test checks the two agree.
const EVEN: [u16; 12] = [834, 834, 834, 834, 833, 833, 833, 833, 833, 833, 833, 833];

/// Twelve month shares summing to exactly 100.00%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Seasonality {
    basis_points: [u16; 12],
}

/// Why entered shares are not a seasonality; `month` is the 0-based fiscal month index (the
/// message counts from 1, as people do).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SeasonError {
    #[error("fiscal month {}: share {share} is outside 0 to 100", .month + 1)]
    OutOfRange { month: usize, share: Decimal },
    #[error("fiscal month {}: share {share} has more than two decimals", .month + 1)]
    TooPrecise { month: usize, share: Decimal },
    #[error("the month shares sum to {sum}, not 100.00")]
    Sum { sum: Decimal },
}

impl Seasonality {
    /// Every month the same as far as two decimals allow: 8.34% for the first four fiscal
    /// months, 8.33% for the other eight.
    pub fn even() -> Seasonality {
        Seasonality { basis_points: EVEN }
    }

    /// Shares entered by hand: each from 0 to 100 with at most two decimals, summing to exactly
    /// 100 (no rounding: 99.99 is refused, so what was entered is what is used).
    pub fn from_shares(shares: [Decimal; 12]) -> Result<Seasonality, SeasonError> {
        let mut basis_points = [0u16; 12];
        for (month, (slot, share)) in basis_points.iter_mut().zip(shares).enumerate() {
            if share < Decimal::ZERO || share > Decimal::ONE_HUNDRED {
                return Err(SeasonError::OutOfRange { month, share });
            }
            if share.normalize().scale() > 2 {
                return Err(SeasonError::TooPrecise { month, share });
            }
            // Exact: a share of at most 100 with two decimals is 0..=10,000 basis points.
            *slot =
                (share * Decimal::ONE_HUNDRED).to_u16().ok_or(SeasonError::OutOfRange { month, share })?;
        }
        let sum: u32 = basis_points.iter().map(|bp| u32::from(*bp)).sum();
        if sum != u32::from(WHOLE) {
            return Err(SeasonError::Sum { sum: Decimal::new(i64::from(sum), 2) });
        }
        Ok(Seasonality { basis_points })
    }

    /// Learned from history: one array per past fiscal year of each fiscal month's bookings in
    /// minor units. Each month's bookings are summed over the years (refunds included, so a
    /// month can net below zero; such a month counts as zero), and 10,000 basis points are
    /// apportioned by those sums. With no history, or nothing booked, the year is even.
    pub fn learned(history: &[[i128; 12]]) -> Seasonality {
        Seasonality::learn(history).unwrap_or_else(Seasonality::even)
    }

    fn learn(history: &[[i128; 12]]) -> Option<Seasonality> {
        // Bookings and refunds are summed apart, in 256 bits, so no number of years of i128
        // values can overflow, and the month's net is their difference.
        let mut booked = [U256::ZERO; 12];
        let mut refunded = [U256::ZERO; 12];
        for year in history {
            for ((plus, minus), value) in booked.iter_mut().zip(refunded.iter_mut()).zip(year) {
                let side = if *value < 0 { minus } else { plus };
                *side = side.checked_add(U256::from_u128(value.unsigned_abs()))?;
            }
        }
        let mut net = [U256::ZERO; 12];
        for ((slot, plus), minus) in net.iter_mut().zip(booked).zip(refunded) {
            *slot = plus.checked_sub(minus).unwrap_or(U256::ZERO);
        }
        // Nothing booked at all is the "cannot sum" error here, answered with the even year.
        let parts = apportion_units(i64::from(WHOLE), &net).ok()?;
        let mut basis_points = [0u16; 12];
        for (slot, part) in basis_points.iter_mut().zip(&parts) {
            *slot = u16::try_from(*part).ok()?;
        }
        Some(Seasonality { basis_points })
    }

    /// The month shares in percent, with two decimals.
    pub fn shares(&self) -> [Decimal; 12] {
        self.basis_points.map(|bp| Decimal::new(i64::from(bp), 2))
    }

    /// The month shares in basis points (hundredths of a percent), summing to 10,000.
    pub fn basis_points(&self) -> [u16; 12] {
        self.basis_points
    }

    /// An annual objective (in minor units) spread over the fiscal months by the shares,
    /// apportioned so the months sum exactly to `annual` (the residual rule is
    /// [`apportion`](super::apportion)'s: largest remainder first, ties to the earlier month).
    pub fn spread(&self, annual: i64) -> [i64; 12] {
        let magnitude = u128::from(annual.unsigned_abs());
        let mut floors = Vec::with_capacity(12);
        let mut remainders = Vec::with_capacity(12);
        for bp in self.basis_points {
            // At most 2^63 × 10^4: well inside u128, and the floor is at most |annual|.
            let product = magnitude * u128::from(bp);
            floors.push((product / u128::from(WHOLE)) as u64);
            remainders.push(product % u128::from(WHOLE));
        }
        let mut months = [0i64; 12];
        for (slot, part) in months.iter_mut().zip(hand_out(annual, floors, &remainders)) {
            *slot = part;
        }
        months
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::apportion::apportion;
    use rust_decimal_macros::dec;

    fn percents(shares: [Decimal; 12]) -> Vec<String> {
        shares.iter().map(Decimal::to_string).collect()
    }

    #[test]
    fn the_even_year_is_what_apportion_gives() {
        let parts = apportion(10_000, &[Decimal::ONE; 12]).unwrap();
        assert_eq!(parts, EVEN.map(i64::from).to_vec());
        let shares = percents(Seasonality::even().shares());
        assert_eq!(shares[..5], ["8.34", "8.34", "8.34", "8.34", "8.33"]);
        assert_eq!(Seasonality::even().shares().iter().sum::<Decimal>(), dec!(100.00));
    }

    #[test]
    fn entered_shares_must_be_two_decimal_percents_summing_to_100() {
        let mut shares = [dec!(8.5); 12];
        // 12 × 8.5 = 102: the first month gives 4 and the last takes 2.
        shares[0] = dec!(4.5);
        shares[11] = dec!(10.5);
        let season = Seasonality::from_shares(shares).unwrap();
        assert_eq!(season.shares()[0].to_string(), "4.50");
        assert_eq!(season.basis_points()[11], 1050);

        let mut off = shares;
        off[3] = dec!(8.49);
        assert_eq!(Seasonality::from_shares(off), Err(SeasonError::Sum { sum: dec!(99.99) }));
        let mut precise = shares;
        precise[4] = dec!(8.495);
        let err = Seasonality::from_shares(precise).unwrap_err();
        assert_eq!(err, SeasonError::TooPrecise { month: 4, share: dec!(8.495) });
        assert_eq!(err.to_string(), "fiscal month 5: share 8.495 has more than two decimals");
        let mut negative = shares;
        negative[2] = dec!(-1);
        assert_eq!(
            Seasonality::from_shares(negative),
            Err(SeasonError::OutOfRange { month: 2, share: dec!(-1) })
        );
        // Trailing zeros are not precision: 8.500 is 8.50.
        let mut zeros = shares;
        zeros[1] = dec!(8.500);
        assert_eq!(Seasonality::from_shares(zeros), Ok(season));
    }

    #[test]
    fn learned_shares_follow_the_years_bookings() {
        // Two years; months sum to 300, 100 × 10, 700 of 2,000: 15%, 5% each, 35%.
        let mut a = [50i128; 12];
        a[0] = 100;
        a[11] = 300;
        let mut b = [50i128; 12];
        b[0] = 200;
        b[11] = 400;
        let shares = Seasonality::learned(&[a, b]).shares();
        assert_eq!(shares[0], dec!(15));
        assert_eq!(shares[1..11], [dec!(5); 10]);
        assert_eq!(shares[11], dec!(35));
    }

    #[test]
    fn a_month_netting_below_zero_counts_as_zero_and_residuals_go_first_come() {
        // Thirds over the first three months; month 3 nets -400 (refunds) and gets 0.
        let mut year = [0i128; 12];
        year[..3].copy_from_slice(&[10, 10, 10]);
        year[3] = -500;
        let mut other = [0i128; 12];
        other[3] = 100;
        let season = Seasonality::learned(&[year, other]);
        assert_eq!(season.basis_points()[..4], [3334, 3333, 3333, 0]);
        assert_eq!(season.basis_points()[4..], [0; 8]);
    }

    #[test]
    fn no_history_or_nothing_booked_is_even() {
        assert_eq!(Seasonality::learned(&[]), Seasonality::even());
        assert_eq!(Seasonality::learned(&[[0; 12], [-5; 12]]), Seasonality::even());
        // Huge equal months do not overflow: they are even as well.
        assert_eq!(Seasonality::learned(&[[i128::MAX; 12]; 3]), Seasonality::even());
        assert_eq!(Seasonality::learned(&[[i128::MIN; 12], [i128::MAX; 12]]), Seasonality::even());
    }

    #[test]
    fn spreading_sums_exactly_to_the_annual_objective() {
        // 100 units: 8.34 → 8 r .34 and 8.33 → 8 r .33; the 4 left go to the .34 months.
        let even = Seasonality::even();
        assert_eq!(even.spread(100), [9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 8]);
        assert_eq!(even.spread(-100), [-9, -9, -9, -9, -8, -8, -8, -8, -8, -8, -8, -8]);
        assert_eq!(even.spread(120_000)[..5], [10_008, 10_008, 10_008, 10_008, 9_996]);
        for annual in [i64::MAX, i64::MIN, 0, 1, 11, 123_456_789] {
            assert_eq!(even.spread(annual).iter().map(|m| i128::from(*m)).sum::<i128>(), i128::from(annual));
        }
        let mut shares = [dec!(0); 12];
        shares[5] = dec!(100);
        assert_eq!(Seasonality::from_shares(shares).unwrap().spread(7)[5], 7);
    }
}
