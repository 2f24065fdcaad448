//! The audit chain's key. Each audit entry's hash is an HMAC under this key, so someone who
//! can write to the database but cannot read the key cannot rewrite the chain after an edit.
//! The key therefore lives outside the database, found in this order:
//!
//! 1. `ATTAIN_AUDIT_KEY`: the key itself (at least 32 characters);
//! 2. `ATTAIN_AUDIT_KEY_FILE`: a file holding it;
//! 3. for a SQLite file, `<database>.audit-key` beside it;
//! 4. for PostgreSQL, `$XDG_CONFIG_HOME/attain/audit.key` (or `~/.config/attain/audit.key`),
//!    so every server and CLI run by the same account on the same host shares it.
//!
//! A missing key file is created with 32 random bytes (hex), readable by its owner only, but
//! only while the database's audit log is empty. Once entries exist, some key signed them: a
//! new key would make every one of them fail to verify and hide the real problem (the key was
//! lost or moved), so opening the database is refused with where the key was expected. An
//! in-memory SQLite database gets a key for the life of the process.

use std::path::{Path, PathBuf};

use crate::error::{StoreError, StoreResult};

/// Key material, never printed.
#[derive(Clone)]
pub struct AuditKey {
    bytes: Vec<u8>,
    source: String,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey(from {})", self.source)
    }
}

/// Below this a key is guessable; the generated ones are 64 hex characters.
const MIN_KEY_LEN: usize = 32;

impl AuditKey {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Where the key came from, for messages (`ATTAIN_AUDIT_KEY`, or a file's path).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// A key given directly (tests, tools).
    pub fn from_text(text: &str, source: impl Into<String>) -> StoreResult<AuditKey> {
        let text = text.trim();
        if text.len() < MIN_KEY_LEN {
            return Err(StoreError::AuditKey(format!(
                "the audit key from {} is {} characters; it must have at least {MIN_KEY_LEN}",
                source.into(),
                text.len()
            )));
        }
        Ok(AuditKey { bytes: text.as_bytes().to_vec(), source: source.into() })
    }

    /// The key for the database at `url` (already normalised), whose audit log holds
    /// `entries` entries: in `key_file` when one is given, else by the rules in the module notes.
    pub(crate) fn for_database(url: &str, entries: i64, key_file: Option<&Path>) -> StoreResult<AuditKey> {
        if let Some(path) = key_file {
            return AuditKey::from_file_or_new(path, entries, "");
        }
        if let Some(text) = std::env::var("ATTAIN_AUDIT_KEY").ok().filter(|t| !t.trim().is_empty()) {
            return AuditKey::from_text(&text, "ATTAIN_AUDIT_KEY");
        }
        if let Some(path) = std::env::var_os("ATTAIN_AUDIT_KEY_FILE").filter(|p| !p.is_empty()) {
            return AuditKey::from_file_or_new(
                Path::new(&path),
                entries,
                " (named by ATTAIN_AUDIT_KEY_FILE)",
            );
        }
        match default_file(url) {
            Some(path) => AuditKey::from_file_or_new(&path, entries, ""),
            None => {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes).map_err(|e| StoreError::AuditKey(e.to_string()))?;
                Ok(AuditKey {
                    bytes: hex(&bytes).into_bytes(),
                    source: "this process (in-memory database)".into(),
                })
            }
        }
    }

    /// Reads the key file at `path`.
    pub fn from_file(path: &Path) -> StoreResult<AuditKey> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| StoreError::AuditKey(format!("cannot read the audit key file {shown}: {e}")))?;
        AuditKey::from_text(&text, shown)
    }

    /// Reads the key file at `path`, creating it (owner-only) when it does not exist and the
    /// audit log has no `entries` yet; refusing, with what to do, when it has some.
    fn from_file_or_new(path: &Path, entries: i64, named_by: &str) -> StoreResult<AuditKey> {
        let shown = path.display().to_string();
        if !path.exists() {
            if entries > 0 {
                return Err(StoreError::AuditKey(missing_key(&shown, named_by, entries)));
            }
            create(path).map_err(|e| {
                StoreError::AuditKey(format!("cannot create the audit key file {shown}: {e}"))
            })?;
        }
        AuditKey::from_file(path)
    }
}

