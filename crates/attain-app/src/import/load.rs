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
use attain_core::domain::{Transaction, TransactionRef};
use attain_core::record::key_of;
use attain_core::{Dataset, Kind, Value};
use attain_facts::{FactStore, Ids, NONE, Numbers};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::batch::{KindSource, Origin};
use super::check::{
    CHUNK, Checked, check_references, check_transaction, dangling_error, drop_overlapping, duplicate_error,
    keep_unique, one_company, read_step, row_error, sort_errors,
};
use super::columnar::{Columns, Memo, Refused, transaction_at};
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
    let mut kinds: Vec<(Kind, Vec<Checked>)> = Vec::new();
    let mut transactions = None;
    for source in sources {
        if source.kind == Kind::Transactions {
            transactions = Some(source);
        } else {
            let kind = source.kind;
            kinds.push((kind, check_kind(source, &mut errors)?));
        }
    }
    // No reference kind names a transaction, so these are checked in full before the
    // transactions are read, against the workspace alone.
    let mut view: Vec<(Kind, &mut Vec<Checked>)> = kinds.iter_mut().map(|(k, rows)| (*k, rows)).collect();
    check_references(&|_, _| false, &mut view, &mut errors);
    let mut dataset = Dataset::default();
    for (kind, mut rows) in kinds {
        // In key order, as a database gives them back (`Dataset::sort` would rebuild every
        // record's cells to find its key; the checked rows have theirs).
        sort_in_key_order(kind, &mut rows);
        // Parsed into records in chunks on every core, joined in order.
        let parts: Vec<(Dataset, Vec<RowError>)> = rows
            .par_chunks(RECORDS_PER_TASK)
            .map(|chunk| {
                let mut part = Dataset::default();
                let mut bad = Vec::new();
                for row in chunk {
                    if let Err(e) = part.extend_from_rows(kind, std::slice::from_ref(&row.values)) {
                        // Canonical cells always parse again; should one not, it is still
                        // reported.
                        bad.push(row_error(&row.origin, row.line, kind, e));
                    }
                }
                (part, bad)
            })
            .collect();
        for (mut part, mut bad) in parts {
            dataset.append(&mut part);
            errors.append(&mut bad);
        }
    }
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
    facts.transactions.shrink_to_fit();
    Ok(Loaded { dataset, facts })
}

/// Reference rows parsed into records per task.
const RECORDS_PER_TASK: usize = 16_384;

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

/// One reference kind's rows, checked row by row, for duplicates and for overlaps.
fn check_kind(source: KindSource, errors: &mut Vec<RowError>) -> Result<Vec<Checked>, ImportError> {
    let kind = source.kind;
    let none = std::collections::HashSet::new();
    let mut first_seen = FxHashMap::default();
    let mut good = Vec::new();
    let mut step = read_step(source)?;
    loop {
        errors.append(&mut step.errors);
        let Some(parsed) = step.parsed.take() else { break };
        good.extend(keep_unique(kind, parsed, &none, &mut first_seen, errors).0);
        step = read_step(step.source)?;
    }
    one_company(kind, &mut good, errors);
    drop_overlapping(&[], kind, &mut good, errors)?;
    Ok(good)
}

/// The ids a transaction may name, as the checked reference data holds them, each with its
/// number in the fact store's interner: checking a reference also finds what the store keeps
/// for it, on every core, so the push into the store hashes no reference again.
struct Known<'a> {
    accounts: FxHashMap<&'a str, u32>,
    products: FxHashMap<&'a str, u32>,
    opportunities: FxHashMap<&'a str, u32>,
    people: FxHashMap<&'a str, u32>,
}

/// A dangling reference found while a row was checked, and whether it comes after the
/// `original_id` column (the reference check reports a row's first dangling column, and the
/// original is only known once every transaction is in).
type Dangling = (RowError, bool);

