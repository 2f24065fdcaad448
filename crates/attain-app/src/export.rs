//! Exports: the whole database as one JSON document, or as a workspace directory with one
//! canonical CSV per kind. Importing either into an empty database reproduces it exactly.

use std::io::Write;
use std::path::Path;

use attain_core::record::cells_to_text;
use attain_core::{Dataset, Kind};
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

/// Writes one `<kind>.csv` per kind into `dir` (created if missing), headers included even for
/// empty kinds so the files double as templates, and the stored plan files into `dir/plans/`.
/// Returns the record counts.
pub async fn export_workspace(store: &Store, dir: &Path) -> Result<Vec<(Kind, usize)>, ExportError> {
    std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
    let mut counts = Vec::new();
    for kind in Kind::ALL {
        let spec = kind.spec();
        let path = dir.join(spec.file_name());
        let rows = store.rows(kind).await?;
        let mut writer = csv::Writer::from_path(&path).map_err(|e| file_error(&path, e))?;
        writer.write_record(spec.columns.iter().map(|c| c.name)).map_err(|e| file_error(&path, e))?;
        for row in &rows {
            writer.write_record(cells_to_text(spec, row)).map_err(|e| file_error(&path, e))?;
        }
        writer.flush().map_err(|e| file_error(&path, e))?;
        counts.push((kind, rows.len()));
    }
    // The stored plans go to plans/, as the files they were imported from.
    let plans = store.plan_files().await?;
    if !plans.is_empty() {
        let plans_dir = dir.join("plans");
        std::fs::create_dir_all(&plans_dir).map_err(|e| file_error(&plans_dir, e))?;
        for f in &plans {
            let path = plans_dir.join(&f.name);
            std::fs::write(&path, &f.text).map_err(|e| file_error(&path, e))?;
        }
    }
    Ok(counts)
}
