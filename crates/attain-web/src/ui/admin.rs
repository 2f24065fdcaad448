//! Pages that change things: your account (API tokens, password), users (admins) and the
//! audit log (admins). Every form post checks the session's CSRF token before anything else.
//! The import page is `import.rs`.

use askama::Template;
use attain_app::access::users::NewUser;
use attain_app::{AppError, Permission, Role};
use attain_core::Kind;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::view::{Chrome, Pager, group, href_with};
use super::{FormData, render};
use crate::api::QueryPairs;
use crate::auth::Viewer;
use crate::server::AppState;

// ---- your account ----------------------------------------------------------------------

struct TokenRow {
    id: String,
    name: String,
    prefix: String,
    created_at: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    login: String,
    role: &'static str,
    tokens: Vec<TokenRow>,
    new_secret: Option<String>,
    password_error: Option<String>,
}

async fn account_view(
    state: &AppState,
    viewer: &Viewer,
    new_secret: Option<String>,
    password_error: Option<String>,
) -> Response {
    let tokens = match state.app.tokens(&viewer.actor).await {
        Ok(t) => t,
        Err(e) => return viewer.error(e),
    };
    let page = AccountPage {
        chrome: Chrome::signed_in("Your account", &viewer.actor, &viewer.csrf, "/account"),
        login: viewer.actor.login.clone(),
        role: viewer.actor.role.label(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                name: t.name,
                prefix: t.prefix,
                created_at: t.created_at,
                last_used: t.last_used_at.unwrap_or_else(|| "never".into()),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        new_secret,
        password_error,
    };
    let status =
        if page.password_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (status, render(&page)).into_response()
}

pub(crate) async fn account_page(State(state): State<AppState>, viewer: Viewer) -> Response {
    account_view(&state, &viewer, None, None).await
}

pub(crate) async fn create_token(State(state): State<AppState>, viewer: Viewer, form: FormData) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    match state.app.create_token(&viewer.actor, form.get("name").unwrap_or("")).await {
        // Rendered directly, not redirected: the secret must never sit in a URL or a cookie.
        Ok(new) => account_view(&state, &viewer, Some(new.secret), None).await,
        Err(e) => viewer.error(e),
    }
}

pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    match state.app.revoke_token(&viewer.actor, &id).await {
        Ok(_) => Redirect::to("/account").into_response(),
        Err(e) => viewer.error(e),
    }
}

pub(crate) async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let current = form.get("current_password").unwrap_or("");
    match state.app.change_password(&viewer.actor, current, form.get("password").unwrap_or("")).await {
        // Every session of the user has ended, this one too: sign in with the new password.
        Ok(_) => Redirect::to(super::session::AFTER_PASSWORD_CHANGE).into_response(),
        Err(AppError::Invalid { message, field }) => {
            let what = if field.as_deref() == Some("current_password") {
                "Current password"
            } else {
                "New password"
            };
            account_view(&state, &viewer, None, Some(format!("{what} {message}."))).await
        }
        // The current password is checked behind the sign-in throttle: say so plainly, and
        // answer 429 with Retry-After as the sign-in page does.
        Err(AppError::Throttled { retry_after_secs }) => {
            let message = format!(
                "Too many wrong current passwords: your password was not changed. {}",
                super::try_again_in(retry_after_secs)
            );
            let page = account_view(&state, &viewer, None, Some(message)).await;
            super::too_many(page, retry_after_secs)
        }
        Err(e) => viewer.error(e),
    }
}

// ---- users -----------------------------------------------------------------------------

struct UserLine {
    login: String,
    name: String,
    role: &'static str,
    /// (id, name) of the person a manager or rep is.
    person: Option<(String, String)>,
    disabled: bool,
}

#[derive(Default)]
struct UserForm {
    login: String,
    display_name: String,
    role: String,
    person_id: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserLine>,
    roles: Vec<(&'static str, &'static str)>,
    form: UserForm,
    error: Option<String>,
}

async fn users_view(state: &AppState, viewer: &Viewer, form: UserForm, error: Option<String>) -> Response {
    let users = match state.app.users(&viewer.actor).await {
        Ok(u) => u,
        Err(e) => return viewer.error(e),
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let snapshot = state.app.snapshot();
    let person = |id: Option<String>| {
        id.map(|id| {
            let name =
                snapshot.find(Kind::People, &id).first().map(|&i| snapshot.data.people[i].name.clone());
            (id, name.unwrap_or_default())
        })
    };
    let page = UsersPage {
        chrome: Chrome::signed_in("Users", &viewer.actor, &viewer.csrf, "/admin/users"),
        users: users
            .into_iter()
            .map(|u| UserLine {
                login: u.login,
                name: u.display_name,
                role: u.role.label(),
                person: person(u.person_id),
                disabled: u.disabled,
            })
            .collect(),
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        form,
        error,
    };
    (status, render(&page)).into_response()
}

pub(crate) async fn users_page(State(state): State<AppState>, viewer: Viewer) -> Response {
    users_view(&state, &viewer, UserForm { role: "rep".into(), ..UserForm::default() }, None).await
}

/// A refused change, in words for the form: the field, then the reason.
fn form_error(e: &AppError) -> Option<String> {
    match e {
        AppError::Invalid { field: Some(f), message } => Some(format!("{}: {message}", f.replace('_', " "))),
        AppError::Invalid { field: None, message } | AppError::Conflict(message) => Some(message.clone()),
        _ => None,
    }
}

pub(crate) async fn add_user(State(state): State<AppState>, viewer: Viewer, form: FormData) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let kept = UserForm {
        login: form.text("login"),
        display_name: form.text("display_name"),
        role: form.text("role"),
        person_id: form.text("person_id"),
    };
    let Some(role) = Role::parse(&kept.role) else {
        return users_view(&state, &viewer, kept, Some("role: choose one of the listed roles".into())).await;
    };
    let new = NewUser {
        login: kept.login.clone(),
        display_name: kept.display_name.clone(),
        role,
        person_id: Some(kept.person_id.clone()),
        password: form.text("password"),
    };
    match state.app.add_user(&viewer.actor, new).await {
        Ok(_) => Redirect::to("/admin/users").into_response(),
        Err(e) => match form_error(&e) {
            Some(message) => users_view(&state, &viewer, kept, Some(message)).await,
            None => viewer.error(e),
        },
    }
}

