//! A whole company's data in memory: what `attain export` writes as JSON, what the demo
//! generator produces, and what the engine will consume whichever side it came from.

use serde::{Deserialize, Serialize};

use crate::domain::*;
use crate::money::FxRate;
use crate::record::{FieldError, Kind, Record, Value};

/// Every record of a company, one list per kind (each sorted by key when read from a store).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    pub company: Vec<Company>,
    pub people: Vec<Person>,
    pub positions: Vec<Position>,
    pub assignments: Vec<Assignment>,
    pub territories: Vec<Territory>,
    pub territory_owners: Vec<TerritoryOwner>,
    pub products: Vec<Product>,
    pub accounts: Vec<Account>,
    pub contacts: Vec<Contact>,
    pub opportunities: Vec<Opportunity>,
    pub stage_history: Vec<StageChange>,
    pub activities: Vec<Activity>,
    pub transactions: Vec<Transaction>,
    pub fx_rates: Vec<FxRate>,
    pub quotas: Vec<Quota>,
    pub plan_assignments: Vec<PlanAssignment>,
    pub credit_splits: Vec<CreditSplit>,
    pub adjustments: Vec<Adjustment>,
    pub objective_scores: Vec<ObjectiveScore>,
    /// Absent from exports written before revenue plans existed.
    #[serde(default)]
    pub revenue_plans: Vec<RevenuePlan>,
    /// Absent from exports written before quota sheets existed.
    #[serde(default)]
    pub quota_sheets: Vec<QuotaSheet>,
    /// Absent from exports written before individual objectives existed.
    #[serde(default)]
    pub objectives: Vec<Objective>,
    /// Absent from exports written before assignment rules existed.
    #[serde(default)]
    pub territory_rules: Vec<TerritoryRule>,
    #[serde(default)]
    pub account_territories: Vec<AccountTerritory>,
}

/// Runs `$body` with `$list` bound to the dataset's list for `$kind`, shared or (with a trailing
/// `mut`) mutable. One arm per kind, so a kind forgotten here fails to compile rather than being
/// silently skipped.
macro_rules! with_list {
    ($self:expr, $kind:expr, |$list:ident| $body:expr $(, $m:tt)?) => {
        match $kind {
            Kind::Company => { let $list = & $($m)? $self.company; $body }
            Kind::People => { let $list = & $($m)? $self.people; $body }
            Kind::Positions => { let $list = & $($m)? $self.positions; $body }
            Kind::Assignments => { let $list = & $($m)? $self.assignments; $body }
            Kind::Territories => { let $list = & $($m)? $self.territories; $body }
            Kind::TerritoryOwners => { let $list = & $($m)? $self.territory_owners; $body }
            Kind::Products => { let $list = & $($m)? $self.products; $body }
            Kind::Accounts => { let $list = & $($m)? $self.accounts; $body }
            Kind::Contacts => { let $list = & $($m)? $self.contacts; $body }
            Kind::Opportunities => { let $list = & $($m)? $self.opportunities; $body }
            Kind::StageHistory => { let $list = & $($m)? $self.stage_history; $body }
            Kind::Activities => { let $list = & $($m)? $self.activities; $body }
            Kind::Transactions => { let $list = & $($m)? $self.transactions; $body }
            Kind::FxRates => { let $list = & $($m)? $self.fx_rates; $body }
            Kind::Quotas => { let $list = & $($m)? $self.quotas; $body }
            Kind::PlanAssignments => { let $list = & $($m)? $self.plan_assignments; $body }
            Kind::CreditSplits => { let $list = & $($m)? $self.credit_splits; $body }
            Kind::Adjustments => { let $list = & $($m)? $self.adjustments; $body }
            Kind::ObjectiveScores => { let $list = & $($m)? $self.objective_scores; $body }
            Kind::RevenuePlans => { let $list = & $($m)? $self.revenue_plans; $body }
            Kind::QuotaSheets => { let $list = & $($m)? $self.quota_sheets; $body }
            Kind::Objectives => { let $list = & $($m)? $self.objectives; $body }
            Kind::TerritoryRules => { let $list = & $($m)? $self.territory_rules; $body }
            Kind::AccountTerritories => { let $list = & $($m)? $self.account_territories; $body }
        }
    };
}

fn rows_of<R: Record>(list: &[R]) -> Vec<Vec<Value>> {
    list.iter().map(Record::to_values).collect()
}

fn parse_into<R: Record>(list: &mut Vec<R>, rows: &[Vec<Value>]) -> Result<(), FieldError> {
    for row in rows {
        list.push(R::from_values(row)?);
    }
    Ok(())
}

