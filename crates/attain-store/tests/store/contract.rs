//! Reading and writing records: exact round trips, idempotent upserts, atomic transactions,
//! and the database's own reference checks as a last line of defence.

use attain_core::domain::*;
use attain_core::record::Value;
use attain_core::{Currency, Dataset, FxRate, Kind, Money, Period, Record, Validity};
use attain_store::{Store, UpsertCount};
use attain_testkit::Db;
use jiff::civil::date;
use rust_decimal::Decimal;

use crate::on_both;

fn usd(s: &str) -> Money {
    Money::parse(s, Currency::USD).unwrap()
}

/// A small company touching every kind, every column type and the awkward values: NULLs in
/// integer columns, the largest storable amounts, negative money, non-ASCII text, versions.
pub fn fixture() -> Dataset {
    let jpy = Currency::JPY;
    let mut d = Dataset::default();
    d.company.push(Company {
        id: Company::ID.into(),
        name: "Ünïcode Trading GmbH".into(),
        base_currency: Currency::EUR,
        calendar: attain_core::FiscalCalendar::new(2, attain_core::FiscalYearNaming::EndYear).unwrap(),
        time_zone: "Europe/Berlin".into(),
    });
    d.people.push(Person {
        id: "p1".into(),
        name: "Zoë O'Brien".into(),
        email: Some("zoe@example.com".into()),
        hire_date: date(2015, 3, 1),
        termination_date: None,
        pay_currency: Some(jpy),
    });
    d.people.push(Person {
        id: "p2".into(),
        name: "Ann, \"the closer\"".into(),
        email: None,
        hire_date: date(2016, 2, 29),
        termination_date: Some(date(2017, 6, 30)),
        pay_currency: None,
    });
    let vp = Position {
        id: "vp".into(),
        validity: Validity::open_from(date(2015, 1, 1)),
        title: "VP Sales".into(),
        role: Role::Executive,
        team: None,
        region: None,
        reports_to: None,
    };
    let rep_v1 = Position {
        id: "rep".into(),
        validity: Validity::new(date(2015, 1, 1), Some(date(2017, 4, 1))).unwrap(),
        title: "AE".into(),
        role: Role::Rep,
        team: Some("East".into()),
        region: Some("East".into()),
        reports_to: Some("vp".into()),
    };
    let rep_v2 = Position {
        validity: Validity::open_from(date(2017, 4, 1)),
        team: Some("West".into()),
        ..rep_v1.clone()
    };
    d.positions.extend([vp, rep_v1, rep_v2]);
    d.assignments.push(Assignment {
        id: "a1".into(),
        person_id: "p2".into(),
        position_id: "rep".into(),
        validity: Validity::new(date(2016, 2, 29), Some(date(2017, 6, 30))).unwrap(),
    });
    d.territories.push(Territory {
        id: "t-root".into(),
        name: "World".into(),
        parent_id: None,
        region: None,
    });
    d.territories.push(Territory {
        id: "t-east".into(),
        name: "East".into(),
        parent_id: Some("t-root".into()),
        region: Some("East".into()),
    });
    d.territory_owners.push(TerritoryOwner {
        id: "to1".into(),
        territory_id: "t-east".into(),
        position_id: "rep".into(),
        validity: Validity::open_from(date(2016, 1, 1)),
    });
    d.products.push(Product {
        id: "gtx".into(),
        name: "GTX Pro".into(),
        family: Some("GTX".into()),
        currency: Currency::USD,
        list_price: Some(usd("4821")),
        unit_cost: Some(usd("1234.56")),
    });
    d.accounts.push(Account {
        id: "acme".into(),
        name: "Acme".into(),
        industry: Some("technology".into()),
        country: Some("United States".into()),
        region: None,
        size: Some(AccountSize::Enterprise),
        revenue_currency: Some(Currency::USD),
        annual_revenue: Some(Money::from_minor(i64::MAX, Currency::USD)),
        employees: None,
        parent_id: None,
        territory_id: Some("t-east".into()),
        owner_id: Some("p2".into()),
    });
    d.contacts.push(Contact {
        id: "c1".into(),
        account_id: "acme".into(),
        name: "Wile E.".into(),
        title: Some("CTO".into()),
        email: None,
        phone: Some("+1 555 0100".into()),
        buying_role: BuyingRole::EconomicBuyer,
    });
    d.opportunities.push(Opportunity {
        id: "o1".into(),
        name: Some("Acme GTX".into()),
        account_id: Some("acme".into()),
        owner_id: "p2".into(),
        product_id: Some("gtx".into()),
        currency: Currency::USD,
        amount: Some(usd("9642")),
        stage: "Closed Won".into(),
        status: DealStatus::Won,
        probability: Some(Decimal::ONE_HUNDRED),
        expected_close: Some(date(2017, 3, 1)),
        deal_type: Some(DealType::NewBusiness),
        channel: Some(Channel::Partner),
        created_on: Some(date(2016, 12, 1)),
        closed_on: Some(date(2017, 3, 2)),
        close_reason: Some("Product fit".into()),
    });
    d.opportunities.push(Opportunity {
        id: "o2".into(),
        name: None,
        account_id: None,
        owner_id: "p1".into(),
        product_id: None,
        currency: jpy,
        amount: None,
        stage: "Prospecting".into(),
        status: DealStatus::Open,
        probability: Some(Decimal::new(125, 1)),
        expected_close: None,
        deal_type: None,
        channel: None,
        created_on: Some(date(2017, 5, 1)),
        closed_on: None,
        close_reason: None,
    });
    for (stage, day) in [("Prospecting", date(2016, 12, 1)), ("Closed Won", date(2017, 3, 2))] {
        d.stage_history.push(StageChange {
            id: StageChange::derived_id("o1", stage, day),
            opportunity_id: "o1".into(),
            stage: stage.into(),
            entered_on: day,
        });
    }
    d.activities.push(Activity {
        id: "act1".into(),
        kind: ActivityKind::Demo,
        owner_id: "p2".into(),
        account_id: Some("acme".into()),
        opportunity_id: Some("o1".into()),
        contact_id: Some("c1".into()),
        occurred_at: "2017-01-10T15:30:00Z".parse().unwrap(),
        subject: Some("Demo — on site".into()),
        outcome: None,
    });
    let booking = Transaction {
        id: "tx1".into(),
        date: date(2017, 3, 2),
        kind: TransactionKind::Booking,
        account_id: Some("acme".into()),
        product_id: Some("gtx".into()),
        quantity: Some(Decimal::TWO),
        currency: Currency::USD,
        amount: usd("9642"),
        cost: Some(usd("2469.12")),
        opportunity_id: Some("o1".into()),
        original_id: None,
        owner_id: Some("p2".into()),
    };
    let refund = Transaction {
        id: "tx2".into(),
        date: date(2017, 4, 2),
        kind: TransactionKind::Return,
        quantity: Some(Decimal::NEGATIVE_ONE),
        amount: usd("-4821"),
        cost: Some(usd("-1234.56")),
        original_id: Some("tx1".into()),
        ..booking.clone()
    };
    d.transactions.extend([booking, refund]);
    d.fx_rates.push(FxRate {
        id: "usd-eur-2017".into(),
        from_currency: Currency::USD,
        to_currency: Currency::EUR,
        rate: Decimal::new(93215, 5),
        validity: Validity::new(date(2017, 1, 1), Some(date(2018, 1, 1))).unwrap(),
    });
    comp_inputs(&mut d);
    d.sort();
    d
}

