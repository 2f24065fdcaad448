//! Customer accounts and their contacts with buying roles: the account map managers review.

use serde::{Deserialize, Serialize};

use crate::record::{
    Choice, Column, ColumnType as T, FieldError, Reader, Record, RecordSpec, Value, opt_int, opt_money,
    opt_shown, opt_text, shown, text,
};
use crate::{Currency, Kind, Money, choice};

choice! {
    /// Segment by size, which territories and plans often split on.
    AccountSize {
        Small => "small",
        Mid => "mid",
        Enterprise => "enterprise",
    }
}

choice! {
    /// The part a contact plays in buying decisions.
    BuyingRole {
        DecisionMaker => "decision_maker",
        EconomicBuyer => "economic_buyer",
        Influencer => "influencer",
        Champion => "champion",
        User => "user",
        Other => "other",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub industry: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub size: Option<AccountSize>,
    pub revenue_currency: Option<Currency>,
    /// The account's own annual revenue (a firmographic, not what it buys from us).
    pub annual_revenue: Option<Money>,
    pub employees: Option<i64>,
    pub parent_id: Option<String>,
    pub territory_id: Option<String>,
    /// The person who owns the account (a named-account assignment).
    pub owner_id: Option<String>,
}

impl Record for Account {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::Accounts,
        table: "accounts",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("name", T::Text),
            Column::opt("industry", T::Text),
            Column::opt("country", T::Text),
            Column::opt("region", T::Text),
            Column::opt("size", T::Choice(AccountSize::NAMES)),
            Column::opt("revenue_currency", T::Currency),
            Column::opt("annual_revenue", T::Money { currency_column: "revenue_currency" }),
            Column::opt("employees", T::Int),
            Column::opt("parent_id", T::Ref(Kind::Accounts)),
            Column::opt("territory_id", T::Ref(Kind::Territories)),
            Column::opt("owner_id", T::Ref(Kind::People)),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.name),
            opt_text(&self.industry),
            opt_text(&self.country),
            opt_text(&self.region),
            opt_shown(self.size),
            opt_shown(self.revenue_currency),
            opt_money(self.annual_revenue),
            opt_int(self.employees),
            opt_text(&self.parent_id),
            opt_text(&self.territory_id),
            opt_text(&self.owner_id),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let id = r.text("id")?;
        let parent_id = r.opt_text("parent_id")?;
        if parent_id.as_deref() == Some(id.as_str()) {
            return Err(FieldError::new("parent_id", id, "an account cannot be its own parent"));
        }
        let revenue_currency = r.opt_currency("revenue_currency")?;
        let annual_revenue = match revenue_currency {
            Some(c) => r.opt_money("annual_revenue", c)?,
            None if r.opt_int("annual_revenue")?.is_some() => {
                return Err(FieldError::new(
                    "revenue_currency",
                    "",
                    "annual_revenue needs a revenue_currency",
                ));
            }
            None => None,
        };
        let employees = r.opt_int("employees")?;
        if let Some(n) = employees
            && n < 0
        {
            return Err(FieldError::new("employees", n.to_string(), "cannot be negative"));
        }
        Ok(Account {
            id,
            name: r.text("name")?,
            industry: r.opt_text("industry")?,
            country: r.opt_text("country")?,
            region: r.opt_text("region")?,
            size: r.opt_choice("size")?,
            revenue_currency,
            annual_revenue,
            employees,
            parent_id,
            territory_id: r.opt_text("territory_id")?,
            owner_id: r.opt_text("owner_id")?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: String,
    pub account_id: String,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub buying_role: BuyingRole,
}

impl Record for Contact {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::Contacts,
        table: "contacts",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("account_id", T::Ref(Kind::Accounts)),
            Column::req("name", T::Text),
            Column::opt("title", T::Text),
            Column::opt("email", T::Text),
            Column::opt("phone", T::Text),
            Column::req("buying_role", T::Choice(BuyingRole::NAMES)),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.account_id),
            text(&self.name),
            opt_text(&self.title),
            opt_text(&self.email),
            opt_text(&self.phone),
            shown(self.buying_role),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        Ok(Contact {
            id: r.text("id")?,
            account_id: r.text("account_id")?,
            name: r.text("name")?,
            title: r.opt_text("title")?,
            email: r.opt_text("email")?,
            phone: r.opt_text("phone")?,
            buying_role: r.choice("buying_role")?,
        })
    }
}
