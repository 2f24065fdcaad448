//! `attain backup` and `attain restore`: the demo (records, users, closed pay runs, audit
//! log) copied to one file and restored into a new database, SQLite and PostgreSQL alike,
//! with the audit log verifying under the original key and recording the restore; a non-empty
//! target is refused.

use attain_testkit::{Db, TestDb};

use crate::{Sandbox, summary};

const AS_OF: &str = "2018-01-15";

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime").block_on(future)
}

/// The demo database and its backup, in a sandbox.
fn backed_up_demo() -> (Sandbox, String, String) {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("demo.db");
    sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", AS_OF]);
    let file = sandbox.arg("demo.backup");
    let run = sandbox.ok(&["backup", &file, "--db", &db]);
    assert!(run.stdout.starts_with("backed up "), "{}", run.stdout);
    (sandbox, db, file)
}

#[test]
fn a_backup_restores_into_a_new_sqlite_database() {
    let (sandbox, db, file) = backed_up_demo();
    let restored = sandbox.arg("restored.db");
    let key = sandbox.arg("demo.db.audit-key");
    let with_key = [("ATTAIN_AUDIT_KEY_FILE", key.as_str())];
    let run = sandbox.run_with_env(&["restore", &file, "--db", &restored], &with_key);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The demo's 58 entries and the restore's own.
    assert!(run.stdout.contains(&format!("from {file} (recorded as audit entry 59)")), "{}", run.stdout);
    assert!(run.stdout.contains("audit log intact: 59 entries"), "{}", run.stdout);
    // Without the setting, the restored log (with entries) has no key beside it: that is said,
    // rather than a new key made; with the old key copied beside it, it serves and verifies.
    let run = sandbox.run(&["audit", "verify", "--db", &restored]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("restored.db.audit-key does not exist"), "{}", run.stderr);
    std::fs::copy(&key, sandbox.path("restored.db.audit-key")).unwrap();
    let verify = sandbox.ok(&["audit", "verify", "--db", &restored]);
    assert_eq!(verify.stdout.trim(), "audit log intact: 59 entries, every hash checked");
    assert_eq!(summary(&sandbox, &restored), summary(&sandbox, &db));
    let runs = sandbox.ok(&["pay", "runs", "--db", &restored]);
    assert_eq!(runs.stdout, sandbox.ok(&["pay", "runs", "--db", &db]).stdout, "the pay history too");

    // Into a database that is not empty: refused, nothing changed.
    let run = sandbox.run_with_env(&["restore", &file, "--db", &restored], &with_key);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("the database is not empty"), "{}", run.stderr);

    // Without the original key the data comes back, and the mismatch is said plainly.
    let other = sandbox.arg("other.db");
    let run = sandbox.run(&["restore", &file, "--db", &other]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("does not verify with the audit key"), "{}", run.stderr);
    assert!(run.stderr.contains("so the restore was not recorded in it"), "{}", run.stderr);
    assert_eq!(summary(&sandbox, &other), summary(&sandbox, &db));
}

#[test]
fn a_sqlite_backup_restores_into_postgres_and_back() {
    let Some(pg) = block_on(TestDb::new(Db::Postgres)) else { return };
    let (sandbox, db, file) = backed_up_demo();
    let key = sandbox.arg("demo.db.audit-key");
    let with_key = [("ATTAIN_AUDIT_KEY_FILE", key.as_str())];
    let run = sandbox.run_with_env(&["restore", &file, "--db", &pg.url], &with_key);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("audit log intact"), "{}", run.stdout);
    assert_eq!(summary(&sandbox, &pg.url), summary(&sandbox, &db));
    let verify = sandbox.run_with_env(&["audit", "verify", "--db", &pg.url], &with_key);
    assert_eq!(verify.code, 0, "{}", verify.stderr);

    // A backup of the PostgreSQL copy is the same data as the SQLite original's, and the same
    // audit log with the restore's entry after it.
    let again = sandbox.arg("pg.backup");
    let run = sandbox.run_with_env(&["backup", &again, "--db", &pg.url], &with_key);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let split = |path: &str| {
        let text = std::fs::read_to_string(path).unwrap();
        let body = text.split_once('\n').unwrap().1;
        let (data, audit) = body.split_at(body.find("{\"table\":\"audit_log\"").unwrap());
        let entries: Vec<String> =
            audit.lines().skip(1).take_while(|l| l.starts_with('[')).map(String::from).collect();
        (data.to_string(), entries)
    };
    let ((data_again, log_again), (data, log)) = (split(&again), split(&file));
    assert!(data_again == data, "every table equal after the round trip");
    assert_eq!(log_again.len(), log.len() + 1);
    assert!(log_again[..log.len()] == log[..], "the audit log kept entry for entry");
    assert!(log_again[log.len()].contains("\"backup.restore\""), "{}", log_again[log.len()]);
}
