//! The checks of an import, shared by its two sinks: [`apply`](super::apply), which writes
//! the rows into a database, and [`load`](super::load), which builds a workspace in memory
//! for `attain calc --workspace`. Per row: text → cells → the domain rules (`check_row`);
//! across rows: duplicate keys, overlapping versions and dangling references. Every problem
//! becomes a [`RowError`] naming the file, line, column and value, worded the same whichever
//! sink found it.

use std::sync::Arc;

use attain_core::domain::Transaction;
use attain_core::record::{ColumnType, FieldError, Record, Value, cells_from, key_of};
use attain_core::{Dataset, Kind};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::batch::{KindSource, Origin, SourceRow};
use super::overlap;
use super::report::{ImportError, RowError};

/// Rows checked per step. While one step's rows are written (or pushed into a fact store), the
/// next step's are read and checked.
pub(super) const CHUNK: usize = 25_000;

/// A row that passed the per-row checks, waiting for the reference check. Only where it came
/// from is kept of its source text: a million-row import should not hold every cell twice.
pub(super) struct Checked {
    pub origin: Arc<Origin>,
    pub line: u64,
    pub values: Vec<Value>,
    /// The row's place among its kind's rows that passed the per-row checks, as read: where
    /// a sink that parsed the row's record as it checked it ([`check_row_into`]) keeps it.
    pub record: u32,
}

impl AsRef<[Value]> for Checked {
    fn as_ref(&self) -> &[Value] {
        &self.values
    }
}

/// Each row of a step as checked: its canonical cells and key, or why it is bad.
pub(super) type Parsed = Vec<(Arc<Origin>, u64, Result<(Vec<Value>, String), FieldError>)>;

/// One step of a source: the rows read and checked (`None` once the source is exhausted),
/// the rows that could not be read, and the source to continue from.
pub(super) struct Step {
    pub source: KindSource,
    pub read: u64,
    pub errors: Vec<RowError>,
    pub parsed: Option<Parsed>,
}

/// Reads the next step of rows (up to [`CHUNK`]) and checks each row on every core. Each
/// row's source text is dropped as soon as it is checked.
pub(super) fn read_step(mut source: KindSource) -> Result<Step, ImportError> {
    let kind = source.kind;
    let mut errors = Vec::new();
    let mut unreadable = 0;
    let rows = source.next_chunk(CHUNK, &mut errors, &mut unreadable)?;
    let read = rows.as_ref().map_or(0, |r| r.len() as u64) + unreadable;
    let parsed = rows.map(|rows| {
        rows.into_par_iter()
            .map(|row| {
                let result = check_row(kind, &row);
                (row.origin, row.line, result)
            })
            .collect()
    });
    Ok(Step { source, read, errors, parsed })
}

/// A row's text as cells of its kind: integers and money parsed, the rest trimmed text.
fn cells_of(kind: Kind, source: &SourceRow) -> Result<Vec<Value>, FieldError> {
    cells_from(kind.spec(), |i| source.cells.get(i))
}

/// Parses and canonicalises one row, returning its cells and key.
pub(super) fn check_row(kind: Kind, source: &SourceRow) -> Result<(Vec<Value>, String), FieldError> {
    check_row_into(kind, source, None)
}

/// [`check_row`], appending the row's record to `records` when it passes (and only then).
pub(super) fn check_row_into(
    kind: Kind,
    source: &SourceRow,
    mut records: Option<&mut Dataset>,
) -> Result<(Vec<Value>, String), FieldError> {
    let spec = kind.spec();
    let cells = cells_of(kind, source)?;
    let values = match records.as_deref_mut() {
        Some(records) => records.push_canonical(kind, &cells)?,
        None => kind.canonical(&cells)?,
    };
    if kind == Kind::Company
        && let Some(Value::Text(zone)) = spec.index_of("time_zone").map(|i| &values[i])
        && jiff::tz::TimeZone::get(zone).is_err()
    {
        if let Some(records) = records {
            records.pop(kind);
        }
        return Err(FieldError::new("time_zone", zone.clone(), format!("'{zone}' is not a known time zone")));
    }
    let key = key_of(spec, &values);
    Ok((values, key))
}