impl<'a> Known<'a> {
    /// The store was built from `data` (`FactStore::with_reference_data`), so every id is
    /// interned already; interning here only looks the numbers up.
    fn of(data: &'a Dataset, facts: &mut FactStore) -> Known<'a> {
        fn numbered<'a>(
            ids: impl Iterator<Item = &'a str>,
            interner: &mut attain_facts::Interner,
        ) -> FxHashMap<&'a str, u32> {
            ids.map(|id| (id, interner.intern(id))).collect()
        }
        Known {
            accounts: numbered(data.accounts.iter().map(|r| r.id.as_str()), &mut facts.accounts),
            products: numbered(data.products.iter().map(|r| r.id.as_str()), &mut facts.products),
            opportunities: numbered(
                data.opportunities.iter().map(|r| r.id.as_str()),
                &mut facts.opportunities,
            ),
            people: numbered(data.people.iter().map(|r| r.id.as_str()), &mut facts.people),
        }
    }

    /// The numbers of `t`'s references (`NONE` where it has none or names nothing), and the
    /// first reference (in column order, the original aside) naming nothing.
    fn resolve(
        &self,
        origin: &Origin,
        line: u64,
        t: &TransactionRef<'_>,
    ) -> (Numbers, Option<Box<Dangling>>) {
        let refs = [
            ("account_id", Kind::Accounts, t.account_id, &self.accounts, false),
            ("product_id", Kind::Products, t.product_id, &self.products, false),
            ("opportunity_id", Kind::Opportunities, t.opportunity_id, &self.opportunities, false),
            ("owner_id", Kind::People, t.owner_id, &self.people, true),
        ];
        let mut numbers = [NONE; 4];
        let mut dangling = None;
        for (n, (column, target, id, known, after_original)) in refs.into_iter().enumerate() {
            let Some(id) = id else { continue };
            match known.get(id) {
                Some(number) => numbers[n] = *number,
                None if dangling.is_none() => {
                    let e = dangling_error(origin, line, Kind::Transactions, column, target, id);
                    dangling = Some(Box::new((e, after_original)));
                }
                None => {}
            }
        }
        let [account, product, opportunity, owner] = numbers;
        (Numbers { account, product, opportunity, owner }, dangling)
    }
}

/// A row checked: the transaction, its references' numbers and its first dangling reference,
/// or why the row is bad (boxed: rarely there, and steps hold tens of thousands of rows).
type CheckedRow<T> = Result<(T, Numbers, Option<Box<Dangling>>), Box<RowError>>;

/// One step of transactions read as text, checked.
type CheckedStep = Vec<(Arc<Origin>, u64, CheckedRow<Transaction>)>;

