//! Quota allocation down the organisation (company → region → team → rep): the root's total is
//! split among its children, each child's amount among its own children, and so on to the
//! reps, by weights drawn from the reps (equal, last year, potential, or a mix), with an
//! optional over-assignment per level. Every split is exact ([`apportion`]), so at every seat
//! the children sum to the seat's envelope to the unit.
//!
//! Weights come from the leaves (the seats without children, usually reps): a leaf's weight for
//! a method is its capacity (ramp and proration, from [`capacity`](super::capacity)) times its
//! figure — 1 for equal, its last-year result, its potential. An interior seat weighs the sum of
//! its leaves' weights, so a region with ten reps gets ten times a region with one under
//! `Equal`; interior seats' own capacity and figures are not read.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use thiserror::Error;

use super::apportion::{ApportionError, apportion};

/// One seat of the tree: a company, region, team or rep position. Seats are listed parents
/// first; siblings in the order listed (key order), which decides who gets a residual unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seat {
    /// The index of the parent seat, listed before this one; `None` only for seat 0, the root.
    pub parent: Option<usize>,
    /// 0 to 1: the share of a fully productive year the seat can deliver (ramp, proration).
    pub capacity: Decimal,
    /// Last year's result, in minor units (a leaf's own; ≥ 0 where the method reads it).
    pub last_year: i64,
    /// The territory's potential, in minor units (a leaf's own; ≥ 0 where the method reads it).
    pub potential: i64,
}

/// How siblings' weights are drawn from their leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Capacity alone: equal per fully productive rep.
    Equal,
    /// Capacity × last year's result.
    LastYear,
    /// Capacity × potential.
    Potential,
    /// A blend of the three: each sibling's weight is Σ part × (its weight by that method ÷ the
    /// siblings' total by that method). Parts are ≥ 0 and need not sum to 100; only their ratio
    /// matters.
    Mix { equal: Decimal, last_year: Decimal, potential: Decimal },
}

/// Why an allocation cannot be made; `seat` is the 0-based index of the seat at fault (for a
/// split, the parent whose children could not be weighed). Nothing is allocated on an error.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AllocationError {
    #[error("there are no seats to allocate to")]
    NoSeats,
    #[error("seat 0 must be the root, but it has a parent")]
    RootHasParent,
    #[error("seat {seat} has no parent: only seat 0 may be the root")]
    SecondRoot { seat: usize },
    #[error("seat {seat}: its parent {parent} must be listed before it")]
    ParentNotBefore { seat: usize, parent: usize },
    #[error("seat {seat}: capacity {capacity} is outside 0 to 1")]
    Capacity { seat: usize, capacity: Decimal },
    #[error("seat {seat}: {figure} {value} is below zero")]
    NegativeFigure { seat: usize, figure: &'static str, value: i64 },
    #[error("the mix's {method} part {part} is below zero")]
    MixPart { method: &'static str, part: Decimal },
    #[error("the mix has no part above zero")]
    EmptyMix,
    #[error("over-assignment for the children of depth {depth}: {percent}% is below zero")]
    OverAssignment { depth: usize, percent: Decimal },
    #[error("seat {seat}: cannot sum: every child's {method} weight is zero")]
    CannotSum { seat: usize, method: &'static str },
    #[error("seat {seat}: the amounts are too large to allocate exactly")]
    Overflow { seat: usize },
}

impl Method {
    /// The methods with a part above zero, each with its part and name.
    fn parts(&self) -> Result<Vec<(Basis, Decimal)>, AllocationError> {
        let (equal, last_year, potential) = match *self {
            Method::Equal => return Ok(vec![(Basis::Equal, Decimal::ONE)]),
            Method::LastYear => return Ok(vec![(Basis::LastYear, Decimal::ONE)]),
            Method::Potential => return Ok(vec![(Basis::Potential, Decimal::ONE)]),
            Method::Mix { equal, last_year, potential } => (equal, last_year, potential),
        };
        let all = [(Basis::Equal, equal), (Basis::LastYear, last_year), (Basis::Potential, potential)];
        if let Some((basis, part)) = all.iter().find(|(_, part)| *part < Decimal::ZERO) {
            return Err(AllocationError::MixPart { method: basis.name(), part: *part });
        }
        let used: Vec<_> = all.into_iter().filter(|(_, part)| *part > Decimal::ZERO).collect();
        if used.is_empty() {
            return Err(AllocationError::EmptyMix);
        }
        Ok(used)
    }
}

/// One figure a weight can be drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Basis {
    Equal,
    LastYear,
    Potential,
}

impl Basis {
    fn name(self) -> &'static str {
        match self {
            Basis::Equal => "equal",
            Basis::LastYear => "last_year",
            Basis::Potential => "potential",
        }
    }

    /// A leaf's own weight by this basis.
    fn leaf_weight(self, index: usize, seat: &Seat) -> Result<Decimal, AllocationError> {
        let figure = match self {
            Basis::Equal => return Ok(seat.capacity),
            Basis::LastYear => seat.last_year,
            Basis::Potential => seat.potential,
        };
        if figure < 0 {
            return Err(AllocationError::NegativeFigure { seat: index, figure: self.name(), value: figure });
        }
        seat.capacity.checked_mul(Decimal::from(figure)).ok_or(AllocationError::Overflow { seat: index })
    }
}

