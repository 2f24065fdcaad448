//! Pay: the stored plan files, period runs (calculate, close, reopen), statements within the
//! caller's scope with the explanation of each line, and the statement and payroll files.
//! Who may do and see what is the app's decision; these handlers parse, call, and answer.

use std::collections::BTreeMap;

use attain_app::pay::{
    MonthStatus, PlanChanges, PlanFileInfo, PlanRemoval, RunInfo, RunOutcome, StatementView,
};
use attain_app::statements::{statement_csv, statement_xlsx};
use attain_app::{AppError, AppResult};
use attain_core::Period;
use attain_engine::pay::run::{Statement, Trace};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use serde::{Deserialize, Serialize};

use super::{JsonBody, QueryPairs};
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult, Failure};
use crate::server::AppState;

pub(crate) const CSV: &str = "text/csv; charset=utf-8";
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A month as the caller named it (`2017-06`); a malformed one is the request's fault (400).
pub(crate) fn period(text: Option<&str>) -> Result<Period, Failure> {
    let text = text
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::bad_request("period", "name the month, like 2017-06"))?;
    attain_app::pay::month(text).map_err(|e| match e {
        AppError::Invalid { field, message } => ApiError {
            field: field.or_else(|| Some("period".into())),
            ..ApiError::new(StatusCode::BAD_REQUEST, "invalid", message)
        }
        .into(),
        other => other.into(),
    })
}

/// How statements are answered: JSON, or as a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Csv,
    Xlsx,
}

