//! Imports: every source (a canonical CSV, a CSV read through a column mapping, a sample
//! directory, a JSON export) is first turned into a [`Batch`] of text rows that remember their
//! file and line; [`apply`] then checks the whole batch and writes it in one transaction.

mod apply;
mod batch;
mod check;
mod columnar;
mod crm_sample;
mod csv_source;
mod known;
mod load;
pub mod mapping;
mod northwind;
mod overlap;
mod report;
mod rule_claims;
mod sources;
mod xlsx_source;

pub use apply::apply;
pub use batch::{Batch, Cells, Origin, RowStream, SourceRow};
pub use load::{Loaded, load_workspace};
pub use report::{ImportError, ImportReport, KindReport, RowError, SampleRow};
pub use sources::{
    DirMapping, import_csv_bytes, import_dir, import_file, import_json, import_reader, read_workspace,
    workspace_batch,
};
pub use xlsx_source::is_xlsx;

/// How an import treats bad rows, and whom the audit log names for it.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Write the good rows and report each bad one, instead of writing nothing.
    pub skip_bad: bool,
    /// Who imports, recorded in the audit log in the import's own transaction. `None` only
    /// for callers that audit the change themselves, or tests of the import alone.
    pub audit: Option<ImportAudit>,
    /// Keep the written transactions (as records) and changed kinds in the report, for the
    /// server's read model to patch itself with instead of reading everything again.
    pub keep_written: bool,
    /// Run every check and write inside the transaction, then roll it back: the report says
    /// what the import would do (and its bad rows, without refusing), and holds the first
    /// rows of each kind as they were read. Nothing is stored or audited.
    pub preview: bool,
}

impl ImportOptions {
    pub const SKIP_BAD: ImportOptions =
        ImportOptions { skip_bad: true, audit: None, keep_written: false, preview: false };

    pub fn by(
        actor: &crate::access::Actor,
        action: &'static str,
        source: impl Into<String>,
    ) -> ImportOptions {
        ImportOptions {
            skip_bad: false,
            audit: Some(ImportAudit {
                actor: actor.clone(),
                action,
                source: source.into(),
                record: None,
                change: None,
            }),
            keep_written: false,
            preview: false,
        }
    }

    pub fn skip_bad(mut self, skip_bad: bool) -> ImportOptions {
        self.skip_bad = skip_bad;
        self
    }

    /// See [`ImportOptions::preview`].
    pub fn previewing(mut self, preview: bool) -> ImportOptions {
        self.preview = preview;
        self
    }

    /// See [`ImportOptions::keep_written`].
    pub fn keeping_written(mut self) -> ImportOptions {
        self.keep_written = true;
        self
    }
}

/// The audit entry an import writes: `action` (`import.file`, `demo.seed`, ...) by `actor`,
/// naming the `source` (file or directory) and the counts written per kind.
#[derive(Debug, Clone)]
pub struct ImportAudit {
    pub actor: crate::access::Actor,
    pub action: &'static str,
    pub source: String,
    /// For a one-record edit: which record, and the version the editor read. The entry then
    /// holds the record before and after instead of counts (and none when nothing changed).
    pub record: Option<RecordAudit>,
    /// For a use-case writing several records at once (a quota sheet and its lines): the
    /// entry it describes itself with, instead of counts.
    pub change: Option<crate::audit::Change>,
}

/// A one-record edit. [`apply`] reads the stored record inside its own transaction, locked
/// against other writers until the edit commits, and refuses the edit unless `if_match`
/// (an [`etag`](crate::records::etag), or `*`) matches it: no cached copy decides.
#[derive(Debug, Clone)]
pub struct RecordAudit {
    pub kind: attain_core::Kind,
    pub id: String,
    /// The `If-Match` the editor sent; replacing a stored record needs one.
    pub if_match: Option<String>,
}
