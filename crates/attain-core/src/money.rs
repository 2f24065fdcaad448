//! Exact money. Arithmetic happens in [`Decimal`]; storage is integer minor units plus an ISO
//! 4217 code. Rounding to the minor unit is half-even ("banker's rounding") and happens only
//! where a caller asks for it (a statement line, an imported amount), never implicitly.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};

/// An ISO 4217 currency that has a defined minor unit (so `XAU` or `XXX` are refused: you cannot
/// pay anybody in them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub const USD: Currency = Currency(iso_currency::Currency::USD);
    pub const EUR: Currency = Currency(iso_currency::Currency::EUR);
    pub const GBP: Currency = Currency(iso_currency::Currency::GBP);
    pub const JPY: Currency = Currency(iso_currency::Currency::JPY);

    /// Parses an upper-case ISO code such as `USD`. Lower case is accepted, since spreadsheets
    /// write `usd` as often as `USD`.
    pub fn parse(code: &str) -> Result<Currency> {
        let trimmed = code.trim();
        iso_currency::Currency::from_code(&trimmed.to_ascii_uppercase())
            .filter(|c| c.exponent().is_some())
            .map(Currency)
            .ok_or_else(|| DomainError::UnknownCurrency(trimmed.to_string()))
    }

    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point of the currency's minor unit: JPY 0, USD 2, BHD 3.
    pub fn minor_units(self) -> u32 {
        // `parse` only admits currencies that have an exponent.
        u32::from(self.0.exponent().unwrap_or(0))
    }

    /// Rounds half-even to this currency's minor unit.
    pub fn round(self, amount: Decimal) -> Decimal {
        amount.round_dp_with_strategy(self.minor_units(), RoundingStrategy::MidpointNearestEven)
    }

    /// Rounds half-even and shows every minor digit: `500` → `500.00` in USD, `500` in JPY.
    pub fn fixed(self, amount: Decimal) -> Decimal {
        let mut rounded = self.round(amount);
        rounded.rescale(self.minor_units());
        rounded
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self> {
        Currency::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount of money that is exact in its currency's minor unit.
///
/// The amount is held as a `Decimal` whose scale never exceeds the currency's minor units, so
/// `to_minor` is lossless and serialising to the database and back is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// Builds money from an amount that must already be exact in the minor unit.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Money> {
        if amount.normalize().scale() > currency.minor_units() {
            return Err(DomainError::TooPrecise {
                value: amount.normalize().to_string(),
                currency: currency.code().to_string(),
                minor_units: currency.minor_units(),
            });
        }
        let money = Money { amount: amount.normalize(), currency };
        money.checked_minor()?;
        Ok(money)
    }

    /// Rounds any decimal half-even to the minor unit and wraps it.
    pub fn rounded(amount: Decimal, currency: Currency) -> Result<Money> {
        Money::new(currency.round(amount), currency)
    }

    pub fn zero(currency: Currency) -> Money {
        Money { amount: Decimal::ZERO, currency }
    }

    /// Parses a decimal string such as `-1234.50` that must be exact in the currency.
    pub fn parse(text: &str, currency: Currency) -> Result<Money> {
        Money::new(parse_decimal(text)?, currency)
    }

    /// Reassembles money from its stored form.
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { amount: Decimal::new(minor, currency.minor_units()).normalize(), currency }
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount in minor units (cents for USD), as stored.
    pub fn minor(&self) -> i64 {
        // Construction guarantees the amount fits; see `checked_minor`.
        self.checked_minor().unwrap_or(0)
    }

    fn checked_minor(&self) -> Result<i64> {
        let overflow = || DomainError::MoneyOverflow(self.amount.to_string());
        // Checked: an amount near the largest decimal (a cell of 29 nines) would otherwise
        // panic here rather than be refused as too large.
        let scaled = self
            .amount
            .checked_mul(Decimal::from(10_i64.pow(self.currency.minor_units())))
            .ok_or_else(overflow)?;
        i64::try_from(scaled).map_err(|_| overflow())
    }

    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    pub fn checked_add(self, other: Money) -> Result<Money> {
        self.same_currency(other)?;
        Money::new(self.amount + other.amount, self.currency)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money> {
        self.same_currency(other)?;
        Money::new(self.amount - other.amount, self.currency)
    }

    fn same_currency(self, other: Money) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(DomainError::CurrencyMismatch(self.currency.to_string(), other.currency.to_string()))
        }
    }
}

