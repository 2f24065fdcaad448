//! Plan: the company's revenue plan and its versions (`revenue.rs`); quota allocation down
//! the org (`allocation.rs`), the quota sheets' workflow (`quota_sheets.rs`) and their writing
//! (`quota_write.rs`); each seat's individual objectives (`objectives.rs`); territories, territory plans and capacity follow here as they are built.

mod allocation;
mod objectives;
mod own_quota;
mod quota_sheets;
mod quota_write;
mod revenue;

pub use allocation::{Allocation, AllocationRequest, SeatLine};
pub use objectives::{ObjectiveRequest, ObjectiveRow, ObjectivesView, SeatChoice};
pub use own_quota::OwnQuota;
pub use quota_sheets::{ReportLine, SheetEdit, SheetSummary, SheetView};
pub use revenue::{Figures, MonthLine, PlanVsActual, RevenueDraft, RevenueYear};
