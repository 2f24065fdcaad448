//! Crediting: who is credited for each transaction, with what share and why. Done once per
//! dataset (not per period): every later step reads these credit rows.
//!
//! Primary credit goes to the first crediting rule that names someone (explicit splits, the
//! opportunity owner, the transaction's owner, the account's named owner, the territory owner
//! on the date — in the company's order); overlays (explicit overlay rows) add credit on top;
//! roll-up gives every manager above a primary payee, on the transaction's date, the sum of
//! their people's shares once.

use std::collections::HashMap;

use attain_core::domain::{CreditRole, CreditSplit};
use attain_core::{Dataset, Date};
use attain_facts::day::day_of;
use attain_facts::{FactStore, NONE};
use rust_decimal::Decimal;

use super::EngineError;
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

/// Where a transaction's people-facing facts come from: the transaction itself, falling back
/// to the transaction it reverses (a return may not repeat the deal's owner or account).
pub(crate) struct Sources<'a> {
    pub opportunity: Option<&'a str>,
    pub account: Option<&'a str>,
    pub owner: Option<&'a str>,
}

/// Credits per person (indexes into `data.people`), each list in transaction order.
pub(crate) fn credit_all(
    data: &Dataset,
    facts: &FactStore,
    rules: &CreditRules,
    people: &HashMap<&str, u32>,
    sources: &[Sources<'_>],
) -> Result<Vec<Vec<Credit>>, EngineError> {
    let mut splits: HashMap<&str, Vec<&CreditSplit>> = HashMap::new();
    for s in &data.credit_splits {
        splits.entry(s.opportunity_id.as_str()).or_default().push(s);
    }
    let accounts: HashMap<&str, usize> =
        data.accounts.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    let opportunities: HashMap<&str, usize> =
        data.opportunities.iter().enumerate().map(|(i, o)| (o.id.as_str(), i)).collect();
    let mut credits: Vec<Vec<Credit>> = vec![Vec::new(); data.people.len()];
    let person = |id: &str| people.get(id).copied();
    for (t, txn) in data.transactions.iter().enumerate() {
        let src = &sources[t];
        let date = txn.date;
        let opp = src.opportunity.and_then(|o| opportunities.get(o)).map(|i| &data.opportunities[*i]);
        let account = src.account.and_then(|a| accounts.get(a)).map(|i| &data.accounts[*i]);
        let deal_splits = src.opportunity.and_then(|o| splits.get(o));
        let mut primary: Vec<(u32, Decimal, PrimaryRule)> = Vec::new();
        for rule in &rules.primary {
            match rule {
                PrimaryRule::Splits => {
                    let Some(rows) = deal_splits else { continue };
                    let shares: Vec<Share<&str>> = rows
                        .iter()
                        .filter(|s| s.role == CreditRole::Primary)
                        .map(|s| Share { payee: s.person_id.as_str(), percent: s.percent })
                        .collect();
                    if shares.is_empty() {
                        continue;
                    }
                    let parts = split(Decimal::ONE, &shares).map_err(|e| EngineError::Split {
                        opportunity: src.opportunity.unwrap_or_default().to_string(),
                        message: e.to_string(),
                    })?;
                    for (payee, share) in parts {
                        if let Some(p) = person(payee) {
                            primary.push((p, share, *rule));
                        }
                    }
                }
                PrimaryRule::OpportunityOwner => {
                    if let Some(p) = opp.and_then(|o| person(&o.owner_id)) {
                        primary.push((p, Decimal::ONE, *rule));
                    }
                }
                PrimaryRule::TransactionOwner => {
                    if let Some(p) = src.owner.and_then(person) {
                        primary.push((p, Decimal::ONE, *rule));
                    }
                }
                PrimaryRule::NamedAccount => {
                    if let Some(p) = account.and_then(|a| a.owner_id.as_deref()).and_then(person) {
                        primary.push((p, Decimal::ONE, *rule));
                    }
                }
                PrimaryRule::TerritoryOwner => {
                    if let Some(p) = account
                        .and_then(|a| a.territory_id.as_deref())
                        .and_then(|t| territory_holder(facts, t, date))
                        .and_then(|p| (p < data.people.len() as u32).then_some(p))
                    {
                        primary.push((p, Decimal::ONE, *rule));
                    }
                }
            }
            if !primary.is_empty() {
                break;
            }
        }
        let t32 = t as u32;
        for (p, share, rule) in &primary {
            credits[*p as usize].push(Credit {
                txn: t32,
                share: *share,
                kind: CreditKind::Direct,
                reason: Reason::Rule(*rule),
            });
        }
        if rules.overlay_splits
            && let Some(rows) = deal_splits
        {
            for s in rows.iter().filter(|s| s.role == CreditRole::Overlay) {
                if let Some(p) = person(&s.person_id) {
                    let share = s.percent / Decimal::ONE_HUNDRED;
                    credits[p as usize].push(Credit {
                        txn: t32,
                        share,
                        kind: CreditKind::Overlay,
                        reason: Reason::OverlaySplit,
                    });
                }
            }
        }
        if rules.roll_up {
            for (manager, share) in rolled_up(facts, &primary, date) {
                if let Some(p) = (manager < data.people.len() as u32).then_some(manager) {
                    credits[p as usize].push(Credit {
                        txn: t32,
                        share,
                        kind: CreditKind::Rollup,
                        reason: Reason::Rollup,
                    });
                }
            }
        }
    }
    Ok(credits)
}

/// The person holding the position that owns `territory` on `day` (two binary searches).
fn territory_holder(facts: &FactStore, territory: &str, day: Date) -> Option<u32> {
    let day = day_of(day);
    let owner = facts.org.territory_owner.get(facts.territories.get(territory)?, day);
    let holder = facts.org.holder.get(owner, day);
    (owner != NONE && holder != NONE).then_some(holder)
}

/// Roll-up over positions as they were on `day`: every position above a primary payee's gets
/// the sum of the shares below it once; its holder that day is credited (a vacant seat's share
/// is not passed on: its manager still gets their own roll-up).
fn rolled_up(facts: &FactStore, primary: &[(u32, Decimal, PrimaryRule)], day: Date) -> Vec<(u32, Decimal)> {
    if primary.is_empty() {
        return Vec::new();
    }
    let day = day_of(day);
    let mut by_position: Vec<(u32, Decimal)> = Vec::new();
    for (p, share, _) in primary {
        // People are interned first, in the dataset's order: a payee's index is their number.
        let pos = facts.org.position.get(*p, day);
        if pos != NONE {
            by_position.push((pos, *share));
        }
    }
    let manager_of = |pos: &u32| Some(facts.org.reports_to.get(*pos, day)).filter(|m| *m != NONE);
    roll_up(&by_position, manager_of)
        .into_iter()
        .filter_map(|(pos, share)| {
            let holder = facts.org.holder.get(pos, day);
            (holder != NONE).then_some((holder, share))
        })
        .collect()
}
