//! The tamper-evident audit log: every change is appended with who, when, from where, what,
//! and the record before and after; each entry's hash covers its fields and the previous
//! entry's hash, so an edited, inserted or deleted entry breaks the chain at that point.

use attain_store::{AuditFilter, AuditRow, Store, Tx};
use serde::Serialize;
use serde_json::json;

use crate::access::secret::{digest, now_text};
use crate::access::{Actor, Permission};
use crate::app::App;
use crate::error::AppResult;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One change to record.
#[derive(Debug, Clone)]
pub struct Change {
    /// What happened, as `noun.verb` (`user.create`, `record.update`, `import.csv`, ...).
    pub action: &'static str,
    /// The kind of thing changed (`users`, `accounts`, `import`, ...).
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Change {
    pub fn new(action: &'static str, entity: impl Into<String>, entity_id: Option<String>) -> Change {
        Change { action, entity: entity.into(), entity_id, before: None, after: None }
    }

    pub fn before(mut self, value: impl Serialize) -> Change {
        self.before = serde_json::to_value(value).ok();
        self
    }

    pub fn after(mut self, value: impl Serialize) -> Change {
        self.after = serde_json::to_value(value).ok();
        self
    }
}

/// The hash of an entry: SHA-256 over a JSON array of every field but the hash itself, so
/// field boundaries are unambiguous.
pub fn entry_hash(row: &AuditRow) -> String {
    let canonical = json!([
        row.seq,
        row.at,
        row.actor_id,
        row.actor_login,
        row.via,
        row.ip,
        row.action,
        row.entity,
        row.entity_id,
        row.before_json,
        row.after_json,
        row.prev_hash
    ]);
    digest(&canonical.to_string())
}

/// Appends `change` by `actor` inside `tx`, so the entry exists exactly when the change does.
pub async fn append(
    store: &Store,
    tx: &mut Tx,
    actor: &Actor,
    change: Change,
) -> attain_store::StoreResult<i64> {
    let (seq, prev_hash) = store.claim_audit_seq(tx).await?;
    let mut row = AuditRow {
        seq,
        at: now_text(),
        actor_id: actor.user_id.clone(),
        actor_login: actor.login.clone(),
        via: actor.via.to_string(),
        ip: actor.ip.clone(),
        action: change.action.to_string(),
        entity: change.entity,
        entity_id: change.entity_id,
        before_json: change.before.map(|v| v.to_string()),
        after_json: change.after.map(|v| v.to_string()),
        prev_hash,
        hash: String::new(),
    };
    row.hash = entry_hash(&row);
    store.append_audit(tx, &row).await?;
    Ok(seq)
}

/// What walking the chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Entries read.
    pub entries: u64,
    /// The first sequence number where the chain breaks, if it does.
    pub broken_at: Option<i64>,
    pub problem: Option<String>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.broken_at.is_none()
    }
}

/// Walks the whole chain in order and reports the first break: a gap (deleted entries), an
/// entry whose hash no longer matches its fields (edited), an entry that does not follow its
/// predecessor (inserted or reordered), a head that is ahead of the last entry (the tail
/// deleted) or behind it (entries appended without moving the head).
pub async fn verify(store: &Store) -> AppResult<Verification> {
    const CHUNK: i64 = 10_000;
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let mut entries = 0u64;
    let broken = |seq: i64, entries: u64, problem: String| Verification {
        entries,
        broken_at: Some(seq),
        problem: Some(problem),
    };
    loop {
        let rows = store.audit_after(expected_seq - 1, CHUNK).await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            entries += 1;
            if row.seq != expected_seq {
                return Ok(broken(
                    expected_seq,
                    entries,
                    format!("entry {expected_seq} is missing (the next entry is {})", row.seq),
                ));
            }
            if row.prev_hash != prev {
                return Ok(broken(
                    row.seq,
                    entries,
                    format!("entry {} does not follow entry {}", row.seq, row.seq - 1),
                ));
            }
            if entry_hash(&row) != row.hash {
                return Ok(broken(
                    row.seq,
                    entries,
                    format!("entry {} was altered after it was written", row.seq),
                ));
            }
            prev = row.hash;
            expected_seq += 1;
        }
    }
    let (head_seq, head_hash) = store.audit_head().await?;
    let last = expected_seq - 1;
    if head_seq < last {
        return Ok(broken(
            head_seq + 1,
            entries,
            format!(
                "the log ends at entry {last} but only {head_seq} were written: entries {} to {last} were added behind Attain's back",
                head_seq + 1
            ),
        ));
    }
    if head_seq > last {
        return Ok(broken(
            last + 1,
            entries,
            format!(
                "the log ends at entry {last} but {head_seq} were written: entries {} to {head_seq} were deleted",
                last + 1
            ),
        ));
    }
    if head_hash != prev {
        return Ok(broken(
            last,
            entries,
            format!("entry {last} does not match the recorded head of the chain"),
        ));
    }
    Ok(Verification { entries, broken_at: None, problem: None })
}

/// One audit entry as shown to admins.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub via: String,
    pub ip: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> AuditEntry {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        AuditEntry {
            seq: r.seq,
            at: r.at,
            actor: r.actor_login,
            via: r.via,
            ip: r.ip,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: parse(r.before_json),
            after: parse(r.after_json),
            hash: r.hash,
        }
    }
}

/// A page of entries, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

impl App {
    /// Entries matching `filter` (admins only).
    pub async fn audit_page(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: u32,
        per_page: u32,
    ) -> AppResult<AuditPage> {
        actor.require(Permission::ViewAudit)?;
        let page = page.max(1);
        let per_page = per_page.clamp(1, 500);
        let offset = i64::from(page - 1) * i64::from(per_page);
        let f = filter;
        for (field, bound) in [("from", &f.from), ("to", &f.to)] {
            // A bound is compared with the stored instants as text, so anything but a date
            // would match by accident of spelling: it must be a date.
            if let Some(text) = bound
                && let Err(e) = attain_core::dating::parse_date(text)
            {
                return Err(crate::AppError::invalid(field, format!("must be a date YYYY-MM-DD: {e}")));
            }
        }
        let texts = [&f.actor_login, &f.action, &f.entity, &f.entity_id];
        if texts.iter().any(|t| t.as_deref().is_some_and(|t| t.contains('\0'))) {
            // No entry holds a NUL, and PostgreSQL cannot compare one: nothing matches.
            return Ok(AuditPage { entries: Vec::new(), total: 0, page, per_page });
        }
        let (rows, total) = self.store().audit_page(filter, i64::from(per_page), offset).await?;
        Ok(AuditPage { entries: rows.into_iter().map(AuditEntry::from).collect(), total, page, per_page })
    }

    pub async fn audit_entry(&self, actor: &Actor, seq: i64) -> AppResult<AuditEntry> {
        actor.require(Permission::ViewAudit)?;
        self.store().audit_entry(seq).await?.map(AuditEntry::from).ok_or(crate::AppError::NotFound)
    }

    pub async fn verify_audit(&self, actor: &Actor) -> AppResult<Verification> {
        actor.require(Permission::ViewAudit)?;
        verify(self.store()).await
    }
}
