//! Exports are complete: a JSON export or a workspace directory imported into an empty
//! database reproduces the original exactly, on either backend and across backends.

use std::path::Path;

use attain_app::export::{export_json, export_workspace};
use attain_app::import::{DirMapping, import_dir, import_json};
use attain_app::seed::seed_demo;
use attain_app::{ImportError, ImportOptions, NoProgress};
use attain_core::{Dataset, Kind};
use attain_demo::DemoConfig;
use attain_store::Store;
use attain_testkit::{Db, TestDb, sample_data};
use jiff::civil::date;

use crate::{another, assert_same, on_both, write};

fn demo_config() -> DemoConfig {
    DemoConfig::new(date(2018, 1, 15))
}

async fn json_of(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    export_json(store, &mut out).await.unwrap();
    out
}

fn records(dataset: &Dataset) -> u64 {
    dataset.counts().iter().map(|(_, n)| *n as u64).sum()
}

/// Exports `store` as JSON into `dir/export.json` and returns the path.
async fn export_json_file(store: &Store, dir: &Path) -> std::path::PathBuf {
    let path = dir.join("export.json");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    export_json(store, &mut file).await.unwrap();
    std::io::Write::flush(&mut file).unwrap();
    path
}

/// A (`store`) → JSON → B and A → workspace → C; A, B and C hold the same data.
async fn round_trip(a: &Store, backend: Db, what: &str) {
    let original = a.dataset().await.unwrap();
    assert!(records(&original) > 0, "{what}: nothing to round-trip");
    let dir = tempfile::tempdir().unwrap();

    let json = export_json_file(a, dir.path()).await;
    let (_b_db, b) = another(backend).await;
    let report = import_json(&b, &json, ImportOptions::default(), &NoProgress).await.unwrap();
    assert_eq!(report.written().inserted, records(&original), "{what}: {report}");
    assert_same(&b.dataset().await.unwrap(), &original, &format!("{what} through JSON"));

    let workspace = dir.path().join("workspace");
    let counts = export_workspace(a, &workspace).await.unwrap();
    assert_eq!(counts, original.counts());
    for kind in Kind::ALL {
        assert!(workspace.join(kind.spec().file_name()).is_file(), "{kind} file missing");
    }
    let (_c_db, c) = another(backend).await;
    let report = import_dir(&c, &workspace, DirMapping::Workspace, ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    assert_eq!(report.written().inserted, records(&original), "{what}: {report}");
    assert_same(&c.dataset().await.unwrap(), &original, &format!("{what} through a workspace"));

    // The exports of the copies are the export of the original, byte for byte.
    let exported = json_of(a).await;
    assert_eq!(exported, std::fs::read(&json).unwrap());
    assert!(json_of(&b).await == exported, "{what}: B exports differently");
    assert!(json_of(&c).await == exported, "{what}: C exports differently");
    b.close().await;
    c.close().await;
}

async fn demo_round_trips(store: Store, backend: Db) {
    seed_demo(&store, &demo_config(), &NoProgress).await.unwrap();
    // The compensation inputs travel too: the demo has some of each.
    let seeded = store.dataset().await.unwrap();
    for kind in
        [Kind::Quotas, Kind::PlanAssignments, Kind::CreditSplits, Kind::Adjustments, Kind::ObjectiveScores]
    {
        assert!(seeded.len(kind) > 0, "the demo has no {kind}");
    }
    round_trip(&store, backend, "the demo").await;
}

async fn crm_sample_round_trips(store: Store, backend: Db) {
    let Some(sample) = sample_data("crm-sales-opportunities") else { return };
    import_dir(&store, &sample, DirMapping::CrmSample, ImportOptions::default(), &NoProgress).await.unwrap();
    round_trip(&store, backend, "the CRM sample").await;
}

async fn northwind_round_trips(store: Store, backend: Db) {
    let Some(sample) = sample_data("northwind") else { return };
    import_dir(&store, &sample, DirMapping::Northwind, ImportOptions::default(), &NoProgress).await.unwrap();
    round_trip(&store, backend, "Northwind").await;
}

/// An empty database exports templates: every file with its header and no rows.
async fn empty_database_exports_headers(store: Store, _: Db) {
    let dir = tempfile::tempdir().unwrap();
    let counts = export_workspace(&store, dir.path()).await.unwrap();
    assert!(counts.iter().all(|(_, n)| *n == 0));
    let people = std::fs::read_to_string(dir.path().join("people.csv")).unwrap();
    assert_eq!(people.trim_end(), "id,name,email,hire_date,termination_date,pay_currency");
    let json: serde_json::Value = serde_json::from_slice(&json_of(&store).await).unwrap();
    assert_eq!(json["people"], serde_json::json!([]));
}

async fn json_that_is_not_an_export_is_refused(store: Store, _: Db) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "export.json", "{\n  \"people\": [],\n  \"widgets\": []\n}\n");
    match import_json(&store, &path, ImportOptions::default(), &NoProgress).await {
        Err(ImportError::File { path: shown, reason }) => {
            assert_eq!(shown, path.display().to_string());
            assert!(reason.contains("line 3"), "{reason}");
            assert!(reason.contains("widgets"), "{reason}");
        }
        other => panic!("expected a file error, got {other:?}"),
    }
    assert!(store.dataset().await.unwrap().is_empty());
}

on_both!(
    demo_round_trips,
    crm_sample_round_trips,
    northwind_round_trips,
    empty_database_exports_headers,
    json_that_is_not_an_export_is_refused,
);

/// Data moves between backends unchanged: SQLite → PostgreSQL through JSON, and back to a fresh
/// SQLite through a workspace.
#[tokio::test]
async fn demo_moves_between_backends() {
    let Some(pg_db) = TestDb::new(Db::Postgres).await else { return };
    let sqlite_db = TestDb::new(Db::Sqlite).await.unwrap();
    let back_db = TestDb::new(Db::Sqlite).await.unwrap();
    let sqlite = Store::open(&sqlite_db.url).await.unwrap();
    let pg = Store::open(&pg_db.url).await.unwrap();
    let back = Store::open(&back_db.url).await.unwrap();

    seed_demo(&sqlite, &demo_config(), &NoProgress).await.unwrap();
    let original = sqlite.dataset().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let json = export_json_file(&sqlite, dir.path()).await;
    import_json(&pg, &json, ImportOptions::default(), &NoProgress).await.unwrap();
    assert_same(&pg.dataset().await.unwrap(), &original, "SQLite → PostgreSQL");

    let workspace = dir.path().join("from-postgres");
    export_workspace(&pg, &workspace).await.unwrap();
    import_dir(&back, &workspace, DirMapping::Workspace, ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    assert_same(&back.dataset().await.unwrap(), &original, "PostgreSQL → SQLite");
    assert!(json_of(&pg).await == json_of(&sqlite).await, "the backends export different JSON");

    for store in [sqlite, pg, back] {
        store.close().await;
    }
}
