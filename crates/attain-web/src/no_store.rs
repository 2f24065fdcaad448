//! `Cache-Control: no-store` on every page and API answer (static assets aside): they are
//! made for the signed-in user — pay statements, people's records, tokens — and must not be
//! kept by the browser's cache, a shared proxy, or the back button after signing out.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Adds `Cache-Control: no-store` unless the handler chose its own caching.
pub(crate) async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}