/// One transaction row checked exactly as [`check_row`] checks it (`Kind::canonical` is
/// `from_values` then `to_values`, which cannot fail), given as the record itself: a sink that
/// keeps records, not cells, need not build the canonical cells only to parse them again.
/// Its key is the record's id.
pub(super) fn check_transaction(source: &SourceRow) -> Result<Transaction, FieldError> {
    Transaction::from_values(&cells_of(Kind::Transactions, source)?)
}

/// Reports bad rows and duplicate keys (against every earlier chunk), keeping the rest; also
/// counts the kept rows whose key is not in `existing` (new records). `passed` counts the
/// rows of the kind that passed the per-row checks so far (each kept row's `record`).
pub(super) fn keep_unique(
    kind: Kind,
    parsed: Parsed,
    existing: &std::collections::HashSet<String>,
    first_seen: &mut FxHashMap<String, (Arc<Origin>, u64)>,
    passed: &mut u32,
    errors: &mut Vec<RowError>,
) -> (Vec<Checked>, u64) {
    let mut good = Vec::with_capacity(parsed.len());
    let mut inserted = 0;
    for (origin, line, result) in parsed {
        let (values, key) = match result {
            Ok(checked) => checked,
            Err(e) => {
                errors.push(row_error(&origin, line, kind, e));
                continue;
            }
        };
        let record = *passed;
        *passed += 1;
        if let Some((first, first_line)) = first_seen.get(&key) {
            errors.push(duplicate_error(kind, &key, (first, *first_line), (&origin, line)));
            continue;
        }
        inserted += u64::from(!existing.contains(&key));
        first_seen.insert(key, (Arc::clone(&origin), line));
        good.push(Checked { origin, line, values, record });
    }
    (good, inserted)
}

/// The error for a row (`at`) whose key an earlier row (`first`) has already.
pub(super) fn duplicate_error(
    kind: Kind,
    key: &str,
    (first, first_line): (&Origin, u64),
    (origin, line): (&Origin, u64),
) -> RowError {
    let shown = key.replace('\t', " ");
    let where_ = if first.file == origin.file {
        format!("line {first_line}")
    } else {
        format!("{} line {first_line}", first.file)
    };
    let e = FieldError::new(
        kind.spec().key[0],
        shown.clone(),
        format!("duplicate id '{shown}': {where_} has it already"),
    );
    row_error(origin, line, kind, e)
}

pub(super) fn row_error(origin: &Origin, line: u64, kind: Kind, e: FieldError) -> RowError {
    let column = (!e.column.is_empty()).then(|| origin.column_name(kind, e.column));
    RowError {
        file: origin.file.clone(),
        line,
        column,
        value: (!e.value.is_empty()).then_some(e.value),
        reason: e.reason,
    }
}

/// A company has one settings row: every further one is reported and dropped.
pub(super) fn one_company(kind: Kind, good: &mut Vec<Checked>, errors: &mut Vec<RowError>) {
    if kind == Kind::Company && good.len() > 1 {
        for extra in good.drain(1..) {
            let e = FieldError::new("id", "", "a company has one settings row");
            errors.push(row_error(&extra.origin, extra.line, kind, e));
        }
    }
}

/// Removes (and reports) rows whose date range overlaps another version of the same thing.
pub(super) fn drop_overlapping(
    stored: &[Vec<Value>],
    kind: Kind,
    rows: &mut Vec<Checked>,
    errors: &mut Vec<RowError>,
) -> Result<(), ImportError> {
    if kind.no_overlap().is_none() {
        return Ok(());
    }
    let view: Vec<_> = rows.iter().map(|r| (Arc::clone(&r.origin), r.line, r.values.as_slice())).collect();
    let found = overlap::overlapping(stored, kind, &view)?;
    let doomed: FxHashSet<usize> = found.iter().map(|(i, _)| *i).collect();
    errors.extend(found.into_iter().map(|(_, e)| e));
    let mut index = 0;
    rows.retain(|_| {
        index += 1;
        !doomed.contains(&(index - 1))
    });
    Ok(())
}

