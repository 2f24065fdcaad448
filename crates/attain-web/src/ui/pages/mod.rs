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
pub(crate) use territories::{
    add_territory, edit_territory, hand_over, new_territory, territories, territory,
};

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
    row: impl Fn(&Refs, usize) -> Vec<Cell>,
) -> Response {
    let list_query = match list_query(query, spec.default_sort) {
        Ok(q) => q,
        Err(page) => return *page,
    };
    let listing: Listing = match state.app.list(&viewer.actor, spec.kind, &list_query) {
        Ok(l) => l,
        Err(e) => return viewer.error(e),
    };
    let refs = Refs::new(listing.snapshot.clone(), &viewer.actor);
    let rows = listing.rows.iter().map(|&i| row(&refs, i)).collect();
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

/// The snapshot as one viewer sees it: every name or link a page shows for a *related* record
/// (an account's owner, a transaction's opportunity, a person's manager) is resolved here,
/// through the viewer's scope. A related record outside it is shown by its bare id, marked
/// "not visible to you", and never linked: its name is as private as the record, and the link
/// would answer 404. Derefs to the snapshot for the page's own record.
pub(crate) struct Refs {
    snapshot: std::sync::Arc<Snapshot>,
    visible: std::sync::Arc<attain_app::scope::Visible>,
}

impl std::ops::Deref for Refs {
    type Target = Snapshot;

    fn deref(&self) -> &Snapshot {
        &self.snapshot
    }
}

impl Refs {
    pub(crate) fn new(snapshot: std::sync::Arc<Snapshot>, actor: &Actor) -> Refs {
        let visible = snapshot.visible_to(actor);
        Refs { snapshot, visible }
    }

    /// The row of `kind` with `id` when the viewer may see it.
    fn seen(&self, kind: Kind, id: &str) -> Option<usize> {
        self.snapshot.find(kind, id).iter().copied().find(|&i| self.visible.row(kind, i))
    }

    /// A person's name, or their id marked as out of view.
    pub(crate) fn person_name(&self, id: &str) -> String {
        match self.seen(Kind::People, id) {
            Some(i) => self.snapshot.data.people[i].name.clone(),
            None => hidden(id),
        }
    }

    pub(crate) fn person(&self, id: Option<&str>) -> Cell {
        let Some(id) = id else { return Cell::default() };
        match self.seen(Kind::People, id) {
            Some(i) => Cell::link(self.snapshot.data.people[i].name.clone(), format!("/people/{id}")),
            None => Cell::text(hidden(id)),
        }
    }

    pub(crate) fn account(&self, id: Option<&str>) -> Cell {
        let Some(id) = id else { return Cell::default() };
        match self.seen(Kind::Accounts, id) {
            Some(i) => Cell::link(self.snapshot.data.accounts[i].name.clone(), format!("/accounts/{id}")),
            None => Cell::text(hidden(id)),
        }
    }

    pub(crate) fn territory(&self, id: Option<&str>) -> Cell {
        let Some(id) = id else { return Cell::default() };
        match self.seen(Kind::Territories, id) {
            Some(i) => {
                Cell::link(self.snapshot.data.territories[i].name.clone(), format!("/territories/{id}"))
            }
            None => Cell::text(hidden(id)),
        }
    }

    pub(crate) fn opportunity(&self, id: Option<&str>) -> Cell {
        let Some(id) = id else { return Cell::default() };
        match self.seen(Kind::Opportunities, id) {
            Some(i) => Cell::link(
                self.snapshot.data.opportunities[i].name.clone().unwrap_or_else(|| id.to_string()),
                format!("/opportunities/{id}"),
            ),
            None => Cell::text(hidden(id)),
        }
    }

    pub(crate) fn transaction(&self, id: Option<&str>) -> Cell {
        let Some(id) = id else { return Cell::default() };
        match self.seen(Kind::Transactions, id) {
            Some(_) => Cell::link(id, format!("/transactions/{id}")),
            None => Cell::text(hidden(id)),
        }
    }

    /// A contact as `name (buying role)`, or their id marked as out of view.
    pub(crate) fn contact(&self, id: Option<&str>) -> Cell {
        let Some(id) = id else { return Cell::default() };
        match self.seen(Kind::Contacts, id) {
            Some(i) => {
                let c = &self.snapshot.data.contacts[i];
                Cell::text(format!("{} ({})", c.name, words(&c.buying_role.to_string())))
            }
            None => Cell::text(hidden(id)),
        }
    }
}

/// How a related record outside the viewer's scope is shown.
fn hidden(id: &str) -> String {
    format!("{id} (not visible to you)")
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

fn found(state: &AppState, viewer: &Viewer, kind: Kind, id: &str) -> Result<(Refs, usize), Box<Response>> {
    match state.app.get(&viewer.actor, kind, id) {
        Ok(f) => Ok((Refs::new(f.snapshot.clone(), &viewer.actor), f.rows[0])),
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
