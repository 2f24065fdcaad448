//! Territory balance: what each territory holds (accounts, potential, open pipeline, last
//! year's bookings, workload), how far each is from the average on the measure balanced, one
//! imbalance score for the set, and account moves that lower it.
//!
//! The score is the mean absolute deviation from the average, as a share of the average:
//! Σ|xᵢ − x̄| ÷ (n · x̄). 0 is perfectly even; a set where one territory holds everything
//! scores 2(n − 1)/n. Exact decimals throughout, so a move's effect is never a rounding
//! artefact. Workload counts what needs a rep's time: one per account, one per open deal.

use rust_decimal::Decimal;

use attain_core::choice;

choice! {
    /// What the balance compares territories on.
    BalanceMeasure {
        Potential => "potential",
        Pipeline => "pipeline",
        Bookings => "bookings",
        Workload => "workload",
        Accounts => "accounts",
    }
}

/// One account's load, in the report's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountLoad {
    /// Index into the territories balanced.
    pub territory: usize,
    /// The account's annual revenue (what it could buy).
    pub potential: Decimal,
    /// Open deals' amounts.
    pub pipeline: Decimal,
    pub open_deals: u32,
    /// Bookings in the last full fiscal year.
    pub bookings: Decimal,
    /// Whether a suggestion may move it (not placed by a named-account rule).
    pub movable: bool,
}

impl AccountLoad {
    fn value(&self, measure: BalanceMeasure) -> Decimal {
        match measure {
            BalanceMeasure::Potential => self.potential,
            BalanceMeasure::Pipeline => self.pipeline,
            BalanceMeasure::Bookings => self.bookings,
            BalanceMeasure::Workload => Decimal::from(1 + self.open_deals),
            BalanceMeasure::Accounts => Decimal::ONE,
        }
    }
}

/// One territory's totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerritoryLoad {
    pub accounts: u32,
    pub potential: Decimal,
    pub pipeline: Decimal,
    pub open_deals: u32,
    pub bookings: Decimal,
    pub workload: u32,
    /// The measure balanced, as a percentage of the average (100 = average), two places.
    pub index: Decimal,
}

impl TerritoryLoad {
    fn value(&self, measure: BalanceMeasure) -> Decimal {
        match measure {
            BalanceMeasure::Potential => self.potential,
            BalanceMeasure::Pipeline => self.pipeline,
            BalanceMeasure::Bookings => self.bookings,
            BalanceMeasure::Workload => Decimal::from(self.workload),
            BalanceMeasure::Accounts => Decimal::from(self.accounts),
        }
    }
}

/// The set's balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    pub measure: BalanceMeasure,
    pub territories: Vec<TerritoryLoad>,
    /// The average of the measure over the territories.
    pub average: Decimal,
    /// Σ|xᵢ − x̄| ÷ (n · x̄), as a percentage with two places; 0 when there is nothing.
    pub score: Decimal,
}

/// The balance of `territories` territories holding `loads`.
pub fn balance(territories: usize, loads: &[AccountLoad], measure: BalanceMeasure) -> Balance {
    let mut out = vec![TerritoryLoad::default(); territories];
    for l in loads {
        let Some(t) = out.get_mut(l.territory) else { continue };
        t.accounts += 1;
        t.potential += l.potential;
        t.pipeline += l.pipeline;
        t.open_deals += l.open_deals;
        t.bookings += l.bookings;
        t.workload += 1 + l.open_deals;
    }
    let values: Vec<Decimal> = out.iter().map(|t| t.value(measure)).collect();
    let average = mean(&values);
    for (t, v) in out.iter_mut().zip(&values) {
        t.index =
            if average.is_zero() { Decimal::ZERO } else { (v * Decimal::from(100) / average).round_dp(2) };
    }
    Balance { measure, territories: out, average, score: score(&values).round_dp(2) }
}

fn mean(values: &[Decimal]) -> Decimal {
    if values.is_empty() {
        return Decimal::ZERO;
    }
    values.iter().sum::<Decimal>() / Decimal::from(values.len())
}

/// Σ|xᵢ − x̄| ÷ (n · x̄) × 100, unrounded (moves are compared on it exactly).
fn score(values: &[Decimal]) -> Decimal {
    let total: Decimal = values.iter().sum();
    if total.is_zero() {
        return Decimal::ZERO;
    }
    let average = mean(values);
    let deviation: Decimal = values.iter().map(|v| (v - average).abs()).sum();
    deviation * Decimal::from(100) / total
}

/// A suggested move: account `account` (an index into the loads) from one territory to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub account: usize,
    pub from: usize,
    pub to: usize,
    /// The account's value on the measure.
    pub value: Decimal,
    /// The set's score after this move (and the ones before it), two places.
    pub score_after: Decimal,
}

