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
        let mut out = CreditSplits::default();
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

    /// Each opportunity that has rows, with the range of its rows.
    pub fn groups(&self) -> Vec<(u32, Range<usize>)> {
        let mut out = Vec::new();
        let mut start = 0;
        for i in 1..=self.len() {
            if i == self.len() || self.opportunity[i] != self.opportunity[start] {
                out.push((self.opportunity[start], start..i));
                start = i;
            }
        }
        out
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
        assert_eq!(s.groups(), [(0, 0..1), (1, 1..4)]);
        assert!(CreditSplits::default().groups().is_empty());
    }
}
