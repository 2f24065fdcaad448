//! The runs of every month, and (for admins and comp admins) running, closing and reopening a
//! month. A refused action (a month closed twice, reopened out of order) is a message on the
//! page, with its status, never an error page.

use askama::Template;
use attain_app::pay::{CloseRequest, RunInfo, RunOutcome, RunStatus};
use attain_app::{AppError, Permission};
use attain_core::Period;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{Tab, month_of, status, tabs, totals};
use crate::auth::Viewer;
use crate::server::AppState;
use crate::ui::view::Chrome;
use crate::ui::view::{form_error, instant, month_name};
use crate::ui::{FormData, render};

struct RunRow {
    period: String,
    month: String,
    version: i64,
    status: (&'static str, &'static str),
    payees: i64,
    totals: String,
    created: (String, String),
    closed: (String, String),
    reopened: (String, String),
    reason: String,
    statements: String,
    can_close: bool,
    can_reopen: bool,
}

struct OutcomeView {
    heading: String,
    facts: Vec<(&'static str, String)>,
    statements: String,
}

#[derive(Template)]
#[template(path = "pay_runs.html")]
struct RunsPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    manage: bool,
    next_month: String,
    /// (person id, name) for the adjustment form.
    people: Vec<(String, String)>,
    rows: Vec<RunRow>,
    outcome: Option<OutcomeView>,
    notice: Option<String>,
    error: Option<String>,
}

/// What the page says after an action.
#[derive(Default)]
struct After {
    outcome: Option<RunOutcome>,
    notice: Option<String>,
    error: Option<String>,
}

/// Who did something, and when (to the minute).
fn who_when(by: Option<&str>, at: Option<&str>) -> (String, String) {
    (by.unwrap_or_default().to_string(), at.map(instant).unwrap_or_default())
}

/// The month to offer in the run form: the open draft's, else the month after the last closed.
fn month_to_run(runs: &[RunInfo]) -> Option<Period> {
    let draft = runs.iter().filter(|r| r.status == RunStatus::Draft).map(|r| r.period).max();
    let closed = runs.iter().filter(|r| r.status == RunStatus::Closed).map(|r| r.period).max();
    draft.or(closed.map(Period::next_month))
}

/// The closed months a run recalculated for prior-period adjustments, as a range.
fn recalculated(months: &[Period]) -> String {
    match months {
        [] => "none: no closed month's data changed".into(),
        [one] => format!("1 ({})", month_name(*one)),
        [first, .., last] => {
            format!("{} ({} to {})", months.len(), month_name(*first), month_name(*last))
        }
    }
}

fn outcome_view(o: &RunOutcome) -> OutcomeView {
    let run = &o.run;
    let compared = match &o.previous {
        Some(p) => format!("{} of {} (against version {})", o.changed_payees, run.payees, p.version),
        None => format!("{} (the month's first run)", o.changed_payees),
    };
    OutcomeView {
        heading: format!(
            "Ran {} as version {} ({})",
            month_name(run.period),
            run.version,
            status(run.status).0
        ),
        facts: vec![
            ("Version", run.version.to_string()),
            ("Payees", run.payees.to_string()),
            ("Total payout", totals(run)),
            ("Payees whose payout changed", compared),
            ("Prior-period lines", o.prior_period_lines.to_string()),
            ("Closed months recalculated", recalculated(&o.recalculated_months)),
            ("Notes", o.notes.to_string()),
        ],
        statements: format!("/pay/statements?period={}", run.period),
    }
}

