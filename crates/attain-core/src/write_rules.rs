//! Rules a kind's rows obey across rows, checked by every write path: versions that must not
//! overlap in time (`NoOverlap`) and stored rows that may no longer change (`Kind::fixed`).
//! Kept apart from `record.rs`, which describes one row.

use crate::record::{Kind, Value};

/// Rows of one kind that share the `group` columns must not overlap in time: two versions of
/// a position, or two EUR→USD rates, cannot both hold on the same day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoOverlap {
    pub group: &'static [&'static str],
    pub from: &'static str,
    pub to: &'static str,
}

impl Kind {
    /// The kind's no-overlap rule, if it has one.
    pub fn no_overlap(self) -> Option<NoOverlap> {
        match self {
            Kind::Positions => Some(NoOverlap { group: &["id"], from: "valid_from", to: "valid_to" }),
            Kind::FxRates => Some(NoOverlap {
                group: &["from_currency", "to_currency"],
                from: "valid_from",
                to: "valid_to",
            }),
            // One objective per seat and measure at a time: a new one ends the one before.
            Kind::Objectives => {
                Some(NoOverlap { group: &["position_id", "measure"], from: "valid_from", to: "valid_to" })
            }
            // One territory per account at a time: applying the rules ends the row before.
            Kind::AccountTerritories => {
                Some(NoOverlap { group: &["account_id"], from: "valid_from", to: "valid_to" })
            }
            _ => None,
        }
    }
}

impl Kind {
    /// Whether stored rows of this kind can become fixed (see [`Kind::fixed`]).
    pub fn has_fixed_rows(self) -> bool {
        matches!(self, Kind::RevenuePlans | Kind::QuotaSheets)
    }

    /// For a kind whose rows belong to a parent row that can become fixed (a quota sheet's
    /// lines), the parent's kind and the column naming it: once the parent is fixed, none of
    /// its rows may change and none may be added.
    pub fn fixed_with(self) -> Option<(Kind, &'static str)> {
        match self {
            Kind::Quotas => Some((Kind::QuotaSheets, "sheet_id")),
            _ => None,
        }
    }

    /// Why a stored row may no longer change, when it may not: an approved version of the
    /// revenue plan is fixed for good (a change is a new version). Every write path (imports,
    /// record writes) refuses to change such a row; writing it again unchanged is allowed, so
    /// re-imports stay idempotent.
    pub fn fixed(self, values: &[Value]) -> Option<String> {
        let spec = self.spec();
        let cell = |name: &str| spec.index_of(name).and_then(|i| values.get(i));
        match self {
            Kind::RevenuePlans if cell("status").and_then(Value::as_text) == Some("approved") => {
                let number = |name: &str| match cell(name) {
                    Some(Value::Int(n)) => n.to_string(),
                    Some(Value::Text(t)) => t.clone(),
                    _ => String::new(),
                };
                Some(format!(
                    "version {} of fiscal year {} is approved and never changes: save a new version instead",
                    number("version"),
                    number("fiscal_year")
                ))
            }
            Kind::QuotaSheets if cell("status").and_then(Value::as_text) == Some("approved") => {
                Some(format!(
                    "quota sheet {} is approved and never changes: start a new version instead",
                    cell("id").and_then(Value::as_text).unwrap_or_default()
                ))
            }
            _ => None,
        }
    }
}
