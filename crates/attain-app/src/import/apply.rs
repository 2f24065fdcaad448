//! Checking a batch and writing it: parse and canonicalise every row, find duplicate keys and
//! dangling references, then write everything in one transaction, or nothing at all.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use attain_core::Kind;
use attain_core::record::{ColumnType, FieldError, Value, cells_from_text, key_of};
use attain_store::{Store, UpsertCount, worth_suspending};

use super::{ImportOptions, overlap};
use std::sync::Arc;

use super::batch::{Batch, Origin, SourceRow};
use super::report::{ImportError, ImportReport, KindReport, RowError};
use crate::progress::Progress;

/// A row that passed the per-row checks, waiting for the reference check. Only where it came
/// from is kept of its source text: a million-row import should not hold every cell twice.
struct Checked {
    origin: Arc<Origin>,
    line: u64,
    values: Vec<Value>,
}

impl AsRef<[Value]> for Checked {
    fn as_ref(&self) -> &[Value] {
        &self.values
    }
}

/// Rows written per store call, so the progress bar moves during a large import.
const WRITE_CHUNK: usize = 20_000;

/// Checks `batch` against the domain rules and the database, then writes it atomically.
/// Without `skip_bad`, one bad row means nothing is written and every problem is reported.
pub async fn apply(
    store: &Store,
    batch: Batch,
    options: ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    let unread = batch.unread.clone();
    let (rows_by_kind, mut errors) = batch.into_parts();
    let mut checked: Vec<(Kind, u64, Vec<Checked>)> = Vec::new();
    for (kind, rows) in rows_by_kind {
        // Rows that could not be read at all were still rows of the kind's file.
        let total = rows.len() as u64 + unread.get(&kind).copied().unwrap_or(0);
        let mut good = check_rows(kind, rows, &mut errors);
        drop_overlapping(store, kind, &mut good, &mut errors).await?;
        checked.push((kind, total, good));
    }

    check_references(store, &mut checked, &mut errors).await?;

    if !errors.is_empty() && !options.skip_bad {
        errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        return Err(ImportError::Rejected { errors });
    }

    // Rows that could not be read count as read-and-skipped for their kind.
    let total: u64 = checked.iter().map(|(_, _, rows)| rows.len() as u64).sum();
    progress.start("writing", total);
    let mut report = ImportReport::default();
    let mut tx = store.begin().await?;
    for (kind, read, rows) in &checked {
        let existing = store.keys(*kind).await?;
        let spec = kind.spec();
        let inserted = rows.iter().filter(|r| !existing.contains(&key_of(spec, &r.values))).count() as u64;
        let suspended = if worth_suspending(inserted, existing.len() as u64) {
            Some(store.suspend_indexes(&mut tx, *kind).await?)
        } else {
            None
        };
        let mut affected = 0;
        for chunk in rows.chunks(WRITE_CHUNK) {
            affected += store.upsert_rows(&mut tx, *kind, chunk).await?;
            progress.advance(chunk.len() as u64);
        }
        if let Some(suspended) = suspended {
            store.restore_indexes(&mut tx, suspended).await?;
        }
        let updated = affected.saturating_sub(inserted);
        let written = UpsertCount { inserted, updated, unchanged: rows.len() as u64 - inserted - updated };
        report.kinds.push(KindReport {
            kind: *kind,
            rows: *read,
            written,
            skipped: read - rows.len() as u64,
        });
    }
    tx.commit().await.map_err(attain_store::StoreError::from)?;
    progress.finish();
    errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    report.bad_rows = errors;
    Ok(report)
}

fn row_error(origin: &Origin, line: u64, kind: Kind, e: FieldError) -> RowError {
    let column = (!e.column.is_empty()).then(|| origin.column_name(kind, e.column));
    RowError {
        file: origin.file.clone(),
        line,
        column,
        value: (!e.value.is_empty()).then_some(e.value),
        reason: e.reason,
    }
}

/// Parses and canonicalises one row, returning its cells and key.
fn check_row(kind: Kind, source: &SourceRow) -> Result<(Vec<Value>, String), FieldError> {
    let spec = kind.spec();
    let values = kind.canonical(&cells_from_text(spec, &source.cells)?)?;
    if kind == Kind::Company
        && let Some(Value::Text(zone)) = spec.index_of("time_zone").map(|i| &values[i])
        && jiff::tz::TimeZone::get(zone).is_err()
    {
        return Err(FieldError::new("time_zone", zone.clone(), format!("'{zone}' is not a known time zone")));
    }
    let key = key_of(spec, &values);
    Ok((values, key))
}

