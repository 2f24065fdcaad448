//! Checking a batch (the checks are `check.rs`'s) and writing it, in one transaction that commits only if every check
//! passes: parse and canonicalise every row, find duplicate keys, overlapping versions and
//! dangling references; write as it goes (see [`apply`]); nothing is written otherwise.

use attain_core::Kind;
use attain_core::record::{Value, key_of};
use attain_store::{Store, UpsertCount, worth_suspending};
use rustc_hash::{FxHashMap, FxHashSet};

use super::ImportOptions;
use super::batch::{Batch, KindSource};
use super::check::{
    CHUNK, Checked, FixedParents, Step, check_references, drop_changing_fixed, drop_overlapping, keep_unique,
    one_company, read_step, referenced_kinds, sort_errors,
};
use super::report::{ImportError, ImportReport, KindReport};
use crate::progress::Progress;

/// Checks `batch` against the domain rules and the database, and writes it atomically: one
/// transaction, committed only when every check has passed. Without `skip_bad`, rows are
/// written while later rows are still being checked (optimistically: any bad row rolls the
/// whole transaction back, so nothing half-written is ever committed), and every problem is
/// reported. With `skip_bad`, everything is checked first and only the good rows are written.
pub async fn apply(
    store: &Store,
    batch: Batch,
    options: ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    let unread = batch.unread.clone();
    let (sources, mut errors) = batch.into_sources(CHUNK);
    progress.start("importing", sources.iter().map(|s| s.estimated).sum());
    let edit = options.audit.as_ref().and_then(|a| a.record.as_ref());
    let (mut tx, mut edit) = match edit {
        Some(record) => {
            let mut tx = store.begin_write().await?;
            let before = check_version(store, &mut tx, record).await?;
            (tx, Some(Edit { record, before }))
        }
        None => (store.begin().await?, None),
    };
    let mut optimistic = !options.skip_bad && errors.is_empty();
    // Everything the checks read through the pool is read now, before any index is
    // suspended: on PostgreSQL a table whose indexes are dropped is locked against every
    // other connection until this transaction ends, so a later read would wait for itself.
    let mut stored_ids: FxHashMap<Kind, FxHashSet<String>> = FxHashMap::default();
    let mut stored_versions: FxHashMap<Kind, Vec<Vec<Value>>> = FxHashMap::default();
    // Kinds only: a source is not `Sync`, so no reference to one may be held across an await.
    let batch_kinds: Vec<Kind> = sources.iter().map(|s| s.kind).collect();
    for kind in referenced_kinds(batch_kinds.iter().copied()) {
        stored_ids.insert(kind, store.ids(kind).await?.into_iter().collect());
    }
    // Stored rows that may no longer change (approved revenue plans), by key.
    let mut stored_fixed: FxHashMap<Kind, FxHashMap<String, Vec<Value>>> = FxHashMap::default();
    for &kind in batch_kinds.iter().filter(|k| k.has_fixed_rows()) {
        let spec = kind.spec();
        let rows = store.rows(kind).await?.into_iter().filter(|r| kind.fixed(r).is_some());
        stored_fixed.insert(kind, rows.map(|r| (key_of(spec, &r), r)).collect());
    }
    // Rows belonging to a fixed parent (an approved quota sheet's lines), and those parents.
    let mut fixed_parents: FxHashMap<Kind, FixedParents> = FxHashMap::default();
    for &kind in &batch_kinds {
        let Some((parent_kind, column)) = kind.fixed_with() else { continue };
        let parents = FixedParents::read(store, kind, parent_kind, column).await?;
        fixed_parents.insert(kind, parents);
    }
    // The assignment rules are checked against each other and the accounts (no two of one
    // precedence claiming an account): the stored ones are read now, with the rest.
    let mut rule_claims = match batch_kinds.contains(&Kind::TerritoryRules) {
        true => Some(super::rule_claims::RuleClaims::read(store).await?),
        false => None,
    };
    for kind in batch_kinds.into_iter().filter(|k| k.no_overlap().is_some()) {
        stored_versions.insert(kind, store.rows(kind).await?);
    }
    let mut kinds: Vec<KindRows> = Vec::new();
    // Indexes dropped for large loads, rebuilt once the whole batch has passed its checks.
    let mut suspended_all = Vec::new();
    for source in sources {
        let kind = source.kind;
        let total = source.estimated;
        // Rows that could not be read at all were still rows of the kind's file.
        let mut read = unread.get(&kind).copied().unwrap_or(0);
        // Read through the pool, these see what is committed, not this import's own writes.
        let existing = store.keys(kind).await?;
        let mut suspended = None;
        let mut decided = false;
        let mut first_seen = FxHashMap::default();
        // Rows are written from their cells: no record is kept per row.
        let mut passed = 0;
        let mut good = Vec::new();
        let mut affected = 0;
        let mut new_keys = 0;
        let mut step = next_step(source).await?;
        loop {
            read += step.read;
            errors.append(&mut step.errors);
            let Some(parsed) = step.parsed.take() else { break };
            let (fresh, new) =
                keep_unique(kind, parsed, &existing, &mut first_seen, &mut passed, &mut errors);
            new_keys += new;
            optimistic &= errors.is_empty();
            if !decided {
                // Whether a rebuild pays depends on how many rows are new; the first step's
                // share stands for the whole source (a re-import must not rebuild for nothing).
                decided = true;
                let estimated_new = total * new / (fresh.len() as u64).max(1);
                if optimistic && worth_suspending(estimated_new, existing.len() as u64) {
                    suspended = Some(store.suspend_indexes(&mut tx, kind).await?);
                }
            }
            let write = async {
                if optimistic { write_rows(store, &mut tx, kind, &fresh, edit.as_mut()).await } else { Ok(0) }
            };
            let (written, following) = tokio::join!(write, next_step(step.source));
            affected += written?;
            step = following?;
            progress.advance(fresh.len() as u64);
            good.extend(fresh);
        }
        one_company(kind, &mut good, &mut errors);
        let versions = stored_versions.remove(&kind).unwrap_or_default();
        drop_overlapping(&versions, kind, &mut good, &mut errors)?;
        drop_changing_fixed(&stored_fixed.remove(&kind).unwrap_or_default(), kind, &mut good, &mut errors);
        if let Some(parents) = fixed_parents.remove(&kind) {
            parents.drop_changes(kind, &mut good, &mut errors);
        }
        if kind == Kind::TerritoryRules
            && let Some(claims) = rule_claims.take()
        {
            let accounts = kinds.iter().find(|k| k.kind == Kind::Accounts).map_or(&[][..], |k| &k.rows[..]);
            claims.drop_conflicting(accounts, &mut good, &mut errors);
        }
        optimistic &= errors.is_empty();
        suspended_all.extend(suspended);
        kinds.push(KindRows { kind, read, existing, rows: good, affected, inserted: new_keys });
    }

    let stored = |kind: Kind, id: &str| stored_ids.get(&kind).is_some_and(|s| s.contains(id));
    let mut view: Vec<(Kind, &mut Vec<Checked>)> = kinds.iter_mut().map(|k| (k.kind, &mut k.rows)).collect();
    check_references(&stored, &mut view, &mut errors);
    sort_errors(&mut errors);
    if !errors.is_empty() && !options.skip_bad && !options.preview {
        tx.rollback().await.map_err(attain_store::StoreError::from)?;
        progress.finish();
        return Err(ImportError::Rejected { errors });
    }
    // Only now that every reference is known to resolve: on PostgreSQL the rebuild runs the
    // deferred foreign-key checks, which must not be the first to find a dangling reference.
    for suspended in suspended_all {
        store.restore_indexes(&mut tx, suspended).await?;
    }

    let mut report = ImportReport::default();
    for k in &mut kinds {
        if !optimistic {
            // Checks after the first pass may have dropped rows: count what is really written.
            let spec = k.kind.spec();
            k.inserted =
                k.rows.iter().filter(|r| !k.existing.contains(&key_of(spec, &r.values))).count() as u64;
            k.affected = write_checked(store, &mut tx, k, edit.as_mut()).await?;
        }
        if edit.as_ref().is_some_and(|e| e.before.is_some()) {
            // An edit that found its record, even one another writer made meanwhile (see
            // `write_rows`), replaced it.
            k.inserted = 0;
        }
        let inserted = k.inserted;
        let updated = k.affected.saturating_sub(inserted);
        let kept = k.rows.len() as u64;
        let written = UpsertCount { inserted, updated, unchanged: kept - inserted - updated };
        report.kinds.push(KindReport { kind: k.kind, rows: k.read, written, skipped: k.read - kept });
    }
    report.bad_rows = errors;
    if options.preview {
        // Everything above ran as the import would; none of it stays.
        report.sample = sample(&kinds);
        tx.rollback().await.map_err(attain_store::StoreError::from)?;
        progress.finish();
        std::thread::spawn(move || drop(kinds));
        return Ok(report);
    }
    if let Some(audit) = &options.audit {
        let change = match &audit.record {
            Some(record) => {
                let written = report.written();
                let row = kinds.iter().find_map(|k| k.rows.first().map(|r| (k.kind, &r.values)));
                match row {
                    Some((kind, values)) if written.inserted + written.updated > 0 => {
                        Some(crate::records::put_change(
                            audit.action,
                            kind,
                            &record.id,
                            edit.as_ref().and_then(|e| e.before.clone()),
                            crate::records::record_json(kind, values),
                        ))
                    }
                    _ => None,
                }
            }
            None => Some(audit.change.clone().unwrap_or_else(|| import_change(audit, &report))),
        };
        if let Some(change) = change {
            crate::audit::append(store, &mut tx, &audit.actor, change).await?;
        }
    }
    tx.commit().await.map_err(attain_store::StoreError::from)?;
    if options.keep_written {
        report.written = written(&report, &kinds);
    }
    progress.finish();
    // Freeing a million checked rows takes a noticeable moment; nobody needs to wait for it.
    std::thread::spawn(move || drop(kinds));
    Ok(report)
}

