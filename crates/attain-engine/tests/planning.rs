//! Planning math: the invariants (apportioning conserves the whole and stays within a unit of
//! each exact share; allocation sums exactly at every seat; ramp capacity agrees with a
//! day-by-day count) on random inputs, and refusals of bad input.

use attain_core::{Date, Validity};
use attain_engine::plan::{
    AllocationError, HeadcountError, HeadcountInputs, Method, OpenSeats, Ramp, Seasonality, Seat, allocate,
    apportion, capacity, plan_headcount,
};
use jiff::ToSpan;
use jiff::civil::date;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

// ---------------------------------------------------------------- apportion

/// Weights as (mantissa, scale) small enough that the test can check them in i128.
fn weights() -> impl Strategy<Value = Vec<Decimal>> {
    prop::collection::vec((prop_oneof![Just(0i64), 0..1_000_000i64], 0..=4u32), 1..30)
        .prop_map(|ws| ws.into_iter().map(|(m, s)| Decimal::new(m, s)).collect())
}

/// A weight as an integer at scale 4.
fn at_scale_4(weight: Decimal) -> i128 {
    weight.mantissa() * 10i128.pow(4 - weight.scale())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn apportioning_sums_exactly_and_stays_within_a_unit_of_each_share(
        total in any::<i64>(),
        weights in weights(),
    ) {
        let units: Vec<i128> = weights.iter().map(|w| at_scale_4(*w)).collect();
        let sum: i128 = units.iter().sum();
        let parts = apportion(total, &weights);
        if sum == 0 {
            prop_assert!(parts.is_err());
            return Ok(());
        }
        let parts = parts.unwrap();
        prop_assert_eq!(parts.iter().map(|p| i128::from(*p)).sum::<i128>(), i128::from(total));
        for (part, unit) in parts.iter().zip(&units) {
            // |part − total × w / W| < 1, multiplied through by W.
            prop_assert!((i128::from(*part) * sum - i128::from(total) * unit).abs() < sum);
        }
        // A heavier weight never gets less (for a non-negative total), and symmetry.
        if total >= 0 {
            for (i, j) in (0..units.len()).flat_map(|i| (0..units.len()).map(move |j| (i, j))) {
                if units[i] > units[j] {
                    prop_assert!(parts[i] >= parts[j]);
                }
            }
        }
        if total != i64::MIN {
            let mirrored: Vec<i64> = apportion(-total, &weights).unwrap().iter().map(|p| -p).collect();
            prop_assert_eq!(&mirrored, &parts);
        }
        prop_assert_eq!(apportion(total, &weights).unwrap(), parts, "deterministic");
    }

    #[test]
    fn equal_weights_give_parts_a_unit_apart_at_most(total in any::<i64>(), n in 1..40usize, w in 1..1000i64) {
        let parts = apportion(total, &vec![Decimal::new(w, 2); n]).unwrap();
        let (min, max) = (parts.iter().min().unwrap(), parts.iter().max().unwrap());
        prop_assert!(i128::from(*max) - i128::from(*min) <= 1);
        // The extra units go to the first parts.
        prop_assert!(parts.windows(2).all(|pair| pair[0] >= pair[1]) || total < 0);
    }
}

// ---------------------------------------------------------------- seasonality

proptest! {
    #[test]
    fn learned_seasons_sum_to_100_and_spread_exactly(
        history in prop::collection::vec(prop::array::uniform12(-1_000_000_000i128..1_000_000_000_000i128), 0..5),
        annual in any::<i64>(),
    ) {
        let season = Seasonality::learned(&history);
        prop_assert_eq!(season.basis_points().iter().map(|bp| u32::from(*bp)).sum::<u32>(), 10_000);
        prop_assert_eq!(season.shares().iter().sum::<Decimal>(), dec!(100));
        let months = season.spread(annual);
        prop_assert_eq!(months.iter().map(|m| i128::from(*m)).sum::<i128>(), i128::from(annual));
        for (month, bp) in months.iter().zip(season.basis_points()) {
            prop_assert!((i128::from(*month) * 10_000 - i128::from(annual) * i128::from(bp)).abs() < 10_000);
        }
    }
}

// ---------------------------------------------------------------- ramp and proration

/// tenure quarter of `day` counted the slow way: jiff's own month arithmetic from the start.
fn tenure_quarter(start: Date, day: Date) -> usize {
    let mut k = 0;
    while start.checked_add((3 * (k + 1)).months()).is_ok_and(|next| next <= day) {
        k += 1;
    }
    k as usize
}

fn day_by_day(period: Validity, worked: &[Validity], start: Date, ramp: &Ramp) -> Decimal {
    let days = period.days().unwrap();
    let mut percent_days = Decimal::ZERO;
    let mut day = period.from;
    while period.contains(day) {
        if worked.iter().any(|w| w.contains(day)) {
            percent_days += ramp.percent(tenure_quarter(start, day));
        }
        day = day.tomorrow().unwrap();
    }
    percent_days / Decimal::from(i64::from(days) * 100)
}

