//! Backup and restore: the demo company with its users, token, closed pay runs and audit log,
//! backed up and restored into a fresh database, comes back table for table, and its audit
//! log verifies with the restore recorded at its end; restore refuses a database that is not
//! empty and a damaged file.

use attain_app::seed::{seed_demo, seed_demo_pay, seed_demo_users};
use attain_app::{Actor, App, AppError, NoProgress, Role, Settings, audit, backup};
use attain_demo::DemoConfig;
use attain_store::{BACKUP_TABLES, NOT_BACKED_UP, Store};
use attain_testkit::Db;
use jiff::civil::date;

use crate::platform::assert_err;
use crate::{another, on_both};

async fn demo_with_history(store: &Store) -> App {
    let as_of = date(2018, 1, 15);
    seed_demo(store, &DemoConfig::new(as_of), &NoProgress).await.unwrap();
    let app = App::new(store.clone(), Settings::default()).await.unwrap();
    let logins = seed_demo_users(&app, as_of).await.unwrap();
    let pay = seed_demo_pay(&app, as_of).await.unwrap();
    assert_eq!(pay.closed.len(), 24);
    // A session (left out of backups) and a token (kept, as its digest).
    let admin = logins.iter().find(|l| l.role == Role::Admin).unwrap();
    let signed = app.sign_in(&admin.login, &admin.password, None).await.unwrap();
    app.create_token(&signed.actor, "nightly export").await.unwrap();
    app
}

/// Every backed-up table's rows but the audit log's, as a backup of `store` writes them.
async fn contents(store: &Store, dir: &std::path::Path, name: &str) -> String {
    let path = dir.join(name);
    backup::backup(store, &path).await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    // The header names the moment and the backend; everything after it is the data, the audit
    // log last (compared entry by entry, since a restore adds one).
    let data = text.split_once('\n').unwrap().1;
    data[..data.find("{\"table\":\"audit_log\"").unwrap()].to_string()
}

async fn a_backup_restores_everything_into_a_fresh_database(store: Store, backend: Db) {
    demo_with_history(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("attain.backup");
    let copied = backup::backup(&store, &file).await.unwrap();
    let count = |table: &str| copied.tables.iter().find(|(t, _)| t == table).unwrap().1;
    assert!(count("transactions") > 1000 && count("comp_statements") > 0 && count("comp_runs") >= 25);
    assert_eq!((count("users"), count("api_tokens"), count("audit_head")), (6, 1, 1));
    assert_eq!(count("audit_log"), store.audit_head().await.unwrap().0 as u64);
    #[cfg(unix)]
    {
        // Password hashes and everyone's pay: readable by its owner only.
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // The restoring installation uses the same audit key (it is not in the file).
    let (_db, fresh) = another(backend).await;
    let fresh = fresh.with_audit_key(store.audit_key().clone());
    let restored = backup::restore(&fresh, &Actor::cli(), &file).await.unwrap();
    assert_eq!(restored.copied, copied);
    assert_eq!(
        contents(&fresh, dir.path(), "again").await,
        contents(&store, dir.path(), "original").await,
        "every table equal"
    );
    // The audit log comes back entry for entry, followed by the restore's own entry.
    let (head, _) = store.audit_head().await.unwrap();
    assert_eq!(restored.audit_seq, Some(head + 1));
    let original = store.audit_after(0, i64::MAX).await.unwrap();
    let entries = fresh.audit_after(0, i64::MAX).await.unwrap();
    assert_eq!(entries[..original.len()], original[..]);
    let last = entries.last().unwrap();
    assert_eq!((last.seq, last.action.as_str(), last.via.as_str()), (head + 1, "backup.restore", "cli"));
    let after: serde_json::Value = serde_json::from_str(last.after_json.as_deref().unwrap()).unwrap();
    assert_eq!(after["file"], file.display().to_string());
    assert_eq!(after["rows"], copied.rows());
    assert_eq!(after["tables"]["transactions"], count("transactions"));
    let verification = audit::verify(&fresh).await.unwrap();
    assert!(verification.intact(), "{verification:?}");
    assert_eq!(verification.entries, head as u64 + 1);
    // The restored database works: the app loads it and its closed runs.
    let app = App::new(fresh.clone(), Settings::default()).await.unwrap();
    assert_eq!(app.snapshot().count(attain_core::Kind::Transactions) as u64, count("transactions"));

    // Once restored, the database is not empty: a second restore changes nothing.
    assert_err!(
        backup::restore(&fresh, &Actor::cli(), &file).await,
        AppError::Conflict(m) if m.contains("not empty")
    );

    // Under another key the data comes back, but no entry is signed with a key that does not
    // fit the log (it would stay broken once the right key is in place): the restored log is
    // the backup's, and verifying it blames the key.
    let (db, _) = another(backend).await;
    let other = Store::open_with_key_file(&db.url, &dir.path().join("another.key")).await.unwrap();
    let restored = backup::restore(&other, &Actor::cli(), &file).await.unwrap();
    assert_eq!((restored.copied, restored.audit_seq), (copied, None));
    assert_eq!(other.audit_head().await.unwrap(), store.audit_head().await.unwrap());
    let verification = audit::verify(&other).await.unwrap();
    assert!(verification.problem.unwrap().contains("no entry matches the audit key"));
    let with_key = other.with_audit_key(store.audit_key().clone());
    assert!(audit::verify(&with_key).await.unwrap().intact(), "intact under the right key");

    // Only a role that manages users may bring a database's users back.
    let (_db, third) = another(backend).await;
    let finance = Actor { role: Role::Finance, ..Actor::cli() };
    assert_err!(backup::restore(&third, &finance, &file).await, AppError::Forbidden);
}

async fn a_damaged_backup_restores_nothing(store: Store, backend: Db) {
    demo_with_history(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("attain.backup");
    backup::backup(&store, &file).await.unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (_db, fresh) = another(backend).await;

    let truncated = dir.path().join("truncated.backup");
    std::fs::write(&truncated, lines[..lines.len() - 40].join("\n")).unwrap();
    assert_err!(
        backup::restore(&fresh, &Actor::cli(), &truncated).await,
        AppError::Invalid { message, .. } if message.contains("truncated")
    );
    let bad_cell = dir.path().join("bad.backup");
    let people = lines.iter().position(|l| l.starts_with("{\"table\":\"people\"")).unwrap();
    let mut damaged: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    damaged[people + 1] = "[1, 2]".into();
    std::fs::write(&bad_cell, damaged.join("\n")).unwrap();
    assert_err!(
        backup::restore(&fresh, &Actor::cli(), &bad_cell).await,
        AppError::Invalid { message, .. } if message.contains(&format!("line {}: people: 2 cells", people + 2))
    );
    assert!(fresh.is_empty_for_restore().await.unwrap(), "a refused restore leaves nothing");
}

async fn every_table_is_backed_up_or_left_out_on_purpose(store: Store, _: Db) {
    for table in store.table_names().await.unwrap() {
        assert!(
            BACKUP_TABLES.contains(&table.as_str()) || NOT_BACKED_UP.contains(&table.as_str()),
            "table {table} is neither backed up nor listed as left out"
        );
    }
}

on_both!(
    a_backup_restores_everything_into_a_fresh_database,
    a_damaged_backup_restores_nothing,
    every_table_is_backed_up_or_left_out_on_purpose,
);
