//! Territories: the list, and each territory's owners over time, sub-territories, accounts
//! in it today (an applied assignment's dated row, else the account's own territory) and (for the whole-company roles) the assignment rules giving accounts to it. Comp admins
//! and admins also add a territory, edit one (name, parent, region) and hand it to another
//! seat from a day; the app refuses a parent under the territory itself.

use std::collections::HashMap;

use attain_app::Permission;
use attain_app::plan::{OwnerRequest, TerritoryRequest};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};

use super::*;
use crate::ui::FormData;
use crate::ui::plan::territories::{TerritoryChoice, territory_choices};
use crate::ui::view::{form_error, segment};

pub(crate) async fn territories(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let today = jiff::Zoned::now().date();
    let links = if viewer.actor.may(Permission::ManagePlan) {
        vec![("Add territory".to_string(), "/territories/new".to_string())]
    } else {
        vec![]
    };
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
        links,
        default_sort: Some("name"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let t = &s.data.territories[i];
        let owner = territory_owner(s, &t.id, today);
        vec![
            Cell::link(t.name.clone(), format!("/territories/{}", t.id)),
            s.territory(t.parent_id.as_deref()),
            Cell::opt(t.region.clone()),
            s.person(owner),
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

/// A form sent back with an error: what was typed and the message.
type Refused<'a> = Option<(&'a FormData, String)>;

/// The fields of the territory form, as typed or as stored.
struct TerritoryFields {
    name: String,
    parent: String,
    region: String,
    /// The territories it may sit under (for an existing one, neither itself nor one below it).
    parents: Vec<TerritoryChoice>,
    error: Option<String>,
}

fn territory_fields(s: &Snapshot, id: Option<&str>, refused: Refused<'_>) -> TerritoryFields {
    let stored = id.and_then(|id| s.find(Kind::Territories, id).first().map(|&i| &s.data.territories[i]));
    let typed = refused.as_ref().map(|(form, _)| *form);
    let get = |name: &str, stored: Option<&str>| match typed {
        Some(form) => form.text(name),
        None => stored.unwrap_or_default().to_string(),
    };
    let parent_of: HashMap<&str, Option<&str>> =
        s.data.territories.iter().map(|t| (t.id.as_str(), t.parent_id.as_deref())).collect();
    // Whether `t` is `id` or lies under it (a cycle in bad data stops the walk).
    let under = |t: &str| {
        let Some(id) = id else { return false };
        let mut at = Some(t);
        for _ in 0..=parent_of.len() {
            match at {
                Some(node) if node == id => return true,
                Some(node) => at = parent_of.get(node).copied().flatten(),
                None => return false,
            }
        }
        false
    };
    TerritoryFields {
        name: get("name", stored.map(|t| t.name.as_str())),
        parent: get("parent_id", stored.and_then(|t| t.parent_id.as_deref())),
        region: get("region", stored.and_then(|t| t.region.as_deref())),
        parents: territory_choices(&s.data).into_iter().filter(|c| !under(&c.id)).collect(),
        error: refused.map(|(_, e)| e),
    }
}

fn territory_request(form: &FormData) -> TerritoryRequest {
    let optional = |name: &str| form.get(name).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
    TerritoryRequest { name: form.text("name"), parent_id: optional("parent_id"), region: optional("region") }
}

#[derive(Template)]
#[template(path = "territory_new.html")]
struct NewPage {
    chrome: Chrome,
    fields: TerritoryFields,
}

fn new_page(state: &AppState, viewer: &Viewer, refused: Refused<'_>, code: StatusCode) -> Response {
    if !viewer.actor.may(Permission::ManagePlan) {
        return viewer.error(attain_app::AppError::Forbidden);
    }
    let snapshot = state.app.snapshot();
    let page = NewPage {
        chrome: Chrome::signed_in("Add a territory", &viewer.actor, &viewer.csrf, "/territories"),
        fields: territory_fields(&snapshot, None, refused),
    };
    (code, render(&page)).into_response()
}

/// `GET /territories/new`: the form for a new territory (comp admins and admins).
pub(crate) async fn new_territory(State(state): State<AppState>, viewer: Viewer) -> Response {
    new_page(&state, &viewer, None, StatusCode::OK)
}

/// `POST /territories`: adds the territory, then its page.
pub(crate) async fn add_territory(State(state): State<AppState>, viewer: Viewer, form: FormData) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    match state.app.save_territory(&viewer.actor, None, &territory_request(&form)).await {
        Ok(t) => Redirect::to(&format!("/territories/{}?saved=new", segment(&t.id))).into_response(),
        Err(e) => match form_error(&e) {
            Some(message) => {
                let code = crate::error::classify(e).0.status;
                new_page(&state, &viewer, Some((&form, message)), code)
            }
            None => viewer.error(e),
        },
    }
}

/// What comp admins and admins see below a territory: the edit and hand-over forms.
struct Manage {
    action: String,
    owner_action: String,
    fields: TerritoryFields,
    /// Seats in force today: (position id, "title — holder").
    seats: Vec<(String, String)>,
    seat: String,
    from: String,
    owner_error: Option<String>,
}

#[derive(Template)]
#[template(path = "territory.html")]
struct TerritoryPage {
    chrome: Chrome,
    back: (String, String),
    heading: String,
    subtitle: String,
    facts: Vec<(String, Cell)>,
    sections: Vec<Section>,
    notice: Option<String>,
    manage: Option<Manage>,
}

/// The forms on a territory's page after a refused write.
#[derive(Default)]
struct Sent<'a> {
    edit: Refused<'a>,
    owner: Refused<'a>,
}

