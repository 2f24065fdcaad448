//! Bulk loading: inserting a large number of rows is several times faster when a table's
//! secondary indexes are dropped first and rebuilt afterwards (one sorted build instead of a
//! random b-tree insertion per row and index). Both databases make DDL transactional, so the
//! rebuild happens inside the import's transaction and a rolled-back import leaves the indexes
//! exactly as they were.
//!
//! The cost: on PostgreSQL the table is locked against readers until the import commits.
//! Callers therefore only suspend indexes when a load is large (see `worth_suspending`).
//!
//! PostgreSQL refuses `CREATE INDEX` on a table with pending trigger events, and every row
//! inserted into a table with foreign keys leaves one (the keys are `DEFERRABLE INITIALLY
//! DEFERRED`, checked at commit). The rebuild therefore runs the pending checks first (`SET
//! CONSTRAINTS ALL IMMEDIATE`), then defers them again: the same checks, only earlier, so a
//! dangling reference fails the rebuild instead of the commit. Callers check references
//! themselves before rebuilding, so that never happens for an import that reports well.

use attain_core::Kind;
use sqlx::{Any, Executor, Row};

use crate::Tx;
use crate::connect::{Backend, Store};
use crate::error::StoreResult;

/// Indexes taken off a table for a bulk load, to be rebuilt by [`Store::restore_indexes`].
#[derive(Debug)]
#[must_use = "suspended indexes must be restored before the transaction commits"]
pub struct SuspendedIndexes {
    definitions: Vec<(String, String)>,
}

/// Below this many new rows, maintaining indexes row by row is cheaper than a rebuild.
const BULK_ROWS: u64 = 50_000;

/// Whether inserting `new_rows` into a table already holding `existing` rows should suspend
/// its indexes: the load must be large, and not tiny next to what the rebuild re-sorts.
pub fn worth_suspending(new_rows: u64, existing: u64) -> bool {
    new_rows >= BULK_ROWS && new_rows * 4 >= existing
}

impl Store {
    /// Drops the secondary indexes of `kind`'s table inside `tx`, remembering how to rebuild them.
    pub async fn suspend_indexes(&self, tx: &mut Tx, kind: Kind) -> StoreResult<SuspendedIndexes> {
        let table = kind.spec().table;
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
            }
            Backend::Postgres => {
                "SELECT indexname::TEXT, indexdef::TEXT FROM pg_indexes \
                 WHERE tablename = $1 AND schemaname = current_schema() AND indexname NOT LIKE '%_pkey'"
            }
        };
        let rows = sqlx::query::<Any>(sql).bind(table).fetch_all(&mut **tx).await?;
        let mut definitions = Vec::with_capacity(rows.len());
        for row in rows {
            let (name, definition): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            (&mut **tx).execute(format!("DROP INDEX \"{name}\"").as_str()).await?;
            definitions.push((name, definition));
        }
        Ok(SuspendedIndexes { definitions })
    }

    /// Rebuilds indexes dropped by [`Store::suspend_indexes`], in the same transaction. On
    /// PostgreSQL the deferred foreign-key checks of rows written so far run here (see the
    /// module notes), so a dangling reference is an error from this call.
    pub async fn restore_indexes(&self, tx: &mut Tx, suspended: SuspendedIndexes) -> StoreResult<()> {
        if suspended.definitions.is_empty() {
            return Ok(());
        }
        let postgres = self.backend() == Backend::Postgres;
        if postgres {
            (&mut **tx).execute("SET CONSTRAINTS ALL IMMEDIATE").await?;
        }
        for (_, definition) in suspended.definitions {
            (&mut **tx).execute(definition.as_str()).await?;
        }
        if postgres {
            (&mut **tx).execute("SET CONSTRAINTS ALL DEFERRED").await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_large_loads_suspend_indexes() {
        assert!(!worth_suspending(10_000, 0));
        assert!(worth_suspending(1_000_000, 0));
        assert!(worth_suspending(100_000, 400_000));
        assert!(!worth_suspending(100_000, 400_001));
    }
}
