//! Generic reading and writing of records, by kind.

use std::collections::HashSet;

use attain_core::Dataset;
use attain_core::record::{Kind, RecordSpec, Value, key_of};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, query::Query};

use crate::connect::{Backend, Store};
use crate::error::{StoreError, StoreResult};
use crate::{Tx, sql};

/// What an upsert did: rows that were new, rows whose values changed, and rows already
/// stored exactly as given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertCount {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl UpsertCount {
    pub fn add(&mut self, other: UpsertCount) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }

    pub fn total(&self) -> u64 {
        self.inserted + self.updated + self.unchanged
    }
}

type AnyQuery<'q> = Query<'q, Any, sqlx::any::AnyArguments<'q>>;

fn bind_row<'q>(mut query: AnyQuery<'q>, spec: &RecordSpec, row: &'q [Value]) -> AnyQuery<'q> {
    for (column, value) in spec.columns.iter().zip(row) {
        // A NULL must carry its column's type: PostgreSQL refuses a text-typed NULL in a BIGINT.
        query = match (value, column.is_integer()) {
            (Value::Int(i), _) => query.bind(*i),
            (Value::Text(s), _) => query.bind(s.as_str()),
            (Value::Null, true) => query.bind(None::<i64>),
            (Value::Null, false) => query.bind(None::<String>),
        };
    }
    query
}

fn build_query<'q, R: AsRef<[Value]>>(sql: &'q str, spec: &RecordSpec, chunk: &'q [R]) -> AnyQuery<'q> {
    let mut query = sqlx::query::<Any>(sql);
    for row in chunk {
        query = bind_row(query, spec, row.as_ref());
    }
    query
}

fn read_row(spec: &RecordSpec, row: &AnyRow) -> StoreResult<Vec<Value>> {
    let mut values = Vec::with_capacity(spec.columns.len());
    for (i, column) in spec.columns.iter().enumerate() {
        let value = if column.is_integer() {
            row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::Int)
        } else {
            row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::Text)
        };
        values.push(value);
    }
    Ok(values)
}

impl Store {
    /// Inserts or updates rows of one kind inside `tx`, counting what changed. The caller
    /// guarantees the rows are valid records with distinct keys (importers check this first, to
    /// report every problem at once).
    pub async fn upsert(&self, tx: &mut Tx, kind: Kind, rows: &[Vec<Value>]) -> StoreResult<UpsertCount> {
        let spec = kind.spec();
        let before = count_in(tx, spec).await?;
        let affected = self.upsert_rows(tx, kind, rows).await?;
        let after = count_in(tx, spec).await?;
        let inserted = (after - before) as u64;
        let updated = affected.saturating_sub(inserted);
        Ok(UpsertCount { inserted, updated, unchanged: rows.len() as u64 - inserted - updated })
    }

    /// Like [`Store::upsert`] but returns only how many rows were inserted or changed, for
    /// callers that already know which keys exist (counting a large table is not free).
    pub async fn upsert_rows<R: AsRef<[Value]> + Sync>(
        &self,
        tx: &mut Tx,
        kind: Kind,
        rows: &[R],
    ) -> StoreResult<u64> {
        let spec = kind.spec();
        let postgres = self.backend() == Backend::Postgres;
        let batch = sql::rows_per_batch(spec);
        let full_sql = sql::upsert(spec, batch, postgres);
        let mut affected = 0;
        for chunk in rows.chunks(batch) {
            let short_sql;
            let text = if chunk.len() == batch {
                &full_sql
            } else {
                short_sql = sql::upsert(spec, chunk.len(), postgres);
                &short_sql
            };
            affected += build_query(text, spec, chunk).execute(&mut **tx).await?.rows_affected();
        }
        Ok(affected)
    }

    /// Inserts the rows whose keys are not stored and leaves the others as they are; returns
    /// how many were inserted. A key that another transaction is inserting at the same moment
    /// makes PostgreSQL wait for that transaction: committed, the row is left alone (and not
    /// counted); rolled back, it is inserted. So fewer rows than given means someone else's
    /// row with the same key exists now, even one this transaction could not see when it
    /// looked ([`Store::lock_record`]). SQLite runs one writer at a time, so there the rows
    /// counted are exactly those whose key the transaction saw missing.
    pub async fn insert_new_rows<R: AsRef<[Value]> + Sync>(
        &self,
        tx: &mut Tx,
        kind: Kind,
        rows: &[R],
    ) -> StoreResult<u64> {
        let spec = kind.spec();
        let postgres = self.backend() == Backend::Postgres;
        let mut inserted = 0;
        for chunk in rows.chunks(sql::rows_per_batch(spec)) {
            let text = sql::insert_new(spec, chunk.len(), postgres);
            inserted += build_query(&text, spec, chunk).execute(&mut **tx).await?.rows_affected();
        }
        Ok(inserted)
    }

