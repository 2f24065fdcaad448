//! A workspace directory loaded into memory, no database: what `attain calc --workspace`
//! computes from. The reference kinds (everything but the transactions; small) become a
//! [`Dataset`]; the transactions stream chunk by chunk into a [`FactStore`], never all held
//! as rows or records at once. Every row passes exactly the checks [`apply`](super::apply)
//! makes (`check.rs`: per row, duplicate keys, overlapping versions, dangling references,
//! against what the workspace itself holds), and any problem fails the whole load with every
//! problem reported, as `attain import` does without `--skip-bad`.

use std::path::Path;
use std::sync::Arc;

use attain_core::domain::Transaction;
use attain_core::record::{FieldError, key_of};
use attain_core::{Dataset, Kind};
use attain_facts::{FactStore, Ids};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::batch::{KindSource, Origin};
use super::check::{
    CHUNK, Checked, check_references, check_transaction, dangling_error, drop_overlapping, duplicate_error,
    keep_unique, one_company, read_step, row_error, sort_errors,
};
use super::report::{ImportError, RowError};
use super::sources::read_workspace;

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
        let spec = kind.spec();
        rows.sort_by_cached_key(|r| key_of(spec, &r.values));
        for row in rows {
            if let Err(e) = dataset.extend_from_rows(kind, std::slice::from_ref(&row.values)) {
                // Canonical cells always parse again; should one not, it is still reported.
                errors.push(row_error(&row.origin, row.line, kind, e));
            }
        }
    }
    let mut facts = FactStore::with_reference_data(&dataset);
    tracing::debug!(elapsed = ?started.elapsed(), "workspace: reference data checked and loaded");
    if let Some(source) = transactions {
        let known = Known::of(&dataset);
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

/// The ids a transaction may name, as the checked reference data holds them.
struct Known<'a> {
    accounts: FxHashSet<&'a str>,
    products: FxHashSet<&'a str>,
    opportunities: FxHashSet<&'a str>,
    people: FxHashSet<&'a str>,
}

/// A dangling reference found while a row was checked, and whether it comes after the
/// `original_id` column (the reference check reports a row's first dangling column, and the
/// original is only known once every transaction is in).
type Dangling = (RowError, bool);

impl<'a> Known<'a> {
    fn of(data: &'a Dataset) -> Known<'a> {
        Known {
            accounts: data.accounts.iter().map(|r| r.id.as_str()).collect(),
            products: data.products.iter().map(|r| r.id.as_str()).collect(),
            opportunities: data.opportunities.iter().map(|r| r.id.as_str()).collect(),
            people: data.people.iter().map(|r| r.id.as_str()).collect(),
        }
    }

    /// The first reference of `t` (in column order, the original aside) naming nothing.
    fn dangling(&self, origin: &Origin, line: u64, t: &Transaction) -> Option<Dangling> {
        let refs = [
            ("account_id", Kind::Accounts, &t.account_id, &self.accounts, false),
            ("product_id", Kind::Products, &t.product_id, &self.products, false),
            ("opportunity_id", Kind::Opportunities, &t.opportunity_id, &self.opportunities, false),
            ("owner_id", Kind::People, &t.owner_id, &self.people, true),
        ];
        refs.into_iter().find_map(|(column, target, id, known, after_original)| {
            let id = id.as_deref()?;
            (!known.contains(id)).then(|| {
                (dangling_error(origin, line, Kind::Transactions, column, target, id), after_original)
            })
        })
    }
}

/// One step of transactions, checked: each row's record and first dangling reference, or why
/// the row is bad.
type CheckedStep = Vec<(Arc<Origin>, u64, Result<(Transaction, Option<Dangling>), FieldError>)>;

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
                let result = check_transaction(&row).map(|t| {
                    let dangling = known.dangling(&row.origin, row.line, &t);
                    (t, dangling)
                });
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
}

impl TransactionSink {
    /// Streams every step of `source` into `facts`; while one step is pushed, the next is read
    /// and checked.
    fn read(
        &mut self,
        source: KindSource,
        known: &Known<'_>,
        facts: &mut FactStore,
        errors: &mut Vec<RowError>,
    ) -> Result<(), ImportError> {
        let (mut source, mut read_errors, mut step) = read_transactions(source, known)?;
        while let Some(rows) = step.take() {
            errors.append(&mut read_errors);
            let (pushed, next) = rayon::join(|| self.push(facts, rows), || read_transactions(source, known));
            errors.extend(pushed?);
            (source, read_errors, step) = next?;
        }
        errors.append(&mut read_errors);
        Ok(())
    }

    /// Appends a step's good rows to the fact store, returning the bad rows' errors.
    fn push(&mut self, facts: &mut FactStore, rows: CheckedStep) -> Result<Vec<RowError>, ImportError> {
        let mut errors = Vec::new();
        let (transactions, mut refs) = facts.columns_and_refs();
        for (origin, line, result) in rows {
            let (t, dangling) = match result {
                Ok(checked) => checked,
                Err(e) => {
                    errors.push(row_error(&origin, line, Kind::Transactions, e));
                    continue;
                }
            };
            let row = u32::try_from(transactions.len()).map_err(|_| ImportError::File {
                path: origin.file.clone(),
                reason: format!("line {line}: more than {} transactions", u32::MAX),
            })?;
            let follows = self.lines.last().is_some_and(|(first, first_line, file)| {
                Arc::ptr_eq(file, &origin) && first_line + u64::from(row - first) == line
            });
            if !follows {
                self.lines.push((row, line, Arc::clone(&origin)));
            }
            if let Some(d) = dangling {
                self.dangling.insert(row, d);
            }
            if let Some(original) = &t.original_id {
                self.pending.push((row, original.clone()));
            }
            transactions.push(&t, &mut refs);
        }
        Ok(errors)
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
