//! The Assign tab: what applying the rules in force on a day moves (each account, from which
//! territory and owner to which, by which rule), and applying it: the comp admin goes from the
//! preview to a confirmation page listing the same moves, whose POST applies them. The page
//! carries a fingerprint of the moves it showed; when the data changed since, the apply is
//! refused and the confirmation shown again with the moves as they are now.

use askama::Template;
use attain_app::plan::{AssignmentMove, AssignmentPreview};
use attain_app::{AppError, Permission};
use attain_core::Date;
use attain_core::dating::parse_date;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{ASSIGN, HOME, Tab, accounts, fingerprint, move_groups, tabs, with_owner};
use crate::api::QueryPairs;
use crate::auth::Viewer;
use crate::server::AppState;
use crate::ui::view::{Chrome, form_error, group, segment};
use crate::ui::{FormData, render};

const CONFIRM: &str = "/plan/territories/assign/confirm";

struct MoveRow {
    account: String,
    account_href: String,
    from: String,
    from_owner: String,
    to: String,
    to_owner: String,
    rule: String,
}

fn move_rows(preview: &AssignmentPreview) -> Vec<MoveRow> {
    preview
        .moves
        .iter()
        .map(|m| MoveRow {
            account: m.account.clone(),
            account_href: format!("/accounts/{}", segment(&m.account_id)),
            from: m.from_name.clone().unwrap_or_else(|| "no territory".into()),
            from_owner: m.from_owner.clone().unwrap_or_else(|| "no owner".into()),
            to: m.to_name.clone(),
            to_owner: m.to_owner.clone().unwrap_or_else(|| "no owner".into()),
            rule: m.rule.clone(),
        })
        .collect()
}

fn summary(p: &AssignmentPreview) -> Vec<(&'static str, String)> {
    vec![
        ("On", p.on.to_string()),
        ("Rules in force", group(p.rules_in_force)),
        ("Accounts", group(p.accounts)),
        ("Decided by a rule", group(p.decided)),
        ("Moving", group(p.moves.len())),
    ]
}

/// "3 accounts from Ontario 2 (Jane Doe) to Quebec 1 (Li Wei)", one line per pair.
fn groups(moves: &[AssignmentMove]) -> Vec<String> {
    move_groups(moves.iter().map(|m| {
        let from = match &m.from_name {
            Some(name) => with_owner(name, m.from_owner.as_deref()),
            None => "no territory".to_string(),
        };
        (from, with_owner(&m.to_name, m.to_owner.as_deref()))
    }))
}

fn moves_fingerprint(p: &AssignmentPreview) -> String {
    fingerprint(p.moves.iter().map(|m| (m.account_id.as_str(), m.to_territory.as_str())))
}

/// The day asked for (`on`), the app's today when none is.
fn day(state: &AppState, text: Option<&str>) -> Result<Date, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(state.app.pay_today()),
        Some(t) => parse_date(t).map_err(|e| format!("on: {e}")),
    }
}

#[derive(Template)]
#[template(path = "plan_territory_assign.html")]
struct AssignPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    on: String,
    summary: Vec<(&'static str, String)>,
    moves: Vec<MoveRow>,
    /// The confirmation's address, for those who may apply when something moves.
    confirm: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

/// `GET /plan/territories/assign?on=YYYY-MM-DD`: the preview.
pub(crate) async fn assign_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    // Whole-company roles only: anyone else is told nothing is here, whatever the day says.
    if !viewer.actor.may(Permission::ViewPlan) {
        return viewer.error(AppError::NotFound);
    }
    let mut page = AssignPage {
        chrome: Chrome::signed_in("Territory assignment", &viewer.actor, &viewer.csrf, HOME),
        tabs: tabs(ASSIGN),
        on: query.get("on").unwrap_or_default().to_string(),
        summary: Vec::new(),
        moves: Vec::new(),
        confirm: None,
        notice: None,
        error: None,
    };
    let on = match day(&state, query.get("on")) {
        Ok(on) => on,
        Err(message) => {
            page.error = Some(message);
            return (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response();
        }
    };
    page.on = on.to_string();
    let count = |name: &str| query.get(name).and_then(|n| n.parse::<usize>().ok());
    page.notice = match (count("moved"), count("taken")) {
        (Some(n), _) => Some(format!("Moved {} on {on}.", accounts(n))),
        (None, Some(n)) => Some(format!(
            "{} written as override rules from {on}. Nothing has moved yet: check the moves below and apply them.",
            match n {
                1 => "1 balance move".to_string(),
                n => format!("{n} balance moves"),
            }
        )),
        (None, None) => None,
    };
    match state.app.assign_territories(&viewer.actor, on, false).await {
        Ok(preview) => {
            page.summary = summary(&preview);
            page.moves = move_rows(&preview);
            page.confirm = (viewer.actor.may(Permission::ManagePlan) && !preview.moves.is_empty())
                .then(|| format!("{CONFIRM}?on={on}"));
            render(&page).into_response()
        }
        Err(e) => match form_error(&e) {
            Some(message) => {
                page.error = Some(message);
                (crate::error::classify(e).0.status, render(&page)).into_response()
            }
            None => viewer.error(e),
        },
    }
}

#[derive(Template)]
#[template(path = "plan_territory_assign_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    on: String,
    back: String,
    headline: String,
    groups: Vec<String>,
    moves: Vec<MoveRow>,
    fingerprint: String,
    error: Option<String>,
}

