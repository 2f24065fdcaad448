//! Reading single values out of plan text: decimals written exactly (in quotes or as whole
//! numbers, `%` where a share is meant), dates, names from a list. Each error carries the span
//! of the value, which the loader turns into a line number.

use std::ops::Range;

use attain_core::Date;
use rust_decimal::Decimal;
use toml::{Spanned, Value};

/// A value as written, with where it was written.
pub(crate) type Raw = Spanned<Value>;

/// A problem with one value: where it is and what is wrong (the loader adds file and field).
#[derive(Debug)]
pub(crate) struct Bad {
    pub span: Range<usize>,
    pub message: String,
}

pub(crate) type Got<T> = Result<T, Bad>;

pub(crate) fn bad<T>(raw: &Raw, message: impl Into<String>) -> Got<T> {
    Err(Bad { span: raw.span(), message: message.into() })
}

/// What a decimal stands for, which decides whether `%` may be written and how large it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Money or a count: `%` is refused.
    Amount,
    /// A share or a rate: `5%` and `0.05` are the same.
    Share,
}

impl Unit {
    /// The largest value (either sign) a plan may write. Far beyond any real plan, and small
    /// enough that the engine's products of plan values and measure totals (a rate times a
    /// year's sales, a payout times a target) stay inside a decimal's 28 digits: without
    /// it, a tier rate of 79228162514264337593543950335 loaded fine and made the first run
    /// panic on overflow.
    pub(crate) fn limit(self) -> Decimal {
        match self {
            // A thousand trillion: more than any amount of money in any currency's minor units.
            Unit::Amount => Decimal::from(1_000_000_000_000_000_i64),
            // 100,000,000%.
            Unit::Share => Decimal::from(1_000_000),
        }
    }
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

pub(crate) fn text(raw: &Raw) -> Got<String> {
    match raw.get_ref() {
        Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Value::String(_) => bad(raw, "must not be empty"),
        other => bad(raw, format!("must be text in quotes, not {}", shown(other))),
    }
}

pub(crate) fn decimal(raw: &Raw, unit: Unit) -> Got<Decimal> {
    let written = match raw.get_ref() {
        Value::String(s) => s.trim().to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => {
            return bad(
                raw,
                format!(
                    "write decimals in quotes (\"{f}\") so they stay exact; {f} would be read as binary floating point"
                ),
            );
        }
        other => return bad(raw, format!("must be a number, not {}", shown(other))),
    };
    let (digits, percent) = match written.strip_suffix('%') {
        Some(d) => (d.trim_end(), true),
        None => (written.as_str(), false),
    };
    if percent && unit == Unit::Amount {
        return bad(raw, format!("`{written}` is a percentage, but an amount is needed here"));
    }
    let value = attain_core::money::parse_decimal(digits)
        .map_err(|_| Bad { span: raw.span(), message: format!("`{written}` is not a decimal number") })?;
    let value = if percent { value / Decimal::ONE_HUNDRED } else { value };
    if value.abs() > unit.limit() {
        let what = if unit == Unit::Amount { "an amount" } else { "a share or rate" };
        return bad(raw, format!("`{written}` is too large: {what} may be at most {}", unit.limit()));
    }
    Ok(value)
}

/// A decimal that must not be negative.
pub(crate) fn non_negative(raw: &Raw, unit: Unit) -> Got<Decimal> {
    let value = decimal(raw, unit)?;
    if value < Decimal::ZERO {
        return bad(raw, format!("must not be negative ({value})"));
    }
    Ok(value)
}

pub(crate) fn whole(raw: &Raw, min: i64, max: i64) -> Got<i64> {
    match raw.get_ref() {
        Value::Integer(i) if (min..=max).contains(i) => Ok(*i),
        Value::Integer(i) => bad(raw, format!("must be between {min} and {max}, not {i}")),
        other => bad(raw, format!("must be a whole number, not {}", shown(other))),
    }
}

pub(crate) fn flag(raw: &Raw) -> Got<bool> {
    match raw.get_ref() {
        Value::Boolean(b) => Ok(*b),
        other => bad(raw, format!("must be true or false, not {}", shown(other))),
    }
}

pub(crate) fn date(raw: &Raw) -> Got<Date> {
    let written = match raw.get_ref() {
        Value::String(s) => s.trim().to_string(),
        Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        other => return bad(raw, format!("must be a date like \"2017-01-01\", not {}", shown(other))),
    };
    attain_core::dating::parse_date(&written)
        .map_err(|e| Bad { span: raw.span(), message: format!("`{written}` is not a date: {e}") })
}

/// One of `names`, returning its index.
pub(crate) fn one_of(raw: &Raw, names: &[&str]) -> Got<usize> {
    let written = text(raw)?;
    names.iter().position(|n| *n == written).ok_or_else(|| Bad {
        span: raw.span(),
        message: format!("`{written}` is not one of {}", names.join(", ")),
    })
}

/// A list of texts; a single text is read as a list of one.
pub(crate) fn texts(raw: &Raw) -> Got<Vec<String>> {
    match raw.get_ref() {
        Value::String(_) => Ok(vec![text(raw)?]),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                other => bad(raw, format!("must be a list of texts; {} is not one", shown(other))),
            })
            .collect(),
        other => bad(raw, format!("must be a list of texts like [\"a\", \"b\"], not {}", shown(other))),
    }
}

/// The 1-based line of a byte offset in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
}
