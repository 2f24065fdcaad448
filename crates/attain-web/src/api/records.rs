//! Records of every kind: list, show, replace (PUT) and import (CSV), one set of handlers
//! driven by the kinds' specs.

use attain_app::records::{ListQuery, record_json};
use attain_core::Kind;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use http_body_util::BodyExt;
use serde_json::json;

use super::pay::XLSX;
use super::{JsonBody, QueryPairs};
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult, Failure, query_error};
use crate::server::AppState;
use crate::upload::{Spool, SpoolError};

/// The kind a resource name stands for (`people`, `opportunities`, ...).
pub(crate) fn kind_of(resource: &str) -> Result<Kind, Failure> {
    Kind::ALL.into_iter().find(|k| k.name() == resource).ok_or_else(|| ApiError::not_found().into())
}

/// Parameters every list takes; any other parameter filters on a column.
pub(crate) const LIST_PARAMS: [&str; 4] = ["q", "sort", "page", "per_page"];

pub(crate) fn list_query(query: &QueryPairs) -> Result<ListQuery, Failure> {
    Ok(ListQuery {
        q: query.get("q").map(str::to_string),
        sort: query.get("sort").map(str::to_string),
        page: query.number("page")?.unwrap_or(1),
        per_page: query.number_at_most("per_page", attain_app::records::MAX_PER_PAGE)?.unwrap_or(0),
        filters: query
            .0
            .iter()
            .filter(|(name, _)| !LIST_PARAMS.contains(&name.as_str()))
            .map(|(name, value)| ListQuery::filter_param(name, value))
            .collect(),
    })
}

pub(crate) async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(resource): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<serde_json::Value>> {
    let kind = kind_of(&resource)?;
    let listing = state.app.list(&actor, kind, &list_query(&query)?).map_err(query_error)?;
    let snapshot = &listing.snapshot;
    let data: Vec<serde_json::Value> =
        listing.rows.iter().map(|&i| record_json(kind, &snapshot.values(kind, i))).collect();
    Ok(Json(json!({
        "data": data,
        "page": listing.page,
        "per_page": listing.per_page,
        "total": listing.total,
    })))
}

fn with_etag(status: StatusCode, body: serde_json::Value, etag: &str) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

