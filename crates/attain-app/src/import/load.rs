//! A workspace directory loaded into memory, no database: what `attain calc --workspace`
//! computes from. The reference kinds (everything but the transactions; small) become a
//! [`Dataset`]; the transactions stream chunk by chunk into a [`FactStore`], never all held
//! as rows or records at once. Every row passes exactly the checks [`apply`](super::apply)
//! makes (`check.rs`: per row, duplicate keys, overlapping versions, dangling references,
//! against what the workspace itself holds), and any problem fails the whole load with every
//! problem reported, as `attain import` does without `--skip-bad`.

use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
use attain_core::Currency;
use attain_core::domain::{Transaction, TransactionRef};
use attain_core::record::key_of;
use attain_core::{Dataset, Kind, Value};
use attain_facts::{FactStore, Ids, Numbers, Transactions};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::batch::{KindSource, Origin, SourceRow};
use super::check::{
    CHUNK, Checked, Parsed, check_references, check_row_into, check_transaction, dangling_error,
    drop_overlapping, duplicate_error, keep_unique, one_company, row_error, sort_errors,
};
use super::columnar::{Columns, Memo, Refused, transaction_at};
use super::known::{Dangling, Known};
use super::report::{ImportError, RowError};
use super::sources::read_workspace;
use crate::generate::parquet::ParquetRows;

/// A workspace in memory: the reference data and the fact store built from it and the
/// transactions.
#[derive(Debug)]
pub struct Loaded {
    /// Every kind but the transactions, each list in key order (as read from a database).
    pub dataset: Dataset,
    pub facts: FactStore,
}

/// Reads the workspace files of `dir` (docs/workspace.md) into memory, checking every row.
pub fn load_workspace(dir: &Path) -> Result<Loaded, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::File {
            path: dir.display().to_string(),
            reason: "is not a directory".into(),
        });
    }
    let started = std::time::Instant::now();
    let (sources, mut errors) = read_workspace(dir)?.into_sources(CHUNK);
    let (mut transactions, references): (Vec<KindSource>, Vec<KindSource>) =
        sources.into_iter().partition(|s| s.kind == Kind::Transactions);
    let transactions = transactions.pop();
    // The reference kinds are checked apart from one another until the reference check, so
    // they are read side by side: each kind's reading and its duplicate-key pass run on one
    // thread, and the large kinds (opportunities, credit splits) fill each other's idle core.
    // Results come back in the sources' order, so the first file error reported is the same.
    let read: Vec<_> = references
        .into_par_iter()
        .map(|source| {
            let kind = source.kind;
            let mut found = Vec::new();
            let result = check_kind(source, &mut found);
            let rows = result.as_ref().map_or(0, |(rows, _)| rows.len());
            tracing::debug!(elapsed = ?started.elapsed(), ?kind, rows, "workspace: kind read and checked row by row");
            (kind, result, found)
        })
        .collect();
    let mut kinds: Vec<(Kind, Vec<Checked>, Dataset)> = Vec::with_capacity(read.len());
    for (kind, result, mut found) in read {
        errors.append(&mut found);
        let (rows, records) = result?;
        kinds.push((kind, rows, records));
    }
    // No reference kind names a transaction, so these are checked in full before the
    // transactions are read, against the workspace alone.
    let mut view: Vec<(Kind, &mut Vec<Checked>)> = kinds.iter_mut().map(|(k, rows, _)| (*k, rows)).collect();
    check_references(&|_, _| false, &mut view, &mut errors);
    tracing::debug!(elapsed = ?started.elapsed(), "workspace: references checked");
    let ordered: Vec<Dataset> = kinds
        .into_par_iter()
        .map(|(kind, mut rows, mut records)| {
            // In key order, as a database gives them back (`Dataset::sort` would rebuild every
            // record's cells to find its key; the checked rows have theirs).
            sort_in_key_order(kind, &mut rows);
            // Each row's record was parsed when the row was checked; the rows left out since
            // (duplicates, overlaps, dangling references) leave theirs out.
            let order: Vec<u32> = rows.iter().map(|r| r.record).collect();
            drop(rows);
            records.keep_in_order(kind, &order);
            records
        })
        .collect();
    let mut dataset = Dataset::default();
    for mut records in ordered {
        dataset.append(&mut records);
    }
    tracing::debug!(elapsed = ?started.elapsed(), "workspace: reference records in key order");
    let mut facts = FactStore::with_reference_data(&dataset);
    tracing::debug!(elapsed = ?started.elapsed(), "workspace: reference data checked and loaded");
    if let Some(source) = transactions {
        let known = Known::of(&dataset, &mut facts);
        let mut sink = TransactionSink::default();
        sink.read(source, &known, &mut facts, &mut errors)?;
        tracing::debug!(elapsed = ?started.elapsed(), rows = facts.transactions.len(), "workspace: transactions read");
        sink.finish(&mut facts, &mut errors);
        tracing::debug!(elapsed = ?started.elapsed(), "workspace: transactions checked across rows");
    }
    if !errors.is_empty() {
        sort_errors(&mut errors);
        return Err(ImportError::Rejected { errors });
    }
    facts.shrink_to_fit();
    Ok(Loaded { dataset, facts })
}