/// How many rows of each kind a preview shows.
const SAMPLE_ROWS: usize = 10;

/// The first rows of each kind that passed the checks, as text. Rows whose cells a sink
/// kept as records (large transaction loads) have no cells here and are left out.
fn sample(kinds: &[KindRows]) -> Vec<super::report::SampleRow> {
    let mut out = Vec::new();
    for k in kinds {
        let spec = k.kind.spec();
        for row in k.rows.iter().filter(|r| !r.values.is_empty()).take(SAMPLE_ROWS) {
            out.push(super::report::SampleRow {
                kind: k.kind,
                file: row.origin.file.clone(),
                line: row.line,
                cells: attain_core::record::cells_to_text(spec, &row.values),
            });
        }
    }
    out
}

/// The kinds that changed and the transactions stored, as the read model patches itself.
fn written(report: &ImportReport, kinds: &[KindRows]) -> crate::snapshot::Written {
    use attain_core::record::Record;
    let changed = |kind: Kind| report.count(kind).is_some_and(|k| k.written.inserted + k.written.updated > 0);
    let mut out = crate::snapshot::Written::default();
    for k in kinds.iter().filter(|k| changed(k.kind)) {
        if k.kind == Kind::Transactions {
            // Checked rows are canonical: each reads back as the record the store now holds.
            out.transactions.extend(
                k.rows.iter().filter_map(|r| attain_core::domain::Transaction::from_values(&r.values).ok()),
            );
        } else {
            out.kinds.push(k.kind);
        }
    }
    out
}

