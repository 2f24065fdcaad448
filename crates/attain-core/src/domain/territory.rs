//! Territories (a hierarchy), which position owns each one when, the rules that assign
//! accounts to them, and which territory each account is in when.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::AccountSize;
use crate::record::{
    Choice, Column, ColumnType as T, FieldError, Reader, Record, RecordSpec, Value, opt_shown, opt_text,
    shown, text,
};
use crate::{Kind, Validity, choice};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Territory {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub region: Option<String>,
}

impl Record for Territory {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::Territories,
        table: "territories",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("name", T::Text),
            Column::opt("parent_id", T::Ref(Kind::Territories)),
            Column::opt("region", T::Text),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![text(&self.id), text(&self.name), opt_text(&self.parent_id), opt_text(&self.region)]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let id = r.text("id")?;
        let parent_id = r.opt_text("parent_id")?;
        if parent_id.as_deref() == Some(id.as_str()) {
            return Err(FieldError::new("parent_id", id, "a territory cannot be its own parent"));
        }
        Ok(Territory { id, name: r.text("name")?, parent_id, region: r.opt_text("region")? })
    }
}

/// A position owning a territory over `[valid_from, valid_to)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerritoryOwner {
    pub id: String,
    pub territory_id: String,
    pub position_id: String,
    pub validity: Validity,
}

impl Record for TerritoryOwner {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::TerritoryOwners,
        table: "territory_owners",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("territory_id", T::Ref(Kind::Territories)),
            Column::req("position_id", T::Ref(Kind::Positions)),
            Column::req("valid_from", T::Date),
            Column::opt("valid_to", T::Date),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.territory_id),
            text(&self.position_id),
            shown(self.validity.from),
            opt_shown(self.validity.to),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        Ok(TerritoryOwner {
            id: r.text("id")?,
            territory_id: r.text("territory_id")?,
            position_id: r.text("position_id")?,
            validity: r.validity("valid_from", "valid_to")?,
        })
    }
}

choice! {
    /// What an assignment rule matches an account on, in precedence order: a named-account
    /// rule beats an override, which beats country, then region, industry and size band.
    /// The first basis with a rule matching an account decides its territory.
    RuleBasis {
        Named => "named",
        Override => "override",
        Country => "country",
        Region => "region",
        Industry => "industry",
        Size => "size",
    }
}

impl RuleBasis {
    /// The rule's rank: 1 (named) to 6 (size); lower wins.
    pub fn precedence(self) -> u8 {
        match self {
            RuleBasis::Named => 1,
            RuleBasis::Override => 2,
            RuleBasis::Country => 3,
            RuleBasis::Region => 4,
            RuleBasis::Industry => 5,
            RuleBasis::Size => 6,
        }
    }

    /// Whether the rule's value is an account id (named accounts and overrides) rather than
    /// a value of the account's country, region, industry or size.
    pub fn names_account(self) -> bool {
        matches!(self, RuleBasis::Named | RuleBasis::Override)
    }

    /// How a person reads the basis: "named account", "size band".
    pub fn label(self) -> &'static str {
        match self {
            RuleBasis::Named => "named account",
            RuleBasis::Override => "override",
            RuleBasis::Country => "country",
            RuleBasis::Region => "region",
            RuleBasis::Industry => "industry",
            RuleBasis::Size => "size band",
        }
    }
}

/// One account-assignment rule: accounts whose `basis` is `value` belong to `territory_id`
/// while the rule is in force. Values other than account ids match the account's field
/// ignoring case and surrounding spaces ("united states" matches "United States").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerritoryRule {
    pub id: String,
    pub territory_id: String,
    pub basis: RuleBasis,
    pub value: String,
    pub validity: Validity,
    /// Why the rule exists ("strategic account", "balance move 2018-01").
    pub note: Option<String>,
}

impl TerritoryRule {
    /// The id a rule made in Attain gets: one per basis, value and first day, so saving it
    /// again from the same day changes it rather than adding a second.
    pub fn id_for(basis: RuleBasis, value: &str, from: Date) -> String {
        let value: String = value
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' })
            .collect();
        format!("tr-{}-{value}-{from}", basis.name())
    }

    /// The rule's value as accounts are compared with it.
    pub fn key(&self) -> String {
        normalise(&self.value)
    }

    /// "country = United States": the rule as a condition.
    pub fn condition(&self) -> String {
        format!("{} = {}", self.basis.label(), self.value)
    }
}

/// A rule value or account field as compared: trimmed, lower case.
pub fn normalise(value: &str) -> String {
    value.trim().to_lowercase()
}

impl Record for TerritoryRule {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::TerritoryRules,
        table: "territory_rules",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("territory_id", T::Ref(Kind::Territories)),
            Column::req("basis", T::Choice(RuleBasis::NAMES)),
            Column::req("value", T::Text),
            Column::req("valid_from", T::Date),
            Column::opt("valid_to", T::Date),
            Column::opt("note", T::Text),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.territory_id),
            shown(self.basis),
            text(&self.value),
            shown(self.validity.from),
            opt_shown(self.validity.to),
            opt_text(&self.note),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let basis: RuleBasis = r.choice("basis")?;
        let value = r.text("value")?;
        if value.trim().is_empty() {
            return Err(FieldError::new("value", value, "a rule needs a value to match"));
        }
        if basis == RuleBasis::Size && AccountSize::parse(&normalise(&value)).is_err() {
            return Err(FieldError::new(
                "value",
                value,
                format!("a size band is one of {}", AccountSize::NAMES.join(", ")),
            ));
        }
        Ok(TerritoryRule {
            id: r.text("id")?,
            territory_id: r.text("territory_id")?,
            basis,
            value,
            validity: r.validity("valid_from", "valid_to")?,
            note: r.opt_text("note")?,
        })
    }
}

/// An account in a territory over `[valid_from, valid_to)`: what applying the assignment
/// rules writes. On days no row covers, the account's own `territory_id` holds (the territory
/// the CRM gave it), so history from before the rules is kept as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountTerritory {
    pub id: String,
    pub account_id: String,
    pub territory_id: String,
    pub validity: Validity,
    /// The rule that placed it there, when a rule did.
    pub rule_id: Option<String>,
    /// Who applied it (a login), when applied in Attain rather than imported.
    pub assigned_by: Option<String>,
}

impl AccountTerritory {
    /// The id of the row starting on `from`: one per account and day.
    pub fn id_for(account: &str, from: Date) -> String {
        format!("at-{account}-{from}")
    }
}

impl Record for AccountTerritory {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::AccountTerritories,
        table: "account_territories",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("account_id", T::Ref(Kind::Accounts)),
            Column::req("territory_id", T::Ref(Kind::Territories)),
            Column::req("valid_from", T::Date),
            Column::opt("valid_to", T::Date),
            Column::opt("rule_id", T::Text),
            Column::opt("assigned_by", T::Text),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.account_id),
            text(&self.territory_id),
            shown(self.validity.from),
            opt_shown(self.validity.to),
            opt_text(&self.rule_id),
            opt_text(&self.assigned_by),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        Ok(AccountTerritory {
            id: r.text("id")?,
            account_id: r.text("account_id")?,
            territory_id: r.text("territory_id")?,
            validity: r.validity("valid_from", "valid_to")?,
            rule_id: r.opt_text("rule_id")?,
            assigned_by: r.opt_text("assigned_by")?,
        })
    }
}
