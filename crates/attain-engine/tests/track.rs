//! The company's actuals by month (`track::actuals`): a hand-worked year with every kind of
//! transaction and two currencies, and the demo company's years against a plain row-by-row sum.

use attain_core::domain::*;
use attain_core::money::FxRate;
use attain_core::{Currency, Dataset, Date, Money, Validity};
use attain_engine::track::{ActualsError, months_of_year, owners_of_year};
use attain_facts::FactStore;
use jiff::civil::date;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn txn(
    id: &str,
    day: Date,
    kind: TransactionKind,
    account: &str,
    amount: Money,
    cost: Option<Money>,
) -> Transaction {
    Transaction {
        id: id.into(),
        date: day,
        kind,
        account_id: Some(account.into()),
        product_id: None,
        quantity: None,
        currency: amount.currency(),
        amount,
        cost,
        opportunity_id: None,
        original_id: None,
        owner_id: None,
    }
}

fn usd(v: Decimal) -> Money {
    Money::new(v, Currency::USD).expect("usd")
}

fn eur(v: Decimal) -> Money {
    Money::new(v, Currency::EUR).expect("eur")
}

fn company() -> Dataset {
    let mut d = Dataset::default();
    d.company.push(Company {
        id: Company::ID.into(),
        name: "Test".into(),
        base_currency: Currency::USD,
        calendar: Default::default(),
        time_zone: "UTC".into(),
    });
    for id in ["a1", "a2", "a3"] {
        d.accounts.push(Account {
            id: id.into(),
            name: id.into(),
            industry: None,
            country: None,
            region: None,
            size: None,
            revenue_currency: None,
            annual_revenue: None,
            employees: None,
            parent_id: None,
            territory_id: None,
            owner_id: None,
        });
    }
    use TransactionKind::*;
    d.transactions = vec![
        // a1's first booking is in 2016: not a new logo in 2017.
        txn("t0", date(2016, 11, 3), Booking, "a1", usd(dec!(500)), None),
        txn("t1", date(2017, 1, 10), Booking, "a1", usd(dec!(1000)), None),
        txn("t2", date(2017, 1, 20), Invoice, "a1", usd(dec!(1000)), Some(usd(dec!(400)))),
        txn("t3", date(2017, 1, 25), Payment, "a1", usd(dec!(1000)), None),
        // a2: first booking in March, in euros; part returned, an invoice without a cost.
        txn("t4", date(2017, 3, 2), Booking, "a2", eur(dec!(2000)), None),
        txn("t5", date(2017, 3, 9), Invoice, "a2", eur(dec!(2000)), Some(eur(dec!(1500)))),
        txn("t6", date(2017, 3, 30), Invoice, "a2", eur(dec!(100.01)), None),
        // a3: booked then cancelled, still its first booking (a new logo in December).
        txn("t8", date(2017, 12, 31), Booking, "a3", usd(dec!(300)), None),
        // Next year: outside.
        txn("t9", date(2018, 1, 1), Invoice, "a3", usd(dec!(999)), None),
    ];
    let mut ret = txn("t7", date(2017, 3, 31), Return, "a2", eur(dec!(-500)), Some(eur(dec!(-375))));
    ret.original_id = Some("t5".into());
    d.transactions.push(ret);
    let mut cancel = txn("t8c", date(2017, 12, 31), Cancellation, "a3", usd(dec!(-300)), None);
    cancel.original_id = Some("t8".into());
    d.transactions.push(cancel);
    d.fx_rates.push(FxRate {
        id: "eurusd".into(),
        from_currency: Currency::EUR,
        to_currency: Currency::USD,
        rate: dec!(1.1),
        validity: Validity { from: date(2017, 3, 1), to: Some(date(2017, 4, 1)) },
    });
    d
}

#[test]
fn a_hand_worked_year_sums_every_kind_and_converts_each_month_once() {
    let data = company();
    let facts = FactStore::from_dataset(&data);
    let months = months_of_year(&facts, 2017, Currency::USD, &data.fx_rates).expect("actuals");
    assert_eq!(months.len(), 12);
    // January: the invoice is revenue, its margin is 600; the payment counts for neither.
    assert_eq!(months[0].revenue, usd(dec!(1000)));
    assert_eq!(months[0].margin, usd(dec!(600)));
    assert_eq!(months[0].bookings, usd(dec!(1000)));
    assert_eq!(months[0].new_logos, 0);
    // March, in EUR at 1.1: revenue (2000 + 100.01 − 500) × 1.1 = 1760.011 → 1760.01;
    // margin only where cost is known: (500 − 125) × 1.1 = 412.5; bookings 2200.
    assert_eq!(months[2].revenue, usd(dec!(1760.01)));
    assert_eq!(months[2].margin, usd(dec!(412.50)));
    assert_eq!(months[2].bookings, usd(dec!(2200)));
    assert_eq!(months[2].new_logos, 1);
    // December: a booking and its cancellation net to zero; the account is still a new logo.
    assert_eq!(months[11].bookings, usd(dec!(0)));
    assert_eq!(months[11].new_logos, 1);
    let total: Decimal = months.iter().map(|m| m.revenue.amount()).sum();
    assert_eq!(total, dec!(2760.01));
}

