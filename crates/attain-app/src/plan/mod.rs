//! Plan: the company's revenue plan and its versions (`revenue.rs`); quota allocation down
//! the org (`allocation.rs`), the quota sheets' workflow (`quota_sheets.rs`) and their writing
//! (`quota_write.rs`); each seat's individual objectives (`objectives.rs`); capacity planning
//! (`capacity.rs`); territories, their assignment rules and balance (`territories/`).

mod allocation;
mod capacity;
mod objectives;
mod own_quota;
mod quota_sheets;
mod quota_write;
mod revenue;
mod territories;

pub use allocation::{Allocation, AllocationRequest, SeatLine};
pub use capacity::{CapacityPlan, CapacityQuarter, CapacityRequest, OpenSeat};
pub use objectives::{ObjectiveRequest, ObjectiveRow, ObjectivesView, SeatChoice};
pub use own_quota::OwnQuota;
pub use quota_sheets::{ReportLine, SheetEdit, SheetSummary, SheetView};
pub use revenue::{Figures, MonthLine, PlanVsActual, RevenueDraft, RevenueYear};
pub use territories::{
    AssignmentMove, AssignmentPreview, BalanceRequest, BalanceRow, OwnerRequest, RuleRequest, RuleRow,
    SuggestedMove, TerritoryBalance, TerritoryRequest, balance_of,
};

use attain_engine::plan::Ramp;
use rust_decimal::Decimal;

use crate::error::{AppError, AppResult};

/// A percent or other plain number a planner typed, or a 422 naming `field`.
fn percent(field: &'static str, text: &str) -> AppResult<Decimal> {
    let value: Decimal = text
        .trim()
        .parse()
        .map_err(|_| AppError::invalid(field, format!("'{}' is not a number", text.trim())))?;
    Ok(value.normalize())
}

/// A ramp typed as percents per tenure quarter (`25,50,75`; empty: none), or a 422 naming
/// `ramp`.
fn read_ramp(text: &str) -> AppResult<Ramp> {
    let steps = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| percent("ramp", s))
        .collect::<AppResult<Vec<_>>>()?;
    Ramp::new(steps).map_err(|e| AppError::invalid("ramp", e.to_string()))
}
