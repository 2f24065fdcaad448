//! Plan versions: what a payment made under one version of a plan keeps from that version.

use super::*;

#[test]
fn the_clawback_window_is_the_one_of_the_plan_version_the_original_was_paid_under() {
    // 2016's version claws back within 90 days; 2017's version never claws back.
    let v1 = REP_PLAN
        .replace("valid_from = \"2016-01-01\"", "valid_from = \"2016-01-01\"\nvalid_to = \"2017-01-01\"");
    let v2 = REP_PLAN
        .replace("version = 1", "version = 2")
        .replace("valid_from = \"2016-01-01\"", "valid_from = \"2017-01-01\"")
        .replace("clawback_days = 90", "clawback_days = 0");
    let mut d = world();
    for m in 10..=12 {
        d.quotas.push(Quota {
            id: format!("q-2016-{m}"),
            position_id: "p-a".into(),
            measure: "revenue".into(),
            period: Period::Month { year: 2016, month: m },
            amount: dec!(10000),
            currency: Some(Currency::USD),
            sheet_id: None,
        });
    }
    d.transactions = vec![
        book(date(2016, 12, 1), "t1", "ann", dec!(10000)),
        // 41 days later, inside 2016's 90 days, outside 2017's 0.
        cancel(date(2017, 1, 11), "t2", "t1", "ann", dec!(10000)),
    ];
    let book = plans(&[&v1, &v2, MANAGER_PLAN]);
    let months = Prepared::new(&d, &book).unwrap().run_months(month(2016, 12), month(2017, 1)).unwrap();
    let january = statement(&months, month(2017, 1), "ann");
    let clawbacks: Vec<Decimal> =
        january.lines.iter().filter(|l| l.kind == LineKind::Clawback).map(|l| l.amount).collect();
    assert_eq!(clawbacks, vec![dec!(-1000)], "{:#?}", january.lines);
}