/// Reads the record an edit replaces, inside the edit's transaction and locked until it ends,
/// and checks the editor's `If-Match` against it. Returns the record as it was (`None` when
/// the edit creates it). Checking here rather than against the app's in-memory copy matters:
/// that copy lags other processes' writes (`attain import` beside a server).
async fn check_version(
    store: &Store,
    tx: &mut attain_store::Tx,
    edit: &super::RecordAudit,
) -> Result<Option<serde_json::Value>, ImportError> {
    let stored = store.lock_record(tx, edit.kind, &edit.id).await?;
    let Some(current) = stored.first() else {
        // A version was named for a record that is not there: the caller meant to replace
        // something, and creating instead would hide their mistake.
        return match edit.if_match.as_deref().map(str::trim) {
            Some(tag) if tag != "*" => Err(ImportError::NotStored { tag: tag.to_string() }),
            _ => Ok(None),
        };
    };
    let current_tag = crate::records::etag(edit.kind, current);
    match edit.if_match.as_deref().map(str::trim) {
        None => Err(ImportError::VersionRequired { current: current_tag }),
        Some(tag) if tag != "*" && tag != current_tag => Err(ImportError::Stale { current: current_tag }),
        Some(_) => Ok(Some(crate::records::record_json(edit.kind, current))),
    }
}

