//! Seeding the demo company: deterministic, exactly what the generator produced, and only
//! ever into an empty database.

use attain_app::seed::seed_demo;
use attain_app::{ImportError, ImportOptions, NoProgress};
use attain_core::Kind;
use attain_demo::{DemoConfig, generate};
use attain_store::Store;
use attain_testkit::Db;
use jiff::civil::date;

use crate::{ACCOUNTS, PEOPLE, another, assert_same, counts, import_text, on_both};

fn config() -> DemoConfig {
    DemoConfig::new(date(2018, 1, 15))
}

async fn seeding_is_deterministic(store: Store, backend: Db) {
    let report = seed_demo(&store, &config(), &NoProgress).await.unwrap();
    assert!(report.bad_rows.is_empty());
    let first = store.dataset().await.unwrap();
    assert!(first.people.len() > 10 && first.opportunities.len() > 100, "{:?}", first.counts());
    assert_eq!(report.written().inserted as usize, first.counts().iter().map(|(_, n)| n).sum::<usize>());

    let (_db, second) = another(backend).await;
    seed_demo(&second, &config(), &NoProgress).await.unwrap();
    assert_same(&second.dataset().await.unwrap(), &first, "two seedings of one config");
    second.close().await;

    // What is stored is exactly what the generator made.
    let mut generated = generate(&config());
    generated.sort();
    assert_same(&first, &generated, "stored vs generated");
}

async fn expect_refused(store: &Store) {
    let before = (store.dataset().await.unwrap(), counts(store).await);
    match seed_demo(store, &config(), &NoProgress).await {
        Err(ImportError::File { reason, .. }) => {
            assert!(reason.contains("empty database"), "{reason}");
        }
        Err(other) => panic!("expected a refusal, got {other}"),
        Ok(report) => panic!("the demo was seeded into a non-empty database:\n{report}"),
    }
    let after = (store.dataset().await.unwrap(), counts(store).await);
    assert_eq!(after.1, before.1);
    assert!(after.0 == before.0, "a refused seeding changed the data");
}

async fn seeding_a_non_empty_database_is_refused(store: Store, _: Db) {
    let dir = tempfile::tempdir().unwrap();
    // Accounts but nobody yet: still somebody's data.
    import_text(&store, dir.path(), Kind::Accounts, ACCOUNTS, ImportOptions::default()).await.unwrap();
    expect_refused(&store).await;
    import_text(&store, dir.path(), Kind::People, PEOPLE, ImportOptions::default()).await.unwrap();
    expect_refused(&store).await;
}

async fn seeding_twice_is_refused(store: Store, _: Db) {
    seed_demo(&store, &config(), &NoProgress).await.unwrap();
    expect_refused(&store).await;
}

on_both!(seeding_is_deterministic, seeding_a_non_empty_database_is_refused, seeding_twice_is_refused);