/// Sorts checked rows by their key as [`key_of`] strings compare. Where the key is one text
/// cell (every kind's id), the cells are compared as they are rather than copied into a key
/// string per row.
fn sort_in_key_order(kind: Kind, rows: &mut [Checked]) {
    let spec = kind.spec();
    if let [i] = spec.key_indexes()[..]
        && rows.iter().all(|r| matches!(r.values.get(i), Some(Value::Text(_) | Value::Null)))
    {
        rows.par_sort_by(|a, b| a.values[i].as_text().unwrap_or("").cmp(b.values[i].as_text().unwrap_or("")));
        return;
    }
    rows.par_sort_by_cached_key(|r| key_of(spec, &r.values));
}

/// One reference kind's rows, checked row by row, for duplicates and for overlaps, with the
/// record of every row that passed the per-row checks (a kept row's `record` is its place).
/// While one step is checked on every core, the next is read.
fn check_kind(
    mut source: KindSource,
    errors: &mut Vec<RowError>,
) -> Result<(Vec<Checked>, Dataset), ImportError> {
    let kind = source.kind;
    let none = std::collections::HashSet::new();
    let mut first_seen = FxHashMap::default();
    let mut passed = 0;
    let mut good = Vec::new();
    let mut records = Dataset::default();
    let mut step = read_rows(&mut source)?;
    while let Some(rows) = step.0.take() {
        errors.append(&mut step.1);
        let (parts, next) = rayon::join(|| check_rows(kind, &rows), || read_rows(&mut source));
        drop(rows);
        for (parsed, mut part) in parts {
            records.append(&mut part);
            good.extend(keep_unique(kind, parsed, &none, &mut first_seen, &mut passed, errors).0);
        }
        step = next?;
    }
    errors.append(&mut step.1);
    one_company(kind, &mut good, errors);
    drop_overlapping(&[], kind, &mut good, errors)?;
    Ok((good, records))
}

/// The next step of a source's rows as text, and the rows that could not be read.
fn read_rows(source: &mut KindSource) -> Result<(Option<Vec<SourceRow>>, Vec<RowError>), ImportError> {
    let mut errors = Vec::new();
    let mut unreadable = 0;
    let rows = source.next_chunk(CHUNK, &mut errors, &mut unreadable)?;
    Ok((rows, errors))
}

/// Checks a step's rows on every core, a task per run of rows: each task's rows as checked,
/// in order, and the records of those that passed.
fn check_rows(kind: Kind, rows: &[SourceRow]) -> Vec<(Parsed, Dataset)> {
    rows.par_chunks(ROWS_PER_TASK)
        .map(|chunk| {
            let mut records = Dataset::default();
            let parsed = chunk
                .iter()
                .map(|row| {
                    let result = check_row_into(kind, row, Some(&mut records));
                    (Arc::clone(&row.origin), row.line, result)
                })
                .collect();
            (parsed, records)
        })
        .collect()
}

/// Reference rows checked per task.
const ROWS_PER_TASK: usize = 4096;

/// A row checked: the transaction, its references' numbers and its first dangling reference,
/// or why the row is bad (boxed: rarely there, and steps hold tens of thousands of rows).
type CheckedRow<T> = Result<(T, Numbers, Option<Box<Dangling>>), Box<RowError>>;

