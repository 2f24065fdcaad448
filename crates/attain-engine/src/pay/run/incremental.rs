//! A resident run kept current in place (issue E1, item 3). A change to the transactions
//! updates the fact store and the run's sums by exactly what the changed rows credit: taken
//! away as they credited before the change, added as they credit after it, rolled up over the
//! hierarchy as it stood, with the same per-row code as the bulk pass (`accumulate.rs`). It
//! says whose statements changed from which month ([`Touched`]), and [`History::refresh`]
//! recomputes only those: the payees credited and the managers above them. A change the sums
//! cannot take in place (a row outside the days the buckets cover, a formula or split that
//! fails) prepares the run again from the updated store, and then everyone is touched.
//!
//! The property test `tests/run/incremental.rs` holds this to a full recomputation after
//! random sequences of late transactions, edits and returns.

use std::borrow::Cow;
use std::collections::BTreeMap;

use attain_core::Period;
use attain_core::domain::Transaction;
use attain_facts::{FactStore, NONE};
use rayon::prelude::*;
use rust_decimal::Decimal;

use super::EngineError;
use super::accumulate::{Chains, MonthKey, Pass, Scratch, Sink, kind_index};
use super::buckets::Place;
use super::credit::{Credit, CreditKind, Reason};
use super::prepare::Prepared;
use super::statement::{Carry, Statement};

/// Whose statements a change touched, and from which day on (so from that day's month).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    /// By person number (the dataset's people order): the earliest day touched.
    first: BTreeMap<u32, i32>,
    /// The run was prepared again: every statement may have changed.
    everyone: bool,
}

impl Touched {
    fn add(&mut self, person: u32, day: i32) {
        let first = self.first.entry(person).or_insert(day);
        *first = (*first).min(day);
    }

    /// Whether the change prepared the run again (every statement may have changed).
    pub fn everyone(&self) -> bool {
        self.everyone
    }

    /// How many people's statements changed (all of them when `everyone`).
    pub fn people(&self) -> usize {
        self.first.len()
    }
}

/// One month of a run kept with its carry-out, so a later change can restart any payee from
/// any month.
#[derive(Debug, Clone)]
pub struct MonthRun {
    pub period: Period,
    pub statements: Vec<Statement>,
    pub carry: Carry,
}

/// Every month of a run, in order.
#[derive(Debug, Clone)]
pub struct History {
    pub months: Vec<MonthRun>,
}

/// What the changed rows credit, before it is added to the sums.
#[derive(Default)]
struct Delta {
    own: Vec<(u32, u32, u16, u8, u8, i128)>,
    exact: Vec<(u32, MonthKey, Decimal)>,
    candidates: Vec<(u32, Credit)>,
    /// A formula or split failed: the sums cannot take it in place.
    failed: bool,
}

impl Sink for Delta {
    fn own(&mut self, person: u32, at: Place, s: u16, kind: u8, c: u8, v: i128) {
        self.own.push((person, at.bucket, s, kind, c, v));
    }

    fn exact(&mut self, person: u32, key: MonthKey, v: Decimal) {
        self.exact.push((person, key, v));
    }

    fn error(&mut self, _: u32, _: u32, _: u16, _: EngineError) {
        self.failed = true;
    }

    fn split_error(&mut self, _: u32, _: EngineError) {
        self.failed = true;
    }

    fn candidate(&mut self, person: u32, credit: Credit) {
        self.candidates.push((person, credit));
    }
}

impl<'a> Prepared<'a> {
    /// Appends transactions (late ones, returns of earlier ones) and updates the sums in
    /// place. On a run made with [`Prepared::with_store`] the first change copies the store;
    /// a server uses [`Prepared::resident`].
    pub fn add_transactions(&mut self, rows: &[Transaction]) -> Result<Touched, EngineError> {
        let from = self.store.transactions.len() as u32;
        self.store.to_mut().push_transactions(rows);
        let added: Vec<u32> = (from..self.store.transactions.len() as u32).collect();
        let delta = self.delta(&added);
        if delta.failed || !self.covers(&added) {
            return self.prepare_again();
        }
        let mut touched = Touched::default();
        self.take(delta, false, &mut touched);
        Ok(touched)
    }

