//! The browser UI: server-rendered pages (askama templates in `templates/`), our own CSS and
//! a little JavaScript that only enhances. Every page works without JavaScript.

mod admin;
mod chart;
mod import;
pub(crate) mod menu;
mod pages;
mod pay;
mod plan;
mod session;
pub(crate) mod view;

use askama::Template;
use attain_app::AppError;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::server::AppState;
use view::Chrome;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/setup", get(session::setup_page).post(session::setup))
        .route("/", get(pages::home))
        .route("/people", get(pages::people))
        .route("/people/{id}", get(pages::person))
        .route("/org", get(pages::org_chart))
        .route("/territories", get(pages::territories).post(pages::add_territory))
        .route("/territories/new", get(pages::new_territory))
        .route("/territories/{id}", get(pages::territory).post(pages::edit_territory))
        .route("/territories/{id}/owner", post(pages::hand_over))
        .route("/accounts", get(pages::accounts))
        .route("/accounts/{id}", get(pages::account))
        .route("/opportunities", get(pages::opportunities))
        .route("/opportunities/board", get(pages::board))
        .route("/opportunities/{id}", get(pages::opportunity))
        .route("/activities", get(pages::activities))
        .route("/activities/{id}", get(pages::activity))
        .route("/transactions", get(pages::transactions))
        .route("/transactions/{id}", get(pages::transaction))
        .route("/compensation", get(pages::compensation))
        .route("/compensation/quotas", get(pages::quotas))
        .route("/compensation/quotas/{id}", get(pages::quota))
        .route("/compensation/plan-assignments", get(pages::plan_assignments))
        .route("/compensation/plan-assignments/{id}", get(pages::plan_assignment))
        .route("/compensation/credit-splits", get(pages::credit_splits))
        .route("/compensation/credit-splits/{id}", get(pages::credit_split))
        .route("/compensation/adjustments", get(pages::adjustments))
        .route("/compensation/adjustments/{id}", get(pages::adjustment))
        .route("/account", get(admin::account_page))
        .route("/account/tokens", post(admin::create_token))
        .route("/account/tokens/{id}/revoke", post(admin::revoke_token))
        .route("/account/password", post(admin::change_password))
        .route("/admin/users", get(admin::users_page).post(admin::add_user))
        .route("/admin/users/{login}/disable", post(admin::disable_user))
        .route("/admin/users/{login}/enable", post(admin::enable_user))
        .route("/admin/users/{login}/password", post(admin::reset_password))
        .route("/admin/audit", get(admin::audit_page))
        .route("/import", get(import::import_page))
        .route("/plan/revenue", get(plan::years_page))
        .route("/plan/capacity", get(plan::capacity::capacity_page))
        .route(
            "/plan/objectives",
            get(plan::objectives::objectives_page).post(plan::objectives::set_objective),
        )
        .route(
            "/plan/objectives/{id}/end",
            get(plan::objectives::end_confirm).post(plan::objectives::end_objective),
        )
        .route(
            "/plan/territories",
            get(plan::territories::rules::rules_page).post(plan::territories::rules::save_rule),
        )
        .route(
            "/plan/territories/rules/{id}/end",
            get(plan::territories::rules::end_confirm).post(plan::territories::rules::end_rule),
        )
        .route(
            "/plan/territories/assign",
            get(plan::territories::assign::assign_page).post(plan::territories::assign::apply),
        )
        .route("/plan/territories/assign/confirm", get(plan::territories::assign::confirm_page))
        .route("/plan/territories/balance", get(plan::territories::balance::balance_page))
        .route(
            "/plan/territories/balance/take",
            get(plan::territories::balance::take_confirm).post(plan::territories::balance::take),
        )
        .route("/plan/quotas", get(plan::quotas::year_page))
        .route("/plan/quotas/allocate", get(plan::quotas::allocate_page).post(plan::quotas::allocate))
        .route("/plan/quotas/sheets/{id}", get(plan::quotas::sheet_page).post(plan::quotas::save_sheet))
        .route("/plan/quotas/sheets/{id}/submit", axum::routing::post(plan::quotas::submit_sheet))
        .route("/plan/quotas/sheets/{id}/return", axum::routing::post(plan::quotas::return_sheet))
        .route(
            "/plan/quotas/sheets/{id}/approve",
            get(plan::quotas::approve_confirm).post(plan::quotas::approve),
        )
        .route("/plan/revenue/{year}", get(plan::year_page))
        .route("/plan/revenue/{year}/edit", get(plan::edit_page).post(plan::save_draft))
        .route(
            "/plan/revenue/{year}/versions/{version}/approve",
            get(plan::approve_confirm).post(plan::approve),
        )
        .route("/pay", get(pay::pay_home))
        .route("/pay/statements", get(pay::statements_page))
        .route("/pay/statements/{period}/{person}", get(pay::statement_page))
        .route("/pay/statements/{period}/{person}/explain", get(pay::explain_page))
        .route("/pay/runs", get(pay::runs_page).post(pay::run_month))
        .route("/pay/periods/{period}/close", get(pay::close_confirm).post(pay::close_month))
        .route("/pay/periods/{period}/reopen", post(pay::reopen_month))
        .route("/pay/adjustments", post(pay::add_adjustment))
        .route("/pay/plans/assign", post(pay::assign_plan))
        .route("/pay/plans/remove", post(pay::remove_plan))
}

