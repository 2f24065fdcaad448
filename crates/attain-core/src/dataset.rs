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

fn sort_by_key<R: Record>(list: &mut [R]) {
    list.sort_by_cached_key(Record::key);
}

impl Dataset {
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
        } = other;
        self.company.append(company);
        self.people.append(people);
        self.positions.append(positions);
        self.assignments.append(assignments);
        self.territories.append(territories);
        self.territory_owners.append(territory_owners);
        self.products.append(products);
        self.accounts.append(accounts);
        self.contacts.append(contacts);
        self.opportunities.append(opportunities);
        self.stage_history.append(stage_history);
        self.activities.append(activities);
        self.transactions.append(transactions);
        self.fx_rates.append(fx_rates);
        self.quotas.append(quotas);
        self.plan_assignments.append(plan_assignments);
        self.credit_splits.append(credit_splits);
        self.adjustments.append(adjustments);
        self.objective_scores.append(objective_scores);
    }

    /// Record counts per kind, in dependency order.
    pub fn counts(&self) -> Vec<(Kind, usize)> {
        Kind::ALL.iter().map(|k| (*k, self.len(*k))).collect()
    }
}