/// Every seat's amount: the root gets `total`, and each parent's envelope is split among its
/// children by `method` ([`apportion`]: largest remainder, ties to the child listed first).
///
/// A parent's envelope is its amount × `over_assignment[depth of the parent]` % (the root is at
/// depth 0; a missing entry is 100), rounded half-even to a whole unit. So with `[110]` the
/// regions sum to 110% of the company, and the teams to exactly their regions.
pub fn allocate(
    seats: &[Seat],
    total: i64,
    method: &Method,
    over_assignment: &[Decimal],
) -> Result<Vec<i64>, AllocationError> {
    let tree = Tree::new(seats)?;
    if let Some((depth, percent)) = over_assignment.iter().enumerate().find(|(_, p)| **p < Decimal::ZERO) {
        return Err(AllocationError::OverAssignment { depth, percent: *percent });
    }
    let parts = method.parts()?;
    for (index, seat) in seats.iter().enumerate() {
        let leaf = tree.children[index].is_empty();
        if leaf && !(Decimal::ZERO..=Decimal::ONE).contains(&seat.capacity) {
            return Err(AllocationError::Capacity { seat: index, capacity: seat.capacity });
        }
    }
    let weights = parts
        .iter()
        .map(|(basis, _)| subtree_weights(seats, &tree, *basis))
        .collect::<Result<Vec<_>, _>>()?;

    let mut amounts = vec![0i64; seats.len()];
    if let Some(root) = amounts.first_mut() {
        *root = total;
    }
    for (parent, children) in tree.children.iter().enumerate() {
        if children.is_empty() {
            continue;
        }
        let percent = over_assignment.get(tree.depth[parent]).copied().unwrap_or(Decimal::ONE_HUNDRED);
        let envelope =
            envelope(amounts[parent], percent).ok_or(AllocationError::Overflow { seat: parent })?;
        let child_weights = sibling_weights(parent, children, &parts, &weights)?;
        let split = apportion(envelope, &child_weights).map_err(|error| match error {
            ApportionError::AllZero => {
                AllocationError::CannotSum { seat: parent, method: parts_name(&parts) }
            }
            _ => AllocationError::Overflow { seat: parent },
        })?;
        for (child, amount) in children.iter().zip(split) {
            amounts[*child] = amount;
        }
    }
    Ok(amounts)
}

