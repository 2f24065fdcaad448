//! The bulk pass: one read of every transaction, in parallel chunks, adding each credited
//! share into the payee's bucket per measure signature; then roll-up once per bucket over the
//! hierarchy as it stood in that bucket. No per-transaction allocation, no hashing in the
//! common case: a credit of an amount, margin or deal count, whole or a split's share, is an
//! integer added into a dense array (`Sums::scale`). Quantities, formulas and reversals are
//! exact `Decimal`s kept by key
//! (reversals by the month of their original, since a window counts a reversal only when it
//! also holds the original). Reversals that a window may claw back are kept one by one, as
//! the statement shows a line for each.

use std::collections::HashMap;

use attain_facts::{FactStore, NONE};
use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::EngineError;
use super::buckets::{Buckets, Place};
use super::clawable::Clawable;
use super::credit::{Credit, CreditKind, Credited, Crediting, Reason};
use super::partial::Partial;
use super::sig::Sigs;
use super::txn::Txn;

/// Month index (`year * 12 + month - 1`) of a day number.
pub(crate) fn month_of_day(day: i32) -> i32 {
    let d = attain_facts::day::date_of(day);
    i32::from(d.year()) * 12 + i32::from(d.month()) - 1
}

/// The month key of a credit that is not a reversal.
pub(crate) const NOT_REVERSAL: i32 = i32::MIN;

/// An exact sum of one bucket: (signature, kind, currency, original's month or
/// `NOT_REVERSAL`, sum).
pub(crate) type Exact = (u16, u8, u8, i32, Decimal);

/// An exact sum's key with the month of the original (`NOT_REVERSAL` for other credits).
pub(crate) type MonthKey = (u32, u16, u8, u8, i32);

/// Every payee's sums, ready for windows to read.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Sums {
    k: usize,
    c: usize,
    /// The dense sums count units of 10^-(minor units + `scale`) of their currency (of
    /// 10^-`scale` for a count of deals): the most decimals any split or overlay share has
    /// (0.6 has one), so a 60/40 split's parts are integers too and are summed as densely as
    /// whole credits. At most `MAX_SCALE`; a share with more decimals is summed exactly.
    scale: u32,
    /// `[bucket][sig][direct | overlay][currency]`: integral credits of non-reversals.
    own: Vec<i128>,
    /// `[bucket][sig][currency]`: direct credit of the people below, rolled up.
    rolled: Vec<i128>,
    /// Exact sums, bucket by bucket: bucket `b`'s are `exact[exact_at[b]..exact_at[b + 1]]`
    /// (most buckets have none, so a window reads them without hashing).
    exact_at: Vec<u32>,
    exact: Vec<Exact>,
    /// Exact sums changes made after the bulk pass added, by bucket (`incremental.rs`), so
    /// the laid-out sums need not move.
    pub late: FxHashMap<u32, Vec<Exact>>,
    /// A formula that failed for a credit in this bucket and signature.
    pub errors: HashMap<(u32, u16), EngineError>,
    /// Per person: reversal credits a window may claw back, in transaction order.
    pub candidates: Vec<Vec<Credit>>,
}

pub(crate) fn kind_index(kind: CreditKind) -> u8 {
    match kind {
        CreditKind::Direct => 0,
        CreditKind::Overlay => 1,
        CreditKind::Rollup => 2,
    }
}

impl Sums {
    pub fn own_at(&self, b: u32, s: u16, kind: u8, c: u8) -> usize {
        ((b as usize * self.k + s as usize) * 2 + kind as usize) * self.c + c as usize
    }

    pub fn rolled_at(&self, b: u32, s: u16, c: u8) -> usize {
        (b as usize * self.k + s as usize) * self.c + c as usize
    }

    /// The integral sum for a bucket, signature, kind and currency, in units of
    /// 10^-(minor units + `scale()`).
    pub fn integral(&self, b: u32, s: u16, kind: u8, c: u8) -> i128 {
        match kind {
            2 => self.rolled.get(self.rolled_at(b, s, c)).copied().unwrap_or(0),
            k => self.own.get(self.own_at(b, s, k, c)).copied().unwrap_or(0),
        }
    }

