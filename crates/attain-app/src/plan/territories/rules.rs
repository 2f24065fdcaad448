//! Account-assignment rules: the list (whole-company roles), saving one (comp admins and
//! admins) and ending one. A rule that would claim an account another rule of its precedence
//! already gives to a different territory is refused on save, naming both and the account;
//! the preview and the apply check the whole set again on their day.

use std::collections::HashMap;

use attain_core::domain::{RuleBasis, TerritoryRule};
use attain_core::record::{Choice, Record};
use attain_core::{Dataset, Date, Kind, Validity};
use attain_engine::plan::territory::{AccountFields, Conflict, RuleBook, first_claim};
use serde::Deserialize;

use super::{day, filled};
use crate::access::{Actor, Permission};
use crate::app::App;
use crate::audit::Change;
use crate::batch_write::source_row;
use crate::error::{AppError, AppResult};
use crate::import::{Batch, Origin};

/// A rule as the page and the API show it.
#[derive(Debug, Clone)]
pub struct RuleRow {
    pub rule: TerritoryRule,
    pub territory: String,
    pub in_force: bool,
    /// How many accounts it decides today (0 for a rule not in force).
    pub decides: usize,
}

/// A request to save a rule, as a form or a JSON body sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleRequest {
    pub territory_id: String,
    pub basis: String,
    /// An account id (named, override), or the country, region, industry or size band.
    pub value: String,
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The accounts as the rules read them.
pub(super) fn account_fields(data: &Dataset) -> Vec<AccountFields<'_>> {
    data.accounts
        .iter()
        .map(|a| AccountFields {
            id: &a.id,
            country: a.country.as_deref(),
            region: a.region.as_deref(),
            industry: a.industry.as_deref(),
            size: a.size,
        })
        .collect()
}

/// The rules in force on `day`, in stored order.
pub(super) fn rules_on(data: &Dataset, day: Date) -> Vec<TerritoryRule> {
    data.territory_rules.iter().filter(|r| r.validity.contains(day)).cloned().collect()
}

/// A conflict in words, naming territories by name.
pub(super) fn conflict_text(data: &Dataset, rules: &[TerritoryRule], c: &Conflict) -> String {
    let names = super::territory_names(data);
    let a = &data.accounts[c.account];
    c.describe(rules, (&a.id, &a.name), |t| names.get(t).map_or_else(|| t.to_string(), |n| n.to_string()))
}

impl App {
    /// Every assignment rule (`history`: also those that have ended), with what each decides
    /// today. Whole-company roles only; anyone else is told nothing exists.
    pub fn territory_rules(&self, actor: &Actor, history: bool) -> AppResult<Vec<RuleRow>> {
        if !actor.may(Permission::ViewPlan) {
            return Err(AppError::NotFound);
        }
        let snapshot = self.snapshot();
        let data = &snapshot.data;
        let today = self.pay_today();
        let names = super::territory_names(data);
        let in_force = rules_on(data, today);
        let book = RuleBook::new(&in_force);
        let mut decides: HashMap<&str, usize> = HashMap::new();
        for (i, a) in account_fields(data).iter().enumerate() {
            if let Ok(Some(p)) = book.place(a, i) {
                *decides.entry(in_force[p.rule].id.as_str()).or_default() += 1;
            }
        }
        let mut rows: Vec<RuleRow> = data
            .territory_rules
            .iter()
            .filter(|r| history || r.validity.to.is_none_or(|to| to > today))
            .map(|r| RuleRow {
                territory: names
                    .get(r.territory_id.as_str())
                    .map_or_else(|| r.territory_id.clone(), |n| n.to_string()),
                in_force: r.validity.contains(today),
                decides: decides.get(r.id.as_str()).copied().unwrap_or(0),
                rule: r.clone(),
            })
            .collect();
        rows.sort_by(|a, b| {
            (a.rule.basis.precedence(), a.rule.key(), a.rule.validity.from).cmp(&(
                b.rule.basis.precedence(),
                b.rule.key(),
                b.rule.validity.from,
            ))
        });
        Ok(rows)
    }

