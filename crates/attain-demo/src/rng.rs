//! The seeded random source. Every draw goes through here so the generator stays
//! integer-only (no float arithmetic anywhere near money) and reproducible from the seed.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use attain_core::Date;

use crate::dates::add_days;

/// Independent streams per part of the company, so that changing how, say, activities are
/// drawn does not reshuffle every account and deal generated before them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    Org = 1,
    Accounts = 2,
    Pipeline = 3,
    Activities = 4,
    Transactions = 5,
    Quotas = 6,
    CreditSplits = 7,
    Adjustments = 8,
    Objectives = 9,
    /// The scaled company (`scaled/`): its organisation, territories, FX rates, quotas, and
    /// the transaction rows' words (one stream entered at each row's position).
    ScaledOrg = 21,
    ScaledTerritories = 22,
    ScaledFx = 23,
    ScaledQuotas = 24,
    ScaledRows = 25,
}

#[derive(Debug)]
pub(crate) struct Dice(ChaCha8Rng);

impl Dice {
    pub fn new(seed: u64, stream: Stream) -> Dice {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream as u64);
        Dice(rng)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.0.random_range(0..100) < percent
    }

    /// A whole number in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        self.0.random_range(lo..=hi)
    }

    /// An index into a list of `len` items; `len` must be above zero.
    pub fn index(&mut self, len: usize) -> usize {
        self.0.random_range(0..len)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// One of `items`, each as likely as its weight.
    pub fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.0.random_range(0..total);
        for (item, weight) in items {
            if roll < *weight {
                return *item;
            }
            roll -= weight;
        }
        items[items.len() - 1].0
    }

    /// A day in `from..=to`.
    pub fn day(&mut self, from: Date, to: Date) -> Date {
        let span = (to - from).get_days();
        add_days(from, self.between(0, i64::from(span.max(0))))
    }
}
