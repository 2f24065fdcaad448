//! Interning: each distinct id of a kind (a person, a position, an account...) gets a dense
//! `u32`, so the columns hold numbers and the hot loops index arrays instead of hashing
//! strings. The numbers are internal: files, the API and statements always show the ids.

use rustc_hash::FxHashMap;

/// "No value" in a `u32` id column.
pub const NONE: u32 = u32::MAX;

/// The ids of one kind, numbered in the order first seen.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    /// FxHash: ids are short and not attacker-chosen in a way that matters here (a flood of
    /// colliding ids only slows the import that brings them), and SipHash was a tenth of a run.
    index: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    /// The number of `id`, adding it when new.
    pub fn intern(&mut self, id: &str) -> u32 {
        if let Some(n) = self.index.get(id) {
            return *n;
        }
        let n = self.names.len() as u32;
        self.names.push(id.into());
        self.index.insert(id.into(), n);
        n
    }

    /// The number of an optional id, `NONE` when absent.
    pub fn intern_opt(&mut self, id: Option<&str>) -> u32 {
        id.map_or(NONE, |i| self.intern(i))
    }

    /// The number of `id`, if it has one.
    pub fn get(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    /// The id behind a number.
    pub fn name(&self, n: u32) -> &str {
        &self.names[n as usize]
    }

    /// The id behind a number that may be `NONE`.
    pub fn name_opt(&self, n: u32) -> Option<&str> {
        (n != NONE).then(|| self.name(n))
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}