pub(crate) async fn show(
    state: State<AppState>,
    actor: ApiActor,
    Path((resource, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    show_one(state, actor, kind_of(&resource)?, id).await
}

/// One record of `kind` by id.
pub(crate) async fn show_one(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    kind: Kind,
    id: String,
) -> ApiResult<Response> {
    let found = state.app.get(&actor, kind, &id)?;
    let snapshot = &found.snapshot;
    // A versioned kind (keyed by id and date) always answers with its versions, even when
    // there is one, so its shape does not depend on its history.
    let versioned = kind.spec().key.len() > 1;
    if found.rows.len() == 1 && !versioned {
        let values = snapshot.values(kind, found.rows[0]);
        let etag = attain_app::records::etag(kind, &values);
        return Ok(with_etag(StatusCode::OK, record_json(kind, &values), &etag));
    }
    // A versioned record (a position): every version, oldest first.
    let versions: Vec<serde_json::Value> =
        found.rows.iter().map(|&i| record_json(kind, &snapshot.values(kind, i))).collect();
    Ok(Json(json!({ "versions": versions })).into_response())
}

pub(crate) async fn put(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((resource, id)): Path<(String, String)>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    let kind = kind_of(&resource)?;
    let if_match = match headers.get(header::IF_MATCH) {
        Some(v) => Some(v.to_str().map_err(|_| ApiError::bad_request("If-Match", "is not readable text"))?),
        None => None,
    };
    let put = state.app.put(&actor, kind, &id, &body, if_match).await.map_err(|e| match e {
        attain_app::AppError::Invalid { field: Some(f), message } if f == "If-Match" => Failure(
            ApiError::field(StatusCode::PRECONDITION_REQUIRED, "precondition_required", f, message),
            None,
        ),
        other => other.into(),
    })?;
    let status = if put.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(with_etag(status, put.record, &put.etag))
}

/// `POST /api/v1/imports/{resource}`: a CSV body with canonical headers, imported through
/// the same checks as `attain import` (`?skip_bad=true` writes the good rows).
///
/// Everything that can refuse the request is checked before the body is read (the actor and
/// its CSRF token by the extractor, then the kind, the permission and the parameters), and the
/// body is then streamed to a temporary file: a caller who may not import cannot make the
/// server hold an upload, and one who may costs disk, not memory.
pub(crate) async fn import(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(resource): Path<String>,
    query: QueryPairs,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<serde_json::Value>> {
    let kind = kind_of(&resource)?;
    let grant = state.app.authorize_upload(&actor)?;
    let skip_bad = query.flag("skip_bad")?;
    let preview = query.flag("preview")?;
    // A built-in mapping by name, checked before the body is read.
    let mapping = attain_app::import::mapping::Mapping::chosen(query.get("mapping"), None)
        .map_err(|e| ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "invalid_mapping", "mapping", e))?;
    let how = attain_app::UploadOptions { mapping, skip_bad, preview };
    // The file's name says how it is read (a name ending in .xlsx is a workbook); without
    // one, the content type does.
    let workbook =
        headers.get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(XLSX.as_bytes()));
    let extension = if workbook { "xlsx" } else { "csv" };
    let file = query.get("file").map_or_else(|| format!("{resource}.{extension}"), str::to_string);
    let mut spool = Spool::new(state.config.max_upload_bytes).map_err(spool_failure)?;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid", "the upload was cut off before its end")
        })?;
        if let Some(data) = frame.data_ref() {
            spool.write(data).await.map_err(spool_failure)?;
        }
    }
    let (input, lines) = spool.finish().await.map_err(spool_failure)?;
    let report = state.app.import_upload(grant, kind, &file, input, lines, &how).await?;
    let mut answer = report_json(&report);
    if preview {
        answer["preview"] = json!(true);
        answer["sample"] = sample_json(&report);
    }
    Ok(Json(answer))
}

fn spool_failure(error: SpoolError) -> Failure {
    match error {
        SpoolError::TooLarge => super::extract::too_large(),
        SpoolError::Disk(e) => attain_app::AppError::Internal(format!("cannot spool an upload: {e}")).into(),
    }
}

/// A preview's first rows as the import read them: each with its kind, file, line and its
/// cells by Attain's column names (empty cells left out).
pub(crate) fn sample_json(report: &attain_app::ImportReport) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = report
        .sample
        .iter()
        .map(|r| {
            let cells: serde_json::Map<String, serde_json::Value> = r
                .kind
                .spec()
                .columns
                .iter()
                .zip(&r.cells)
                .filter(|(_, v)| !v.is_empty())
                .map(|(c, v)| (c.name.to_string(), json!(v)))
                .collect();
            json!({"kind": r.kind.name(), "file": r.file, "line": r.line, "row": cells})
        })
        .collect();
    json!(rows)
}

pub(crate) fn report_json(report: &attain_app::ImportReport) -> serde_json::Value {
    let kinds: Vec<serde_json::Value> = report
        .kinds
        .iter()
        .map(|k| {
            json!({
                "kind": k.kind.name(), "rows": k.rows, "inserted": k.written.inserted,
                "updated": k.written.updated, "unchanged": k.written.unchanged, "skipped": k.skipped,
            })
        })
        .collect();
    let bad: Vec<serde_json::Value> = report
        .bad_rows
        .iter()
        .map(|r| json!({"file": r.file, "line": r.line, "column": r.column, "value": r.value, "reason": r.reason}))
        .collect();
    json!({ "kinds": kinds, "skipped_rows": bad })
}