/// Refuses rows that would change a stored row which may no longer change ([`Kind::fixed`]:
/// an approved revenue plan); the same row written again unchanged passes. `fixed` holds the
/// kind's fixed stored rows by key.
pub(super) fn drop_changing_fixed(
    fixed: &FxHashMap<String, Vec<Value>>,
    kind: Kind,
    rows: &mut Vec<Checked>,
    errors: &mut Vec<RowError>,
) {
    if fixed.is_empty() {
        return;
    }
    let spec = kind.spec();
    rows.retain(|row| {
        let Some(stored) = fixed.get(&key_of(spec, &row.values)) else { return true };
        if *stored == row.values {
            return true;
        }
        errors.push(RowError {
            file: row.origin.file.clone(),
            line: row.line,
            column: Some(row.origin.column_name(kind, "status")),
            value: None,
            reason: kind.fixed(stored).unwrap_or_else(|| "this record no longer changes".into()),
        });
        false
    });
}

/// The stored rows of a kind that belong to a fixed parent row ([`Kind::fixed_with`]: an
/// approved quota sheet's lines), and why each parent is fixed.
pub(super) struct FixedParents {
    column: usize,
    /// Parent id → why it no longer changes.
    parents: FxHashMap<String, String>,
    /// The stored rows belonging to them, by key.
    rows: FxHashMap<String, Vec<Value>>,
}

impl FixedParents {
    pub(super) async fn read(
        store: &attain_store::Store,
        kind: Kind,
        parent_kind: Kind,
        column: &str,
    ) -> Result<FixedParents, attain_store::StoreError> {
        let parent_spec = parent_kind.spec();
        let parents: FxHashMap<String, String> = store
            .rows(parent_kind)
            .await?
            .into_iter()
            .filter_map(|r| parent_kind.fixed(&r).map(|why| (key_of(parent_spec, &r), why)))
            .collect();
        let spec = kind.spec();
        let column = spec.index_of(column).unwrap_or(0);
        let rows = if parents.is_empty() {
            FxHashMap::default()
        } else {
            let of_fixed = |r: &Vec<Value>| {
                r.get(column).and_then(Value::as_text).is_some_and(|p| parents.contains_key(p))
            };
            store.rows(kind).await?.into_iter().filter(of_fixed).map(|r| (key_of(spec, &r), r)).collect()
        };
        Ok(FixedParents { column, parents, rows })
    }

    /// Refuses rows that would change, or add to, the rows of a fixed parent; the same row
    /// written again unchanged passes, so re-imports stay idempotent.
    pub(super) fn drop_changes(&self, kind: Kind, rows: &mut Vec<Checked>, errors: &mut Vec<RowError>) {
        if self.parents.is_empty() {
            return;
        }
        let spec = kind.spec();
        rows.retain(|row| {
            let stored = self.rows.get(&key_of(spec, &row.values));
            if stored.is_some_and(|s| *s == row.values) {
                return true;
            }
            // The parent the row belongs to now, or belonged to as stored.
            let parent_of =
                |values: &Vec<Value>| values.get(self.column).and_then(Value::as_text).map(str::to_string);
            let parent = stored.and_then(parent_of).or_else(|| parent_of(&row.values));
            let Some(why) = parent.and_then(|p| self.parents.get(&p)) else { return true };
            errors.push(RowError {
                file: row.origin.file.clone(),
                line: row.line,
                column: Some(row.origin.column_name(kind, spec.columns[self.column].name)),
                value: None,
                reason: why.clone(),
            });
            false
        });
    }
}

/// The kinds that rows of `kinds` refer to.
pub(super) fn referenced_kinds(kinds: impl Iterator<Item = Kind>) -> FxHashSet<Kind> {
    kinds
        .flat_map(|k| k.spec().columns.iter())
        .filter_map(|c| match c.ty {
            ColumnType::Ref(k) => Some(k),
            _ => None,
        })
        .collect()
}

