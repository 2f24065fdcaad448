//! The ids a transaction may name, as a workspace's checked reference data holds them, each
//! with its number in the fact store's interner: checking a transaction's references also
//! finds what the store keeps for them, on every core, so the push into the store hashes no
//! reference again.

use attain_core::Dataset;
use attain_core::Kind;
use attain_core::domain::TransactionRef;
use attain_facts::{FactStore, Interner, NONE, number_in, split_numbered};
use rustc_hash::FxHashMap;

use super::batch::Origin;
use super::check::dangling_error;
use super::report::RowError;

/// A dangling reference found while a row was checked, and whether it comes after the
/// `original_id` column (the reference check reports a row's first dangling column, and the
/// original is only known once every transaction is in).
pub(super) type Dangling = (RowError, bool);

/// The last id resolved per reference column (account, product, opportunity, owner) and its
/// number; only ids that name something are kept.
pub(super) type LastRefs<'t> = [Option<(&'t str, u32)>; 4];

/// One kind's ids and their interner numbers.
enum KnownIds<'a> {
    /// Every id is `prefix` then exactly `width` digits (what generators and most exports
    /// write): looked up by its number. A probe then compares integers in the table instead
    /// of following each candidate's string to memory that is cold at 10M rows (a fifth of a
    /// 10M load went to those compares).
    Numbered {
        prefix: &'a str,
        width: usize,
        numbers: Numbers,
    },
    Text(FxHashMap<&'a str, u32>),
}

/// Numbers of ids to interner numbers.
enum Numbers {
    /// Where the numbers are close together (at most [`DENSE`] slots per id): a slot per
    /// number from the lowest, `NONE` where no id has it; one memory access per probe.
    Dense {
        lowest: u64,
        slots: Vec<u32>,
    },
    Sparse(FxHashMap<u64, u32>),
}

/// Slots per id a dense table may spend: generated opportunity ids, numbered after the
/// transaction that opened them, use about 9.
const DENSE: u64 = 16;

impl Numbers {
    fn of(pairs: Vec<(u64, u32)>) -> Numbers {
        let (Some(lowest), Some(highest)) =
            (pairs.iter().map(|p| p.0).min(), pairs.iter().map(|p| p.0).max())
        else {
            return Numbers::Sparse(FxHashMap::default());
        };
        let span = highest - lowest + 1;
        if span <= DENSE * pairs.len() as u64 {
            let mut slots = vec![NONE; span as usize];
            for (number, n) in pairs {
                slots[(number - lowest) as usize] = n;
            }
            return Numbers::Dense { lowest, slots };
        }
        Numbers::Sparse(pairs.into_iter().collect())
    }

    fn get(&self, number: u64) -> Option<u32> {
        match self {
            Numbers::Dense { lowest, slots } => {
                let slot = usize::try_from(number.checked_sub(*lowest)?).ok()?;
                slots.get(slot).copied().filter(|n| *n != NONE)
            }
            Numbers::Sparse(map) => map.get(&number).copied(),
        }
    }
}

