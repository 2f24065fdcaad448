//! Who sees which records: a rep only themselves, a manager their team while it is theirs
//! (effective-dated), the whole-company roles everything. Out of scope looks exactly like
//! missing. Expectations are computed here from the raw dataset, independently of the app's
//! scope code.

use std::collections::BTreeSet;

use attain_app::access::users::NewUser;
use attain_app::{Actor, Role};
use attain_core::{Dataset, Date, Kind};
use attain_testkit::Db;
use serde_json::Value;

use crate::client::Api;
use crate::on_both;
use crate::support::TestApp;

/// A span of days `[from, to)`, `to = None` open-ended.
type Span = (Date, Option<Date>);

pub(crate) fn ids(rows: &[Value]) -> BTreeSet<String> {
    rows.iter().map(|r| r["id"].as_str().expect("an id").to_string()).collect()
}

/// Every record of a list (all pages of 500).
pub(crate) async fn all(api: &Api, path: &str) -> Vec<Value> {
    let join = if path.contains('?') { '&' } else { '?' };
    let mut rows = Vec::new();
    for page in 1.. {
        let reply = api.get(&format!("{path}{join}per_page=500&page={page}")).await;
        reply.expect(200);
        let data = reply.data();
        let total = reply.total();
        rows.extend(data);
        if rows.len() as u64 >= total {
            break;
        }
    }
    rows
}

/// The person who owns a transaction: its own owner, else its opportunity's.
fn transaction_owner<'a>(data: &'a Dataset, t: &'a attain_core::domain::Transaction) -> Option<&'a str> {
    t.owner_id.as_deref().or_else(|| {
        let opportunity = t.opportunity_id.as_deref()?;
        data.opportunities.iter().find(|o| o.id == opportunity).map(|o| o.owner_id.as_str())
    })
}

on_both!(rep_sees_only_themselves_and_company_roles_see_all);

async fn rep_sees_only_themselves_and_company_roles_see_all(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    // Everything as stored: the read model keeps its transactions as columns, not in `data`.
    let data = &app.app.store().dataset().await.expect("the stored dataset");
    let rep_id = app.person_of(Role::Rep);
    let rep = Api::as_role(&app, Role::Rep).await;

    // Out of scope answers exactly like missing: same status, same body.
    let missing = rep.get("/api/v1/people/no-such-person").await;
    missing.expect_error(404, "not_found", None);
    let other_person = data.people.iter().find(|p| p.id != rep_id).expect("another person");
    let other_opportunity =
        data.opportunities.iter().find(|o| o.owner_id != rep_id).expect("a deal of another");
    let other_transaction = data
        .transactions
        .iter()
        .find(|t| transaction_owner(data, t).is_some_and(|o| o != rep_id))
        .expect("a transaction of another");
    for path in [
        format!("/api/v1/people/{}", other_person.id),
        format!("/api/v1/opportunities/{}", other_opportunity.id),
        format!("/api/v1/transactions/{}", other_transaction.id),
    ] {
        let reply = rep.get(&path).await;
        assert_eq!((reply.status, &reply.text), (404, &missing.text), "{path} must look missing to the rep");
    }
    let missing_deal = rep.get("/api/v1/opportunities/opp-none").await;
    assert_eq!(missing_deal.text, missing.text, "one body for every kind of missing");

    // Their own records are there.
    let own_opportunity =
        data.opportunities.iter().find(|o| o.owner_id == rep_id).expect("the rep has deals");
    let own_transaction = data
        .transactions
        .iter()
        .find(|t| transaction_owner(data, t) == Some(rep_id.as_str()))
        .expect("own sale");
    for path in [
        format!("/api/v1/people/{rep_id}"),
        format!("/api/v1/opportunities/{}", own_opportunity.id),
        format!("/api/v1/transactions/{}", own_transaction.id),
    ] {
        rep.get(&path).await.expect(200);
    }

    // Lists hold only what is theirs, and all of it.
    let people = all(&rep, "/api/v1/people").await;
    assert_eq!(ids(&people), BTreeSet::from([rep_id.clone()]), "a rep's people list is themselves");
    let deals = all(&rep, "/api/v1/opportunities").await;
    assert!(deals.iter().all(|d| d["owner_id"] == rep_id.as_str()), "every listed deal is the rep's own");
    let expected: BTreeSet<String> =
        data.opportunities.iter().filter(|o| o.owner_id == rep_id).map(|o| o.id.clone()).collect();
    assert_eq!(ids(&deals), expected, "the rep lists every deal they own");
    let sales = all(&rep, "/api/v1/transactions").await;
    let expected: BTreeSet<String> = data
        .transactions
        .iter()
        .filter(|t| transaction_owner(data, t) == Some(rep_id.as_str()))
        .map(|t| t.id.clone())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(ids(&sales), expected, "the rep lists exactly their own transactions");
    let stages = rep.get("/api/v1/stage_history?per_page=1").await;
    let own_deals: BTreeSet<&str> =
        data.opportunities.iter().filter(|o| o.owner_id == rep_id).map(|o| o.id.as_str()).collect();
    let expected =
        data.stage_history.iter().filter(|s| own_deals.contains(s.opportunity_id.as_str())).count();
    assert_eq!(stages.total(), expected as u64, "stage history follows the deals the rep may see");
    // Catalogues are shared.
    assert_eq!(rep.get("/api/v1/products").await.total(), data.products.len() as u64);

    // Executives and finance see the whole company: every kind's total is the full count.
    for role in [Role::Executive, Role::Finance] {
        let api = Api::as_role(&app, role).await;
        for kind in Kind::ALL {
            let reply = api.get(&format!("/api/v1/{}?per_page=1", kind.name())).await;
            assert_eq!(reply.total(), data.len(kind) as u64, "{role} sees every row of {kind}");
        }
        api.get(&format!("/api/v1/people/{}", other_person.id)).await.expect(200);
        api.get(&format!("/api/v1/transactions/{}", other_transaction.id)).await.expect(200);
    }
}