/// The reference columns of a kind: (column index, the kind it names).
pub(super) fn ref_columns(kind: Kind) -> Vec<(usize, Kind)> {
    kind.spec()
        .columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c.ty {
            ColumnType::Ref(target) => Some((i, target)),
            _ => None,
        })
        .collect()
}

/// The error for a row whose `column` names a record of `target` that does not exist.
pub(super) fn dangling_error(
    origin: &Origin,
    line: u64,
    kind: Kind,
    column: &'static str,
    target: Kind,
    id: &str,
) -> RowError {
    let reason = format!("{} '{id}' does not exist", noun(target));
    row_error(origin, line, kind, FieldError::new(column, id, reason))
}

/// Removes (and reports) rows that refer to records that neither `elsewhere` (the database's
/// ids, or what a sink holds outside `checked`) nor `checked` holds. A row dropped as bad can
/// orphan others, so this repeats until nothing changes.
pub(super) fn check_references(
    elsewhere: &(dyn Fn(Kind, &str) -> bool + Sync),
    checked: &mut [(Kind, &mut Vec<Checked>)],
    errors: &mut Vec<RowError>,
) {
    // Only the kinds some row can name need their ids gathered (at 10M transactions the
    // 1.4M credit splits are named by nothing); each kind's set is sized once and built on a
    // core of its own.
    let named = referenced_kinds(checked.iter().map(|(kind, _)| *kind));
    loop {
        // Find the orphans with borrowed ids, then drop them; repeat while that orphans more.
        let mut orphans: Vec<(usize, usize, RowError)> = Vec::new();
        {
            let in_batch: FxHashMap<Kind, FxHashSet<&str>> = checked
                .par_iter()
                .filter(|(kind, _)| named.contains(kind))
                .map(|(kind, rows)| {
                    let mut ids = FxHashSet::with_capacity_and_hasher(rows.len(), Default::default());
                    ids.extend(rows.iter().filter_map(|r| r.values[0].as_text()));
                    (*kind, ids)
                })
                .collect();
            let known = |kind: Kind, id: &str| {
                elsewhere(kind, id) || in_batch.get(&kind).is_some_and(|s| s.contains(id))
            };
            for (k, (kind, rows)) in checked.iter().enumerate() {
                let refs = ref_columns(*kind);
                if refs.is_empty() {
                    continue;
                }
                let spec = kind.spec();
                // Rows are looked at on every core: at 10M transactions the reference kinds
                // hold 2.5M references to probe.
                let found: Vec<(usize, RowError)> = rows
                    .par_iter()
                    .enumerate()
                    .filter_map(|(r, row)| {
                        refs.iter().find_map(|&(i, target)| match &row.values[i] {
                            Value::Text(id) if !known(target, id) => {
                                let column = spec.columns[i].name;
                                Some((r, dangling_error(&row.origin, row.line, *kind, column, target, id)))
                            }
                            _ => None,
                        })
                    })
                    .collect();
                orphans.extend(found.into_iter().map(|(r, e)| (k, r, e)));
            }
        }
        if orphans.is_empty() {
            return;
        }
        let mut doomed: FxHashMap<usize, FxHashSet<usize>> = FxHashMap::default();
        for (k, r, error) in orphans {
            doomed.entry(k).or_default().insert(r);
            errors.push(error);
        }
        for (k, rows) in doomed {
            let mut index = 0;
            checked[k].1.retain(|_| {
                index += 1;
                !rows.contains(&(index - 1))
            });
        }
    }
}

/// How a message names one record of a kind.
pub(super) fn noun(kind: Kind) -> &'static str {
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
        Kind::Quotas => "quota",
        Kind::PlanAssignments => "plan assignment",
        Kind::CreditSplits => "credit split",
        Kind::Adjustments => "adjustment",
        Kind::ObjectiveScores => "objective score",
        Kind::RevenuePlans => "revenue plan",
        Kind::QuotaSheets => "quota sheet",
        Kind::Objectives => "objective",
        Kind::TerritoryRules => "assignment rule",
        Kind::AccountTerritories => "account territory",
    }
}

/// The errors in file and line order, as every import reports them.
pub(super) fn sort_errors(errors: &mut [RowError]) {
    errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
}