fn push_parsed<R: Record>(list: &mut Vec<R>, values: &[Value]) -> Result<Vec<Value>, FieldError> {
    let record = R::from_values(values)?;
    let canonical = record.to_values();
    list.push(record);
    Ok(canonical)
}

/// `other`'s records moved to the end of `list`; into an empty list by taking `other`'s
/// buffer whole (a million opportunities are not copied into a fresh one).
fn move_to_end<R>(list: &mut Vec<R>, other: &mut Vec<R>) {
    if list.is_empty() {
        std::mem::swap(list, other);
    } else {
        list.append(other);
    }
}

fn keep_in_order<R>(list: &mut Vec<R>, order: &[u32]) {
    // Rows are usually kept in the order they came in (files written in key order), most or
    // all of them: then the list is thinned in place rather than rebuilt.
    if order.windows(2).all(|w| w[0] < w[1]) && order.last().is_none_or(|&last| (last as usize) < list.len())
    {
        let mut next = order.iter().peekable();
        let mut at = 0u32;
        list.retain(|_| {
            let keep = next.next_if_eq(&&at).is_some();
            at += 1;
            keep
        });
        return;
    }
    let mut slots: Vec<Option<R>> = std::mem::take(list).into_iter().map(Some).collect();
    *list = order.iter().filter_map(|&i| slots.get_mut(i as usize).and_then(Option::take)).collect();
}

fn sort_by_key<R: Record>(list: &mut [R]) {
    list.sort_by_cached_key(Record::key);
}

impl Dataset {
    /// Each account's territory on `day`, by the account's place in `accounts`: its dated row
    /// (what applying the assignment rules wrote) covering the day, else its own
    /// `territory_id`. One pass over the rows.
    pub fn territories_on(&self, day: crate::Date) -> Vec<Option<&str>> {
        let mut dated: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
        for row in self.account_territories.iter().filter(|r| r.validity.contains(day)) {
            dated.entry(row.account_id.as_str()).or_insert(row.territory_id.as_str());
        }
        self.accounts
            .iter()
            .map(|a| dated.get(a.id.as_str()).copied().or(a.territory_id.as_deref()))
            .collect()
    }

    /// The records of one kind as rows of cells.
    pub fn rows(&self, kind: Kind) -> Vec<Vec<Value>> {
        with_list!(self, kind, |list| rows_of(list))
    }

    /// Record `index` of one kind as cells (a page's rows, without the whole list's).
    pub fn row(&self, kind: Kind, index: usize) -> Option<Vec<Value>> {
        with_list!(self, kind, |list| list.get(index).map(Record::to_values))
    }

    /// Empties the list of one kind.
    pub fn clear(&mut self, kind: Kind) {
        with_list!(self, kind, |list| list.clear(), mut)
    }

    /// Appends records of one kind parsed from rows of cells.
    pub fn extend_from_rows(&mut self, kind: Kind, rows: &[Vec<Value>]) -> Result<(), FieldError> {
        with_list!(self, kind, |list| parse_into(list, rows), mut)
    }

    /// Parses one row of cells into a record of `kind` and appends it, returning the record's
    /// canonical cells (what [`Kind::canonical`] gives): a reader that keeps both the cells
    /// and the record parses each row once.
    pub fn push_canonical(&mut self, kind: Kind, values: &[Value]) -> Result<Vec<Value>, FieldError> {
        with_list!(self, kind, |list| push_parsed(list, values), mut)
    }

    /// Drops the last record of one kind (a row refused after it was parsed).
    pub fn pop(&mut self, kind: Kind) {
        with_list!(
            self,
            kind,
            |list| {
                list.pop();
            },
            mut
        )
    }

    /// Keeps only the records of one kind at `order`'s positions, in `order`'s order (a
    /// position out of range or named twice keeps nothing more).
    pub fn keep_in_order(&mut self, kind: Kind, order: &[u32]) {
        with_list!(self, kind, |list| keep_in_order(list, order), mut)
    }

    pub fn len(&self, kind: Kind) -> usize {
        with_list!(self, kind, |list| list.len())
    }

    pub fn is_empty(&self) -> bool {
        Kind::ALL.iter().all(|k| self.len(*k) == 0)
    }

    /// Sorts every list by key, so two datasets with the same records compare equal.
    pub fn sort(&mut self) {
        for kind in Kind::ALL {
            with_list!(self, kind, |list| sort_by_key(list), mut);
        }
    }

