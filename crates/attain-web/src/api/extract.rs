//! Request parts read the API's way: JSON bodies whose mistakes name the field, query strings
//! as ordered pairs, and body-size limits answered in JSON.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Failure};
use crate::server::AppState;

/// A JSON body. Malformed JSON, a wrong type or an unknown field is a 400 naming the field
/// (its path, like `roles[1]`); a body over the limit is a 413; another media type a 415.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = Failure;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json =
            request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(ApiError::field(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Content-Type",
                "send the body as application/json",
            )
            .into());
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|_| too_large())?;
        parse_json(&bytes).map(JsonBody)
    }
}

pub fn too_large() -> Failure {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        "the request body is larger than this server accepts",
    )
    .into()
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Failure> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        // serde names an unknown or missing field in its message; the path may already end
        // with it (serde_path_to_error records the key it was reading) or be its parent.
        let field = named_field(&message)
            .map(|f| match path.as_str() {
                "." => f,
                p if p == f || p.ends_with(&format!(".{f}")) => path.clone(),
                p => format!("{p}.{f}"),
            })
            .unwrap_or(if path == "." { String::new() } else { path });
        let code = if inner.is_syntax() || inner.is_eof() { "malformed_json" } else { "invalid" };
        let mut error = ApiError::new(StatusCode::BAD_REQUEST, code, message);
        error.field = (!field.is_empty()).then_some(field);
        error.into()
    })
}

fn named_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("missing field `"))?;
    Some(rest.split('`').next()?.to_string())
}

/// The query string as ordered `(name, value)` pairs.
#[derive(Debug, Clone, Default)]
pub struct QueryPairs(pub Vec<(String, String)>);

impl QueryPairs {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// A positive whole number parameter, or a 400 naming it (also when it is empty, or given
    /// twice: which one was meant is anybody's guess).
    pub fn number(&self, name: &str) -> Result<Option<u32>, Failure> {
        if self.0.iter().filter(|(n, _)| n == name).count() > 1 {
            return Err(ApiError::bad_request(name, "is given more than once").into());
        }
        match self.get(name).map(str::trim) {
            None => Ok(None),
            Some(v) => match v.parse::<u32>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => Err(ApiError::bad_request(name, format!("'{v}' is not a positive whole number")).into()),
            },
        }
    }

    /// A positive whole number parameter no larger than `max` (the document's maximum), or a
    /// 400 naming it.
    pub fn number_at_most(&self, name: &str, max: u32) -> Result<Option<u32>, Failure> {
        match self.number(name)? {
            Some(n) if n > max => {
                Err(ApiError::bad_request(name, format!("'{n}' is more than the maximum, {max}")).into())
            }
            n => Ok(n),
        }
    }

    pub fn flag(&self, name: &str) -> Result<bool, Failure> {
        match self.get(name) {
            None | Some("false" | "0" | "") => Ok(false),
            Some("true" | "1") => Ok(true),
            Some(v) => Err(ApiError::bad_request(name, format!("'{v}' is not true or false")).into()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        Ok(QueryPairs(form_urlencoded::parse(query.as_bytes()).into_owned().collect()))
    }
}