/// A step of transaction rows read as text, checked on every core, a run of rows per task,
/// each run into a [`Chunk`] (`currencies` the store's list so far).
fn check_text_rows(
    rows: &[SourceRow],
    known: &Known<'_>,
    currencies: &[Currency],
) -> Vec<Result<Chunk, ImportError>> {
    rows.par_chunks(ROWS_PER_TASK)
        .map(|run| {
            let checked: Vec<(&Arc<Origin>, u64, CheckedRow<Transaction>)> = run
                .iter()
                .map(|row| {
                    let result = match check_transaction(row) {
                        Ok(t) => {
                            // Each text row owns its transaction: no run to remember across rows.
                            let (numbers, dangling) =
                                known.resolve(&row.origin, row.line, &t.borrowed(), &mut [None; 4]);
                            Ok((t, numbers, dangling))
                        }
                        Err(e) => Err(Box::new(row_error(&row.origin, row.line, Kind::Transactions, e))),
                    };
                    (&row.origin, row.line, result)
                })
                .collect();
            let view = checked.iter().map(|(origin, line, result)| {
                let result = match result {
                    Ok((t, numbers, dangling)) => Ok((t.borrowed(), *numbers, dangling.clone())),
                    Err(e) => Err(e.clone()),
                };
                (*origin, *line, result)
            });
            Chunk::of(run.len(), currencies, view)
        })
        .collect()
}

/// What is kept while transactions stream into the fact store, to check them across rows
/// once all are in: where each row came from, reversals to link, dangling references.
#[derive(Default)]
struct TransactionSink {
    /// (first row, its line, its file) wherever lines stop following rows one by one (a bad
    /// row left out, a second file): a few entries, not one per row.
    lines: Vec<(u32, u64, Arc<Origin>)>,
    /// (row, the id it reverses), linked once every row is in: an original may come later.
    pending: Vec<(u32, String)>,
    dangling: FxHashMap<u32, Dangling>,
    /// Bad rows met while pushing, handed on after each step.
    errors: Vec<RowError>,
}

impl TransactionSink {
    /// Streams every step of `source` into `facts`: each step is checked on every core, a run
    /// of rows per task into columns of its own ([`Chunk`]), while the next is read; the
    /// chunks are appended in order.
    fn read(
        &mut self,
        mut source: KindSource,
        known: &Known<'_>,
        facts: &mut FactStore,
        errors: &mut Vec<RowError>,
    ) -> Result<(), ImportError> {
        // The columns are sized once (a Parquet file's count is exact): grown by doubling, 10M
        // rows were copied and their fresh pages zeroed several times over.
        facts.transactions.reserve(usize::try_from(source.estimated).unwrap_or(0));
        if let Some(parquet) = source.take_parquet() {
            return self.read_parquet(parquet, known, facts, errors);
        }
        let (mut step, mut read_errors) = read_rows(&mut source)?;
        while let Some(rows) = step.take() {
            errors.append(&mut read_errors);
            let currencies = facts.currencies.clone();
            let (chunks, next) =
                rayon::join(|| check_text_rows(&rows, known, &currencies), || read_rows(&mut source));
            drop(rows);
            for chunk in chunks {
                self.absorb(facts, chunk?)?;
            }
            errors.extend(self.take_errors());
            (step, read_errors) = next?;
        }
        errors.append(&mut read_errors);
        Ok(())
    }

    /// Streams a Parquet file's batches into `facts`: each batch is checked on a core of its
    /// own into columns of its own (a [`Chunk`]), which are then appended in order; while one
    /// step is checked, the next is read.
    fn read_parquet(
        &mut self,
        mut parquet: ParquetRows,
        known: &Known<'_>,
        facts: &mut FactStore,
        errors: &mut Vec<RowError>,
    ) -> Result<(), ImportError> {
        let origin = Arc::clone(parquet.origin());
        let sources = parquet.columns().to_vec();
        let mut step = parquet.next_batches(PARQUET_STEP)?;
        while let Some((first_row, batches)) = step.take() {
            let currencies = facts.currencies.clone();
            let (chunks, next) = rayon::join(
                || check_batches(&batches, first_row, &sources, &origin, known, &currencies),
                || parquet.next_batches(PARQUET_STEP),
            );
            for chunk in chunks {
                self.absorb(facts, chunk?)?;
            }
            errors.extend(self.take_errors());
            step = next?;
        }
        Ok(())
    }