async fn runs_view(state: &AppState, viewer: &Viewer, after: After, code: StatusCode) -> Response {
    let actor = &viewer.actor;
    let mut runs = match state.app.runs(actor).await {
        Ok(runs) => runs,
        Err(e) => return viewer.error(e),
    };
    runs.sort_by(|a, b| b.period.cmp(&a.period).then(b.version.cmp(&a.version)));
    let manage = actor.may(Permission::ManagePay);
    let last_closed = runs.iter().filter(|r| r.status == RunStatus::Closed).map(|r| r.period).max();
    let rows = runs
        .iter()
        .map(|r| RunRow {
            period: r.period.to_string(),
            month: month_name(r.period),
            version: r.version,
            status: status(r.status),
            payees: r.payees,
            totals: totals(r),
            created: who_when(Some(&r.created_by), Some(&r.created_at)),
            closed: who_when(r.closed_by.as_deref(), r.closed_at.as_deref()),
            reopened: who_when(r.reopened_by.as_deref(), r.reopened_at.as_deref()),
            reason: r.reopen_reason.clone().unwrap_or_default(),
            statements: format!("/pay/statements?period={}", r.period),
            can_close: manage && r.status == RunStatus::Draft,
            can_reopen: manage && r.status == RunStatus::Closed && Some(r.period) == last_closed,
        })
        .collect();
    let page = RunsPage {
        chrome: Chrome::signed_in("Pay runs", actor, &viewer.csrf, "/pay/runs"),
        tabs: tabs(actor, "/pay/runs"),
        manage,
        next_month: month_to_run(&runs).map(|p| p.to_string()).unwrap_or_default(),
        people: if manage { people(state) } else { Vec::new() },
        rows,
        outcome: after.outcome.as_ref().map(outcome_view),
        notice: after.notice,
        error: after.error,
    };
    (code, render(&page)).into_response()
}

/// Everyone, by name, for the adjustment form.
fn people(state: &AppState) -> Vec<(String, String)> {
    let snapshot = state.app.snapshot();
    let mut people: Vec<(String, String)> =
        snapshot.data.people.iter().map(|p| (p.id.clone(), format!("{} ({})", p.name, p.id))).collect();
    people.sort_by(|a, b| a.1.cmp(&b.1));
    people
}

/// `POST /pay/adjustments`: adds a manual adjustment (paid by the month's next run).
pub(crate) async fn add_adjustment(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let new = attain_app::pay::NewAdjustment {
        person_id: form.get("person_id").unwrap_or("").to_string(),
        period: form.get("period").unwrap_or("").to_string(),
        amount: form.get("amount").unwrap_or("").to_string(),
        currency: form.get("currency").map(str::to_string),
        reason: form.get("reason").unwrap_or("").to_string(),
    };
    match state.app.add_adjustment(&viewer.actor, new.clone()).await {
        Ok(_) => {
            let notice = format!(
                "Added an adjustment of {} for {} in {}: the month's next run pays it (a closed month's \
                 arrives as a prior-period line in the open month).",
                new.amount.trim(),
                new.person_id,
                new.period.trim()
            );
            runs_view(&state, &viewer, After { notice: Some(notice), ..After::default() }, StatusCode::OK)
                .await
        }
        Err(e) => refused(&state, &viewer, e).await,
    }
}

pub(crate) async fn runs_page(State(state): State<AppState>, viewer: Viewer) -> Response {
    runs_view(&state, &viewer, After::default(), StatusCode::OK).await
}

/// The page after an action that went wrong: the message with the error's status, or the
/// error page when it is not the form's fault (a role that may not, say).
async fn refused(state: &AppState, viewer: &Viewer, e: AppError) -> Response {
    match form_error(&e) {
        Some(message) => {
            let code = crate::error::classify(e).0.status;
            runs_view(state, viewer, After { error: Some(message), ..After::default() }, code).await
        }
        None => viewer.error(e),
    }
}

/// `POST /pay/runs`: calculates the month in the form.
pub(crate) async fn run_month(State(state): State<AppState>, viewer: Viewer, form: FormData) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let period = match attain_app::pay::month(form.get("period").unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return refused(&state, &viewer, e).await,
    };
    match state.app.calculate(&viewer.actor, period).await {
        Ok(outcome) => {
            let after = After { outcome: Some(outcome), ..After::default() };
            runs_view(&state, &viewer, after, StatusCode::OK).await
        }
        Err(e) => refused(&state, &viewer, e).await,
    }
}