pub(crate) async fn territory(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    query: QueryPairs,
) -> Response {
    let notice = match query.get("saved") {
        Some("new") => Some("Territory added."),
        Some("territory") => Some("Territory saved."),
        Some("owner") => Some("Territory handed to the new seat."),
        _ => None,
    };
    detail(&state, &viewer, &id, notice.map(str::to_string), Sent::default(), StatusCode::OK)
}

fn detail(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    notice: Option<String>,
    sent: Sent<'_>,
    code: StatusCode,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(state, viewer, Kind::Territories, id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let t = &s.data.territories[i];
    let today = state.app.pay_today();
    let facts = vec![
        ("Parent".to_string(), s.territory(t.parent_id.as_deref())),
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
            s.person(holder),
        ]);
    }
    let mut subs = Table::plain(&["Territory", "Region"]);
    for c in visible_where(&s, actor, Kind::Territories, &s.data.territories, |c| {
        c.parent_id.as_deref() == Some(&t.id)
    }) {
        let c = &s.data.territories[c];
        subs.rows.push(vec![s.territory(Some(&c.id)), Cell::opt(c.region.clone())]);
    }
    // Accounts in it today: an applied assignment's dated row, else the account's own.
    let here: std::collections::HashSet<&str> = s
        .data
        .accounts
        .iter()
        .zip(s.data.territories_on(today))
        .filter(|(_, at)| *at == Some(t.id.as_str()))
        .map(|(a, _)| a.id.as_str())
        .collect();
    let mut accounts = Table::plain(&["Account", "Industry", "Country"]);
    for a in visible_where(&s, actor, Kind::Accounts, &s.data.accounts, |a| here.contains(a.id.as_str())) {
        let a = &s.data.accounts[a];
        accounts.rows.push(vec![
            s.account(Some(&a.id)),
            Cell::opt(a.industry.clone()),
            Cell::opt(a.country.clone()),
        ]);
    }
    let mut sections = vec![
        Section { heading: "Owners".into(), table: owners },
        Section { heading: "Sub-territories".into(), table: subs },
        Section { heading: "Accounts today".into(), table: accounts },
    ];
    // The rules are company-wide planning: the whole-company roles only.
    if actor.may(Permission::ViewPlan)
        && let Ok(rules) = state.app.territory_rules(actor, false)
    {
        let mut table =
            Table::plain(&["Rule", "From", "Until", "Note", "Decides today"]).numeric(&["Decides today"]);
        for r in rules.iter().filter(|r| r.rule.territory_id == t.id) {
            // A named account or an override reads with the account's name.
            let condition = match s.find(Kind::Accounts, r.rule.value.trim()).first() {
                Some(&i) if r.rule.basis.names_account() => {
                    format!("{} = {}", r.rule.basis.label(), s.data.accounts[i].name)
                }
                _ => r.rule.condition(),
            };
            table.rows.push(vec![
                Cell::link(condition, format!("/plan/territories#rule-{}", r.rule.id)),
                Cell::text(r.rule.validity.from.to_string()),
                Cell::opt(r.rule.validity.to.map(|d| d.to_string())),
                Cell::opt(r.rule.note.clone()),
                Cell::number(if r.in_force { group(r.decides) } else { "—".into() }),
            ]);
        }
        sections.push(Section { heading: "Assignment rules giving accounts to it".into(), table });
    }
    let manage = actor.may(Permission::ManagePlan).then(|| {
        let current = s
            .data
            .territory_owners
            .iter()
            .find(|o| o.territory_id == t.id && o.validity.contains(today))
            .map(|o| o.position_id.clone());
        let mut seats: Vec<(String, String)> = s
            .data
            .positions
            .iter()
            .filter(|p| p.validity.contains(today))
            .map(|p| {
                let holder = attain_core::domain::holder_of(&s.data.assignments, &p.id, today)
                    .map_or_else(|| "vacant".to_string(), |h| s.person_name(h));
                (p.id.clone(), format!("{} — {holder}", p.title))
            })
            .collect();
        seats.sort_by(|a, b| a.1.cmp(&b.1));
        let typed = |name: &str, default: String| sent.owner.as_ref().map_or(default, |(f, _)| f.text(name));
        Manage {
            action: format!("/territories/{}", segment(&t.id)),
            owner_action: format!("/territories/{}/owner", segment(&t.id)),
            fields: territory_fields(&s, Some(&t.id), sent.edit),
            seats,
            seat: typed("position_id", current.unwrap_or_default()),
            from: typed("valid_from", today.to_string()),
            owner_error: sent.owner.as_ref().map(|(_, e)| e.clone()),
        }
    });
    let page = TerritoryPage {
        chrome: Chrome::signed_in(t.name.clone(), actor, &viewer.csrf, "/territories"),
        back: ("Territories".into(), "/territories".into()),
        heading: t.name.clone(),
        subtitle: String::new(),
        facts,
        sections,
        notice,
        manage,
    };
    (code, render(&page)).into_response()
}