    pub fn currencies(&self) -> usize {
        self.c
    }

    /// The decimals the integral sums carry beyond the currency's minor units.
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// Bucket `b`'s exact sums (a key may appear twice: once laid out, once changed later).
    pub fn exact_of(&self, b: u32) -> impl Iterator<Item = &Exact> + '_ {
        let laid_out = match (self.exact_at.get(b as usize), self.exact_at.get(b as usize + 1)) {
            (Some(from), Some(to)) => &self.exact[*from as usize..*to as usize],
            _ => &[],
        };
        // Most runs have no late changes: no hashing then.
        let late = if self.late.is_empty() { None } else { self.late.get(&b) };
        laid_out.iter().chain(late.into_iter().flatten())
    }

    /// Adds `v` to an exact sum after the bulk pass.
    pub fn add_late(&mut self, b: u32, (s, kind, c, month): (u16, u8, u8, i32), v: Decimal) {
        let list = self.late.entry(b).or_default();
        match list.iter_mut().find(|e| (e.0, e.1, e.2, e.3) == (s, kind, c, month)) {
            Some(e) => e.4 += v,
            None => list.push((s, kind, c, month, v)),
        }
    }

    pub fn own_mut(&mut self) -> &mut [i128] {
        &mut self.own
    }

    /// The roll-up sums, allocated on first use (a bulk run without roll-up has none).
    pub fn rolled_mut(&mut self) -> &mut Vec<i128> {
        if self.rolled.is_empty() {
            self.rolled = vec![0; self.own.len() / 2];
        }
        &mut self.rolled
    }
}

/// Where the pass puts what a row adds: a thread's dense partial in the bulk run, or one
/// change's delta when a resident run is updated in place (`incremental.rs`).
pub(crate) trait Sink {
    /// An integral credit of `person` at their bucket's place `at`, in units of the sums'
    /// scale.
    fn own(&mut self, person: u32, at: Place, s: u16, kind: u8, c: u8, v: i128);
    /// An exact credit of `person`, keyed with the month of the original for a reversal.
    fn exact(&mut self, person: u32, key: MonthKey, v: Decimal);
    fn error(&mut self, row: u32, b: u32, s: u16, e: EngineError);
    fn split_error(&mut self, row: u32, e: EngineError);
    /// A reversal credit someone's window may claw back.
    fn candidate(&mut self, person: u32, credit: Credit);
}

/// A row's working lists, reused from row to row.
#[derive(Default)]
pub(crate) struct Scratch {
    credits: Vec<Credited>,
    passing: Vec<(u16, Option<i64>)>,
    /// The short way's additions of a split row: (person, place, signature, kind, units).
    adds: Vec<(u32, Place, u16, u8, i128)>,
}

