//! The Plan section: the revenue plan (`revenue.rs`), quotas (`quotas.rs`), individual
//! objectives (`objectives.rs`), capacity (`capacity.rs`) and territory design
//! (`territories/`: assignment rules, applying them, balance).

pub(crate) mod capacity;
pub(crate) mod objectives;
pub(crate) mod quotas;
mod revenue;
pub(crate) mod territories;

pub(crate) use revenue::{approve, approve_confirm, edit_page, save_draft, year_page, years_page};
