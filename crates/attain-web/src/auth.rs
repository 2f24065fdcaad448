//! Who is calling. API requests carry a bearer token or the browser's session cookie (then
//! every unsafe method must also carry the session's CSRF token in `X-CSRF-Token`); UI pages
//! need the session cookie and redirect to the sign-in page without it; UI form posts must
//! carry the session's CSRF token in the `_csrf` field.

use std::net::{IpAddr, SocketAddr};

use attain_app::Actor;
use attain_app::access::secret::same;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::{ApiError, Failure};
use crate::server::AppState;

pub const SESSION_COOKIE: &str = "attain_session";
/// The pre-session CSRF cookie of the sign-in and setup forms (double-submit).
pub const LOGIN_CSRF_COOKIE: &str = "attain_login_csrf";

/// A cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, Secure behind TLS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

/// The client's address, as sign-in throttling and the audit log count it: the TCP peer; or,
/// only when the server is configured to sit behind a proxy (`trust_proxy`), the last address
/// in `X-Forwarded-For` — the one our proxy appended, which a client cannot forge (addresses
/// before it can be). Without that setting the header is ignored, since anyone can send it.
pub fn client_address(peer: Option<SocketAddr>, headers: &HeaderMap, trust_proxy: bool) -> Option<String> {
    if trust_proxy {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .and_then(|a| a.trim().parse::<IpAddr>().ok());
        if let Some(address) = forwarded {
            return Some(address.to_string());
        }
    }
    peer.map(|p| p.ip().to_string())
}

pub fn client_ip(parts: &Parts, state: &AppState) -> Option<String> {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    client_address(peer, &parts.headers, state.config.trust_proxy)
}

/// The actor of an API request.
#[derive(Debug, Clone)]
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ip = client_ip(parts, state);
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
            return match token {
                Some(token) => match state.app.token_actor(token, ip).await? {
                    Some(actor) => Ok(ApiActor(actor)),
                    None => Err(ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "unauthenticated",
                        "the API token is unknown, revoked, or its user is disabled",
                    )
                    .into()),
                },
                None => Err(ApiError::field(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "Authorization",
                    "expected 'Authorization: Bearer atn_…'",
                )
                .into()),
            };
        }
        let Some(cookie) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(ApiError::unauthenticated().into());
        };
        let Some(session) = state.app.session(&cookie, ip).await? else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "the session has expired or was ended; sign in again",
            )
            .into());
        };
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
            if !same(sent, &session.csrf) {
                return Err(ApiError::field(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "X-CSRF-Token",
                    "a request signed in by cookie must carry the session's CSRF token in X-CSRF-Token",
                )
                .into());
            }
        }
        Ok(ApiActor(session.actor))
    }
}

/// The signed-in user of a UI page, with the session's CSRF token for its forms.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub actor: Actor,
    pub csrf: String,
    pub cookie: String,
}

impl Viewer {
    /// Checks a form's `_csrf` field; the error is the page to answer with (boxed: a response
    /// is large, and the happy path should not carry its size).
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), Box<Response>> {
        if sent.is_some_and(|s| same(s, &self.csrf)) {
            Ok(())
        } else {
            Err(Box::new(crate::ui::error_page(
                StatusCode::FORBIDDEN,
                "This form has expired",
                "The form was missing its security token or came from an old page. Go back, reload the page and try again.",
            )))
        }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ip = client_ip(parts, state);
        let to_login = || {
            let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
            Redirect::to(&format!("/login?next={next}")).into_response()
        };
        let Some(cookie) = cookie(&parts.headers, SESSION_COOKIE) else { return Err(to_login()) };
        match state.app.session(&cookie, ip).await {
            Ok(Some(session)) => Ok(Viewer { actor: session.actor, csrf: session.csrf, cookie }),
            Ok(None) => Err(to_login()),
            Err(e) => Err(crate::ui::app_error_page(e)),
        }
    }
}
