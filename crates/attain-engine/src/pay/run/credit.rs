//! Crediting: who is credited for a transaction, with what share and why, read from the fact
//! store (interval tables, per-opportunity split lists: no scan per transaction).
//!
//! Primary credit goes to the first crediting rule that names someone (explicit splits, the
//! opportunity owner, the transaction's owner, the account's named owner, the territory owner
//! on the date — in the company's order); overlays (explicit overlay rows) add credit on top;
//! roll-up gives every manager above a primary payee, on the transaction's date, the sum of
//! their people's shares once. The bulk run (`accumulate.rs`) takes primary and overlay credit
//! from here and rolls it up per bucket; the trace reads all three per transaction.

use attain_core::Dataset;
use attain_facts::intervals::Row;
use attain_facts::{FactStore, Intervals, NONE};
use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::EngineError;
use super::txn::Txn;
use crate::pay::crediting::{Share, SplitError, roll_up, split};
use crate::pay::plan::{CreditRules, PrimaryRule};

/// Which kind of credit a row is: a measure chooses which kinds it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditKind {
    Direct,
    Overlay,
    Rollup,
}

/// Why a person was credited: the statement and trace show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Rule(PrimaryRule),
    OverlaySplit,
    /// Roll-up from the people below (the trace finds the paths on request).
    Rollup,
}

/// One person's credit for one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credit {
    pub txn: u32,
    /// The credited share of the transaction, as a fraction (0.6 for 60%).
    pub share: Decimal,
    pub kind: CreditKind,
    pub reason: Reason,
}

/// A credit with the person it goes to (a number: an index into the dataset's people).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Credited {
    pub person: u32,
    pub credit: Credit,
}

/// The credit rows of one opportunity that has any, as ranges into `Crediting::parts`: a
/// million opportunities at 10M transactions, so no list of their own each.
#[derive(Debug, Clone, Copy)]
struct Special {
    /// The primary split's parts (person, share), already divided.
    split: (u32, u32),
    /// Whether it has primary rows at all (its parts may still all name non-payees).
    has_split: bool,
    /// Overlay rows as (person, share).
    overlays: (u32, u32),
    /// Why the split cannot be made, an index into `Crediting::errors`; `NONE` if it can.
    error: u32,
}

/// One chunk of opportunities compiled on one core.
#[derive(Default)]
struct Compiled {
    special: Vec<(u32, Special)>,
    parts: Vec<(u32, Decimal)>,
    errors: Vec<EngineError>,
}

/// The crediting rules compiled against one fact store.
#[derive(Debug)]
pub(crate) struct Crediting<'a> {
    rules: &'a CreditRules,
    /// People in the dataset: numbers below this are payees.
    people: u32,
    /// By opportunity number: its entry in `special`, or `NONE` for the many opportunities
    /// with neither split nor overlay rows. Four bytes per opportunity, so the pass's lookup
    /// stays in cache and preparing allocates nothing for a plain deal.
    special_of: Vec<u32>,
    /// By opportunity number: one bit, set when `special_of` names an entry. Read first:
    /// 1.1M opportunities at 10M transactions are 137 KB of bits (in a core's cache) against
    /// 4.4 MB of `special_of`, and most transactions' opportunities have no entry.
    has_special: Vec<u64>,
    special: Vec<Special>,
    parts: Vec<(u32, Decimal)>,
    errors: Vec<EngineError>,
    /// By account number: who holds the position owning the account's territory, over time
    /// (the territory's owners and each owner's holders composed once, so the territory rule
    /// is one binary search per transaction).
    routes: Intervals,
    /// By account: the route's first interval inline, read first (one cache line per
    /// transaction instead of three when the territory did not change hands).
    first_route: Vec<(i32, i32, u32)>,
}