/// The children's envelope: `amount × percent ÷ 100`, rounded half-even to a whole unit.
fn envelope(amount: i64, percent: Decimal) -> Option<i64> {
    if percent == Decimal::ONE_HUNDRED {
        return Some(amount);
    }
    let exact = Decimal::from(amount).checked_mul(percent)?.checked_div(Decimal::ONE_HUNDRED)?;
    exact.round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven).to_i64()
}

fn parts_name(parts: &[(Basis, Decimal)]) -> &'static str {
    match parts {
        [(basis, _)] => basis.name(),
        _ => "mix",
    }
}

/// The children's weights for one split. One method: their subtree weights as they are. A mix:
/// each method's weights as shares of the siblings' total by that method, blended by the parts;
/// a method with a part whose siblings all weigh zero cannot be shared, and is an error rather
/// than silently dropped.
fn sibling_weights(
    parent: usize,
    children: &[usize],
    parts: &[(Basis, Decimal)],
    weights: &[Vec<Decimal>],
) -> Result<Vec<Decimal>, AllocationError> {
    let overflow = AllocationError::Overflow { seat: parent };
    if let ([_], [only]) = (parts, weights) {
        return Ok(children.iter().map(|child| only[*child]).collect());
    }
    let mut blended = vec![Decimal::ZERO; children.len()];
    for ((basis, part), by_basis) in parts.iter().zip(weights) {
        let total = children
            .iter()
            .try_fold(Decimal::ZERO, |sum, child| sum.checked_add(by_basis[*child]))
            .ok_or(overflow.clone())?;
        if total.is_zero() {
            return Err(AllocationError::CannotSum { seat: parent, method: basis.name() });
        }
        for (slot, child) in blended.iter_mut().zip(children) {
            let share = by_basis[*child].checked_div(total).and_then(|s| s.checked_mul(*part));
            *slot = share.and_then(|s| slot.checked_add(s)).ok_or(overflow.clone())?;
        }
    }
    Ok(blended)
}

/// Each seat's weight by one basis: a leaf's own, an interior seat's the sum of its leaves'.
fn subtree_weights(seats: &[Seat], tree: &Tree, basis: Basis) -> Result<Vec<Decimal>, AllocationError> {
    let mut weights = vec![Decimal::ZERO; seats.len()];
    // Children are listed after their parents, so one pass from the end sums every subtree.
    for (index, seat) in seats.iter().enumerate().rev() {
        if tree.children[index].is_empty() {
            weights[index] = basis.leaf_weight(index, seat)?;
        }
        if let Some(parent) = seat.parent {
            weights[parent] = weights[parent]
                .checked_add(weights[index])
                .ok_or(AllocationError::Overflow { seat: parent })?;
        }
    }
    Ok(weights)
}

/// The checked shape of the seats: each seat's children (in listed order) and depth.
struct Tree {
    children: Vec<Vec<usize>>,
    depth: Vec<usize>,
}