#[derive(Template)]
#[template(path = "pay_close.html")]
struct ClosePage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    month: String,
    period: String,
    version: i64,
    total: String,
    ends: String,
    ended: bool,
    can_close: bool,
    facts: Vec<(&'static str, String)>,
    error: Option<String>,
}

/// The confirmation page of a close: the month, its draft's version, payees and total, and,
/// for a month that has not ended, the override and its reason.
async fn close_view(
    state: &AppState,
    viewer: &Viewer,
    period: Period,
    error: Option<String>,
    code: StatusCode,
) -> Response {
    let actor = &viewer.actor;
    let preview = match state.app.close_preview(actor, period).await {
        Ok(p) => p,
        Err(e) => return refused(state, viewer, e).await,
    };
    let run = &preview.run;
    let page = ClosePage {
        chrome: Chrome::signed_in(format!("Close {}", month_name(period)), actor, &viewer.csrf, "/pay/runs"),
        tabs: tabs(actor, "/pay/runs"),
        month: month_name(period),
        period: period.to_string(),
        version: run.version,
        total: totals(run),
        ends: preview.ends.to_string(),
        ended: preview.ended,
        can_close: run.status == RunStatus::Draft,
        facts: vec![
            ("Month", month_name(period)),
            ("Run version", run.version.to_string()),
            ("Status", status(run.status).0.to_string()),
            ("Payees", run.payees.to_string()),
            ("Total payout", totals(run)),
            (
                "Month ends",
                if preview.ended {
                    "ended".to_string()
                } else {
                    format!("not yet: {} begins the next month", preview.ends)
                },
            ),
        ],
        error,
    };
    (code, render(&page)).into_response()
}

/// `GET /pay/periods/{period}/close`: the confirmation page the runs page's Close button opens.
pub(crate) async fn close_confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(month): Path<String>,
) -> Response {
    let period = match month_of(&viewer, &month) {
        Ok(p) => p,
        Err(page) => return *page,
    };
    close_view(&state, &viewer, period, None, StatusCode::OK).await
}

/// `POST /pay/periods/{period}/close`: closes the confirmed draft. A post without the
/// confirmation page's `confirm` shows that page instead of closing.
pub(crate) async fn close_month(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(month): Path<String>,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let period = match month_of(&viewer, &month) {
        Ok(p) => p,
        Err(page) => return *page,
    };
    if form.get("confirm") != Some("yes") {
        return close_view(&state, &viewer, period, None, StatusCode::OK).await;
    }
    let version = match form.get("version").map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => match v.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                return refused(
                    &state,
                    &viewer,
                    AppError::invalid("version", format!("`{v}` is not a run version")),
                )
                .await;
            }
        },
        None => None,
    };
    let request = CloseRequest {
        version,
        before_month_end: form.get("before_month_end").is_some(),
        reason: form.get("reason").map(str::to_string),
    };
    match state.app.close_period(&viewer.actor, period, request).await {
        Ok(run) => {
            let notice = format!(
                "Closed {} (version {}, total {}): it is final.",
                month_name(run.period),
                run.version,
                totals(&run)
            );
            runs_view(&state, &viewer, After { notice: Some(notice), ..After::default() }, StatusCode::OK)
                .await
        }
        Err(e) => match form_error(&e) {
            Some(message) => {
                let code = crate::error::classify(e).0.status;
                close_view(&state, &viewer, period, Some(message), code).await
            }
            None => viewer.error(e),
        },
    }
}

/// `POST /pay/periods/{period}/reopen`, with the reason.
pub(crate) async fn reopen_month(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(month): Path<String>,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let period = match month_of(&viewer, &month) {
        Ok(p) => p,
        Err(page) => return *page,
    };
    match state.app.reopen_period(&viewer.actor, period, form.get("reason").unwrap_or("")).await {
        Ok(run) => {
            let notice = format!("Reopened {}: run it again to make a new draft.", month_name(run.period));
            runs_view(&state, &viewer, After { notice: Some(notice), ..After::default() }, StatusCode::OK)
                .await
        }
        Err(e) => refused(&state, &viewer, e).await,
    }
}
