//! Manual adjustments entered by a comp admin: an amount for a payee in a month, with the
//! reason and who entered it. They are ordinary `adjustments` records (imported, audited, in
//! the workspace like any other); the next run of the month pays them, and one for a closed
//! month arrives as a prior-period line.

use attain_core::Kind;
use serde_json::json;

use super::month;
use crate::access::{Actor, Permission};
use crate::app::App;
use crate::error::{AppError, AppResult};

/// What a comp admin types: every field as text, checked like an imported row.
#[derive(Debug, Clone, Default)]
pub struct NewAdjustment {
    pub person_id: String,
    /// A month, like `2018-01`.
    pub period: String,
    /// A decimal, negative to deduct: `250.00`, `-75`.
    pub amount: String,
    /// The currency; the payee's pay currency (or the company's) when empty.
    pub currency: Option<String>,
    pub reason: String,
}

impl App {
    /// Adds a manual adjustment, entered by `actor`; returns its id.
    pub async fn add_adjustment(&self, actor: &Actor, new: NewAdjustment) -> AppResult<String> {
        actor.require(Permission::ManagePay)?;
        let period = month(&new.period)?;
        if new.reason.trim().is_empty() {
            return Err(AppError::invalid("reason", "say what the adjustment is for"));
        }
        let currency = match new.currency.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => code.to_string(),
            None => {
                let snapshot = self.snapshot();
                let person = snapshot.data.people.iter().find(|p| p.id == new.person_id);
                let base = snapshot.data.company.first().map(|c| c.base_currency);
                match person.and_then(|p| p.pay_currency).or(base) {
                    Some(c) => c.code().to_string(),
                    None => return Err(AppError::invalid("currency", "name the currency")),
                }
            }
        };
        let id = format!("adj-{}", uuid::Uuid::now_v7());
        let body = json!({
            "id": id,
            "person_id": new.person_id.trim(),
            "period": period.to_string(),
            "currency": currency,
            "amount": new.amount.trim(),
            "reason": new.reason.trim(),
            "entered_by": actor.login,
        });
        self.put(actor, Kind::Adjustments, &id, &body, None).await?;
        Ok(id)
    }
}

/// Assigning a plan to a position from a day on (the position's earlier plan ends that day).
#[derive(Debug, Clone, Default)]
pub struct NewPlanAssignment {
    pub position_id: String,
    pub plan_id: String,
    /// `YYYY-MM-DD`.
    pub valid_from: String,
}

impl App {
    /// Assigns a stored plan to a position from `valid_from` on. An open-ended assignment the
    /// position already has ends that day (effective dating: the history keeps the old plan);
    /// an assignment starting on or after that day is refused rather than silently replaced.
    pub async fn assign_plan(&self, actor: &Actor, new: NewPlanAssignment) -> AppResult<String> {
        actor.require(Permission::ManagePay)?;
        let from = attain_core::dating::parse_date(new.valid_from.trim())
            .map_err(|e| AppError::invalid("valid_from", e.to_string()))?;
        let (book, _) = self.plan_book().await?;
        let plan_id = new.plan_id.trim();
        if !book.knows(plan_id) {
            return Err(AppError::invalid("plan_id", format!("no stored plan `{plan_id}`")));
        }
        let position = new.position_id.trim();
        let snapshot = self.snapshot();
        if !snapshot.data.positions.iter().any(|p| p.id == position) {
            return Err(AppError::invalid("position_id", format!("no position `{position}`")));
        }
        let existing: Vec<_> =
            snapshot.data.plan_assignments.iter().filter(|a| a.position_id == position).collect();
        if let Some(later) = existing.iter().find(|a| a.validity.from >= from) {
            return Err(AppError::Conflict(format!(
                "{position} already has plan `{}` from {}: change that assignment instead",
                later.plan_id, later.validity.from
            )));
        }
        // Ending the current assignment and starting the new one is one import: both or neither.
        let id = format!("pa-{}", uuid::Uuid::now_v7());
        let mut csv = csv::Writer::from_writer(Vec::new());
        let write = |csv: &mut csv::Writer<Vec<u8>>, row: [&str; 5]| {
            csv.write_record(row).map_err(|e| AppError::Internal(format!("writing a CSV row in memory: {e}")))
        };
        write(&mut csv, ["id", "position_id", "plan_id", "valid_from", "valid_to"])?;
        let from_text = from.to_string();
        for current in existing.iter().filter(|a| a.validity.contains(from)) {
            let start = current.validity.from.to_string();
            write(&mut csv, [&current.id, &current.position_id, &current.plan_id, &start, &from_text])?;
        }
        write(&mut csv, [&id, position, plan_id, &from_text, ""])?;
        let bytes =
            csv.into_inner().map_err(|e| AppError::Internal(format!("finishing a CSV in memory: {e}")))?;
        self.import_csv(actor, Kind::PlanAssignments, "plan assignment", &bytes, false).await?;
        Ok(id)
    }
}