/// The pass over every transaction, then the roll-up.
pub(crate) fn accumulate(pass: &Pass<'_, '_>) -> Result<Sums, EngineError> {
    let Pass { store, crediting, sigs, buckets, clawable, .. } = *pass;
    let people = clawable.people();
    let (k, c) = (sigs.len().max(1), store.currencies.len().max(1));
    let shape = Sums { k, c, scale: pass.scale, ..Default::default() };
    let rows = store.transactions.len() as u32;
    // One contiguous range per thread, so each thread zeroes and fills one dense array.
    let parts = (rayon::current_num_threads() as u32).clamp(1, rows.div_ceil(1 << 14).max(1));
    let chunk = rows.div_ceil(parts).max(1);
    let starts: Vec<u32> = (0..parts).map(|i| i * chunk).collect();
    let parts: Vec<Partial> = starts
        .par_iter()
        .map(|start| {
            let mut part = Partial::new(k, c, buckets.len());
            let mut scratch = Scratch::default();
            let end = (*start + chunk).min(rows);
            let mut block = *start;
            while block < end {
                let next = (block + 256).min(end);
                crediting.warm(&store.transactions.account[block as usize..next as usize]);
                for row in block..next {
                    pass.add_row(&mut part, &mut scratch, row);
                }
                block = next;
            }
            part
        })
        .collect();
    let (own, total) = Partial::combine(parts, buckets.len(), |b| buckets.slot_of(b));
    if let Some((_, e)) = total.split_error {
        return Err(e);
    }
    let mut sums = Sums { own, ..shape };
    let mut errors: Vec<(u32, u32, u16, EngineError)> = total.errors;
    errors.sort_by_key(|(row, ..)| *row);
    for (_, b, s, e) in errors {
        sums.errors.entry((b, s)).or_insert(e);
    }
    let mut exact: Vec<(MonthKey, Decimal)> = total.exact.into_iter().collect();
    if !crediting.rolls_up() {
        // Keys are distinct here; sorted on every core. With roll-up, `roll_up` sorts once
        // after adding what it rolls up.
        exact.par_sort_unstable_by_key(|(key, _)| *key);
    }
    let mut candidates: Vec<Vec<Credit>> = vec![Vec::new(); people];
    for (p, credit) in total.candidates {
        candidates[p as usize].push(credit);
    }
    roll_up(store, crediting, buckets, &mut sums, &mut exact, &mut candidates, clawable);
    // Direct and overlay candidates were kept for the roll-up; each payee keeps their own.
    for (p, list) in candidates.iter_mut().enumerate() {
        list.retain(|c| c.kind == CreditKind::Rollup || clawable.wants(p as u32, store, c.txn));
    }
    sums.exact_at = Vec::with_capacity(buckets.len() + 1);
    sums.exact_at.push(0);
    for ((b, s, kind, cur, month), v) in exact {
        while sums.exact_at.len() <= b as usize {
            sums.exact_at.push(sums.exact.len() as u32);
        }
        sums.exact.push((s, kind, cur, month, v));
    }
    while sums.exact_at.len() <= buckets.len() {
        sums.exact_at.push(sums.exact.len() as u32);
    }
    for list in &mut candidates {
        list.sort_by_key(|c| (c.txn, kind_index(c.kind)));
    }
    sums.candidates = candidates;
    Ok(sums)
}

/// The pass's read-only context.
pub(crate) struct Pass<'p, 's> {
    pub store: &'p FactStore,
    pub crediting: &'p Crediting<'s>,
    pub sigs: &'p Sigs<'s>,
    pub buckets: &'p Buckets,
    pub clawable: &'p Clawable,
    /// Whether rows may take the short way (`add_plain_row`): when every signature is plain.
    /// Tests turn it off to hold the two ways to the same sums.
    pub short: bool,
    /// The sums' scale (`Sums::scale`) and 10 to its power.
    pub scale: u32,
    unit: i128,
}

/// The most decimals a share may have and still be summed densely: a part of an amount of
/// 10^18 minor units then stays under 10^28, which a `Decimal` holds.
const MAX_SCALE: u32 = 9;

impl<'p, 's> Pass<'p, 's> {
    pub fn new(
        store: &'p FactStore,
        crediting: &'p Crediting<'s>,
        sigs: &'p Sigs<'s>,
        buckets: &'p Buckets,
        clawable: &'p Clawable,
    ) -> Pass<'p, 's> {
        let scale = crediting.share_scale(MAX_SCALE);
        Pass { store, crediting, sigs, buckets, clawable, short: sigs.plain, scale, unit: 10i128.pow(scale) }
    }

    /// A credit of `share` of an integral value `v` in units of the sums' scale, when the
    /// share has no more decimals than the scale.
    fn units(&self, v: i64, share: Decimal) -> Option<i128> {
        if share == Decimal::ONE {
            return Some(i128::from(v) * self.unit);
        }
        let extra = self.scale.checked_sub(share.scale())?;
        i128::from(v).checked_mul(share.mantissa())?.checked_mul(10i128.pow(extra))
    }

