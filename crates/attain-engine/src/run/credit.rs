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
use attain_core::domain::CreditRole;
use attain_facts::intervals::Row;
use attain_facts::{FactStore, Intervals, NONE};
use rust_decimal::Decimal;

use super::EngineError;
use super::txn::Txn;
use crate::crediting::{Share, roll_up, split};
use crate::plan::{CreditRules, PrimaryRule};

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

/// An opportunity's primary split as (person, share), or why it cannot be made.
type SplitParts = Result<Vec<(u32, Decimal)>, EngineError>;

/// The credit rows of one opportunity that has any.
#[derive(Debug)]
struct Special {
    /// The primary split, already divided (or why it cannot be); `None` without primary rows.
    split: Option<SplitParts>,
    /// Overlay rows as (person, share).
    overlays: Vec<(u32, Decimal)>,
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
    special: Vec<Special>,
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
        // The split rows grouped by opportunity (data order kept within each), without a list
        // per opportunity: most have none.
        let mut rows: Vec<(u32, &attain_core::domain::CreditSplit)> = data
            .credit_splits
            .iter()
            .filter_map(|s| Some((store.opportunities.get(&s.opportunity_id)?, s)))
            .collect();
        rows.sort_by_key(|(o, _)| *o);
        let people = data.people.len() as u32;
        let person = |id: &str| store.people.get(id).filter(|p| *p < people);
        let mut special_of = vec![NONE; store.opportunities.len()];
        let mut special = Vec::new();
        for group in rows.chunk_by(|a, b| a.0 == b.0) {
            let o = group[0].0;
            let shares: Vec<Share<&str>> = group
                .iter()
                .filter(|(_, s)| s.role == CreditRole::Primary)
                .map(|(_, s)| Share { payee: s.person_id.as_str(), percent: s.percent })
                .collect();
            let split = (!shares.is_empty()).then(|| {
                split(Decimal::ONE, &shares)
                    .map(|parts| {
                        parts.into_iter().filter_map(|(id, share)| Some((person(id)?, share))).collect()
                    })
                    .map_err(|e| EngineError::Split {
                        opportunity: store.opportunities.name(o).to_string(),
                        message: e.to_string(),
                    })
            });
            let overlays = group
                .iter()
                .filter(|(_, s)| s.role == CreditRole::Overlay)
                .filter_map(|(_, s)| Some((person(&s.person_id)?, s.percent / Decimal::ONE_HUNDRED)))
                .collect();
            special_of[o as usize] = special.len() as u32;
            special.push(Special { split, overlays });
        }
        let routes = routes(store);
        let first_route =
            (0..store.account.len() as u32).map(|a| routes.of(a).next().unwrap_or((0, 0, NONE))).collect();
        Crediting { rules, people, special_of, special, routes, first_route }
    }

    /// Opportunity `o`'s split and overlay rows, if it has any.
    fn special(&self, o: u32) -> Option<&Special> {
        let i = *self.special_of.get(o as usize)?;
        self.special.get(i as usize)
    }

    fn payee(&self, p: u32) -> Option<u32> {
        (p != NONE && p < self.people).then_some(p)
    }

    /// Primary and overlay credits of a transaction, in that order, into `out`.
    pub fn direct(&self, t: &Txn<'_>, out: &mut Vec<Credited>) -> Result<(), EngineError> {
        out.clear();
        let store = t.store;
        let account = store.account.get(t.account as usize);
        let special = self.special(t.opportunity);
        let opp = t.opportunity as usize;
        for rule in &self.rules.primary {
            let mut one = |p: Option<u32>| {
                if let Some(person) = p.and_then(|p| self.payee(p)) {
                    out.push(credited(person, t.row, Decimal::ONE, CreditKind::Direct, Reason::Rule(*rule)));
                }
            };
            match rule {
                PrimaryRule::Splits => {
                    if let Some(parts) = special.and_then(|s| s.split.as_ref()) {
                        for (person, share) in parts.as_ref().map_err(Clone::clone)? {
                            out.push(credited(
                                *person,
                                t.row,
                                *share,
                                CreditKind::Direct,
                                Reason::Rule(*rule),
                            ));
                        }
                    }
                }
                PrimaryRule::OpportunityOwner => {
                    one(store.pipeline.is_known(t.opportunity).then(|| store.pipeline.owner[opp]))
                }
                PrimaryRule::TransactionOwner => one(Some(t.owner)),
                PrimaryRule::NamedAccount => one(account.map(|a| a.owner)),
                PrimaryRule::TerritoryOwner => one(Some(self.route(t.account, t.day))),
            }
            if !out.is_empty() {
                break;
            }
        }
        if self.rules.overlay_splits
            && let Some(special) = special
        {
            for (person, share) in &special.overlays {
                out.push(credited(*person, t.row, *share, CreditKind::Overlay, Reason::OverlaySplit));
            }
        }
        Ok(())
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
        match self.special(o) {
            Some(Special { split: Some(Err(e)), .. }) => Some(e),
            _ => None,
        }
    }

    /// The first transaction's crediting error, in transaction order: a split that cannot be
    /// made stops a run before anything else is looked at, as it always has.
    pub fn first_error(&self, store: &FactStore) -> Result<(), EngineError> {
        if !self.special.iter().any(|s| matches!(s.split, Some(Err(_)))) {
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

/// For each account, the holder of its territory's owning position over time.
fn routes(store: &FactStore) -> Intervals {
    let org = &store.org;
    let mut rows = Vec::new();
    for (a, facts) in store.account.iter().enumerate() {
        if facts.territory == NONE {
            continue;
        }
        for (from, to, owner) in org.territory_owner.of(facts.territory) {
            for (hf, ht, holder) in org.holder.of(owner) {
                let (f, t) = (from.max(hf), to.min(ht));
                if f < t {
                    rows.push(Row { key: a as u32, from: f, to: t, value: holder });
                }
            }
        }
    }
    Intervals::build(store.account.len(), &rows)
}

fn credited(person: u32, txn: u32, share: Decimal, kind: CreditKind, reason: Reason) -> Credited {
    Credited { person, credit: Credit { txn, share, kind, reason } }
}