async fn set_disabled(
    state: AppState,
    viewer: Viewer,
    login: String,
    form: FormData,
    disabled: bool,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    match state.app.set_disabled(&viewer.actor, &login, disabled).await {
        Ok(_) => Redirect::to("/admin/users").into_response(),
        Err(e) => match form_error(&e) {
            Some(message) => users_view(&state, &viewer, UserForm::default(), Some(message)).await,
            None => viewer.error(e),
        },
    }
}

pub(crate) async fn disable_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(login): Path<String>,
    form: FormData,
) -> Response {
    set_disabled(state, viewer, login, form, true).await
}

pub(crate) async fn enable_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(login): Path<String>,
    form: FormData,
) -> Response {
    set_disabled(state, viewer, login, form, false).await
}

pub(crate) async fn reset_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(login): Path<String>,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    if !viewer.actor.may(Permission::ManageUsers) {
        return viewer.error(AppError::Forbidden);
    }
    match state.app.reset_password(&viewer.actor, &login, form.get("password").unwrap_or("")).await {
        Ok(_) => Redirect::to("/admin/users").into_response(),
        Err(e) => match form_error(&e) {
            Some(message) => users_view(&state, &viewer, UserForm::default(), Some(message)).await,
            None => viewer.error(e),
        },
    }
}

// ---- audit log -------------------------------------------------------------------------

struct AuditLine {
    seq: i64,
    at: String,
    actor: String,
    ip: Option<String>,
    via: String,
    action: String,
    entity: String,
    entity_id: String,
    /// (field, before, after) for the fields that differ.
    change: Vec<(String, String, String)>,
    change_count: usize,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditView {
    chrome: Chrome,
    chain_ok: bool,
    chain_text: String,
    filter: (String, String, String, String, String),
    summary: String,
    entries: Vec<AuditLine>,
    pager: Pager,
}

fn shown(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "—".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The fields that differ between before and after (all of after for a creation).
fn changed_fields(
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Vec<(String, String, String)> {
    let empty = serde_json::Map::new();
    let b = before.and_then(|v| v.as_object()).unwrap_or(&empty);
    let a = after.and_then(|v| v.as_object()).unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| (k.clone(), shown(b.get(k)), shown(a.get(k))))
        .collect()
}

pub(crate) async fn audit_page(State(state): State<AppState>, viewer: Viewer, query: QueryPairs) -> Response {
    let filter = crate::api::audit_filter(&query);
    let page_number = query.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(1).max(1);
    let page = match state.app.audit_page(&viewer.actor, &filter, page_number, 50).await {
        Ok(p) => p,
        Err(e) => return viewer.error(e),
    };
    let verification = match state.app.verify_audit(&viewer.actor).await {
        Ok(v) => v,
        Err(e) => return viewer.error(e),
    };
    let pages = (page.total as u32).div_ceil(page.per_page).max(1);
    let to = |p: u32| href_with("/admin/audit", &query, &[("page", Some(p.to_string()))]);
    let entries = page
        .entries
        .into_iter()
        .map(|e| {
            let change = changed_fields(e.before.as_ref(), e.after.as_ref());
            AuditLine {
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                ip: e.ip,
                via: e.via,
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id.unwrap_or_default(),
                change_count: change.len(),
                change,
            }
        })
        .collect();
    let view = AuditView {
        chrome: Chrome::signed_in("Audit log", &viewer.actor, &viewer.csrf, "/admin/audit"),
        chain_ok: verification.intact(),
        chain_text: match &verification.problem {
            Some(p) => format!("{} entries checked; {p}", group(verification.entries as usize)),
            None => format!("{} entries, every hash checked", group(verification.entries as usize)),
        },
        filter: (
            filter.actor_login.unwrap_or_default(),
            filter.action.unwrap_or_default(),
            filter.entity.unwrap_or_default(),
            filter.from.unwrap_or_default(),
            filter.to.unwrap_or_default(),
        ),
        summary: format!("{} matching entries", group(page.total as usize)),
        entries,
        pager: Pager {
            page: page.page.min(pages),
            pages,
            prev: (page.page > 1).then(|| to(page.page - 1)),
            next: (page.page < pages).then(|| to(page.page + 1)),
        },
    };
    render(&view)
}
