//! The numbers of a numbered id column (`ids.rs`), as `u32` offsets from a base while every
//! number lies within reach of it, else as `u64`s. Ids numbered by a source (`t-000000123`,
//! `INV-2025-0042`) seldom span four billion, so a row's id costs four bytes instead of eight:
//! at 100M transactions that is 400 MB of the bytes per transaction.

/// Numbers in row order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdNumbers {
    /// Number `i` is `base + offsets[i]`.
    Near {
        base: u64,
        offsets: Vec<u32>,
    },
    Wide(Vec<u64>),
}

impl Default for IdNumbers {
    fn default() -> Self {
        IdNumbers::Near { base: 0, offsets: Vec::new() }
    }
}

/// The base for a column whose first number is `first`: half the reach below it, so ids
/// counting down from it fit as well as ids counting up.
fn base_for(first: u64) -> u64 {
    first.saturating_sub(1 << 31)
}

impl IdNumbers {
    pub fn len(&self) -> usize {
        match self {
            IdNumbers::Near { offsets, .. } => offsets.len(),
            IdNumbers::Wide(numbers) => numbers.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number `i`. Panics past the end, as indexing does.
    pub fn get(&self, i: usize) -> u64 {
        match self {
            IdNumbers::Near { base, offsets } => base + u64::from(offsets[i]),
            IdNumbers::Wide(numbers) => numbers[i],
        }
    }

    pub fn first(&self) -> Option<u64> {
        (!self.is_empty()).then(|| self.get(0))
    }

    pub fn last(&self) -> Option<u64> {
        self.len().checked_sub(1).map(|i| self.get(i))
    }

    pub fn push(&mut self, n: u64) {
        if let IdNumbers::Near { base, offsets } = self {
            if offsets.is_empty() {
                *base = base_for(n);
            }
            match n.checked_sub(*base).and_then(|o| u32::try_from(o).ok()) {
                Some(offset) => return offsets.push(offset),
                None => self.widen(),
            }
        }
        if let IdNumbers::Wide(numbers) = self {
            numbers.push(n);
        }
    }

    /// Appends `other`'s numbers.
    pub fn extend(&mut self, other: &IdNumbers) {
        if let (IdNumbers::Near { base, offsets }, IdNumbers::Near { base: b, offsets: more }) =
            (&mut *self, other)
        {
            if offsets.is_empty() {
                *base = *b;
                offsets.extend_from_slice(more);
                return;
            }
            // Parts built apart (a file read in chunks) have bases of their own.
            let within =
                |o: &u32| (b + u64::from(*o)).checked_sub(*base).is_some_and(|d| d <= u64::from(u32::MAX));
            if more.iter().all(within) {
                offsets.extend(more.iter().map(|o| (b + u64::from(*o) - *base) as u32));
                return;
            }
        }
        for i in 0..other.len() {
            self.push(other.get(i));
        }
    }

    fn widen(&mut self) {
        *self = IdNumbers::Wide((0..self.len()).map(|i| self.get(i)).collect());
    }

    /// Where `n` stands among numbers in ascending order. Numbers a source gives in sequence
    /// (`t-000000001`, `t-000000002`, ...) are found where a straight line from the first to
    /// the last puts them, with one read instead of a binary search's two dozen cache misses
    /// (a return looks up the row it reverses: 300k lookups at 10M); others by binary search.
    pub fn binary_search(&self, n: u64) -> Option<usize> {
        match self {
            IdNumbers::Near { base, offsets } => {
                let offset = u32::try_from(n.checked_sub(*base)?).ok()?;
                find_ascending(offsets, offset)
            }
            IdNumbers::Wide(numbers) => find_ascending(numbers, n),
        }
    }

    pub fn shrink_to_fit(&mut self) {
        match self {
            IdNumbers::Near { offsets, .. } => offsets.shrink_to_fit(),
            IdNumbers::Wide(numbers) => numbers.shrink_to_fit(),
        }
    }

    pub fn reserve_exact(&mut self, rows: usize) {
        match self {
            IdNumbers::Near { offsets, .. } => offsets.reserve_exact(rows),
            IdNumbers::Wide(numbers) => numbers.reserve_exact(rows),
        }
    }

    pub fn heap_bytes(&self) -> usize {
        match self {
            IdNumbers::Near { offsets, .. } => offsets.capacity() * 4,
            IdNumbers::Wide(numbers) => numbers.capacity() * 8,
        }
    }
}

/// `target`'s place in ascending `list`: first where its value's share of the span puts it.
fn find_ascending<T: Copy + Ord + Into<u64>>(list: &[T], target: T) -> Option<usize> {
    let (first, last) = (list.first()?, list.last()?);
    let (lo, hi, t) = ((*first).into(), (*last).into(), target.into());
    if lo < t && t < hi {
        // At most 2^64 × 2^64: in u128 it cannot overflow, and the guess is below the length.
        let guess = (u128::from(t - lo) * (list.len() as u128 - 1) / u128::from(hi - lo)) as usize;
        if list.get(guess) == Some(&target) {
            return Some(guess);
        }
    }
    list.binary_search(&target).ok()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn numbers() -> impl Strategy<Value = Vec<u64>> {
        // Near one another (the common case), around the reach's edges, and anywhere.
        let near =
            (0u64..1 << 40).prop_flat_map(|start| proptest::collection::vec(start..start + 5_000, 0..60));
        let edge = proptest::collection::vec(
            prop_oneof![
                Just(0u64),
                Just(1 << 31),
                Just((1 << 32) - 1),
                Just(1 << 32),
                Just(u64::MAX),
                any::<u64>()
            ],
            0..20,
        );
        prop_oneof![near, edge]
    }

    proptest! {
        /// Pushed one by one, appended in two parts, or searched: the numbers read back as
        /// the plain list of them does.
        #[test]
        fn numbers_read_back_as_pushed(list in numbers(), cut in any::<prop::sample::Index>()) {
            let mut column = IdNumbers::default();
            for n in &list {
                column.push(*n);
            }
            prop_assert_eq!(column.len(), list.len());
            let back: Vec<u64> = (0..column.len()).map(|i| column.get(i)).collect();
            prop_assert_eq!(&back, &list);
            prop_assert_eq!((column.first(), column.last()), (list.first().copied(), list.last().copied()));
            let at = if list.is_empty() { 0 } else { cut.index(list.len() + 1) };
            let (mut a, mut b) = (IdNumbers::default(), IdNumbers::default());
            list[..at].iter().for_each(|n| a.push(*n));
            list[at..].iter().for_each(|n| b.push(*n));
            a.extend(&b);
            let joined: Vec<u64> = (0..a.len()).map(|i| a.get(i)).collect();
            prop_assert_eq!(&joined, &list);
            let mut sorted = list.clone();
            sorted.sort_unstable();
            sorted.dedup();
            let mut ascending = IdNumbers::default();
            sorted.iter().for_each(|n| ascending.push(*n));
            for (i, n) in sorted.iter().enumerate() {
                prop_assert_eq!(ascending.binary_search(*n), Some(i));
            }
            for probe in [0, 1 << 32, u64::MAX] {
                prop_assert_eq!(ascending.binary_search(probe), sorted.binary_search(&probe).ok());
            }
            for probe in list.iter().map(|n| n.wrapping_add(1)) {
                prop_assert_eq!(ascending.binary_search(probe), sorted.binary_search(&probe).ok());
            }
        }
    }

    #[test]
    fn numbers_in_sequence_and_with_gaps_are_found_where_they_stand() {
        let mut sequence = IdNumbers::default();
        (7..10_007u64).for_each(|n| sequence.push(n));
        assert!((7..10_007u64).all(|n| sequence.binary_search(n) == Some((n - 7) as usize)));
        assert_eq!((sequence.binary_search(6), sequence.binary_search(10_007)), (None, None));
        let mut gaps = IdNumbers::default();
        let numbers: Vec<u64> = (0..5_000u64).map(|i| i * i + 3).collect();
        numbers.iter().for_each(|n| gaps.push(*n));
        assert!(numbers.iter().enumerate().all(|(i, n)| gaps.binary_search(*n) == Some(i)));
        assert_eq!(gaps.binary_search(5), None);
    }

    #[test]
    fn near_numbers_take_four_bytes_and_far_ones_eight() {
        let mut column = IdNumbers::default();
        (1..=1000u64).for_each(|n| column.push(n));
        assert!(matches!(column, IdNumbers::Near { .. }));
        column.shrink_to_fit();
        assert_eq!(column.heap_bytes(), 4000);
        column.push(1 << 40);
        assert!(matches!(column, IdNumbers::Wide(_)));
        assert_eq!((column.get(0), column.get(1000)), (1, 1 << 40));
    }
}
