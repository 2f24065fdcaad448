//! Rate tables with hand-worked numbers, including the boundaries where retroactive tiers
//! jump and marginal ones do not, and the invariants every plan relies on.

use attain_engine::pay::{RateTable, Step, TierMode};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// A common AE table over attainment (1 = 100%): 0–50% earns at 0.5, 50–100% at 1.0, above
/// 100% at 1.5 (an accelerator). Values are payout per unit of attainment, as a fraction of
/// target incentive.
fn ae(mode: TierMode) -> RateTable {
    RateTable::new(
        mode,
        vec![
            Step { from: dec!(0), value: dec!(0.5) },
            Step { from: dec!(0.5), value: dec!(1.0) },
            Step { from: dec!(1.0), value: dec!(1.5) },
        ],
    )
    .unwrap()
}

#[test]
fn marginal_pays_each_slice_at_its_own_rate() {
    let t = ae(TierMode::Marginal);
    // 40%: 0.40 × 0.5 = 0.20
    assert_eq!(t.pay(dec!(0.40)).amount, dec!(0.20));
    // 80%: 0.5 × 0.5 + 0.3 × 1.0 = 0.55
    assert_eq!(t.pay(dec!(0.80)).amount, dec!(0.55));
    // 120%: 0.25 + 0.5 × 1.0 + 0.2 × 1.5 = 1.05
    let p = t.pay(dec!(1.20));
    assert_eq!(p.amount, dec!(1.05));
    assert_eq!(p.tier, Some(2));
    assert_eq!(
        p.slices,
        vec![(0, dec!(0.5), dec!(0.25)), (1, dec!(0.5), dec!(0.5)), (2, dec!(0.2), dec!(0.3))]
    );
}

#[test]
fn at_a_tier_boundary_marginal_is_continuous_and_retroactive_jumps() {
    let marginal = ae(TierMode::Marginal);
    let retro = ae(TierMode::Retroactive);
    let just_below = dec!(0.9999);
    // Marginal at 100% and a hair below differ by a hair.
    assert_eq!(marginal.pay(dec!(1.0)).amount, dec!(0.75));
    assert_eq!(marginal.pay(just_below).amount, dec!(0.7499));
    // Retroactive: 99.99% pays 0.9999 × 1.0; 100% pays 1.0 × 1.5 — a jump of 0.5001.
    assert_eq!(retro.pay(just_below).amount, dec!(0.9999));
    assert_eq!(retro.pay(dec!(1.0)).amount, dec!(1.5));
    assert_eq!(retro.pay(dec!(1.0)).tier, Some(2), "a tier's start belongs to that tier");
    // And at 120% the whole 1.2 is paid at 1.5.
    assert_eq!(retro.pay(dec!(1.2)).amount, dec!(1.80));
}

#[test]
fn step_pays_the_fixed_amount_of_the_highest_tier_reached() {
    let t = RateTable::new(
        TierMode::Step,
        vec![Step { from: dec!(0.8), value: dec!(1000) }, Step { from: dec!(1.0), value: dec!(2500) }],
    )
    .unwrap();
    assert_eq!(t.pay(dec!(0.7999)).amount, Decimal::ZERO, "nothing below the first tier");
    assert_eq!(t.pay(dec!(0.8)).amount, dec!(1000));
    assert_eq!(t.pay(dec!(0.99)).amount, dec!(1000));
    assert_eq!(t.pay(dec!(1.0)).amount, dec!(2500));
    assert_eq!(t.pay(dec!(3)).amount, dec!(2500));
}

#[test]
fn curve_interpolates_between_levels_and_is_flat_above_the_top() {
    // 50% attainment pays 25% of target, 100% pays 100%, 150% pays 200% (the cap).
    let t = RateTable::new(
        TierMode::Curve,
        vec![
            Step { from: dec!(0.5), value: dec!(0.25) },
            Step { from: dec!(1.0), value: dec!(1.0) },
            Step { from: dec!(1.5), value: dec!(2.0) },
        ],
    )
    .unwrap();
    assert_eq!(t.pay(dec!(0.49)).amount, Decimal::ZERO, "below the first level: nothing");
    assert_eq!(t.pay(dec!(0.5)).amount, dec!(0.25));
    // 75%: halfway from 0.25 to 1.0 = 0.625
    assert_eq!(t.pay(dec!(0.75)).amount, dec!(0.625));
    // 120%: 1.0 + (2.0 − 1.0) × 0.2/0.5 = 1.4
    assert_eq!(t.pay(dec!(1.2)).amount, dec!(1.4));
    assert_eq!(t.pay(dec!(1.5)).amount, dec!(2.0));
    assert_eq!(t.pay(dec!(4)).amount, dec!(2.0), "flat above the top level");
}

#[test]
fn an_amount_based_table_pays_commission_on_the_amount() {
    // 5% up to 100,000, 8% above: 150,000 pays 5,000 + 4,000.
    let t = RateTable::new(
        TierMode::Marginal,
        vec![Step { from: dec!(0), value: dec!(0.05) }, Step { from: dec!(100000), value: dec!(0.08) }],
    )
    .unwrap();
    assert_eq!(t.pay(dec!(150000)).amount, dec!(9000.00));
    assert_eq!(t.pay(Decimal::ZERO).amount, Decimal::ZERO);
}

fn input() -> impl Strategy<Value = Decimal> {
    // Attainment from 0 to 3.0000 in steps of 0.0001.
    (0i64..30_000).prop_map(|n| Decimal::new(n, 4))
}

fn table(mode: TierMode) -> impl Strategy<Value = RateTable> {
    proptest::collection::vec((1i64..5_000, 0i64..30_000), 1..6).prop_map(move |raw| {
        let mut from = Decimal::ZERO;
        let steps = raw
            .into_iter()
            .enumerate()
            .map(|(i, (gap, value))| {
                if i > 0 {
                    from += Decimal::new(gap, 4);
                }
                Step { from, value: Decimal::new(value, 4) }
            })
            .collect();
        RateTable::new(mode, steps).expect("increasing tiers from zero")
    })
}

proptest! {
    #[test]
    fn marginal_payout_is_monotone(t in table(TierMode::Marginal), a in input(), b in input()) {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(t.pay(low).amount <= t.pay(high).amount);
    }

    #[test]
    fn marginal_payout_is_continuous(t in table(TierMode::Marginal), x in input()) {
        // One ten-thousandth more input pays at most one ten-thousandth × the highest rate more.
        let epsilon = Decimal::new(1, 4);
        let highest = t.steps().iter().map(|s| s.value).max().unwrap_or_default();
        let step_up = t.pay(x + epsilon).amount - t.pay(x).amount;
        prop_assert!(step_up >= Decimal::ZERO && step_up <= epsilon * highest);
    }

    #[test]
    fn marginal_slices_add_up_to_the_input_and_the_payout(t in table(TierMode::Marginal), x in input()) {
        let p = t.pay(x);
        let covered: Decimal = p.slices.iter().map(|s| s.1).sum();
        let paid: Decimal = p.slices.iter().map(|s| s.2).sum();
        prop_assert_eq!(covered, x);
        prop_assert_eq!(paid, p.amount);
    }

    #[test]
    fn a_curve_never_leaves_the_range_of_its_levels(t in table(TierMode::Curve), x in input()) {
        let p = t.pay(x).amount;
        let top = t.steps().iter().map(|s| s.value).max().unwrap_or_default();
        prop_assert!(p >= Decimal::ZERO && p <= top);
    }
}
