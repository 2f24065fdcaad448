//! Who sees what, on a small hand-written company (no database): managers see their subtree
//! while people are in it, reps see themselves, the whole-company roles see everything.
//!
//! The company: Vera (VP) has two managers, Alice and Bruno. Alice has Raj and Sam; Bruno has
//! Tina, and Raj from 2017-07-01 on (`MOVE_DAY`). Fiona is outside Vera's org altogether.

use std::collections::BTreeSet;

use attain_app::snapshot::Snapshot;
use attain_app::{Actor, Role};
use attain_core::domain::{
    Account, AccountTerritory, Activity, ActivityKind, Assignment, BuyingRole, Company, Contact, DealStatus,
    Opportunity, Person, Position, Product, Role as PositionRole, StageChange, Territory, TerritoryOwner,
    Transaction, TransactionKind,
};
use attain_core::{Currency, Dataset, Date, FiscalCalendar, FiscalYearNaming, FxRate, Kind, Money, Validity};
use jiff::civil::date;
use rust_decimal::Decimal;

/// The day Raj moves from Alice's team to Bruno's.
pub(crate) const MOVE_DAY: Date = date(2017, 7, 1);
const START: Date = date(2016, 1, 1);

/// How Raj changes teams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Move {
    /// He is assigned to another position, under Bruno.
    NewPosition,
    /// His position is moved under Bruno (a new version of the position).
    Reorg,
}

fn person(id: &str, name: &str) -> Person {
    Person {
        id: id.into(),
        name: name.into(),
        email: None,
        hire_date: START,
        termination_date: None,
        pay_currency: None,
    }
}

fn position(id: &str, role: PositionRole, reports_to: Option<&str>, validity: Validity) -> Position {
    Position {
        id: id.into(),
        validity,
        title: id.into(),
        role,
        team: None,
        region: None,
        reports_to: reports_to.map(str::to_string),
    }
}

fn assignment(id: &str, person: &str, position: &str, validity: Validity) -> Assignment {
    Assignment { id: id.into(), person_id: person.into(), position_id: position.into(), validity }
}

fn account(id: &str, territory: Option<&str>, owner: Option<&str>) -> Account {
    Account {
        id: id.into(),
        name: format!("Account {id}"),
        industry: None,
        country: None,
        region: None,
        size: None,
        revenue_currency: None,
        annual_revenue: None,
        employees: None,
        parent_id: None,
        territory_id: territory.map(str::to_string),
        owner_id: owner.map(str::to_string),
    }
}

fn usd(amount: &str) -> Money {
    Money::parse(amount, Currency::USD).unwrap()
}

fn opportunity(
    id: &str,
    owner: &str,
    account: Option<&str>,
    created: Date,
    closed: Option<Date>,
) -> Opportunity {
    Opportunity {
        id: id.into(),
        name: Some(format!("Deal {id}")),
        account_id: account.map(str::to_string),
        owner_id: owner.into(),
        product_id: None,
        currency: Currency::USD,
        amount: Some(usd("1000")),
        stage: if closed.is_some() { "Closed Won" } else { "Prospecting" }.into(),
        status: if closed.is_some() { DealStatus::Won } else { DealStatus::Open },
        probability: None,
        expected_close: None,
        deal_type: None,
        channel: None,
        created_on: Some(created),
        closed_on: closed,
        close_reason: None,
    }
}

fn activity(id: &str, owner: &str, at: &str) -> Activity {
    Activity {
        id: id.into(),
        kind: ActivityKind::Call,
        owner_id: owner.into(),
        account_id: None,
        opportunity_id: None,
        contact_id: None,
        occurred_at: at.parse().unwrap(),
        subject: None,
        outcome: None,
    }
}

fn transaction(id: &str, day: Date, owner: Option<&str>, opportunity: Option<&str>) -> Transaction {
    Transaction {
        id: id.into(),
        date: day,
        kind: TransactionKind::Booking,
        account_id: None,
        product_id: None,
        quantity: None,
        currency: Currency::USD,
        amount: usd("500"),
        cost: None,
        opportunity_id: opportunity.map(str::to_string),
        original_id: None,
        owner_id: owner.map(str::to_string),
    }
}

