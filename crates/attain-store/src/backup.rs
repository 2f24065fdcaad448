//! Whole-database copies for backup and restore: which tables a backup holds (in an order
//! that satisfies their foreign keys), their columns as the database declares them, and their
//! rows as plain cells (text, integer or null), so a copy taken from one backend restores into
//! either. The file format belongs to the app (`attain_app::backup`).

use attain_core::record::Value;
use sqlx::{Any, Executor, Row};

use crate::Tx;
use crate::connect::{Backend, Store};
use crate::error::{StoreError, StoreResult};
use crate::platform::{AUDIT_COLUMNS, AuditRow, audit};

/// The tables a backup holds, parents before children: every record kind, then users and API
/// tokens (password hashes and token digests, no secrets), plans, runs and statements, and the
/// audit log with its head.
pub const BACKUP_TABLES: &[&str] = &[
    "company",
    "people",
    "positions",
    "assignments",
    "territories",
    "territory_owners",
    "products",
    "accounts",
    "contacts",
    "opportunities",
    "stage_history",
    "activities",
    "transactions",
    "fx_rates",
    "quota_sheets",
    "quotas",
    "plan_assignments",
    "credit_splits",
    "adjustments",
    "objective_scores",
    "revenue_plans",
    "objectives",
    "territory_rules",
    "account_territories",
    "users",
    "api_tokens",
    "plan_files",
    "comp_runs",
    "comp_statements",
    "audit_log",
    "audit_head",
];

/// Tables a backup leaves out: sign-in sessions (a restored server signs everyone in again)
/// and the failed-sign-in counters (transient), plus the migration bookkeeping, which the
/// restoring database has of its own.
pub const NOT_BACKED_UP: &[&str] = &["sessions", "sign_in_throttle", "_sqlx_migrations"];

/// A column as the database declares it: its name and whether it holds integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableColumn {
    pub name: String,
    pub integer: bool,
}

fn known(table: &str) -> StoreResult<()> {
    if BACKUP_TABLES.contains(&table) {
        Ok(())
    } else {
        Err(StoreError::Backup(format!("'{table}' is not a table a backup holds")))
    }
}

