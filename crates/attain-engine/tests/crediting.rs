//! Splits and roll-ups: hand-worked cases, signs of refunds, and the invariants.

use attain_engine::pay::{Share, roll_up, split};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn manager_of(payee: &&'static str) -> Option<&'static str> {
    // vp ← (mia ← ann, bob) and (ned ← cat)
    match *payee {
        "ann" | "bob" => Some("mia"),
        "cat" => Some("ned"),
        "mia" | "ned" => Some("vp"),
        _ => None,
    }
}

#[test]
fn a_split_gives_each_payee_their_share_exactly() {
    let parts = split(
        dec!(1000.00),
        &[Share { payee: "ann", percent: dec!(60) }, Share { payee: "bob", percent: dec!(40) }],
    )
    .unwrap();
    assert_eq!(parts, vec![("ann", dec!(600.00)), ("bob", dec!(400.00))]);
    // Thirds: exact decimals whose sum is the whole amount, not 99.99.
    let thirds = split(
        dec!(100),
        &[
            Share { payee: "ann", percent: dec!(33.33) },
            Share { payee: "bob", percent: dec!(33.33) },
            Share { payee: "cat", percent: dec!(33.34) },
        ],
    )
    .unwrap();
    assert_eq!(thirds.iter().map(|p| p.1).sum::<Decimal>(), dec!(100));
}

#[test]
fn a_refund_splits_with_a_negative_sign() {
    let parts = split(
        dec!(-250.00),
        &[Share { payee: "ann", percent: dec!(60) }, Share { payee: "bob", percent: dec!(40) }],
    )
    .unwrap();
    assert_eq!(parts, vec![("ann", dec!(-150.00)), ("bob", dec!(-100.00))]);
}

#[test]
fn a_manager_is_credited_once_when_two_of_their_reps_share_a_deal() {
    // Ann and Bob (both Mia's) split 60/40; Mia gets the deal once (100%), not twice, and the
    // VP once as well.
    let credits = vec![("ann", dec!(600)), ("bob", dec!(400))];
    assert_eq!(roll_up(&credits, manager_of), vec![("mia", dec!(1000)), ("vp", dec!(1000))]);
}

#[test]
fn roll_up_follows_each_branch_to_the_top() {
    // Ann (Mia's) and Cat (Ned's) split: each manager gets their rep's part, the VP the whole.
    let credits = vec![("ann", dec!(700)), ("cat", dec!(300))];
    assert_eq!(
        roll_up(&credits, manager_of),
        vec![("mia", dec!(700)), ("ned", dec!(300)), ("vp", dec!(1000))]
    );
}

#[test]
fn a_cycle_in_the_hierarchy_does_not_loop() {
    let cyclic = |p: &&'static str| match *p {
        "a" => Some("b"),
        "b" => Some("a"),
        _ => None,
    };
    assert_eq!(roll_up(&[("a", dec!(10))], cyclic), vec![("b", dec!(10))]);
}

fn shares() -> impl Strategy<Value = Vec<Decimal>> {
    // 1 to 6 shares in hundredths of a percent, each > 0, totalling exactly 100%.
    proptest::collection::vec(1u32..10_000, 1..6).prop_map(|weights| {
        let total: u32 = weights.iter().sum();
        let mut left = 10_000i64;
        let mut out = Vec::new();
        for (i, w) in weights.iter().enumerate() {
            let part = if i + 1 == weights.len() {
                left
            } else {
                (i64::from(*w) * 10_000 / i64::from(total)).max(1)
            };
            let part = part.min(left - (weights.len() - i - 1) as i64);
            left -= part;
            out.push(Decimal::new(part, 2));
        }
        out
    })
}

proptest! {
    #[test]
    fn splits_conserve_the_amount(amount in -1_000_000_000_i64..1_000_000_000, percents in shares()) {
        let amount = Decimal::new(amount, 2);
        let shares: Vec<Share<usize>> =
            percents.iter().enumerate().map(|(i, p)| Share { payee: i, percent: *p }).collect();
        let parts = split(amount, &shares).unwrap();
        prop_assert_eq!(parts.iter().map(|p| p.1).sum::<Decimal>(), amount);
        for (part, share) in parts.iter().zip(&shares) {
            // Every part has the amount's sign (or is zero).
            prop_assert!(part.1.is_zero() || part.1.is_sign_negative() == amount.is_sign_negative());
            prop_assert_eq!(part.0, share.payee);
        }
    }

    #[test]
    fn the_top_of_the_hierarchy_gets_exactly_the_whole_deal(amount in 1_i64..100_000_000, percents in shares()) {
        // Payees 0..n all report (through 100 + i) to 999.
        let amount = Decimal::new(amount, 2);
        let shares: Vec<Share<u32>> =
            percents.iter().enumerate().map(|(i, p)| Share { payee: i as u32, percent: *p }).collect();
        let credits = split(amount, &shares).unwrap();
        let up = roll_up(&credits, |p: &u32| match *p {
            999 => None,
            p if p >= 100 => Some(999),
            p => Some(100 + p % 2),
        });
        let top = up.iter().find(|(p, _)| *p == 999).map(|(_, a)| *a);
        prop_assert_eq!(top, Some(amount));
    }
}
