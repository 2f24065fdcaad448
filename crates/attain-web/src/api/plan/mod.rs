//! Plan: the revenue plan (`revenue.rs`), quota allocation with its sheets' workflow
//! (`quotas.rs`), individual objectives (`objectives.rs`), capacity (`capacity.rs`) and
//! territory design (`territories.rs`). Only
//! the whole-company roles read the company plan and its capacity; managers see their own
//! team's quota sheets and objectives. Who may do what is the app's decision.

pub(crate) mod capacity;
pub(crate) mod objectives;
pub(crate) mod quotas;
pub(crate) mod revenue;
pub(crate) mod territories;

use attain_core::Money;
use attain_core::domain::parse_fiscal_year;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use serde::Serialize;

use crate::error::{ApiError, Failure};

pub(crate) fn fiscal_year(text: &str) -> Result<i16, Failure> {
    parse_fiscal_year(text).ok_or_else(|| {
        ApiError::bad_request("fiscal_year", format!("'{text}' is not a fiscal year from 1900 to 2999"))
            .into()
    })
}

pub(crate) fn version(text: &str) -> Result<u32, Failure> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|v| *v >= 1)
        .ok_or_else(|| ApiError::bad_request("version", format!("'{text}' is not a version number")).into())
}

pub(crate) fn if_match(headers: &HeaderMap) -> Result<Option<&str>, Failure> {
    match headers.get(header::IF_MATCH) {
        Some(v) => {
            Ok(Some(v.to_str().map_err(|_| ApiError::bad_request("If-Match", "is not readable text"))?))
        }
        None => Ok(None),
    }
}

pub(crate) fn with_etag(status: StatusCode, body: impl Serialize, etag: &str) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// Money with every minor digit of its currency, as the records show it (`9186000.00`).
pub(crate) fn money_text(m: Money) -> String {
    rust_decimal::Decimal::new(m.minor(), m.currency().minor_units()).to_string()
}

/// A missing `If-Match` is a 428, as for any record.
pub(crate) fn precondition(e: attain_app::AppError) -> Failure {
    match e {
        attain_app::AppError::Invalid { field: Some(f), message } if f == "If-Match" => Failure(
            ApiError::field(StatusCode::PRECONDITION_REQUIRED, "precondition_required", f, message),
            None,
        ),
        other => other.into(),
    }
}
