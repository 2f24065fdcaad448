//! The balance report: for the leaf territories (under one territory, or all), each one's
//! accounts, potential, open pipeline, last fiscal year's bookings and workload on a day, how
//! far each is from the average on the measure chosen, the set's imbalance score, and account
//! moves that lower it. A move never touches an account a named-account rule places; taking
//! the moves writes them as override rules, which the assignment then applies like any rule.

use std::collections::{HashMap, HashSet};

use attain_core::domain::{DealStatus, RuleBasis, TerritoryRule};
use attain_core::record::Choice;
use attain_core::{Currency, Dataset, Date, Validity};
use attain_engine::plan::territory::{AccountLoad, BalanceMeasure, TerritoryLoad, balance, suggest};
use attain_engine::track::accounts_of_year;
use attain_facts::FactStore;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::rules::{check_claims, rules_on};
use super::{day, filled, owners_on, territories_on};
use crate::access::{Actor, Permission};
use crate::app::App;
use crate::audit::Change;
use crate::error::{AppError, AppResult};

/// What to balance: on which day, on which measure, which territories (the leaves under
/// `under`, else every leaf), and how many moves to suggest.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BalanceRequest {
    #[serde(default)]
    pub on: Option<String>,
    #[serde(default)]
    pub measure: Option<String>,
    #[serde(default)]
    pub under: Option<String>,
    #[serde(default)]
    pub moves: Option<String>,
}

/// One territory's line.
#[derive(Debug, Clone)]
pub struct BalanceRow {
    pub territory_id: String,
    pub name: String,
    pub owner: Option<String>,
    pub load: TerritoryLoad,
}

/// A suggested move, named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestedMove {
    pub account_id: String,
    pub account: String,
    pub from_territory: String,
    pub from_name: String,
    pub to_territory: String,
    pub to_name: String,
    /// The account's value on the measure.
    pub value: Decimal,
    /// The score once this move and those before it are made.
    pub score_after: Decimal,
}

/// The report.
#[derive(Debug, Clone)]
pub struct TerritoryBalance {
    pub on: Date,
    pub measure: BalanceMeasure,
    pub currency: Currency,
    /// The fiscal year whose bookings are shown (the last full one before `on`'s).
    pub bookings_year: i16,
    pub under: Option<String>,
    pub rows: Vec<BalanceRow>,
    pub average: Decimal,
    pub score: Decimal,
    pub suggestions: Vec<SuggestedMove>,
}

const DEFAULT_MOVES: usize = 10;
const MOST_MOVES: usize = 100;

impl App {
    /// The balance report. Whole-company roles only; anyone else is told nothing exists.
    pub fn territory_balance(&self, actor: &Actor, request: &BalanceRequest) -> AppResult<TerritoryBalance> {
        if !actor.may(Permission::ViewPlan) {
            return Err(AppError::NotFound);
        }
        let snapshot = self.snapshot();
        balance_of(&snapshot.data, &snapshot.facts, request, self.pay_today())
    }
    /// Takes the report's suggested moves (as computed again now, so exactly what the page
    /// showed on unchanged data) as override rules from the report's day, in one transaction.
    /// The assignment then applies them; named accounts are never among them.
    pub async fn take_balance_moves(
        &self,
        actor: &Actor,
        request: &BalanceRequest,
    ) -> AppResult<Vec<TerritoryRule>> {
        if !actor.may(Permission::ViewPlan) {
            return Err(AppError::NotFound);
        }
        actor.require(Permission::ManagePlan)?;
        let _writing = self.fresh_writer().await?;
        let report = self.territory_balance(actor, request)?;
        if report.suggestions.is_empty() {
            return Err(AppError::invalid("moves", "no move would lower the imbalance"));
        }
        let note = format!("Balance move on {} ({})", report.on, report.measure.name());
        let rules: Vec<TerritoryRule> = report
            .suggestions
            .iter()
            .map(|m| TerritoryRule {
                id: TerritoryRule::id_for(RuleBasis::Override, &m.account_id, report.on),
                territory_id: m.to_territory.clone(),
                basis: RuleBasis::Override,
                value: m.account_id.clone(),
                validity: Validity::open_from(report.on),
                note: Some(note.clone()),
            })
            .collect();
        check_claims(&self.snapshot().data, &rules)?;
        let change = Change::new("territory_rule.balance", "territory_rules", Some(report.on.to_string()))
            .after(serde_json::json!({
                "measure": report.measure.name(),
                "score_before": report.score.to_string(),
                "score_after": report.suggestions.last().map(|m| m.score_after.to_string()),
                "rules": rules.iter().map(|r| &r.id).collect::<Vec<_>>(),
            }));
        self.write_rules(actor, &rules, change).await?;
        Ok(rules)
    }
}

