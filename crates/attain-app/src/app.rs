//! [`App`]: the use-cases the web server and the CLI share. It owns the store, the read model
//! and the write lock; every operation takes the acting user's context first.

use std::sync::{Arc, RwLock};

use attain_core::Kind;
use attain_store::Store;
use tokio::sync::{Mutex, MutexGuard};

use crate::access::{Actor, Permission};
use crate::error::AppResult;
use crate::import::{ImportOptions, ImportReport, import_csv_bytes, import_reader};
use crate::snapshot::{Snapshot, Written};

/// Tunables of sign-in and sessions. The throttle's policy is written out in docs/api.md
/// ("Signing in"); [`crate::access::throttle`] applies it.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long a session lasts after sign-in.
    pub session_hours: i64,
    /// Password checks for one login name from one client address before that pair locks.
    pub max_failures: i64,
    /// Password checks from one client address, whatever the names, before the address locks.
    pub address_max_failures: i64,
    /// Password checks for one login name from every address together before the name locks
    /// everywhere: the bound on guessing spread over many addresses.
    pub login_max_failures: i64,
    /// A subject quiet this long (its lock included) starts afresh.
    pub failure_window_minutes: i64,
    /// How long a first lock lasts; each further lock of the same subject lasts twice as long,
    /// up to `lockout_minutes`.
    pub first_lockout_seconds: i64,
    pub lockout_minutes: i64,
    /// The day pay takes as today when deciding whether a month has ended (closing one that
    /// has not needs an override); `None` is the system clock in the company's time zone.
    pub today: Option<attain_core::Date>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            session_hours: 12,
            max_failures: 5,
            address_max_failures: 20,
            login_max_failures: 100,
            failure_window_minutes: 60,
            first_lockout_seconds: 60,
            lockout_minutes: 15,
            today: None,
        }
    }
}

#[derive(Debug)]
struct Inner {
    store: Store,
    snapshot: RwLock<Arc<Snapshot>>,
    /// One writer at a time: keeps SQLite free of lock contention and makes each write's
    /// snapshot refresh see exactly that write.
    writer: Mutex<()>,
    settings: Settings,
}

/// The application. Cheap to clone; clones share everything.
#[derive(Debug, Clone)]
pub struct App {
    inner: Arc<Inner>,
}

