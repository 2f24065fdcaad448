//! The record pages: home, people and the org chart, territories, accounts with contacts,
//! opportunities (list, board, detail with stage history), activities and transactions.
//! Each reads the actor's view through attain-app, so a record outside scope is "not found".

use std::collections::HashMap;

use askama::Template;
use attain_app::records::Listing;
use attain_app::snapshot::Snapshot;
use attain_app::{Actor, Role};
use attain_core::Kind;
use attain_core::record::Choice;
use axum::extract::{Path, State};
use axum::response::Response;

use super::render;
use super::view::{Cell, Chrome, FilterSelect, ListColumn, Pager, Table, group, heads, summary, words};
use crate::api::QueryPairs;
use crate::auth::Viewer;
use crate::server::AppState;

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    chrome: Chrome,
    heading: String,
    path: String,
    q: String,
    sort: String,
    filters: Vec<FilterSelect>,
    links: Vec<(String, String)>,
    summary: String,
    table: Table,
    pager: Pager,
}

#[derive(Template)]
#[template(path = "detail.html")]
struct DetailPage {
    chrome: Chrome,
    back: (String, String),
    heading: String,
    subtitle: String,
    facts: Vec<(String, Cell)>,
    sections: Vec<Section>,
}

struct Section {
    heading: String,
    table: Table,
}

/// How one list page is laid out.
struct ListSpec<'a> {
    kind: Kind,
    path: &'static str,
    heading: &'static str,
    columns: &'a [ListColumn],
    numeric: &'a [&'a str],
    /// Filter drop-downs: (parameter = column, label, options).
    filters: Vec<FilterSelect>,
    links: Vec<(String, String)>,
    default_sort: Option<&'static str>,
}

/// Lists page `spec` for the viewer, one row of cells per record from `row`.
fn list_page(
    state: &AppState,
    viewer: &Viewer,
    query: &QueryPairs,
    spec: ListSpec<'_>,
    row: impl Fn(&Snapshot, usize) -> Vec<Cell>,
) -> Response {
    let list_query = match list_query(query, spec.default_sort) {
        Ok(q) => q,
        Err(page) => return *page,
    };
    let listing: Listing = match state.app.list(&viewer.actor, spec.kind, &list_query) {
        Ok(l) => l,
        Err(e) => return viewer.error(e),
    };
    let rows = listing.rows.iter().map(|&i| row(&listing.snapshot, i)).collect();
    let table =
        Table { columns: heads(spec.path, query, spec.columns, spec.numeric, spec.default_sort), rows };
    let page = ListPage {
        chrome: Chrome::signed_in(spec.heading, &viewer.actor, &viewer.csrf, spec.path),
        heading: spec.heading.to_string(),
        path: spec.path.to_string(),
        q: query.get("q").unwrap_or("").to_string(),
        sort: query.get("sort").unwrap_or("").to_string(),
        filters: spec.filters,
        links: spec.links,
        summary: summary(&listing),
        table,
        pager: Pager::of(spec.path, query, &listing),
    };
    render(&page)
}

/// The list parameters of a page: as the API reads them, with the page's default order.
fn list_query(
    query: &QueryPairs,
    default_sort: Option<&str>,
) -> Result<attain_app::records::ListQuery, Box<Response>> {
    let mut q = crate::api::list_query(query).map_err(|crate::error::Failure(e, _)| {
        Box::new(super::error_page(
            axum::http::StatusCode::BAD_REQUEST,
            "That list address is not valid",
            &e.message,
        ))
    })?;
    // Empty drop-downs send `name=`: no filter, not "equals nothing".
    q.filters.retain(|(_, _, value)| !value.is_empty());
    if q.sort.as_deref().is_none_or(str::is_empty) {
        q.sort = default_sort.map(str::to_string);
    }
    q.per_page = if q.per_page == 0 { 50 } else { q.per_page.min(200) };
    Ok(q)
}

fn person_name(s: &Snapshot, id: &str) -> String {
    s.find(Kind::People, id).first().map_or_else(|| id.to_string(), |&i| s.data.people[i].name.clone())
}

fn person_cell(s: &Snapshot, id: Option<&str>) -> Cell {
    match id {
        Some(id) => Cell::link(person_name(s, id), format!("/people/{id}")),
        None => Cell::default(),
    }
}

fn account_cell(s: &Snapshot, id: Option<&str>) -> Cell {
    match id {
        Some(id) => {
            let name = s
                .find(Kind::Accounts, id)
                .first()
                .map_or_else(|| id.to_string(), |&i| s.data.accounts[i].name.clone());
            Cell::link(name, format!("/accounts/{id}"))
        }
        None => Cell::default(),
    }
}

fn territory_cell(s: &Snapshot, id: Option<&str>) -> Cell {
    match id {
        Some(id) => {
            let name = s
                .find(Kind::Territories, id)
                .first()
                .map_or_else(|| id.to_string(), |&i| s.data.territories[i].name.clone());
            Cell::link(name, format!("/territories/{id}"))
        }
        None => Cell::default(),
    }
}