impl std::ops::Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money { amount: -self.amount, currency: self.currency }
    }
}

impl fmt::Display for Money {
    /// Always shows every minor digit (`12.50 USD`), the way a statement prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.amount;
        shown.rescale(self.currency.minor_units());
        write!(f, "{} {}", shown, self.currency)
    }
}

/// Parses a plain decimal (`1234.5`, `-0.25`, `+3`). Thousands separators, currency symbols and
/// exponents are refused: silently guessing what `1,234` means is how payouts go wrong.
pub fn parse_decimal(text: &str) -> Result<Decimal> {
    let t = text.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    let well_formed = !t.is_empty()
        && t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && t.bytes().filter(|&b| b == b'.').count() <= 1
        && t.rfind('-').is_none_or(|i| i == 0)
        && t.bytes().any(|b| b.is_ascii_digit());
    if !well_formed {
        return Err(DomainError::NotANumber { value: text.to_string() });
    }
    Decimal::from_str_exact(t).map_err(|_| DomainError::NotANumber { value: text.to_string() })
}

/// A conversion rate between two currencies, valid over a date range: 1 `from` = `rate` `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FxRate {
    pub id: String,
    pub from_currency: Currency,
    pub to_currency: Currency,
    #[serde(with = "rust_decimal::serde::str")]
    pub rate: Decimal,
    pub validity: crate::Validity,
}

impl FxRate {
    /// Converts exactly; the caller decides where the result is rounded.
    pub fn convert(&self, amount: Decimal) -> Decimal {
        amount * self.rate
    }
}

impl crate::record::Record for FxRate {
    const SPEC: crate::record::RecordSpec = {
        use crate::record::{Column, ColumnType as T, RecordSpec};
        RecordSpec {
            kind: crate::Kind::FxRates,
            table: "fx_rates",
            key: &["id"],
            columns: &[
                Column::req("id", T::Text),
                Column::req("from_currency", T::Currency),
                Column::req("to_currency", T::Currency),
                Column::req("rate", T::Decimal),
                Column::req("valid_from", T::Date),
                Column::opt("valid_to", T::Date),
            ],
        }
    };

    fn to_values(&self) -> Vec<crate::record::Value> {
        use crate::record::{opt_shown, shown, text};
        vec![
            text(&self.id),
            shown(self.from_currency),
            shown(self.to_currency),
            shown(self.rate),
            shown(self.validity.from),
            opt_shown(self.validity.to),
        ]
    }