/// The spans during which `person` sat in a position reporting directly to a position held
/// by `manager`: the overlap of the person's assignment, that position version and the
/// manager's own assignment.
fn spans_under(data: &Dataset, manager: &str, person: &str) -> Vec<Span> {
    let intersect = |a: Span, b: Span| -> Option<Span> {
        let from = a.0.max(b.0);
        let to = match (a.1, b.1) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, None) => x,
            (None, y) => y,
        };
        to.is_none_or(|to| from < to).then_some((from, to))
    };
    let mut spans = Vec::new();
    for own in data.assignments.iter().filter(|a| a.person_id == manager) {
        for seat in data.assignments.iter().filter(|a| a.person_id == person) {
            for version in data.positions.iter().filter(|p| {
                p.id == seat.position_id && p.reports_to.as_deref() == Some(own.position_id.as_str())
            }) {
                let span =
                    intersect((own.validity.from, own.validity.to), (seat.validity.from, seat.validity.to))
                        .and_then(|s| intersect(s, (version.validity.from, version.validity.to)));
                spans.extend(span);
            }
        }
    }
    spans
}

/// Whether a deal was alive (from creation to its close day, inclusive) during `span`.
fn alive_during(o: &attain_core::domain::Opportunity, span: &Span) -> bool {
    let first = o.created_on.map_or(span.0, |c| c.max(span.0));
    span.1.is_none_or(|to| first < to) && o.closed_on.is_none_or(|closed| first <= closed)
}

/// The manager who heads the position `position_id` reports to, on `day`.
fn manager_of(data: &Dataset, position_id: &str, day: Date) -> Option<String> {
    let version = data.positions.iter().find(|p| p.id == position_id && p.validity.contains(day))?;
    let parent = version.reports_to.as_deref()?;
    data.assignments
        .iter()
        .find(|a| a.position_id == parent && a.validity.contains(day))
        .map(|a| a.person_id.clone())
}

/// A manager user (with a token) for `person`.
async fn manager_api(app: &TestApp, person: &str) -> Api {
    let login = format!("mgr-{person}");
    let password = "a manager's long password";
    let new = NewUser {
        login: login.clone(),
        display_name: format!("Manager {person}"),
        role: Role::Manager,
        person_id: Some(person.to_string()),
        password: password.into(),
    };
    app.app.add_user(&Actor::system(), new).await.expect("a manager user");
    let signed_in = app.app.sign_in(&login, password, None).await.expect("signs in");
    Api::bearer(app, &app.app.create_token(&signed_in.actor, "scope test").await.expect("a token").secret)
}

