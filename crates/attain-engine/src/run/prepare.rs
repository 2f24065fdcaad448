//! Everything a run needs, computed once per dataset and plan book: dense indexes for people,
//! each transaction's facts (filters, formula variables, the kind it counts as), the credit
//! rows, who holds which plan when, quotas by position and FX rates.

use std::collections::HashMap;

use attain_core::domain::{Quota, TransactionKind};
use attain_core::record::Choice;
use attain_core::{Currency, Dataset, Date, FiscalCalendar, Validity};
use attain_facts::FactStore;
use rust_decimal::Decimal;

use super::EngineError;
use super::credit::{self, Credit, Sources};
use crate::formula::Value;
use crate::plan::{CreditBasis, Filter, Measure, MeasureValue, PlanBook};

/// A transaction as the engine reads it.
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    pub date: Date,
    pub currency: Currency,
    pub amount: Decimal,
    pub margin: Decimal,
    pub quantity: Decimal,
    /// For a reversal: the transaction it reverses.
    pub original: Option<u32>,
    /// Which credit bases count it (booking, invoice, payment).
    pub bases: [bool; 3],
    /// The variables of docs/plans.md's transaction schema, in slot order.
    pub vars: Vec<Value>,
    pub product: Option<String>,
    pub family: Option<String>,
    pub deal_type: Option<attain_core::domain::DealType>,
    pub channel: Option<attain_core::domain::Channel>,
}

/// A stretch of days over which a person holds a position that carries a plan.
#[derive(Debug, Clone)]
pub(crate) struct Stretch {
    pub days: Validity,
    pub position: String,
    pub plan: String,
}

#[derive(Debug)]
pub struct Prepared<'a> {
    pub(crate) data: &'a Dataset,
    pub(crate) book: &'a PlanBook,
    pub(crate) base: Currency,
    pub(crate) calendar: FiscalCalendar,
    pub(crate) facts: Vec<Facts>,
    /// Per person (index into `data.people`): credits in transaction order.
    pub(crate) credits: Vec<Vec<Credit>>,
    /// Per person: the plan stretches, in date order.
    pub(crate) stretches: Vec<Vec<Stretch>>,
    pub(crate) quotas: HashMap<(String, String), Vec<&'a Quota>>,
    /// Credits summed by month per payee, plan version and measure (`totals.rs`).
    pub(crate) sums: super::totals::Sums,
}

