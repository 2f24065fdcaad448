//! Persistence for Attain: one sqlx code path over embedded SQLite and PostgreSQL.
//!
//! Every kind of record is read and written through the same generic functions, driven by
//! attain-core's [`RecordSpec`](attain_core::record::RecordSpec)s, so the SQL for both databases
//! is one set of strings (see `sql.rs`) and a new column needs no new query.

mod audit_key;
mod backup;
mod bulk;
mod comp;
mod connect;
mod error;
mod platform;
mod records;
mod sql;

pub use audit_key::AuditKey;
pub use backup::{BACKUP_TABLES, NOT_BACKED_UP, TableColumn};
pub use bulk::{SuspendedIndexes, worth_suspending};
pub use comp::{PlanFileRow, RunRow, StatementRow};
pub use connect::{Backend, Store, normalise_url};
pub use error::{StoreError, StoreResult};
pub use platform::{AuditFilter, AuditRow, SessionRow, ThrottleRow, TokenRow, UserRow};
pub use records::UpsertCount;

/// A database transaction; every write happens inside one.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;
