//! Quotas allocated on quota sheets: pay reads the approved version in force (not drafts, not
//! the imported rows it replaces), and an allocated line, already sized to the days its seat
//! is filled, is shared among the seat's holders by days held, never prorated twice.

use super::*;

fn sheet(version: u32, status: SheetStatus) -> QuotaSheet {
    let stamp: jiff::Timestamp = "2016-12-20T10:00:00Z".parse().unwrap();
    let submitted = status != SheetStatus::Draft;
    let approved = status == SheetStatus::Approved;
    QuotaSheet {
        id: QuotaSheet::id_for(2017, QuotaMeasure::Revenue, "p-mgr", version),
        fiscal_year: 2017,
        measure: QuotaMeasure::Revenue,
        owner_position_id: "p-mgr".into(),
        version,
        status,
        envelope: usd(dec!(15000)),
        over_assignment: dec!(100),
        method: AllocationMethod::Equal,
        note: "test".into(),
        prepared_by: "ops".into(),
        submitted_by: submitted.then(|| "max".into()),
        submitted_at: submitted.then_some(stamp),
        approved_by: approved.then(|| "vp".into()),
        approved_at: approved.then_some(stamp),
        review_note: None,
    }
}

/// Bob's seat allocated for Q1: nothing in January (nobody holds it), half of February (he
/// starts on the 15th: 14 of 28 days), all of March.
fn lines(s: &QuotaSheet, amounts: [Decimal; 3]) -> Vec<Quota> {
    (1..=3)
        .zip(amounts)
        .map(|(m, amount)| {
            let period = Period::Month { year: 2017, month: m };
            Quota {
                id: s.line_id("p-b", period),
                position_id: "p-b".into(),
                measure: "revenue".into(),
                period,
                amount,
                currency: Some(Currency::USD),
                sheet_id: Some(s.id.clone()),
            }
        })
        .collect()
}

#[test]
fn an_allocated_quota_is_shared_by_days_held_and_not_prorated_again() {
    let mut d = world();
    let approved = sheet(1, SheetStatus::Approved);
    let draft = sheet(2, SheetStatus::Draft);
    d.quotas.extend(lines(&approved, [dec!(0), dec!(5000), dec!(10000)]));
    // A later draft is not read, whatever it says.
    d.quotas.extend(lines(&draft, [dec!(0), dec!(90000), dec!(90000)]));
    d.quota_sheets = vec![approved, draft];
    d.transactions = vec![book(date(2017, 3, 1), "t1", "bob", dec!(15000))];
    let months = run(&d, &plans(&[REP_PLAN, MANAGER_PLAN]), month(2017, 3));
    let line = statement(&months, month(2017, 3), "bob").components().next().unwrap().clone();
    // 0 + 5,000 (he held all 14 filled days of February) + 10,000; the imported 10,000 a month
    // for his seat in 2017 is replaced by the sheet. Prorating by the quarter's days again
    // would give 7,500.
    assert_eq!(line.quota, Some(dec!(15000)));
    assert_eq!(line.attainment, Some(Decimal::ONE));
    // Ann's seat has no sheet: her imported quotas stand.
    let ann = statement(&months, month(2017, 3), "ann").components().next().unwrap().clone();
    assert_eq!(ann.quota, Some(dec!(30000)));
}

#[test]
fn two_holders_of_an_allocated_seat_share_its_line_by_their_days() {
    let mut d = world();
    // Ann leaves her seat on 15 March and Bob takes it over; his own seat is not in play here.
    d.assignments[1].validity = until(date(2016, 1, 1), Some(date(2017, 3, 15)));
    d.assignments[2] = Assignment {
        id: "a3".into(),
        person_id: "bob".into(),
        position_id: "p-a".into(),
        validity: until(date(2017, 3, 15), None),
    };
    let s = sheet(1, SheetStatus::Approved);
    let period = Period::Month { year: 2017, month: 3 };
    d.quotas.push(Quota {
        id: s.line_id("p-a", period),
        position_id: "p-a".into(),
        measure: "revenue".into(),
        period,
        amount: dec!(31000),
        currency: Some(Currency::USD),
        sheet_id: Some(s.id.clone()),
    });
    d.quota_sheets = vec![s];
    d.transactions = vec![book(date(2017, 3, 1), "t1", "ann", dec!(1000))];
    let months = run(&d, &plans(&[REP_PLAN, MANAGER_PLAN]), month(2017, 3));
    let trace_quota = |who: &str| {
        let s = statement(&months, month(2017, 3), who);
        s.components().next().map(|l| l.quota)
    };
    // March: Ann 14 days, Bob 17 of 31 → 14,000 and 17,000 of the line. The sheet covers the
    // seat's 2017, so its imported January and February quotas are no longer read.
    assert_eq!(trace_quota("ann"), Some(Some(dec!(14000))));
    assert_eq!(trace_quota("bob"), Some(Some(dec!(17000))));
}