impl Store {
    /// Every table in the database (for checking that each is either backed up or left out
    /// on purpose).
    pub async fn table_names(&self) -> StoreResult<Vec<String>> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT tablename::TEXT FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            }
        };
        let rows = sqlx::query::<Any>(sql).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>(0)?)).collect()
    }

    /// The columns of `table` in declaration order.
    pub async fn table_columns(&self, table: &str) -> StoreResult<Vec<TableColumn>> {
        known(table)?;
        let sql = match self.backend() {
            Backend::Sqlite => "SELECT name, type FROM pragma_table_info(?) ORDER BY cid",
            Backend::Postgres => {
                "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns \
                 WHERE table_name = $1 AND table_schema = current_schema() ORDER BY ordinal_position"
            }
        };
        let rows = sqlx::query::<Any>(sql).bind(table).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let (name, ty): (String, String) = (r.try_get(0)?, r.try_get(1)?);
                Ok(TableColumn { name, integer: ty.to_ascii_uppercase().contains("INT") })
            })
            .collect()
    }

    /// A read-only transaction that sees one moment of the database throughout, so a backup
    /// taken while a server runs is consistent across tables.
    pub async fn begin_snapshot(&self) -> StoreResult<Tx> {
        Ok(match self.backend() {
            Backend::Sqlite => self.pool.begin().await?,
            Backend::Postgres => {
                self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?
            }
        })
    }

    /// Every row of `table`, in the order of its columns, sorted by all of them (bytewise).
    pub async fn read_table(
        &self,
        tx: &mut Tx,
        table: &str,
        columns: &[TableColumn],
    ) -> StoreResult<Vec<Vec<Value>>> {
        known(table)?;
        let names: Vec<String> = columns.iter().map(|c| format!("\"{}\"", c.name)).collect();
        // Byte order on both backends (PostgreSQL would otherwise sort text by its locale), so
        // the same data makes the same file wherever it is stored.
        let postgres = self.backend() == Backend::Postgres;
        let order: Vec<String> = columns
            .iter()
            .zip(&names)
            .map(
                |(c, name)| {
                    if postgres && !c.integer { format!("{name} COLLATE \"C\"") } else { name.clone() }
                },
            )
            .collect();
        let sql = format!("SELECT {} FROM \"{table}\" ORDER BY {}", names.join(", "), order.join(", "));
        let rows = sqlx::query::<Any>(&sql).fetch_all(&mut **tx).await?;
        rows.iter()
            .map(|row| {
                columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        Ok(if c.integer {
                            row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::Int)
                        } else {
                            row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::Text)
                        })
                    })
                    .collect()
            })
            .collect()
    }

    /// Whether the database holds nothing a restore would overwrite: no rows in any backed-up
    /// table, and an audit head that has never moved.
    pub async fn is_empty_for_restore(&self) -> StoreResult<bool> {
        for table in BACKUP_TABLES.iter().filter(|t| **t != "audit_head") {
            let sql = format!("SELECT COUNT(*) FROM \"{table}\"");
            let n: i64 = sqlx::query_scalar::<Any, i64>(&sql).fetch_one(&self.pool).await?;
            if n > 0 {
                return Ok(false);
            }
        }
        Ok(self.audit_head().await?.0 == 0)
    }

    /// The audit head (sequence number and hash) and the entry it points at, as `tx` sees
    /// them: a restore checks, before it commits, whether the audit key in use signed the log
    /// it has just written.
    pub async fn audit_head_in(&self, tx: &mut Tx) -> StoreResult<(i64, String, Option<AuditRow>)> {
        let head =
            sqlx::query::<Any>("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut **tx).await?;
        let (seq, hash): (i64, String) = (head.try_get(0)?, head.try_get(1)?);
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq = $1");
        let entry = sqlx::query::<Any>(&sql).bind(seq).fetch_optional(&mut **tx).await?;
        Ok((seq, hash, entry.as_ref().map(audit).transpose()?))
    }

    /// Inserts `rows` into `table` inside `tx` (for a restore into an empty database). The
    /// audit head's single row, made by the migrations, is replaced.
    pub async fn write_table(
        &self,
        tx: &mut Tx,
        table: &str,
        columns: &[TableColumn],
        rows: &[Vec<Value>],
    ) -> StoreResult<()> {
        known(table)?;
        if table == "audit_head" {
            (&mut **tx).execute("DELETE FROM audit_head").await?;
        }
        if rows.is_empty() || columns.is_empty() {
            return Ok(());
        }
        let postgres = self.backend() == Backend::Postgres;
        let names: Vec<String> = columns.iter().map(|c| format!("\"{}\"", c.name)).collect();
        let per_statement = (4000 / columns.len()).max(1);
        for chunk in rows.chunks(per_statement) {
            let mut sql = format!("INSERT INTO \"{table}\" ({}) VALUES ", names.join(", "));
            let mut param = 0;
            for (r, row) in chunk.iter().enumerate() {
                if row.len() != columns.len() {
                    return Err(StoreError::Backup(format!(
                        "a row of {table} has {} cells for {} columns",
                        row.len(),
                        columns.len()
                    )));
                }
                sql.push_str(if r == 0 { "(" } else { ", (" });
                for c in 0..columns.len() {
                    param += 1;
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    if postgres {
                        sql.push_str(&format!("${param}"));
                    } else {
                        sql.push('?');
                    }
                }
                sql.push(')');
            }
            let mut query = sqlx::query::<Any>(&sql);
            for row in chunk {
                for (value, column) in row.iter().zip(columns) {
                    query = match value {
                        Value::Null if column.integer => query.bind(None::<i64>),
                        Value::Null => query.bind(None::<String>),
                        Value::Int(i) => query.bind(*i),
                        Value::Text(t) => query.bind(t.clone()),
                    };
                }
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }
}
