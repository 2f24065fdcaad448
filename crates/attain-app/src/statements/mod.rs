//! Statement and payroll files made from the engine's [`Statement`]s: a statement CSV, a
//! statement workbook (XLSX) with a summary sheet, one sheet per payee and, on request, the
//! trace of each number, and the payroll CSV finance loads.
//!
//! Amounts are the statement's own: every line was rounded half-even to the currency's minor
//! unit by the engine, and nothing here rounds again or computes money other than exact sums of
//! those rounded amounts (a payout, a year to date). Text files write every amount with exactly
//! the currency's minor digits (`960.00`, JPY `1200`); the workbook stores numbers, since that
//! is all XLSX can hold, formatted to the same digits.
//!
//! [`Statement`]: attain_engine::pay::run::Statement

mod csv_out;
mod names;
mod traces;
mod xlsx;

use attain_core::Currency;
use rust_decimal::Decimal;

pub use csv_out::{line_cells, payroll_csv, statement_csv};
pub use xlsx::{StatementFileError, statement_xlsx};

/// An amount with exactly the currency's minor digits (`960.00`, JPY `1200`), as files and the
/// command line show amounts.
pub fn money(amount: Decimal, currency: Currency) -> String {
    currency.fixed(amount).to_string()
}

/// A measure, quota or ratio as exact text, without trailing zeros.
fn exact(d: Decimal) -> String {
    d.normalize().to_string()
}
