//! Crediting arithmetic: splitting a transaction's amount between payees, and rolling credit up
//! the hierarchy. Exact decimals throughout, nothing rounded (rounding happens once, at the
//! statement line), so a split's parts always add up to the whole.
//!
//! Who is credited in the first place (opportunity owner, territory owner on the date,
//! named accounts, overlays) is decided by the crediting rules that feed these functions.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use thiserror::Error;

/// A payee's share of a transaction, in percent (`60` = 60%).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share<P> {
    pub payee: P,
    pub percent: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SplitError {
    #[error("split shares total {total}%, not 100%")]
    NotWhole { total: Decimal },
    #[error("share {index} is {percent}%: a share must be above 0% and at most 100%")]
    OutOfRange { index: usize, percent: Decimal },
    #[error("a split needs at least one payee")]
    Empty,
}

/// Splits `amount` by `shares`, which must each be in (0, 100] and total exactly 100. The parts
/// are exact and add up to `amount` exactly (negative amounts — returns, credit notes — split
/// the same way, keeping their sign).
pub fn split<P: Clone>(amount: Decimal, shares: &[Share<P>]) -> Result<Vec<(P, Decimal)>, SplitError> {
    if shares.is_empty() {
        return Err(SplitError::Empty);
    }
    for (index, share) in shares.iter().enumerate() {
        if share.percent <= Decimal::ZERO || share.percent > Decimal::ONE_HUNDRED {
            return Err(SplitError::OutOfRange { index, percent: share.percent });
        }
    }
    let total: Decimal = shares.iter().map(|s| s.percent).sum();
    if total != Decimal::ONE_HUNDRED {
        return Err(SplitError::NotWhole { total });
    }
    // The last part takes whatever the others leave, so the parts add up to the amount even if
    // a product ever exceeded Decimal's 28 digits and was rounded.
    let mut parts: Vec<(P, Decimal)> = Vec::with_capacity(shares.len());
    let mut given = Decimal::ZERO;
    for (i, share) in shares.iter().enumerate() {
        let part = if i + 1 == shares.len() {
            amount - given
        } else {
            amount * share.percent / Decimal::ONE_HUNDRED
        };
        given += part;
        parts.push((share.payee.clone(), part));
    }
    Ok(parts)
}

/// Roll-up credit for one transaction: every manager above a credited payee receives the sum of
/// the credits of the payees below them, once per transaction however many of their people
/// share it. `manager_of` gives each payee's manager on the transaction's date. Only primary
/// (split) credits roll up: an overlay's 100% would otherwise count the deal twice.
pub fn roll_up<P: Clone + Ord>(
    credits: &[(P, Decimal)],
    manager_of: impl Fn(&P) -> Option<P>,
) -> Vec<(P, Decimal)> {
    let mut above: BTreeMap<P, Decimal> = BTreeMap::new();
    for (payee, amount) in credits {
        // Each manager is met once per payee walking up; a cycle in bad data stops the walk.
        let mut seen: Vec<P> = Vec::new();
        let mut current = manager_of(payee);
        while let Some(manager) = current {
            if seen.contains(&manager) || &manager == payee {
                break;
            }
            *above.entry(manager.clone()).or_default() += *amount;
            seen.push(manager.clone());
            current = manager_of(&manager);
        }
    }
    above.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(payee: &'static str, percent: i64) -> Share<&'static str> {
        Share { payee, percent: Decimal::from(percent) }
    }

    #[test]
    fn splits_must_total_one_hundred_percent() {
        assert_eq!(
            split(Decimal::from(1000), &[share("ann", 60), share("bob", 30)]),
            Err(SplitError::NotWhole { total: Decimal::from(90) })
        );
        assert_eq!(
            split(Decimal::from(1000), &[share("ann", 0), share("bob", 100)]),
            Err(SplitError::OutOfRange { index: 0, percent: Decimal::ZERO })
        );
        assert_eq!(split::<&str>(Decimal::from(1000), &[]), Err(SplitError::Empty));
        assert_eq!(
            SplitError::NotWhole { total: Decimal::from(90) }.to_string(),
            "split shares total 90%, not 100%"
        );
    }
}