    /// Appends a step's good rows to `transactions` (whose currency indices point into
    /// `currencies`), keeping the bad rows' errors for [`TransactionSink::take_errors`].
    fn push_into<'t>(
        &mut self,
        transactions: &mut Transactions,
        currencies: &mut Vec<Currency>,
        rows: impl Iterator<Item = (&'t Arc<Origin>, u64, CheckedRow<TransactionRef<'t>>)>,
    ) -> Result<(), ImportError> {
        for (origin, line, result) in rows {
            let (t, numbers, dangling) = match result {
                Ok(checked) => checked,
                Err(e) => {
                    self.errors.push(*e);
                    continue;
                }
            };
            let row = row_number(transactions.len(), origin, line)?;
            self.note_line(row, line, origin);
            if let Some(d) = dangling {
                self.dangling.insert(row, *d);
            }
            if let Some(original) = t.original_id {
                self.pending.push((row, original.to_string()));
            }
            transactions.push_numbered(t, numbers, currencies);
        }
        Ok(())
    }

    /// Notes that row `row` is line `line` of `origin`, unless the rows before it already say
    /// so (a run of lines one by one).
    fn note_line(&mut self, row: u32, line: u64, origin: &Arc<Origin>) {
        let follows = self.lines.last().is_some_and(|(first, first_line, file)| {
            Arc::ptr_eq(file, origin) && first_line + u64::from(row - first) == line
        });
        if !follows {
            self.lines.push((row, line, Arc::clone(origin)));
        }
    }

    /// Appends a chunk's rows to the fact store and takes over what its sink kept of them,
    /// renumbered after the rows already in.
    fn absorb(&mut self, facts: &mut FactStore, chunk: Chunk) -> Result<(), ImportError> {
        let Chunk { sink, transactions, currencies } = chunk;
        let (columns, refs) = facts.columns_and_refs();
        let base = columns.len();
        if let Some((_, line, origin)) = sink.lines.first() {
            row_number(base + transactions.len().saturating_sub(1), origin, *line)?;
        }
        let base = base as u32;
        for (row, line, origin) in &sink.lines {
            self.note_line(base + row, *line, origin);
        }
        self.pending.extend(sink.pending.into_iter().map(|(row, id)| (base + row, id)));
        self.dangling.extend(sink.dangling.into_iter().map(|(row, d)| (base + row, d)));
        self.errors.extend(sink.errors);
        columns.append(transactions, &currencies, refs.currencies);
        Ok(())
    }

    fn take_errors(&mut self) -> Vec<RowError> {
        std::mem::take(&mut self.errors)
    }

    /// Where row `row` came from.
    fn origin_of(&self, row: u32) -> (&Origin, u64) {
        let i = self.lines.partition_point(|(first, _, _)| *first <= row).saturating_sub(1);
        let (first, line, origin) = &self.lines[i];
        (origin, line + u64::from(row - first))
    }

    /// The checks across rows, once every row is in: duplicate ids (a duplicate is dropped
    /// before its references are looked at), dangling references, reversals that name no
    /// transaction of the workspace or one dropped as bad; then links the reversals.
    fn finish(mut self, facts: &mut FactStore, errors: &mut Vec<RowError>) {
        let txns = &facts.transactions;
        let mut dead: FxHashSet<u32> = FxHashSet::default();
        for (first, again) in duplicate_rows(&txns.ids) {
            let key = txns.ids.get(again as usize);
            errors.push(duplicate_error(
                Kind::Transactions,
                &key,
                self.origin_of(first),
                self.origin_of(again),
            ));
            self.dangling.remove(&again);
            dead.insert(again);
        }
        dead.extend(self.dangling.keys().copied());
        let index = txns.index();
        // A binary search over every id per reversal, on every core.
        let targets: Vec<Option<u32>> = self.pending.par_iter().map(|(_, id)| index.find(txns, id)).collect();
        // A reversal whose original is missing is reported for that when the original_id
        // column comes before the row's first dangling one, as the reference check would.
        let replaced: Vec<(u32, RowError)> = self
            .pending
            .iter()
            .zip(&targets)
            .filter(|((row, _), target)| {
                target.is_none() && matches!(self.dangling.get(row), Some((_, true)))
            })
            .map(|((row, id), _)| {
                let (origin, line) = self.origin_of(*row);
                (
                    *row,
                    dangling_error(origin, line, Kind::Transactions, "original_id", Kind::Transactions, id),
                )
            })
            .collect();
        for (row, e) in replaced {
            self.dangling.insert(row, (e, false));
        }
        errors.extend(std::mem::take(&mut self.dangling).into_values().map(|(e, _)| e));
        // Orphans found in one pass can orphan reversals of themselves: repeat until none.
        loop {
            let orphans: Vec<usize> = (0..self.pending.len())
                .filter(|&i| {
                    let row = self.pending[i].0;
                    !dead.contains(&row) && targets[i].is_none_or(|o| dead.contains(&o))
                })
                .collect();
            if orphans.is_empty() {
                break;
            }
            for i in orphans {
                let (row, id) = &self.pending[i];
                let (origin, line) = self.origin_of(*row);
                errors.push(dangling_error(
                    origin,
                    line,
                    Kind::Transactions,
                    "original_id",
                    Kind::Transactions,
                    id,
                ));
                dead.insert(*row);
            }
        }
        facts.transactions.link(&self.pending);
    }
}

