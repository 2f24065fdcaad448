//! Imports larger than one check-and-write step (50,000 rows): rows are written while later
//! ones are still being checked, so a bad row near the end must still leave nothing behind,
//! and a duplicate must be found across steps.

use attain_app::ImportOptions;
use attain_core::Kind;
use attain_store::Store;
use attain_testkit::Db;

use crate::{counts, import_text, on_both, rejected};

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

on_both!(
    a_bad_row_after_written_steps_leaves_nothing,
    a_duplicate_across_steps_is_found,
    a_large_clean_import_is_written_whole_and_then_unchanged,
);
