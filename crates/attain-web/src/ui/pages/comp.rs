//! Compensation inputs: an overview, and lists and pages of quotas, plan assignments, credit
//! splits and adjustments. Scope is the app's (a rep sees their own seat and themselves, a
//! manager their team's); names of records outside it are not shown, only their ids.

use attain_core::Money;
use attain_core::domain::{CreditRole, holder_of, position_on};

use super::*;

const QUOTAS: &str = "/compensation/quotas";
const PLANS: &str = "/compensation/plan-assignments";
const SPLITS: &str = "/compensation/credit-splits";
const ADJUSTMENTS: &str = "/compensation/adjustments";

/// The lists of the section, in menu order.
const LISTS: [(&str, &str, Kind); 4] = [
    ("Quotas", QUOTAS, Kind::Quotas),
    ("Plan assignments", PLANS, Kind::PlanAssignments),
    ("Credit splits", SPLITS, Kind::CreditSplits),
    ("Adjustments", ADJUSTMENTS, Kind::Adjustments),
];

/// Links to the section's other lists, shown above each list.
fn siblings(except: &str) -> Vec<(String, String)> {
    LISTS.iter().filter(|l| l.1 != except).map(|&(label, href, _)| (label.into(), href.into())).collect()
}

#[derive(Template)]
#[template(path = "compensation.html")]
struct OverviewPage {
    chrome: Chrome,
    tiles: Vec<Tile>,
}

pub(crate) async fn compensation(State(state): State<AppState>, viewer: Viewer) -> Response {
    let snapshot = state.app.snapshot();
    let visible = snapshot.visible_to(&viewer.actor);
    let tiles = LISTS
        .iter()
        .map(|&(label, href, kind)| Tile {
            label,
            href,
            count: group((0..snapshot.data.len(kind)).filter(|&i| visible.row(kind, i)).count()),
        })
        .collect();
    let page = OverviewPage {
        chrome: Chrome::signed_in("Compensation", &viewer.actor, &viewer.csrf, "/compensation"),
        tiles,
    };
    render(&page)
}

/// A position as its title on `day` and its id.
fn position_text(s: &Snapshot, id: &str, day: attain_core::Date) -> String {
    match position_on(&s.data.positions, id, day) {
        Some(p) => format!("{} ({id})", p.title),
        None => id.to_string(),
    }
}

fn quota_amount(q: &attain_core::domain::Quota) -> Cell {
    match q.currency.map(|c| Money::new(q.amount, c)) {
        Some(Ok(money)) => Cell::money(Some(money)),
        _ => Cell::number(q.amount.to_string()),
    }
}

/// The distinct values of some text, sorted, as filter options.
fn options<'a>(values: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    let set: std::collections::BTreeSet<&str> = values.collect();
    set.into_iter().map(|v| (v.to_string(), words(v))).collect()
}

pub(crate) async fn quotas(State(state): State<AppState>, viewer: Viewer, query: QueryPairs) -> Response {
    let measures = options(state.app.snapshot().data.quotas.iter().map(|q| q.measure.as_str()));
    let spec = ListSpec {
        kind: Kind::Quotas,
        path: QUOTAS,
        heading: "Quotas",
        columns: &[
            ("Period", Some("period")),
            ("Position", Some("position_id")),
            ("Held by (at start)", None),
            ("Measure", Some("measure")),
            ("Amount", Some("amount")),
        ],
        numeric: &["Amount"],
        filters: vec![FilterSelect::new("measure", "Measure", measures, &query)],
        links: siblings(QUOTAS),
        default_sort: Some("-period"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let q = &s.data.quotas[i];
        let start = s.data.company.first().map(|c| c.calendar).unwrap_or_default().bounds(q.period).from;
        vec![
            Cell::link(q.period.to_string(), format!("{QUOTAS}/{}", q.id)),
            Cell::text(position_text(s, &q.position_id, start)),
            s.person(holder_of(&s.data.assignments, &q.position_id, start)),
            Cell::text(words(&q.measure)),
            quota_amount(q),
        ]
    })
}