fn opportunity_cell(s: &Snapshot, id: Option<&str>) -> Cell {
    match id {
        Some(id) => {
            let name = s
                .find(Kind::Opportunities, id)
                .first()
                .and_then(|&i| s.data.opportunities[i].name.clone())
                .unwrap_or_else(|| id.to_string());
            Cell::link(name, format!("/opportunities/{id}"))
        }
        None => Cell::default(),
    }
}

fn product_name(s: &Snapshot, id: Option<&str>) -> String {
    id.map(|id| {
        s.find(Kind::Products, id)
            .first()
            .map_or_else(|| id.to_string(), |&i| s.data.products[i].name.clone())
    })
    .unwrap_or_default()
}

fn status_badge(status: attain_core::domain::DealStatus) -> Cell {
    let name = status.to_string();
    Cell::badge(words(&name), name)
}

fn choice_options<C: Choice>() -> Vec<(String, String)> {
    C::NAMES.iter().map(|n| (n.to_string(), words(n))).collect()
}

/// The people the viewer may see, for an owner filter.
fn people_options(state: &AppState, actor: &Actor) -> Vec<(String, String)> {
    let snapshot = state.app.snapshot();
    let visible = snapshot.visible_to(actor);
    let mut people: Vec<(String, String)> = snapshot
        .data
        .people
        .iter()
        .enumerate()
        .filter(|(i, _)| visible.row(Kind::People, *i))
        .map(|(_, p)| (p.id.clone(), p.name.clone()))
        .collect();
    people.sort_by(|a, b| a.1.cmp(&b.1));
    people
}

fn found(
    state: &AppState,
    viewer: &Viewer,
    kind: Kind,
    id: &str,
) -> Result<(std::sync::Arc<Snapshot>, usize), Box<Response>> {
    match state.app.get(&viewer.actor, kind, id) {
        Ok(f) => Ok((f.snapshot.clone(), f.rows[0])),
        Err(e) => Err(Box::new(viewer.error(e))),
    }
}

/// Indexes of the records of `kind` the actor may see that satisfy `keep`.
fn visible_where<T>(
    snapshot: &Snapshot,
    actor: &Actor,
    kind: Kind,
    list: &[T],
    keep: impl Fn(&T) -> bool,
) -> Vec<usize> {
    let visible = snapshot.visible_to(actor);
    list.iter().enumerate().filter(|(i, r)| visible.row(kind, *i) && keep(r)).map(|(i, _)| i).collect()
}

// ---- home ------------------------------------------------------------------------------

struct Tile {
    label: &'static str,
    href: &'static str,
    count: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    name: String,
    scope: String,
    tiles: Vec<Tile>,
}

pub(crate) async fn home(State(state): State<AppState>, viewer: Viewer) -> Response {
    let actor = &viewer.actor;
    let snapshot = state.app.snapshot();
    let visible = snapshot.visible_to(actor);
    let count = |kind: Kind| group((0..snapshot.data.len(kind)).filter(|&i| visible.row(kind, i)).count());
    let company = snapshot.data.company.first().map_or_else(|| "the company".to_string(), |c| c.name.clone());
    let scope = match actor.role {
        Role::Manager => {
            format!("{} · you see your team, for the time each person reports to you", actor.role.label())
        }
        Role::Rep => format!("{} · you see your own records", actor.role.label()),
        _ => format!("{} · you see all of {company}", actor.role.label()),
    };
    let tiles = [
        ("People", "/people", Kind::People),
        ("Territories", "/territories", Kind::Territories),
        ("Accounts", "/accounts", Kind::Accounts),
        ("Opportunities", "/opportunities", Kind::Opportunities),
        ("Activities", "/activities", Kind::Activities),
        ("Transactions", "/transactions", Kind::Transactions),
    ]
    .into_iter()
    .map(|(label, href, kind)| Tile { label, href, count: count(kind) })
    .collect();
    let page = HomePage {
        chrome: Chrome::signed_in("Home", actor, &viewer.csrf, "/"),
        name: actor.display_name.clone(),
        scope,
        tiles,
    };
    render(&page)
}

// ---- people and the org chart ----------------------------------------------------------

pub(crate) async fn people(State(state): State<AppState>, viewer: Viewer, query: QueryPairs) -> Response {
    let today = jiff::Zoned::now().date();
    let spec = ListSpec {
        kind: Kind::People,
        path: "/people",
        heading: "People",
        columns: &[
            ("Name", Some("name")),
            ("Email", Some("email")),
            ("Position today", None),
            ("Hired", Some("hire_date")),
            ("Left", Some("termination_date")),
        ],
        numeric: &[],
        filters: vec![],
        links: vec![("Org chart".into(), "/org".into())],
        default_sort: Some("name"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let p = &s.data.people[i];
        let position = attain_core::domain::position_of(&s.data.assignments, &p.id, today)
            .and_then(|pos| attain_core::domain::position_on(&s.data.positions, pos, today))
            .map(|pos| pos.title.clone());
        vec![
            Cell::link(p.name.clone(), format!("/people/{}", p.id)),
            Cell::opt(p.email.clone()),
            Cell::opt(position),
            Cell::text(p.hire_date.to_string()),
            Cell::opt(p.termination_date.map(|d| d.to_string())),
        ]
    })
}