    fn from_values(v: &[crate::record::Value]) -> std::result::Result<Self, crate::record::FieldError> {
        use crate::record::{FieldError, Reader};
        let r = Reader::new(&Self::SPEC, v)?;
        let rate = r.decimal("rate")?.normalize();
        if rate <= Decimal::ZERO {
            return Err(FieldError::new("rate", rate.to_string(), "an exchange rate must be above zero"));
        }
        let from_currency = r.currency("from_currency")?;
        let to_currency = r.currency("to_currency")?;
        if from_currency == to_currency {
            return Err(FieldError::new(
                "to_currency",
                to_currency.to_string(),
                "converts a currency to itself",
            ));
        }
        Ok(FxRate {
            id: r.text("id")?,
            from_currency,
            to_currency,
            rate,
            validity: r.validity("valid_from", "valid_to")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_amounts_round_half_even_and_show_every_minor_digit() {
        let d = |t: &str| Decimal::from_str_exact(t).unwrap();
        assert_eq!(Currency::USD.fixed(d("500")).to_string(), "500.00");
        assert_eq!(Currency::USD.fixed(d("0.125")).to_string(), "0.12");
        assert_eq!(Currency::USD.fixed(d("0.375")).to_string(), "0.38");
        assert_eq!(Currency::JPY.fixed(d("1234.5")).to_string(), "1234");
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn currencies_know_their_minor_units() {
        assert_eq!(Currency::parse("USD").unwrap().minor_units(), 2);
        assert_eq!(Currency::parse("jpy").unwrap().minor_units(), 0);
        assert_eq!(Currency::parse("BHD").unwrap().minor_units(), 3);
        assert!(matches!(Currency::parse("XAU"), Err(DomainError::UnknownCurrency(_))));
        assert!(matches!(Currency::parse("ABC"), Err(DomainError::UnknownCurrency(_))));
    }

    #[test]
    fn rounding_is_half_even_at_the_minor_unit() {
        let usd = Currency::USD;
        assert_eq!(usd.round(d("0.125")), d("0.12"));
        assert_eq!(usd.round(d("0.135")), d("0.14"));
        assert_eq!(usd.round(d("-0.125")), d("-0.12"));
        assert_eq!(usd.round(d("0.1251")), d("0.13"));
        assert_eq!(Currency::JPY.round(d("2.5")), d("2"));
        assert_eq!(Currency::JPY.round(d("3.5")), d("4"));
        let bhd = Currency::parse("BHD").unwrap();
        assert_eq!(bhd.round(d("1.0005")), d("1.000"));
        assert_eq!(bhd.round(d("1.0015")), d("1.002"));
    }

    #[test]
    fn money_must_be_exact_in_its_currency() {
        assert!(Money::parse("10.50", Currency::USD).is_ok());
        assert!(Money::parse("10.500", Currency::USD).is_ok(), "trailing zeros are still exact");
        assert!(matches!(Money::parse("10.505", Currency::USD), Err(DomainError::TooPrecise { .. })));
        assert!(matches!(Money::parse("10.5", Currency::JPY), Err(DomainError::TooPrecise { .. })));
        assert_eq!(Money::rounded(d("10.505"), Currency::USD).unwrap().amount(), d("10.50"));
    }

    #[test]
    fn minor_units_round_trip() {
        let m = Money::parse("-1234.56", Currency::USD).unwrap();
        assert_eq!(m.minor(), -123456);
        assert_eq!(Money::from_minor(-123456, Currency::USD), m);
        assert_eq!(Money::parse("1234", Currency::JPY).unwrap().minor(), 1234);
        assert_eq!(Money::parse("1.234", Currency::parse("BHD").unwrap()).unwrap().minor(), 1234);
    }

    #[test]
    fn display_shows_every_minor_digit() {
        assert_eq!(Money::parse("12.5", Currency::USD).unwrap().to_string(), "12.50 USD");
        assert_eq!(Money::parse("7", Currency::JPY).unwrap().to_string(), "7 JPY");
    }

    #[test]
    fn decimals_parse_strictly() {
        assert_eq!(parse_decimal(" 1.5 ").unwrap(), d("1.5"));
        assert_eq!(parse_decimal("+3").unwrap(), d("3"));
        assert_eq!(parse_decimal("-0.25").unwrap(), d("-0.25"));
        for bad in ["abc", "", "1,234", "$5", "1e3", "1.2.3", "--1", "1-", ".", "-"] {
            assert!(parse_decimal(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn adding_different_currencies_fails() {
        let a = Money::parse("1", Currency::USD).unwrap();
        let b = Money::parse("1", Currency::EUR).unwrap();
        assert!(matches!(a.checked_add(b), Err(DomainError::CurrencyMismatch(..))));
        assert_eq!(a.checked_add(a).unwrap().amount(), d("2"));
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        assert!(matches!(
            Money::parse("99999999999999999999", Currency::USD),
            Err(DomainError::MoneyOverflow(_))
        ));
        // Found by fuzzing the import: near the largest decimal, scaling to cents overflowed
        // the decimal itself and panicked.
        for largest in [
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7922816251426433759354395033.5",
        ] {
            assert!(
                matches!(Money::parse(largest, Currency::USD), Err(DomainError::MoneyOverflow(_))),
                "{largest}"
            );
        }
    }
}