impl App {
    /// Builds the app over an opened (migrated) store, loading the read model.
    pub async fn new(store: Store, settings: Settings) -> AppResult<App> {
        let snapshot = Snapshot::load(&store).await?;
        Ok(App {
            inner: Arc::new(Inner {
                store,
                snapshot: RwLock::new(Arc::new(snapshot)),
                writer: Mutex::new(()),
                settings,
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The current read model; holding it keeps that version alive, never blocks writers.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.inner.snapshot.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Waits for the write lock. Hold it across a write and its [`App::refresh`].
    pub async fn writer(&self) -> MutexGuard<'_, ()> {
        self.inner.writer.lock().await
    }

    /// Reloads the read model from the store (after a write, or after another process wrote).
    pub async fn refresh(&self) -> AppResult<()> {
        let fresh = Arc::new(Snapshot::load(self.store()).await?);
        *self.inner.snapshot.write().unwrap_or_else(|p| p.into_inner()) = fresh;
        Ok(())
    }

    /// Brings the read model up to date after this process's write (the caller holds the
    /// write lock): patched from the current one with what the write changed when that write
    /// is the only data change since it was read, else read whole.
    pub(crate) async fn refresh_after(&self, written: Written) -> AppResult<()> {
        let current = self.snapshot();
        // The head first: a change counted below is then at or before it, and one landing
        // after the count is newer than the head, so the watcher still sees it.
        let (head, _) = self.store().audit_head().await?;
        if self.store().data_changes_after(current.audit_seq).await? > 1 {
            return self.refresh().await;
        }
        let next = Arc::new(current.patched(self.store(), written, head).await?);
        *self.inner.snapshot.write().unwrap_or_else(|p| p.into_inner()) = next;
        Ok(())
    }

    /// Reloads the read model if records changed since it was read, by this process or another
    /// (`attain import` beside a running server): every record change is audited, so the audit
    /// log tells. Returns whether it reloaded.
    pub async fn refresh_if_stale(&self) -> AppResult<bool> {
        let seen = self.snapshot().audit_seq;
        if self.store().data_changes_after(seen).await? == 0 {
            return Ok(false);
        }
        let _writing = self.writer().await;
        if self.snapshot().audit_seq == seen {
            self.refresh().await?;
        }
        Ok(true)
    }

    /// Imports an uploaded CSV of `kind` through the same checks as `attain import`.
    pub async fn import_csv(
        &self,
        actor: &Actor,
        kind: Kind,
        file: &str,
        bytes: &[u8],
        skip_bad: bool,
    ) -> AppResult<ImportReport> {
        actor.require(Permission::EditData)?;
        let _writing = self.writer().await;
        let options = ImportOptions::by(actor, "import.upload", file).skip_bad(skip_bad).keeping_written();
        let mut report = import_csv_bytes(self.store(), kind, file, bytes, None, options).await?;
        self.refresh_after(std::mem::take(&mut report.written)).await?;
        Ok(report)
    }

    /// Checks that `actor` may import, before an upload's body is read: a caller who
    /// may not import costs the server neither the upload's memory nor its disk.
    pub fn authorize_upload(&self, actor: &Actor) -> AppResult<UploadGrant> {
        actor.require(Permission::EditData)?;
        Ok(UploadGrant { actor: actor.clone() })
    }

    /// Imports an upload that [`App::authorize_upload`] allowed, read from `input` (a
    /// temporary file the body was streamed to) rather than held in memory.
    ///
    /// Read through `how.mapping` when there is one; with `how.preview`, every check and write
    /// runs and is rolled back: the report says what the import would do and shows its first
    /// rows as read, and nothing is stored or audited.
    pub async fn import_upload(
        &self,
        grant: UploadGrant,
        kind: Kind,
        file: &str,
        input: Box<dyn std::io::Read + Send>,
        lines: u64,
        how: &UploadOptions,
    ) -> AppResult<ImportReport> {
        let UploadGrant { actor } = grant;
        let _writing = self.writer().await;
        let options = ImportOptions::by(&actor, "import.upload", file)
            .skip_bad(how.skip_bad)
            .previewing(how.preview)
            .keeping_written();
        let mut report =
            import_reader(self.store(), kind, file, input, lines, how.mapping.as_ref(), options).await?;
        if !how.preview {
            self.refresh_after(std::mem::take(&mut report.written)).await?;
        }
        Ok(report)
    }
}

impl App {
    /// Imports the files of a directory layout (the CRM sample's CSVs, a workspace) that an
    /// upload wrote into `dir`, as [`App::import_upload`] imports one file: the same checks,
    /// `how.preview` rolling everything back.
    pub async fn import_upload_dir(
        &self,
        grant: UploadGrant,
        dir: &std::path::Path,
        layout: crate::import::DirMapping,
        how: &UploadOptions,
    ) -> AppResult<ImportReport> {
        let UploadGrant { actor } = grant;
        let _writing = self.writer().await;
        let source = format!("{} files", layout.name());
        let options = ImportOptions::by(&actor, "import.upload", source)
            .skip_bad(how.skip_bad)
            .previewing(how.preview)
            .keeping_written();
        let mut report =
            crate::import::import_dir(self.store(), dir, layout, options, &crate::NoProgress).await?;
        if !how.preview {
            self.refresh_after(std::mem::take(&mut report.written)).await?;
        }
        Ok(report)
    }
}

/// How an upload is read and whether it is written.
#[derive(Debug, Clone, Default)]
pub struct UploadOptions {
    /// Read the file through this mapping (a CRM export's own columns) instead of Attain's.
    pub mapping: Option<crate::import::mapping::Mapping>,
    pub skip_bad: bool,
    pub preview: bool,
}

/// Proof that an actor may import, made before the upload is read.
#[derive(Debug)]
pub struct UploadGrant {
    actor: Actor,
}