#[test]
fn a_month_without_a_rate_is_named() {
    let mut data = company();
    data.fx_rates.clear();
    let facts = FactStore::from_dataset(&data);
    let err = months_of_year(&facts, 2017, Currency::USD, &data.fx_rates).unwrap_err();
    assert_eq!(err, ActualsError::NoFxRate { from: Currency::EUR, to: Currency::USD, day: date(2017, 3, 1) });
    assert!(err.to_string().contains("EUR to USD on 2017-03-01"), "{err}");
}

#[test]
fn the_demo_years_equal_a_plain_sum_of_their_rows() {
    let data = attain_demo::generate(&attain_demo::DemoConfig::new(date(2018, 7, 1)));
    let facts = FactStore::from_dataset(&data);
    let calendar = facts.calendar;
    for year in [2016, 2017, 2018] {
        let months = months_of_year(&facts, year, Currency::USD, &data.fx_rates).expect("actuals");
        let mut revenue = [Decimal::ZERO; 12];
        let mut bookings = [Decimal::ZERO; 12];
        let kind_of = |id: &str| data.transactions.iter().find(|t| t.id == id).map(|t| t.kind);
        for t in data.transactions.iter().filter(|t| calendar.fiscal_year_of(t.date) == year) {
            let m = usize::try_from(t.date.month() - 1).expect("month");
            let counted_as = match (t.kind, t.original_id.as_deref().and_then(kind_of)) {
                (TransactionKind::Cancellation, Some(k)) => k,
                (k, _) => k,
            };
            match counted_as {
                TransactionKind::Invoice | TransactionKind::Return => revenue[m] += t.amount.amount(),
                TransactionKind::Booking => bookings[m] += t.amount.amount(),
                _ => {}
            }
        }
        for m in 0..12 {
            assert_eq!(months[m].revenue.amount(), revenue[m], "{year} month {}", m + 1);
            assert_eq!(months[m].bookings.amount(), bookings[m], "{year} month {}", m + 1);
        }
        assert!(months.iter().map(|m| m.revenue.amount()).sum::<Decimal>() > Decimal::ZERO, "{year}");
    }
}

#[test]
fn each_owners_year_equals_a_plain_sum_of_their_rows() {
    let data = attain_demo::generate(&attain_demo::DemoConfig::new(date(2018, 7, 1)));
    let facts = FactStore::from_dataset(&data);
    let calendar = facts.calendar;
    let by_owner = owners_of_year(&facts, 2017, Currency::USD, &data.fx_rates).expect("owners");
    // The row's owner, else its opportunity's; each bookings and revenue as the company's are.
    let kind_of = |id: &str| data.transactions.iter().find(|t| t.id == id).map(|t| t.kind);
    let mut expected: std::collections::HashMap<String, (Decimal, Decimal)> = Default::default();
    for t in data.transactions.iter().filter(|t| calendar.fiscal_year_of(t.date) == 2017) {
        let opportunity_owner = || {
            let id = t.opportunity_id.as_deref()?;
            data.opportunities.iter().find(|o| o.id == id).map(|o| o.owner_id.clone())
        };
        let Some(owner) = t.owner_id.clone().or_else(opportunity_owner) else { continue };
        let counted_as = match (t.kind, t.original_id.as_deref().and_then(kind_of)) {
            (TransactionKind::Cancellation, Some(k)) => k,
            (k, _) => k,
        };
        let slot = expected.entry(owner).or_default();
        match counted_as {
            TransactionKind::Invoice | TransactionKind::Return => slot.0 += t.amount.amount(),
            TransactionKind::Booking => slot.1 += t.amount.amount(),
            _ => {}
        }
    }
    assert!(expected.len() > 5, "the demo's deals have owners: {}", expected.len());
    assert_eq!(by_owner.len(), expected.len());
    for (owner, (revenue, bookings)) in &expected {
        let got = by_owner.get(owner).unwrap_or_else(|| panic!("{owner} is missing"));
        assert_eq!((got.revenue.amount(), got.bookings.amount()), (*revenue, *bookings), "{owner}");
    }
}
