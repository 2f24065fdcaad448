//! Opportunities (deals in the pipeline) and their full stage history.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::record::{
    Choice, Column, ColumnType as T, FieldError, Reader, Record, RecordSpec, Value, opt_money, opt_shown,
    opt_text, shown, text,
};
use crate::{Currency, Date, Kind, Money, choice};

choice! {
    /// Whether a deal is still being worked, or how it ended.
    DealStatus {
        Open => "open",
        Won => "won",
        Lost => "lost",
    }
}

choice! {
    DealType {
        NewBusiness => "new_business",
        Expansion => "expansion",
        Renewal => "renewal",
    }
}

choice! {
    Channel {
        Direct => "direct",
        Partner => "partner",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opportunity {
    pub id: String,
    pub name: Option<String>,
    /// Blank while a deal is too early to name its account (common in real CRMs).
    pub account_id: Option<String>,
    pub owner_id: String,
    pub product_id: Option<String>,
    pub currency: Currency,
    pub amount: Option<Money>,
    /// The stage as the CRM names it (`Prospecting`, `Negotiation`, ...).
    pub stage: String,
    pub status: DealStatus,
    /// Win probability in percent, 0–100.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub probability: Option<Decimal>,
    pub expected_close: Option<Date>,
    pub deal_type: Option<DealType>,
    pub channel: Option<Channel>,
    /// When the deal entered the pipeline; some CRMs leave it blank for early prospects.
    pub created_on: Option<Date>,
    pub closed_on: Option<Date>,
    /// Why it was won or lost.
    pub close_reason: Option<String>,
}

impl Record for Opportunity {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::Opportunities,
        table: "opportunities",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::opt("name", T::Text),
            Column::opt("account_id", T::Ref(Kind::Accounts)),
            Column::req("owner_id", T::Ref(Kind::People)),
            Column::opt("product_id", T::Ref(Kind::Products)),
            Column::req("currency", T::Currency),
            Column::opt("amount", T::Money { currency_column: "currency" }),
            Column::req("stage", T::Text),
            Column::req("status", T::Choice(DealStatus::NAMES)),
            Column::opt("probability", T::Decimal),
            Column::opt("expected_close", T::Date),
            Column::opt("deal_type", T::Choice(DealType::NAMES)),
            Column::opt("channel", T::Choice(Channel::NAMES)),
            Column::opt("created_on", T::Date),
            Column::opt("closed_on", T::Date),
            Column::opt("close_reason", T::Text),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            opt_text(&self.name),
            opt_text(&self.account_id),
            text(&self.owner_id),
            opt_text(&self.product_id),
            shown(self.currency),
            opt_money(self.amount),
            text(&self.stage),
            shown(self.status),
            opt_shown(self.probability),
            opt_shown(self.expected_close),
            opt_shown(self.deal_type),
            opt_shown(self.channel),
            opt_shown(self.created_on),
            opt_shown(self.closed_on),
            opt_text(&self.close_reason),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let currency = r.currency("currency")?;
        let status: DealStatus = r.choice("status")?;
        let probability = r.opt_decimal("probability")?.map(|p| p.normalize());
        if let Some(p) = probability
            && (p < Decimal::ZERO || p > Decimal::ONE_HUNDRED)
        {
            return Err(FieldError::new(
                "probability",
                p.to_string(),
                "a probability is a percentage from 0 to 100",
            ));
        }
        let created_on = r.opt_date("created_on")?;
        let closed_on = r.opt_date("closed_on")?;
        if let Some(closed) = closed_on {
            if status == DealStatus::Open {
                return Err(FieldError::new(
                    "closed_on",
                    closed.to_string(),
                    "an open deal has no close date",
                ));
            }
            if let Some(created) = created_on
                && closed < created
            {
                return Err(FieldError::new(
                    "closed_on",
                    closed.to_string(),
                    format!("the deal closed before it was created ({created})"),
                ));
            }
        }
        Ok(Opportunity {
            id: r.text("id")?,
            name: r.opt_text("name")?,
            account_id: r.opt_text("account_id")?,
            owner_id: r.text("owner_id")?,
            product_id: r.opt_text("product_id")?,
            currency,
            amount: r.opt_money("amount", currency)?,
            stage: r.text("stage")?,
            status,
            probability,
            expected_close: r.opt_date("expected_close")?,
            deal_type: r.opt_choice("deal_type")?,
            channel: r.opt_choice("channel")?,
            created_on,
            closed_on,
            close_reason: r.opt_text("close_reason")?,
        })
    }
}

/// An opportunity entering a stage on a day. The whole history is kept, so stage conversion
/// and cycle lengths can be measured later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageChange {
    pub id: String,
    pub opportunity_id: String,
    pub stage: String,
    pub entered_on: Date,
}

impl StageChange {
    /// The id a stage change gets when its source has none; stable, so re-imports update
    /// rather than duplicate.
    pub fn derived_id(opportunity_id: &str, stage: &str, entered_on: impl std::fmt::Display) -> String {
        format!("{opportunity_id}:{entered_on}:{stage}")
    }
}

impl Record for StageChange {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::StageHistory,
        table: "stage_history",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("opportunity_id", T::Ref(Kind::Opportunities)),
            Column::req("stage", T::Text),
            Column::req("entered_on", T::Date),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![text(&self.id), text(&self.opportunity_id), text(&self.stage), shown(self.entered_on)]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        Ok(StageChange {
            id: r.text("id")?,
            opportunity_id: r.text("opportunity_id")?,
            stage: r.text("stage")?,
            entered_on: r.date("entered_on")?,
        })
    }
}