fn contact(id: &str, account: &str) -> Contact {
    Contact {
        id: id.into(),
        account_id: account.into(),
        name: format!("Contact {id}"),
        title: None,
        email: None,
        phone: None,
        buying_role: BuyingRole::Champion,
    }
}

/// The company described at the top of this file, sorted, valid for the store.
pub(crate) fn org(how: Move) -> Dataset {
    let ever = Validity::open_from(START);
    let before_move = Validity::new(START, Some(MOVE_DAY)).unwrap();
    let after_move = Validity::open_from(MOVE_DAY);
    let mut d = Dataset::default();
    d.company.push(Company {
        id: Company::ID.into(),
        name: "Scope Test Inc".into(),
        base_currency: Currency::USD,
        calendar: FiscalCalendar::new(1, FiscalYearNaming::EndYear).unwrap(),
        time_zone: "UTC".into(),
    });
    for (id, name) in [
        ("vera", "Vera VP"),
        ("alice", "Alice Manager"),
        ("bruno", "Bruno Manager"),
        ("raj", "Raj Rep"),
        ("sam", "Sam Rep"),
        ("tina", "Tina Rep"),
        ("fiona", "Fiona Ops"),
    ] {
        d.people.push(person(id, name));
    }
    d.positions.extend([
        position("pos-vp", PositionRole::Executive, None, ever),
        position("pos-ma", PositionRole::Manager, Some("pos-vp"), ever),
        position("pos-mb", PositionRole::Manager, Some("pos-vp"), ever),
        position("pos-s", PositionRole::Rep, Some("pos-ma"), ever),
        position("pos-t", PositionRole::Rep, Some("pos-mb"), ever),
        position("pos-ops", PositionRole::Other, None, ever),
    ]);
    d.assignments.extend([
        assignment("as-vera", "vera", "pos-vp", ever),
        assignment("as-alice", "alice", "pos-ma", ever),
        assignment("as-bruno", "bruno", "pos-mb", ever),
        assignment("as-sam", "sam", "pos-s", ever),
        assignment("as-tina", "tina", "pos-t", ever),
        assignment("as-fiona", "fiona", "pos-ops", ever),
    ]);
    match how {
        Move::NewPosition => {
            d.positions.push(position("pos-r1", PositionRole::Rep, Some("pos-ma"), ever));
            d.positions.push(position("pos-r2", PositionRole::Rep, Some("pos-mb"), ever));
            d.assignments.push(assignment("as-raj-1", "raj", "pos-r1", before_move));
            d.assignments.push(assignment("as-raj-2", "raj", "pos-r2", after_move));
        }
        Move::Reorg => {
            d.positions.push(position("pos-r1", PositionRole::Rep, Some("pos-ma"), before_move));
            d.positions.push(position("pos-r1", PositionRole::Rep, Some("pos-mb"), after_move));
            d.assignments.push(assignment("as-raj-1", "raj", "pos-r1", ever));
        }
    }
    d.territories.extend([
        Territory { id: "t-a".into(), name: "Alice's".into(), parent_id: None, region: None },
        Territory { id: "t-b".into(), name: "Bruno's".into(), parent_id: None, region: None },
        Territory { id: "t-ops".into(), name: "Ops".into(), parent_id: None, region: None },
    ]);
    d.territory_owners.extend([
        TerritoryOwner {
            id: "to-a".into(),
            territory_id: "t-a".into(),
            position_id: "pos-ma".into(),
            validity: ever,
        },
        TerritoryOwner {
            id: "to-b".into(),
            territory_id: "t-b".into(),
            position_id: "pos-mb".into(),
            validity: ever,
        },
        TerritoryOwner {
            id: "to-ops".into(),
            territory_id: "t-ops".into(),
            position_id: "pos-ops".into(),
            validity: ever,
        },
    ]);
    d.products.push(Product {
        id: "widget".into(),
        name: "Widget".into(),
        family: None,
        currency: Currency::USD,
        list_price: Some(usd("100")),
        unit_cost: None,
    });
    d.accounts.extend([
        account("acc-a-terr", Some("t-a"), None),
        account("acc-raj-owned", None, Some("raj")),
        account("acc-via-opp", None, None),
        account("acc-ops", Some("t-ops"), Some("fiona")),
    ]);
    d.contacts.extend([
        contact("c-a", "acc-a-terr"),
        contact("c-opp", "acc-via-opp"),
        contact("c-ops", "acc-ops"),
    ]);
    d.opportunities.extend([
        opportunity("o-raj-early", "raj", Some("acc-raj-owned"), date(2017, 2, 1), Some(date(2017, 3, 1))),
        opportunity("o-raj-late", "raj", None, date(2017, 8, 1), None),
        opportunity("o-sam", "sam", None, date(2017, 1, 10), None),
        opportunity("o-tina", "tina", Some("acc-via-opp"), date(2017, 1, 1), None),
    ]);
    for (opp, stage, day) in
        [("o-raj-early", "Prospecting", date(2017, 2, 1)), ("o-tina", "Prospecting", date(2017, 1, 1))]
    {
        d.stage_history.push(StageChange {
            id: StageChange::derived_id(opp, stage, day),
            opportunity_id: opp.into(),
            stage: stage.into(),
            entered_on: day,
        });
    }
    d.activities.extend([
        // The last hour before the move and the first after it (dates are UTC).
        activity("act-raj-early", "raj", "2017-06-30T23:30:00Z"),
        activity("act-raj-late", "raj", "2017-07-01T00:30:00Z"),
        activity("act-sam", "sam", "2017-03-01T10:00:00Z"),
    ]);
    d.transactions.extend([
        transaction("tx-raj-early", date(2017, 6, 30), Some("raj"), None),
        transaction("tx-raj-late", MOVE_DAY, Some("raj"), None),
        // No owner of its own: it belongs to whoever owns its opportunity.
        transaction("tx-via-opp", date(2017, 5, 1), None, Some("o-tina")),
        transaction("tx-fiona", date(2017, 5, 1), Some("fiona"), None),
    ]);
    d.fx_rates.push(FxRate {
        id: "usd-eur".into(),
        from_currency: Currency::USD,
        to_currency: Currency::EUR,
        rate: Decimal::new(9, 1),
        validity: ever,
    });
    d.sort();
    d
}