fn a_day() -> impl Strategy<Value = Date> {
    (0..1500i32).prop_map(|n| date(2016, 1, 1) + n.days())
}

proptest! {
    #[test]
    fn capacity_agrees_with_counting_day_by_day(
        start in prop_oneof![a_day(), (2015i16..2018, 1i8..=12).prop_map(|(y, m)| date(y, m, 1).last_of_month())],
        from in a_day(),
        length in 1..200i32,
        spans in prop::collection::vec((a_day(), 1..120i32, any::<bool>()), 0..5),
        steps in prop::collection::vec(0..=10000i64, 0..5),
    ) {
        let period = Validity::new(from, Some(from + length.days())).unwrap();
        let worked: Vec<Validity> = spans
            .iter()
            .map(|(from, days, open)| if *open { Validity::open_from(*from) } else {
                Validity::new(*from, Some(*from + days.days())).unwrap()
            })
            .collect();
        let ramp = Ramp::new(steps.iter().map(|s| Decimal::new(*s, 2)).collect()).unwrap();
        let factor = capacity(period, &worked, start, &ramp).unwrap();
        prop_assert_eq!(factor, day_by_day(period, &worked, start, &ramp));
        prop_assert!((Decimal::ZERO..=Decimal::ONE).contains(&factor));
    }
}

// ---------------------------------------------------------------- allocation

/// (parent choice, capacity, last year, potential) per seat; seat 0 is the root.
type SeatSpec = (usize, Decimal, i64, i64);

fn figure() -> impl Strategy<Value = i64> {
    prop_oneof![1 => Just(0i64), 6 => 0..1_000_000_000_000i64, 1 => 0..100i64]
}

fn seat_specs() -> impl Strategy<Value = Vec<SeatSpec>> {
    let capacity = prop_oneof![
        1 => Just(Decimal::ZERO),
        4 => Just(Decimal::ONE),
        4 => (0..=100i64).prop_map(|k| Decimal::new(k, 2)),
        // Ramp-like factors with 28 digits (k ÷ 90 days).
        4 => (1..=90i64).prop_map(|k| Decimal::from(k) / Decimal::from(90)),
    ];
    prop::collection::vec((any::<usize>(), capacity, figure(), figure()), 1..60)
}

/// Seats from specs: each seat's parent is picked among the earlier seats of depth < 4.
fn tree(specs: &[SeatSpec]) -> Vec<Seat> {
    let mut depth = Vec::with_capacity(specs.len());
    let mut seats = Vec::with_capacity(specs.len());
    for (index, (choice, capacity, last_year, potential)) in specs.iter().enumerate() {
        let candidates: Vec<usize> = (0..index).filter(|i| depth[*i] < 4).collect();
        let parent = (index > 0).then(|| candidates[choice % candidates.len()]);
        depth.push(parent.map_or(0, |p| depth[p] + 1));
        seats.push(Seat { parent, capacity: *capacity, last_year: *last_year, potential: *potential });
    }
    seats
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Equal),
        Just(Method::LastYear),
        Just(Method::Potential),
        (0..=100i64, 0..=100i64, 1..=100i64).prop_map(|(e, l, p)| Method::Mix {
            equal: Decimal::from(e),
            last_year: Decimal::from(l),
            potential: Decimal::from(p),
        }),
    ]
}

fn children(seats: &[Seat], parent: usize) -> Vec<usize> {
    (0..seats.len()).filter(|i| seats[*i].parent == Some(parent)).collect()
}

fn depth(seats: &[Seat], mut seat: usize) -> usize {
    let mut depth = 0;
    while let Some(parent) = seats[seat].parent {
        seat = parent;
        depth += 1;
    }
    depth
}

/// `amount × hundredths ÷ 10,000`, rounded half to even, in integers.
fn envelope(amount: i64, hundredths: i64) -> i64 {
    let product = i128::from(amount) * i128::from(hundredths);
    let (quotient, remainder) = (product.div_euclid(10_000), product.rem_euclid(10_000));
    let up = remainder > 5_000 || (remainder == 5_000 && quotient % 2 != 0);
    i64::try_from(quotient + i128::from(up)).unwrap()
}

