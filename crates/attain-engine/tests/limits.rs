//! Proration on a mid-period hire, limits in order, and the cap invariant.

use attain_core::Validity;
use attain_engine::pay::{Limit, Limits, held_share, prorate};
use jiff::civil::date;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn q1_2017() -> Validity {
    Validity::new(date(2017, 1, 1), Some(date(2017, 4, 1))).unwrap()
}

#[test]
fn a_mid_quarter_hire_earns_the_share_of_days_held() {
    // Q1 2017 has 90 days; hired 15 February: 45 days held, half the quarter.
    let held = [Validity::open_from(date(2017, 2, 15))];
    assert_eq!(held_share(&q1_2017(), &held), dec!(0.5));
    assert_eq!(prorate(dec!(12000.00), &q1_2017(), &held), dec!(6000.00));
}

#[test]
fn a_leave_in_the_middle_counts_both_sides() {
    // Held 1 Jan – 1 Feb (31 days) and 1 Mar – (31 days): 62 of 90.
    let held = [
        Validity::new(date(2017, 1, 1), Some(date(2017, 2, 1))).unwrap(),
        Validity::open_from(date(2017, 3, 1)),
    ];
    assert_eq!(held_share(&q1_2017(), &held), Decimal::from(62) / Decimal::from(90));
    assert_eq!(held_share(&q1_2017(), &[]), Decimal::ZERO, "not held at all");
    assert_eq!(held_share(&q1_2017(), &[Validity::open_from(date(2016, 1, 1))]), Decimal::ONE);
}

#[test]
fn limits_apply_floor_then_period_cap_then_what_is_left_of_the_year_cap() {
    let limits =
        Limits { floor: Some(dec!(500)), period_cap: Some(dec!(10000)), year_cap: Some(dec!(25000)) };
    assert_eq!(limits.apply(dec!(200), dec!(0)).amount, dec!(500));
    assert_eq!(limits.apply(dec!(200), dec!(0)).by, Some(Limit::Floor));
    assert_eq!(limits.apply(dec!(14000), dec!(0)).amount, dec!(10000));
    assert_eq!(limits.apply(dec!(14000), dec!(0)).by, Some(Limit::PeriodCap));
    // 20,000 paid earlier this year: 5,000 of room left.
    let late = limits.apply(dec!(9000), dec!(20000));
    assert_eq!((late.amount, late.by), (dec!(5000), Some(Limit::YearCap)));
    assert_eq!(
        limits.apply(dec!(9000), dec!(30000)).amount,
        Decimal::ZERO,
        "no room is no pay, never negative"
    );
    assert_eq!(limits.apply(dec!(7000), dec!(0)).by, None);
}

#[test]
fn clawbacks_pass_through_limits() {
    let limits = Limits { floor: Some(dec!(500)), period_cap: Some(dec!(1000)), year_cap: None };
    assert_eq!(limits.apply(dec!(-2500), dec!(0)).amount, dec!(-2500));
}

proptest! {
    #[test]
    fn a_cap_is_never_exceeded(
        earned in 0i64..10_000_000,
        paid in 0i64..10_000_000,
        period_cap in 0i64..5_000_000,
        year_cap in 0i64..10_000_000,
        floor in 0i64..1_000_000,
    ) {
        let d = |n: i64| Decimal::new(n, 2);
        let limits = Limits { floor: Some(d(floor)), period_cap: Some(d(period_cap)), year_cap: Some(d(year_cap)) };
        let out = limits.apply(d(earned), d(paid)).amount;
        prop_assert!(out <= d(period_cap));
        prop_assert!(out >= Decimal::ZERO);
        prop_assert!(d(paid) + out <= d(year_cap).max(d(paid)));
    }

    #[test]
    fn proration_never_exceeds_the_amount(start in 0i32..200, len in 1i32..200, amount in 0_i64..100_000_000) {
        let from = date(2017, 1, 1).checked_add(jiff::Span::new().days(start)).unwrap();
        let to = from.checked_add(jiff::Span::new().days(len)).unwrap();
        let held = [Validity::new(from, Some(to)).unwrap()];
        let share = held_share(&q1_2017(), &held);
        prop_assert!(share >= Decimal::ZERO && share <= Decimal::ONE);
        prop_assert!(prorate(Decimal::new(amount, 2), &q1_2017(), &held) <= Decimal::new(amount, 2));
    }
}