impl<'a> Crediting<'a> {
    pub fn new(store: &FactStore, data: &Dataset, rules: &'a CreditRules) -> Crediting<'a> {
        let people = data.people.len() as u32;
        let rows = &store.credit_splits;
        let payee = |p: u32| (p < people).then_some(p);
        // Opportunities in chunks, each chunk on one core into flat lists.
        let ranges = rows.chunks(rows.len().div_ceil(1 << 14));
        let chunks: Vec<Compiled> = ranges
            .into_par_iter()
            .map(|chunk| {
                let mut out = Compiled::default();
                let mut shares: Vec<Share<usize>> = Vec::new();
                // A company has a handful of split patterns (60/40, 50/50) and overlay
                // percents: each is divided out once per chunk, not once per opportunity
                // (keyed by the decimals' exact form, so the shares are the very same values).
                let mut splits: FxHashMap<Vec<[u8; 16]>, Result<Vec<Decimal>, SplitError>> =
                    FxHashMap::default();
                let mut overlays: FxHashMap<[u8; 16], Decimal> = FxHashMap::default();
                let mut key: Vec<[u8; 16]> = Vec::new();
                for (o, range) in rows.groups_in(chunk) {
                    shares.clear();
                    shares.extend(
                        range
                            .clone()
                            .filter(|i| !rows.overlay[*i])
                            .map(|i| Share { payee: i, percent: rows.percent[i] }),
                    );
                    let from = out.parts.len() as u32;
                    let mut error = NONE;
                    if !shares.is_empty() {
                        key.clear();
                        key.extend(shares.iter().map(|s| s.percent.serialize()));
                        if !splits.contains_key(key.as_slice()) {
                            let divided = split(Decimal::ONE, &shares)
                                .map(|parts| parts.into_iter().map(|(_, share)| share).collect());
                            splits.insert(key.clone(), divided);
                        }
                        match &splits[key.as_slice()] {
                            Ok(parts) => out.parts.extend(
                                shares
                                    .iter()
                                    .zip(parts)
                                    .filter_map(|(s, share)| Some((payee(rows.person[s.payee])?, *share))),
                            ),
                            Err(e) => {
                                error = out.errors.len() as u32;
                                out.errors.push(EngineError::Split {
                                    opportunity: store.opportunities.name(o).to_string(),
                                    message: e.to_string(),
                                });
                            }
                        }
                    }
                    let to = out.parts.len() as u32;
                    out.parts.extend(range.clone().filter(|i| rows.overlay[*i]).filter_map(|i| {
                        let percent = rows.percent[i];
                        let share = *overlays
                            .entry(percent.serialize())
                            .or_insert_with(|| percent / Decimal::ONE_HUNDRED);
                        Some((payee(rows.person[i])?, share))
                    }));
                    let special = Special {
                        split: (from, to),
                        has_split: !shares.is_empty(),
                        overlays: (to, out.parts.len() as u32),
                        error,
                    };
                    out.special.push((o, special));
                }
                out
            })
            .collect();
        let mut special_of = vec![NONE; store.opportunities.len()];
        let mut has_special = vec![0u64; store.opportunities.len().div_ceil(64)];
        // Sized once: at 100M transactions these are hundreds of megabytes, and growing them
        // by doubling copied them over and over.
        let mut special = Vec::with_capacity(chunks.iter().map(|c| c.special.len()).sum());
        let mut parts = Vec::with_capacity(chunks.iter().map(|c| c.parts.len()).sum());
        let mut errors = Vec::new();
        for chunk in chunks {
            let (p, e) = (parts.len() as u32, errors.len() as u32);
            for (o, mut s) in chunk.special {
                s.split = (s.split.0 + p, s.split.1 + p);
                s.overlays = (s.overlays.0 + p, s.overlays.1 + p);
                if s.error != NONE {
                    s.error += e;
                }
                special_of[o as usize] = special.len() as u32;
                has_special[o as usize / 64] |= 1 << (o % 64);
                special.push(s);
            }
            parts.extend(chunk.parts);
            errors.extend(chunk.errors);
        }
        let routes = routes(store);
        let first_route =
            (0..store.account.len() as u32).map(|a| routes.of(a).next().unwrap_or((0, 0, NONE))).collect();
        Crediting { rules, people, special_of, has_special, special, parts, errors, routes, first_route }
    }

    /// Opportunity `o`'s split and overlay rows, if it has any.
    fn special(&self, o: u32) -> Option<&Special> {
        let bits = *self.has_special.get(o as usize / 64)?;
        if bits & (1 << (o % 64)) == 0 {
            return None;
        }
        let i = *self.special_of.get(o as usize)?;
        self.special.get(i as usize)
    }

    fn payee(&self, p: u32) -> Option<u32> {
        (p != NONE && p < self.people).then_some(p)
    }

    /// Primary and overlay credits of a transaction, in that order, into `out`.
    pub fn direct(&self, t: &Txn<'_>, out: &mut Vec<Credited>) -> Result<(), EngineError> {
        self.direct_of(t.store, (t.opportunity, t.owner, t.account), t.day, t.row, out)
    }

    /// The same for a row with this opportunity, owner and account (`NONE` where it has none)
    /// on `day`: what the pass's short way reads for a row that needs no fallback.
    pub fn direct_of(
        &self,
        store: &FactStore,
        refs: (u32, u32, u32),
        day: i32,
        row: u32,
        out: &mut Vec<Credited>,
    ) -> Result<(), EngineError> {
        out.clear();
        let special = self.special(refs.0);
        for rule in &self.rules.primary {
            if *rule == PrimaryRule::Splits {
                if let Some(sp) = special.filter(|s| s.has_split) {
                    if let Some(e) = self.errors.get(sp.error as usize) {
                        return Err(e.clone());
                    }
                    for (person, share) in &self.parts[sp.split.0 as usize..sp.split.1 as usize] {
                        out.push(credited(*person, row, *share, CreditKind::Direct, Reason::Rule(*rule)));
                    }
                }
            } else if let Some(person) = self.named_by(*rule, store, refs, day) {
                out.push(credited(person, row, Decimal::ONE, CreditKind::Direct, Reason::Rule(*rule)));
            }
            if !out.is_empty() {
                break;
            }
        }
        if self.rules.overlay_splits
            && let Some(special) = special
        {
            for (person, share) in &self.parts[special.overlays.0 as usize..special.overlays.1 as usize] {
                out.push(credited(*person, row, *share, CreditKind::Overlay, Reason::OverlaySplit));
            }
        }
        Ok(())
    }

    /// The payee a primary rule other than `Splits` names for a row with this opportunity,
    /// owner and account (`NONE` where it has none) on `day`.
    fn named_by(
        &self,
        rule: PrimaryRule,
        store: &FactStore,
        (opportunity, owner, account): (u32, u32, u32),
        day: i32,
    ) -> Option<u32> {
        let named = match rule {
            PrimaryRule::Splits => NONE,
            PrimaryRule::OpportunityOwner if store.pipeline.is_known(opportunity) => {
                store.pipeline.owner[opportunity as usize]
            }
            PrimaryRule::OpportunityOwner => NONE,
            PrimaryRule::TransactionOwner => owner,
            // Read only under this rule: the account's facts are a random read per row.
            PrimaryRule::NamedAccount => store.account.get(account as usize).map_or(NONE, |a| a.owner),
            PrimaryRule::TerritoryOwner => self.route(account, day),
        };
        self.payee(named)
    }

    /// The one payee credited in full for a row whose opportunity has no split or overlay
    /// rows (`Crediting::plain`): the first rule that names someone, as `direct` finds it.
    pub fn primary_plain(&self, store: &FactStore, refs: (u32, u32, u32), day: i32) -> Option<u32> {
        self.rules.primary.iter().find_map(|rule| self.named_by(*rule, store, refs, day))
    }

    /// The most decimals of any split or overlay share, among those with at most `max`.
    pub fn share_scale(&self, max: u32) -> u32 {
        self.parts.iter().map(|(_, share)| share.scale()).filter(|s| *s <= max).max().unwrap_or(0)
    }

    /// Whether opportunity `o` has neither split nor overlay rows, so a row of it credits one
    /// payee in full (or nobody).
    pub fn plain(&self, o: u32) -> bool {
        self.special(o).is_none()
    }

    /// Every credit of a transaction: primary, overlay, then roll-up over positions as they
    /// were on its date (every position above a primary payee's gets the sum of the shares
    /// below it once; its holder that day is credited; a vacant seat's share is not passed
    /// on, its manager still gets their own roll-up).
    pub fn all(&self, t: &Txn<'_>, out: &mut Vec<Credited>) -> Result<(), EngineError> {
        self.direct(t, out)?;
        if !self.rules.roll_up {
            return Ok(());
        }
        let org = &t.store.org;
        let by_position: Vec<(u32, Decimal)> = out
            .iter()
            .filter(|c| c.credit.kind == CreditKind::Direct)
            .filter_map(|c| {
                let pos = org.position.get(c.person, t.day);
                (pos != NONE).then_some((pos, c.credit.share))
            })
            .collect();
        if by_position.is_empty() {
            return Ok(());
        }
        let manager_of = |pos: &u32| Some(org.reports_to.get(*pos, t.day)).filter(|m| *m != NONE);
        for (pos, share) in roll_up(&by_position, manager_of) {
            if let Some(holder) = self.payee(org.holder.get(pos, t.day)) {
                out.push(credited(holder, t.row, share, CreditKind::Rollup, Reason::Rollup));
            }
        }
        Ok(())
    }

    /// Reads the routes of a block of rows' accounts before the rows are credited one by one:
    /// the reads do not wait for each other, so their cache misses overlap, and the rows then
    /// find them in cache (one row's work is too long for the processor to reach the next
    /// row's miss on its own).
    pub fn warm(&self, accounts: &[u32]) {
        let mut seen = 0u32;
        for a in accounts {
            if let Some((_, _, holder)) = self.first_route.get(*a as usize) {
                seen ^= *holder;
            }
        }
        std::hint::black_box(seen);
    }

    /// Who holds the position owning account `a`'s territory on `day`.
    fn route(&self, a: u32, day: i32) -> u32 {
        match self.first_route.get(a as usize) {
            Some((from, to, holder)) if *from <= day && day < *to => *holder,
            Some(_) => self.routes.get(a, day),
            None => NONE,
        }
    }

    /// The payee holding `position` on `day`, or `NONE`.
    pub fn holder(&self, org: &attain_facts::Org, position: u32, day: i32) -> u32 {
        self.payee(org.holder.get(position, day)).unwrap_or(NONE)
    }

    /// Whether opportunity `o`'s split cannot be made (a run stops on it, as it did per row).
    pub fn split_error(&self, o: u32) -> Option<&EngineError> {
        self.special(o).and_then(|s| self.errors.get(s.error as usize))
    }

    /// The first transaction's crediting error, in transaction order: a split that cannot be
    /// made stops a run before anything else is looked at, as it always has.
    pub fn first_error(&self, store: &FactStore) -> Result<(), EngineError> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let mut out = Vec::new();
        for row in 0..store.transactions.len() as u32 {
            let t = Txn::at(store, row);
            if self.split_error(t.opportunity).is_some() {
                self.direct(&t, &mut out)?;
            }
        }
        Ok(())
    }

