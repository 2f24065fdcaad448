//! A batch: rows of canonical columns, still as text, each remembering where it came from so
//! any error can name the file, line, source column and value.

use std::collections::BTreeMap;

use super::csv_source::CanonicalRows;
use crate::generate::parquet::ParquetRows;
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
#[derive(Debug, Default)]
pub struct Batch {
    pub rows: Vec<(Kind, Vec<SourceRow>)>,
    pub errors: Vec<super::RowError>,
    /// Per kind, how many of `errors` are rows of that kind that could not be read, so the
    /// report counts them as read and skipped.
    pub unread: BTreeMap<Kind, u64>,
    /// Files read a step at a time while the import runs.
    pub streams: Vec<(Kind, RowStream)>,
}

/// A file read a step at a time: a canonical CSV file, or a workspace's
/// `transactions.parquet`, whose rows arrive as the same text cells.
#[derive(Debug)]
pub enum RowStream {
    Csv(CanonicalRows),
    Parquet(ParquetRows),
}

impl RowStream {
    fn next_chunk(
        &mut self,
        n: usize,
        errors: &mut Vec<super::RowError>,
        unreadable: &mut u64,
    ) -> Result<Option<Vec<SourceRow>>, super::ImportError> {
        match self {
            RowStream::Csv(rows) => rows.next_chunk(n, errors, unreadable),
            RowStream::Parquet(rows) => rows.next_chunk(n, errors, unreadable),
        }
    }

    fn estimated(&self) -> u64 {
        match self {
            RowStream::Csv(rows) => rows.estimated,
            RowStream::Parquet(rows) => rows.estimated,
        }
    }
}

impl From<CanonicalRows> for RowStream {
    fn from(rows: CanonicalRows) -> RowStream {
        RowStream::Csv(rows)
    }
}

impl From<ParquetRows> for RowStream {
    fn from(rows: ParquetRows) -> RowStream {
        RowStream::Parquet(rows)
    }
}

/// Where one kind's rows come from during an import: rows already in memory (in steps), then
/// any files read step by step.
pub struct KindSource {
    pub kind: Kind,
    /// Rows in memory, already split into steps, last step first.
    ready: Vec<Vec<SourceRow>>,
    streams: Vec<RowStream>,
    /// How many rows the source is expected to yield (exact for rows in memory).
    pub estimated: u64,
}

impl KindSource {
    /// The next step of up to `n` rows, or `None` when the source is exhausted. Rows that cannot
    /// be read go to `errors` and are counted in `unreadable`.
    pub fn next_chunk(
        &mut self,
        n: usize,
        errors: &mut Vec<super::RowError>,
        unreadable: &mut u64,
    ) -> Result<Option<Vec<SourceRow>>, super::ImportError> {
        if let Some(rows) = self.ready.pop() {
            return Ok(Some(rows));
        }
        while let Some(stream) = self.streams.first_mut() {
            match stream.next_chunk(n, errors, unreadable)? {
                Some(rows) => return Ok(Some(rows)),
                None => {
                    self.streams.remove(0);
                }
            }
        }
        Ok(None)
    }
}

impl KindSource {
    /// The source's one Parquet file, taken out to be read as columns, when that is all it
    /// has (a workspace's transactions come from one file).
    pub fn take_parquet(&mut self) -> Option<ParquetRows> {
        if !self.ready.is_empty() || self.streams.len() != 1 {
            return None;
        }
        match self.streams.pop() {
            Some(RowStream::Parquet(rows)) => Some(rows),
            Some(other) => {
                self.streams.push(other);
                None
            }
            None => None,
        }
    }
}

impl std::fmt::Debug for KindSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KindSource({}, ~{} rows)", self.kind, self.estimated)
    }
}

/// Splits rows into steps of `n`, last step first (so `pop` yields them in order).
fn into_steps(mut rows: Vec<SourceRow>, n: usize) -> Vec<Vec<SourceRow>> {
    let mut steps = Vec::with_capacity(rows.len() / n + 1);
    while rows.len() > n {
        let start = rows.len() - (rows.len() - 1) % n - 1;
        steps.push(rows.split_off(start));
    }
    if !rows.is_empty() {
        steps.push(rows);
    }
    steps
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

    pub fn push_stream(&mut self, kind: Kind, rows: impl Into<RowStream>) {
        self.streams.push((kind, rows.into()));
    }

    /// One source per kind in dependency order (referenced kinds first; every kind that had a
    /// row, even an unreadable one, is there), rows in steps of `n`, and the read errors.
    pub fn into_sources(self, n: usize) -> (Vec<KindSource>, Vec<super::RowError>) {
        let mut kinds: Vec<Kind> = self.rows.iter().map(|(k, _)| *k).collect();
        kinds.extend(self.unread.keys().copied());
        kinds.extend(self.streams.iter().map(|(k, _)| *k));
        kinds.sort();
        kinds.dedup();
        let mut rows = self.rows;
        let mut streams = self.streams;
        let sources = kinds
            .into_iter()
            .map(|kind| {
                let ready: Vec<SourceRow> = rows
                    .iter_mut()
                    .filter(|(k, _)| *k == kind)
                    .flat_map(|(_, r)| std::mem::take(r))
                    .collect();
                let mine: Vec<RowStream> = {
                    let (mine, rest): (Vec<_>, Vec<_>) = streams.drain(..).partition(|(k, _)| *k == kind);
                    streams = rest;
                    mine.into_iter().map(|(_, s)| s).collect()
                };
                let estimated = ready.len() as u64 + mine.iter().map(RowStream::estimated).sum::<u64>();
                KindSource { kind, ready: into_steps(ready, n), streams: mine, estimated }
            })
            .collect();
        (sources, self.errors)
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
