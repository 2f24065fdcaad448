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