pub(crate) fn format(query: &QueryPairs) -> Result<Format, Failure> {
    match query.get("format").map(str::trim) {
        None | Some("" | "json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some("xlsx") => Ok(Format::Xlsx),
        Some(other) => {
            Err(ApiError::bad_request("format", format!("'{other}' is not one of json, csv, xlsx")).into())
        }
    }
}

/// A file to download: its media type, a safe file name and `attachment`, never cached.
pub(crate) fn download(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{safe}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// The statements as a workbook, with the given traces.
pub(crate) fn workbook(
    statements: &[Statement],
    traces: &BTreeMap<String, Vec<Trace>>,
    name: &str,
) -> AppResult<Response> {
    let bytes = statement_xlsx(statements, traces).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(XLSX, name, bytes))
}

// ---- plans -----------------------------------------------------------------------------

pub(crate) async fn plans(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<PlanFileInfo>>> {
    Ok(Json(state.app.plan_files(&actor).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanFiles {
    files: Vec<PlanFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanFile {
    name: String,
    text: String,
}

/// Adds or replaces the named plan files (others stay); `?preview=true` answers what would
/// change and writes nothing.
pub(crate) async fn put_plans(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    query: QueryPairs,
    JsonBody(body): JsonBody<PlanFiles>,
) -> ApiResult<Json<PlanChanges>> {
    let preview = query.flag("preview")?;
    let files = body.files.into_iter().map(|f| (f.name, f.text)).collect();
    Ok(Json(if preview {
        state.app.preview_plans(&actor, files).await?
    } else {
        state.app.save_plans(&actor, files).await?
    }))
}

/// Removes one stored plan file.
pub(crate) async fn remove_plan(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(name): Path<String>,
) -> ApiResult<Json<PlanRemoval>> {
    Ok(Json(state.app.remove_plan_file(&actor, &name).await?))
}

// ---- runs ------------------------------------------------------------------------------

pub(crate) async fn runs(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<RunInfo>>> {
    Ok(Json(state.app.runs(&actor).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewRun {
    period: String,
}

pub(crate) async fn calculate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(body): JsonBody<NewRun>,
) -> ApiResult<Response> {
    let period = period(Some(&body.period))?;
    let outcome: RunOutcome = state.app.calculate(&actor, period).await?;
    Ok((StatusCode::CREATED, Json(outcome)).into_response())
}

/// The optional body of a close: the draft version confirmed, and the override (with its
/// reason) that closing a month before it has ended needs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Close {
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    before_month_end: bool,
    #[serde(default)]
    reason: Option<String>,
}

pub(crate) async fn close(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(month): Path<String>,
    request: axum::extract::Request,
) -> ApiResult<Json<RunInfo>> {
    let period = period(Some(&month))?;
    // No body (no Content-Type) is a plain close; a body is JSON, read the API's way.
    let body = if request.headers().contains_key(header::CONTENT_TYPE) {
        use axum::extract::FromRequest;
        JsonBody::<Close>::from_request(request, &state).await?.0
    } else {
        Close::default()
    };
    let close = attain_app::pay::CloseRequest {
        version: body.version,
        before_month_end: body.before_month_end,
        reason: body.reason,
    };
    Ok(Json(state.app.close_period(&actor, period, close).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Reopen {
    reason: String,
}

pub(crate) async fn reopen(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(month): Path<String>,
    JsonBody(body): JsonBody<Reopen>,
) -> ApiResult<Json<RunInfo>> {
    let period = period(Some(&month))?;
    Ok(Json(state.app.reopen_period(&actor, period, &body.reason).await?))
}

// ---- statements ------------------------------------------------------------------------

pub(crate) async fn statements(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    query: QueryPairs,
) -> ApiResult<Response> {
    let format = format(&query)?;
    let period = period(query.get("period"))?;
    // The view's type is the audience's: a manager's or rep's has no company figures to send.
    let view: StatementView = state.app.statements(&actor, period).await?;
    Ok(match format {
        Format::Json => Json(view).into_response(),
        Format::Csv => {
            download(CSV, &format!("statements-{period}.csv"), statement_csv(view.statements()).into_bytes())
        }
        Format::Xlsx => workbook(view.statements(), &BTreeMap::new(), &format!("statements-{period}.xlsx"))?,
    })
}

/// One statement and its month's status (never the run: its totals are the company's).
#[derive(Serialize)]
struct OneStatement<'a> {
    month: MonthStatus,
    statement: &'a Statement,
}

pub(crate) async fn statement(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((month, person)): Path<(String, String)>,
    query: QueryPairs,
) -> ApiResult<Response> {
    let format = format(&query)?;
    let period = period(Some(&month))?;
    let (month, statement) = state.app.statement(&actor, period, &person).await?;
    let name = format!("statement-{period}-{person}");
    Ok(match format {
        Format::Json => Json(OneStatement { month, statement: &statement }).into_response(),
        Format::Csv => download(
            CSV,
            &format!("{name}.csv"),
            statement_csv(std::slice::from_ref(&statement)).into_bytes(),
        ),
        Format::Xlsx => {
            // The workbook explains each component of the statement.
            let (_, statement, traces) = state.app.statement_traces(&actor, period, &person).await?;
            let traces = BTreeMap::from([(statement.person_id.clone(), traces)]);
            workbook(std::slice::from_ref(&statement), &traces, &format!("{name}.xlsx"))?
        }
    })
}

pub(crate) async fn trace(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((month, person)): Path<(String, String)>,
    query: QueryPairs,
) -> ApiResult<Json<Trace>> {
    let period = period(Some(&month))?;
    let required =
        |name: &str| {
            query.get(name).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string).ok_or_else(|| {
                Failure::from(ApiError::bad_request(name, format!("name the {name} to explain")))
            })
        };
    let (plan, component) = (required("plan")?, required("component")?);
    Ok(Json(state.app.trace(&actor, period, &person, &plan, &component).await?))
}

/// The payroll file of a month: every payee's payout (roles that export data).
pub(crate) async fn payroll(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    query: QueryPairs,
) -> ApiResult<Response> {
    let period = period(query.get("period"))?;
    let (_, csv) = state.app.payroll(&actor, period).await?;
    Ok(download(CSV, &format!("payroll-{period}.csv"), csv.into_bytes()))
}