    /// Adds what transaction `row` credits into `sink`.
    pub fn add_row(&self, sink: &mut impl Sink, scratch: &mut Scratch, row: u32) {
        if self.short && self.add_plain_row(sink, scratch, row) {
            return;
        }
        let (store, crediting, sigs) = (self.store, self.crediting, self.sigs);
        let t = Txn::at(store, row);
        scratch.passing.clear();
        let mut failed: Option<(u16, EngineError)> = None;
        for (i, sig) in sigs.list.iter().enumerate() {
            match sig.passes(&t) {
                Ok(true) => scratch.passing.push((i as u16, sig.integral_value(&t))),
                Ok(false) => {}
                Err(e) => failed = failed.or(Some((i as u16, e))),
            }
        }
        if scratch.passing.is_empty() && failed.is_none() && crediting.split_error(t.opportunity).is_none() {
            return;
        }
        if let Err(e) = crediting.direct(&t, &mut scratch.credits) {
            sink.split_error(row, e);
            return;
        }
        let original = t.original.map(|o| store.transactions.day[o as usize]);
        let month = original.map_or(NOT_REVERSAL, month_of_day);
        for credited in &scratch.credits {
            let at = self.buckets.place(credited.person, t.day);
            let b = at.bucket;
            if b == NONE {
                continue;
            }
            let kind = kind_index(credited.credit.kind);
            let share = credited.credit.share;
            if let Some((s, e)) = &failed {
                sink.error(row, b, *s, e.clone());
            }
            for (s, integral) in &scratch.passing {
                match integral.filter(|_| original.is_none()).and_then(|v| self.units(v, share)) {
                    Some(units) => sink.own(credited.person, at, *s, kind, t.currency, units),
                    None => match sigs.list[*s as usize].value(&t, share) {
                        Ok(v) => sink.exact(credited.person, (b, *s, kind, t.currency, month), v),
                        Err(e) => sink.error(row, b, *s, e),
                    },
                }
            }
            if let Some(o) = original
                && self.clawable.anyone_wants(t.day, o)
            {
                sink.candidate(credited.person, credited.credit);
            }
        }
    }

    /// The short way for most rows, taken when every signature is plain: a row that reverses
    /// nothing and names its account adds integers only. Reads the row's own columns and the
    /// crediting rule's lookup instead of resolving the whole transaction (`Txn::at`, with its
    /// fallbacks to the original and the opportunity). A row whose opportunity has no split
    /// or overlay rows credits one payee in full, without listing its credits; a split or
    /// overlaid one adds each part's share in units of the sums' scale. The general way gives
    /// the same sums (the differential and incremental tests hold the two together). Returns
    /// whether it took the row.
    fn add_plain_row(&self, sink: &mut impl Sink, scratch: &mut Scratch, row: u32) -> bool {
        let (t, r) = (&self.store.transactions, row as usize);
        let opportunity = t.opportunity.get(r).unwrap_or(NONE);
        let account = t.account[r];
        if t.original.get(r).is_some() || account == NONE {
            return false;
        }
        let plain = self.crediting.plain(opportunity);
        // A split that cannot be made stops the run: the general way reports it.
        if !plain && self.crediting.split_error(opportunity).is_some() {
            return false;
        }
        let (flags, day) = (t.flags[r], t.day[r]);
        let mut counted = 0u64;
        for (i, sig) in self.sigs.list.iter().enumerate() {
            if sig.counts(flags, day) {
                counted |= 1 << i;
            }
        }
        if counted == 0 {
            return true;
        }
        let owner = t.owner.get(r).unwrap_or(NONE);
        let refs = (opportunity, owner, account);
        let (amount, cost, currency) = (t.amount[r], t.cost.get(r), t.currency[r]);
        let value = |s: u16| self.sigs.list[s as usize].integral_of(amount, cost, false);
        if plain {
            let Some(person) = self.crediting.primary_plain(self.store, refs, day) else { return true };
            let at = self.buckets.place(person, day);
            if at.bucket == NONE {
                return true;
            }
            for s in bits(counted) {
                if let Some(v) = value(s) {
                    sink.own(
                        person,
                        at,
                        s,
                        kind_index(CreditKind::Direct),
                        currency,
                        i128::from(v) * self.unit,
                    );
                }
            }
            return true;
        }
        if self.crediting.direct_of(self.store, refs, day, row, &mut scratch.credits).is_err() {
            return false;
        }
        // Every part's units first: a share with more decimals than the scale is summed
        // exactly by the general way, and the row must not be half added.
        scratch.adds.clear();
        for credited in &scratch.credits {
            let at = self.buckets.place(credited.person, day);
            if at.bucket == NONE {
                continue;
            }
            let kind = kind_index(credited.credit.kind);
            for s in bits(counted) {
                if let Some(v) = value(s) {
                    let Some(units) = self.units(v, credited.credit.share) else { return false };
                    scratch.adds.push((credited.person, at, s, kind, units));
                }
            }
        }
        for (person, at, s, kind, units) in scratch.adds.drain(..) {
            sink.own(person, at, s, kind, currency, units);
        }
        true
    }
}