    /// Whether crediting rolls up.
    pub fn rolls_up(&self) -> bool {
        self.rules.roll_up
    }
}

/// For each account, the holder of its territory's owning position over time (the account's
/// territory itself may change: applied assignment rules date it).
fn routes(store: &FactStore) -> Intervals {
    let org = &store.org;
    let mut rows = Vec::new();
    for a in 0..store.account.len() as u32 {
        // The account's territory, the territory's owning seat and the seat's holder, each
        // over time: the days all three agree on.
        for (af, at, territory) in store.account_territory.of(a) {
            for (from, to, owner) in org.territory_owner.of(territory) {
                let (from, to) = (from.max(af), to.min(at));
                for (hf, ht, holder) in org.holder.of(owner) {
                    let (f, t) = (from.max(hf), to.min(ht));
                    if f < t {
                        rows.push(Row { key: a, from: f, to: t, value: holder });
                    }
                }
            }
        }
    }
    Intervals::build(store.account.len(), &rows)
}

fn credited(person: u32, txn: u32, share: Decimal, kind: CreditKind, reason: Reason) -> Credited {
    Credited { person, credit: Credit { txn, share, kind, reason } }
}

#[cfg(test)]
mod tests {
    use attain_core::domain::{CreditRole, CreditSplit};
    use attain_demo::{DemoConfig, generate};
    use attain_facts::FactStore;