pub(crate) async fn person(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::People, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let p = &s.data.people[i];
    let mut facts = vec![
        ("Email".to_string(), Cell::opt(p.email.clone())),
        ("Hired".to_string(), Cell::text(p.hire_date.to_string())),
        ("Left".to_string(), Cell::opt(p.termination_date.map(|d| d.to_string()))),
    ];
    if let Some(c) = p.pay_currency {
        facts.push(("Paid in".to_string(), Cell::text(c.code())));
    }
    let mut positions = Table::plain(&["From", "To", "Position", "Role", "Team", "Region", "Reports to"]);
    for a in visible_where(&s, actor, Kind::Assignments, &s.data.assignments, |a| a.person_id == p.id) {
        let a = &s.data.assignments[a];
        let version = attain_core::domain::position_on(&s.data.positions, &a.position_id, a.validity.from);
        let manager = version
            .and_then(|v| v.reports_to.as_deref())
            .and_then(|boss| attain_core::domain::holder_of(&s.data.assignments, boss, a.validity.from));
        positions.rows.push(vec![
            Cell::text(a.validity.from.to_string()),
            Cell::opt(a.validity.to.map(|d| d.to_string())),
            Cell::text(version.map_or(a.position_id.clone(), |v| v.title.clone())),
            Cell::opt(version.map(|v| words(&v.role.to_string()))),
            Cell::opt(version.and_then(|v| v.team.clone())),
            Cell::opt(version.and_then(|v| v.region.clone())),
            person_cell(&s, manager),
        ]);
    }
    let mut opps =
        Table::plain(&["Opportunity", "Account", "Stage", "Status", "Amount", "Closed"]).numeric(&["Amount"]);
    let mine = visible_where(&s, actor, Kind::Opportunities, &s.data.opportunities, |o| o.owner_id == p.id);
    for &o in mine.iter().rev().take(25) {
        let o = &s.data.opportunities[o];
        opps.rows.push(vec![
            opportunity_cell(&s, Some(&o.id)),
            account_cell(&s, o.account_id.as_deref()),
            Cell::text(o.stage.clone()),
            status_badge(o.status),
            Cell::money(o.amount),
            Cell::opt(o.closed_on.map(|d| d.to_string())),
        ]);
    }
    let page = DetailPage {
        chrome: Chrome::signed_in(p.name.clone(), actor, &viewer.csrf, "/people"),
        back: ("People".into(), "/people".into()),
        heading: p.name.clone(),
        subtitle: String::new(),
        facts,
        sections: vec![
            Section { heading: "Positions held".into(), table: positions },
            Section { heading: format!("Opportunities (latest 25 of {})", mine.len()), table: opps },
        ],
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    chrome: Chrome,
    day: String,
    /// Pre-order walk: (depth, title, holder name, holder link, team/region).
    nodes: Vec<OrgNode>,
}

struct OrgNode {
    depth: usize,
    title: String,
    holder: Option<(String, String)>,
    detail: String,
}

pub(crate) async fn org_chart(State(state): State<AppState>, viewer: Viewer, query: QueryPairs) -> Response {
    let actor = &viewer.actor;
    let s = state.app.snapshot();
    let day = match query.get("on").filter(|d| !d.is_empty()) {
        Some(text) => match attain_core::dating::parse_date(text) {
            Ok(d) => d,
            Err(e) => {
                return super::error_page(
                    axum::http::StatusCode::BAD_REQUEST,
                    "Not a date",
                    &format!("on: {e}"),
                );
            }
        },
        None => jiff::Zoned::now().date(),
    };
    let visible_positions = s.visible_to(actor);
    let current: Vec<usize> = (0..s.data.positions.len())
        .filter(|&i| s.data.positions[i].validity.contains(day) && visible_positions.row(Kind::Positions, i))
        .collect();
    let ids: std::collections::HashSet<&str> =
        current.iter().map(|&i| s.data.positions[i].id.as_str()).collect();
    let mut children: HashMap<Option<&str>, Vec<usize>> = HashMap::new();
    for &i in &current {
        let p = &s.data.positions[i];
        // A position whose manager is outside the viewer's reach is a root of their chart.
        let parent = p.reports_to.as_deref().filter(|r| ids.contains(r));
        children.entry(parent).or_default().push(i);
    }
    for list in children.values_mut() {
        list.sort_by(|&a, &b| s.data.positions[a].title.cmp(&s.data.positions[b].title));
    }
    let mut nodes = Vec::new();
    let mut stack: Vec<(usize, usize)> =
        children.get(&None).map_or(vec![], |r| r.iter().rev().map(|&i| (i, 0)).collect());
    while let Some((i, depth)) = stack.pop() {
        let p = &s.data.positions[i];
        let holder = attain_core::domain::holder_of(&s.data.assignments, &p.id, day)
            .map(|person| (person_name(&s, person), format!("/people/{person}")));
        let detail = [p.team.clone(), p.region.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
        nodes.push(OrgNode { depth, title: p.title.clone(), holder, detail });
        if let Some(kids) = children.get(&Some(p.id.as_str())) {
            stack.extend(kids.iter().rev().map(|&k| (k, depth + 1)));
        }
    }
    let page = OrgPage {
        chrome: Chrome::signed_in("Org chart", actor, &viewer.csrf, "/org"),
        day: day.to_string(),
        nodes,
    };
    render(&page)
}

// ---- territories -----------------------------------------------------------------------

pub(crate) async fn territories(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let today = jiff::Zoned::now().date();
    let spec = ListSpec {
        kind: Kind::Territories,
        path: "/territories",
        heading: "Territories",
        columns: &[
            ("Name", Some("name")),
            ("Parent", Some("parent_id")),
            ("Region", Some("region")),
            ("Owner today", None),
        ],
        numeric: &[],
        filters: vec![],
        links: vec![],
        default_sort: Some("name"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let t = &s.data.territories[i];
        let owner = territory_owner(s, &t.id, today);
        vec![
            Cell::link(t.name.clone(), format!("/territories/{}", t.id)),
            territory_cell(s, t.parent_id.as_deref()),
            Cell::opt(t.region.clone()),
            person_cell(s, owner),
        ]
    })
}

/// Who holds the position owning `territory` on `day`.
fn territory_owner<'a>(s: &'a Snapshot, territory: &str, day: attain_core::Date) -> Option<&'a str> {
    s.data
        .territory_owners
        .iter()
        .find(|o| o.territory_id == territory && o.validity.contains(day))
        .and_then(|o| attain_core::domain::holder_of(&s.data.assignments, &o.position_id, day))
}

