//! Track: what happened, read from the fact store — the company's actuals by month today; the
//! attainment service and the KPIs build on it.

pub mod actuals;

pub use actuals::{ActualsError, MonthActuals, months_of_year};