/// Whether every leaf under `seat` weighs zero by the named method.
fn all_leaves_zero(seats: &[Seat], seat: usize, method: &str) -> bool {
    let under = |leaf: usize| {
        let mut at = leaf;
        while let Some(parent) = seats[at].parent {
            if parent == seat {
                return true;
            }
            at = parent;
        }
        false
    };
    (0..seats.len()).filter(|i| children(seats, *i).is_empty() && under(*i)).all(|leaf| {
        let s = seats[leaf];
        let figure = match method {
            "equal" => 1,
            "last_year" => s.last_year,
            "potential" => s.potential,
            _ => return false,
        };
        s.capacity.is_zero() || figure == 0
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn allocation_sums_exactly_at_every_seat(
        specs in seat_specs(),
        total in 0..1_000_000_000_000i64,
        method in method(),
        over in prop::collection::vec(5_000..15_000i64, 0..4),
    ) {
        let seats = tree(&specs);
        let over_assignment: Vec<Decimal> = over.iter().map(|h| Decimal::new(*h, 2)).collect();
        match allocate(&seats, total, &method, &over_assignment) {
            Ok(amounts) => {
                prop_assert_eq!(amounts.len(), seats.len());
                prop_assert_eq!(amounts[0], total);
                for parent in 0..seats.len() {
                    let kids = children(&seats, parent);
                    if kids.is_empty() {
                        continue;
                    }
                    let hundredths = over.get(depth(&seats, parent)).copied().unwrap_or(10_000);
                    let sum: i64 = kids.iter().map(|k| amounts[*k]).sum();
                    prop_assert_eq!(sum, envelope(amounts[parent], hundredths), "children of seat {}", parent);
                }
                prop_assert_eq!(allocate(&seats, total, &method, &over_assignment), Ok(amounts), "deterministic");
            }
            Err(AllocationError::CannotSum { seat, method: name }) => {
                // Only when it is true: every leaf under the seat weighs zero by that method.
                prop_assert!(all_leaves_zero(&seats, seat, name), "seat {} by {}", seat, name);
            }
            Err(other) => prop_assert!(false, "unexpected {other}"),
        }
    }

    #[test]
    fn equal_siblings_get_amounts_a_unit_apart(
        specs in seat_specs(),
        total in 0..1_000_000_000_000i64,
    ) {
        // Everyone fully productive: under Equal a seat weighs its number of leaves.
        let seats: Vec<Seat> = tree(&specs).into_iter().map(|s| Seat { capacity: Decimal::ONE, ..s }).collect();
        let amounts = allocate(&seats, total, &Method::Equal, &[]).unwrap();
        let leaves = |seat: usize| (0..seats.len())
            .filter(|i| children(&seats, *i).is_empty())
            .filter(|leaf| {
                let mut at = Some(*leaf);
                while let Some(s) = at {
                    if s == seat {
                        return true;
                    }
                    at = seats[s].parent;
                }
                false
            })
            .count();
        for parent in 0..seats.len() {
            let kids = children(&seats, parent);
            for a in &kids {
                for b in &kids {
                    if leaves(*a) == leaves(*b) {
                        prop_assert!((amounts[*a] - amounts[*b]).abs() <= 1);
                    }
                }
            }
        }
    }
}

/// Company 0 → regions 1 and 2; region 1 → reps 3 and 4; region 2 → rep 5.
fn company() -> Vec<Seat> {
    let seat = |parent, capacity, last_year, potential| Seat { parent, capacity, last_year, potential };
    vec![
        seat(None, dec!(0), 0, 0),
        seat(Some(0), dec!(0), 0, 0),
        seat(Some(0), dec!(0), 0, 0),
        seat(Some(1), dec!(1), 300, 100),
        seat(Some(1), dec!(0.5), 600, 100),
        seat(Some(2), dec!(1), 400, 800),
    ]
}

#[test]
fn bad_allocation_input_is_refused_whole() {
    let equal = Method::Equal;
    assert_eq!(allocate(&[], 1, &equal, &[]), Err(AllocationError::NoSeats));
    let mut rooted = company();
    rooted[0].parent = Some(0);
    assert_eq!(allocate(&rooted, 1, &equal, &[]), Err(AllocationError::RootHasParent));
    let mut two_roots = company();
    two_roots[2].parent = None;
    assert_eq!(allocate(&two_roots, 1, &equal, &[]), Err(AllocationError::SecondRoot { seat: 2 }));
    let mut forward = company();
    forward[1].parent = Some(4);
    assert_eq!(
        allocate(&forward, 1, &equal, &[]),
        Err(AllocationError::ParentNotBefore { seat: 1, parent: 4 })
    );
    let mut over = company();
    over[3].capacity = dec!(1.01);
    assert_eq!(
        allocate(&over, 1, &equal, &[]),
        Err(AllocationError::Capacity { seat: 3, capacity: dec!(1.01) })
    );
    // An interior seat's own capacity and figures are not read.
    let mut interior = company();
    interior[1] = Seat { parent: Some(0), capacity: dec!(-3), last_year: -1, potential: -1 };
    assert_eq!(allocate(&interior, 1000, &Method::LastYear, &[]), Ok(vec![1000, 600, 400, 300, 300, 400]));
    let mut refunds = company();
    refunds[4].last_year = -5;
    assert_eq!(
        allocate(&refunds, 1, &Method::LastYear, &[]),
        Err(AllocationError::NegativeFigure { seat: 4, figure: "last_year", value: -5 })
    );
    assert_eq!(
        allocate(&refunds, 10, &equal, &[]),
        Ok(vec![10, 6, 4, 4, 2, 4]),
        "equal does not read last year"
    );
    let negative = Method::Mix { equal: dec!(1), last_year: dec!(-1), potential: dec!(0) };
    assert_eq!(
        allocate(&company(), 1, &negative, &[]),
        Err(AllocationError::MixPart { method: "last_year", part: dec!(-1) })
    );
    let empty = Method::Mix { equal: dec!(0), last_year: dec!(0), potential: dec!(0) };
    assert_eq!(allocate(&company(), 1, &empty, &[]), Err(AllocationError::EmptyMix));
    assert_eq!(
        allocate(&company(), 1, &equal, &[dec!(100), dec!(-5)]),
        Err(AllocationError::OverAssignment { depth: 1, percent: dec!(-5) })
    );
    // A lone root is its own leaf: it keeps the total.
    assert_eq!(allocate(&company()[..1], 42, &equal, &[]), Ok(vec![42]));
    assert_eq!(
        AllocationError::CannotSum { seat: 2, method: "equal" }.to_string(),
        "seat 2: cannot sum: every child's equal weight is zero"
    );
}

// ---------------------------------------------------------------- headcount

#[test]
fn bad_headcount_input_is_refused() {
    let ramp = Ramp::new(vec![dec!(25), dec!(50), dec!(75)]).unwrap();
    let inputs = HeadcountInputs {
        plan: &[100, 100],
        productivity: 0,
        ramp: &ramp,
        annual_attrition: dec!(10),
        tenures: &[],
        open_seats: &[],
        lead_quarters: 0,
    };
    assert_eq!(plan_headcount(&inputs), Err(HeadcountError::Productivity(0)));
    let late =
        HeadcountInputs { productivity: 10, open_seats: &[OpenSeats { count: 1, start: 2 }], ..inputs };
    assert_eq!(plan_headcount(&late), Err(HeadcountError::OpenSeatStart { index: 0, start: 2, quarters: 2 }));
    let never = Ramp::new(vec![dec!(0); 3]).unwrap();
    // S = 0.003162: S^3 rounds to 0 at 6 decimals, before a hire's first delivering quarter.
    let dying =
        HeadcountInputs { productivity: 10, ramp: &never, annual_attrition: dec!(99.99999999), ..inputs };
    assert_eq!(plan_headcount(&dying), Err(HeadcountError::NoDelivery));
    let too_high = HeadcountInputs { productivity: 10, annual_attrition: dec!(100), ..inputs };
    assert_eq!(plan_headcount(&too_high), Err(HeadcountError::Attrition(dec!(100))));
    // Nothing planned, nothing needed.
    assert_eq!(plan_headcount(&HeadcountInputs { productivity: 10, plan: &[], ..inputs }), Ok(vec![]));
}

proptest! {
    #[test]
    fn planned_capacity_covers_the_plan_wherever_it_can(
        plan in prop::collection::vec(0..50_000_000i64, 1..9),
        productivity in 1..5_000_000i64,
        steps in prop::collection::vec(prop_oneof![Just(0i64), 0..=100i64], 0..4),
        attrition in 0..9_000i64,
        tenures in prop::collection::vec(0..12u32, 0..20),
        seats in prop::collection::vec((0..4u32, 0..8usize), 0..3),
        lead in 0..3u32,
    ) {
        let ramp = Ramp::new(steps.iter().map(|s| Decimal::from(*s)).collect()).unwrap();
        let open_seats: Vec<OpenSeats> =
            seats.iter().map(|(count, start)| OpenSeats { count: *count, start: start % plan.len() }).collect();
        let inputs = HeadcountInputs {
            plan: &plan,
            productivity,
            ramp: &ramp,
            annual_attrition: Decimal::new(attrition, 2),
            tenures: &tenures,
            open_seats: &open_seats,
            lead_quarters: lead,
        };
        let needs = plan_headcount(&inputs).unwrap();
        let mut gap = 0;
        for (q, need) in needs.iter().enumerate() {
            let capacity = need.team_capacity + need.open_seat_capacity + need.hire_capacity;
            prop_assert_eq!(capacity + need.uncovered >= Decimal::from(need.plan), true, "quarter {}", q);
            if !need.uncovered.is_zero() {
                prop_assert_eq!(need.uncovered, Decimal::from(need.plan) - capacity);
            }
            gap += need.hires;
            prop_assert_eq!(need.gap, gap);
            prop_assert_eq!(need.open_by, q as i64 - i64::from(lead));
        }
    }
}