/// The balance report on `data` and its fact store (`today`: the day when none is asked).
/// Pure: the bench measures it at 10M transactions as the page runs it.
pub fn balance_of(
    data: &Dataset,
    facts: &FactStore,
    request: &BalanceRequest,
    today: Date,
) -> AppResult<TerritoryBalance> {
    let on = filled(&request.on).map(|d| day("on", d)).transpose()?.unwrap_or(today);
    let measure = match filled(&request.measure) {
        None => BalanceMeasure::Potential,
        Some(m) => BalanceMeasure::parse(m).map_err(|_| {
            AppError::invalid("measure", format!("one of {}", BalanceMeasure::NAMES.join(", ")))
        })?,
    };
    let limit =
        match filled(&request.moves) {
            None => DEFAULT_MOVES,
            Some(n) => n.parse::<usize>().ok().filter(|n| *n <= MOST_MOVES).ok_or_else(|| {
                AppError::invalid("moves", format!("a whole number from 0 to {MOST_MOVES}"))
            })?,
        };
    let under = filled(&request.under);
    if let Some(u) = under
        && !data.territories.iter().any(|t| t.id == u)
    {
        return Err(AppError::invalid("under", format!("no territory {u}")));
    }
    // The leaves below `under` (or all): territories nothing names as its parent.
    let parents: HashSet<&str> = data.territories.iter().filter_map(|t| t.parent_id.as_deref()).collect();
    let parent_of: HashMap<&str, Option<&str>> =
        data.territories.iter().map(|t| (t.id.as_str(), t.parent_id.as_deref())).collect();
    let below = |t: &str| {
        let Some(u) = under else { return true };
        let mut at = Some(t);
        let mut steps = 0;
        while let Some(node) = at {
            if node == u {
                return true;
            }
            steps += 1;
            // A cycle in bad data must not loop forever.
            if steps > parent_of.len() {
                return false;
            }
            at = parent_of.get(node).copied().flatten();
        }
        false
    };
    let mut leaves: Vec<&attain_core::domain::Territory> =
        data.territories.iter().filter(|t| !parents.contains(t.id.as_str()) && below(&t.id)).collect();
    leaves.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    let index: HashMap<&str, usize> = leaves.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect();

    let currency = data.company.first().map_or(Currency::USD, |c| c.base_currency);
    // One rate per currency on the day, looked up once.
    let mut rates: HashMap<Currency, Decimal> = HashMap::new();
    let mut convert = |amount: Decimal, from: Currency, what: &dyn Fn() -> String| -> AppResult<Decimal> {
        if let Some(rate) = rates.get(&from) {
            return Ok(amount * rate);
        }
        let rate =
            attain_engine::fx::rate(&data.fx_rates, currency, from, currency, on).ok_or_else(|| {
                AppError::invalid("on", format!("{}: no rate from {from} to {currency} on {on}", what()))
            })?;
        rates.insert(from, rate);
        Ok(amount * rate)
    };
    let bookings_year = facts.calendar.fiscal_year_of(on) - 1;
    let booked = accounts_of_year(facts, bookings_year, currency, &data.fx_rates)
        .map_err(|e| AppError::invalid("on", e.to_string()))?;
    // Open pipeline per account, in one pass over the deals.
    let mut open: HashMap<&str, (Decimal, u32)> = HashMap::new();
    for o in data.opportunities.iter().filter(|o| o.status == DealStatus::Open) {
        let Some(account) = o.account_id.as_deref() else { continue };
        let slot = open.entry(account).or_default();
        slot.1 += 1;
        if let Some(amount) = o.amount {
            slot.0 += convert(amount.amount(), amount.currency(), &|| format!("deal {}", o.id))?;
        }
    }
    let named: HashSet<String> = rules_on(data, on)
        .iter()
        .filter(|r| r.basis == RuleBasis::Named)
        .map(|r| r.value.trim().to_string())
        .collect();
    let territory = territories_on(data, on);
    let mut loads = Vec::new();
    let mut accounts = Vec::new();
    for (i, a) in data.accounts.iter().enumerate() {
        let Some(t) = territory[i].and_then(|t| index.get(t)) else { continue };
        let potential = match a.annual_revenue {
            Some(r) => convert(r.amount(), r.currency(), &|| format!("account {}", a.id))?,
            None => Decimal::ZERO,
        };
        let (pipeline, open_deals) = open.get(a.id.as_str()).copied().unwrap_or_default();
        let bookings = facts
            .accounts
            .get(&a.id)
            .and_then(|n| booked.get(&n))
            .map_or(Decimal::ZERO, |y| y.bookings.amount());
        loads.push(AccountLoad {
            territory: *t,
            potential: currency.fixed(potential),
            pipeline: currency.fixed(pipeline),
            open_deals,
            bookings,
            movable: !named.contains(a.id.as_str()),
        });
        accounts.push(a);
    }
    let report = balance(leaves.len(), &loads, measure);
    let moves = suggest(leaves.len(), &loads, measure, limit);
    let owners = owners_on(data, on);
    let rows = leaves
        .iter()
        .zip(report.territories)
        .map(|(t, load)| BalanceRow {
            territory_id: t.id.clone(),
            name: t.name.clone(),
            owner: owners.get(t.id.as_str()).map(|(_, n)| n.to_string()),
            load,
        })
        .collect();
    let suggestions = moves
        .iter()
        .map(|m| SuggestedMove {
            account_id: accounts[m.account].id.clone(),
            account: accounts[m.account].name.clone(),
            from_territory: leaves[m.from].id.clone(),
            from_name: leaves[m.from].name.clone(),
            to_territory: leaves[m.to].id.clone(),
            to_name: leaves[m.to].name.clone(),
            value: m.value,
            score_after: m.score_after,
        })
        .collect();
    Ok(TerritoryBalance {
        on,
        measure,
        currency,
        bookings_year,
        under: under.map(str::to_string),
        rows,
        average: report.average.round_dp(2),
        score: report.score,
        suggestions,
    })
}