impl<'a> KnownIds<'a> {
    /// `ids` numbered by `interner` (which holds every one already, so this only reads).
    fn of(ids: impl Iterator<Item = &'a str> + Clone, interner: &mut Interner) -> KnownIds<'a> {
        if let Some(numbered) = Self::numbered(ids.clone(), interner) {
            return numbered;
        }
        KnownIds::Text(ids.map(|id| (id, interner.intern(id))).collect())
    }

    fn numbered(mut ids: impl Iterator<Item = &'a str>, interner: &mut Interner) -> Option<KnownIds<'a>> {
        let first = ids.next()?;
        let (prefix, digits) = split_numbered(first)?;
        let width = digits.len();
        let mut pairs = Vec::new();
        for id in std::iter::once(first).chain(ids) {
            pairs.push((number_in(prefix, width, id)?, interner.intern(id)));
        }
        Some(KnownIds::Numbered { prefix, width, numbers: Numbers::of(pairs) })
    }

    fn get(&self, id: &str) -> Option<u32> {
        match self {
            KnownIds::Numbered { prefix, width, numbers } => numbers.get(number_in(prefix, *width, id)?),
            KnownIds::Text(map) => map.get(id).copied(),
        }
    }
}

/// The ids of the reference kinds a transaction names, with their interner numbers.
pub(super) struct Known<'a> {
    accounts: KnownIds<'a>,
    products: KnownIds<'a>,
    opportunities: KnownIds<'a>,
    people: KnownIds<'a>,
}

impl<'a> Known<'a> {
    /// The store was built from `data` (`FactStore::with_reference_data`), so every id is
    /// interned already; interning here only looks the numbers up.
    pub(super) fn of(data: &'a Dataset, facts: &mut FactStore) -> Known<'a> {
        Known {
            accounts: KnownIds::of(data.accounts.iter().map(|r| r.id.as_str()), &mut facts.accounts),
            products: KnownIds::of(data.products.iter().map(|r| r.id.as_str()), &mut facts.products),
            opportunities: KnownIds::of(
                data.opportunities.iter().map(|r| r.id.as_str()),
                &mut facts.opportunities,
            ),
            people: KnownIds::of(data.people.iter().map(|r| r.id.as_str()), &mut facts.people),
        }
    }

    /// The numbers of `t`'s references (`NONE` where it has none or names nothing), and the
    /// first reference (in column order, the original aside) naming nothing. `last` holds the
    /// previous row's references as this worker resolved them: rows often come in runs of one
    /// opportunity, account and owner, and comparing with the last id (hot in cache) is
    /// cheaper than a probe of a million-entry map.
    pub(super) fn resolve<'t>(
        &self,
        origin: &Origin,
        line: u64,
        t: &TransactionRef<'t>,
        last: &mut LastRefs<'t>,
    ) -> (attain_facts::Numbers, Option<Box<Dangling>>) {
        let refs = [
            ("account_id", Kind::Accounts, t.account_id, &self.accounts, false),
            ("product_id", Kind::Products, t.product_id, &self.products, false),
            ("opportunity_id", Kind::Opportunities, t.opportunity_id, &self.opportunities, false),
            ("owner_id", Kind::People, t.owner_id, &self.people, true),
        ];
        let mut numbers = [NONE; 4];
        let mut dangling = None;
        for (n, (column, target, id, known, after_original)) in refs.into_iter().enumerate() {
            let Some(id) = id else { continue };
            if let Some((seen, number)) = last[n]
                && seen == id
            {
                numbers[n] = number;
                continue;
            }
            match known.get(id) {
                Some(number) => {
                    numbers[n] = number;
                    last[n] = Some((id, number));
                }
                None if dangling.is_none() => {
                    let e = dangling_error(origin, line, Kind::Transactions, column, target, id);
                    dangling = Some(Box::new((e, after_original)));
                }
                None => {}
            }
        }
        let [account, product, opportunity, owner] = numbers;
        (attain_facts::Numbers { account, product, opportunity, owner }, dangling)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers<'a>(ids: &[&'a str], interner: &mut Interner) -> KnownIds<'a> {
        for id in ids {
            interner.intern(id);
        }
        KnownIds::of(ids.iter().copied(), interner)
    }

    #[test]
    fn numbered_ids_are_found_by_number_and_nothing_else_matches() {
        let mut interner = Interner::default();
        let ids = numbers(&["opp-007", "opp-010", "opp-123"], &mut interner);
        assert!(matches!(ids, KnownIds::Numbered { .. }));
        assert_eq!(ids.get("opp-010"), interner.get("opp-010"));
        assert_eq!(ids.get("opp-123"), interner.get("opp-123"));
        // Same number, other shapes: none of these is a known id.
        for other in ["opp-10", "opp-0010", "OPP-010", "op-010", "opp-01x", "opp-011", "010", ""] {
            assert_eq!(ids.get(other), None, "{other}");
        }
    }

    #[test]
    fn numbers_far_apart_are_found_as_close_ones_are() {
        let mut interner = Interner::default();
        let ids = numbers(&["t-000001", "t-500000", "t-999999"], &mut interner);
        assert!(matches!(ids, KnownIds::Numbered { numbers: Numbers::Sparse(_), .. }));
        for id in ["t-000001", "t-500000", "t-999999"] {
            assert_eq!(ids.get(id), interner.get(id), "{id}");
        }
        assert_eq!(ids.get("t-000002"), None);
        let close = numbers(&["c-10", "c-12", "c-15"], &mut interner);
        assert!(matches!(close, KnownIds::Numbered { numbers: Numbers::Dense { .. }, .. }));
        for id in ["c-09", "c-11", "c-16", "c-99"] {
            assert_eq!(close.get(id), None, "{id}");
        }
        assert_eq!(close.get("c-15"), interner.get("c-15"));
    }

    #[test]
    fn ids_of_mixed_shapes_are_looked_up_as_text() {
        let mut interner = Interner::default();
        let ids = numbers(&["a-1", "a-22", "b-3", "plain"], &mut interner);
        assert!(matches!(ids, KnownIds::Text(_)));
        for id in ["a-1", "a-22", "b-3", "plain"] {
            assert_eq!(ids.get(id), interner.get(id), "{id}");
        }
        assert_eq!(ids.get("a-01"), None);
    }
}
