//! The scaled company's products (20, in 4 families of 5) and its EUR→USD rates: one per month
//! of the year, valid from the first of the month to the first of the next, with at most four
//! decimals (a random walk around 1.08, drawn in ten-thousandths so no float is involved).

use attain_core::domain::Product;
use attain_core::{Currency, Decimal, FxRate, Validity};
use jiff::civil::date;

use super::Year;
use crate::rng::{Dice, Stream};

pub(crate) const PRODUCTS: usize = 20;
const FAMILIES: [&str; 4] = ["Platform", "Add-ons", "Services", "Support"];

pub(crate) fn product_id(product: u32) -> String {
    format!("prd-{:02}", product + 1)
}

pub(crate) fn products() -> Vec<Product> {
    (0..PRODUCTS)
        .map(|p| Product {
            id: product_id(p as u32),
            name: format!("Product {:02}", p + 1),
            family: Some(FAMILIES[p * FAMILIES.len() / PRODUCTS].to_string()),
            currency: Currency::USD,
            list_price: None,
            unit_cost: None,
        })
        .collect()
}

pub(crate) fn fx_rates(seed: u64, year: &Year) -> Vec<FxRate> {
    let mut dice = Dice::new(seed, Stream::ScaledFx);
    let mut rate = 10_800_i64;
    (1..=12_i8)
        .map(|month| {
            rate = (rate + dice.between(-150, 150)).clamp(10_000, 12_000);
            let next = if month == 12 { date(year.year + 1, 1, 1) } else { date(year.year, month + 1, 1) };
            FxRate {
                id: format!("fx-eur-usd-{}-{month:02}", year.year),
                from_currency: Currency::EUR,
                to_currency: Currency::USD,
                rate: Decimal::new(rate, 4).normalize(),
                validity: Validity { from: date(year.year, month, 1), to: Some(next) },
            }
        })
        .collect()
}