pub(crate) async fn territory(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::Territories, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let t = &s.data.territories[i];
    let facts = vec![
        ("Parent".to_string(), territory_cell(&s, t.parent_id.as_deref())),
        ("Region".to_string(), Cell::opt(t.region.clone())),
    ];
    let mut owners = Table::plain(&["From", "To", "Position", "Held by (at start)"]);
    for o in
        visible_where(&s, actor, Kind::TerritoryOwners, &s.data.territory_owners, |o| o.territory_id == t.id)
    {
        let o = &s.data.territory_owners[o];
        let title = attain_core::domain::position_on(&s.data.positions, &o.position_id, o.validity.from)
            .map_or(o.position_id.clone(), |p| p.title.clone());
        let holder = attain_core::domain::holder_of(&s.data.assignments, &o.position_id, o.validity.from);
        owners.rows.push(vec![
            Cell::text(o.validity.from.to_string()),
            Cell::opt(o.validity.to.map(|d| d.to_string())),
            Cell::text(title),
            person_cell(&s, holder),
        ]);
    }
    let mut subs = Table::plain(&["Territory", "Region"]);
    for c in visible_where(&s, actor, Kind::Territories, &s.data.territories, |c| {
        c.parent_id.as_deref() == Some(&t.id)
    }) {
        let c = &s.data.territories[c];
        subs.rows.push(vec![territory_cell(&s, Some(&c.id)), Cell::opt(c.region.clone())]);
    }
    let mut accounts = Table::plain(&["Account", "Industry", "Country"]);
    for a in visible_where(&s, actor, Kind::Accounts, &s.data.accounts, |a| {
        a.territory_id.as_deref() == Some(&t.id)
    }) {
        let a = &s.data.accounts[a];
        accounts.rows.push(vec![
            account_cell(&s, Some(&a.id)),
            Cell::opt(a.industry.clone()),
            Cell::opt(a.country.clone()),
        ]);
    }
    let page = DetailPage {
        chrome: Chrome::signed_in(t.name.clone(), actor, &viewer.csrf, "/territories"),
        back: ("Territories".into(), "/territories".into()),
        heading: t.name.clone(),
        subtitle: String::new(),
        facts,
        sections: vec![
            Section { heading: "Owners".into(), table: owners },
            Section { heading: "Sub-territories".into(), table: subs },
            Section { heading: "Accounts".into(), table: accounts },
        ],
    };
    render(&page)
}

// ---- accounts --------------------------------------------------------------------------

pub(crate) async fn accounts(State(state): State<AppState>, viewer: Viewer, query: QueryPairs) -> Response {
    let spec = ListSpec {
        kind: Kind::Accounts,
        path: "/accounts",
        heading: "Accounts",
        columns: &[
            ("Name", Some("name")),
            ("Industry", Some("industry")),
            ("Country", Some("country")),
            ("Size", Some("size")),
            ("Territory", Some("territory_id")),
            ("Owner", Some("owner_id")),
            ("Annual revenue", Some("annual_revenue")),
        ],
        numeric: &["Annual revenue"],
        filters: vec![FilterSelect::new(
            "size",
            "Size",
            choice_options::<attain_core::domain::AccountSize>(),
            &query,
        )],
        links: vec![],
        default_sort: Some("name"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let a = &s.data.accounts[i];
        vec![
            Cell::link(a.name.clone(), format!("/accounts/{}", a.id)),
            Cell::opt(a.industry.clone()),
            Cell::opt(a.country.clone()),
            Cell::opt(a.size.map(|z| words(&z.to_string()))),
            territory_cell(s, a.territory_id.as_deref()),
            person_cell(s, a.owner_id.as_deref()),
            Cell::money(a.annual_revenue),
        ]
    })
}

