//! Backup and restore of a whole database as one portable file (JSON Lines), the same on
//! SQLite and PostgreSQL, so a copy from either restores into either.
//!
//! The file: a header line `{"format": "attain-backup/1", "created_at": …, "from": …}`; per
//! table a line `{"table": name, "columns": [...], "rows": n}` followed by its `n` rows as
//! JSON arrays of cells (text, integer or null); a closing line `{"end": true, "tables": k}`,
//! so a truncated file is refused. What it holds is `attain_store::BACKUP_TABLES`: every
//! record, users (password hashes) and API tokens (digests), plans, runs, statements and the
//! audit log with its head. Sessions and sign-in throttling are left out. The audit key is
//! not in the file: the restored log verifies only under the key it was written with.
//!
//! A restore is itself audited: a `backup.restore` entry, appended in the restore's own
//! transaction, continues the restored chain when this database's key is the one that signed
//! it. Under any other key the entry is left out: signed with a key that does not fit the log,
//! it would stay broken even after the right key is put in place.

use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

use attain_core::record::Value;
use attain_store::{BACKUP_TABLES, Store, TableColumn};
use serde::{Deserialize, Serialize};

use crate::access::secret::{now_text, same};
use crate::access::{Actor, Permission};
use crate::audit::{self, Change};
use crate::error::{AppError, AppResult};

pub const FORMAT: &str = "attain-backup/1";

/// What a backup or restore copied: rows per table, in the file's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copied {
    pub tables: Vec<(String, u64)>,
}

impl Copied {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// What a restore did: the rows it copied, and the audit entry that records it (none when the
/// restored log was signed with another audit key; see the module notes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub copied: Copied,
    pub audit_seq: Option<i64>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    created_at: String,
    from: String,
}

#[derive(Serialize, Deserialize)]
struct TableLine {
    table: String,
    columns: Vec<String>,
    rows: u64,
}

#[derive(Serialize, Deserialize)]
struct End {
    end: bool,
    tables: usize,
}

fn cell_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Text(t) => serde_json::Value::String(t.clone()),
    }
}

/// Writes every backed-up table to `path`, read in one snapshot of the database. The file
/// is written beside `path` and renamed into place, so a failed backup leaves no half file.
pub async fn backup(store: &Store, path: &Path) -> AppResult<Copied> {
    let fail = |e: std::io::Error| AppError::Internal(format!("cannot write {}: {e}", path.display()));
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    // Owner-only: the file holds password hashes, token digests and everyone's pay. A stale
    // partial file goes first, since the mode applies only to a file being created.
    let _ = std::fs::remove_file(&partial);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&partial).map_err(fail)?;
    let mut out = BufWriter::new(file);
    let mut copied = Copied::default();
    let written: AppResult<()> = async {
        let from = format!("{:?}", store.backend()).to_lowercase();
        let header = Header { format: FORMAT.into(), created_at: now_text(), from };
        writeln!(out, "{}", json(&header)?).map_err(fail)?;
        let mut tx = store.begin_snapshot().await?;
        for table in BACKUP_TABLES {
            let columns = store.table_columns(table).await?;
            let rows = store.read_table(&mut tx, table, &columns).await?;
            let names = columns.iter().map(|c| c.name.clone()).collect();
            writeln!(
                out,
                "{}",
                json(&TableLine { table: table.to_string(), columns: names, rows: rows.len() as u64 })?
            )
            .map_err(fail)?;
            for row in &rows {
                let cells: Vec<serde_json::Value> = row.iter().map(cell_json).collect();
                writeln!(out, "{}", serde_json::Value::Array(cells)).map_err(fail)?;
            }
            copied.tables.push((table.to_string(), rows.len() as u64));
        }
        tx.rollback().await.map_err(attain_store::StoreError::from)?;
        writeln!(out, "{}", json(&End { end: true, tables: BACKUP_TABLES.len() })?).map_err(fail)?;
        out.flush().map_err(fail)?;
        out.get_ref().sync_all().map_err(fail)?;
        Ok(())
    }
    .await;
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, path).map_err(fail)?;
    Ok(copied)
}

fn json(value: &impl Serialize) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))
}