/// An actor with `role` who is `person`.
pub(crate) fn as_person(role: Role, person: Option<&str>) -> Actor {
    Actor { role, person_id: person.map(str::to_string), ..Actor::system() }
}

/// The ids of the records of `kind` that `actor` sees.
pub(crate) fn seen(snapshot: &Snapshot, actor: &Actor, kind: Kind) -> BTreeSet<String> {
    let visible = snapshot.visible_to(actor);
    let id = kind.spec().index_of("id").expect("every kind has an id");
    (0..snapshot.count(kind))
        .filter(|i| visible.row(kind, *i))
        .map(|i| snapshot.values(kind, i)[id].as_text().expect("ids are text").to_string())
        .collect()
}

/// Every id of `kind`.
fn all(snapshot: &Snapshot, kind: Kind) -> BTreeSet<String> {
    seen(snapshot, &Actor::system(), kind)
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// Asserts what `actor` sees of each kind listed.
fn assert_sees(snapshot: &Snapshot, who: &str, actor: &Actor, expected: &[(Kind, &[&str])]) {
    for (kind, ids) in expected {
        assert_eq!(seen(snapshot, actor, *kind), set(ids), "{who}: {kind}");
    }
}

const SHARED: [Kind; 3] = [Kind::Company, Kind::Products, Kind::FxRates];

#[test]
fn a_manager_sees_a_moved_rep_only_for_the_months_he_was_theirs() {
    for how in [Move::NewPosition, Move::Reorg] {
        let snapshot = Snapshot::new(org(how));
        let alice = as_person(Role::Manager, Some("alice"));
        let bruno = as_person(Role::Manager, Some("bruno"));
        let who = |name: &str| format!("{name} ({how:?})");
        assert_sees(
            &snapshot,
            &who("alice"),
            &alice,
            &[
                (Kind::People, &["alice", "raj", "sam"]),
                (Kind::Opportunities, &["o-raj-early", "o-sam"]),
                (Kind::Activities, &["act-raj-early", "act-sam"]),
                (Kind::Transactions, &["tx-raj-early"]),
                (Kind::Territories, &["t-a"]),
                (Kind::TerritoryOwners, &["to-a"]),
                (Kind::Accounts, &["acc-a-terr", "acc-raj-owned"]),
                (Kind::Contacts, &["c-a"]),
            ],
        );
        assert_sees(
            &snapshot,
            &who("bruno"),
            &bruno,
            &[
                (Kind::People, &["bruno", "raj", "tina"]),
                (Kind::Opportunities, &["o-raj-late", "o-tina"]),
                (Kind::Activities, &["act-raj-late"]),
                (Kind::Transactions, &["tx-raj-late", "tx-via-opp"]),
                (Kind::Territories, &["t-b"]),
                (Kind::TerritoryOwners, &["to-b"]),
                (Kind::Accounts, &["acc-raj-owned", "acc-via-opp"]),
                (Kind::Contacts, &["c-opp"]),
            ],
        );
        // A stage change follows its opportunity.
        let stages_of = |actor: &Actor| {
            let visible = snapshot.visible_to(actor);
            snapshot
                .data
                .stage_history
                .iter()
                .enumerate()
                .filter(|(i, _)| visible.row(Kind::StageHistory, *i))
                .map(|(_, s)| s.opportunity_id.clone())
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(stages_of(&alice), set(&["o-raj-early"]), "{how:?}");
        assert_eq!(stages_of(&bruno), set(&["o-tina"]), "{how:?}");
    }
}

#[test]
fn a_manager_sees_the_positions_and_assignments_of_their_team() {
    let snapshot = Snapshot::new(org(Move::NewPosition));
    let alice = as_person(Role::Manager, Some("alice"));
    let bruno = as_person(Role::Manager, Some("bruno"));
    assert_sees(
        &snapshot,
        "alice",
        &alice,
        &[
            (Kind::Positions, &["pos-ma", "pos-r1", "pos-s"]),
            (Kind::Assignments, &["as-alice", "as-raj-1", "as-sam"]),
        ],
    );
    assert_sees(
        &snapshot,
        "bruno",
        &bruno,
        &[
            (Kind::Positions, &["pos-mb", "pos-r2", "pos-t"]),
            (Kind::Assignments, &["as-bruno", "as-raj-2", "as-tina"]),
        ],
    );
}

#[test]
fn the_managers_manager_sees_everything_below_them_and_nothing_beside() {
    for how in [Move::NewPosition, Move::Reorg] {
        let snapshot = Snapshot::new(org(how));
        let vera = as_person(Role::Manager, Some("vera"));
        let who = format!("vera ({how:?})");
        assert_sees(
            &snapshot,
            &who,
            &vera,
            &[
                (Kind::People, &["alice", "bruno", "raj", "sam", "tina", "vera"]),
                (Kind::Opportunities, &["o-raj-early", "o-raj-late", "o-sam", "o-tina"]),
                (Kind::Activities, &["act-raj-early", "act-raj-late", "act-sam"]),
                (Kind::Transactions, &["tx-raj-early", "tx-raj-late", "tx-via-opp"]),
                (Kind::Territories, &["t-a", "t-b"]),
                (Kind::Accounts, &["acc-a-terr", "acc-raj-owned", "acc-via-opp"]),
                (Kind::Contacts, &["c-a", "c-opp"]),
            ],
        );
        let all_but_ops: BTreeSet<String> =
            all(&snapshot, Kind::Positions).into_iter().filter(|p| p != "pos-ops").collect();
        assert_eq!(seen(&snapshot, &vera, Kind::Positions), all_but_ops, "{who}");
    }
}

#[test]
fn a_rep_sees_only_themselves() {
    let snapshot = Snapshot::new(org(Move::NewPosition));
    let raj = as_person(Role::Rep, Some("raj"));
    assert_sees(
        &snapshot,
        "raj",
        &raj,
        &[
            (Kind::People, &["raj"]),
            (Kind::Positions, &["pos-r1", "pos-r2"]),
            (Kind::Assignments, &["as-raj-1", "as-raj-2"]),
            (Kind::Opportunities, &["o-raj-early", "o-raj-late"]),
            (Kind::Activities, &["act-raj-early", "act-raj-late"]),
            (Kind::Transactions, &["tx-raj-early", "tx-raj-late"]),
            (Kind::Territories, &[]),
            (Kind::TerritoryOwners, &[]),
            (Kind::Accounts, &["acc-raj-owned"]),
            (Kind::Contacts, &[]),
        ],
    );
    // Stage history ids are derived; check by opportunity instead.
    let visible = snapshot.visible_to(&raj);
    let stages: Vec<&str> = snapshot
        .data
        .stage_history
        .iter()
        .enumerate()
        .filter(|(i, _)| visible.row(Kind::StageHistory, *i))
        .map(|(_, s)| s.opportunity_id.as_str())
        .collect();
    assert_eq!(stages, ["o-raj-early"]);

    // A rep whose position owns a territory sees it, its accounts and their contacts.
    let fiona = as_person(Role::Rep, Some("fiona"));
    assert_sees(
        &snapshot,
        "fiona",
        &fiona,
        &[
            (Kind::People, &["fiona"]),
            (Kind::Territories, &["t-ops"]),
            (Kind::Accounts, &["acc-ops"]),
            (Kind::Contacts, &["c-ops"]),
            (Kind::Transactions, &["tx-fiona"]),
            (Kind::Opportunities, &[]),
        ],
    );
}

#[test]
fn a_manager_role_applies_to_the_person_not_the_title() {
    // Sam is a rep by position; signed in as a manager he still only has himself below him.
    let snapshot = Snapshot::new(org(Move::NewPosition));
    let sam = as_person(Role::Manager, Some("sam"));
    assert_sees(&snapshot, "sam", &sam, &[(Kind::People, &["sam"]), (Kind::Opportunities, &["o-sam"])]);
}

#[test]
fn shared_catalogues_are_visible_to_everyone() {
    let snapshot = Snapshot::new(org(Move::NewPosition));
    let actors = [
        as_person(Role::Rep, Some("raj")),
        as_person(Role::Manager, Some("alice")),
        as_person(Role::Manager, None),
        as_person(Role::Rep, Some("no-such-person")),
    ];
    for actor in &actors {
        for kind in SHARED {
            assert_eq!(seen(&snapshot, actor, kind), all(&snapshot, kind), "{actor:?}: {kind}");
            assert!(!all(&snapshot, kind).is_empty(), "the fixture has {kind}");
        }
    }
}

#[test]
fn a_manager_or_rep_without_a_known_person_sees_only_the_catalogues() {
    let snapshot = Snapshot::new(org(Move::NewPosition));
    for actor in [
        as_person(Role::Manager, None),
        as_person(Role::Rep, None),
        as_person(Role::Manager, Some("no-such-person")),
    ] {
        for kind in Kind::ALL.into_iter().filter(|k| !SHARED.contains(k)) {
            assert!(seen(&snapshot, &actor, kind).is_empty(), "{actor:?} sees {kind}");
        }
    }
}

#[test]
fn whole_company_roles_see_everything() {
    let snapshot = Snapshot::new(org(Move::NewPosition));
    for role in [Role::Admin, Role::CompAdmin, Role::Finance, Role::Executive] {
        // Even when linked to a person, these roles are not bounded by the org.
        for person in [None, Some("sam")] {
            let actor = as_person(role, person);
            assert!(snapshot.visible_to(&actor).is_all(), "{role} ({person:?})");
            for kind in Kind::ALL {
                assert_eq!(seen(&snapshot, &actor, kind), all(&snapshot, kind), "{role}: {kind}");
            }
        }
    }
    let raj = as_person(Role::Rep, Some("raj"));
    assert!(!snapshot.visible_to(&raj).is_all());
    assert!(seen(&snapshot, &raj, Kind::People).len() < all(&snapshot, Kind::People).len());
}

#[test]
fn views_are_cached_per_person_not_shared_between_people() {
    let snapshot = Snapshot::new(org(Move::NewPosition));
    let alice = as_person(Role::Manager, Some("alice"));
    let bruno = as_person(Role::Manager, Some("bruno"));
    let first = seen(&snapshot, &alice, Kind::People);
    assert_ne!(seen(&snapshot, &bruno, Kind::People), first);
    assert_eq!(seen(&snapshot, &alice, Kind::People), first, "asked again");
    // The same person as a rep sees less than as a manager.
    let alice_as_rep = as_person(Role::Rep, Some("alice"));
    assert_eq!(seen(&snapshot, &alice_as_rep, Kind::People), set(&["alice"]));
}

#[test]
fn an_activity_belongs_to_the_day_it_happened_in_the_companys_time_zone() {
    // 2017-06-30T23:30Z is already 1 July in Berlin: on Raj's first day with Bruno.
    let mut data = org(Move::NewPosition);
    data.company[0].time_zone = "Europe/Berlin".into();
    let snapshot = Snapshot::new(data);
    let alice = seen(&snapshot, &as_person(Role::Manager, Some("alice")), Kind::Activities);
    let bruno = seen(&snapshot, &as_person(Role::Manager, Some("bruno")), Kind::Activities);
    assert!(!alice.contains("act-raj-early"), "alice: {alice:?}");
    assert!(bruno.contains("act-raj-early") && bruno.contains("act-raj-late"), "bruno: {bruno:?}");
}

#[test]
fn a_territory_reached_brings_everything_below_it() {
    // A district under Alice's territory that no seat owns, a patch under it with an account,
    // and the rules and dated rows that put the account there.
    let mut d = org(Move::NewPosition);
    d.territories.extend([
        Territory {
            id: "t-a-north".into(),
            name: "North".into(),
            parent_id: Some("t-a".into()),
            region: None,
        },
        Territory {
            id: "t-a-north-1".into(),
            name: "North 1".into(),
            parent_id: Some("t-a-north".into()),
            region: None,
        },
    ]);
    d.accounts.push(account("acc-north", None, None));
    d.account_territories.push(AccountTerritory {
        id: "at-north".into(),
        account_id: "acc-north".into(),
        territory_id: "t-a-north-1".into(),
        validity: Validity::open_from(date(2017, 1, 1)),
        rule_id: None,
        assigned_by: None,
    });
    let snapshot = Snapshot::new(d);
    let alice = as_person(Role::Manager, Some("alice"));
    let bruno = as_person(Role::Manager, Some("bruno"));
    let sees =
        |actor: &Actor, kind: Kind| -> Vec<String> { seen(&snapshot, actor, kind).into_iter().collect() };
    let alices = sees(&alice, Kind::Territories);
    assert!(
        alices.contains(&"t-a-north".to_string()) && alices.contains(&"t-a-north-1".to_string()),
        "{alices:?}"
    );
    assert!(sees(&alice, Kind::Accounts).contains(&"acc-north".to_string()), "placed by a dated row");
    assert_eq!(sees(&alice, Kind::AccountTerritories), ["at-north"]);
    assert!(!sees(&bruno, Kind::Territories).iter().any(|t| t.starts_with("t-a")), "not Bruno's");
    assert!(!sees(&bruno, Kind::Accounts).contains(&"acc-north".to_string()));
}
