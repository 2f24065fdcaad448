//! Reading the whole read model from the store: at start-up, after a restore, and when another
//! process wrote more than one change since the last look. The transactions stream in chunks
//! straight into the fact store's columns, so ten million of them never exist as records at
//! once.

use std::sync::Arc;

use attain_core::domain::Transaction;
use attain_core::record::{Record, key_of};
use attain_core::{Dataset, Kind};
use attain_facts::FactStore;
use attain_store::{Store, StoreError};

use super::Snapshot;
use crate::error::{AppError, AppResult};

/// Transactions read and pushed into the columns at a time.
const CHUNK: usize = 50_000;

impl Snapshot {
    pub async fn load(store: &Store) -> AppResult<Snapshot> {
        // The head is read first: a change landing during the read is then seen as newer and
        // causes one more refresh, never a missed one.
        let (audit_seq, _) = store.audit_head().await?;
        let mut data = Dataset::default();
        for kind in Kind::ALL.into_iter().filter(|k| *k != Kind::Transactions) {
            read_kind(store, &mut data, kind).await?;
        }
        data.sort();
        let facts = read_transactions(store, FactStore::with_reference_data(&data)).await?;
        Ok(Snapshot::from_parts(Arc::new(data), Arc::new(facts), audit_seq))
    }
}

/// Appends the stored records of `kind` to `data` (unsorted).
pub(super) async fn read_kind(store: &Store, data: &mut Dataset, kind: Kind) -> AppResult<()> {
    for row in store.rows(kind).await? {
        data.extend_from_rows(kind, std::slice::from_ref(&row)).map_err(|e| corrupt(kind, &row, e))?;
    }
    Ok(())
}

fn corrupt(kind: Kind, row: &[attain_core::record::Value], e: impl ToString) -> AppError {
    AppError::Store(StoreError::Corrupt {
        table: kind.spec().table,
        key: key_of(kind.spec(), row),
        reason: e.to_string(),
    })
}

/// Streams every stored transaction into `facts`, in key order, and links the reversals once
/// all are in (a return may sort before what it returns).
async fn read_transactions(store: &Store, mut facts: FactStore) -> AppResult<FactStore> {
    let mut pending = Vec::new();
    store
        .for_each_chunk(Kind::Transactions, CHUNK, |rows| -> AppResult<()> {
            let (columns, mut refs) = facts.columns_and_refs();
            columns.reserve(rows.len());
            for row in &rows {
                let t = Transaction::from_values(row).map_err(|e| corrupt(Kind::Transactions, row, e))?;
                if let Some(original) = &t.original_id {
                    pending.push((columns.len() as u32, original.clone()));
                }
                columns.push(t.borrowed(), &mut refs);
            }
            Ok(())
        })
        .await?;
    facts.transactions.link(&pending);
    facts.shrink_to_fit();
    Ok(facts)
}
