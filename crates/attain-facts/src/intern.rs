//! Interning: each distinct id of a kind (a person, a position, an account...) gets a dense
//! `u32`, so the columns hold numbers and the hot loops index arrays instead of hashing
//! strings. The numbers are internal: files, the API and statements always show the ids.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// "No value" in a `u32` id column.
pub const NONE: u32 = u32::MAX;

/// The ids of one kind, numbered in the order first seen.
///
/// Every id's text sits in one buffer, and the index holds only numbers: at 100M
/// transactions there are 10.8M opportunity ids, and a `Box<str>` per id in a list and
/// another as a hash map key took about 76 bytes an id; this takes the id's own bytes and
/// about 15 more.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    /// Numbers, found by the hash of their id's text. FxHash: ids are short and not
    /// attacker-chosen in a way that matters here (a flood of colliding ids only slows the
    /// import that brings them), and SipHash was a tenth of a run.
    index: HashTable<u32>,
    /// Every id's text, one after another.
    text: String,
    /// Where id `n`'s text ends in `text` (it starts where id `n - 1`'s ends).
    ends: Vec<usize>,
}

fn hash(id: &str) -> u64 {
    FxBuildHasher.hash_one(id)
}

impl Interner {
    /// The number of `id`, adding it when new.
    pub fn intern(&mut self, id: &str) -> u32 {
        let h = hash(id);
        if let Some(n) = self.index.find(h, |n| name_in(&self.text, &self.ends, *n) == id) {
            return *n;
        }
        let n = self.ends.len() as u32;
        self.text.push_str(id);
        self.ends.push(self.text.len());
        let (text, ends) = (&self.text, &self.ends);
        self.index.insert_unique(h, n, |m| hash(name_in(text, ends, *m)));
        n
    }

    /// The number of an optional id, `NONE` when absent.
    pub fn intern_opt(&mut self, id: Option<&str>) -> u32 {
        id.map_or(NONE, |i| self.intern(i))
    }

    /// The number of `id`, if it has one.
    pub fn get(&self, id: &str) -> Option<u32> {
        self.index.find(hash(id), |n| self.name(*n) == id).copied()
    }

    /// The id behind a number.
    pub fn name(&self, n: u32) -> &str {
        name_in(&self.text, &self.ends, n)
    }

    /// The id behind a number that may be `NONE`.
    pub fn name_opt(&self, n: u32) -> Option<&str> {
        (n != NONE).then(|| self.name(n))
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Room for `additional` more ids (their text is not known yet, so the buffer grows as
    /// they come; the table and the offsets do not).
    pub fn reserve(&mut self, additional: usize) {
        self.ends.reserve(additional);
        let (text, ends) = (&self.text, &self.ends);
        self.index.reserve(additional, |n| hash(name_in(text, ends, *n)));
    }

    /// Gives back the room kept for more ids, once a build is done.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        let (text, ends) = (&self.text, &self.ends);
        self.index.shrink_to_fit(|n| hash(name_in(text, ends, *n)));
    }

    /// Heap bytes held, for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        // A table slot is a number and a control byte.
        self.text.capacity() + self.ends.capacity() * 8 + self.index.capacity() * 5
    }
}

/// Id `n`'s text. Panics on a number no id has, as indexing a list of them did.
fn name_in<'t>(text: &'t str, ends: &[usize], n: u32) -> &'t str {
    let n = n as usize;
    let start = if n == 0 { 0 } else { ends[n - 1] };
    &text[start..ends[n]]
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Numbers are given in first-seen order, found again by id, and give back their id,
        /// as a plain map and list would (short, empty, repeated and non-ASCII ids).
        #[test]
        fn ids_are_numbered_as_a_plain_map_numbers_them(
            ids in proptest::collection::vec("[a-cé0-9-]{0,6}", 0..400),
        ) {
            let mut interner = Interner::default();
            let mut model: HashMap<String, u32> = HashMap::new();
            let mut names: Vec<String> = Vec::new();
            for id in &ids {
                let expected = *model.entry(id.clone()).or_insert_with(|| {
                    names.push(id.clone());
                    names.len() as u32 - 1
                });
                prop_assert_eq!(interner.intern(id), expected);
            }
            prop_assert_eq!(interner.len(), names.len());
            for (n, name) in names.iter().enumerate() {
                prop_assert_eq!(interner.name(n as u32), name.as_str());
                prop_assert_eq!(interner.get(name), Some(n as u32));
            }
            prop_assert_eq!(interner.get("not-an-id-here"), None);
            let copy = interner.clone();
            for name in &names {
                prop_assert_eq!(copy.get(name), interner.get(name));
            }
        }
    }

    #[test]
    fn an_absent_id_is_none_both_ways() {
        let mut interner = Interner::default();
        assert_eq!(interner.intern_opt(None), NONE);
        assert_eq!(interner.name_opt(NONE), None);
        let n = interner.intern_opt(Some("opp-1"));
        assert_eq!(interner.name_opt(n), Some("opp-1"));
        assert!(!interner.is_empty());
    }
}