impl<'a> Prepared<'a> {
    pub fn new(data: &'a Dataset, book: &'a PlanBook) -> Result<Prepared<'a>, EngineError> {
        let company = data.company.first().ok_or(EngineError::NoCompany)?;
        let people: HashMap<&str, u32> =
            data.people.iter().enumerate().map(|(i, p)| (p.id.as_str(), i as u32)).collect();
        let transaction_index: HashMap<&str, u32> =
            data.transactions.iter().enumerate().map(|(i, t)| (t.id.as_str(), i as u32)).collect();
        let products: HashMap<&str, usize> =
            data.products.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
        let accounts: HashMap<&str, usize> =
            data.accounts.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
        let opportunities: HashMap<&str, usize> =
            data.opportunities.iter().enumerate().map(|(i, o)| (o.id.as_str(), i)).collect();
        let mut sources = Vec::with_capacity(data.transactions.len());
        let mut facts = Vec::with_capacity(data.transactions.len());
        for txn in &data.transactions {
            let original = txn
                .original_id
                .as_deref()
                .and_then(|o| transaction_index.get(o))
                .map(|i| &data.transactions[*i as usize]);
            let pick = |own: Option<&'a str>, theirs: Option<&'a str>| own.or(theirs);
            let opportunity =
                pick(txn.opportunity_id.as_deref(), original.and_then(|o| o.opportunity_id.as_deref()));
            let opp = opportunity.and_then(|o| opportunities.get(o)).map(|i| &data.opportunities[*i]);
            let account_id = pick(txn.account_id.as_deref(), original.and_then(|o| o.account_id.as_deref()))
                .or_else(|| opp.and_then(|o| o.account_id.as_deref()));
            let product_id = pick(txn.product_id.as_deref(), original.and_then(|o| o.product_id.as_deref()))
                .or_else(|| opp.and_then(|o| o.product_id.as_deref()));
            let product = product_id.and_then(|p| products.get(p)).map(|i| &data.products[*i]);
            let account = account_id.and_then(|a| accounts.get(a)).map(|i| &data.accounts[*i]);
            sources.push(Sources {
                opportunity,
                account: account_id,
                owner: pick(txn.owner_id.as_deref(), original.and_then(|o| o.owner_id.as_deref())),
            });
            let counted_as = match (txn.kind, original) {
                (TransactionKind::Cancellation, Some(o)) => o.kind,
                (kind, _) => kind,
            };
            let bases = match counted_as {
                TransactionKind::Booking => [true, false, false],
                TransactionKind::Invoice => [false, true, false],
                TransactionKind::Payment => [false, false, true],
                // A return takes back what was invoiced and, as a refund, what was paid.
                TransactionKind::Return | TransactionKind::Cancellation => [false, true, true],
            };
            let amount = txn.amount.amount();
            let cost = txn.cost.map(|c| c.amount());
            let margin = cost.map_or(Decimal::ZERO, |c| amount - c);
            let quantity = txn.quantity.unwrap_or_default();
            let text = |s: Option<&str>| Value::Text(s.unwrap_or_default().to_string());
            let deal_type = opp.and_then(|o| o.deal_type);
            let channel = opp.and_then(|o| o.channel);
            let vars = vec![
                Value::Number(amount),
                Value::Number(cost.unwrap_or_default()),
                Value::Number(margin),
                Value::Number(quantity),
                Value::Text(txn.kind.name().to_string()),
                text(product_id),
                text(product.and_then(|p| p.family.as_deref())),
                text(deal_type.map(|d| d.name())),
                text(channel.map(|c| c.name())),
                text(account.and_then(|a| a.industry.as_deref())),
                text(account.and_then(|a| a.country.as_deref())),
                text(account.and_then(|a| a.region.as_deref())),
                text(account.and_then(|a| a.size).map(|s| s.name())),
            ];
            facts.push(Facts {
                date: txn.date,
                currency: txn.currency,
                amount,
                margin,
                quantity,
                original: txn.original_id.as_deref().and_then(|o| transaction_index.get(o)).copied(),
                bases,
                vars,
                product: product_id.map(str::to_string),
                family: product.and_then(|p| p.family.clone()),
                deal_type,
                channel,
            });
        }
        let org = FactStore::with_reference_data(data);
        let credits = credit::credit_all(data, &org, &book.rules, &people, &sources)?;
        let mut quotas: HashMap<(String, String), Vec<&Quota>> = HashMap::new();
        for q in &data.quotas {
            quotas.entry((q.position_id.clone(), q.measure.clone())).or_default().push(q);
        }
        let mut prepared = Prepared {
            data,
            book,
            base: company.base_currency,
            calendar: company.calendar,
            facts,
            credits,
            stretches: Vec::new(),
            quotas,
            sums: Default::default(),
        };
        prepared.stretches = prepared.plan_stretches()?;
        prepared.sums = prepared.sum_credits();
        Ok(prepared)
    }

    /// For each person, the days they hold a position with a plan, and which plan.
    fn plan_stretches(&self) -> Result<Vec<Vec<Stretch>>, EngineError> {
        let mut out: Vec<Vec<Stretch>> = vec![Vec::new(); self.data.people.len()];
        for pa in &self.data.plan_assignments {
            if !self.book.knows(&pa.plan_id) {
                return Err(EngineError::UnknownPlan {
                    plan: pa.plan_id.clone(),
                    position: pa.position_id.clone(),
                });
            }
        }
        for (p, person) in self.data.people.iter().enumerate() {
            for a in self.data.assignments.iter().filter(|a| a.person_id == person.id) {
                for pa in self.data.plan_assignments.iter().filter(|pa| pa.position_id == a.position_id) {
                    let Some(held) =
                        a.validity.intersect(&pa.validity).and_then(|v| v.intersect(&person.employment()))
                    else {
                        continue;
                    };
                    // Only the days some version of the plan is in force count as holding it.
                    for version in self.book.plans().iter().filter(|v| v.id == pa.plan_id) {
                        if let Some(days) = held.intersect(&version.validity) {
                            out[p].push(Stretch {
                                days,
                                position: a.position_id.clone(),
                                plan: pa.plan_id.clone(),
                            });
                        }
                    }
                }
            }
            out[p].sort_by_key(|s| s.days.from);
        }
        Ok(out)
    }

    /// Whether a person holds plan `plan` on `day`. A person may hold several plans on the same
    /// day (two plans on one position, or two positions), and each counts the day for itself.
    pub(crate) fn holds(&self, person: usize, plan: &str, day: Date) -> bool {
        self.stretches[person].iter().any(|s| s.days.contains(day) && s.plan == plan)
    }

    /// The currency a person is paid in.
    pub(crate) fn payee_currency(&self, person: usize) -> Currency {
        self.data.people[person].pay_currency.unwrap_or(self.base)
    }

    /// The rate converting `from` into `to` on `day`: direct, inverse, or through the base.
    pub(crate) fn fx(&self, from: Currency, to: Currency, day: Date) -> Result<Decimal, EngineError> {
        if from == to {
            return Ok(Decimal::ONE);
        }
        let direct = |a: Currency, b: Currency| -> Option<Decimal> {
            self.data.fx_rates.iter().find_map(|r| {
                if !r.validity.contains(day) {
                    None
                } else if r.from_currency == a && r.to_currency == b {
                    Some(r.rate)
                } else if r.from_currency == b && r.to_currency == a && !r.rate.is_zero() {
                    Some(Decimal::ONE / r.rate)
                } else {
                    None
                }
            })
        };
        direct(from, to)
            .or_else(|| Some(direct(from, self.base)? * direct(self.base, to)?))
            .ok_or(EngineError::NoFxRate { from, to, day })
    }
}

