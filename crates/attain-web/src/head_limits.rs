//! Limits on a request's head, its target (path and query) and its headers, answered like any
//! other error: the JSON error body under `/api/`, an HTML page elsewhere.
//!
//! hyper reads a head whole into a buffer before anything of ours runs, and refuses some
//! itself, with a bare status and no body: a target over 65,534 bytes (414; a fixed limit of
//! hyper's), a head larger than its buffer or with more headers than it parses (431). It has
//! no hook to give those answers a body. So the server sizes hyper's buffer and header count
//! ([`HEAD_BUFFER_BYTES`], [`PARSED_HEADERS`]) well above the limits here, and these checks
//! answer everything from just over the limit up to hyper's bounds, which docs/api.md states.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// The longest target (path and query, plus the authority of an absolute-form target).
pub const MAX_TARGET_BYTES: usize = 8 * 1024;
/// The most headers (each value of a repeated header counts).
pub const MAX_HEADERS: usize = 100;
/// The most bytes of headers: each name and value, plus the ": " and line end between them.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// hyper's buffer for reading a request head. A head over it gets hyper's bare 431.
pub(crate) const HEAD_BUFFER_BYTES: usize = 256 * 1024;
/// How many headers hyper parses. More than this gets hyper's bare 431.
pub(crate) const PARSED_HEADERS: usize = 4 * MAX_HEADERS;

/// Refuses a request whose head is over a limit, before routing.
pub(crate) async fn head_limits(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let target = uri.path_and_query().map_or(0, |p| p.as_str().len())
        + uri.authority().map_or(0, |a| a.as_str().len());
    let headers = request.headers();
    let header_bytes: usize = headers.iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    let (status, code, message) = if target > MAX_TARGET_BYTES {
        (
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the address is {target} bytes long; this server accepts at most {MAX_TARGET_BYTES}"),
        )
    } else if headers.len() > MAX_HEADERS {
        (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!("the request has {} headers; this server accepts at most {MAX_HEADERS}", headers.len()),
        )
    } else if header_bytes > MAX_HEADER_BYTES {
        (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!(
                "the request's headers are {header_bytes} bytes; this server accepts at most {MAX_HEADER_BYTES}"
            ),
        )
    } else {
        return next.run(request).await;
    };
    if uri.path().starts_with("/api/") {
        ApiError::new(status, code, message).into_response()
    } else {
        let heading =
            if status == StatusCode::URI_TOO_LONG { "Address too long" } else { "Request too large" };
        crate::ui::error_page(status, heading, &message)
    }
}