/// The set bits of a signature mask, lowest first.
fn bits(mut mask: u64) -> impl Iterator<Item = u16> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let s = mask.trailing_zeros() as u16;
            mask &= mask - 1;
            s
        })
    })
}

/// Adds each bucket's direct credit to the buckets of the managers above it, as the
/// hierarchy stood in that bucket; reversal candidates roll up per transaction.
fn roll_up(
    store: &FactStore,
    crediting: &Crediting<'_>,
    buckets: &Buckets,
    sums: &mut Sums,
    exact: &mut Vec<(MonthKey, Decimal)>,
    candidates: &mut [Vec<Credit>],
    clawable: &Clawable,
) {
    if !crediting.rolls_up() {
        return;
    }
    let people = candidates.len();
    let mut owner = vec![NONE; buckets.len()];
    for p in 0..people {
        for (b, _) in buckets.of_person(p) {
            owner[b as usize] = p as u32;
        }
    }
    // The people in one range per thread, each thread adding into its own copy of the
    // roll-up sums (with its own memo of walks up the hierarchy); the copies are summed.
    let threads = rayon::current_num_threads().clamp(1, people.max(1));
    let per = people.div_ceil(threads).max(1);
    let own = &*sums;
    sums.rolled = (0..threads)
        .into_par_iter()
        .map(|i| {
            let mut rolled = vec![0i128; own.own.len() / 2];
            let mut chains = Chains::new(store, crediting);
            for p in i * per..((i + 1) * per).min(people) {
                roll_up_person(own, buckets, &mut chains, p, &mut rolled);
            }
            rolled
        })
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
            a
        })
        .unwrap_or_default();
    let start_of = |b: u32| buckets.start(b);
    // Summed by key as they are made: each exact sum reaches every manager above, so the
    // managers' keys repeat (1.7M additions into 45k keys at 10M), and sorting the additions
    // cost twice what summing them here does. A part of the sums per thread, the parts' maps
    // merged.
    let rolled = exact
        .par_chunks(exact.len().div_ceil(threads).max(1))
        .map(|part| {
            let mut rolled: FxHashMap<MonthKey, Decimal> = FxHashMap::default();
            let mut chains = Chains::new(store, crediting);
            for ((b, s, kind, cur, month), v) in part {
                if *kind != 0 {
                    continue;
                }
                let day = start_of(*b);
                for &(_, h) in chains.above(owner[*b as usize], day).iter().filter(|(_, h)| *h != NONE) {
                    let hb = buckets.of(h, day);
                    if hb != NONE {
                        *rolled.entry((hb, *s, 2, *cur, *month)).or_default() += *v;
                    }
                }
            }
            rolled
        })
        .reduce_with(|mut a, b| {
            for (key, v) in b {
                *a.entry(key).or_default() += v;
            }
            a
        })
        .unwrap_or_default();
    let mut chains = Chains::new(store, crediting);
    let errors: Vec<((u32, u16), EngineError)> = sums.errors.iter().map(|(k, e)| (*k, e.clone())).collect();
    for ((b, s), e) in errors {
        let day = start_of(b);
        for &(_, h) in chains.above(owner[b as usize], day).iter().filter(|(_, h)| *h != NONE) {
            let hb = buckets.of(h, day);
            if hb != NONE {
                sums.errors.entry((hb, s)).or_insert_with(|| e.clone());
            }
        }
    }
    // A reversal's roll-up: one credit per position above, with the shares below it summed,
    // kept only for managers whose windows can claw it back.
    let mut above: std::collections::BTreeMap<(u32, u32), (u32, Decimal)> = Default::default();
    for (p, list) in candidates.iter().enumerate() {
        for credit in list.iter().filter(|c| c.kind == CreditKind::Direct) {
            let day = store.transactions.day[credit.txn as usize];
            for &(pos, h) in chains.above(p as u32, day).iter().filter(|(_, h)| *h != NONE) {
                if clawable.wants(h, store, credit.txn) {
                    above.entry((pos, credit.txn)).or_insert((h, Decimal::ZERO)).1 += credit.share;
                }
            }
        }
    }
    for ((_, txn), (h, share)) in above {
        candidates[h as usize].push(Credit { txn, share, kind: CreditKind::Rollup, reason: Reason::Rollup });
    }
    exact.extend(rolled);
    // Equal keys are summed next, and exact sums do not depend on their order: no need for a
    // stable sort (which would allocate a second copy of millions of entries).
    exact.par_sort_unstable_by_key(|(key, _)| *key);
    // Equal keys summed in place (a second vector of millions of entries cost more in fresh
    // pages than the summing).
    let mut kept: usize = 0;
    for i in 0..exact.len() {
        let (key, v) = exact[i];
        match kept.checked_sub(1).map(|last| &mut exact[last]) {
            Some((last, sum)) if *last == key => *sum += v,
            _ => {
                exact[kept] = (key, v);
                kept += 1;
            }
        }
    }
    exact.truncate(kept);
}