/// Parses, canonicalises and de-duplicates the rows of one kind. Rows are independent until
/// the duplicate check, so that part runs on every core.
fn check_rows(kind: Kind, rows: Vec<SourceRow>, errors: &mut Vec<RowError>) -> Vec<Checked> {
    let spec = kind.spec();
    let parsed: Vec<_> = rows.par_iter().map(|source| check_row(kind, source)).collect();
    let mut first_seen: FxHashMap<String, (Arc<Origin>, u64)> = FxHashMap::default();
    first_seen.reserve(rows.len());
    let mut good = Vec::with_capacity(rows.len());
    for (source, result) in rows.into_iter().zip(parsed) {
        let (values, key) = match result {
            Ok(checked) => checked,
            Err(e) => {
                errors.push(row_error(&source.origin, source.line, kind, e));
                continue;
            }
        };
        if let Some((first, line)) = first_seen.get(&key) {
            let shown = key.replace('\t', " ");
            let where_ = if first.file == source.origin.file {
                format!("line {line}")
            } else {
                format!("{} line {line}", first.file)
            };
            let e = FieldError::new(
                spec.key[0],
                shown.clone(),
                format!("duplicate id '{shown}': {where_} has it already"),
            );
            errors.push(row_error(&source.origin, source.line, kind, e));
            continue;
        }
        first_seen.insert(key, (Arc::clone(&source.origin), source.line));
        good.push(Checked { origin: source.origin, line: source.line, values });
    }
    if kind == Kind::Company && good.len() > 1 {
        for extra in good.drain(1..) {
            let e = FieldError::new("id", "", "a company has one settings row");
            errors.push(row_error(&extra.origin, extra.line, kind, e));
        }
    }
    good
}

/// Removes (and reports) rows whose date range overlaps another version of the same thing.
async fn drop_overlapping(
    store: &Store,
    kind: Kind,
    rows: &mut Vec<Checked>,
    errors: &mut Vec<RowError>,
) -> Result<(), ImportError> {
    if kind.no_overlap().is_none() {
        return Ok(());
    }
    let view: Vec<_> = rows.iter().map(|r| (Arc::clone(&r.origin), r.line, r.values.as_slice())).collect();
    let found = overlap::overlapping(store, kind, &view).await?;
    let doomed: FxHashSet<usize> = found.iter().map(|(i, _)| *i).collect();
    errors.extend(found.into_iter().map(|(_, e)| e));
    let mut index = 0;
    rows.retain(|_| {
        index += 1;
        !doomed.contains(&(index - 1))
    });
    Ok(())
}

/// Removes (and reports) rows that refer to records that neither the database nor the batch
/// holds. A row dropped as bad can orphan others, so this repeats until nothing changes.
async fn check_references(
    store: &Store,
    checked: &mut [(Kind, u64, Vec<Checked>)],
    errors: &mut Vec<RowError>,
) -> Result<(), ImportError> {
    let referenced: FxHashSet<Kind> = checked
        .iter()
        .flat_map(|(kind, _, _)| kind.spec().columns.iter())
        .filter_map(|c| match c.ty {
            ColumnType::Ref(k) => Some(k),
            _ => None,
        })
        .collect();
    let mut stored: FxHashMap<Kind, FxHashSet<String>> = FxHashMap::default();
    for kind in referenced {
        stored.insert(kind, store.ids(kind).await?.into_iter().collect());
    }
    loop {
        // Find the orphans with borrowed ids, then drop them; repeat while that orphans more.
        let mut orphans: Vec<(usize, usize, RowError)> = Vec::new();
        {
            let in_batch: FxHashMap<Kind, FxHashSet<&str>> = checked
                .iter()
                .map(|(kind, _, rows)| (*kind, rows.iter().filter_map(|r| r.values[0].as_text()).collect()))
                .collect();
            let known = |kind: Kind, id: &str| {
                stored.get(&kind).is_some_and(|s| s.contains(id))
                    || in_batch.get(&kind).is_some_and(|s| s.contains(id))
            };
            for (k, (kind, _, rows)) in checked.iter().enumerate() {
                let spec = kind.spec();
                let refs: Vec<(usize, Kind)> = spec
                    .columns
                    .iter()
                    .enumerate()
                    .filter_map(|(i, c)| match c.ty {
                        ColumnType::Ref(target) => Some((i, target)),
                        _ => None,
                    })
                    .collect();
                if refs.is_empty() {
                    continue;
                }
                for (r, row) in rows.iter().enumerate() {
                    for &(i, target) in &refs {
                        if let Value::Text(id) = &row.values[i]
                            && !known(target, id)
                        {
                            let column = spec.columns[i].name;
                            let reason = format!("{} '{id}' does not exist", noun(target));
                            let e = FieldError::new(column, id.clone(), reason);
                            orphans.push((k, r, row_error(&row.origin, row.line, *kind, e)));
                            break;
                        }
                    }
                }
            }
        }
        if orphans.is_empty() {
            return Ok(());
        }
        let mut doomed: FxHashMap<usize, FxHashSet<usize>> = FxHashMap::default();
        for (k, r, error) in orphans {
            doomed.entry(k).or_default().insert(r);
            errors.push(error);
        }
        for (k, rows) in doomed {
            let mut index = 0;
            checked[k].2.retain(|_| {
                index += 1;
                !rows.contains(&(index - 1))
            });
        }
    }
}

/// How a message names one record of a kind.
fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Company => "company",
        Kind::People => "person",
        Kind::Positions => "position",
        Kind::Assignments => "assignment",
        Kind::Territories => "territory",
        Kind::TerritoryOwners => "territory owner",
        Kind::Products => "product",
        Kind::Accounts => "account",
        Kind::Contacts => "contact",
        Kind::Opportunities => "opportunity",
        Kind::StageHistory => "stage change",
        Kind::Activities => "activity",
        Kind::Transactions => "transaction",
        Kind::FxRates => "exchange rate",
    }
}
