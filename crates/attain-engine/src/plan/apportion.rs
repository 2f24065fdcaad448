//! Apportioning: splitting a whole number of units (cents of a quota, basis points of a year,
//! people) into parts proportional to weights, so that the parts sum exactly to the whole.
//!
//! The rule is the largest-remainder (Hamilton) method, and where the residual units go is a
//! promise to the people who read the numbers:
//!
//! 1. each part first gets the whole units of its exact share, `floor(total × wᵢ ÷ Σw)`;
//! 2. the units those floors leave over (always fewer than the number of parts) go one each
//!    to the parts with the largest fractional remainders of their exact shares;
//! 3. equal remainders go to the lower index first, so the caller's order (key order) decides,
//!    and the same inputs always give the same parts.
//!
//! So every part is within one unit of its exact share, and a zero weight always gets zero.
//! A negative total is apportioned by symmetry (the parts of −t are the negated parts of t),
//! so a reversal takes back exactly what the original gave, part by part.
//!
//! The arithmetic is exact: the decimal weights are rescaled to their widest scale and the
//! shares computed in 256-bit integers, so nothing is rounded before the rule above.

use rust_decimal::Decimal;
use thiserror::Error;

use super::wide::U256;

/// Why a total cannot be apportioned over some weights; `index` is the 0-based weight at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApportionError {
    #[error("nothing to apportion over: there are no weights")]
    NoWeights,
    #[error("weight {index} is below zero ({weight})")]
    NegativeWeight { index: usize, weight: Decimal },
    #[error("cannot sum: every weight is zero")]
    AllZero,
    #[error("the weights are too large to apportion exactly")]
    Overflow,
}

/// Splits `total` units into one part per weight, proportional to the weights, summing exactly
/// to `total`; the residual units go by the rule in the module documentation (largest
/// remainder first, ties to the lower index).
pub fn apportion(total: i64, weights: &[Decimal]) -> Result<Vec<i64>, ApportionError> {
    if let Some((index, weight)) = weights.iter().enumerate().find(|(_, w)| **w < Decimal::ZERO) {
        return Err(ApportionError::NegativeWeight { index, weight: *weight });
    }
    // A common scale turns the decimals into integers with the same ratios.
    let scale = weights.iter().map(Decimal::scale).max().unwrap_or(0);
    let units = weights
        .iter()
        .map(|w| {
            U256::from_u128(w.mantissa().unsigned_abs())
                .checked_mul_pow10(scale - w.scale())
                .ok_or(ApportionError::Overflow)
        })
        .collect::<Result<Vec<_>, _>>()?;
    apportion_units(total, &units)
}

/// [`apportion`] over integer weights.
pub(crate) fn apportion_units(total: i64, weights: &[U256]) -> Result<Vec<i64>, ApportionError> {
    if weights.is_empty() {
        return Err(ApportionError::NoWeights);
    }
    let sum =
        weights.iter().try_fold(U256::ZERO, |sum, w| sum.checked_add(*w)).ok_or(ApportionError::Overflow)?;
    if sum.is_zero() {
        return Err(ApportionError::AllZero);
    }
    let magnitude = total.unsigned_abs();
    let mut floors = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for weight in weights {
        let (floor, remainder) = weight
            .checked_mul_u64(magnitude)
            .and_then(|product| product.div_rem(sum))
            .ok_or(ApportionError::Overflow)?;
        floors.push(floor.to_u64().ok_or(ApportionError::Overflow)?);
        remainders.push(remainder);
    }
    Ok(hand_out(total, floors, &remainders))
}

/// Steps 2 and 3 of the rule, then the sign: `floors` are the whole units of each exact share of
/// `|total|` and `remainders` the numerators of their fractional parts (over one common
/// denominator, so they compare directly). The floors sum to at most `|total|` and fall short
/// by fewer units than there are parts, as they always do for exact shares.
pub(crate) fn hand_out<R: Ord>(total: i64, mut floors: Vec<u64>, remainders: &[R]) -> Vec<i64> {
    let given = floors.iter().fold(0u64, |sum, floor| sum.saturating_add(*floor));
    let left = usize::try_from(total.unsigned_abs().saturating_sub(given)).unwrap_or(usize::MAX);
    let mut order: Vec<(usize, &R)> = remainders.iter().enumerate().collect();
    // Largest remainder first; equal remainders by index, so the order is total and stable.
    order.sort_unstable_by(|(ia, ra), (ib, rb)| rb.cmp(ra).then(ia.cmp(ib)));
    for (index, _) in order.into_iter().take(left) {
        if let Some(floor) = floors.get_mut(index) {
            *floor += 1;
        }
    }
    floors.into_iter().map(|part| signed(part, total < 0)).collect()
}

