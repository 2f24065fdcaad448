//! The Plan section: the revenue plan (`revenue.rs`), quotas (`quotas.rs`), individual
//! objectives (`objectives.rs`) and capacity (`capacity.rs`); territories and territory plans
//! join here as they are built.

pub(crate) mod capacity;
pub(crate) mod objectives;
pub(crate) mod quotas;
mod revenue;

pub(crate) use revenue::{approve, approve_confirm, edit_page, save_draft, year_page, years_page};
