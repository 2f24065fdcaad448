//! A batch: rows of canonical columns, still as text, each remembering where it came from so
//! any error can name the file, line, source column and value.

use std::collections::BTreeMap;
use std::sync::Arc;

use attain_core::Kind;

/// A source file and, per canonical column, the source column it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    /// For each column of the kind's spec, the name the user knows it by (a mapped CSV's own
    /// header), or `None` when the value was not read from a column (a default, a derivation).
    pub columns: Vec<Option<String>>,
}

impl Origin {
    /// An origin whose columns carry their canonical names (canonical CSV, JSON, generated).
    pub fn canonical(file: impl Into<String>, kind: Kind) -> Arc<Origin> {
        Arc::new(Origin {
            file: file.into(),
            columns: kind.spec().columns.iter().map(|c| Some(c.name.to_string())).collect(),
        })
    }

    /// The name to show for a canonical column.
    pub fn column_name(&self, kind: Kind, canonical: &str) -> String {
        let spec = kind.spec();
        spec.index_of(canonical)
            .and_then(|i| self.columns.get(i).cloned().flatten())
            .unwrap_or_else(|| canonical.to_string())
    }
}

/// One row to import: the text of each canonical column, and where it came from.
#[derive(Debug, Clone)]
pub struct SourceRow {
    pub origin: Arc<Origin>,
    /// 1-based line in the source file (the header is line 1).
    pub line: u64,
    pub cells: Cells,
}

/// A row's cells in the kind's column order: owned text, or a parsed CSV record read in place
/// (a million-row file is not copied cell by cell before it is checked).
#[derive(Debug, Clone)]
pub enum Cells {
    Text(Vec<Option<String>>),
    Record { record: csv::StringRecord, columns: Arc<[Option<usize>]> },
}

impl Cells {
    /// The text of canonical column `i`, if the row has one.
    pub fn get(&self, i: usize) -> Option<&str> {
        match self {
            Cells::Text(texts) => texts.get(i).and_then(|t| t.as_deref()),
            Cells::Record { record, columns } => {
                columns.get(i).copied().flatten().and_then(|c| record.get(c))
            }
        }
    }
}

/// Rows to import, grouped by kind, plus the rows that could not even be read (a wrong
/// number of fields, a value a mapping could not convert).
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub rows: Vec<(Kind, Vec<SourceRow>)>,
    pub errors: Vec<super::RowError>,
    /// Per kind, how many of `errors` are rows of that kind that could not be read, so the
    /// report counts them as read and skipped.
    pub unread: BTreeMap<Kind, u64>,
}

impl Batch {
    /// Records a row of `kind` that could not be read.
    pub fn reject(&mut self, kind: Kind, error: super::RowError) {
        self.errors.push(error);
        self.note_unread(kind, 1);
    }

    /// Counts `n` rows of `kind` already reported in `errors` as unreadable.
    pub fn note_unread(&mut self, kind: Kind, n: usize) {
        if n > 0 {
            *self.unread.entry(kind).or_default() += n as u64;
        }
    }

    pub fn push(&mut self, kind: Kind, row: SourceRow) {
        match self.rows.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, rows)) => rows.push(row),
            None => self.rows.push((kind, vec![row])),
        }
    }

    pub fn extend(&mut self, kind: Kind, rows: Vec<SourceRow>) {
        match self.rows.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, existing)) => existing.extend(rows),
            None => self.rows.push((kind, rows)),
        }
    }

    pub fn merge(&mut self, other: Batch) {
        for (kind, rows) in other.rows {
            self.extend(kind, rows);
        }
        self.errors.extend(other.errors);
        for (kind, n) in other.unread {
            *self.unread.entry(kind).or_default() += n;
        }
    }

    pub fn len(&self) -> usize {
        self.rows.iter().map(|(_, r)| r.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rows in dependency order (referenced kinds first, and every kind that had a row, even
    /// an unreadable one), and the read errors.
    pub fn into_parts(mut self) -> (Vec<(Kind, Vec<SourceRow>)>, Vec<super::RowError>) {
        for kind in self.unread.keys() {
            if !self.rows.iter().any(|(k, _)| k == kind) {
                self.rows.push((*kind, Vec::new()));
            }
        }
        self.rows.sort_by_key(|(k, _)| *k);
        (self.rows, self.errors)
    }
}

impl Origin {
    /// An origin for rows derived from a source file: `pairs` says which source column each
    /// canonical column came from.
    pub fn derived(file: &str, kind: Kind, pairs: &[(&str, &str)]) -> Arc<Origin> {
        let columns = kind
            .spec()
            .columns
            .iter()
            .map(|c| {
                pairs.iter().find(|(canonical, _)| *canonical == c.name).map(|(_, source)| source.to_string())
            })
            .collect();
        Arc::new(Origin { file: file.to_string(), columns })
    }
}

impl SourceRow {
    /// A row from `(canonical column, value)` pairs; unnamed columns are empty.
    pub fn build(
        kind: Kind,
        origin: &Arc<Origin>,
        line: u64,
        values: &[(&str, Option<String>)],
    ) -> SourceRow {
        let cells = kind
            .spec()
            .columns
            .iter()
            .map(|c| values.iter().find(|(name, _)| *name == c.name).and_then(|(_, v)| v.clone()))
            .collect();
        SourceRow { origin: Arc::clone(origin), line, cells: Cells::Text(cells) }
    }
}