pub(crate) async fn account(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::Accounts, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let a = &s.data.accounts[i];
    let facts = vec![
        ("Industry".to_string(), Cell::opt(a.industry.clone())),
        ("Country".to_string(), Cell::opt(a.country.clone())),
        ("Region".to_string(), Cell::opt(a.region.clone())),
        ("Size".to_string(), Cell::opt(a.size.map(|z| words(&z.to_string())))),
        ("Employees".to_string(), Cell::opt(a.employees.map(|e| group(e.max(0) as usize)))),
        ("Annual revenue".to_string(), Cell::money(a.annual_revenue)),
        ("Parent account".to_string(), account_cell(&s, a.parent_id.as_deref())),
        ("Territory".to_string(), territory_cell(&s, a.territory_id.as_deref())),
        ("Owner".to_string(), person_cell(&s, a.owner_id.as_deref())),
    ];
    let mut contacts = Table::plain(&["Name", "Title", "Buying role", "Email", "Phone"]);
    for c in visible_where(&s, actor, Kind::Contacts, &s.data.contacts, |c| c.account_id == a.id) {
        let c = &s.data.contacts[c];
        let role = c.buying_role.to_string();
        contacts.rows.push(vec![
            Cell::text(c.name.clone()),
            Cell::opt(c.title.clone()),
            Cell::badge(words(&role), role),
            Cell::opt(c.email.clone()),
            Cell::opt(c.phone.clone()),
        ]);
    }
    let mut opps =
        Table::plain(&["Opportunity", "Owner", "Stage", "Status", "Amount", "Closed"]).numeric(&["Amount"]);
    for o in visible_where(&s, actor, Kind::Opportunities, &s.data.opportunities, |o| {
        o.account_id.as_deref() == Some(&a.id)
    }) {
        let o = &s.data.opportunities[o];
        opps.rows.push(vec![
            opportunity_cell(&s, Some(&o.id)),
            person_cell(&s, Some(&o.owner_id)),
            Cell::text(o.stage.clone()),
            status_badge(o.status),
            Cell::money(o.amount),
            Cell::opt(o.closed_on.map(|d| d.to_string())),
        ]);
    }
    let page = DetailPage {
        chrome: Chrome::signed_in(a.name.clone(), actor, &viewer.csrf, "/accounts"),
        back: ("Accounts".into(), "/accounts".into()),
        heading: a.name.clone(),
        subtitle: String::new(),
        facts,
        sections: vec![
            Section { heading: "Contacts and buying roles".into(), table: contacts },
            Section { heading: "Opportunities".into(), table: opps },
        ],
    };
    render(&page)
}

// ---- opportunities ---------------------------------------------------------------------

/// Stages in pipeline order: by the average position at which each is entered in the stage
/// histories (stages are free text, so the order is learnt from the data).
fn stage_order(s: &Snapshot) -> Vec<String> {
    let mut by_opp: HashMap<&str, Vec<(attain_core::Date, &str)>> = HashMap::new();
    for c in &s.data.stage_history {
        by_opp.entry(c.opportunity_id.as_str()).or_default().push((c.entered_on, c.stage.as_str()));
    }
    let mut positions: HashMap<&str, (usize, usize)> = HashMap::new();
    for history in by_opp.values_mut() {
        history.sort();
        for (n, (_, stage)) in history.iter().enumerate() {
            let entry = positions.entry(stage).or_default();
            entry.0 += n;
            entry.1 += 1;
        }
    }
    for o in &s.data.opportunities {
        positions.entry(o.stage.as_str()).or_insert((usize::MAX / 2, 1));
    }
    let mut stages: Vec<(&str, (usize, usize))> = positions.into_iter().collect();
    // Compare sum_a/count_a with sum_b/count_b exactly, by cross-multiplying.
    stages.sort_by(|a, b| {
        let left = (a.1.0 as u128) * (b.1.1 as u128);
        let right = (b.1.0 as u128) * (a.1.1 as u128);
        left.cmp(&right).then(a.0.cmp(b.0))
    });
    stages.into_iter().map(|(s, _)| s.to_string()).collect()
}

