//! The objectives page: the objectives the viewer may see (their own for a rep, their team's
//! for a manager, all for the whole-company roles), the form to set one for a seat or a whole
//! team, and ending one behind a confirmation. The app decides who may do what.

use askama::Template;
use attain_app::plan::{ObjectiveRequest, ObjectiveRow, ObjectivesView};
use attain_core::Money;
use attain_core::domain::{Cadence, ObjectiveMeasure};
use attain_core::record::Choice;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::api::QueryPairs;
use crate::auth::Viewer;
use crate::server::AppState;
use crate::ui::view::{Chrome, form_error, format_money, segment};
use crate::ui::{FormData, render};

const HOME: &str = "/plan/objectives";

fn end_href(id: &str) -> String {
    format!("{HOME}/{}/end", segment(id))
}

/// The target as people read it: money grouped with its currency, a count as a number.
fn target(row: &ObjectiveRow) -> String {
    let o = &row.objective;
    match o.currency.and_then(|c| Money::new(o.target, c).ok()) {
        Some(m) => format_money(m),
        None => o.target.normalize().to_string(),
    }
}

struct Row {
    seat: String,
    holder: String,
    measure: &'static str,
    target: String,
    cadence: &'static str,
    from: String,
    to: String,
    status: (&'static str, &'static str),
    note: String,
    end: Option<String>,
}

fn row(r: &ObjectiveRow, today: attain_core::Date) -> Row {
    let o = &r.objective;
    let status = if r.in_force {
        ("In force", "won")
    } else if o.valid_from > today {
        ("Starts later", "open")
    } else {
        ("Ended", "superseded")
    };
    Row {
        seat: r.seat.clone(),
        holder: r.holder.clone().unwrap_or_else(|| "vacant".into()),
        measure: o.measure.label(),
        target: target(r),
        cadence: o.cadence.name(),
        from: o.valid_from.to_string(),
        to: o.valid_to.map(|d| d.to_string()).unwrap_or_default(),
        status,
        note: o.note.clone().unwrap_or_default(),
        end: (r.may_change && o.valid_to.is_none_or(|to| to > today)).then(|| end_href(&o.id)),
    }
}

/// The form's fields as typed (kept when the form comes back with an error).
struct Typed {
    who: String,
    measure: String,
    cadence: String,
    target: String,
    currency: String,
    from: String,
    to: String,
    note: String,
}

#[derive(Template)]
#[template(path = "plan_objectives.html")]
struct ObjectivesPage {
    chrome: Chrome,
    rows: Vec<Row>,
    history: bool,
    /// (value, label) of each choice of whom to set an objective for: a seat, or a team.
    whom: Vec<(String, String)>,
    measures: Vec<(&'static str, &'static str)>,
    cadences: Vec<(&'static str, &'static str)>,
    typed: Typed,
    may_import: bool,
    saved: Option<String>,
    error: Option<String>,
}

fn page(
    viewer: &Viewer,
    view: &ObjectivesView,
    history: bool,
    typed: Option<&FormData>,
    saved: Option<String>,
    error: Option<String>,
) -> ObjectivesPage {
    let today = view.today;
    let get = |name: &str, default: &str| typed.and_then(|f| f.get(name)).unwrap_or(default).to_string();
    let mut whom: Vec<(String, String)> = view
        .teams
        .iter()
        .map(|t| (format!("team:{}", t.id), format!("Every seller below {}", t.name)))
        .collect();
    whom.extend(view.seats.iter().map(|s| {
        let holder = s.holder.clone().unwrap_or_else(|| "vacant".into());
        (s.id.clone(), format!("{} ({holder})", s.name))
    }));
    let currency = viewer_currency(view);
    ObjectivesPage {
        chrome: Chrome::signed_in("Objectives", &viewer.actor, &viewer.csrf, HOME),
        rows: view.rows.iter().map(|r| row(r, today)).collect(),
        history,
        whom,
        measures: ObjectiveMeasure::ALL.iter().map(|m| (m.name(), m.label())).collect(),
        cadences: Cadence::NAMES.iter().map(|c| (*c, *c)).collect(),
        typed: Typed {
            who: get("who", ""),
            measure: get("measure", "calls"),
            cadence: get("cadence", "week"),
            target: get("target", ""),
            currency: get("currency", &currency),
            from: get("valid_from", &today.to_string()),
            to: get("valid_to", ""),
            note: get("note", ""),
        },
        may_import: viewer.actor.may(attain_app::Permission::EditData),
        saved,
        error,
    }
}

