//! Opening a database: picking the backend from the URL, tuning SQLite, running migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

use std::sync::Arc;

use crate::audit_key::AuditKey;
use crate::error::{StoreError, StoreResult};

/// Which database a store talks to. SQL is shared; this only picks migrations and tuning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool plus the backend it talks to. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// The key of the audit chain, kept outside the database (see `audit_key.rs`).
    audit_key: Arc<AuditKey>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Turns what a user typed into a URL sqlx understands: `postgres://…` stays as it is; a
/// `sqlite:` URL or a plain file path becomes a SQLite URL that creates the file on first use.
pub fn normalise_url(input: &str) -> String {
    let input = input.trim();
    if input.starts_with("postgres://") || input.starts_with("postgresql://") {
        return input.to_string();
    }
    let path = input.strip_prefix("sqlite://").or_else(|| input.strip_prefix("sqlite:")).unwrap_or(input);
    if path.contains("mode=") {
        format!("sqlite://{path}")
    } else if path.contains('?') {
        format!("sqlite://{path}&mode=rwc")
    } else {
        format!("sqlite://{path}?mode=rwc")
    }
}

impl Store {
    /// Opens a database that must already exist: for commands that only read, where a
    /// mistyped path should be an error rather than a new, empty database.
    pub async fn open_existing(url: &str) -> StoreResult<Store> {
        let normalised = normalise_url(url);
        if let Some(rest) = normalised.strip_prefix("sqlite://") {
            let path = rest.split('?').next().unwrap_or(rest);
            if !path.starts_with(':') && !std::path::Path::new(path).exists() {
                return Err(StoreError::NotFound { path: path.to_string() });
            }
        }
        Store::open(url).await
    }

    /// Opens (creating if needed) the database at `url` and brings its schema up to date. Its
    /// audit key is found as `audit_key.rs` describes (environment, or a file by default).
    pub async fn open(url: &str) -> StoreResult<Store> {
        Store::open_keyed(url, None).await
    }

    /// [`Store::open`] with the audit key kept in `key_file` whatever the environment says
    /// (tests, tools): read, or made when missing while the audit log is still empty.
    pub async fn open_with_key_file(url: &str, key_file: &std::path::Path) -> StoreResult<Store> {
        Store::open_keyed(url, Some(key_file)).await
    }

    async fn open_keyed(url: &str, key_file: Option<&std::path::Path>) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let url = normalise_url(url);
        let backend = if url.starts_with("postgres") { Backend::Postgres } else { Backend::Sqlite };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|source| StoreError::Connect { url: redact(&url), source })?
            // Bulk imports run statements that take seconds by design; that is not a warning.
            .log_slow_statements(log::LevelFilter::Debug, Duration::from_secs(5));
        let pool = AnyPoolOptions::new()
            // SQLite serialises writers anyway; a few readers are plenty for one process.
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; NORMAL sync is durable with WAL
                        // except across power loss of the last commit; foreign keys are off by
                        // default in SQLite and must be switched on per connection.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                             PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Connect { url: redact(&url), source })?;
        // The schema first: whether a missing key file may be made depends on the audit log.
        let key = async {
            run_migrations(&pool, backend).await?;
            AuditKey::for_database(&url, audit_entries(&pool).await?, key_file)
        };
        match key.await {
            Ok(key) => Ok(Store { pool, backend, audit_key: Arc::new(key) }),
            Err(e) => {
                pool.close().await;
                Err(e)
            }
        }
    }

    /// Applies any migrations the database has not seen yet.
    pub async fn migrate(&self) -> StoreResult<()> {
        run_migrations(&self.pool, self.backend).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn audit_key(&self) -> &AuditKey {
        &self.audit_key
    }

    /// The same database with another audit key (tests; tools that verify with a given key).
    pub fn with_audit_key(&self, key: AuditKey) -> Store {
        Store { audit_key: Arc::new(key), ..self.clone() }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn begin(&self) -> StoreResult<crate::Tx> {
        Ok(self.pool.begin().await?)
    }

    /// Begins a transaction that will write, holding the write lock from the start. On
    /// SQLite a plain `BEGIN` reads from a snapshot first and only asks for the lock at the
    /// first write, so what it read may be stale by then; `BEGIN IMMEDIATE` makes a read at
    /// the start of the transaction the truth until it commits. PostgreSQL locks the rows it
    /// reads instead ([`Store::lock_record`]).
    pub async fn begin_write(&self) -> StoreResult<crate::Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

async fn run_migrations(pool: &AnyPool, backend: Backend) -> StoreResult<()> {
    match backend {
        Backend::Sqlite => SQLITE_MIGRATIONS.run(pool).await?,
        Backend::Postgres => POSTGRES_MIGRATIONS.run(pool).await?,
    }
    Ok(())
}

/// How many entries the audit log holds: its head, or its rows if there are more (a head
/// moved back still leaves entries that some key signed).
async fn audit_entries(pool: &AnyPool) -> StoreResult<i64> {
    let head: Option<i64> =
        sqlx::query_scalar("SELECT seq FROM audit_head WHERE id = 1").fetch_optional(pool).await?;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(pool).await?;
    Ok(head.unwrap_or(0).max(rows))
}

/// Drops any password from a URL before it is shown or logged.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised() {
        assert_eq!(normalise_url("attain.db"), "sqlite://attain.db?mode=rwc");
        assert_eq!(normalise_url("sqlite:attain.db"), "sqlite://attain.db?mode=rwc");
        assert_eq!(normalise_url("sqlite:///tmp/a.db"), "sqlite:///tmp/a.db?mode=rwc");
        assert_eq!(normalise_url("sqlite://a.db?mode=ro"), "sqlite://a.db?mode=ro");
        assert_eq!(normalise_url("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://user:secret@host/db"), "postgres://user:***@host/db");
        assert_eq!(redact("postgres://user@host/db"), "postgres://user@host/db");
        assert_eq!(redact("sqlite://a.db"), "sqlite://a.db");
    }
}