/// A part's magnitude with the total's sign. A part never exceeds `|total|` ≤ 2^63, so the cast
/// is exact below 2^63; 2^63 itself (only from a total of `i64::MIN`) casts to `i64::MIN`, which
/// is already the negated value.
fn signed(magnitude: u64, negative: bool) -> i64 {
    let value = magnitude as i64;
    if negative { value.wrapping_neg() } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn ones(n: usize) -> Vec<Decimal> {
        vec![Decimal::ONE; n]
    }

    #[test]
    fn thirds_give_the_extra_cent_to_the_first_part() {
        assert_eq!(apportion(100, &ones(3)), Ok(vec![34, 33, 33]));
        assert_eq!(apportion(200, &ones(3)), Ok(vec![67, 67, 66]));
        assert_eq!(apportion(2, &ones(3)), Ok(vec![1, 1, 0]));
    }

    #[test]
    fn a_negative_total_is_the_mirror_image() {
        assert_eq!(apportion(-100, &ones(3)), Ok(vec![-34, -33, -33]));
        assert_eq!(apportion(i64::MIN, &ones(1)), Ok(vec![i64::MIN]));
        assert_eq!(apportion(i64::MIN, &ones(2)), Ok(vec![i64::MIN / 2, i64::MIN / 2]));
    }

    #[test]
    fn the_largest_remainder_beats_the_lower_index() {
        // Exact shares 1.67, 3.33, 5: floors 1, 3, 5 leave one unit; 0.67 is the largest
        // remainder.
        assert_eq!(apportion(10, &[dec!(1), dec!(2), dec!(3)]), Ok(vec![2, 3, 5]));
        // Shares 5, 2.5, 2.5: the tie goes to index 1.
        assert_eq!(apportion(10, &[dec!(0.5), dec!(0.25), dec!(0.25)]), Ok(vec![5, 3, 2]));
        assert_eq!(apportion(10, &[dec!(0.25), dec!(0.25), dec!(0.5)]), Ok(vec![3, 2, 5]));
    }

    #[test]
    fn weights_of_different_scales_compare_exactly() {
        // 0.1 : 1 : 10.25 = 10 : 100 : 1025 of 1135.
        assert_eq!(apportion(1135, &[dec!(0.1), dec!(1.000), dec!(10.25)]), Ok(vec![10, 100, 1025]));
        // 1/3 to 28 places loses to 0.33…34 by its last digit: no rounding hides the difference.
        let third = Decimal::ONE / Decimal::from(3);
        assert_eq!(apportion(1, &[third, dec!(0.3333333333333333333333333334)]), Ok(vec![0, 1]));
    }

    #[test]
    fn a_zero_weight_gets_nothing_even_when_units_are_left_over() {
        assert_eq!(apportion(1, &[dec!(0), dec!(1), dec!(1)]), Ok(vec![0, 1, 0]));
        assert_eq!(apportion(7, &[dec!(0), dec!(3)]), Ok(vec![0, 7]));
    }

    #[test]
    fn extreme_weights_are_exact_not_an_overflow() {
        // Decimal::MAX beside 10^-28 needs 190-bit weights and 253-bit products.
        let tiny = Decimal::new(1, 28);
        assert_eq!(apportion(i64::MAX, &[Decimal::MAX, tiny]), Ok(vec![i64::MAX, 0]));
        assert_eq!(apportion(i64::MAX, &[tiny, tiny]), Ok(vec![i64::MAX / 2 + 1, i64::MAX / 2]));
    }

    #[test]
    fn bad_weights_are_refused() {
        assert_eq!(apportion(10, &[]), Err(ApportionError::NoWeights));
        assert_eq!(apportion(10, &[dec!(0), dec!(0.00)]), Err(ApportionError::AllZero));
        assert_eq!(apportion(0, &[dec!(0)]), Err(ApportionError::AllZero));
        assert_eq!(
            apportion(10, &[dec!(1), dec!(-0.5)]),
            Err(ApportionError::NegativeWeight { index: 1, weight: dec!(-0.5) })
        );
        assert_eq!(ApportionError::AllZero.to_string(), "cannot sum: every weight is zero");
    }
}