    /// Replaces the transaction with `t`'s id by `t` (an edit: amount, date, account, kind,
    /// the original it reverses...), and updates the sums in place: the row and every row
    /// reversing it (which read its facts) are taken away as they were and added as they are.
    pub fn replace_transaction(&mut self, t: &Transaction) -> Result<Touched, EngineError> {
        let txns = &self.store.transactions;
        let row =
            txns.index().find(txns, &t.id).ok_or_else(|| EngineError::UnknownTransaction(t.id.clone()))?;
        let mut rows = vec![row];
        rows.extend((0..txns.len() as u32).filter(|r| txns.original.get(*r as usize) == Some(row)));
        let before = self.delta(&rows);
        let covered = self.covers(&rows);
        self.store.to_mut().replace_transaction(t);
        let after = self.delta(&rows);
        if before.failed || after.failed || !covered || !self.covers(&rows) {
            return self.prepare_again();
        }
        let mut touched = Touched::default();
        for list in &mut self.sums.candidates {
            list.retain(|c| !rows.contains(&c.txn));
        }
        self.take(before, true, &mut touched);
        self.take(after, false, &mut touched);
        Ok(touched)
    }

    /// Whether the buckets cover every row's day (they were cut for the days the
    /// transactions spanned when the run was prepared).
    fn covers(&self, rows: &[u32]) -> bool {
        rows.iter().all(|r| self.buckets.covers(self.store.transactions.day[*r as usize]))
    }

    fn delta(&self, rows: &[u32]) -> Delta {
        let pass = Pass::new(&self.store, &self.crediting, &self.sigs, &self.buckets, &self.clawable);
        let mut delta = Delta::default();
        let mut scratch = Scratch::default();
        for row in rows {
            pass.add_row(&mut delta, &mut scratch, *row);
        }
        delta
    }

    /// Prepares the run again from its (updated) store.
    fn prepare_again(&mut self) -> Result<Touched, EngineError> {
        let store = std::mem::replace(&mut self.store, Cow::Owned(FactStore::default())).into_owned();
        *self = Prepared::build(self.data, Cow::Owned(store), self.book)?;
        Ok(Touched { everyone: true, ..Touched::default() })
    }

    /// Adds (or, with `undo`, takes away) a delta, rolled up as the bulk run rolls up: a
    /// bucket's direct credit to the holders above on the bucket's first day, a reversal
    /// candidate to those above on its own day.
    fn take(&mut self, delta: Delta, undo: bool, touched: &mut Touched) {
        self.running.forget();
        let (store, crediting, buckets, clawable) =
            (&self.store, &self.crediting, &self.buckets, &self.clawable);
        let sums = &mut self.sums;
        let rolls_up = crediting.rolls_up();
        let mut chains = Chains::new(store, crediting);
        let mut above = |person: u32, day: i32| -> Vec<u32> {
            if !rolls_up {
                return Vec::new();
            }
            chains.above(person, day).iter().map(|(_, h)| *h).filter(|h| *h != NONE).collect()
        };
        for (p, b, s, kind, c, v) in delta.own {
            let v = if undo { -v } else { v };
            let start = buckets.start(b);
            let at = sums.own_at(b, s, kind, c);
            sums.own_mut()[at] += v;
            touched.add(p, start);
            if kind != 0 {
                continue;
            }
            for h in above(p, start) {
                let hb = buckets.of(h, start);
                if hb != NONE {
                    let at = sums.rolled_at(hb, s, c);
                    sums.rolled_mut()[at] += v;
                    touched.add(h, start);
                }
            }
        }
        for (p, (b, s, kind, c, month), v) in delta.exact {
            let v = if undo { -v } else { v };
            let start = buckets.start(b);
            sums.add_late(b, (s, kind, c, month), v);
            touched.add(p, start);
            if kind != 0 {
                continue;
            }
            for h in above(p, start) {
                let hb = buckets.of(h, start);
                if hb != NONE {
                    sums.add_late(hb, (s, 2, c, month), v);
                    touched.add(h, start);
                }
            }
        }
        // Candidates taken away were removed by transaction before; added ones go where the
        // bulk run puts them: each payee's own if their windows want it, and one roll-up
        // credit per position above (shares below it summed) for holders who want it.
        if undo {
            return;
        }
        let mut rolled: BTreeMap<(u32, u32), (u32, Decimal)> = BTreeMap::new();
        let mut changed: Vec<u32> = Vec::new();
        for (p, credit) in delta.candidates {
            let day = store.transactions.day[credit.txn as usize];
            if credit.kind == CreditKind::Direct && rolls_up {
                for &(pos, h) in chains_above(store, crediting, p, day).iter().filter(|(_, h)| *h != NONE) {
                    if clawable.wants(h, store, credit.txn) {
                        rolled.entry((pos, credit.txn)).or_insert((h, Decimal::ZERO)).1 += credit.share;
                    }
                }
            }
            if clawable.wants(p, store, credit.txn) {
                sums.candidates[p as usize].push(credit);
                changed.push(p);
                touched.add(p, day);
            }
        }
        for ((_, txn), (h, share)) in rolled {
            sums.candidates[h as usize].push(Credit {
                txn,
                share,
                kind: CreditKind::Rollup,
                reason: Reason::Rollup,
            });
            changed.push(h);
            touched.add(h, store.transactions.day[txn as usize]);
        }
        changed.sort_unstable();
        changed.dedup();
        for p in changed {
            sums.candidates[p as usize].sort_by_key(|c| (c.txn, kind_index(c.kind)));
        }
    }