on_both!(managers_see_their_team_while_it_is_theirs);

async fn managers_see_their_team_while_it_is_theirs(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    // Everything as stored: the read model keeps its transactions as columns, not in `data`.
    let data = &app.app.store().dataset().await.expect("the stored dataset");
    let manager_id = app.person_of(Role::Manager);
    let manager = Api::as_role(&app, Role::Manager).await;

    // The team: the manager and everyone who reported to them on some day.
    let team: BTreeSet<String> = data
        .people
        .iter()
        .filter(|p| p.id == manager_id || !spans_under(data, &manager_id, &p.id).is_empty())
        .map(|p| p.id.clone())
        .collect();
    assert!(team.len() > 2, "the demo manager has a team: {team:?}");
    assert_eq!(ids(&all(&manager, "/api/v1/people").await), team, "a manager's people are their team");
    let outsider = data
        .people
        .iter()
        .find(|p| {
            !team.contains(&p.id)
                && data.assignments.iter().any(|a| {
                    a.person_id == p.id
                        && data
                            .positions
                            .iter()
                            .any(|v| v.id == a.position_id && v.role == attain_core::domain::Role::Rep)
                })
        })
        .expect("a rep of another region");
    manager.get(&format!("/api/v1/people/{}", outsider.id)).await.expect_error(404, "not_found", None);
    let outsiders_deal = data.opportunities.iter().find(|o| o.owner_id == outsider.id).expect("a deal");
    manager.get(&format!("/api/v1/opportunities/{}", outsiders_deal.id)).await.expect(404);

    // The mid-quarter move: a rep with seats under two different managers.
    let (mover, first_seat, second_seat) = data
        .people
        .iter()
        .find_map(|p| {
            let mut seats: Vec<_> = data.assignments.iter().filter(|a| a.person_id == p.id).collect();
            seats.sort_by_key(|a| a.validity.from);
            let managers: Vec<Option<String>> =
                seats.iter().map(|a| manager_of(data, &a.position_id, a.validity.from)).collect();
            (seats.len() == 2 && managers[0].is_some() && managers[1].is_some() && managers[0] != managers[1])
                .then(|| (p.id.clone(), seats[0].clone(), seats[1].clone()))
        })
        .expect("the demo has a rep who moved between managers");
    let before = manager_of(data, &first_seat.position_id, first_seat.validity.from).unwrap();
    let after = manager_of(data, &second_seat.position_id, second_seat.validity.from).unwrap();
    let all_deals: BTreeSet<String> =
        data.opportunities.iter().filter(|o| o.owner_id == mover).map(|o| o.id.clone()).collect();
    let mut seen_by = Vec::new();
    for (boss, own_seat, other_seat) in
        [(&before, &first_seat, &second_seat), (&after, &second_seat, &first_seat)]
    {
        let api = manager_api(&app, boss).await;
        let spans = spans_under(data, boss, &mover);
        assert!(!spans.is_empty());
        let expected: BTreeSet<String> = data
            .opportunities
            .iter()
            .filter(|o| o.owner_id == mover && spans.iter().any(|s| alive_during(o, s)))
            .map(|o| o.id.clone())
            .collect();
        let got = ids(&all(&api, &format!("/api/v1/opportunities?owner_id={mover}")).await);
        assert_eq!(
            got, expected,
            "manager {boss} sees {mover}'s deals alive while {mover} was on their team ({spans:?})"
        );
        assert!(!expected.is_empty(), "{boss} sees some of {mover}'s deals");
        assert!(expected.len() < all_deals.len(), "{boss} does not see the deals from {mover}'s other team");
        api.get(&format!("/api/v1/people/{mover}")).await.expect(200);
        api.get(&format!("/api/v1/assignments/{}", own_seat.id)).await.expect(200);
        api.get(&format!("/api/v1/assignments/{}", other_seat.id)).await.expect(404);
        let hidden = all_deals.difference(&expected).next().expect("a deal of the other team");
        api.get(&format!("/api/v1/opportunities/{hidden}")).await.expect(404);
        seen_by.push(expected);
    }
    // Between them, the two managers see every deal of the mover.
    let union: BTreeSet<String> = seen_by[0].union(&seen_by[1]).cloned().collect();
    assert_eq!(union, all_deals);
}