    /// Sorts one kind's list by key.
    pub fn sort_kind(&mut self, kind: Kind) {
        with_list!(self, kind, |list| sort_by_key(list), mut)
    }

    /// Moves every record of `other` to the end of this dataset's lists (a reader that parses
    /// chunks of rows apart joins them in order).
    pub fn append(&mut self, other: &mut Dataset) {
        let Dataset {
            company,
            people,
            positions,
            assignments,
            territories,
            territory_owners,
            products,
            accounts,
            contacts,
            opportunities,
            stage_history,
            activities,
            transactions,
            fx_rates,
            quotas,
            plan_assignments,
            credit_splits,
            adjustments,
            objective_scores,
            revenue_plans,
            quota_sheets,
            objectives,
            territory_rules,
            account_territories,
        } = other;
        move_to_end(&mut self.company, company);
        move_to_end(&mut self.people, people);
        move_to_end(&mut self.positions, positions);
        move_to_end(&mut self.assignments, assignments);
        move_to_end(&mut self.territories, territories);
        move_to_end(&mut self.territory_owners, territory_owners);
        move_to_end(&mut self.products, products);
        move_to_end(&mut self.accounts, accounts);
        move_to_end(&mut self.contacts, contacts);
        move_to_end(&mut self.opportunities, opportunities);
        move_to_end(&mut self.stage_history, stage_history);
        move_to_end(&mut self.activities, activities);
        move_to_end(&mut self.transactions, transactions);
        move_to_end(&mut self.fx_rates, fx_rates);
        move_to_end(&mut self.quotas, quotas);
        move_to_end(&mut self.plan_assignments, plan_assignments);
        move_to_end(&mut self.credit_splits, credit_splits);
        move_to_end(&mut self.adjustments, adjustments);
        move_to_end(&mut self.objective_scores, objective_scores);
        move_to_end(&mut self.revenue_plans, revenue_plans);
        move_to_end(&mut self.quota_sheets, quota_sheets);
        move_to_end(&mut self.objectives, objectives);
        move_to_end(&mut self.territory_rules, territory_rules);
        move_to_end(&mut self.account_territories, account_territories);
    }

    /// Record counts per kind, in dependency order.
    pub fn counts(&self) -> Vec<(Kind, usize)> {
        Kind::ALL.iter().map(|k| (*k, self.len(*k))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn products(ids: &[&str]) -> Dataset {
        let mut data = Dataset::default();
        for id in ids {
            let cells = vec![
                Value::Text((*id).into()),
                Value::Text(format!("Product {id}")),
                Value::Null,
                Value::Text("USD".into()),
                Value::Int(100),
                Value::Null,
            ];
            let canonical = data.push_canonical(Kind::Products, &cells).unwrap();
            assert_eq!(canonical, cells, "a canonical row comes back as it went in");
        }
        data
    }

    fn ids(data: &Dataset) -> Vec<&str> {
        data.products.iter().map(|p| p.id.as_str()).collect()
    }

    #[test]
    fn keep_in_order_keeps_the_named_records_in_the_order_named() {
        let all = ["a", "b", "c", "d", "e"];
        for (order, want) in [
            (vec![0, 1, 2, 3, 4], vec!["a", "b", "c", "d", "e"]),
            (vec![0, 2, 4], vec!["a", "c", "e"]),
            (vec![1, 3], vec!["b", "d"]),
            (vec![], vec![]),
            (vec![4, 0, 2], vec!["e", "a", "c"]),
            (vec![3, 3, 1], vec!["d", "b"]),
            (vec![1, 9], vec!["b"]),
        ] {
            let mut data = products(&all);
            data.keep_in_order(Kind::Products, &order);
            assert_eq!(ids(&data), want, "order {order:?}");
        }
    }

    #[test]
    fn a_refused_row_parses_into_nothing_and_pop_drops_the_last() {
        let mut data = products(&["a", "b"]);
        let bad = vec![Value::Text("c".into()), Value::Null, Value::Null, Value::Text("USD".into())];
        assert!(data.push_canonical(Kind::Products, &bad).is_err());
        data.pop(Kind::Products);
        assert_eq!(ids(&data), ["a"]);
    }

    #[test]
    fn append_moves_every_record_whether_or_not_the_list_is_empty() {
        let mut data = Dataset::default();
        data.append(&mut products(&["a", "b"]));
        data.append(&mut products(&["c"]));
        assert_eq!(ids(&data), ["a", "b", "c"]);
    }
}
