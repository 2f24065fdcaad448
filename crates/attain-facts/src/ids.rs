//! The transaction id column. Most sources number their ids (`t-000000123`, `INV-2025-0042`):
//! those are kept as a prefix, a digit width and one number per row (four bytes while the
//! numbers lie near one another, `id_numbers.rs`). Any other id turns the column into plain
//! text.

use crate::id_numbers::IdNumbers;

/// Row ids, numbered while every id is `prefix` + exactly `width` digits, else text.
#[derive(Debug, Clone)]
pub enum Ids {
    /// `ascending` says whether every number is above the one before (kept as rows are
    /// pushed, so a lookup by id is a binary search without checking 100M numbers first).
    Numbered {
        prefix: Box<str>,
        width: usize,
        numbers: IdNumbers,
        ascending: bool,
    },
    Text {
        bytes: Vec<u8>,
        ends: Vec<u64>,
    },
}

impl Default for Ids {
    fn default() -> Self {
        Ids::Numbered { prefix: "".into(), width: 0, numbers: IdNumbers::default(), ascending: true }
    }
}

/// `id` as (prefix, digits) when it ends in at most 19 digits after a prefix (possibly empty):
/// the shape in which ids are kept as numbers, here and wherever a reader looks ids up.
pub fn split(id: &str) -> Option<(&str, &str)> {
    let digits = id.len() - id.bytes().rev().take_while(u8::is_ascii_digit).count();
    let (prefix, number) = id.split_at(digits);
    (!number.is_empty() && number.len() <= 19).then_some((prefix, number))
}

/// The number of `id` when it is `prefix` followed by exactly `width` digits: within one
/// prefix and width, two different ids never share a number.
pub fn number_in(prefix: &str, width: usize, id: &str) -> Option<u64> {
    split(id)
        .filter(|(p, digits)| *p == prefix && digits.len() == width)
        .and_then(|(_, digits)| digits.parse().ok())
}

impl Ids {
    pub fn len(&self) -> usize {
        match self {
            Ids::Numbered { numbers, .. } => numbers.len(),
            Ids::Text { ends, .. } => ends.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn push(&mut self, id: &str) {
        if let Ids::Numbered { prefix, width, numbers, ascending } = self {
            match split(id) {
                Some((p, digits)) if numbers.is_empty() => {
                    *prefix = p.into();
                    *width = digits.len();
                    *ascending = true;
                    numbers.push(digits.parse().unwrap_or_default());
                    return;
                }
                Some((p, digits)) if p == &**prefix && digits.len() == *width => {
                    if let Ok(n) = digits.parse() {
                        if numbers.last().is_some_and(|last| last >= n) {
                            *ascending = false;
                        }
                        numbers.push(n);
                        return;
                    }
                }
                _ => {}
            }
            self.make_text();
        }
        if let Ids::Text { bytes, ends } = self {
            bytes.extend_from_slice(id.as_bytes());
            ends.push(bytes.len() as u64);
        }
    }

    /// Appends `other`'s ids: as numbers while both columns number theirs the same way.
    pub fn append(&mut self, other: &Ids) {
        if let (
            Ids::Numbered { prefix, width, numbers, ascending },
            Ids::Numbered { prefix: p, width: w, numbers: more, ascending: more_ascending },
        ) = (&mut *self, other)
            && !more.is_empty()
        {
            if numbers.is_empty() {
                *self = other.clone();
                return;
            }
            if prefix == p && width == w {
                *ascending &= *more_ascending && numbers.last() < more.first();
                numbers.extend(more);
                return;
            }
        }
        for i in 0..other.len() {
            self.push(&other.get(i));
        }
    }

    fn make_text(&mut self) {
        let mut bytes = Vec::new();
        let mut ends = Vec::with_capacity(self.len());
        for i in 0..self.len() {
            bytes.extend_from_slice(self.get(i).as_bytes());
            ends.push(bytes.len() as u64);
        }
        *self = Ids::Text { bytes, ends };
    }

    /// The id of row `i`.
    pub fn get(&self, i: usize) -> String {
        match self {
            Ids::Numbered { prefix, width, numbers, .. } => format!("{prefix}{:0width$}", numbers.get(i)),
            Ids::Text { bytes, ends } => {
                let start = if i == 0 { 0 } else { ends[i - 1] as usize };
                String::from_utf8_lossy(&bytes[start..ends[i] as usize]).into_owned()
            }
        }
    }

    /// Whether row `i` has id `id`, without building a string.
    pub fn is(&self, i: usize, id: &str) -> bool {
        match self {
            Ids::Numbered { prefix, width, numbers, .. } => {
                number_in(prefix, *width, id) == Some(numbers.get(i))
            }
            Ids::Text { bytes, ends } => {
                let start = if i == 0 { 0 } else { ends[i - 1] as usize };
                &bytes[start..ends[i] as usize] == id.as_bytes()
            }
        }
    }

    /// Rows `a` and `b` in id order, without building strings (sorting 10M text ids).
    pub fn cmp_rows(&self, a: usize, b: usize) -> std::cmp::Ordering {
        match self {
            // One prefix and width: the numbers order the ids as text does.
            Ids::Numbered { numbers, .. } => numbers.get(a).cmp(&numbers.get(b)),
            Ids::Text { bytes, ends } => {
                let at = |i: usize| &bytes[if i == 0 { 0 } else { ends[i - 1] as usize }..ends[i] as usize];
                at(a).cmp(at(b))
            }
        }
    }

    /// The number `id` would be stored as in a numbered column, for sorted lookups.
    pub(crate) fn number_of(&self, id: &str) -> Option<u64> {
        match self {
            Ids::Numbered { prefix, width, .. } => number_in(prefix, *width, id),
            Ids::Text { .. } => None,
        }
    }

    /// Whether the ids are numbered in ascending order (a binary search finds an id).
    pub(crate) fn is_ascending(&self) -> bool {
        matches!(self, Ids::Numbered { ascending: true, .. })
    }

    /// The row of number `n`, when the ids are numbered in ascending order.
    pub(crate) fn row_of_number(&self, n: u64) -> Option<usize> {
        match self {
            Ids::Numbered { numbers, ascending: true, .. } => numbers.binary_search(n),
            _ => None,
        }
    }

    /// Bytes held per row, for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Ids::Numbered { numbers, .. } => numbers.heap_bytes(),
            Ids::Text { bytes, ends } => bytes.capacity() + ends.capacity() * 8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_ids_stay_numbers_until_one_does_not_fit() {
        let mut ids = Ids::default();
        for id in ["t-0001", "t-0002", "t-0010"] {
            ids.push(id);
        }
        assert!(matches!(ids, Ids::Numbered { ascending: true, .. }));
        assert!(ids.is(2, "t-0010") && !ids.is(2, "t-010"));
        let mut unsorted = ids.clone();
        unsorted.push("t-0003");
        assert!(matches!(unsorted, Ids::Numbered { ascending: false, .. }));
        assert!(!unsorted.is_ascending() && ids.is_ascending());
        ids.push("refund-7");
        assert!(matches!(ids, Ids::Text { .. }));
        let back: Vec<String> = (0..ids.len()).map(|i| ids.get(i)).collect();
        assert_eq!(back, ["t-0001", "t-0002", "t-0010", "refund-7"]);
        let mut plain = Ids::default();
        plain.push("abc");
        plain.push("7");
        assert_eq!((plain.get(0), plain.get(1)), ("abc".to_string(), "7".to_string()));
    }
}