fn period(text: &str) -> Period {
    Period::parse(text).unwrap()
}

/// The compensation inputs: every period form, a count quota without a currency, a quota in a
/// currency without minor units, a negative adjustment, fractional percents and scores.
fn comp_inputs(d: &mut Dataset) {
    d.quotas.extend([
        Quota {
            id: "q1".into(),
            position_id: "rep".into(),
            measure: "revenue".into(),
            period: period("2017-03"),
            amount: Decimal::new(12_000_050, 2),
            currency: Some(Currency::USD),
            // A line of the quota sheet below.
            sheet_id: Some(QuotaSheet::id_for(2017, QuotaMeasure::Revenue, "vp", 1)),
        },
        Quota {
            id: "q2".into(),
            position_id: "rep".into(),
            measure: "deals".into(),
            period: period("2017-Q1"),
            amount: Decimal::from(9),
            currency: None,
            sheet_id: None,
        },
        Quota {
            id: "q3".into(),
            position_id: "vp".into(),
            measure: "revenue".into(),
            period: period("FY2018"),
            amount: Decimal::from(250_000_000),
            currency: Some(Currency::JPY),
            sheet_id: None,
        },
    ]);
    d.plan_assignments.extend([
        PlanAssignment {
            id: "pa1".into(),
            position_id: "rep".into(),
            plan_id: "ae".into(),
            validity: Validity::new(date(2017, 1, 1), Some(date(2018, 1, 1))).unwrap(),
        },
        PlanAssignment {
            id: "pa2".into(),
            position_id: "vp".into(),
            plan_id: "exec-2017".into(),
            validity: Validity::open_from(date(2017, 1, 1)),
        },
    ]);
    for (id, person, role, percent) in [
        ("cs1", "p2", CreditRole::Primary, Decimal::new(6667, 2)),
        ("cs2", "p1", CreditRole::Primary, Decimal::new(3333, 2)),
        ("cs3", "p1", CreditRole::Overlay, Decimal::ONE_HUNDRED),
    ] {
        d.credit_splits.push(CreditSplit {
            id: id.into(),
            opportunity_id: "o1".into(),
            person_id: person.into(),
            role,
            percent,
        });
    }
    d.adjustments.extend([
        Adjustment {
            id: "adj1".into(),
            person_id: "p2".into(),
            period: period("2017-04"),
            currency: Currency::USD,
            amount: usd("-482.10"),
            reason: "Clawback: tx2 returned, \"Acme\"".into(),
            entered_by: Some("comp.admin".into()),
        },
        Adjustment {
            id: "adj2".into(),
            person_id: "p1".into(),
            period: period("2017-05"),
            currency: Currency::JPY,
            amount: Money::from_minor(50_000, Currency::JPY),
            reason: "Umzugsprämie".into(),
            entered_by: None,
        },
    ]);
    d.objective_scores.push(ObjectiveScore {
        id: "os1".into(),
        person_id: "p1".into(),
        period: period("2017-Q2"),
        objective: "pipeline_hygiene".into(),
        score: Decimal::new(1125, 1),
    });
    // A revenue plan version: money in minor units, shares as decimal text, an instant.
    let usd = |minor: i64| Money::from_minor(minor, Currency::USD);
    d.revenue_plans.push(RevenuePlan {
        id: RevenuePlan::id_for(2017, 1),
        fiscal_year: 2017,
        version: 1,
        status: PlanStatus::Approved,
        currency: Currency::USD,
        revenue: usd(1_200_000_050),
        margin: usd(480_000_000),
        bookings: usd(1_300_000_000),
        new_logos: 40,
        season: SeasonSource::Entered,
        shares: [6, 7, 10, 7, 7, 10, 6, 7, 10, 8, 9, 13].map(Decimal::from),
        note: "first plan".into(),
        prepared_by: "ops@example.com".into(),
        approved_by: Some("cfo@example.com".into()),
        approved_at: Some("2016-12-15T15:00:00Z".parse().unwrap()),
    });
    // A quota sheet, approved: an over-assignment with decimals, a returned reviewer's note.
    let stamp: jiff::Timestamp = "2016-12-20T09:30:00Z".parse().unwrap();
    d.quota_sheets.push(QuotaSheet {
        id: QuotaSheet::id_for(2017, QuotaMeasure::Revenue, "vp", 1),
        fiscal_year: 2017,
        measure: QuotaMeasure::Revenue,
        owner_position_id: "vp".into(),
        version: 1,
        status: SheetStatus::Approved,
        envelope: usd(1_200_000_050),
        over_assignment: Decimal::new(10750, 2),
        method: AllocationMethod::Mix,
        note: "first allocation".into(),
        prepared_by: "ops@example.com".into(),
        submitted_by: Some("vp@example.com".into()),
        submitted_at: Some(stamp),
        approved_by: Some("cfo@example.com".into()),
        approved_at: Some(stamp),
        review_note: Some("Sent back once: \"East too low\"".into()),
    });
    // Objectives: a count that ended (the day after is the first it no longer holds) and a
    // money target with cents, still open.
    d.objectives.push(Objective {
        id: Objective::id_for("vp", ObjectiveMeasure::Calls, date(2017, 1, 1)),
        position_id: "vp".into(),
        measure: ObjectiveMeasure::Calls,
        cadence: Cadence::Week,
        target: Decimal::from(20),
        currency: None,
        valid_from: date(2017, 1, 1),
        valid_to: Some(date(2017, 7, 1)),
        note: Some("Calls to \"named\" accounts".into()),
        set_by: Some("ops@example.com".into()),
    });
    d.objectives.push(Objective {
        id: Objective::id_for("vp", ObjectiveMeasure::Bookings, date(2017, 4, 1)),
        position_id: "vp".into(),
        measure: ObjectiveMeasure::Bookings,
        cadence: Cadence::Quarter,
        target: Decimal::new(25_000_050, 2),
        currency: Some(Currency::EUR),
        valid_from: date(2017, 4, 1),
        valid_to: None,
        note: None,
        set_by: None,
    });
    // Assignment rules (a named account, a country with spaces kept as typed, one that
    // ended) and the account's dated territory they wrote.
    d.territory_rules.push(TerritoryRule {
        id: TerritoryRule::id_for(RuleBasis::Named, "acme", date(2017, 1, 1)),
        territory_id: "t-east".into(),
        basis: RuleBasis::Named,
        value: "acme".into(),
        validity: Validity::open_from(date(2017, 1, 1)),
        note: Some("Strategic, \"named\"".into()),
    });
    d.territory_rules.push(TerritoryRule {
        id: "rule-us".into(),
        territory_id: "t-root".into(),
        basis: RuleBasis::Country,
        value: " United States ".into(),
        validity: Validity { from: date(2016, 1, 1), to: Some(date(2017, 1, 1)) },
        note: None,
    });
    d.account_territories.push(AccountTerritory {
        id: AccountTerritory::id_for("acme", date(2017, 1, 1)),
        account_id: "acme".into(),
        territory_id: "t-east".into(),
        validity: Validity::open_from(date(2017, 1, 1)),
        rule_id: Some(TerritoryRule::id_for(RuleBasis::Named, "acme", date(2017, 1, 1))),
        assigned_by: Some("ops@example.com".into()),
    });
}