/// Restores the backup at `path` into `store`, which must be empty (a fresh database), by
/// `actor`: one transaction, so a bad or truncated file leaves the database as it was. The
/// restore is recorded in the audit log when the database's key fits the restored log.
pub async fn restore(store: &Store, actor: &Actor, path: &Path) -> AppResult<Restored> {
    // It brings back every user and credential of the backup.
    actor.require(Permission::ManageUsers)?;
    let shown = path.display().to_string();
    let bad = |line: usize, why: String| AppError::invalid("backup", format!("{shown}: line {line}: {why}"));
    let file = std::fs::File::open(path)
        .map_err(|e| AppError::invalid("backup", format!("cannot read {shown}: {e}")))?;
    if !store.is_empty_for_restore().await? {
        return Err(AppError::Conflict(
            "the database is not empty; restore only into a new database (nothing was changed)".into(),
        ));
    }
    let mut lines = std::io::BufReader::new(file).lines().enumerate().map(|(i, l)| (i + 1, l));
    let mut next = |what: &str| -> AppResult<(usize, String)> {
        match lines.next() {
            Some((n, Ok(text))) => Ok((n, text)),
            Some((n, Err(e))) => Err(bad(n, e.to_string())),
            None => Err(AppError::invalid(
                "backup",
                format!("{shown}: the file ends before {what}: it is truncated"),
            )),
        }
    };
    let (n, text) = next("its header")?;
    let header: Header = serde_json::from_str(&text)
        .map_err(|_| bad(n, "not an Attain backup (attain backup writes them)".into()))?;
    if header.format != FORMAT {
        return Err(bad(n, format!("format '{}' is not {FORMAT}", header.format)));
    }
    let mut copied = Copied::default();
    let mut tx = store.begin_write().await?;
    for table in BACKUP_TABLES {
        let (n, text) = next(&format!("table {table}"))?;
        let line: TableLine =
            serde_json::from_str(&text).map_err(|e| bad(n, format!("expected table {table}: {e}")))?;
        if line.table != *table {
            return Err(bad(n, format!("expected table {table}, found '{}'", line.table)));
        }
        let columns: Vec<TableColumn> = store.table_columns(table).await?;
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        if line.columns != names {
            return Err(bad(
                n,
                format!(
                    "{table} has columns {} here but {} in the backup",
                    names.join(", "),
                    line.columns.join(", ")
                ),
            ));
        }
        let mut rows = Vec::new();
        for _ in 0..line.rows {
            let (n, text) = next(&format!("the rows of {table}"))?;
            rows.push(row_from(&text, &columns).map_err(|why| bad(n, format!("{table}: {why}")))?);
            if rows.len() == 10_000 {
                store.write_table(&mut tx, table, &columns, &rows).await?;
                rows.clear();
            }
        }
        store.write_table(&mut tx, table, &columns, &rows).await?;
        copied.tables.push((table.to_string(), line.rows));
    }
    let (n, text) = next("its end")?;
    match serde_json::from_str::<End>(&text) {
        Ok(End { end: true, tables }) if tables == BACKUP_TABLES.len() => {}
        _ => return Err(bad(n, "expected the end of the backup".into())),
    }
    let audit_seq = if key_fits(store, &mut tx).await? {
        let tables: serde_json::Map<String, serde_json::Value> =
            copied.tables.iter().map(|(table, rows)| (table.clone(), (*rows).into())).collect();
        let change = Change::new("backup.restore", "database", None).after(serde_json::json!({
            "file": shown,
            "backup_created_at": header.created_at,
            "backup_from": header.from,
            "rows": copied.rows(),
            "tables": tables,
        }));
        Some(audit::append(store, &mut tx, actor, change).await?)
    } else {
        None
    };
    tx.commit().await.map_err(attain_store::StoreError::from)?;
    Ok(Restored { copied, audit_seq })
}

/// Whether the restored log, as `tx` sees it, ends in an entry signed with this database's
/// audit key (or is empty), so that an entry appended under that key continues a chain that
/// verifies. The newest entry alone decides: a damaged older one is `audit verify`'s to report.
async fn key_fits(store: &Store, tx: &mut attain_store::Tx) -> AppResult<bool> {
    let (seq, head, newest) = store.audit_head_in(tx).await?;
    Ok(match newest {
        None => seq == 0,
        Some(row) => same(&row.hash, &head) && same(&audit::entry_hash(store.audit_key(), &row), &row.hash),
    })
}

fn row_from(text: &str, columns: &[TableColumn]) -> Result<Vec<Value>, String> {
    let cells: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|e| format!("not a row: {e}"))?;
    if cells.len() != columns.len() {
        return Err(format!("{} cells for {} columns", cells.len(), columns.len()));
    }
    cells
        .into_iter()
        .zip(columns)
        .map(|(cell, column)| match (cell, column.integer) {
            (serde_json::Value::Null, _) => Ok(Value::Null),
            (serde_json::Value::Number(n), true) => n
                .as_i64()
                .map(Value::Int)
                .ok_or_else(|| format!("{}: {n} is not a whole number", column.name)),
            (serde_json::Value::String(s), false) => Ok(Value::Text(s)),
            (other, _) => Err(format!(
                "{}: {other} is not a {}",
                column.name,
                if column.integer { "number" } else { "text" }
            )),
        })
        .collect()
}
