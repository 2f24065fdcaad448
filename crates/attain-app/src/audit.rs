//! The tamper-evident audit log: every change is appended with who, when, from where, what,
//! and the record before and after; each entry's hash covers its fields and the previous
//! entry's hash, so an edited, inserted or deleted entry breaks the chain at that point.
//!
//! The hashes are HMACs under a key kept outside the database (`attain_store::AuditKey`):
//! someone who can write to the database but cannot read the key cannot recompute the chain
//! after an edit. What a key alone cannot show is a chain cut short (the newest entries
//! deleted and the head moved back to an earlier, genuine entry): for that an administrator
//! keeps signed checkpoints of the head ([`checkpoint`]) and verifies against one
//! ([`verify_against`]).

use attain_store::{AuditFilter, AuditKey, AuditRow, Store, Tx};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;

use crate::access::secret::{digest, now_text, same};
use crate::access::{Actor, Permission};
use crate::app::App;
use crate::error::{AppError, AppResult};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a checkpoint file says it is.
pub const CHECKPOINT_FORMAT: &str = "attain-audit-checkpoint/1";

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

/// The text an entry's hash covers: a JSON array of every field but the hash itself, so
/// field boundaries are unambiguous.
fn canonical(row: &AuditRow) -> String {
    json!([
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
    ])
    .to_string()
}

