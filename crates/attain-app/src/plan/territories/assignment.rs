//! Applying the assignment rules on a day: which accounts move, from which territory (and
//! whose) to which (and whose), by which rule. The preview and the apply are one function:
//! the apply computes the same moves under the writer lock and writes them, so what was
//! previewed on unchanged data is exactly what is applied.
//!
//! An account moving on day D gets a row [D, the start of its next dated row, or open); the
//! row that held on D ends on D, or is changed in place when it also starts on D. Every row
//! and every end is written in one transaction, audited once.

use std::collections::HashMap;

use attain_core::domain::AccountTerritory;
use attain_core::{Dataset, Date, Kind, Validity};
use attain_engine::plan::territory::place_all;

use super::rules::{account_fields, conflict_text, rules_on};
use super::{owners_on, territories_on, territory_names};
use crate::access::{Actor, Permission};
use crate::app::App;
use crate::audit::Change;
use crate::batch_write::source_row;
use crate::error::{AppError, AppResult};
use crate::import::{Batch, Origin};

/// One account that moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentMove {
    pub account_id: String,
    pub account: String,
    pub from_territory: Option<String>,
    pub from_name: Option<String>,
    /// Who holds the seat owning the territory on the day, by name.
    pub from_owner: Option<String>,
    pub to_territory: String,
    pub to_name: String,
    pub to_owner: Option<String>,
    pub rule_id: String,
    /// The rule as a condition: "country = CA".
    pub rule: String,
}

/// What applying the rules on `on` does (or did).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentPreview {
    pub on: Date,
    pub rules_in_force: usize,
    pub accounts: usize,
    /// Accounts some rule decides (the rest stay where they are).
    pub decided: usize,
    pub moves: Vec<AssignmentMove>,
    pub applied: bool,
}

/// The moves on `on` and the rows that make them.
fn plan(data: &Dataset, on: Date, actor: &str) -> AppResult<(AssignmentPreview, Vec<AccountTerritory>)> {
    let rules = rules_on(data, on);
    let accounts = account_fields(data);
    let placed = place_all(&rules, &accounts).map_err(|conflicts| {
        let mut text: Vec<String> =
            conflicts.iter().take(3).map(|c| conflict_text(data, &rules, c)).collect();
        if conflicts.len() > 3 {
            text.push(format!("and {} more accounts claimed twice", conflicts.len() - 3));
        }
        AppError::invalid("rules", text.join("; "))
    })?;
    let current = territories_on(data, on);
    let names = territory_names(data);
    let owners = owners_on(data, on);
    let mut rows_of: HashMap<&str, Vec<&AccountTerritory>> = HashMap::new();
    for r in &data.account_territories {
        rows_of.entry(r.account_id.as_str()).or_default().push(r);
    }
    let mut moves = Vec::new();
    let mut writes = Vec::new();
    for (i, p) in placed.iter().enumerate() {
        let Some(p) = p else { continue };
        let rule = &rules[p.rule];
        if current[i] == Some(rule.territory_id.as_str()) {
            continue;
        }
        let account = &data.accounts[i];
        let rows = rows_of.get(account.id.as_str()).map(Vec::as_slice).unwrap_or_default();
        let next = rows.iter().map(|r| r.validity.from).filter(|f| *f > on).min();
        let mut started_today = false;
        for r in rows.iter().filter(|r| r.validity.contains(on)) {
            if r.validity.from == on {
                started_today = true;
                writes.push(AccountTerritory {
                    territory_id: rule.territory_id.clone(),
                    rule_id: Some(rule.id.clone()),
                    assigned_by: Some(actor.to_string()),
                    ..(*r).clone()
                });
            } else {
                writes.push(AccountTerritory {
                    validity: Validity { from: r.validity.from, to: Some(on) },
                    ..(*r).clone()
                });
            }
        }
        if !started_today {
            writes.push(AccountTerritory {
                id: AccountTerritory::id_for(&account.id, on),
                account_id: account.id.clone(),
                territory_id: rule.territory_id.clone(),
                validity: Validity { from: on, to: next },
                rule_id: Some(rule.id.clone()),
                assigned_by: Some(actor.to_string()),
            });
        }
        let name = |t: &str| names.get(t).map_or_else(|| t.to_string(), |n| n.to_string());
        let owner = |t: &str| owners.get(t).map(|(_, n)| n.to_string());
        moves.push(AssignmentMove {
            account_id: account.id.clone(),
            account: account.name.clone(),
            from_territory: current[i].map(str::to_string),
            from_name: current[i].map(name),
            from_owner: current[i].and_then(owner),
            to_territory: rule.territory_id.clone(),
            to_name: name(&rule.territory_id),
            to_owner: owner(&rule.territory_id),
            rule_id: rule.id.clone(),
            rule: rule.condition(),
        });
    }
    moves.sort_by(|a, b| (&a.account, &a.account_id).cmp(&(&b.account, &b.account_id)));
    let preview = AssignmentPreview {
        on,
        rules_in_force: rules.len(),
        accounts: accounts.len(),
        decided: placed.iter().filter(|p| p.is_some()).count(),
        moves,
        applied: false,
    };
    Ok((preview, writes))
}

impl App {
    /// What applying the rules in force on `on` would move (`apply`: moves them, in one
    /// transaction, and says what it moved). Whole-company roles may look; comp admins and
    /// admins may apply. Two rules of one precedence claiming an account refuse both.
    pub async fn assign_territories(
        &self,
        actor: &Actor,
        on: Date,
        apply: bool,
    ) -> AppResult<AssignmentPreview> {
        if !actor.may(Permission::ViewPlan) {
            return Err(AppError::NotFound);
        }
        if !apply {
            return Ok(plan(&self.snapshot().data, on, &actor.login)?.0);
        }
        actor.require(Permission::ManagePlan)?;
        let _writing = self.fresh_writer().await?;
        let (mut preview, writes) = plan(&self.snapshot().data, on, &actor.login)?;
        if !writes.is_empty() {
            let origin = Origin::canonical("territory assignment", Kind::AccountTerritories);
            let mut batch = Batch::default();
            for (i, r) in writes.iter().enumerate() {
                batch.push(
                    Kind::AccountTerritories,
                    source_row(Kind::AccountTerritories, &origin, i as u64 + 1, r),
                );
            }
            let change =
                Change::new("territory.assign", Kind::AccountTerritories.name(), Some(on.to_string())).after(
                    serde_json::json!({
                        "on": on.to_string(),
                        "moves": preview.moves.iter().map(|m| serde_json::json!({
                            "account": m.account_id,
                            "from": m.from_territory,
                            "to": m.to_territory,
                            "rule": m.rule_id,
                        })).collect::<Vec<_>>(),
                    }),
                );
            self.write_batch(actor, batch, change, "account territories").await?;
        }
        preview.applied = true;
        Ok(preview)
    }
}
