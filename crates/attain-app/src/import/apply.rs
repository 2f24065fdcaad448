//! Checking a batch and writing it: parse and canonicalise every row, find duplicate keys and
//! dangling references, then write everything in one transaction, or nothing at all.

use std::collections::{HashMap, HashSet};

use attain_core::Kind;
use attain_core::record::{ColumnType, FieldError, Value, cells_from_text, key_of};
use attain_store::{Store, UpsertCount};

use super::ImportOptions;
use super::batch::{Batch, SourceRow};
use super::report::{ImportError, ImportReport, KindReport, RowError};
use crate::progress::Progress;

/// A row that passed the per-row checks, waiting for the reference check.
struct Checked {
    source: SourceRow,
    values: Vec<Value>,
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
    let (rows_by_kind, mut errors) = batch.into_parts();
    let mut checked: Vec<(Kind, u64, Vec<Checked>)> = Vec::new();
    for (kind, rows) in rows_by_kind {
        let total = rows.len() as u64;
        checked.push((kind, total, check_rows(kind, rows, &mut errors)));
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
        let values: Vec<Vec<Value>> = rows.iter().map(|r| r.values.clone()).collect();
        let mut affected = 0;
        for chunk in values.chunks(WRITE_CHUNK) {
            affected += store.upsert_rows(&mut tx, *kind, chunk).await?;
            progress.advance(chunk.len() as u64);
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

fn row_error(source: &SourceRow, kind: Kind, e: FieldError) -> RowError {
    let column = (!e.column.is_empty()).then(|| source.origin.column_name(kind, e.column));
    RowError {
        file: source.origin.file.clone(),
        line: source.line,
        column,
        value: (!e.value.is_empty()).then_some(e.value),
        reason: e.reason,
    }
}

/// Parses, canonicalises and de-duplicates the rows of one kind.
fn check_rows(kind: Kind, rows: Vec<SourceRow>, errors: &mut Vec<RowError>) -> Vec<Checked> {
    let spec = kind.spec();
    let mut first_seen: HashMap<String, (String, u64)> = HashMap::with_capacity(rows.len());
    let mut good = Vec::with_capacity(rows.len());
    for source in rows {
        let values = match cells_from_text(spec, &source.cells).and_then(|v| kind.canonical(&v)) {
            Ok(values) => values,
            Err(e) => {
                errors.push(row_error(&source, kind, e));
                continue;
            }
        };
        if kind == Kind::Company
            && let Some(Value::Text(zone)) = spec.index_of("time_zone").map(|i| &values[i])
            && jiff::tz::TimeZone::get(zone).is_err()
        {
            let e = FieldError::new("time_zone", zone.clone(), format!("'{zone}' is not a known time zone"));
            errors.push(row_error(&source, kind, e));
            continue;
        }
        let key = key_of(spec, &values);
        if let Some((file, line)) = first_seen.get(&key) {
            let shown = key.replace('\t', " ");
            let where_ = if *file == source.origin.file {
                format!("line {line}")
            } else {
                format!("{file} line {line}")
            };
            let e = FieldError::new(
                spec.key[0],
                shown.clone(),
                format!("duplicate id '{shown}': {where_} has it already"),
            );
            errors.push(row_error(&source, kind, e));
            continue;
        }
        first_seen.insert(key, (source.origin.file.clone(), source.line));
        good.push(Checked { source, values });
    }
    if kind == Kind::Company && good.len() > 1 {
        for extra in good.drain(1..) {
            let e = FieldError::new("id", "", "a company has one settings row");
            errors.push(row_error(&extra.source, kind, e));
        }
    }
    good
}

/// Removes (and reports) rows that refer to records that neither the database nor the batch
/// holds. A row dropped as bad can orphan others, so this repeats until nothing changes.
async fn check_references(
    store: &Store,
    checked: &mut [(Kind, u64, Vec<Checked>)],
    errors: &mut Vec<RowError>,
) -> Result<(), ImportError> {
    let referenced: HashSet<Kind> = checked
        .iter()
        .flat_map(|(kind, _, _)| kind.spec().columns.iter())
        .filter_map(|c| match c.ty {
            ColumnType::Ref(k) => Some(k),
            _ => None,
        })
        .collect();
    let mut stored: HashMap<Kind, HashSet<String>> = HashMap::new();
    for kind in referenced {
        stored.insert(kind, store.ids(kind).await?);
    }
    loop {
        let in_batch: HashMap<Kind, HashSet<String>> = checked
            .iter()
            .map(|(kind, _, rows)| {
                let ids = rows.iter().filter_map(|r| r.values[0].as_text().map(str::to_string)).collect();
                (*kind, ids)
            })
            .collect();
        let known = |kind: Kind, id: &str| {
            stored.get(&kind).is_some_and(|s| s.contains(id))
                || in_batch.get(&kind).is_some_and(|s| s.contains(id))
        };
        let mut dropped = false;
        for (kind, _, rows) in checked.iter_mut() {
            let spec = kind.spec();
            let before = rows.len();
            rows.retain(|row| {
                for (column, value) in spec.columns.iter().zip(&row.values) {
                    if let (ColumnType::Ref(target), Value::Text(id)) = (column.ty, value)
                        && !known(target, id)
                    {
                        let e = FieldError::new(
                            column.name,
                            id.clone(),
                            format!("{} '{id}' does not exist", noun(target)),
                        );
                        errors.push(row_error(&row.source, *kind, e));
                        return false;
                    }
                }
                true
            });
            dropped |= rows.len() != before;
        }
        if !dropped {
            return Ok(());
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
