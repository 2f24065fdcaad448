//! The product catalogue: a platform sold in packs of seats, add-ons and services, with list
//! prices and unit costs whose margins differ by family (software high, services low).

use attain_core::domain::Product;
use attain_core::{Currency, Decimal, Money};

/// What kind of thing a product is, which decides who buys it and in what quantities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    Platform,
    AddOn,
    Service,
}

#[derive(Debug)]
pub(crate) struct Item {
    pub id: &'static str,
    pub name: &'static str,
    pub line: Line,
    /// List price and unit cost in whole dollars.
    pub price: i64,
    pub cost: i64,
}

pub(crate) const ITEMS: [Item; 8] = [
    Item {
        id: "prd-platform-std",
        name: "Platform Standard (10 seats)",
        line: Line::Platform,
        price: 6_000,
        cost: 1_200,
    },
    Item {
        id: "prd-platform-ent",
        name: "Platform Enterprise (10 seats)",
        line: Line::Platform,
        price: 18_000,
        cost: 3_600,
    },
    Item { id: "prd-analytics", name: "Analytics Add-on", line: Line::AddOn, price: 4_800, cost: 1_200 },
    Item { id: "prd-security", name: "Security Suite", line: Line::AddOn, price: 7_200, cost: 2_160 },
    Item { id: "prd-integration", name: "Integration Pack", line: Line::AddOn, price: 3_600, cost: 1_260 },
    Item {
        id: "prd-implementation",
        name: "Implementation Services",
        line: Line::Service,
        price: 15_000,
        cost: 9_000,
    },
    Item { id: "prd-training", name: "Training Day", line: Line::Service, price: 2_500, cost: 1_500 },
    Item { id: "prd-support", name: "Premium Support", line: Line::Service, price: 9_000, cost: 4_500 },
];

impl Line {
    pub fn family(self) -> &'static str {
        match self {
            Line::Platform => "Platform",
            Line::AddOn => "Add-ons",
            Line::Service => "Services",
        }
    }
}

/// US dollars rounded to the cent; the demo's figures are far too small for this to fail.
pub(crate) fn usd(amount: Decimal) -> Money {
    Money::rounded(amount, Currency::USD).expect("demo amounts are far below the money limit")
}

pub(crate) fn products() -> Vec<Product> {
    ITEMS
        .iter()
        .map(|item| Product {
            id: item.id.to_string(),
            name: item.name.to_string(),
            family: Some(item.line.family().to_string()),
            currency: Currency::USD,
            list_price: Some(usd(Decimal::from(item.price))),
            unit_cost: Some(usd(Decimal::from(item.cost))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_are_between_thirty_and_eighty_percent() {
        for item in &ITEMS {
            let margin = (item.price - item.cost) * 100 / item.price;
            assert!((30..=80).contains(&margin), "{} has a {margin}% margin", item.id);
        }
    }
}