/// Why a database with audit entries gets no new key, and the ways out.
fn missing_key(shown: &str, named_by: &str, entries: i64) -> String {
    let (n, s) = if entries == 1 {
        ("1 entry".to_string(), "it")
    } else {
        (format!("{entries} entries"), "every one of them")
    };
    format!(
        "the audit key file {shown}{named_by} does not exist, but this database's audit log already \
         has {n} signed with a key; a new key would make {s} fail to verify, so none was made. \
         Put the key file back at {shown} (from the machine or backup the database came from), or \
         point ATTAIN_AUDIT_KEY_FILE at it, or set ATTAIN_AUDIT_KEY to the key itself. If the key \
         is lost for good, make a new one deliberately (umask 077; openssl rand -hex 32 > {shown}): \
         `attain audit verify` will then report that the older entries do not match it"
    )
}

/// Writes a fresh key to a temporary file and links it into place, so two processes (or two
/// threads: a server's pools, a test suite's stores) opening the same new database at once end
/// up with one key, and no reader sees half a file.
fn create(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
    // Named for this call, not only this process: two threads of one process sharing a
    // temporary name made the second fail with "File exists".
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(std::io::Error::other)?;
    let temp = path.with_extension(format!("tmp-{}-{}", std::process::id(), hex(&nonce)));
    {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp)?;
        file.write_all(format!("{}\n", hex(&bytes)).as_bytes())?;
        file.sync_all()?;
    }
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e),
        _ => Ok(()),
    }
}

/// `<file>.audit-key` for a SQLite file; the per-user file for PostgreSQL; none in memory.
fn default_file(url: &str) -> Option<PathBuf> {
    if let Some(rest) = url.strip_prefix("sqlite://") {
        let path = rest.split('?').next().unwrap_or(rest);
        if path.is_empty() || path.starts_with(':') || url.contains("mode=memory") {
            return None;
        }
        return Some(PathBuf::from(format!("{path}.audit-key")));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))
        .unwrap_or_else(std::env::temp_dir);
    Some(config.join("attain").join("audit.key"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_of_a_sqlite_database_is_beside_it() {
        assert_eq!(default_file("sqlite://data/a.db?mode=rwc"), Some(PathBuf::from("data/a.db.audit-key")));
        assert_eq!(default_file("sqlite://:memory:"), None);
    }

    #[test]
    fn a_created_key_file_is_private_and_stable() {
        let dir = std::env::temp_dir().join(format!("attain-key-test-{}", std::process::id()));
        let path = dir.join("k");
        let first = AuditKey::from_file_or_new(&path, 0, "").unwrap();
        let again = AuditKey::from_file_or_new(&path, 7, "").unwrap();
        assert_eq!(first.bytes(), again.bytes());
        assert_eq!(first.bytes().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(dir);
        assert!(AuditKey::from_text("short", "test").is_err());
    }

    /// Many threads of one process opening the same new database at once all get the one key
    /// (CI once failed here: the threads shared a temporary file name).
    #[test]
    fn threads_creating_the_key_at_once_share_one() {
        let dir = std::env::temp_dir().join(format!("attain-key-race-{}", std::process::id()));
        let path = dir.join("k");
        let start = std::sync::Barrier::new(8);
        let keys: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        AuditKey::from_file_or_new(&path, 0, "").map(|k| k.bytes().to_vec())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("thread").expect("key")).collect()
        });
        assert!(keys.iter().all(|k| *k == keys[0] && k.len() == 64));
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(Result::ok).collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
        let _ = std::fs::remove_dir_all(dir);
    }
}