fn mac(key: &AuditKey, text: &str) -> String {
    // HMAC takes a key of any length; this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.bytes()).expect("HMAC accepts any key length");
    mac.update(text.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash of an entry: HMAC-SHA-256 under the audit key over the entry's fields and the
/// previous entry's hash.
pub fn entry_hash(key: &AuditKey, row: &AuditRow) -> String {
    mac(key, &canonical(row))
}

/// The hash entries had before the chain was keyed: plain SHA-256 of the same text. Anyone
/// can compute it, so only [`rekey`] accepts it (to sign an old chain once).
pub fn unkeyed_hash(row: &AuditRow) -> String {
    digest(&canonical(row))
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
    row.hash = entry_hash(store.audit_key(), &row);
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
            if !same(&entry_hash(store.audit_key(), &row), &row.hash) {
                let problem = hash_problem(store, &row).await?;
                return Ok(broken(row.seq, entries, problem));
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

/// Why an entry's hash does not match: altered, unkeyed, or the wrong key altogether (when
/// neither this entry nor the newest one matches, the key is the likelier culprit).
async fn hash_problem(store: &Store, row: &AuditRow) -> AppResult<String> {
    let key = store.audit_key();
    if same(&unkeyed_hash(row), &row.hash) {
        return Ok(format!(
            "entry {} carries an unkeyed hash: written before the audit log was keyed (`attain \
             audit rekey`, once after upgrading, re-signs a log whose unkeyed entries all come \
             before its keyed ones) or rewritten by someone without the key",
            row.seq
        ));
    }
    let (head_seq, _) = store.audit_head().await?;
    let newest = store.audit_entry(head_seq).await?;
    if row.seq == 1 && newest.is_some_and(|n| !same(&entry_hash(key, &n), &n.hash)) {
        return Ok(format!(
            "no entry matches the audit key from {}: it is not the key this log was written with \
             (set ATTAIN_AUDIT_KEY or ATTAIN_AUDIT_KEY_FILE to the right one), or every entry was forged",
            key.source()
        ));
    }
    Ok(format!("entry {} was altered after it was written", row.seq))
}

/// A signed statement of the chain's head at one moment, kept by an administrator outside
/// the database. Verifying against it catches what the keyed chain alone cannot: newest
/// entries deleted with the head moved back to a genuine earlier entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub format: String,
    /// The head's sequence number and hash when the checkpoint was taken.
    pub seq: i64,
    pub head: String,
    pub at: String,
    /// HMAC under the audit key over the fields above.
    pub signature: String,
}

fn checkpoint_signature(key: &AuditKey, format: &str, seq: i64, head: &str, at: &str) -> String {
    mac(key, &json!([format, seq, head, at]).to_string())
}

/// Signs the current head, after checking the chain: a checkpoint of a broken chain would
/// vouch for the damage.
pub async fn checkpoint(store: &Store) -> AppResult<Checkpoint> {
    let verification = verify(store).await?;
    if let Some(problem) = verification.problem {
        return Err(AppError::Conflict(format!(
            "the audit log is broken, so no checkpoint was made: {problem}"
        )));
    }
    let (seq, head) = store.audit_head().await?;
    let at = now_text();
    let signature = checkpoint_signature(store.audit_key(), CHECKPOINT_FORMAT, seq, &head, &at);
    Ok(Checkpoint { format: CHECKPOINT_FORMAT.into(), seq, head, at, signature })
}

/// Verifies the chain, then that it still holds the entry `checkpoint` recorded as its head:
/// the log must reach that far, and that entry must be the one signed then.
pub async fn verify_against(store: &Store, checkpoint: &Checkpoint) -> AppResult<Verification> {
    let key = store.audit_key();
    let expected =
        checkpoint_signature(key, &checkpoint.format, checkpoint.seq, &checkpoint.head, &checkpoint.at);
    if checkpoint.format != CHECKPOINT_FORMAT || !same(&expected, &checkpoint.signature) {
        return Err(AppError::invalid(
            "checkpoint",
            format!(
                "the checkpoint's signature does not match the audit key from {}: the file was edited, \
                 or it was made with another key",
                key.source()
            ),
        ));
    }
    let verification = verify(store).await?;
    if !verification.intact() {
        return Ok(verification);
    }
    let (head_seq, _) = store.audit_head().await?;
    let broken = |seq: i64, problem: String| Verification {
        entries: verification.entries,
        broken_at: Some(seq),
        problem: Some(problem),
    };
    let (seq, at) = (checkpoint.seq, &checkpoint.at);
    if head_seq < seq {
        return Ok(broken(
            head_seq + 1,
            format!(
                "the log ends at entry {head_seq} but the checkpoint of {at} recorded entry {seq}: \
                 entries {} to {seq} were removed and the head moved back",
                head_seq + 1
            ),
        ));
    }
    let recorded = store.audit_entry(seq).await?;
    if seq > 0 && recorded.is_none_or(|r| !same(&r.hash, &checkpoint.head)) {
        return Ok(broken(
            seq,
            format!(
                "entry {seq} is not the one the checkpoint of {at} recorded: the log was rewritten up to there"
            ),
        ));
    }
    Ok(verification)
}

/// Signs a chain written before audit keys existed (or partly before) with the key, once:
/// every entry must still hold its unkeyed or keyed hash and follow its predecessor, or
/// nothing is changed. Returns how many entries were signed; the rekey is itself audited.
pub async fn rekey(store: &Store, actor: &Actor) -> AppResult<u64> {
    actor.require(Permission::ManageUsers)?;
    let key = store.audit_key();
    let mut tx = store.begin_write().await?;
    store.lock_audit_head(&mut tx).await?;
    let rows = store.audit_after(0, i64::MAX).await?;
    let (head_seq, head_hash) = store.audit_head().await?;
    let mut prev = GENESIS.to_string();
    // Rekeying is the one-time upgrade of a log written before keys: its unkeyed entries can
    // only be the oldest ones. An unkeyed entry after a keyed one, or a log that was rekeyed
    // before, means entries were rewritten by someone without the key; signing them would
    // launder the forgery.
    let mut keyed_seen = false;
    for (i, row) in rows.iter().enumerate() {
        let seq = i as i64 + 1;
        let valid = |h: String| same(&h, &row.hash);
        let keyed = valid(entry_hash(key, row));
        let unkeyed = !keyed && valid(unkeyed_hash(row));
        if row.seq != seq || row.prev_hash != prev || !(keyed || unkeyed) || (unkeyed && keyed_seen) {
            return Err(AppError::Conflict(format!(
                "entry {seq} does not verify, so the log was not re-signed: check it with `attain audit verify`"
            )));
        }
        if row.action == "audit.rekey" {
            return Err(AppError::Conflict(format!(
                "the log was rekeyed before (entry {seq}); unkeyed entries now are rewritten ones, \
                 so nothing was re-signed: check it with `attain audit verify --against` a checkpoint"
            )));
        }
        keyed_seen |= keyed;
        prev = row.hash.clone();
    }
    if head_seq != rows.len() as i64 || head_hash != prev {
        return Err(AppError::Conflict(
            "the head of the log does not match its last entry; nothing was re-signed".into(),
        ));
    }
    let mut prev = GENESIS.to_string();
    for row in &rows {
        let mut signed = row.clone();
        signed.prev_hash = prev;
        signed.hash = entry_hash(key, &signed);
        store.relink_audit(&mut tx, signed.seq, &signed.prev_hash, &signed.hash).await?;
        prev = signed.hash;
    }
    store.set_audit_head(&mut tx, rows.len() as i64, &prev).await?;
    let change = Change::new("audit.rekey", "audit_log", None).after(json!({ "entries": rows.len() }));
    append(store, &mut tx, actor, change).await?;
    tx.commit().await.map_err(attain_store::StoreError::from)?;
    Ok(rows.len() as u64)
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