pub(crate) async fn quota(State(state): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::Quotas, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let q = &s.data.quotas[i];
    let calendar = s.data.company.first().map(|c| c.calendar).unwrap_or_default();
    let days = calendar.bounds(q.period);
    let last = days.to.and_then(|d| d.yesterday().ok()).map(|d| d.to_string()).unwrap_or_default();
    let facts = vec![
        ("Position".to_string(), Cell::text(position_text(&s, &q.position_id, days.from))),
        (
            "Held by (at start)".to_string(),
            s.person(holder_of(&s.data.assignments, &q.position_id, days.from)),
        ),
        ("Measure".to_string(), Cell::text(words(&q.measure))),
        ("Period".to_string(), Cell::text(format!("{} ({} to {last})", q.period, days.from))),
        ("Amount".to_string(), quota_amount(q)),
    ];
    let mut others = Table::plain(&["Period", "Measure", "Amount"]).numeric(&["Amount"]);
    for o in visible_where(&s, actor, Kind::Quotas, &s.data.quotas, |o| {
        o.position_id == q.position_id && o.id != q.id
    }) {
        let o = &s.data.quotas[o];
        others.rows.push(vec![
            Cell::link(o.period.to_string(), format!("{QUOTAS}/{}", o.id)),
            Cell::text(words(&o.measure)),
            quota_amount(o),
        ]);
    }
    let heading = format!("{} quota, {}", words(&q.measure), q.period);
    let page = DetailPage {
        chrome: Chrome::signed_in(heading.clone(), actor, &viewer.csrf, QUOTAS),
        back: ("Quotas".into(), QUOTAS.into()),
        heading,
        subtitle: q.id.clone(),
        facts,
        sections: vec![Section { heading: "Other quotas of this position".into(), table: others }],
    };
    render(&page)
}

pub(crate) async fn plan_assignments(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let plans = options(state.app.snapshot().data.plan_assignments.iter().map(|a| a.plan_id.as_str()));
    let spec = ListSpec {
        kind: Kind::PlanAssignments,
        path: PLANS,
        heading: "Plan assignments",
        columns: &[
            ("Position", Some("position_id")),
            ("Plan", Some("plan_id")),
            ("From", Some("valid_from")),
            ("To", Some("valid_to")),
        ],
        numeric: &[],
        filters: vec![FilterSelect::new("plan_id", "Plan", plans, &query)],
        links: siblings(PLANS),
        default_sort: Some("position_id"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let a = &s.data.plan_assignments[i];
        vec![
            Cell::link(position_text(s, &a.position_id, a.validity.from), format!("{PLANS}/{}", a.id)),
            Cell::text(a.plan_id.clone()),
            Cell::text(a.validity.from.to_string()),
            Cell::opt(a.validity.to.map(|d| d.to_string())),
        ]
    })
}

pub(crate) async fn plan_assignment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::PlanAssignments, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let a = &s.data.plan_assignments[i];
    let facts = vec![
        ("Position".to_string(), Cell::text(position_text(&s, &a.position_id, a.validity.from))),
        ("Plan".to_string(), Cell::text(a.plan_id.clone())),
        ("From".to_string(), Cell::text(a.validity.from.to_string())),
        ("To (first day after)".to_string(), Cell::opt(a.validity.to.map(|d| d.to_string()))),
    ];
    // Who sat in the seat while the plan applied, as far as the viewer may see them.
    let mut holders = Table::plain(&["Person", "From", "To"]);
    for h in visible_where(&s, actor, Kind::Assignments, &s.data.assignments, |h| {
        h.position_id == a.position_id && h.validity.overlaps(&a.validity)
    }) {
        let h = &s.data.assignments[h];
        holders.rows.push(vec![
            s.person(Some(&h.person_id)),
            Cell::text(h.validity.from.to_string()),
            Cell::opt(h.validity.to.map(|d| d.to_string())),
        ]);
    }
    let heading = format!("Plan {} for {}", a.plan_id, a.position_id);
    let page = DetailPage {
        chrome: Chrome::signed_in(heading.clone(), actor, &viewer.csrf, PLANS),
        back: ("Plan assignments".into(), PLANS.into()),
        heading,
        subtitle: a.id.clone(),
        facts,
        sections: vec![Section { heading: "Held by".into(), table: holders }],
    };
    render(&page)
}

fn role_badge(role: CreditRole) -> Cell {
    let name = role.to_string();
    Cell::badge(words(&name), name)
}