    /// Runs every month from `first` through `last`, keeping each month's carry-out.
    pub fn history(&self, first: Period, last: Period) -> Result<History, EngineError> {
        let mut months = Vec::new();
        let mut carry = Carry::default();
        let mut month = first;
        while month <= last {
            let (statements, next) =
                self.run_month_from(month, std::mem::take(&mut carry), &Default::default())?;
            months.push(MonthRun { period: month, statements, carry: next.clone() });
            carry = next;
            month = month.next_month();
        }
        Ok(History { months })
    }

    /// Brings `history` up to date after a change: only the touched payees, from the month of
    /// their first touched day, each restarting from their own carry of the month before.
    pub fn refresh(&self, history: &mut History, touched: &Touched) -> Result<(), EngineError> {
        let (Some(first), Some(last)) =
            (history.months.first().map(|m| m.period), history.months.last().map(|m| m.period))
        else {
            return Ok(());
        };
        if touched.everyone {
            *history = self.history(first, last)?;
            return Ok(());
        }
        let people: Vec<(usize, Period)> = touched
            .first
            .iter()
            .filter(|(p, _)| (**p as usize) < self.data.people.len())
            .map(|(p, day)| (*p as usize, self.calendar.month_period(attain_facts::day::date_of(*day))))
            .collect();
        let empty = Carry::default();
        for i in 0..history.months.len() {
            let (done, rest) = history.months.split_at_mut(i);
            let month = &mut rest[0];
            let who: Vec<usize> =
                people.iter().filter(|(_, m)| *m <= month.period).map(|(p, _)| *p).collect();
            if who.is_empty() {
                continue;
            }
            let carry_in = done.last().map_or(&empty, |m| &m.carry);
            let outcomes: Vec<_> = who
                .par_iter()
                .map(|p| {
                    let id = &self.data.people[*p].id;
                    self.person_month(
                        *p,
                        month.period,
                        carry_in.payees.get(id).cloned().unwrap_or_default(),
                        &[],
                    )
                })
                .collect();
            for (p, outcome) in who.into_iter().zip(outcomes) {
                let id = &self.data.people[p].id;
                // Statements are in the people's order: found by binary search and replaced
                // where they stand (moving 10,000 statements per payee is what costs).
                let at = month.statements.partition_point(|s| self.person_number(&s.person_id) < p);
                let present = month.statements.get(at).is_some_and(|s| &s.person_id == id);
                let (statement, after) = match outcome? {
                    Some((statement, after)) => (statement, Some(after)),
                    None => (None, None),
                };
                match (statement, present) {
                    (Some(statement), true) => month.statements[at] = statement,
                    (Some(statement), false) => month.statements.insert(at, statement),
                    (None, true) => {
                        month.statements.remove(at);
                    }
                    (None, false) => {}
                }
                match after {
                    Some(after) => month.carry.payees.insert(id.clone(), after),
                    None => month.carry.payees.remove(id),
                };
            }
        }
        Ok(())
    }

    /// A statement's payee as a person number (their place in the dataset's people).
    fn person_number(&self, id: &str) -> usize {
        self.store.people.get(id).map_or(usize::MAX, |p| p as usize)
    }
}

/// The (position, holder) pairs above a person on a day, for one candidate.
fn chains_above(
    store: &FactStore,
    crediting: &super::credit::Crediting<'_>,
    person: u32,
    day: i32,
) -> Vec<(u32, u32)> {
    Chains::new(store, crediting).above(person, day).to_vec()
}