async fn a_dataset_round_trips_exactly(store: Store, _b: Db) {
    let data = fixture();
    store.save_dataset(&data).await.unwrap();
    let loaded = store.dataset().await.unwrap();
    assert_eq!(loaded, data);
    assert_eq!(store.count(Kind::Positions).await.unwrap(), 3);
    assert_eq!(store.ids(Kind::Positions).await.unwrap().len(), 2, "versions share an id");
    for kind in Kind::ALL {
        assert!(data.len(kind) > 0, "the fixture has no {kind}");
    }
}

async fn upserts_are_idempotent_and_count_what_changed(store: Store, _b: Db) {
    let data = fixture();
    let first = store.save_dataset(&data).await.unwrap();
    let people = first.iter().find(|(k, _)| *k == Kind::People).unwrap().1;
    assert_eq!(people, UpsertCount { inserted: 2, updated: 0, unchanged: 0 });

    let again = store.save_dataset(&data).await.unwrap();
    for (kind, count) in &again {
        assert_eq!(count.inserted + count.updated, 0, "{kind} changed on an identical re-save");
        assert_eq!(count.unchanged, data.len(*kind) as u64);
    }

    let mut changed = data.clone();
    changed.people[0].email = Some("new@example.com".into());
    changed.people.push(Person { id: "p3".into(), name: "New".into(), ..data.people[1].clone() });
    let mut tx = store.begin().await.unwrap();
    let count = store.upsert(&mut tx, Kind::People, &changed.rows(Kind::People)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count, UpsertCount { inserted: 1, updated: 1, unchanged: 1 });
    assert_eq!(store.dataset().await.unwrap().people.len(), 3);
}

