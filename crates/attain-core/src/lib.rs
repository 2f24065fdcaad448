//! Attain's pure domain: exact money, currencies and FX, the fiscal calendar and its periods,
//! effective dating, and the sales-organisation types every other crate speaks.
//!
//! Nothing here does I/O, async, SQL or HTTP: the engine and the store both build on these
//! types, so they must stay cheap to depend on and trivially testable.

pub mod calendar;
pub mod dataset;
pub mod dating;
pub mod domain;
pub mod error;
pub mod money;
pub mod record;
mod write_rules;

pub use calendar::{FiscalCalendar, FiscalYearNaming, Period};
pub use dataset::Dataset;
pub use dating::Validity;
pub use error::{DomainError, Result};
pub use money::{Currency, FxRate, Money};
pub use record::{Kind, Record, Value};
pub use rust_decimal::Decimal;

/// Calendar dates everywhere in Attain (no time of day, no zone).
pub type Date = jiff::civil::Date;
