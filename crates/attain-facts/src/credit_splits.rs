//! Credit split rows (who shares an opportunity's credit, as primary or overlay, and how
//! much) as columns grouped by opportunity number. Built once with the store, so a run reads an
//! opportunity's rows without hashing an id: at 10M transactions the company has about 1.4M
//! split rows over 7M opportunities, and looking each one up by its text id cost more than the
//! pass over the transactions.

use std::ops::Range;

use attain_core::Dataset;
use attain_core::domain::CreditRole;
use rust_decimal::Decimal;

use crate::intern::{Interner, NONE};

#[derive(Debug, Clone, Default)]
pub struct CreditSplits {
    /// Sorted by opportunity number, the data's order kept within one opportunity.
    pub opportunity: Vec<u32>,
    /// The person number, `NONE` for an id the data's people do not hold.
    pub person: Vec<u32>,
    pub overlay: Vec<bool>,
    /// The share in percent, as the row gives it.
    pub percent: Vec<Decimal>,
}

impl CreditSplits {
    /// Heap bytes held, for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        (self.opportunity.capacity() + self.person.capacity()) * 4
            + self.overlay.capacity()
            + self.percent.capacity() * std::mem::size_of::<Decimal>()
    }

    /// The data's split rows; opportunities are interned (a split may name one that only
    /// transactions name), people only looked up.
    pub fn build(data: &Dataset, opportunities: &mut Interner, people: &Interner) -> CreditSplits {
        let mut rows: Vec<(u32, usize)> = data
            .credit_splits
            .iter()
            .enumerate()
            .map(|(i, s)| (opportunities.intern(&s.opportunity_id), i))
            .collect();
        rows.sort_by_key(|(o, _)| *o);
        let mut out = CreditSplits {
            opportunity: Vec::with_capacity(rows.len()),
            person: Vec::with_capacity(rows.len()),
            overlay: Vec::with_capacity(rows.len()),
            percent: Vec::with_capacity(rows.len()),
        };
        for (o, i) in rows {
            let s = &data.credit_splits[i];
            out.opportunity.push(o);
            out.person.push(people.get(&s.person_id).unwrap_or(NONE));
            out.overlay.push(s.role == CreditRole::Overlay);
            out.percent.push(s.percent);
        }
        out
    }

    pub fn len(&self) -> usize {
        self.opportunity.len()
    }

    pub fn is_empty(&self) -> bool {
        self.opportunity.is_empty()
    }

    /// Each opportunity that has rows among `rows` (which must start and end at an
    /// opportunity's first row or the end), with the range of its rows.
    pub fn groups_in(&self, rows: Range<usize>) -> impl Iterator<Item = (u32, Range<usize>)> + '_ {
        let mut start = rows.start;
        std::iter::from_fn(move || {
            if start >= rows.end {
                return None;
            }
            let o = self.opportunity[start];
            let end = start + self.opportunity[start..rows.end].iter().take_while(|x| **x == o).count();
            let group = (o, start..end);
            start = end;
            Some(group)
        })
    }

    /// The rows cut into about `parts` ranges at opportunity boundaries, for compiling on
    /// every core without first listing the groups (10.8M of them at 100M transactions).
    pub fn chunks(&self, parts: usize) -> Vec<Range<usize>> {
        let (len, parts) = (self.len(), parts.max(1));
        let mut cuts = vec![0];
        for i in 1..parts {
            let mut at = (len * i / parts).max(*cuts.last().unwrap_or(&0));
            while at > 0 && at < len && self.opportunity[at] == self.opportunity[at - 1] {
                at += 1;
            }
            if at < len && at > *cuts.last().unwrap_or(&0) {
                cuts.push(at);
            }
        }
        cuts.push(len);
        cuts.windows(2).filter(|w| w[0] < w[1]).map(|w| w[0]..w[1]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_core::domain::CreditSplit;

    #[test]
    fn rows_are_grouped_by_opportunity_in_the_data_order() {
        let row = |id: &str, opp: &str, person: &str, role, percent: i64| CreditSplit {
            id: id.into(),
            opportunity_id: opp.into(),
            person_id: person.into(),
            role,
            percent: Decimal::from(percent),
        };
        let data = Dataset {
            credit_splits: vec![
                row("s1", "o2", "ann", CreditRole::Primary, 60),
                row("s2", "o1", "bob", CreditRole::Overlay, 100),
                row("s3", "o2", "bob", CreditRole::Primary, 40),
                row("s4", "o2", "zed", CreditRole::Overlay, 10),
            ],
            ..Dataset::default()
        };
        let mut opportunities = Interner::default();
        opportunities.intern("o1");
        opportunities.intern("o2");
        let mut people = Interner::default();
        people.intern("ann");
        people.intern("bob");
        let s = CreditSplits::build(&data, &mut opportunities, &people);
        assert_eq!(s.opportunity, [0, 1, 1, 1]);
        assert_eq!(s.person, [1, 0, 1, NONE]);
        assert_eq!(s.overlay, [true, false, false, true]);
        assert_eq!(s.percent, [100, 60, 40, 10].map(Decimal::from));
        let all: Vec<_> = s.groups_in(0..s.len()).collect();
        assert_eq!(all, [(0, 0..1), (1, 1..4)]);
        assert_eq!(s.groups_in(1..4).collect::<Vec<_>>(), [(1, 1..4)]);
        assert!(CreditSplits::default().groups_in(0..0).next().is_none());
        // Cut at opportunity boundaries only, covering every row once.
        for parts in 1..6 {
            let chunks = s.chunks(parts);
            assert_eq!(chunks.first().map(|c| c.start), Some(0));
            assert_eq!(chunks.last().map(|c| c.end), Some(4));
            assert!(chunks.windows(2).all(|w| w[0].end == w[1].start));
            assert!(
                chunks.iter().all(|c| c.start == 0 || s.opportunity[c.start] != s.opportunity[c.start - 1])
            );
        }
        assert!(CreditSplits::default().chunks(4).is_empty());
    }
}
