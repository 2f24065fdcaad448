//! Writes a generated company (`attain_demo::scaled`) as a workspace directory: the same CSV
//! files, column order and cell format as `attain export --workspace` (through the export's
//! own writer), `plans/` beside them, and the transactions streamed chunk by chunk — as
//! `transactions.csv`, or as `transactions.parquet` for the peers that read Parquet. Chunks
//! are made in parallel while the previous ones are written, and never all held at once.

pub mod parquet;

use std::path::Path;
use std::sync::mpsc::sync_channel;

use attain_core::domain::Transaction;
use attain_core::{Kind, Record};
use attain_demo::scaled::ScaledCompany;
use rayon::prelude::*;
use thiserror::Error;

use crate::export::{ExportError, KindCsv, write_plan_files};
use crate::progress::Progress;

/// How the transactions are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionsFormat {
    Csv,
    Parquet,
}

#[derive(Debug, Error)]
pub enum GenerateError {
    #[error("{path}: {reason}")]
    Directory { path: String, reason: String },
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error("{0}")]
    Parquet(String),
}

/// Refuses a directory that holds anything (a generated workspace must not mix with other
/// files, and nothing is overwritten); creates it when missing.
fn prepare(dir: &Path) -> Result<(), GenerateError> {
    let fail = |reason: String| GenerateError::Directory { path: dir.display().to_string(), reason };
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| fail(format!("cannot list: {e}")))?;
        if entries.next().is_some() {
            return Err(fail("is not empty: generate into a new or empty directory".into()));
        }
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(format!("cannot create: {e}")))
}

/// Writes `company` into `dir` (new or empty) and returns the record count per kind, in
/// dependency order.
pub fn write_workspace(
    company: &ScaledCompany,
    dir: &Path,
    format: TransactionsFormat,
    progress: &dyn Progress,
) -> Result<Vec<(Kind, u64)>, GenerateError> {
    prepare(dir)?;
    let mut counts = Vec::new();
    for kind in Kind::ALL {
        if kind == Kind::Transactions {
            counts.push((kind, write_transactions(company, dir, format, progress)?));
            continue;
        }
        let rows = company.dataset.rows(kind);
        let mut file = KindCsv::create(dir, kind)?;
        for row in &rows {
            file.write(row)?;
        }
        file.finish()?;
        counts.push((kind, rows.len() as u64));
    }
    write_plan_files(dir, company.plan_files.iter().map(|(n, t)| (n.as_str(), t.as_str())))?;
    Ok(counts)
}

fn write_transactions(
    company: &ScaledCompany,
    dir: &Path,
    format: TransactionsFormat,
    progress: &dyn Progress,
) -> Result<u64, GenerateError> {
    progress.start("transactions", company.config.transactions);
    let written = match format {
        TransactionsFormat::Csv => {
            let mut file = KindCsv::create(dir, Kind::Transactions)?;
            let n = each_chunk(company, |rows| {
                for t in rows {
                    file.write(&t.to_values())?;
                }
                progress.advance(rows.len() as u64);
                Ok(())
            })?;
            file.finish()?;
            n
        }
        TransactionsFormat::Parquet => {
            let path = dir.join(parquet::PARQUET_FILE);
            let mut file =
                parquet::ParquetFile::create(&path, Kind::Transactions).map_err(GenerateError::Parquet)?;
            let n = each_chunk(company, |rows| {
                let values: Vec<_> = rows.iter().map(Record::to_values).collect();
                file.write(&values).map_err(GenerateError::Parquet)?;
                progress.advance(rows.len() as u64);
                Ok(())
            })?;
            file.finish().map_err(GenerateError::Parquet)?;
            n
        }
    };
    progress.finish();
    Ok(written)
}

/// Hands every chunk of transactions to `write`, in order, and returns how many rows there
/// were. A producer thread makes the chunks in waves of one per pool thread, in parallel, a
/// couple of waves ahead of the writer at most, so memory stays bounded at any size.
fn each_chunk(
    company: &ScaledCompany,
    mut write: impl FnMut(&[Transaction]) -> Result<(), GenerateError>,
) -> Result<u64, GenerateError> {
    let chunks = company.chunks();
    let wave = rayon::current_num_threads().max(1) as u64;
    std::thread::scope(|scope| {
        let (sender, receiver) = sync_channel::<Vec<Transaction>>(wave as usize);
        scope.spawn(move || {
            let mut next = 0;
            while next < chunks {
                let end = (next + wave).min(chunks);
                let made: Vec<Vec<Transaction>> =
                    (next..end).into_par_iter().map(|chunk| company.transactions(chunk)).collect();
                for rows in made {
                    // The writer stopped (an error): stop making chunks.
                    if sender.send(rows).is_err() {
                        return;
                    }
                }
                next = end;
            }
        });
        let mut total = 0;
        for rows in receiver {
            write(&rows)?;
            total += rows.len() as u64;
        }
        Ok(total)
    })
}