/// A one-record edit between its version check and its write.
struct Edit<'a> {
    record: &'a super::RecordAudit,
    /// The record as it was when checked; `None` while the edit creates it.
    before: Option<serde_json::Value>,
}

/// Writes checked rows. An edit that creates its record only inserts: with no stored row,
/// its version check had nothing to lock, so another writer (a second server, `attain
/// import`) may be creating the same id at this moment, unseen. PostgreSQL makes the insert
/// wait for that writer and, once it has committed, inserts nothing; the edit is then checked
/// again against the row that appeared, now locked, exactly as if the row had been there from
/// the start (a replacement needs the version). On SQLite writers take turns, so the insert
/// always inserts there; the code is the same.
async fn write_rows(
    store: &Store,
    tx: &mut attain_store::Tx,
    kind: Kind,
    rows: &[Checked],
    edit: Option<&mut Edit<'_>>,
) -> Result<u64, ImportError> {
    if let Some(edit) = edit
        && edit.before.is_none()
    {
        let inserted = store.insert_new_rows(tx, kind, rows).await?;
        if inserted == rows.len() as u64 {
            return Ok(inserted);
        }
        edit.before = check_version(store, tx, edit.record).await?;
    }
    Ok(store.upsert_rows(tx, kind, rows).await?)
}

/// The checked rows of one kind and what writing them did.
struct KindRows {
    kind: Kind,
    read: u64,
    /// Keys stored before the import, to tell inserts from updates.
    existing: std::collections::HashSet<String>,
    rows: Vec<Checked>,
    /// Rows inserted or changed.
    affected: u64,
    /// Rows whose key was not stored before.
    inserted: u64,
}

/// Writes rows that were checked but not yet written (the `skip_bad` path).
async fn write_checked(
    store: &Store,
    tx: &mut attain_store::Tx,
    k: &KindRows,
    mut edit: Option<&mut Edit<'_>>,
) -> Result<u64, ImportError> {
    let suspended = if worth_suspending(k.inserted, k.existing.len() as u64) {
        Some(store.suspend_indexes(tx, k.kind).await?)
    } else {
        None
    };
    let mut affected = 0;
    for chunk in k.rows.chunks(CHUNK) {
        affected += write_rows(store, tx, k.kind, chunk, edit.as_deref_mut()).await?;
    }
    if let Some(suspended) = suspended {
        store.restore_indexes(tx, suspended).await?;
    }
    Ok(affected)
}

/// Reads and checks the next step of rows off the async runtime.
async fn next_step(source: KindSource) -> Result<Step, ImportError> {
    tokio::task::spawn_blocking(move || read_step(source)).await.map_err(|e| ImportError::File {
        path: "import".into(),
        reason: format!("the row check failed: {e}"),
    })?
}

/// The audit entry of a file import: the source and the counts written per kind.
fn import_change(audit: &super::ImportAudit, report: &ImportReport) -> crate::audit::Change {
    let counts: serde_json::Map<String, serde_json::Value> = report
        .kinds
        .iter()
        .map(|k| {
            let w = k.written;
            let value = serde_json::json!({
                "rows": k.rows, "inserted": w.inserted, "updated": w.updated,
                "unchanged": w.unchanged, "skipped": k.skipped,
            });
            (k.kind.name().to_string(), value)
        })
        .collect();
    crate::audit::Change::new(audit.action, "import", Some(audit.source.clone())).after(counts)
}
