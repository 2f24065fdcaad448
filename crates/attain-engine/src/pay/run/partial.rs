//! What one thread's share of the bulk pass adds up, and the threads' shares combined into the
//! run's sums.
//!
//! A thread's integral credits go into a dense table of `i64` by slot (the buckets numbered
//! month by month, `Buckets::place`), not into the run's `i128` table by bucket: the
//! transactions come in date order, so a month's rows then add into one run of slots that
//! stays in a core's cache (at 10M transactions and 10k people the pass took a quarter to a
//! third less time). A credit that would overflow an `i64` is kept aside in `i128` by bucket,
//! so no sum is ever wrong, only slower.

use attain_facts::NONE;
use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::EngineError;
use super::accumulate::{MonthKey, Sink};
use super::buckets::Place;
use super::credit::Credit;

/// What one chunk of transactions adds up.
pub(crate) struct Partial {
    k: usize,
    c: usize,
    /// `[slot][sig][direct | overlay][currency]`.
    dense: Vec<i64>,
    /// Credits the dense table could not take without overflowing, by (bucket, signature,
    /// kind, currency).
    spill: FxHashMap<(u32, u16, u8, u8), i128>,
    pub exact: FxHashMap<MonthKey, Decimal>,
    pub errors: Vec<(u32, u32, u16, EngineError)>,
    pub split_error: Option<(u32, EngineError)>,
    pub candidates: Vec<(u32, Credit)>,
}

impl Sink for Partial {
    #[inline]
    fn own(&mut self, _: u32, at: Place, s: u16, kind: u8, c: u8, v: i128) {
        let i = ((at.slot as usize * self.k + s as usize) * 2 + kind as usize) * self.c + c as usize;
        let slot = &mut self.dense[i];
        match i64::try_from(v).ok().and_then(|v| slot.checked_add(v)) {
            Some(sum) => *slot = sum,
            None => *self.spill.entry((at.bucket, s, kind, c)).or_default() += v,
        }
    }

    fn exact(&mut self, _: u32, key: MonthKey, v: Decimal) {
        *self.exact.entry(key).or_default() += v;
    }

    fn error(&mut self, row: u32, b: u32, s: u16, e: EngineError) {
        self.errors.push((row, b, s, e));
    }

    fn split_error(&mut self, row: u32, e: EngineError) {
        if self.split_error.as_ref().is_none_or(|(r, _)| row < *r) {
            self.split_error = Some((row, e));
        }
    }

    fn candidate(&mut self, person: u32, credit: Credit) {
        self.candidates.push((person, credit));
    }
}

impl Partial {
    /// An empty share for `buckets` with `k` signatures and `c` currencies.
    pub fn new(k: usize, c: usize, buckets: usize) -> Partial {
        Partial {
            k,
            c,
            dense: vec![0; buckets * k * 2 * c],
            spill: FxHashMap::default(),
            exact: FxHashMap::default(),
            errors: Vec::new(),
            split_error: None,
            candidates: Vec::new(),
        }
    }

    /// The threads' shares as one: the integral sums of `buckets` buckets in the run's layout
    /// (`[bucket][sig][direct | overlay][currency]`, as `Sums::own_at` reads them; `slot_of`
    /// names each bucket's slot), the rest gathered into the first share.
    pub fn combine(
        mut parts: Vec<Partial>,
        buckets: usize,
        slot_of: impl Fn(u32) -> u32 + Sync,
    ) -> (Vec<i128>, Partial) {
        // The pass always makes at least one share (one per thread, at least one thread);
        // with none there are no sums to lay out.
        debug_assert!(!parts.is_empty(), "the pass makes at least one share");
        let Some(mut first) = parts.pop() else {
            return (Vec::new(), Partial::new(1, 1, 0));
        };
        let per = first.k * 2 * first.c;
        let mut own = vec![0i128; buckets * per];
        let all: Vec<&Partial> = parts.iter().chain(std::iter::once(&first)).collect();
        own.par_chunks_mut(per * 4096).enumerate().for_each(|(chunk, out)| {
            for (i, sums) in out.chunks_mut(per).enumerate() {
                let b = (chunk * 4096 + i) as u32;
                let slot = slot_of(b);
                if slot == NONE {
                    continue;
                }
                let from = slot as usize * per;
                for part in &all {
                    for (sum, v) in sums.iter_mut().zip(&part.dense[from..from + per]) {
                        *sum += i128::from(*v);
                    }
                }
            }
        });
        let at = |(b, s, kind, c): (u32, u16, u8, u8)| {
            ((b as usize * first.k + s as usize) * 2 + kind as usize) * first.c + c as usize
        };
        for part in all {
            for (key, v) in &part.spill {
                own[at(*key)] += v;
            }
        }
        first.dense = Vec::new();
        for part in parts {
            for (key, v) in part.exact {
                *first.exact.entry(key).or_default() += v;
            }
            first.errors.extend(part.errors);
            first.split_error = match (first.split_error, part.split_error) {
                (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
                (a, b) => a.or(b),
            };
            first.candidates.extend(part.candidates);
        }
        (own, first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two threads' credits of one bucket add up; a credit that would overflow the dense
    /// `i64` is kept aside and still summed exactly; buckets land where their slots say.
    #[test]
    fn shares_combine_into_the_run_layout_exactly() {
        // Three buckets whose slots run backwards; one signature, one currency.
        let slot_of = |b: u32| 2 - b;
        let (mut a, mut b) = (Partial::new(1, 1, 3), Partial::new(1, 1, 3));
        let big = i128::from(i64::MAX);
        let at = |bucket: u32| Place { bucket, slot: slot_of(bucket) };
        a.own(0, at(0), 0, 0, 0, 5);
        b.own(0, at(0), 0, 0, 0, 7);
        a.own(0, at(1), 0, 1, 0, big);
        a.own(0, at(1), 0, 1, 0, 1);
        b.own(0, at(1), 0, 1, 0, big * 4);
        b.own(0, at(2), 0, 0, 0, -3);
        assert_eq!(a.spill.len(), 1, "the add past i64::MAX is kept aside");
        assert_eq!(b.spill.len(), 1, "a credit past i64 is kept aside");
        let (own, _) = Partial::combine(vec![a, b], 3, slot_of);
        // [bucket][sig][direct | overlay][currency]
        assert_eq!(own, vec![12, 0, 0, big * 5 + 1, -3, 0]);
    }
}