/// Up to `limit` moves, each from the territory furthest above the average to the one
/// furthest below, of the movable account whose value comes nearest half the gap between
/// them; each strictly lowers the score, and the search stops when none would.
pub fn suggest(
    territories: usize,
    loads: &[AccountLoad],
    measure: BalanceMeasure,
    limit: usize,
) -> Vec<Move> {
    let mut values = vec![Decimal::ZERO; territories];
    for l in loads {
        if let Some(v) = values.get_mut(l.territory) {
            *v += l.value(measure);
        }
    }
    let mut at: Vec<usize> = loads.iter().map(|l| l.territory).collect();
    let mut moved = vec![false; loads.len()];
    let mut moves = Vec::new();
    let mut current = score(&values);
    while moves.len() < limit && territories > 1 {
        let high = (0..territories).max_by(|a, b| values[*a].cmp(&values[*b]).then(b.cmp(a)));
        let low = (0..territories).min_by(|a, b| values[*a].cmp(&values[*b]).then(a.cmp(b)));
        let (Some(high), Some(low)) = (high, low) else { break };
        let half = (values[high] - values[low]) / Decimal::TWO;
        let best = (0..loads.len())
            .filter(|i| at[*i] == high && loads[*i].movable && !moved[*i])
            .map(|i| (i, loads[i].value(measure)))
            .filter(|(_, v)| v.is_sign_positive() && !v.is_zero())
            .min_by(|(a, va), (b, vb)| (va - half).abs().cmp(&(vb - half).abs()).then(a.cmp(b)));
        let Some((account, value)) = best else { break };
        values[high] -= value;
        values[low] += value;
        let after = score(&values);
        if after >= current {
            values[high] += value;
            values[low] -= value;
            break;
        }
        current = after;
        at[account] = low;
        moved[account] = true;
        moves.push(Move { account, from: high, to: low, value, score_after: after.round_dp(2) });
    }
    moves
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn load(territory: usize, potential: i64, movable: bool) -> AccountLoad {
        AccountLoad {
            territory,
            potential: Decimal::from(potential),
            pipeline: Decimal::ZERO,
            open_deals: 2,
            bookings: Decimal::ZERO,
            movable,
        }
    }

    #[test]
    fn the_score_is_the_mean_absolute_deviation_over_the_average() {
        // 300, 100, 200: average 200, deviations 100 + 100 + 0 = 200 over 600 → 33.33%.
        let loads = [load(0, 200, true), load(0, 100, true), load(1, 100, true), load(2, 200, true)];
        let b = balance(3, &loads, BalanceMeasure::Potential);
        assert_eq!(b.average, Decimal::from(200));
        assert_eq!(b.score.to_string(), "33.33");
        assert_eq!(b.territories[0].index, Decimal::from(150));
        assert_eq!(b.territories[0].workload, 2 + 2 * 2, "an account and its two open deals each");
        // Everything in one of three: 2(n − 1)/n = 133.33%.
        let one = balance(3, &[load(0, 50, true)], BalanceMeasure::Potential);
        assert_eq!(one.score.to_string(), "133.33");
    }

    #[test]
    fn suggestions_never_move_a_named_account_and_stop_when_nothing_helps() {
        let loads = [load(0, 500, false), load(0, 100, false), load(1, 0, true)];
        assert!(suggest(2, &loads, BalanceMeasure::Potential, 10).is_empty());
        let loads = [load(0, 500, false), load(0, 200, true), load(1, 100, true)];
        let moves = suggest(2, &loads, BalanceMeasure::Potential, 10);
        assert_eq!(moves.len(), 1);
        assert_eq!((moves[0].account, moves[0].from, moves[0].to), (1, 0, 1));
    }

    proptest! {
        /// Applying the suggested moves lowers the score, each move by itself, and never
        /// moves an account that is not movable.
        #[test]
        fn suggested_moves_lower_the_score(
            raw in proptest::collection::vec((0usize..5, 0i64..1_000_000, any::<bool>()), 1..80),
        ) {
            let loads: Vec<AccountLoad> = raw.iter().map(|(t, p, m)| load(*t, *p, *m)).collect();
            let before = balance(5, &loads, BalanceMeasure::Potential).score;
            let moves = suggest(5, &loads, BalanceMeasure::Potential, 10);
            let mut after = loads.clone();
            let mut last = before;
            for m in &moves {
                prop_assert!(loads[m.account].movable);
                prop_assert_eq!(after[m.account].territory, m.from);
                after[m.account].territory = m.to;
                let now = balance(5, &after, BalanceMeasure::Potential).score;
                prop_assert!(now <= last, "{} then {}", last, now);
                prop_assert_eq!(now, m.score_after);
                last = now;
            }
            if !moves.is_empty() {
                prop_assert!(balance(5, &after, BalanceMeasure::Potential).score < before);
            }
        }
    }
}
