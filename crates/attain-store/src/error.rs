//! The store's one error type.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open the database at {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("no database at {path} (check --db or ATTAIN_DATABASE_URL)")]
    NotFound { path: String },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The audit key could not be found, made or read (see `audit_key.rs`).
    #[error("{0}")]
    AuditKey(String),
    /// A backup that cannot be restored as it is (see `backup.rs`).
    #[error("{0}")]
    Backup(String),
    /// A stored row no longer satisfies the domain rules (edited by hand, or a bug).
    #[error("stored {table} row {key} is invalid: {reason}")]
    Corrupt { table: &'static str, key: String, reason: String },
}

pub type StoreResult<T> = Result<T, StoreError>;