/// Reads the next step of transactions and checks its rows on every core.
fn read_transactions(
    mut source: KindSource,
    known: &Known<'_>,
) -> Result<(KindSource, Vec<RowError>, Option<CheckedStep>), ImportError> {
    let mut errors = Vec::new();
    let mut unreadable = 0;
    let rows = source.next_chunk(CHUNK, &mut errors, &mut unreadable)?;
    let checked = rows.map(|rows| {
        rows.into_par_iter()
            .map(|row| {
                let result = match check_transaction(&row) {
                    Ok(t) => {
                        let (numbers, dangling) = known.resolve(&row.origin, row.line, &t.borrowed());
                        Ok((t, numbers, dangling))
                    }
                    Err(e) => Err(Box::new(row_error(&row.origin, row.line, Kind::Transactions, e))),
                };
                (row.origin, row.line, result)
            })
            .collect()
    });
    Ok((source, errors, checked))
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
    /// Streams every step of `source` into `facts`; while one step is pushed, the next is read
    /// (and, from text, checked).
    fn read(
        &mut self,
        mut source: KindSource,
        known: &Known<'_>,
        facts: &mut FactStore,
        errors: &mut Vec<RowError>,
    ) -> Result<(), ImportError> {
        if let Some(parquet) = source.take_parquet() {
            return self.read_parquet(parquet, known, facts, errors);
        }
        let (mut source, mut read_errors, mut step) = read_transactions(source, known)?;
        while let Some(rows) = step.take() {
            errors.append(&mut read_errors);
            let view = rows.iter().map(|(origin, line, result)| {
                let result = match result {
                    Ok((t, numbers, dangling)) => Ok((t.borrowed(), *numbers, dangling.clone())),
                    Err(e) => Err(e.clone()),
                };
                (origin, *line, result)
            });
            let (pushed, next) = rayon::join(|| self.push(facts, view), || read_transactions(source, known));
            pushed?;
            errors.extend(self.take_errors());
            (source, read_errors, step) = next?;
        }
        errors.append(&mut read_errors);
        Ok(())
    }

    /// Streams a Parquet file's batches into `facts`, checking their columns in place on every
    /// core; while one step is pushed, the next is read.
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
            let rows = check_batches(&batches, first_row, &sources, &origin, known);
            let view = rows.into_iter().flatten().map(|(line, result)| (&origin, line, result));
            let (pushed, next) =
                rayon::join(|| self.push(facts, view), || parquet.next_batches(PARQUET_STEP));
            pushed?;
            errors.extend(self.take_errors());
            step = next?;
        }
        Ok(())
    }

    /// Appends a step's good rows to the fact store, keeping the bad rows' errors for
    /// [`TransactionSink::take_errors`].
    fn push<'t>(
        &mut self,
        facts: &mut FactStore,
        rows: impl Iterator<Item = (&'t Arc<Origin>, u64, CheckedRow<TransactionRef<'t>>)>,
    ) -> Result<(), ImportError> {
        let (transactions, refs) = facts.columns_and_refs();
        let currencies = refs.currencies;
        for (origin, line, result) in rows {
            let (t, numbers, dangling) = match result {
                Ok(checked) => checked,
                Err(e) => {
                    self.errors.push(*e);
                    continue;
                }
            };
            let row = u32::try_from(transactions.len()).map_err(|_| ImportError::File {
                path: origin.file.clone(),
                reason: format!("line {line}: more than {} transactions", u32::MAX),
            })?;
            let follows = self.lines.last().is_some_and(|(first, first_line, file)| {
                Arc::ptr_eq(file, origin) && first_line + u64::from(row - first) == line
            });
            if !follows {
                self.lines.push((row, line, Arc::clone(origin)));
            }
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
        let targets: Vec<Option<u32>> = self.pending.iter().map(|(_, id)| index.find(txns, id)).collect();
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

/// Checks the rows of a step's batches, a batch per task: per batch, in row order, each row's
/// number (from `first_row`) and its transaction, borrowed from the batch, or its error.
fn check_batches<'b>(
    batches: &'b [RecordBatch],
    first_row: u64,
    sources: &[Option<usize>],
    origin: &Arc<Origin>,
    known: &Known<'_>,
) -> Vec<Vec<(u64, CheckedRow<TransactionRef<'b>>)>> {
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
            (0..batch.num_rows())
                .map(|r| {
                    let line = start + r as u64;
                    let result = match transaction_at(&columns, r, &mut memo) {
                        Ok(t) => {
                            let (numbers, dangling) = known.resolve(origin, line, &t);
                            Ok((t, numbers, dangling))
                        }
                        Err(Refused::Field(e)) => {
                            Err(Box::new(row_error(origin, line, Kind::Transactions, e)))
                        }
                        Err(Refused::Unreadable { column, value, reason }) => Err(Box::new(RowError {
                            file: origin.file.clone(),
                            line,
                            column: Some(column.to_string()),
                            value: Some(value),
                            reason,
                        })),
                    };
                    (line, result)
                })
                .collect()
        })
        .collect()
}

/// Rows whose id an earlier row has: (the first row with it, the later row), without making
/// a string of every id. Numbered ids in ascending order (what generators and most exports
/// write) have none by construction; otherwise rows are sorted by id.
fn duplicate_rows(ids: &Ids) -> Vec<(u32, u32)> {
    let mut order: Vec<u32> = (0..ids.len() as u32).collect();
    let same: Box<dyn Fn(u32, u32) -> bool + '_> = match ids {
        Ids::Numbered { numbers, .. } => {
            if numbers.is_sorted_by(|a, b| a < b) {
                return Vec::new();
            }
            order.par_sort_unstable_by_key(|&r| (numbers[r as usize], r));
            Box::new(|a, b| numbers[a as usize] == numbers[b as usize])
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
