//! Track: what happened, read from the fact store — the company's actuals by month today; the
//! attainment service and the KPIs build on it.

pub mod actuals;
pub mod by_owner;

pub use actuals::{ActualsError, MonthActuals, months_of_year};
pub use by_owner::{OwnerActuals, accounts_of_year, owners_of_year};