impl Tree {
    fn new(seats: &[Seat]) -> Result<Tree, AllocationError> {
        let Some(root) = seats.first() else { return Err(AllocationError::NoSeats) };
        if root.parent.is_some() {
            return Err(AllocationError::RootHasParent);
        }
        let mut children = vec![Vec::new(); seats.len()];
        let mut depth = vec![0; seats.len()];
        for (seat, entry) in seats.iter().enumerate().skip(1) {
            let parent = entry.parent.ok_or(AllocationError::SecondRoot { seat })?;
            if parent >= seat {
                return Err(AllocationError::ParentNotBefore { seat, parent });
            }
            children[parent].push(seat);
            depth[seat] = depth[parent] + 1;
        }
        Ok(Tree { children, depth })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn seat(parent: Option<usize>, capacity: Decimal, last_year: i64, potential: i64) -> Seat {
        Seat { parent, capacity, last_year, potential }
    }

    /// Company 0 → regions 1 (A) and 2 (B); A → reps 3 and 4; B → rep 5. Rep 4 is ramping
    /// (capacity 0.5).
    fn company() -> Vec<Seat> {
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
    fn equal_weighs_every_productive_rep_alike() {
        // A weighs 1.5, B 1: 600 / 400; A's reps 1 : 0.5 = 400 / 200.
        assert_eq!(allocate(&company(), 1000, &Method::Equal, &[]), Ok(vec![1000, 600, 400, 400, 200, 400]));
        // Capacity 1 everywhere: A 2/3 of 1000 = 666.67 takes the residual unit over B's
        // 333.33; A's 667 halves to 333.5 each, and the tie goes to the rep listed first.
        let mut full = company();
        full[4].capacity = dec!(1);
        assert_eq!(allocate(&full, 1000, &Method::Equal, &[]), Ok(vec![1000, 667, 333, 334, 333, 333]));
    }

    #[test]
    fn last_year_and_potential_are_weighed_by_capacity() {
        // Last year × capacity: 300, 300 and 400.
        assert_eq!(
            allocate(&company(), 1000, &Method::LastYear, &[]),
            Ok(vec![1000, 600, 400, 300, 300, 400])
        );
        // Potential × capacity: 100, 50 and 800, so A 150 / 950 = 157.89 → 158, B 842.
        assert_eq!(
            allocate(&company(), 1000, &Method::Potential, &[]),
            Ok(vec![1000, 158, 842, 105, 53, 842])
        );
    }

    #[test]
    fn a_mix_blends_each_methods_shares() {
        // Equal shares A 0.6, B 0.4; potential shares 150/950 and 800/950. Half each:
        // A = 30 + 150/19 = 720/19, B = 1180/19 (of 100): 378.95 → 379 and 621.05 → 621.
        let mix = Method::Mix { equal: dec!(50), last_year: dec!(0), potential: dec!(50) };
        let amounts = allocate(&company(), 1000, &mix, &[]).unwrap();
        assert_eq!(amounts[..3], [1000, 379, 621]);
        // Within A: equal 1 : 0.5 and potential 100 : 50 are the same 2 : 1.
        assert_eq!(amounts[3..], [253, 126, 621]);
    }

    #[test]
    fn over_assignment_raises_each_levels_envelope() {
        // Regions share 110% of 1000 = 1100: A 660, B 440. Teams: A's reps share 105% of 660
        // = 693 (462, 231), B's rep 105% of 440 = 462.
        let amounts = allocate(&company(), 1000, &Method::Equal, &[dec!(110), dec!(105)]).unwrap();
        assert_eq!(amounts, vec![1000, 660, 440, 462, 231, 462]);
        assert_eq!(envelope(10, dec!(105)), Some(10), "10.5 rounds half to even");
        assert_eq!(envelope(30, dec!(105)), Some(32), "31.5 rounds half to even");
        assert_eq!(envelope(-30, dec!(105)), Some(-32));
        assert_eq!(envelope(7, dec!(100)), Some(7));
        assert_eq!(envelope(i64::MAX, dec!(200)), None);
    }

    #[test]
    fn splits_that_cannot_be_weighed_name_the_parent() {
        let mut idle = company();
        idle[5].capacity = dec!(0);
        assert_eq!(
            allocate(&idle, 1000, &Method::Equal, &[]),
            Err(AllocationError::CannotSum { seat: 2, method: "equal" })
        );
        let mix = Method::Mix { equal: dec!(1), last_year: dec!(1), potential: dec!(0) };
        let mut none_last_year = company();
        for rep in &mut none_last_year[3..] {
            rep.last_year = 0;
        }
        assert_eq!(
            allocate(&none_last_year, 1000, &mix, &[]),
            Err(AllocationError::CannotSum { seat: 0, method: "last_year" })
        );
        assert_eq!(
            allocate(&company(), i64::MAX, &Method::Equal, &[dec!(200)]),
            Err(AllocationError::Overflow { seat: 0 })
        );
    }
}