/// `POST /territories/{id}`: saves the name, parent and region, then the page again.
pub(crate) async fn edit_territory(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    match state.app.save_territory(&viewer.actor, Some(&id), &territory_request(&form)).await {
        Ok(t) => Redirect::to(&format!("/territories/{}?saved=territory", segment(&t.id))).into_response(),
        Err(e) => match form_error(&e) {
            Some(message) => {
                let code = crate::error::classify(e).0.status;
                let sent = Sent { edit: Some((&form, message)), ..Sent::default() };
                detail(&state, &viewer, &id, None, sent, code)
            }
            None => viewer.error(e),
        },
    }
}

/// `POST /territories/{id}/owner`: hands the territory to a seat from a day.
pub(crate) async fn hand_over(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let request = OwnerRequest { position_id: form.text("position_id"), valid_from: form.text("valid_from") };
    match state.app.set_territory_owner(&viewer.actor, &id, &request).await {
        Ok(_) => Redirect::to(&format!("/territories/{}?saved=owner", segment(&id))).into_response(),
        Err(e) => match form_error(&e) {
            Some(message) => {
                let code = crate::error::classify(e).0.status;
                let sent = Sent { owner: Some((&form, message)), ..Sent::default() };
                detail(&state, &viewer, &id, None, sent, code)
            }
            None => viewer.error(e),
        },
    }
}
