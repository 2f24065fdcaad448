//! Effective-dated lookups as sorted interval tables: for each key (a position, a person, a
//! territory), the value in force over `[from, to)` day ranges, sorted and non-overlapping, so
//! "who holds this position on this day" is a binary search, never a scan of every row.
//!
//! Rows may overlap in the data (two assignments to one seat): the record listed first wins
//! where they do, which is what a scan for the first matching row answers. The table is built
//! so that it gives exactly that answer (the property test compares the two on random data).

use crate::intern::NONE;

/// One row of an effective-dated relation: `key` has `value` over `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub key: u32,
    pub from: i32,
    pub to: i32,
    pub value: u32,
}

/// Per key, the value on any day.
#[derive(Debug, Clone, Default)]
pub struct Intervals {
    /// `offsets[k]..offsets[k + 1]` are key k's intervals.
    offsets: Vec<u32>,
    from: Vec<i32>,
    to: Vec<i32>,
    value: Vec<u32>,
}

impl Intervals {
    /// Builds the table for keys `0..keys` from rows in priority order (earlier rows win).
    pub fn build(keys: usize, rows: &[Row]) -> Intervals {
        let mut by_key: Vec<Vec<Row>> = vec![Vec::new(); keys];
        for r in rows.iter().filter(|r| r.from < r.to && (r.key as usize) < keys) {
            by_key[r.key as usize].push(*r);
        }
        let mut table = Intervals { offsets: Vec::with_capacity(keys + 1), ..Default::default() };
        table.offsets.push(0);
        for list in &by_key {
            for (from, to, value) in resolve(list) {
                table.from.push(from);
                table.to.push(to);
                table.value.push(value);
            }
            table.offsets.push(table.from.len() as u32);
        }
        table
    }

    fn span(&self, key: u32) -> std::ops::Range<usize> {
        match (self.offsets.get(key as usize), self.offsets.get(key as usize + 1)) {
            (Some(a), Some(b)) => *a as usize..*b as usize,
            _ => 0..0,
        }
    }

    /// The value for `key` on `day`, or `NONE`.
    pub fn get(&self, key: u32, day: i32) -> u32 {
        let span = self.span(key);
        let from = &self.from[span.clone()];
        let i = from.partition_point(|f| *f <= day);
        if i == 0 {
            return NONE;
        }
        let at = span.start + i - 1;
        if day < self.to[at] { self.value[at] } else { NONE }
    }

    /// Key `key`'s intervals in day order, as `(from, to, value)`.
    pub fn of(&self, key: u32) -> impl Iterator<Item = (i32, i32, u32)> + '_ {
        self.span(key).map(|i| (self.from[i], self.to[i], self.value[i]))
    }

    pub fn keys(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }
}

/// One key's rows (priority order) as sorted, non-overlapping intervals, adjacent equal values
/// merged.
fn resolve(rows: &[Row]) -> Vec<(i32, i32, u32)> {
    let mut sorted: Vec<&Row> = rows.iter().collect();
    sorted.sort_by_key(|r| r.from);
    let overlapping = sorted.windows(2).any(|w| w[1].from < w[0].to);
    let mut out: Vec<(i32, i32, u32)> = Vec::with_capacity(rows.len());
    let mut push = |from: i32, to: i32, value: u32| match out.last_mut() {
        Some(last) if last.1 == from && last.2 == value => last.1 = to,
        _ => out.push((from, to, value)),
    };
    if !overlapping {
        for r in sorted {
            push(r.from, r.to, r.value);
        }
        return out;
    }
    // Overlaps: cut at every boundary and give each piece the first row covering it.
    let mut cuts: Vec<i32> = rows.iter().flat_map(|r| [r.from, r.to]).collect();
    cuts.sort_unstable();
    cuts.dedup();
    for w in cuts.windows(2) {
        let (from, to) = (w[0], w[1]);
        if let Some(r) = rows.iter().find(|r| r.from <= from && to <= r.to) {
            push(from, to, r.value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::day::OPEN;
    use proptest::prelude::*;

    fn naive(rows: &[Row], key: u32, day: i32) -> u32 {
        rows.iter().find(|r| r.key == key && r.from <= day && day < r.to).map_or(NONE, |r| r.value)
    }

    proptest! {
        #[test]
        fn answers_what_a_scan_for_the_first_matching_row_answers(
            raw in prop::collection::vec((0u32..6, 0i32..60, 0i32..40, 0u32..5, any::<bool>()), 0..40),
            days in prop::collection::vec(-5i32..110, 1..40),
        ) {
            let rows: Vec<Row> = raw
                .iter()
                .map(|&(key, from, len, value, open)| Row { key, from, to: if open { OPEN } else { from + len }, value })
                .collect();
            let table = Intervals::build(6, &rows);
            for key in 0..7 {
                for &day in &days {
                    prop_assert_eq!(table.get(key, day), naive(&rows, key, day), "key {} day {}", key, day);
                }
            }
        }
    }
}
