//! The JSON API under `/api/v1` (conventions in docs/api.md). Every handler extracts the
//! actor, makes one app call and maps the result.

mod extract;
pub(crate) mod pay;
pub(crate) mod plan;
pub(crate) mod records;
pub(crate) mod users;

use attain_app::Role;
use attain_core::Kind;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Json};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::json;

pub(crate) use extract::{JsonBody, QueryPairs};
pub(crate) use records::list_query;
pub(crate) use users::audit_filter;

use crate::auth::ApiActor;
use crate::error::ApiResult;
use crate::server::AppState;

pub(crate) fn routes() -> Router<AppState> {
    let routes = Router::new()
        .route("/api/health", get(health))
        .route("/api/openapi.json", get(crate::openapi::serve_json))
        .route("/api/docs", get(crate::openapi::serve_page))
        .route("/api/v1/me", get(me))
        .route("/api/v1/users", get(users::list).post(users::create))
        .route("/api/v1/users/{login}", get(users::show))
        .route("/api/v1/users/{login}/disable", post(users::disable))
        .route("/api/v1/users/{login}/enable", post(users::enable))
        .route("/api/v1/users/{login}/password", post(users::password))
        .route("/api/v1/tokens", get(users::tokens).post(users::create_token))
        .route("/api/v1/tokens/{id}", axum::routing::delete(users::revoke_token))
        .route("/api/v1/audit", get(users::audit))
        .route("/api/v1/audit/verify", get(users::verify))
        .route("/api/v1/plan/revenue", get(plan::revenue::years))
        .route("/api/v1/plan/revenue/{year}", get(plan::revenue::year))
        .route("/api/v1/plan/revenue/{year}/draft", axum::routing::put(plan::revenue::put_draft))
        .route("/api/v1/plan/revenue/{year}/learned-shares", get(plan::revenue::learned_shares))
        .route("/api/v1/plan/revenue/{year}/versions/{version}/approve", post(plan::revenue::approve))
        .route("/api/v1/plan/capacity/{year}", get(plan::capacity::capacity))
        .route("/api/v1/plan/objectives", get(plan::objectives::list).post(plan::objectives::set))
        .route("/api/v1/plan/objectives/{id}/end", post(plan::objectives::end))
        .route("/api/v1/plan/territories", post(plan::territories::create))
        .route(
            "/api/v1/plan/territories/rules",
            get(plan::territories::rules).post(plan::territories::save_rule),
        )
        .route("/api/v1/plan/territories/rules/{id}/end", post(plan::territories::end_rule))
        .route(
            "/api/v1/plan/territories/assignment",
            get(plan::territories::preview).post(plan::territories::apply),
        )
        .route("/api/v1/plan/territories/balance", get(plan::territories::balance))
        .route("/api/v1/plan/territories/balance/moves", post(plan::territories::take_moves))
        .route("/api/v1/plan/territories/{id}", axum::routing::put(plan::territories::save))
        .route("/api/v1/plan/territories/{id}/owner", post(plan::territories::owner))
        .route("/api/v1/plan/quotas/allocate", post(plan::quotas::allocate))
        .route("/api/v1/plan/quotas/{year}", get(plan::quotas::sheets))
        .route("/api/v1/plan/quotas/sheets/{id}", get(plan::quotas::sheet).put(plan::quotas::put_sheet))
        .route("/api/v1/plan/quotas/sheets/{id}/submit", post(plan::quotas::submit))
        .route("/api/v1/plan/quotas/sheets/{id}/approve", post(plan::quotas::approve))
        .route("/api/v1/plan/quotas/sheets/{id}/return", post(plan::quotas::send_back))
        .route("/api/v1/pay/plans", get(pay::plans).put(pay::put_plans))
        .route("/api/v1/pay/plans/{name}", axum::routing::delete(pay::remove_plan))
        .route("/api/v1/pay/runs", get(pay::runs).post(pay::calculate))
        .route("/api/v1/pay/periods/{period}/close", post(pay::close))
        .route("/api/v1/pay/periods/{period}/reopen", post(pay::reopen))
        .route("/api/v1/pay/statements", get(pay::statements))
        .route("/api/v1/pay/statements/{period}/{person_id}", get(pay::statement))
        .route("/api/v1/pay/statements/{period}/{person_id}/trace", get(pay::trace))
        .route("/api/v1/pay/payroll", get(pay::payroll))
        .route("/api/v1/{resource}", get(records::list))
        .route("/api/v1/{resource}/{id}", get(records::show).put(records::put));
    // Kinds changed only by import have no PUT, so their path answers 405 and its Allow header
    // names GET alone (a route of their own: static segments win over `{resource}`).
    Kind::ALL.into_iter().filter(|&k| !attain_app::records::editable(k)).fold(routes, |routes, kind| {
        routes.route(
            &format!("/api/v1/{}/{{id}}", kind.name()),
            get(move |state: State<AppState>, actor: ApiActor, Path(id): Path<String>| {
                records::show_one(state, actor, kind, id)
            }),
        )
    })
}

/// Routes that take large bodies (CSV uploads).
pub(crate) fn upload_routes() -> Router<AppState> {
    Router::new().route("/api/v1/imports/{resource}", post(records::import))
}

/// Liveness and database reachability, without signing in (for load balancers).
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match state.app.store().user_count().await {
        Ok(_) => (axum::http::StatusCode::OK, Json(json!({"status": "ok", "database": "ok"}))),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "database": "error"})),
            )
        }
    }
}

#[derive(Serialize)]
struct Me {
    login: String,
    display_name: String,
    role: Role,
    person_id: Option<String>,
    via: String,
}

async fn me(ApiActor(actor): ApiActor) -> ApiResult<Json<Me>> {
    Ok(Json(Me {
        login: actor.login,
        display_name: actor.display_name,
        role: actor.role,
        person_id: actor.person_id,
        via: actor.via.to_string(),
    }))
}
