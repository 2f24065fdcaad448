//! Money invariants: exact storage, half-even rounding, and the CSV text form.

use attain_core::record::{Value, cells_from_text, cells_to_text};
use attain_core::{Currency, Kind, Money};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn currencies() -> impl Strategy<Value = Currency> {
    prop::sample::select(vec!["USD", "EUR", "JPY", "BHD", "GBP", "CLF"])
        .prop_map(|c| Currency::parse(c).unwrap())
}

proptest! {
    #[test]
    fn minor_units_round_trip(minor in -1_000_000_000_000_000i64..1_000_000_000_000_000, c in currencies()) {
        let money = Money::from_minor(minor, c);
        prop_assert_eq!(money.minor(), minor);
        prop_assert_eq!(Money::parse(&money.amount().to_string(), c).unwrap(), money);
    }

    #[test]
    fn rounding_is_half_even_and_within_half_a_unit(units in -10_000_000_000i64..10_000_000_000, extra in 0u32..4, c in currencies()) {
        let scale = c.minor_units() + extra;
        let amount = Decimal::new(units, scale);
        let rounded = c.round(amount);
        let unit = Decimal::new(1, c.minor_units());
        prop_assert!((rounded - amount).abs() * Decimal::TWO <= unit);
        prop_assert_eq!(c.round(rounded), rounded, "rounding twice changes nothing");
        prop_assert!(rounded.normalize().scale() <= c.minor_units());
        // A tie goes to the even neighbour.
        if (rounded - amount).abs() * Decimal::TWO == unit {
            let last_digit = (rounded / unit).trunc() % Decimal::TWO;
            prop_assert_eq!(last_digit, Decimal::ZERO);
        }
    }

    #[test]
    fn money_cells_survive_the_text_form(minor in -100_000_000_000i64..100_000_000_000, c in currencies()) {
        let spec = Kind::Products.spec();
        let values = vec![
            Value::Text("p".into()), Value::Text("P".into()), Value::Null,
            Value::Text(c.code().into()), Value::Int(minor), Value::Null,
        ];
        let text: Vec<Option<String>> = cells_to_text(spec, &values).into_iter().map(Some).collect();
        prop_assert_eq!(cells_from_text(spec, &text).unwrap(), values);
    }
}
