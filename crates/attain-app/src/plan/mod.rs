//! Plan: the company's revenue plan and its versions (`revenue.rs`); quota allocation,
//! territories, territory plans and capacity follow here as they are built.

mod revenue;

pub use revenue::{Figures, MonthLine, PlanVsActual, RevenueDraft, RevenueYear};
