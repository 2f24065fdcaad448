//! Large loads with suspended indexes: 50,000 rows of a kind with foreign keys (transactions)
//! written with the indexes dropped, rebuilt in the same transaction and committed, on both
//! databases; a dangling reference in such a load still leaves nothing behind.

use attain_core::domain::Transaction;
use attain_core::record::Value;
use attain_core::{Kind, Record};
use attain_store::{Backend, Store};
use attain_testkit::Db;
use sqlx::Row;

use crate::contract::fixture;
use crate::on_both;

const ROWS: usize = 50_000;

fn bulk_rows(template: &Transaction, account: &str) -> Vec<Vec<Value>> {
    (0..ROWS)
        .map(|i| {
            let mut t = template.clone();
            t.id = format!("bulk-{i:06}");
            t.account_id = Some(account.to_string());
            t.to_values()
        })
        .collect()
}

async fn transaction_indexes(store: &Store) -> Vec<String> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'transactions' \
             AND sql IS NOT NULL ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT indexname::TEXT FROM pg_indexes WHERE tablename = 'transactions' \
             AND indexname NOT LIKE '%_pkey' ORDER BY indexname"
        }
    };
    let rows = sqlx::query(sql).fetch_all(store.pool()).await.unwrap();
    rows.iter().map(|r| r.get::<String, _>(0)).collect()
}

async fn a_50k_row_load_with_foreign_keys_commits_with_its_indexes(store: Store, _b: Db) {
    let data = fixture();
    store.save_dataset(&data).await.unwrap();
    let indexes = transaction_indexes(&store).await;
    assert_eq!(indexes.len(), 3, "{indexes:?}");
    let account = data.transactions[0].account_id.clone().unwrap();
    let rows = bulk_rows(&data.transactions[0], &account);

    let mut tx = store.begin().await.unwrap();
    let suspended = store.suspend_indexes(&mut tx, Kind::Transactions).await.unwrap();
    let count = store.upsert(&mut tx, Kind::Transactions, &rows).await.unwrap();
    store.restore_indexes(&mut tx, suspended).await.unwrap();
    // Later writes in the same transaction are still checked at commit only.
    let mut late = data.transactions[0].clone();
    late.id = "late".into();
    store.upsert(&mut tx, Kind::Transactions, &[late.to_values()]).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(count.inserted, ROWS as u64);
    assert_eq!(store.count(Kind::Transactions).await.unwrap(), ROWS as u64 + 3);
    assert_eq!(transaction_indexes(&store).await, indexes, "every index is rebuilt");
}

async fn a_dangling_reference_in_a_bulk_load_leaves_nothing(store: Store, _b: Db) {
    let data = fixture();
    store.save_dataset(&data).await.unwrap();
    let indexes = transaction_indexes(&store).await;
    let rows = bulk_rows(&data.transactions[0], "no-such-account");

    let mut tx = store.begin().await.unwrap();
    let suspended = store.suspend_indexes(&mut tx, Kind::Transactions).await.unwrap();
    store.upsert(&mut tx, Kind::Transactions, &rows).await.unwrap();
    // PostgreSQL checks the references when rebuilding, SQLite at commit; neither stores them.
    let outcome = match store.restore_indexes(&mut tx, suspended).await {
        Ok(()) => tx.commit().await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let error = outcome.expect_err("a load naming an unknown account must not be stored");
    assert!(error.to_lowercase().contains("foreign key"), "{error}");
    assert_eq!(store.count(Kind::Transactions).await.unwrap(), 2);
    assert_eq!(transaction_indexes(&store).await, indexes, "the dropped indexes come back on rollback");
}

on_both!(
    a_50k_row_load_with_foreign_keys_commits_with_its_indexes,
    a_dangling_reference_in_a_bulk_load_leaves_nothing
);
