//! Currency conversion shared by every job: the rate from one currency to another on a day,
//! read from the company's `fx_rates` — direct, inverse, or through the base currency.

use attain_core::money::FxRate;
use attain_core::{Currency, Date};
use rust_decimal::Decimal;

/// The rate converting `from` into `to` on `day`, or `None` when the rates don't say.
pub fn rate(rates: &[FxRate], base: Currency, from: Currency, to: Currency, day: Date) -> Option<Decimal> {
    if from == to {
        return Some(Decimal::ONE);
    }
    let direct = |a: Currency, b: Currency| -> Option<Decimal> {
        rates.iter().find_map(|r| {
            if !r.validity.contains(day) {
                None
            } else if r.from_currency == a && r.to_currency == b {
                Some(r.rate)
            } else if r.from_currency == b && r.to_currency == a && !r.rate.is_zero() {
                Some(Decimal::ONE / r.rate)
            } else {
                None
            }
        })
    };
    direct(from, to).or_else(|| Some(direct(from, base)? * direct(base, to)?))
}