/// The confirmation for applying the rules on `on`, or the page saying why there is none.
async fn confirm_view(
    state: &AppState,
    viewer: &Viewer,
    on: Date,
    error: Option<String>,
    code: StatusCode,
) -> Response {
    if !viewer.actor.may(Permission::ViewPlan) {
        return viewer.error(AppError::NotFound);
    }
    if !viewer.actor.may(Permission::ManagePlan) {
        return viewer.error(AppError::Forbidden);
    }
    let preview = match state.app.assign_territories(&viewer.actor, on, false).await {
        Ok(p) => p,
        Err(e) => match form_error(&e) {
            // Conflicting rules: the preview page says so, with the day's form.
            Some(_) => return Redirect::to(&format!("{ASSIGN}?on={on}")).into_response(),
            None => return viewer.error(e),
        },
    };
    let headline = match preview.moves.len() {
        0 => format!("Nothing to apply on {on}: every account a rule decides is already in its territory."),
        n => format!(
            "Applying the rules in force on {on} moves {} into the territory its rule gives it, from {on}. Earlier days keep the territories they had.",
            accounts(n)
        ),
    };
    let page = ConfirmPage {
        chrome: Chrome::signed_in("Apply the territory assignment", &viewer.actor, &viewer.csrf, HOME),
        on: on.to_string(),
        back: format!("{ASSIGN}?on={on}"),
        headline,
        groups: groups(&preview.moves),
        moves: move_rows(&preview),
        fingerprint: moves_fingerprint(&preview),
        error,
    };
    (code, render(&page)).into_response()
}

/// `GET /plan/territories/assign/confirm?on=YYYY-MM-DD`.
pub(crate) async fn confirm_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    match day(&state, query.get("on")) {
        Ok(on) => confirm_view(&state, &viewer, on, None, StatusCode::OK).await,
        Err(_) => Redirect::to(ASSIGN).into_response(),
    }
}

/// `POST /plan/territories/assign`: applies the moves the confirmation showed, then the
/// preview again with what moved.
pub(crate) async fn apply(State(state): State<AppState>, viewer: Viewer, form: FormData) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let on = match day(&state, form.get("on")) {
        Ok(on) => on,
        Err(message) => return viewer.error(AppError::Invalid { field: None, message }),
    };
    // What would move now against what the page showed.
    let now = match state.app.assign_territories(&viewer.actor, on, false).await {
        Ok(p) => p,
        Err(e) => return failed(&state, &viewer, on, e).await,
    };
    if form.get("fingerprint") != Some(moves_fingerprint(&now).as_str()) {
        let message = "The moves changed since that page was shown (a rule or an account changed): these are the moves now. Check them and apply again.";
        return confirm_view(&state, &viewer, on, Some(message.to_string()), StatusCode::CONFLICT).await;
    }
    match state.app.assign_territories(&viewer.actor, on, true).await {
        Ok(done) => Redirect::to(&format!("{ASSIGN}?on={on}&moved={}", done.moves.len())).into_response(),
        Err(e) => failed(&state, &viewer, on, e).await,
    }
}

/// A refused apply: the confirmation again with the reason, or the error page.
async fn failed(state: &AppState, viewer: &Viewer, on: Date, e: AppError) -> Response {
    match form_error(&e) {
        Some(message) => {
            let code = crate::error::classify(e).0.status;
            confirm_view(state, viewer, on, Some(message), code).await
        }
        None => viewer.error(e),
    }
}
