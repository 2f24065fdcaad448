//! The record pages: home, people and the org chart, territories, accounts with contacts,
//! opportunities (list, board, detail with stage history), activities and transactions, and
//! the compensation inputs (quotas, plan assignments, credit splits, adjustments).
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
use crate::api::QueryPairs;
use crate::auth::Viewer;
use crate::server::AppState;
use crate::ui::view::{Cell, Chrome, FilterSelect, ListColumn, Pager, Table, group, heads, summary, words};

mod accounts;
mod comp;
mod events;
mod opportunities;
mod people;
mod territories;

pub(crate) use accounts::{account, accounts};
pub(crate) use comp::{
    adjustment, adjustments, compensation, credit_split, credit_splits, plan_assignment, plan_assignments,
    quota, quotas,
};
pub(crate) use events::{activities, activity, transaction, transactions};
pub(crate) use opportunities::{board, opportunities, opportunity};
pub(crate) use people::{org_chart, people, person};
pub(crate) use territories::{territories, territory};

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
        Box::new(crate::ui::error_page(
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
