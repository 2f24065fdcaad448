//! Pay: the compensation plans stored with the company, period runs (calculate, close,
//! reopen), prior-period adjustments, and reading statements and their explanations within
//! the actor's scope. The engine computes; this layer gathers inputs, keeps the history and
//! enforces who may do and see what.

mod adjust;
mod close;
mod digest;
mod plans;
mod prior;
mod read;
mod runs;

use attain_core::{Currency, Period};
use attain_store::RunRow;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{AppError, AppResult};

pub use adjust::{NewAdjustment, NewPlanAssignment};
pub use close::{ClosePreview, CloseRequest};
pub use plans::{PlanChanges, PlanFileInfo, PlanRemoval, PlanSummary};
pub use read::{CompanyStatements, MonthStatus, StatementView, TeamStatements};
pub(crate) use runs::engine_error;
pub use runs::{RunOutcome, totals};

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Calculated, not yet final: the next run of the month replaces it.
    Draft,
    /// Final and immutable: what was paid.
    Closed,
    /// Was closed, then reopened to run the month again; kept as it was.
    Reopened,
    /// A draft replaced by a later run of its month; kept for comparison.
    Superseded,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Draft => "draft",
            RunStatus::Closed => "closed",
            RunStatus::Reopened => "reopened",
            RunStatus::Superseded => "superseded",
        }
    }

    fn parse(text: &str) -> AppResult<RunStatus> {
        match text {
            "draft" => Ok(RunStatus::Draft),
            "closed" => Ok(RunStatus::Closed),
            "reopened" => Ok(RunStatus::Reopened),
            "superseded" => Ok(RunStatus::Superseded),
            other => Err(AppError::Internal(format!("a stored run has an unknown status `{other}`"))),
        }
    }
}

/// A payout total in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Total {
    pub currency: Currency,
    #[serde(with = "rust_decimal::serde::str")]
    pub payout: Decimal,
}

/// A run as listed: which month, which version, its state, who did what when, its totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunInfo {
    pub id: String,
    pub period: Period,
    pub version: i64,
    pub status: RunStatus,
    pub input_hash: String,
    /// The closed run of the month before that this run started from.
    pub based_on: Option<String>,
    pub plans: Vec<String>,
    pub payees: i64,
    pub totals: Vec<Total>,
    pub created_by: String,
    pub created_at: String,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    pub reopened_by: Option<String>,
    pub reopened_at: Option<String>,
    pub reopen_reason: Option<String>,
}

impl RunInfo {
    fn from_row(r: &RunRow) -> AppResult<RunInfo> {
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            AppError::Internal(format!("run {}: stored {what}: {e}", r.id))
        };
        Ok(RunInfo {
            id: r.id.clone(),
            period: Period::parse(&r.period).map_err(|e| bad("period", &e))?,
            version: r.version,
            status: RunStatus::parse(&r.status)?,
            input_hash: r.input_hash.clone(),
            based_on: r.based_on.clone(),
            plans: serde_json::from_str(&r.plans).map_err(|e| bad("plans", &e))?,
            payees: r.payees,
            totals: stored_totals(&r.totals).map_err(|e| bad("totals", &e))?,
            created_by: r.created_by.clone(),
            created_at: r.created_at.clone(),
            closed_by: r.closed_by.clone(),
            closed_at: r.closed_at.clone(),
            reopened_by: r.reopened_by.clone(),
            reopened_at: r.reopened_at.clone(),
            reopen_reason: r.reopen_reason.clone(),
        })
    }
}

#[derive(serde::Deserialize)]
struct StoredTotal {
    currency: String,
    payout: String,
}

fn stored_totals(text: &str) -> Result<Vec<Total>, String> {
    let rows: Vec<StoredTotal> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    rows.iter()
        .map(|t| {
            Ok(Total {
                currency: Currency::parse(&t.currency).map_err(|e| e.to_string())?,
                payout: attain_core::money::parse_decimal(&t.payout).map_err(|e| e.to_string())?,
            })
        })
        .collect()
}

/// Parses a month named by a user (`2017-03`) for a pay operation.
pub fn month(text: &str) -> AppResult<Period> {
    let period = Period::parse(text).map_err(|e| AppError::invalid("period", e.to_string()))?;
    if !matches!(period, Period::Month { .. }) {
        return Err(AppError::invalid("period", format!("pay is run per month, like 2017-03, not {period}")));
    }
    Ok(period)
}