    /// Saves a rule from `valid_from` (the same basis, value and first day again changes it).
    /// Refused, naming both rules and the account, when it would claim an account another rule
    /// of its precedence gives to a different territory on any day it is in force.
    pub async fn save_territory_rule(
        &self,
        actor: &Actor,
        request: &RuleRequest,
    ) -> AppResult<TerritoryRule> {
        actor.require(Permission::ManagePlan)?;
        let _writing = self.fresh_writer().await?;
        let rule = {
            let snapshot = self.snapshot();
            let data = &snapshot.data;
            let basis = RuleBasis::parse(request.basis.trim())
                .map_err(|_| AppError::invalid("basis", format!("one of {}", RuleBasis::NAMES.join(", "))))?;
            let territory = request.territory_id.trim();
            if snapshot.find(Kind::Territories, territory).is_empty() {
                return Err(AppError::invalid("territory_id", format!("no territory {territory}")));
            }
            let value = request.value.trim();
            if basis.names_account() && snapshot.find(Kind::Accounts, value).is_empty() {
                return Err(AppError::invalid("value", format!("no account {value}")));
            }
            let from = day("valid_from", &request.valid_from)?;
            let to = filled(&request.valid_to).map(|t| day("valid_to", t)).transpose()?;
            let validity =
                Validity::new(from, to).map_err(|e| AppError::invalid("valid_to", e.to_string()))?;
            let rule = TerritoryRule {
                id: TerritoryRule::id_for(basis, value, from),
                territory_id: territory.to_string(),
                basis,
                value: value.to_string(),
                validity,
                note: filled(&request.note).map(str::to_string),
            };
            // The record's own rules (a size band's names) name the field at fault.
            let rule = TerritoryRule::from_values(&rule.to_values())
                .map_err(|e| AppError::invalid(e.column, e.reason))?;
            check_claims(data, std::slice::from_ref(&rule))?;
            rule
        };
        let before = {
            let snapshot = self.snapshot();
            snapshot
                .find(Kind::TerritoryRules, &rule.id)
                .first()
                .map(|i| snapshot.data.territory_rules[*i].clone())
        };
        let mut change =
            Change::new("territory_rule.save", Kind::TerritoryRules.name(), Some(rule.id.clone()))
                .after(&rule);
        if let Some(before) = before {
            change = change.before(before);
        }
        self.write_rules(actor, std::slice::from_ref(&rule), change).await?;
        Ok(rule)
    }

    /// Ends rule `id` on `valid_to` (the first day it no longer holds).
    pub async fn end_territory_rule(
        &self,
        actor: &Actor,
        id: &str,
        valid_to: &str,
    ) -> AppResult<TerritoryRule> {
        if !actor.may(Permission::ViewPlan) {
            return Err(AppError::NotFound);
        }
        actor.require(Permission::ManagePlan)?;
        let _writing = self.fresh_writer().await?;
        let to = day("valid_to", valid_to)?;
        let (before, ended) = {
            let snapshot = self.snapshot();
            let index = snapshot.find(Kind::TerritoryRules, id).first().copied().ok_or(AppError::NotFound)?;
            let current = snapshot.data.territory_rules[index].clone();
            if to <= current.validity.from {
                return Err(AppError::invalid(
                    "valid_to",
                    format!(
                        "the rule starts on {}: it can end the day after at the earliest",
                        current.validity.from
                    ),
                ));
            }
            let ended = TerritoryRule {
                validity: Validity { from: current.validity.from, to: Some(to) },
                ..current.clone()
            };
            (current, ended)
        };
        let change = Change::new("territory_rule.end", Kind::TerritoryRules.name(), Some(ended.id.clone()))
            .before(&before)
            .after(&ended);
        self.write_rules(actor, std::slice::from_ref(&ended), change).await?;
        Ok(ended)
    }

    /// Writes rules (new or changed) in one transaction through the import's checks.
    pub(super) async fn write_rules(
        &self,
        actor: &Actor,
        rules: &[TerritoryRule],
        change: Change,
    ) -> AppResult<()> {
        let origin = Origin::canonical("territory rule", Kind::TerritoryRules);
        let mut batch = Batch::default();
        for (i, r) in rules.iter().enumerate() {
            batch.push(Kind::TerritoryRules, source_row(Kind::TerritoryRules, &origin, i as u64 + 1, r));
        }
        self.write_batch(actor, batch, change, "assignment rules").await
    }
}

/// Refuses `new` rules when one of them and another rule of its precedence both claim one
/// account for different territories on a day it is in force (the engine's `first_claim`,
/// which the import's check calls too).
pub(super) fn check_claims(data: &Dataset, new: &[TerritoryRule]) -> AppResult<()> {
    match first_claim(&account_fields(data), &data.territory_rules, new) {
        None => Ok(()),
        Some(claim) => Err(AppError::invalid(
            "value",
            format!("on {}: {}", claim.day, conflict_text(data, &claim.rules, &claim.conflict)),
        )),
    }
}
