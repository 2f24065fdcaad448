//! The one error type of the domain layer: a value broke a domain rule.

use thiserror::Error;

/// A domain rule was broken. Messages are written for the person who supplied the value, since
/// importers and the API show them verbatim next to the offending field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("'{0}' is not a known ISO 4217 currency code")]
    UnknownCurrency(String),
    #[error("'{value}' is not a number")]
    NotANumber { value: String },
    #[error("{value} has more decimal places than {currency} allows ({minor_units})")]
    TooPrecise { value: String, currency: String, minor_units: u32 },
    #[error("{0} is too large to store as money")]
    MoneyOverflow(String),
    #[error("'{0}' is not a valid date (expected YYYY-MM-DD)")]
    InvalidDate(String),
    #[error("'{0}' is not a period name (expected YYYY-MM, YYYY-Qn or FYyyyy)")]
    InvalidPeriod(String),
    #[error("the range starts on {from} but ends on {to}; the end must be after the start")]
    EmptyRange { from: String, to: String },
    #[error("cannot combine {0} with {1}: the currencies differ")]
    CurrencyMismatch(String, String),
    #[error("'{value}' is not one of: {allowed}")]
    NotInList { value: String, allowed: String },
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = DomainError> = std::result::Result<T, E>;