pub(crate) async fn opportunities(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let snapshot = state.app.snapshot();
    let stages: Vec<(String, String)> = stage_order(&snapshot).into_iter().map(|s| (s.clone(), s)).collect();
    let spec = ListSpec {
        kind: Kind::Opportunities,
        path: "/opportunities",
        heading: "Opportunities",
        columns: &[
            ("Opportunity", Some("name")),
            ("Account", Some("account_id")),
            ("Owner", Some("owner_id")),
            ("Stage", Some("stage")),
            ("Status", Some("status")),
            ("Amount", Some("amount")),
            ("Expected close", Some("expected_close")),
            ("Closed", Some("closed_on")),
        ],
        numeric: &["Amount"],
        filters: vec![
            FilterSelect::new(
                "status",
                "Status",
                choice_options::<attain_core::domain::DealStatus>(),
                &query,
            ),
            FilterSelect::new("stage", "Stage", stages, &query),
            FilterSelect::new("owner_id", "Owner", people_options(&state, &viewer.actor), &query),
            FilterSelect::new("deal_type", "Type", choice_options::<attain_core::domain::DealType>(), &query),
        ],
        links: vec![("Board by stage".into(), "/opportunities/board".into())],
        default_sort: Some("-created_on"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let o = &s.data.opportunities[i];
        vec![
            Cell::link(o.name.clone().unwrap_or_else(|| o.id.clone()), format!("/opportunities/{}", o.id)),
            account_cell(s, o.account_id.as_deref()),
            person_cell(s, Some(&o.owner_id)),
            Cell::text(o.stage.clone()),
            status_badge(o.status),
            Cell::money(o.amount),
            Cell::opt(o.expected_close.map(|d| d.to_string())),
            Cell::opt(o.closed_on.map(|d| d.to_string())),
        ]
    })
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    chrome: Chrome,
    owner_filter: FilterSelect,
    columns: Vec<BoardColumn>,
}

struct BoardColumn {
    stage: String,
    count: usize,
    total: String,
    cards: Vec<BoardCard>,
    more: usize,
    more_href: String,
}

struct BoardCard {
    href: String,
    name: String,
    account: String,
    owner: String,
    amount: String,
    close: String,
}