async fn insert_new_rows_leave_stored_keys_alone(store: Store, _b: Db) {
    let data = fixture();
    store.save_dataset(&data).await.unwrap();
    let mut rows = data.rows(Kind::People);
    let mut renamed = data.people[0].clone();
    renamed.name = "Not Written".into();
    rows[0] = renamed.to_values();
    rows.push(Person { id: "p3".into(), name: "New".into(), ..data.people[1].clone() }.to_values());
    let mut tx = store.begin().await.unwrap();
    let inserted = store.insert_new_rows(&mut tx, Kind::People, &rows).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(inserted, 1, "only the new key counts");
    let people = store.dataset().await.unwrap().people;
    assert_eq!(people.len(), 3);
    assert_eq!(people[0], data.people[0], "a stored row is left as it was");
    assert_eq!(people[2].name, "New");
}

async fn a_rolled_back_transaction_leaves_nothing(store: Store, _b: Db) {
    let data = fixture();
    let mut tx = store.begin().await.unwrap();
    store.upsert(&mut tx, Kind::Company, &data.rows(Kind::Company)).await.unwrap();
    store.upsert(&mut tx, Kind::People, &data.rows(Kind::People)).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(store.count(Kind::People).await.unwrap(), 0);
    assert_eq!(store.count(Kind::Company).await.unwrap(), 0);
}