/// Whether a transaction passes a measure's filter for a plan crediting on `basis`.
pub(crate) fn passes(facts: &Facts, basis: CreditBasis, filter: &Filter) -> Result<bool, EngineError> {
    if !facts.bases[basis as usize] {
        return Ok(false);
    }
    let listed = |list: &[String], value: &Option<String>| {
        list.is_empty() || value.as_ref().is_some_and(|v| list.contains(v))
    };
    if !listed(&filter.products, &facts.product) || !listed(&filter.families, &facts.family) {
        return Ok(false);
    }
    if !filter.deal_types.is_empty() && !facts.deal_type.is_some_and(|d| filter.deal_types.contains(&d)) {
        return Ok(false);
    }
    if !filter.channels.is_empty() && !facts.channel.is_some_and(|c| filter.channels.contains(&c)) {
        return Ok(false);
    }
    if let Some(dates) = &filter.dates
        && !dates.contains(facts.date)
    {
        return Ok(false);
    }
    match &filter.condition {
        None => Ok(true),
        Some(f) => f.eval_bool(&facts.vars).map_err(|e| EngineError::Formula(e.to_string())),
    }
}

/// What one credited transaction adds to a measure, in the transaction's currency.
pub(crate) fn value_of(facts: &Facts, measure: &Measure, share: Decimal) -> Result<Decimal, EngineError> {
    let whole = match &measure.value {
        MeasureValue::Amount => facts.amount,
        MeasureValue::Margin => facts.margin,
        MeasureValue::Quantity => facts.quantity,
        MeasureValue::Deals => {
            return Ok(if facts.original.is_some() || facts.amount < Decimal::ZERO { -share } else { share });
        }
        MeasureValue::Formula(f) => {
            f.eval_number(&facts.vars).map_err(|e| EngineError::Formula(e.to_string()))?
        }
    };
    Ok(whole * share)
}