fn percent(p: attain_core::Decimal) -> Cell {
    Cell::number(format!("{}%", p.normalize()))
}

pub(crate) async fn credit_splits(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let spec = ListSpec {
        kind: Kind::CreditSplits,
        path: SPLITS,
        heading: "Credit splits",
        columns: &[
            ("Split", Some("id")),
            ("Opportunity", Some("opportunity_id")),
            ("Person", Some("person_id")),
            ("Role", Some("role")),
            ("Percent", Some("percent")),
        ],
        numeric: &["Percent"],
        filters: vec![
            FilterSelect::new("role", "Role", choice_options::<CreditRole>(), &query),
            FilterSelect::new("person_id", "Person", people_options(&state, &viewer.actor), &query),
        ],
        links: siblings(SPLITS),
        default_sort: Some("-opportunity_id"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let c = &s.data.credit_splits[i];
        vec![
            Cell::link(c.id.clone(), format!("{SPLITS}/{}", c.id)),
            s.opportunity(Some(&c.opportunity_id)),
            s.person(Some(&c.person_id)),
            role_badge(c.role),
            percent(c.percent),
        ]
    })
}

pub(crate) async fn credit_split(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::CreditSplits, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let c = &s.data.credit_splits[i];
    let facts = vec![
        ("Opportunity".to_string(), s.opportunity(Some(&c.opportunity_id))),
        ("Person".to_string(), s.person(Some(&c.person_id))),
        ("Role".to_string(), role_badge(c.role)),
        ("Percent".to_string(), percent(c.percent)),
    ];
    let mut all = Table::plain(&["Person", "Role", "Percent"]).numeric(&["Percent"]);
    for o in visible_where(&s, actor, Kind::CreditSplits, &s.data.credit_splits, |o| {
        o.opportunity_id == c.opportunity_id
    }) {
        let o = &s.data.credit_splits[o];
        all.rows.push(vec![s.person(Some(&o.person_id)), role_badge(o.role), percent(o.percent)]);
    }
    let heading = format!("{} split of {}", words(&c.role.to_string()), c.opportunity_id);
    let page = DetailPage {
        chrome: Chrome::signed_in(heading.clone(), actor, &viewer.csrf, SPLITS),
        back: ("Credit splits".into(), SPLITS.into()),
        heading,
        subtitle: c.id.clone(),
        facts,
        sections: vec![Section { heading: "Splits of this opportunity you can see".into(), table: all }],
    };
    render(&page)
}

pub(crate) async fn adjustments(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let spec = ListSpec {
        kind: Kind::Adjustments,
        path: ADJUSTMENTS,
        heading: "Adjustments",
        columns: &[
            ("Period", Some("period")),
            ("Person", Some("person_id")),
            ("Amount", Some("amount")),
            ("Reason", Some("reason")),
            ("Entered by", Some("entered_by")),
        ],
        numeric: &["Amount"],
        filters: vec![FilterSelect::new(
            "person_id",
            "Person",
            people_options(&state, &viewer.actor),
            &query,
        )],
        links: siblings(ADJUSTMENTS),
        default_sort: Some("-period"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let a = &s.data.adjustments[i];
        vec![
            Cell::link(a.period.to_string(), format!("{ADJUSTMENTS}/{}", a.id)),
            s.person(Some(&a.person_id)),
            Cell::money(Some(a.amount)),
            Cell::text(a.reason.clone()),
            Cell::opt(a.entered_by.clone()),
        ]
    })
}

pub(crate) async fn adjustment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::Adjustments, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let a = &s.data.adjustments[i];
    let facts = vec![
        ("Person".to_string(), s.person(Some(&a.person_id))),
        ("Period".to_string(), Cell::text(a.period.to_string())),
        ("Amount".to_string(), Cell::money(Some(a.amount))),
        ("Reason".to_string(), Cell::text(a.reason.clone())),
        ("Entered by".to_string(), Cell::opt(a.entered_by.clone())),
    ];
    let heading = format!("Adjustment, {}", a.period);
    let page = DetailPage {
        chrome: Chrome::signed_in(heading.clone(), actor, &viewer.csrf, ADJUSTMENTS),
        back: ("Adjustments".into(), ADJUSTMENTS.into()),
        heading,
        subtitle: a.id.clone(),
        facts,
        sections: vec![],
    };
    render(&page)
}
