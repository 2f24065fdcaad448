//! What an import did, and what went wrong, in words a user can act on.

use std::fmt;

use attain_core::Kind;
use attain_store::{StoreError, UpsertCount};
use thiserror::Error;

/// A bad row: file, line (for a Parquet file, the row), the column as the user's file names
/// it, the value and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: String,
    pub line: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A Parquet file and a spreadsheet's sheet have rows, numbered from 1 (a sheet's as
        // the sheet numbers them), where a CSV file has lines.
        let sheet = self.file.rsplit_once(", sheet ").is_some_and(|(file, _)| super::is_xlsx(file));
        let unit = if self.file.ends_with(".parquet") || sheet { "row" } else { "line" };
        write!(f, "{}: {unit} {}", self.file, self.line)?;
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// The outcome for one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindReport {
    pub kind: Kind,
    pub rows: u64,
    pub written: UpsertCount,
    pub skipped: u64,
}

/// The outcome of an import: per kind counts, and the rows skipped with `--skip-bad`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub kinds: Vec<KindReport>,
    pub bad_rows: Vec<RowError>,
    /// What was written, for the read model to patch itself with; filled only when the
    /// import was asked to keep it ([`super::ImportOptions::keep_written`]).
    pub written: crate::snapshot::Written,
    /// For a preview: the first rows of each kind as the import read them (canonical
    /// columns, as text), each with its file and line.
    pub sample: Vec<SampleRow>,
}

/// One row of a preview's sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRow {
    pub kind: Kind,
    pub file: String,
    pub line: u64,
    pub cells: Vec<String>,
}

impl ImportReport {
    pub fn written(&self) -> UpsertCount {
        let mut total = UpsertCount::default();
        for k in &self.kinds {
            total.add(k.written);
        }
        total
    }

    pub fn count(&self, kind: Kind) -> Option<&KindReport> {
        self.kinds.iter().find(|k| k.kind == kind)
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for k in &self.kinds {
            write!(
                f,
                "{:<17} {:>9} rows: {} new, {} updated, {} unchanged",
                k.kind.name(),
                k.rows,
                k.written.inserted,
                k.written.updated,
                k.written.unchanged
            )?;
            if k.skipped > 0 {
                write!(f, ", {} skipped", k.skipped)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Why an import wrote nothing.
#[derive(Debug, Error)]
pub enum ImportError {
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error("{path}: the mapping is invalid: {reason}")]
    Mapping { path: String, reason: String },
    #[error("{} bad row{}; nothing was written (use --skip-bad to write the good rows)\n{}",
        .errors.len(), if .errors.len() == 1 { "" } else { "s" }, list(.errors))]
    Rejected { errors: Vec<RowError> },
    /// A one-record edit whose `If-Match` is not the stored record's version.
    #[error("the record changed since you read it (its ETag is now {current}); read it again")]
    Stale { current: String },
    /// A one-record edit whose `If-Match` names a version of a record that is not stored (it
    /// never was, or its id was mistyped): creating needs no `If-Match`.
    #[error(
        "no record has this id, so If-Match {tag} names no version of it; to create it, send no If-Match"
    )]
    NotStored { tag: String },
    /// A one-record edit of a stored record without `If-Match`.
    #[error("replacing an existing record needs If-Match: {current} (its ETag)")]
    VersionRequired { current: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The first errors, one per line; a file with 50,000 bad rows should not flood a terminal.
fn list(errors: &[RowError]) -> String {
    const SHOWN: usize = 20;
    let mut out: Vec<String> = errors.iter().take(SHOWN).map(|e| format!("  {e}")).collect();
    if errors.len() > SHOWN {
        out.push(format!("  … and {} more", errors.len() - SHOWN));
    }
    out.join("\n")
}
