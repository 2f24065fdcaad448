//! The Plan section: the revenue plan (`revenue.rs`) and quotas (`quotas.rs`); territories,
//! territory plans and capacity join here as they are built.

pub(crate) mod quotas;
mod revenue;

pub(crate) use revenue::{approve, approve_confirm, edit_page, save_draft, year_page, years_page};