/// Adds person `p`'s direct credit, bucket by bucket, to the roll-up sums of the holders
/// above them as the hierarchy stood on the bucket's first day.
fn roll_up_person(sums: &Sums, buckets: &Buckets, chains: &mut Chains<'_>, p: usize, rolled: &mut [i128]) {
    let (k, c) = (sums.k, sums.c);
    let mut direct: Vec<(u16, u8, i128)> = Vec::new();
    for (b, start) in buckets.of_person(p) {
        direct.clear();
        for s in 0..k as u16 {
            for cur in 0..c as u8 {
                let v = sums.own[sums.own_at(b, s, 0, cur)];
                if v != 0 {
                    direct.push((s, cur, v));
                }
            }
        }
        if direct.is_empty() {
            continue;
        }
        for &(_, h) in chains.above(p as u32, start).iter().filter(|(_, h)| *h != NONE) {
            let hb = buckets.of(h, start);
            if hb == NONE {
                continue;
            }
            for (s, cur, v) in &direct {
                rolled[sums.rolled_at(hb, *s, *cur)] += v;
            }
        }
    }
}

/// The positions above a person's on a day with their holders, memoised by the position just
/// above and the day: the reps of one manager share one walk up the hierarchy per bucket.
pub(crate) struct Chains<'s> {
    store: &'s FactStore,
    crediting: &'s Crediting<'s>,
    memo: FxHashMap<(u32, i32), Vec<(u32, u32)>>,
}

impl<'s> Chains<'s> {
    pub fn new(store: &'s FactStore, crediting: &'s Crediting<'s>) -> Chains<'s> {
        Chains { store, crediting, memo: FxHashMap::default() }
    }

    /// (position, holder) above `person`'s position on `day`, nearest first; the holder is
    /// `NONE` for a vacant seat (or one held by someone who is not a payee), which passes the
    /// walk on but takes nothing: callers skip those.
    pub fn above(&mut self, person: u32, day: i32) -> &[(u32, u32)] {
        let org = &self.store.org;
        let pos = if person == NONE { NONE } else { org.position.get(person, day) };
        let parent = if pos == NONE { NONE } else { org.reports_to.get(pos, day) };
        if parent == NONE || parent == pos {
            return &[];
        }
        let crediting = self.crediting;
        let list = self.memo.entry((parent, day)).or_insert_with(|| {
            // The walk from `parent` (itself included), stopping where it repeats.
            let mut walk = vec![parent];
            org.chain(parent, day, |up| walk.push(up));
            walk.into_iter().map(|p| (p, crediting.holder(org, p, day))).collect()
        });
        // A cycle back to the person's own seat stops there, as a walk from it would.
        let end = list.iter().position(|(p, _)| *p == pos).unwrap_or(list.len());
        &list[..end]
    }
}

#[cfg(test)]
mod tests {
    use attain_demo::scaled::{ScaledConfig, company};
    use attain_facts::FactStore;

