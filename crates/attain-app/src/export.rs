//! Exports: the whole database as one JSON document, or as a workspace directory with one
//! canonical CSV per kind. Importing either into an empty database reproduces it exactly.

use std::io::Write;
use std::path::Path;

use attain_core::record::cells_to_text;
use attain_core::{Dataset, Kind, Value};
use attain_store::{Store, StoreError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> ExportError {
    ExportError::File { path: path.display().to_string(), reason: e.to_string() }
}

/// Writes every record as pretty-printed JSON (see [`Dataset`] for the shape).
pub async fn export_json(store: &Store, out: &mut dyn Write) -> Result<Dataset, ExportError> {
    let dataset = store.dataset().await?;
    serde_json::to_writer_pretty(&mut *out, &dataset)
        .map_err(|e| ExportError::File { path: "output".into(), reason: e.to_string() })?;
    writeln!(out).map_err(|e| ExportError::File { path: "output".into(), reason: e.to_string() })?;
    Ok(dataset)
}

/// One kind's canonical CSV file (`<kind>.csv`) being written: the header, then rows of cells
/// in the spec's column order. The one writer of workspace CSV files: the export and the
/// generator (`crate::generate`) both write through it, so their files cannot drift apart.
pub struct KindCsv {
    kind: Kind,
    path: std::path::PathBuf,
    writer: csv::Writer<std::fs::File>,
}

impl std::fmt::Debug for KindCsv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KindCsv({})", self.path.display())
    }
}

impl KindCsv {
    /// Creates `dir/<kind>.csv` with its header row.
    pub fn create(dir: &Path, kind: Kind) -> Result<KindCsv, ExportError> {
        let spec = kind.spec();
        let path = dir.join(spec.file_name());
        let mut writer = csv::Writer::from_path(&path).map_err(|e| file_error(&path, e))?;
        writer.write_record(spec.columns.iter().map(|c| c.name)).map_err(|e| file_error(&path, e))?;
        Ok(KindCsv { kind, path, writer })
    }

    /// Writes one row of cells (as `Record::to_values` or the store give them).
    pub fn write(&mut self, row: &[Value]) -> Result<(), ExportError> {
        self.writer.write_record(cells_to_text(self.kind.spec(), row)).map_err(|e| file_error(&self.path, e))
    }

    pub fn finish(mut self) -> Result<(), ExportError> {
        self.writer.flush().map_err(|e| file_error(&self.path, e))
    }
}

/// Writes plan files, as `(file name, text)`, into `dir/plans/` (created if missing).
pub fn write_plan_files<'a>(
    dir: &Path,
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), ExportError> {
    let plans_dir = dir.join("plans");
    std::fs::create_dir_all(&plans_dir).map_err(|e| file_error(&plans_dir, e))?;
    for (name, text) in files {
        let path = plans_dir.join(name);
        std::fs::write(&path, text).map_err(|e| file_error(&path, e))?;
    }
    Ok(())
}

/// Writes one `<kind>.csv` per kind into `dir` (created if missing), headers included even for
/// empty kinds so the files double as templates, and the stored plan files into `dir/plans/`.
/// Returns the record counts.
pub async fn export_workspace(store: &Store, dir: &Path) -> Result<Vec<(Kind, usize)>, ExportError> {
    std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
    let mut counts = Vec::new();
    for kind in Kind::ALL {
        let rows = store.rows(kind).await?;
        let mut file = KindCsv::create(dir, kind)?;
        for row in &rows {
            file.write(row)?;
        }
        file.finish()?;
        counts.push((kind, rows.len()));
    }
    // The stored plans go to plans/, as the files they were imported from.
    let plans = store.plan_files().await?;
    if !plans.is_empty() {
        write_plan_files(dir, plans.iter().map(|f| (f.name.as_str(), f.text.as_str())))?;
    }
    Ok(counts)
}
