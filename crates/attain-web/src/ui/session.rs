//! Sign-in, sign-out and first-run setup pages. The sign-in and setup forms are protected
//! against cross-site posting by a double-submit token (a cookie and a form field that must
//! match), since there is no session yet to hold one.

use askama::Template;
use attain_app::access::secret::{random_token, same};
use attain_app::access::users::NewUser;
use attain_app::{AppError, Role};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;

use super::view::Chrome;
use super::{FormData, error_page, render};
use crate::api::QueryPairs;
use crate::auth::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, Viewer, client_address, cookie, set_cookie};
use crate::server::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    login: String,
    error: Option<String>,
    /// Why the person is here, when it is not a failure (after a password change).
    notice: Option<&'static str>,
}

/// Where a password change sends the browser: its session has just ended with all the others.
pub(crate) const AFTER_PASSWORD_CHANGE: &str = "/login?changed=password";

/// Only same-site paths are followed after sign-in (no open redirects).
fn safe_next(next: Option<&str>) -> String {
    match next {
        // Visible ASCII only: browsers drop tabs and newlines (`/<tab>/evil` becomes `//evil`),
        // and a header cannot hold control characters at all.
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Cookies are `Secure` when the server is told it sits behind TLS, or when the proxy in front
/// says the request came over HTTPS (`X-Forwarded-Proto: https`); marking a cookie Secure can
/// only restrict it, so trusting the header here is harmless.
fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

fn with_cookie(mut response: Response, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// What the sign-in form says above its fields.
enum Said {
    /// Why the last attempt failed.
    Error(String),
    /// Why the person is here, when it is not a failure (after a password change).
    Notice(Option<&'static str>),
}

/// The sign-in form, with a fresh double-submit token.
fn login_form(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    next: String,
    login: String,
    said: Said,
) -> Response {
    let csrf = random_token();
    let (error, notice) = match said {
        Said::Error(error) => (Some(error), None),
        Said::Notice(notice) => (None, notice),
    };
    let page =
        LoginPage { chrome: Chrome::public("Sign in"), csrf: csrf.clone(), next, login, error, notice };
    let response = (status, render(&page)).into_response();
    with_cookie(response, &set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, secure(state, headers)))
}

pub(crate) async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: QueryPairs,
) -> Response {
    if state.setup_token.is_some() && !state.app.has_users().await.unwrap_or(true) {
        return error_page(
            StatusCode::OK,
            "Attain is not set up yet",
            "No user exists yet. Open the setup address printed when the server started, or run `attain user add --role admin` on the server.",
        );
    }
    let notice = (query.get("changed") == Some("password")).then_some(
        "Your password was changed. You were signed out everywhere and your API tokens were revoked: sign in with your new password.",
    );
    let next = safe_next(query.get("next"));
    login_form(&state, &headers, StatusCode::OK, next, String::new(), Said::Notice(notice))
}

pub(crate) async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    let next = safe_next(form.get("next"));
    let login = form.text("login");
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same(&expected, form.get("_csrf").unwrap_or("")) {
        let error = "The sign-in form expired. Please try again.".to_string();
        return login_form(&state, &headers, StatusCode::FORBIDDEN, next, login, Said::Error(error));
    }
    let ip = client_address(Some(peer), &headers, state.config.trust_proxy);
    // The browser's earlier session, if any, ends with this sign-in.
    let previous = cookie(&headers, SESSION_COOKIE);
    let password = form.get("password").unwrap_or("");
    match state.app.sign_in_replacing(&login, password, ip, previous.as_deref()).await {
        Ok(signed_in) => {
            let max_age = signed_in.expires_at.duration_since(jiff::Timestamp::now()).as_secs().max(0);
            let response = Redirect::to(&next).into_response();
            let response = with_cookie(
                response,
                &set_cookie(SESSION_COOKIE, &signed_in.cookie, max_age, secure(&state, &headers)),
            );
            with_cookie(response, &set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure(&state, &headers)))
        }
        Err(AppError::Unauthenticated) => login_form(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            next,
            login,
            Said::Error("Wrong login name or password.".into()),
        ),
        Err(AppError::Throttled { retry_after_secs }) => {
            let message =
                format!("Too many failed attempts to sign in. {}", super::try_again_in(retry_after_secs));
            let page = login_form(
                &state,
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                next,
                login,
                Said::Error(message),
            );
            super::too_many(page, retry_after_secs)
        }
        Err(e) => super::app_error_page(e),
    }
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    if let Err(e) = state.app.sign_out(&viewer.actor, &viewer.cookie).await {
        return super::app_error_page(e);
    }
    let response = Redirect::to("/login").into_response();
    with_cookie(response, &set_cookie(SESSION_COOKIE, "", 0, secure(&state, &headers)))
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    chrome: Chrome,
    csrf: String,
    token: String,
    login: String,
    display_name: String,
    error: Option<String>,
}

fn setup_token_ok(state: &AppState, sent: Option<&str>) -> bool {
    state.setup_token.as_deref().is_some_and(|t| sent.is_some_and(|s| same(s, t)))
}

fn setup_form(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    token: String,
    form: Option<&FormData>,
    error: Option<String>,
) -> Response {
    let csrf = random_token();
    let page = SetupPage {
        chrome: Chrome::public("Set up Attain"),
        csrf: csrf.clone(),
        token,
        login: form.map(|f| f.text("login")).unwrap_or_default(),
        display_name: form.map(|f| f.text("display_name")).unwrap_or_default(),
        error,
    };
    with_cookie(
        (status, render(&page)).into_response(),
        &set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, secure(state, headers)),
    )
}

pub(crate) async fn setup_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: QueryPairs,
) -> Response {
    if !setup_token_ok(&state, query.get("token")) || state.app.has_users().await.unwrap_or(true) {
        return error_page(StatusCode::NOT_FOUND, "Page not found", "There is no page at this address.");
    }
    setup_form(&state, &headers, StatusCode::OK, query.get("token").unwrap_or("").to_string(), None, None)
}

pub(crate) async fn setup(State(state): State<AppState>, headers: HeaderMap, form: FormData) -> Response {
    if !setup_token_ok(&state, form.get("token")) {
        return error_page(StatusCode::NOT_FOUND, "Page not found", "There is no page at this address.");
    }
    let token = form.text("token");
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same(&expected, form.get("_csrf").unwrap_or("")) {
        return setup_form(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            token,
            Some(&form),
            Some("The form expired. Please try again.".into()),
        );
    }
    let new = NewUser {
        login: form.text("login"),
        display_name: form.text("display_name"),
        role: Role::Admin,
        person_id: None,
        password: form.text("password"),
    };
    match state.app.create_first_admin(new).await {
        Ok(_) => Redirect::to("/login").into_response(),
        Err(AppError::Invalid { message, field }) => {
            let error = match field {
                Some(f) => format!("{}: {message}", f.replace('_', " ")),
                None => message,
            };
            setup_form(&state, &headers, StatusCode::UNPROCESSABLE_ENTITY, token, Some(&form), Some(error))
        }
        Err(e) => super::app_error_page(e),
    }
}