/// Rows per step read from a Parquet file: whole batches, enough for every core.
const PARQUET_STEP: usize = 1 << 16;

/// Rows checked apart into columns of their own, numbered from 0 (a batch per core): what
/// [`TransactionSink::absorb`] appends in order.
struct Chunk {
    sink: TransactionSink,
    transactions: Transactions,
    /// What `transactions`' currency indices point into.
    currencies: Vec<Currency>,
}

impl Chunk {
    /// Up to `rows` checked rows pushed into columns of their own; `currencies` is the
    /// store's currency list so far.
    fn of<'t>(
        rows: usize,
        currencies: &[Currency],
        checked: impl Iterator<Item = (&'t Arc<Origin>, u64, CheckedRow<TransactionRef<'t>>)>,
    ) -> Result<Chunk, ImportError> {
        let mut chunk = Chunk {
            sink: TransactionSink::default(),
            transactions: Transactions::default(),
            currencies: currencies.to_vec(),
        };
        chunk.transactions.reserve(rows);
        chunk.sink.push_into(&mut chunk.transactions, &mut chunk.currencies, checked)?;
        Ok(chunk)
    }
}

/// Row `row`'s number in the fact store, or the error for a file with more rows than it numbers.
fn row_number(row: usize, origin: &Origin, line: u64) -> Result<u32, ImportError> {
    u32::try_from(row).map_err(|_| ImportError::File {
        path: origin.file.clone(),
        reason: format!("line {line}: more than {} transactions", u32::MAX),
    })
}

/// Checks the rows of a step's batches, a batch per task, each into a [`Chunk`] (rows numbered
/// from `first_row`; `currencies` the store's list so far): the checked rows never exist as
/// more than the columns they become.
fn check_batches(
    batches: &[RecordBatch],
    first_row: u64,
    sources: &[Option<usize>],
    origin: &Arc<Origin>,
    known: &Known<'_>,
    currencies: &[Currency],
) -> Vec<Result<Chunk, ImportError>> {
    let mut starts = Vec::with_capacity(batches.len());
    let mut next = first_row;
    for batch in batches {
        starts.push(next);
        next += batch.num_rows() as u64;
    }
    batches
        .par_iter()
        .zip(starts)
        .map(|(batch, start)| {
            let columns = Columns::of(batch, sources);
            let mut memo = Memo::default();
            let mut last = [None; 4];
            let rows = (0..batch.num_rows()).map(|r| {
                let line = start + r as u64;
                let result = match transaction_at(&columns, r, &mut memo) {
                    Ok(t) => {
                        let (numbers, dangling) = known.resolve(origin, line, &t, &mut last);
                        Ok((t, numbers, dangling))
                    }
                    Err(Refused::Field(e)) => Err(Box::new(row_error(origin, line, Kind::Transactions, e))),
                    Err(Refused::Unreadable { column, value, reason }) => Err(Box::new(RowError {
                        file: origin.file.clone(),
                        line,
                        column: Some(column.to_string()),
                        value: Some(value),
                        reason,
                    })),
                };
                (origin, line, result)
            });
            Chunk::of(batch.num_rows(), currencies, rows)
        })
        .collect()
}

/// Rows whose id an earlier row has: (the first row with it, the later row), without making
/// a string of every id. Numbered ids in ascending order (what generators and most exports
/// write) have none by construction; otherwise rows are sorted by id.
fn duplicate_rows(ids: &Ids) -> Vec<(u32, u32)> {
    let mut order: Vec<u32> = (0..ids.len() as u32).collect();
    let same: Box<dyn Fn(u32, u32) -> bool + '_> = match ids {
        Ids::Numbered { numbers, ascending, .. } => {
            // Kept as rows came: each number above the one before.
            if *ascending {
                return Vec::new();
            }
            order.par_sort_unstable_by_key(|&r| (numbers.get(r as usize), r));
            Box::new(|a, b| numbers.get(a as usize) == numbers.get(b as usize))
        }
        Ids::Text { bytes, ends } => {
            let id = |r: u32| {
                let start = if r == 0 { 0 } else { ends[r as usize - 1] as usize };
                &bytes[start..ends[r as usize] as usize]
            };
            order.par_sort_unstable_by(|a, b| id(*a).cmp(id(*b)).then(a.cmp(b)));
            Box::new(move |a, b| id(a) == id(b))
        }
    };
    let mut found = Vec::new();
    let mut first = None;
    for pair in order.windows(2) {
        if same(pair[0], pair[1]) {
            let head = *first.get_or_insert(pair[0]);
            found.push((head, pair[1]));
        } else {
            first = None;
        }
    }
    found
}