    use super::*;
    use crate::pay::plan::{PlanBook, load_plan, load_rules};
    use crate::pay::run::prepare::Prepared;

    /// The scaled benchmark's company at a small size, in a fact store, with its plan book.
    fn scaled() -> (attain_demo::scaled::ScaledCompany, FactStore, PlanBook) {
        let config =
            ScaledConfig { payees: ScaledConfig::MIN_PAYEES, territories: 800, ..ScaledConfig::new(40_000) };
        let scaled = company(&config).expect("company");
        let mut store = FactStore::with_reference_data(&scaled.dataset);
        for chunk in 0..scaled.chunks() {
            store.push_transactions(&scaled.transactions(chunk));
        }
        let (mut plans, mut rules) = (Vec::new(), Default::default());
        for (file, text) in &scaled.plan_files {
            if file == "crediting.toml" {
                rules = load_rules(file, text).expect("rules");
            } else {
                plans.push(load_plan(file, text).expect("plan"));
            }
        }
        let book = PlanBook::new(plans, rules).expect("book");
        (scaled, store, book)
    }

    /// The short way (`add_plain_row`) and the general way give the same sums, row by row
    /// summed, on a company where the short way takes most rows (the scaled benchmark's plans
    /// are plain) and the general way the split, overlaid and reversing ones.
    #[test]
    fn the_short_way_adds_what_the_general_way_adds() {
        let (scaled, store, book) = scaled();
        let data = &scaled.dataset;
        let calendar = data.company[0].calendar;
        let crediting = Crediting::new(&store, data, &book.rules);
        let sigs = Sigs::compile(&store, &book);
        let stretches = Prepared::plan_stretches(data, &book).expect("stretches");
        let buckets = Buckets::build(&store, data, &stretches);
        let clawable = Clawable::new(&store, &book, &stretches, calendar);
        let short = Pass::new(&store, &crediting, &sigs, &buckets, &clawable);
        assert!(short.short, "the scaled plans are plain, so the short way is open");
        let general = Pass { short: false, ..Pass::new(&store, &crediting, &sigs, &buckets, &clawable) };
        let (a, b) = (accumulate(&short).expect("short"), accumulate(&general).expect("general"));
        assert!(a.own.iter().any(|v| *v != 0) && !a.exact.is_empty() && a.rolled.iter().any(|v| *v != 0));
        assert_eq!(a, b);
    }

    /// A person's place on a day is the last of their buckets starting on or before it (as a
    /// scan of their buckets finds it), with that bucket's slot; the slots number every bucket
    /// once, month by month.
    #[test]
    fn places_are_the_scanned_bucket_and_its_month_major_slot() {
        let (scaled, store, book) = scaled();
        let data = &scaled.dataset;
        let stretches = Prepared::plan_stretches(data, &book).expect("stretches");
        let buckets = Buckets::build(&store, data, &stretches);
        let days = &store.transactions.day;
        let (first, last) = (*days.iter().min().expect("rows"), *days.iter().max().expect("rows"));
        let mut slots: Vec<(u32, i32)> = Vec::new();
        for p in 0..data.people.len() {
            let mine: Vec<(u32, i32)> = buckets.of_person(p).collect();
            for day in (first - 40..last + 40).step_by(3) {
                let scanned = mine.iter().rev().find(|(_, start)| *start <= day).map_or(NONE, |(b, _)| *b);
                let at = buckets.place(p as u32, day);
                assert_eq!(at.bucket, scanned, "person {p} day {day}");
                assert_eq!(buckets.of(p as u32, day), scanned);
                if scanned != NONE {
                    assert_eq!(at.slot, buckets.slot_of(scanned), "person {p} day {day}");
                }
            }
            slots.extend(
                mine.iter().map(|(b, start)| (buckets.slot_of(*b), month_of_day((*start).min(last)))),
            );
        }
        slots.sort_unstable();
        let numbers: Vec<u32> = slots.iter().map(|(slot, _)| *slot).collect();
        assert_eq!(numbers, (0..buckets.len() as u32).collect::<Vec<_>>(), "each bucket has its own slot");
        assert!(slots.windows(2).all(|w| w[0].1 <= w[1].1), "slots run month by month");
    }
}