    /// Every row of one kind, ordered by key.
    pub async fn rows(&self, kind: Kind) -> StoreResult<Vec<Vec<Value>>> {
        let spec = kind.spec();
        let fetched = sqlx::query::<Any>(&sql::select_all(spec)).fetch_all(&self.pool).await?;
        fetched.iter().map(|r| read_row(spec, r)).collect()
    }

    /// Every row of one kind in key order, handed to `each` `chunk` rows at a time and never
    /// all held at once: the read model loads ten million transactions this way in the memory
    /// of one chunk of rows plus what it keeps of them.
    pub async fn for_each_chunk<E: From<StoreError>>(
        &self,
        kind: Kind,
        chunk: usize,
        mut each: impl FnMut(Vec<Vec<Value>>) -> Result<(), E>,
    ) -> Result<(), E> {
        use futures_util::TryStreamExt;
        let spec = kind.spec();
        let text = sql::select_all(spec);
        let mut stream = sqlx::query::<Any>(&text).fetch(&self.pool);
        let mut rows = Vec::with_capacity(chunk);
        while let Some(row) = stream.try_next().await.map_err(StoreError::from)? {
            rows.push(read_row(spec, &row)?);
            if rows.len() >= chunk {
                each(std::mem::replace(&mut rows, Vec::with_capacity(chunk)))?;
            }
        }
        if !rows.is_empty() {
            each(rows)?;
        }
        Ok(())
    }

    /// The rows of `kind` with `id` as the transaction `tx` sees them, locked against other
    /// writers until it ends: `FOR UPDATE` on PostgreSQL; on SQLite the transaction must have
    /// been opened with [`Store::begin_write`], which already excludes every other writer.
    /// For version checks that must hold until the write commits (a read through the pool, or
    /// of a cached copy, could be overtaken by another process's write).
    pub async fn lock_record(&self, tx: &mut Tx, kind: Kind, id: &str) -> StoreResult<Vec<Vec<Value>>> {
        let spec = kind.spec();
        let postgres = self.backend() == Backend::Postgres;
        let fetched =
            sqlx::query::<Any>(&sql::select_one(spec, postgres)).bind(id).fetch_all(&mut **tx).await?;
        fetched.iter().map(|r| read_row(spec, r)).collect()
    }

    /// The distinct ids of one kind (for a versioned kind, each id once), for reference checks.
    pub async fn ids(&self, kind: Kind) -> StoreResult<HashSet<String>> {
        let spec = kind.spec();
        let rows = sqlx::query::<Any>(&sql::select_ids(spec)).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>(0)?)).collect()
    }

    /// The full keys of one kind (see `Record::key`), for telling updates from inserts.
    pub async fn keys(&self, kind: Kind) -> StoreResult<HashSet<String>> {
        let spec = kind.spec();
        let rows = sqlx::query::<Any>(&sql::select_keys(spec)).fetch_all(&self.pool).await?;
        let mut keys = HashSet::with_capacity(rows.len());
        for row in rows {
            let mut key = String::new();
            for i in 0..spec.key.len() {
                if i > 0 {
                    key.push('\t');
                }
                key.push_str(&row.try_get::<String, _>(i)?);
            }
            keys.insert(key);
        }
        Ok(keys)
    }

    pub async fn count(&self, kind: Kind) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar::<Any, i64>(&sql::count(kind.spec())).fetch_one(&self.pool).await?;
        Ok(n as u64)
    }

    /// Everything in the database, every list sorted by key.
    pub async fn dataset(&self) -> StoreResult<Dataset> {
        let mut dataset = Dataset::default();
        for kind in Kind::ALL {
            for row in self.rows(kind).await? {
                dataset.extend_from_rows(kind, std::slice::from_ref(&row)).map_err(|e| {
                    StoreError::Corrupt {
                        table: kind.spec().table,
                        key: key_of(kind.spec(), &row),
                        reason: e.to_string(),
                    }
                })?;
            }
        }
        dataset.sort();
        Ok(dataset)
    }

    /// Writes a whole dataset in one transaction, counting what changed per kind. Imports go
    /// through the app layer's checks instead; this is the store's own bulk write, for tests
    /// and tools that already hold valid records.
    pub async fn save_dataset(&self, dataset: &Dataset) -> StoreResult<Vec<(Kind, UpsertCount)>> {
        let mut tx = self.begin().await?;
        let mut counts = Vec::new();
        for kind in Kind::ALL {
            counts.push((kind, self.upsert(&mut tx, kind, &dataset.rows(kind)).await?));
        }
        tx.commit().await?;
        Ok(counts)
    }
}

async fn count_in(tx: &mut Tx, spec: &RecordSpec) -> StoreResult<i64> {
    Ok(sqlx::query_scalar::<Any, i64>(&sql::count(spec)).fetch_one(&mut **tx).await?)
}