/// The currency a money objective is most likely in: the one the page's objectives use.
fn viewer_currency(view: &ObjectivesView) -> String {
    view.rows.iter().find_map(|r| r.objective.currency).map(|c| c.code().to_string()).unwrap_or_default()
}

/// `GET /plan/objectives[?history=1]`.
pub(crate) async fn objectives_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let history = matches!(query.get("history"), Some("1" | "true"));
    let saved = query.get("saved").and_then(|n| n.parse::<usize>().ok()).map(|n| match n {
        1 => "Objective set.".to_string(),
        n => format!("Objective set for {n} seats."),
    });
    match state.app.objectives(&viewer.actor, history) {
        Ok(view) => render(&page(&viewer, &view, history, None, saved, None)).into_response(),
        Err(e) => viewer.error(e),
    }
}

/// `POST /plan/objectives`: sets the objective, then back to the list.
pub(crate) async fn set_objective(State(state): State<AppState>, viewer: Viewer, form: FormData) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let who = form.text("who");
    let (seat, team) = match who.strip_prefix("team:") {
        Some(seat) => (seat.to_string(), true),
        None => (who.clone(), false),
    };
    let optional = |name: &str| form.get(name).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
    let request = ObjectiveRequest {
        seat,
        team,
        measure: form.text("measure"),
        cadence: form.text("cadence"),
        target: form.text("target"),
        currency: optional("currency"),
        valid_from: form.text("valid_from"),
        valid_to: optional("valid_to"),
        note: optional("note"),
    };
    // A count never has a currency: the form keeps the field filled for money measures, so
    // it is dropped here rather than refused.
    let request = match attain_core::domain::ObjectiveMeasure::parse(&request.measure) {
        Ok(m) if !m.is_money() => ObjectiveRequest { currency: None, ..request },
        _ => request,
    };
    match state.app.set_objectives(&viewer.actor, &request).await {
        Ok(written) => Redirect::to(&format!("{HOME}?saved={}", written.len())).into_response(),
        Err(e) => match form_error(&e) {
            Some(message) => {
                let code = crate::error::classify(e).0.status;
                match state.app.objectives(&viewer.actor, false) {
                    Ok(view) => {
                        (code, render(&page(&viewer, &view, false, Some(&form), None, Some(message))))
                            .into_response()
                    }
                    Err(e) => viewer.error(e),
                }
            }
            None => viewer.error(e),
        },
    }
}

#[derive(Template)]
#[template(path = "plan_objective_end.html")]
struct EndPage {
    chrome: Chrome,
    action: String,
    seat: String,
    sentence: String,
    from: String,
    to: String,
    error: Option<String>,
}

fn end_page(
    viewer: &Viewer,
    state: &AppState,
    id: &str,
    to: Option<&str>,
    error: Option<String>,
    code: StatusCode,
) -> Response {
    let r = match state.app.objective(&viewer.actor, id) {
        Ok(r) if r.may_change => r,
        // Seen but not theirs to change: the page is not for them.
        Ok(_) => return viewer.error(attain_app::AppError::Forbidden),
        Err(e) => return viewer.error(e),
    };
    let page = EndPage {
        chrome: Chrome::signed_in("End an objective", &viewer.actor, &viewer.csrf, HOME),
        action: end_href(id),
        seat: format!("{} ({})", r.seat, r.holder.clone().unwrap_or_else(|| "vacant".into())),
        sentence: r.objective.sentence(),
        from: r.objective.valid_from.to_string(),
        to: to.map_or_else(|| state.app.pay_today().to_string(), str::to_string),
        error,
    };
    (code, render(&page)).into_response()
}

/// `GET /plan/objectives/{id}/end`: the confirmation, with the day it ends.
pub(crate) async fn end_confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    end_page(&viewer, &state, &id, None, None, StatusCode::OK)
}

/// `POST /plan/objectives/{id}/end`.
pub(crate) async fn end_objective(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let to = form.text("valid_to");
    match state.app.end_objective(&viewer.actor, &id, &to).await {
        Ok(_) => Redirect::to(HOME).into_response(),
        Err(e) => match form_error(&e) {
            Some(message) => {
                let code = crate::error::classify(e).0.status;
                end_page(&viewer, &state, &id, Some(&to), Some(message), code)
            }
            None => viewer.error(e),
        },
    }
}