/// Routes that take large bodies (CSV uploads).
pub(crate) fn upload_routes() -> Router<AppState> {
    Router::new().route("/import", post(import::import_upload))
}

/// The plans page, whose save carries the previewed files hex-encoded (twice their size): its
/// body limit is twice the JSON limit, so any plans the API would take the page takes too.
pub(crate) fn plan_routes() -> Router<AppState> {
    Router::new().route("/pay/plans", get(pay::plans_page).post(pay::upload_plans))
}

/// Renders a template, or a plain error page if the template fails (a bug of ours).
pub(crate) fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<h1>Internal error</h1>".to_string())).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    chrome: Chrome,
    heading: &'a str,
    text: &'a str,
}

/// An HTML error page with `status`.
pub(crate) fn error_page(status: StatusCode, heading: &str, text: &str) -> Response {
    let page = MessagePage { chrome: Chrome::public(heading), heading, text };
    (status, render(&page)).into_response()
}

/// An app error as an HTML page; out-of-scope records look exactly like missing ones.
pub(crate) fn app_error_page(error: AppError) -> Response {
    error_response(None, error)
}

impl crate::auth::Viewer {
    /// An app error as a page that keeps the signed-in user's menu, so a 404 is not a dead end.
    pub(crate) fn error(&self, error: AppError) -> Response {
        error_response(Some(self), error)
    }
}

fn error_response(viewer: Option<&crate::auth::Viewer>, error: AppError) -> Response {
    let (api, _) = crate::error::classify(error);
    let heading = match api.status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::INTERNAL_SERVER_ERROR => "Something went wrong",
        _ => "That did not work",
    };
    let text = match api.status {
        StatusCode::NOT_FOUND => "There is nothing here, or it is not yours to see.".to_string(),
        _ => sentence(&api.message),
    };
    let chrome = match viewer {
        Some(v) => Chrome::signed_in(heading, &v.actor, &v.csrf, ""),
        None => Chrome::public(heading),
    };
    let page = MessagePage { chrome, heading, text: &text };
    (api.status, render(&page)).into_response()
}

/// When a throttled person may try again, in words: "Try again in a minute." / "in 7 minutes."
pub(crate) fn try_again_in(retry_after_secs: u64) -> String {
    match retry_after_secs.div_ceil(60) {
        0 | 1 => "Try again in a minute.".to_string(),
        minutes => format!("Try again in {minutes} minutes."),
    }
}

/// A throttled page answers 429 with `Retry-After`, like the API, for clients and proxies.
pub(crate) fn too_many(mut response: Response, retry_after_secs: u64) -> Response {
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    if let Ok(value) = axum::http::HeaderValue::from_str(&retry_after_secs.to_string()) {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
    }
    response
}

/// A message as a sentence: capitalised, with a full stop.
fn sentence(message: &str) -> String {
    let mut chars = message.trim().chars();
    let mut text: String =
        chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default();
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// A URL-encoded form body as ordered pairs; too large or unreadable is an HTML 4xx page.
#[derive(Debug, Clone, Default)]
pub(crate) struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").to_string()
    }
}

impl FromRequest<AppState> for FormData {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state).await.map_err(|_| {
            error_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Too much data",
                "The form sent more than the server accepts.",
            )
        })?;
        Ok(FormData(form_urlencoded::parse(&bytes).into_owned().collect()))
    }
}

struct Operation {
    method: String,
    path: String,
    summary: String,
    parameters: Vec<(String, String, String)>,
    responses: Vec<(String, String)>,
}

struct Group {
    tag: String,
    operations: Vec<Operation>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocs {
    chrome: Chrome,
    groups: Vec<Group>,
}

/// The API reference page, rendered from the OpenAPI document.
pub(crate) fn api_reference(doc: &serde_json::Value) -> String {
    let mut groups: Vec<Group> = Vec::new();
    let text = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            let shared: Vec<serde_json::Value> =
                item.get("parameters").and_then(|p| p.as_array()).cloned().unwrap_or_default();
            for method in ["get", "post", "put", "delete"] {
                let Some(op) = item.get(method) else { continue };
                let tag = op.get("tags").and_then(|t| t.get(0)).and_then(|t| t.as_str()).unwrap_or("other");
                let own: Vec<serde_json::Value> =
                    op.get("parameters").and_then(|p| p.as_array()).cloned().unwrap_or_default();
                let parameters = shared
                    .iter()
                    .chain(&own)
                    .map(|p| (text(p, "name"), text(p, "in"), text(p, "description")))
                    .collect();
                let responses = op
                    .get("responses")
                    .and_then(|r| r.as_object())
                    .map(|r| r.iter().map(|(code, v)| (code.clone(), text(v, "description"))).collect())
                    .unwrap_or_default();
                let operation = Operation {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary: text(op, "summary"),
                    parameters,
                    responses,
                };
                match groups.iter_mut().find(|g| g.tag == tag) {
                    Some(g) => g.operations.push(operation),
                    None => groups.push(Group { tag: tag.to_string(), operations: vec![operation] }),
                }
            }
        }
    }
    let page = ApiDocs { chrome: Chrome::public("API reference"), groups };
    page.render().unwrap_or_else(|e| format!("<h1>API reference unavailable</h1><p>{e}</p>"))
}
