//! The random words of each transaction row. Row `i` owns the eight 64-bit words at word
//! position `16 i` (one ChaCha block) of one seeded stream, and every draw of the row reads a
//! fixed word, so a row's draws never depend on another row's: any row can be made alone, by
//! entering the stream at its position, and a chunk reads its rows' words in one sequential
//! sweep. Draws map a word to a range by multiply-shift (bias at most n / 2^64, far below
//! anything a benchmark could see) instead of rejection sampling, which would consume a
//! varying number of words.

use attain_core::domain::TransactionKind;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::rng::Stream;

/// Words per row.
pub(crate) const WORDS: usize = 8;

/// Which word holds which draw.
pub(crate) const KIND: usize = 0;
pub(crate) const CURRENCY: usize = 1;
pub(crate) const ACCOUNT: usize = 2;
pub(crate) const PRODUCT: usize = 3;
pub(crate) const AMOUNT: usize = 4;
pub(crate) const DEAL: usize = 5;
/// The split partner or sales engineer of a booking; where a reversal or payment starts
/// looking for its original.
pub(crate) const PICK: usize = 6;
/// The percent of the original a payment or return is for.
pub(crate) const SHARE: usize = 7;

/// The kinds' shares in percent, in the order drawn.
const KIND_PERCENTS: [(TransactionKind, u64); 5] = [
    (TransactionKind::Booking, 72),
    (TransactionKind::Invoice, 13),
    (TransactionKind::Payment, 10),
    (TransactionKind::Cancellation, 3),
    (TransactionKind::Return, 2),
];

/// Amounts run from 100.00 to 50,000.00: the low end plus up to this many cents.
const AMOUNT_SPAN: u128 = 4_990_001;
pub(crate) const MIN_AMOUNT: i64 = 10_000;

/// One seeded stream of row words, entered at any row.
pub(crate) struct Words(ChaCha8Rng);

impl Words {
    pub fn new(seed: u64) -> Words {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(Stream::ScaledRows as u64);
        Words(rng)
    }

    /// Moves to the start of row `row`'s words.
    pub fn seek(&mut self, row: u64) {
        // The stream counts 32-bit words; a row has 2 × WORDS of them.
        self.0.set_word_pos(u128::from(row) * 2 * WORDS as u128);
    }

    /// The words of the row at the current position, moving to the next row.
    pub fn next_row(&mut self) -> [u64; WORDS] {
        std::array::from_fn(|_| self.0.next_u64())
    }
}

/// A uniform draw in `0..n` from one word.
pub(crate) fn below(word: u64, n: u64) -> u64 {
    ((u128::from(word) * u128::from(n)) >> 64) as u64
}

/// The kind a row drew (before a reversal without an original falls back; see
/// `transactions::Tables::facts`).
pub(crate) fn kind(words: &[u64; WORDS]) -> TransactionKind {
    let mut roll = below(words[KIND], 100);
    for (kind, percent) in KIND_PERCENTS {
        if roll < percent {
            return kind;
        }
        roll -= percent;
    }
    TransactionKind::Return
}

/// The row's amount in minor units, skewed towards small amounts: the span times the product
/// of three uniform 21-bit fractions (mean 1/8, median about 0.069).
pub(crate) fn amount(words: &[u64; WORDS]) -> i64 {
    const MASK: u64 = (1 << 21) - 1;
    let w = words[AMOUNT];
    let product = u128::from(w & MASK) * u128::from((w >> 21) & MASK) * u128::from((w >> 42) & MASK);
    MIN_AMOUNT + ((AMOUNT_SPAN * product) >> 63) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_read_alone_equals_the_same_row_read_in_a_sweep() {
        let mut sweep = Words::new(7);
        sweep.seek(0);
        let rows: Vec<_> = (0..10).map(|_| sweep.next_row()).collect();
        let mut alone = Words::new(7);
        for i in [9_u64, 3, 0, 5] {
            alone.seek(i);
            assert_eq!(alone.next_row(), rows[i as usize]);
        }
        assert_ne!(rows[0], rows[1]);
    }

    #[test]
    fn draws_stay_in_range() {
        assert_eq!(below(u64::MAX, 100), 99);
        assert_eq!(below(0, 100), 0);
        let mut words = [0; WORDS];
        assert_eq!(amount(&words), MIN_AMOUNT);
        words[AMOUNT] = u64::MAX;
        assert!((4_999_000..=5_000_000).contains(&amount(&words)), "{}", amount(&words));
        words[KIND] = u64::MAX;
        assert_eq!(kind(&words), TransactionKind::Return);
    }
}