/// Amounts summed per currency, shown as `1,000.00 USD + 500.00 EUR`.
fn sum_by_currency(amounts: impl Iterator<Item = attain_core::Money>) -> String {
    let mut totals: Vec<(attain_core::Currency, i64)> = Vec::new();
    for m in amounts {
        match totals.iter_mut().find(|(c, _)| *c == m.currency()) {
            Some(t) => t.1 = t.1.saturating_add(m.minor()),
            None => totals.push((m.currency(), m.minor())),
        }
    }
    totals
        .into_iter()
        .map(|(c, minor)| super::view::format_money(attain_core::Money::from_minor(minor, c)))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Cards shown per stage; the rest are a link to the filtered list.
const CARDS_PER_STAGE: usize = 30;

pub(crate) async fn board(State(state): State<AppState>, viewer: Viewer, query: QueryPairs) -> Response {
    let actor = &viewer.actor;
    let s = state.app.snapshot();
    let owner = query.get("owner_id").filter(|o| !o.is_empty());
    let open = visible_where(&s, actor, Kind::Opportunities, &s.data.opportunities, |o| {
        o.status == attain_core::domain::DealStatus::Open && owner.is_none_or(|w| o.owner_id == w)
    });
    let mut columns = Vec::new();
    for stage in stage_order(&s) {
        let mut in_stage: Vec<usize> =
            open.iter().copied().filter(|&i| s.data.opportunities[i].stage == stage).collect();
        if in_stage.is_empty() {
            continue;
        }
        in_stage.sort_by(|&a, &b| {
            s.data.opportunities[b]
                .amount
                .map(|m| m.minor())
                .cmp(&s.data.opportunities[a].amount.map(|m| m.minor()))
        });
        let total = sum_by_currency(in_stage.iter().filter_map(|&i| s.data.opportunities[i].amount));
        let cards = in_stage
            .iter()
            .take(CARDS_PER_STAGE)
            .map(|&i| {
                let o = &s.data.opportunities[i];
                BoardCard {
                    href: format!("/opportunities/{}", o.id),
                    name: o.name.clone().unwrap_or_else(|| o.id.clone()),
                    account: account_cell(&s, o.account_id.as_deref()).text,
                    owner: person_name(&s, &o.owner_id),
                    amount: o.amount.map(super::view::format_money).unwrap_or_default(),
                    close: o.expected_close.map(|d| d.to_string()).unwrap_or_default(),
                }
            })
            .collect();
        let more_query = QueryPairs(
            [("status", "open".to_string()), ("stage", stage.clone())]
                .into_iter()
                .chain(owner.map(|o| ("owner_id", o.to_string())))
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        );
        columns.push(BoardColumn {
            count: in_stage.len(),
            total,
            cards,
            more: in_stage.len().saturating_sub(CARDS_PER_STAGE),
            more_href: super::view::href_with("/opportunities", &more_query, &[]),
            stage,
        });
    }
    let page = BoardPage {
        chrome: Chrome::signed_in("Pipeline board", actor, &viewer.csrf, "/opportunities"),
        owner_filter: FilterSelect::new("owner_id", "Owner", people_options(&state, actor), &query),
        columns,
    };
    render(&page)
}

pub(crate) async fn opportunity(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::Opportunities, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let o = &s.data.opportunities[i];
    let facts = vec![
        ("Account".to_string(), account_cell(&s, o.account_id.as_deref())),
        ("Owner".to_string(), person_cell(&s, Some(&o.owner_id))),
        ("Product".to_string(), Cell::text(product_name(&s, o.product_id.as_deref()))),
        ("Amount".to_string(), Cell::money(o.amount)),
        ("Stage".to_string(), Cell::text(o.stage.clone())),
        ("Status".to_string(), status_badge(o.status)),
        // Stored as a percentage already (0–100).
        ("Probability".to_string(), Cell::opt(o.probability.map(|p| format!("{}%", p.normalize())))),
        ("Type".to_string(), Cell::opt(o.deal_type.map(|t| words(&t.to_string())))),
        ("Channel".to_string(), Cell::opt(o.channel.map(|c| words(&c.to_string())))),
        ("Created".to_string(), Cell::opt(o.created_on.map(|d| d.to_string()))),
        ("Expected close".to_string(), Cell::opt(o.expected_close.map(|d| d.to_string()))),
        ("Closed".to_string(), Cell::opt(o.closed_on.map(|d| d.to_string()))),
        ("Reason".to_string(), Cell::opt(o.close_reason.clone())),
    ];
    let mut history = Table::plain(&["Entered", "Stage"]);
    let mut changes =
        visible_where(&s, actor, Kind::StageHistory, &s.data.stage_history, |c| c.opportunity_id == o.id);
    changes.sort_by_key(|&c| s.data.stage_history[c].entered_on);
    for c in changes {
        let c = &s.data.stage_history[c];
        history.rows.push(vec![Cell::text(c.entered_on.to_string()), Cell::text(c.stage.clone())]);
    }
    let mut transactions = Table::plain(&["Date", "Kind", "Amount", "Reverses"]).numeric(&["Amount"]);
    for t in visible_where(&s, actor, Kind::Transactions, &s.data.transactions, |t| {
        t.opportunity_id.as_deref() == Some(&o.id)
    }) {
        let t = &s.data.transactions[t];
        transactions.rows.push(vec![
            Cell::link(t.date.to_string(), format!("/transactions/{}", t.id)),
            Cell::text(words(&t.kind.to_string())),
            Cell::money(Some(t.amount)),
            match &t.original_id {
                Some(orig) => Cell::link(orig.clone(), format!("/transactions/{orig}")),
                None => Cell::default(),
            },
        ]);
    }
    let mut activities = Table::plain(&["When", "Kind", "Subject", "Outcome"]);
    for a in visible_where(&s, actor, Kind::Activities, &s.data.activities, |a| {
        a.opportunity_id.as_deref() == Some(&o.id)
    }) {
        let a = &s.data.activities[a];
        activities.rows.push(vec![
            Cell::link(a.occurred_at.strftime("%Y-%m-%d %H:%M").to_string(), format!("/activities/{}", a.id)),
            Cell::text(words(&a.kind.to_string())),
            Cell::opt(a.subject.clone()),
            Cell::opt(a.outcome.clone()),
        ]);
    }
    let name = o.name.clone().unwrap_or_else(|| o.id.clone());
    let page = DetailPage {
        chrome: Chrome::signed_in(name.clone(), actor, &viewer.csrf, "/opportunities"),
        back: ("Opportunities".into(), "/opportunities".into()),
        heading: name,
        subtitle: o.id.clone(),
        facts,
        sections: vec![
            Section { heading: "Stage history".into(), table: history },
            Section { heading: "Transactions".into(), table: transactions },
            Section { heading: "Activities".into(), table: activities },
        ],
    };
    render(&page)
}

// ---- activities and transactions -------------------------------------------------------

pub(crate) async fn activities(State(state): State<AppState>, viewer: Viewer, query: QueryPairs) -> Response {
    let spec = ListSpec {
        kind: Kind::Activities,
        path: "/activities",
        heading: "Activities",
        columns: &[
            ("When", Some("occurred_at")),
            ("Kind", Some("kind")),
            ("Owner", Some("owner_id")),
            ("Account", Some("account_id")),
            ("Opportunity", Some("opportunity_id")),
            ("Subject", Some("subject")),
            ("Outcome", Some("outcome")),
        ],
        numeric: &[],
        filters: vec![
            FilterSelect::new("kind", "Kind", choice_options::<attain_core::domain::ActivityKind>(), &query),
            FilterSelect::new("owner_id", "Owner", people_options(&state, &viewer.actor), &query),
        ],
        links: vec![],
        default_sort: Some("-occurred_at"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let a = &s.data.activities[i];
        vec![
            Cell::link(a.occurred_at.strftime("%Y-%m-%d %H:%M").to_string(), format!("/activities/{}", a.id)),
            Cell::text(words(&a.kind.to_string())),
            person_cell(s, Some(&a.owner_id)),
            account_cell(s, a.account_id.as_deref()),
            opportunity_cell(s, a.opportunity_id.as_deref()),
            Cell::opt(a.subject.clone()),
            Cell::opt(a.outcome.clone()),
        ]
    })
}

pub(crate) async fn activity(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::Activities, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let a = &s.data.activities[i];
    let contact = a.contact_id.as_deref().and_then(|c| {
        let visible = s.visible_to(actor);
        s.find(Kind::Contacts, c).first().filter(|&&k| visible.row(Kind::Contacts, k)).map(|&k| {
            let c = &s.data.contacts[k];
            format!("{} ({})", c.name, words(&c.buying_role.to_string()))
        })
    });
    let facts = vec![
        ("When (UTC)".to_string(), Cell::text(a.occurred_at.strftime("%Y-%m-%d %H:%M").to_string())),
        ("Kind".to_string(), Cell::text(words(&a.kind.to_string()))),
        ("Owner".to_string(), person_cell(&s, Some(&a.owner_id))),
        ("Account".to_string(), account_cell(&s, a.account_id.as_deref())),
        ("Opportunity".to_string(), opportunity_cell(&s, a.opportunity_id.as_deref())),
        ("Contact".to_string(), Cell::opt(contact)),
        ("Outcome".to_string(), Cell::opt(a.outcome.clone())),
    ];
    let heading = a.subject.clone().unwrap_or_else(|| words(&a.kind.to_string()));
    let page = DetailPage {
        chrome: Chrome::signed_in(heading.clone(), actor, &viewer.csrf, "/activities"),
        back: ("Activities".into(), "/activities".into()),
        heading,
        subtitle: a.id.clone(),
        facts,
        sections: vec![],
    };
    render(&page)
}

pub(crate) async fn transactions(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let spec = ListSpec {
        kind: Kind::Transactions,
        path: "/transactions",
        heading: "Transactions",
        columns: &[
            ("Date", Some("date")),
            ("Kind", Some("kind")),
            ("Account", Some("account_id")),
            ("Opportunity", Some("opportunity_id")),
            ("Product", Some("product_id")),
            ("Owner", Some("owner_id")),
            ("Amount", Some("amount")),
        ],
        numeric: &["Amount"],
        filters: vec![FilterSelect::new(
            "kind",
            "Kind",
            choice_options::<attain_core::domain::TransactionKind>(),
            &query,
        )],
        links: vec![],
        default_sort: Some("-date"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let t = &s.data.transactions[i];
        let kind = t.kind.to_string();
        vec![
            Cell::link(t.date.to_string(), format!("/transactions/{}", t.id)),
            Cell::badge(words(&kind), kind),
            account_cell(s, t.account_id.as_deref()),
            opportunity_cell(s, t.opportunity_id.as_deref()),
            Cell::text(product_name(s, t.product_id.as_deref())),
            person_cell(s, t.owner_id.as_deref()),
            Cell::money(Some(t.amount)),
        ]
    })
}

pub(crate) async fn transaction(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::Transactions, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let t = &s.data.transactions[i];
    let kind = t.kind.to_string();
    let facts = vec![
        ("Date".to_string(), Cell::text(t.date.to_string())),
        ("Kind".to_string(), Cell::badge(words(&kind), kind)),
        ("Amount".to_string(), Cell::money(Some(t.amount))),
        ("Cost".to_string(), Cell::money(t.cost)),
        ("Margin".to_string(), Cell::money(t.margin())),
        ("Quantity".to_string(), Cell::opt(t.quantity.map(|q| q.normalize().to_string()))),
        ("Account".to_string(), account_cell(&s, t.account_id.as_deref())),
        ("Opportunity".to_string(), opportunity_cell(&s, t.opportunity_id.as_deref())),
        ("Product".to_string(), Cell::text(product_name(&s, t.product_id.as_deref()))),
        ("Owner".to_string(), person_cell(&s, t.owner_id.as_deref())),
        (
            "Reverses".to_string(),
            t.original_id
                .as_ref()
                .map_or_else(Cell::default, |o| Cell::link(o.clone(), format!("/transactions/{o}"))),
        ),
    ];
    let mut reversals = Table::plain(&["Date", "Kind", "Amount"]).numeric(&["Amount"]);
    for r in visible_where(&s, actor, Kind::Transactions, &s.data.transactions, |r| {
        r.original_id.as_deref() == Some(&t.id)
    }) {
        let r = &s.data.transactions[r];
        reversals.rows.push(vec![
            Cell::link(r.date.to_string(), format!("/transactions/{}", r.id)),
            Cell::text(words(&r.kind.to_string())),
            Cell::money(Some(r.amount)),
        ]);
    }
    let page = DetailPage {
        chrome: Chrome::signed_in(format!("Transaction {}", t.id), actor, &viewer.csrf, "/transactions"),
        back: ("Transactions".into(), "/transactions".into()),
        heading: format!("{} · {}", words(&t.kind.to_string()), t.date),
        subtitle: t.id.clone(),
        facts,
        sections: vec![Section { heading: "Returns and cancellations of this".into(), table: reversals }],
    };
    render(&page)
}
