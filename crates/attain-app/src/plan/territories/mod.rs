//! Territories: the hierarchy and its owners edited (`hierarchy.rs`), the account-assignment
//! rules (`rules.rs`), their preview and application as effective-dated account territories
//! (`assignment.rs`), and the balance report with its suggested moves (`balance.rs`).
//! docs/territories.md says each rule in words.

mod assignment;
mod balance;
mod hierarchy;
mod rules;

pub use assignment::{AssignmentMove, AssignmentPreview};
pub use balance::{BalanceRequest, BalanceRow, SuggestedMove, TerritoryBalance, balance_of};
pub use hierarchy::{OwnerRequest, TerritoryRequest};
pub use rules::{RuleRequest, RuleRow};

use std::collections::HashMap;

use attain_core::dating::parse_date;
use attain_core::{Dataset, Date};

use crate::error::{AppError, AppResult};

/// Each account's territory on `day` (see [`Dataset::territories_on`]).
pub(crate) fn territories_on(data: &Dataset, day: Date) -> Vec<Option<&str>> {
    data.territories_on(day)
}

/// Who holds the seat owning each territory on `day`, by territory id: (person id, name).
pub(crate) fn owners_on(data: &Dataset, day: Date) -> HashMap<&str, (&str, &str)> {
    let names: HashMap<&str, &str> = data.people.iter().map(|p| (p.id.as_str(), p.name.as_str())).collect();
    let mut holders: HashMap<&str, &str> = HashMap::new();
    for a in data.assignments.iter().filter(|a| a.validity.contains(day)) {
        holders.entry(a.position_id.as_str()).or_insert(a.person_id.as_str());
    }
    let mut out = HashMap::new();
    for o in data.territory_owners.iter().filter(|o| o.validity.contains(day)) {
        if let Some(person) = holders.get(o.position_id.as_str()) {
            let name = names.get(person).copied().unwrap_or(person);
            out.entry(o.territory_id.as_str()).or_insert((*person, name));
        }
    }
    out
}

/// Territory names by id.
pub(crate) fn territory_names(data: &Dataset) -> HashMap<&str, &str> {
    data.territories.iter().map(|t| (t.id.as_str(), t.name.as_str())).collect()
}

fn day(field: &str, text: &str) -> AppResult<Date> {
    parse_date(text.trim()).map_err(|e| AppError::invalid(field, e.to_string()))
}

fn filled(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}
