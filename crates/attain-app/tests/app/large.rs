//! Imports larger than one check-and-write step (50,000 rows): rows are written while later
//! ones are still being checked, so a bad row near the end must still leave nothing behind,
//! and a duplicate must be found across steps. A large load of a kind with foreign keys
//! (transactions) suspends and rebuilds the table's indexes, which PostgreSQL refused while
//! the deferred reference checks were pending.

use attain_app::ImportOptions;
use attain_core::Kind;
use attain_store::Store;
use attain_testkit::Db;

use crate::{counts, import_text, on_both, rejected, seed_base};

const ROWS: usize = 120_000;

fn people(bad_line: Option<(usize, &str)>) -> String {
    let mut text = String::from("id,name,hire_date\n");
    for i in 0..ROWS {
        // Line numbers count the header as line 1.
        let line = i + 2;
        match bad_line {
            Some((bad, row)) if bad == line => text.push_str(row),
            _ => text.push_str(&format!("p{i:06},Person {i},2016-01-01")),
        }
        text.push('\n');
    }
    text
}

async fn a_bad_row_after_written_steps_leaves_nothing(store: Store, _: Db) {
    let dir = tempfile::tempdir().unwrap();
    let before = counts(&store).await;
    let text = people(Some((ROWS + 1, "late,Late Row,2017-02-30")));
    let errors =
        rejected(import_text(&store, dir.path(), Kind::People, &text, ImportOptions::default()).await);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, ROWS as u64 + 1);
    assert_eq!(errors[0].column.as_deref(), Some("hire_date"));
    assert_eq!(counts(&store).await, before, "the steps written before the bad row are rolled back");
}

async fn a_duplicate_across_steps_is_found(store: Store, _: Db) {
    let dir = tempfile::tempdir().unwrap();
    let text = people(Some((ROWS, "p000000,Again,2016-01-01")));
    let errors =
        rejected(import_text(&store, dir.path(), Kind::People, &text, ImportOptions::default()).await);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, ROWS as u64);
    assert!(errors[0].reason.contains("line 2 has it already"), "{}", errors[0].reason);
    assert_eq!(store.count(Kind::People).await.unwrap(), 0);
}

async fn a_large_clean_import_is_written_whole_and_then_unchanged(store: Store, _: Db) {
    let dir = tempfile::tempdir().unwrap();
    let text = people(None);
    let first = import_text(&store, dir.path(), Kind::People, &text, ImportOptions::default()).await.unwrap();
    assert_eq!(first.written().inserted, ROWS as u64);
    assert_eq!(store.count(Kind::People).await.unwrap(), ROWS as u64);
    let again = import_text(&store, dir.path(), Kind::People, &text, ImportOptions::default()).await.unwrap();
    assert_eq!(again.written().unchanged, ROWS as u64);
    let skipping = people(Some((3, "p000001,Renamed,2016-01-01")));
    let changed =
        import_text(&store, dir.path(), Kind::People, &skipping, ImportOptions::SKIP_BAD).await.unwrap();
    assert_eq!((changed.written().updated, changed.written().unchanged), (1, ROWS as u64 - 1));
}

/// `rows` bookings referencing the base people, accounts and products, and every tenth row
/// after the first a return of the booking before it (a reference into the same table).
fn transactions(rows: usize, account: &str) -> String {
    let mut text = String::from("id,date,kind,account_id,product_id,currency,amount,original_id,owner_id\n");
    for i in 0..rows {
        let owner = if i % 2 == 0 { "ann-archer" } else { "bob-baker" };
        if i % 10 == 9 {
            let original = format!("t{:06}", i - 1);
            text.push_str(&format!(
                "t{i:06},2017-03-02,return,{account},widget,USD,-10.00,{original},{owner}\n"
            ));
        } else {
            text.push_str(&format!("t{i:06},2017-03-01,booking,{account},widget,USD,120.50,,{owner}\n"));
        }
    }
    text
}

async fn a_large_import_of_transactions_is_written_with_its_indexes(store: Store, _: Db) {
    seed_base(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let text = transactions(ROWS / 2, "acme-corp");
    let report =
        import_text(&store, dir.path(), Kind::Transactions, &text, ImportOptions::default()).await.unwrap();
    assert_eq!(report.written().inserted, ROWS as u64 / 2);
    assert_eq!(store.count(Kind::Transactions).await.unwrap(), ROWS as u64 / 2);
    let stored = store.dataset().await.unwrap();
    let returned = stored.transactions.iter().find(|t| t.id == "t000009").unwrap();
    assert_eq!(returned.original_id.as_deref(), Some("t000008"));
    assert_eq!(returned.amount.amount(), rust_decimal::Decimal::from(-10));
    // With --skip-bad the rows are written after the checks, through the same rebuild.
    let more = transactions(ROWS / 2, "globex").replace("\nt", "\nu").replace(",t0", ",u0");
    let skipping =
        import_text(&store, dir.path(), Kind::Transactions, &more, ImportOptions::SKIP_BAD).await.unwrap();
    assert_eq!(skipping.written().inserted, ROWS as u64 / 2);
    assert_eq!(store.count(Kind::Transactions).await.unwrap(), ROWS as u64);
}

async fn a_large_import_with_a_dangling_reference_is_reported_not_failed(store: Store, _: Db) {
    seed_base(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let mut text = transactions(ROWS / 2, "acme-corp");
    text.push_str("late,2017-03-01,booking,no-such-account,widget,USD,1.00,,ann-archer\n");
    let errors =
        rejected(import_text(&store, dir.path(), Kind::Transactions, &text, ImportOptions::default()).await);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, ROWS as u64 / 2 + 2);
    assert_eq!(errors[0].column.as_deref(), Some("account_id"));
    assert_eq!(errors[0].reason, "account 'no-such-account' does not exist");
    assert_eq!(store.count(Kind::Transactions).await.unwrap(), 0);
}

on_both!(
    a_large_import_of_transactions_is_written_with_its_indexes,
    a_large_import_with_a_dangling_reference_is_reported_not_failed,
    a_bad_row_after_written_steps_leaves_nothing,
    a_duplicate_across_steps_is_found,
    a_large_clean_import_is_written_whole_and_then_unchanged,
);
