//! Test support shared by Attain's suites: a fresh database per test on SQLite or PostgreSQL,
//! and one place that finds the real sample data in `../shared/data`.
//!
//! Policy: outside CI a missing PostgreSQL or missing sample data skips the test with a clear
//! message on stderr; under `CI=true` it fails, so CI can never pass by silently skipping.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, Executor, PgConnection};

#[cfg(feature = "browser")]
pub mod browser;

/// True when running under CI, where every dependency must be present.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The server a test creates its databases on (`ATTAIN_TEST_POSTGRES_URL` overrides).
pub fn postgres_admin_url() -> String {
    std::env::var("ATTAIN_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A database that exists for one test and is removed when dropped.
#[derive(Debug)]
pub struct TestDb {
    pub url: String,
    pub backend: Db,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// A fresh, empty database, or `None` (after saying why) when PostgreSQL is not reachable
    /// outside CI. Under CI an unreachable PostgreSQL panics: the suite must not pass without it.
    pub async fn new(backend: Db) -> Option<TestDb> {
        match backend {
            Db::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("attain.db").display());
                Some(TestDb { url, backend, _dir: Some(dir), pg_name: None })
            }
            Db::Postgres => {
                let admin = postgres_admin_url();
                let mut conn = match PgConnection::connect(&admin).await {
                    Ok(c) => c,
                    Err(e) if !in_ci() => {
                        eprintln!(
                            "SKIPPED (PostgreSQL): cannot reach {admin}: {e}. Set ATTAIN_TEST_POSTGRES_URL or start PostgreSQL; under CI=true this fails."
                        );
                        return None;
                    }
                    Err(e) => panic!("CI=true and PostgreSQL at {admin} is unreachable: {e}"),
                };
                let name = format!(
                    "attain_t_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.subsec_nanos())
                        .unwrap_or(0)
                );
                conn.execute(format!("CREATE DATABASE \"{name}\"").as_str())
                    .await
                    .expect("create a test database");
                let url = match admin.rfind('/') {
                    Some(i) => format!("{}/{}", &admin[..i], name),
                    None => panic!("ATTAIN_TEST_POSTGRES_URL must end with /database"),
                };
                Some(TestDb { url, backend, _dir: None, pg_name: Some(name) })
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else { return };
        // Drop runs outside async code; a short-lived runtime on its own thread does the cleanup.
        let admin = postgres_admin_url();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async move {
                let mut conn = PgConnection::connect(&admin).await.ok()?;
                conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str()).await.ok()
            })
        })
        .join();
    }
}

/// Where the real sample data lives: `ATTAIN_SHARED_DATA`, else `../shared/data` above the
/// workspace root (the layout of a checkout beside `shared/`).
pub fn shared_data_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("ATTAIN_SHARED_DATA") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

/// The sample dataset `name` (e.g. `crm-sales-opportunities`), or `None` after saying why
/// outside CI. Under CI its absence fails the test.
pub fn sample_data(name: &str) -> Option<PathBuf> {
    let dir = shared_data_dir().join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    let message = format!(
        "sample data {name} not found at {} (set ATTAIN_SHARED_DATA to the folder holding it)",
        dir.display()
    );
    if in_ci() {
        panic!("CI=true and {message}");
    }
    eprintln!("SKIPPED: {message}");
    None
}

/// Runs `body` with a store on a fresh database of `backend` (the store and app suites'
/// harness; see [`on_both!`]). Returns without running when the backend is skipped.
pub async fn run_on<F, Fut>(backend: Db, body: F)
where
    F: FnOnce(attain_store::Store, Db) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(db) = TestDb::new(backend).await else { return };
    let store = attain_store::Store::open(&db.url).await.expect("open a fresh store");
    body(store.clone(), backend).await;
    store.close().await;
}

/// Declares, for each async function `name(Store, Db)`, a module `name` with one test per
/// backend (`name::sqlite`, `name::postgres`), each on a fresh database.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        $(mod $name {
            #[tokio::test]
            async fn sqlite() {
                $crate::run_on($crate::Db::Sqlite, super::$name).await
            }
            #[tokio::test]
            async fn postgres() {
                $crate::run_on($crate::Db::Postgres, super::$name).await
            }
        })+
    };
}