    use super::*;
    use crate::pay::crediting::split;
    use crate::pay::plan::load_rules;

    /// Split patterns that share a prefix (50/50 and 50/30/20), repeat (60/40 twice), fail
    /// (60/30) or overlay at different percents each get the parts `split` gives them
    /// directly: the compile divides each pattern once, and must not mix two up.
    #[test]
    fn each_opportunity_gets_its_own_patterns_parts() {
        let mut data = generate(&DemoConfig::new(jiff::civil::date(2018, 1, 15)));
        let people: Vec<String> = data.people.iter().take(4).map(|p| p.id.clone()).collect();
        let opportunities: Vec<String> = data.opportunities.iter().take(5).map(|o| o.id.clone()).collect();
        let pattern: [(&[i64], &[i64]); 5] = [
            (&[50, 50], &[100]),
            (&[50, 30, 20], &[25]),
            (&[60, 30], &[]),
            (&[60, 40], &[]),
            (&[60, 40], &[100]),
        ];
        data.credit_splits.clear();
        for ((primary, overlay), o) in pattern.iter().zip(&opportunities) {
            let rows = primary
                .iter()
                .map(|p| (CreditRole::Primary, p))
                .chain(overlay.iter().map(|p| (CreditRole::Overlay, p)));
            for (i, (role, percent)) in rows.enumerate() {
                data.credit_splits.push(CreditSplit {
                    id: format!("{o}-{i}"),
                    opportunity_id: o.clone(),
                    person_id: people[i % people.len()].clone(),
                    role,
                    percent: Decimal::from(*percent),
                });
            }
        }
        let store = FactStore::from_dataset(&data);
        let text = "primary = [\"splits\", \"territory_owner\"]\noverlay_splits = true\nroll_up = true\n";
        let rules = load_rules("crediting.toml", text).expect("rules");
        let crediting = Crediting::new(&store, &data, &rules);
        for ((primary, overlay), o) in pattern.iter().zip(&opportunities) {
            let n = store.opportunities.get(o).expect("interned");
            let special = crediting.special(n).expect("has split rows");
            let shares: Vec<Share<usize>> = primary
                .iter()
                .enumerate()
                .map(|(i, p)| Share { payee: i, percent: Decimal::from(*p) })
                .collect();
            match split(Decimal::ONE, &shares) {
                Ok(expected) => {
                    let parts = &crediting.parts[special.split.0 as usize..special.split.1 as usize];
                    let got: Vec<Decimal> = parts.iter().map(|(_, share)| *share).collect();
                    let want: Vec<Decimal> = expected.iter().map(|(_, share)| *share).collect();
                    assert_eq!(got, want, "{o}: {primary:?}");
                    for (a, b) in got.iter().zip(&want) {
                        assert_eq!(a.serialize(), b.serialize(), "{o}: the very same decimals");
                    }
                    assert_eq!(special.error, NONE);
                }
                Err(e) => {
                    let error = &crediting.errors[special.error as usize];
                    assert!(error.to_string().contains(&e.to_string()), "{o}: {error}");
                }
            }
            let overlays = &crediting.parts[special.overlays.0 as usize..special.overlays.1 as usize];
            let want: Vec<Decimal> =
                overlay.iter().map(|p| Decimal::from(*p) / Decimal::ONE_HUNDRED).collect();
            assert_eq!(overlays.iter().map(|(_, s)| *s).collect::<Vec<_>>(), want, "{o}: overlays");
        }
    }
}