async fn the_database_refuses_dangling_references(store: Store, _b: Db) {
    let data = fixture();
    let mut orphan = data.transactions[0].clone();
    orphan.account_id = Some("no-such-account".into());
    orphan.opportunity_id = None;
    orphan.owner_id = None;
    orphan.product_id = None;
    let mut tx = store.begin().await.unwrap();
    // Deferred constraints: the insert is accepted, the commit is not.
    let written = store.upsert(&mut tx, Kind::Transactions, &[orphan.to_values()]).await;
    let committed = match written {
        Ok(_) => tx.commit().await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    assert!(committed.is_err(), "a transaction for an unknown account must not be stored");
    assert_eq!(store.count(Kind::Transactions).await.unwrap(), 0);
}

async fn large_batches_are_split_and_all_written(store: Store, _b: Db) {
    let data = fixture();
    store.save_dataset(&data).await.unwrap();
    let template = data.transactions[0].clone();
    let rows: Vec<Vec<Value>> = (0..2500)
        .map(|i| Transaction { id: format!("bulk-{i:05}"), ..template.clone() }.to_values())
        .collect();
    let mut tx = store.begin().await.unwrap();
    let count = store.upsert(&mut tx, Kind::Transactions, &rows).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count.inserted, 2500);
    assert_eq!(store.count(Kind::Transactions).await.unwrap(), 2502);
}

on_both!(
    a_dataset_round_trips_exactly,
    upserts_are_idempotent_and_count_what_changed,
    insert_new_rows_leave_stored_keys_alone,
    a_rolled_back_transaction_leaves_nothing,
    the_database_refuses_dangling_references,
    large_batches_are_split_and_all_written,
);
