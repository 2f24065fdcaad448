//! Users, API tokens and the audit log.

use attain_app::Role;
use attain_app::access::tokens::{NewToken, TokenInfo};
use attain_app::access::users::{NewUser, UserInfo};
use attain_app::audit::{AuditPage, Verification};
use attain_store::AuditFilter;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use serde::Deserialize;

use super::{JsonBody, QueryPairs};
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateUser {
    login: String,
    display_name: String,
    role: String,
    #[serde(default)]
    person_id: Option<String>,
    password: String,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<UserInfo>>> {
    Ok(Json(state.app.users(&actor).await?))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(login): Path<String>,
) -> ApiResult<Json<UserInfo>> {
    Ok(Json(state.app.user(&actor, &login).await?))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(body): JsonBody<CreateUser>,
) -> ApiResult<Response> {
    let role = Role::parse(&body.role).ok_or_else(|| {
        ApiError::bad_request("role", "must be one of admin, comp_admin, finance, manager, rep, executive")
    })?;
    let new = NewUser {
        login: body.login,
        display_name: body.display_name,
        role,
        person_id: body.person_id,
        password: body.password,
    };
    let user = state.app.add_user(&actor, new).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

pub(crate) async fn disable(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(login): Path<String>,
) -> ApiResult<Json<UserInfo>> {
    Ok(Json(state.app.set_disabled(&actor, &login, true).await?))
}

pub(crate) async fn enable(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(login): Path<String>,
) -> ApiResult<Json<UserInfo>> {
    Ok(Json(state.app.set_disabled(&actor, &login, false).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewPassword {
    password: String,
    /// Needed to change your own password; not for an admin resetting another user's.
    #[serde(default)]
    current_password: Option<String>,
}

/// Your own login: a change that needs the current password. Anyone else's: an admin's reset.
pub(crate) async fn password(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(login): Path<String>,
    JsonBody(body): JsonBody<NewPassword>,
) -> ApiResult<Json<UserInfo>> {
    let user = if login.trim().eq_ignore_ascii_case(&actor.login) {
        let current = body.current_password.as_deref().unwrap_or("");
        state.app.change_password(&actor, current, &body.password).await?
    } else {
        state.app.reset_password(&actor, &login, &body.password).await?
    };
    Ok(Json(user))
}

pub(crate) async fn tokens(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<TokenInfo>>> {
    Ok(Json(state.app.tokens(&actor).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateToken {
    name: String,
}

pub(crate) async fn create_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(body): JsonBody<CreateToken>,
) -> ApiResult<Response> {
    let token: NewToken = state.app.create_token(&actor, &body.name).await?;
    Ok((StatusCode::CREATED, Json(token)).into_response())
}

pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<TokenInfo>> {
    Ok(Json(state.app.revoke_token(&actor, &id).await?))
}

/// The audit filters shared by the API and the UI.
pub(crate) fn audit_filter(query: &QueryPairs) -> AuditFilter {
    let text = |name: &str| query.get(name).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    AuditFilter {
        actor_login: text("actor"),
        action: text("action"),
        entity: text("entity"),
        entity_id: text("entity_id"),
        from: text("from"),
        to: text("to"),
    }
}

pub(crate) async fn audit(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    query: QueryPairs,
) -> ApiResult<Json<AuditPage>> {
    let page = query.number("page")?.unwrap_or(1);
    let per_page = query.number_at_most("per_page", attain_app::records::MAX_PER_PAGE)?.unwrap_or(50);
    let page = state.app.audit_page(&actor, &audit_filter(&query), page, per_page).await;
    Ok(Json(page.map_err(crate::error::query_error)?))
}

pub(crate) async fn verify(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Verification>> {
    Ok(Json(state.app.verify_audit(&actor).await?))
}
