//! Imports: every source (a canonical CSV, a CSV read through a column mapping, a sample
//! directory, a JSON export) is first turned into a [`Batch`] of text rows that remember their
//! file and line; [`apply`] then checks the whole batch and writes it in one transaction.

mod apply;
mod batch;
mod crm_sample;
mod csv_source;
pub mod mapping;
mod northwind;
mod overlap;
mod report;
mod sources;

pub use apply::apply;
pub use batch::{Batch, Origin, SourceRow};
pub use report::{ImportError, ImportReport, KindReport, RowError};
pub use sources::{
    DirMapping, import_csv_bytes, import_dir, import_file, import_json, read_workspace, workspace_batch,
};

/// How an import treats bad rows.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Write the good rows and report each bad one, instead of writing nothing.
    pub skip_bad: bool,
}
