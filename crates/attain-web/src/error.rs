//! Errors to HTTP, in one place: app errors become a status and the JSON body
//! `{"error": {"code", "message", "field"?}}` for the API, or an HTML error page for the UI.
//! A fault of ours is logged in full and shown as a bare "internal error": never details.

use attain_app::{AppError, ImportError};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An API error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub retry_after: Option<u64>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    /// Every bad row of a refused import, with file, line, column, value and reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    rows: Option<&'a [RowErrorJson]>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowErrorJson {
    pub file: String,
    pub line: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), field: None, retry_after: None }
    }

    pub fn field(
        status: StatusCode,
        code: &'static str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError { field: Some(field.into()), ..ApiError::new(status, code, message) }
    }

    pub fn bad_request(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::field(StatusCode::BAD_REQUEST, "invalid", field, message)
    }

    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in, or send an API token as 'Authorization: Bearer atn_…'",
        )
    }
}

/// An app error as an API error, plus the bad rows of a refused import.
pub(crate) fn classify(error: AppError) -> (ApiError, Option<Vec<RowErrorJson>>) {
    let e = match error {
        AppError::NotFound => ApiError::not_found(),
        AppError::Unauthenticated => {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "wrong login name or password")
        }
        AppError::Forbidden => ApiError::new(StatusCode::FORBIDDEN, "forbidden", "your role may not do this"),
        AppError::Invalid { field, message } => {
            ApiError { field, ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message) }
        }
        AppError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
        AppError::Throttled { retry_after_secs } => ApiError {
            retry_after: Some(retry_after_secs),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "throttled",
                format!("too many failed sign-ins; try again in {retry_after_secs} seconds"),
            )
        },
        AppError::Import(ImportError::Rejected { errors }) => {
            let rows: Vec<RowErrorJson> = errors
                .iter()
                .map(|r| RowErrorJson {
                    file: r.file.clone(),
                    line: r.line,
                    column: r.column.clone(),
                    value: r.value.clone(),
                    reason: r.reason.clone(),
                })
                .collect();
            let first = errors.first();
            let message = format!(
                "{} bad row{}; nothing was written{}",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                first.map(|f| format!(" (first: {f})")).unwrap_or_default()
            );
            let e = ApiError {
                field: first.and_then(|f| f.column.clone()),
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "rejected_rows", message)
            };
            return (e, Some(rows));
        }
        AppError::Import(ImportError::File { path, reason }) => ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_file",
            "file",
            format!("{path}: {reason}"),
        ),
        AppError::Import(ImportError::Mapping { path, reason }) => ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_mapping",
            "mapping",
            format!("{path}: {reason}"),
        ),
        other => {
            tracing::error!(error = %other, "request failed");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error; the server log has details",
            )
        }
    };
    (e, None)
}

/// An app error for a request whose query parameters the app judged: a value the app finds
/// invalid there (a filter column, a date bound) is the query's fault, a 400 naming the
/// parameter, not a 422 about a body.
pub(crate) fn query_error(error: AppError) -> Failure {
    match error {
        AppError::Invalid { field, message } => {
            Failure(ApiError { field, ..ApiError::new(StatusCode::BAD_REQUEST, "invalid", message) }, None)
        }
        other => other.into(),
    }
}

/// An API handler's error: an [`ApiError`], with the rows of a refused import when there are.
#[derive(Debug)]
pub struct Failure(pub ApiError, pub Option<Vec<RowErrorJson>>);

impl From<AppError> for Failure {
    fn from(error: AppError) -> Failure {
        let (e, rows) = classify(error);
        Failure(e, rows)
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Failure {
        Failure(error, None)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let Failure(e, rows) = self;
        let body = Body {
            error: Inner {
                code: e.code,
                message: &e.message,
                field: e.field.as_deref(),
                rows: rows.as_deref(),
            },
        };
        let mut response = (e.status, Json(body)).into_response();
        if let Some(seconds) = e.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        Failure(self, None).into_response()
    }
}

pub type ApiResult<T> = Result<T, Failure>;

/// Unknown paths: JSON under `/api`, an HTML page elsewhere.
pub(crate) async fn fallback(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::not_found().into_response()
    } else {
        crate::ui::error_page(StatusCode::NOT_FOUND, "Page not found", "There is no page at this address.")
    }
}

/// A safety net for errors answered before our handlers run (axum's own rejections: a path
/// segment that is not valid UTF-8, a method the route does not take, ...): under `/api` they
/// get the JSON error body, elsewhere an HTML page, never axum's plain text.
pub(crate) async fn uniform_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "no such resource"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this resource does not take that method"),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "the request body is larger than this server accepts"),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took too long"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "this content type is not accepted here")
        }
        s if s.is_server_error() => ("internal", "internal error; the server log has details"),
        _ => ("invalid", "the request is malformed (check the path and its parameters)"),
    };
    let mut replaced = if api {
        ApiError::new(status, code, message).into_response()
    } else {
        let heading = if status == StatusCode::NOT_FOUND { "Page not found" } else { "That did not work" };
        let mut page = crate::ui::error_page(status, heading, message);
        *page.status_mut() = status;
        page
    };
    if let Some(allow) = response.headers().get(header::ALLOW) {
        replaced.headers_mut().insert(header::ALLOW, allow.clone());
    }
    replaced
}
