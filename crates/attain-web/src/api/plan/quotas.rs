//! Quota allocation and the quota sheets' workflow (docs/quota-allocation.md): allocating the
//! plan down the org (preview or apply), a year's sheets, one sheet with its lines, the owner's
//! adjustment, submission, and the next level up's approval or return.

use attain_app::plan::{Allocation, AllocationRequest, SheetEdit, SheetSummary, SheetView};
use attain_core::Kind;
use attain_core::domain::QuotaSheet;
use attain_core::record::{Choice, Record};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Json, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{fiscal_year, if_match, money_text, precondition, with_etag};
use crate::api::JsonBody;
use crate::auth::ApiActor;
use crate::error::ApiResult;
use crate::server::AppState;

fn sheet_json(sheet: &QuotaSheet) -> Value {
    attain_app::records::record_json(Kind::QuotaSheets, &sheet.to_values())
}

#[derive(Serialize)]
pub(crate) struct SummaryOut {
    sheet: Value,
    owner_title: String,
    owner_holder: Option<String>,
    target: String,
    total: String,
    in_force: bool,
}

fn summary(s: &SheetSummary) -> SummaryOut {
    SummaryOut {
        sheet: sheet_json(&s.sheet),
        owner_title: s.owner_title.clone(),
        owner_holder: s.owner_holder.clone(),
        target: money_text(s.target),
        total: money_text(s.total),
        in_force: s.in_force,
    }
}

/// `GET /api/v1/plan/quotas/{year}`: the year's sheets the caller may see.
pub(crate) async fn sheets(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(year): Path<String>,
) -> ApiResult<Json<Vec<SummaryOut>>> {
    let fiscal_year = fiscal_year(&year)?;
    Ok(Json(state.app.quota_sheets(&actor, fiscal_year)?.iter().map(summary).collect()))
}

#[derive(Serialize)]
struct ReportOut {
    position_id: String,
    title: String,
    holders: Vec<String>,
    months: Vec<String>,
    annual: String,
    /// The seat's year on the version in force, when this is a later version.
    in_force_annual: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct SheetOut {
    sheet: Value,
    owner_title: String,
    owner_holder: Option<String>,
    months: Vec<String>,
    reports: Vec<ReportOut>,
    target: String,
    total: String,
    in_force: bool,
    versions: Vec<Value>,
    may_edit: bool,
    may_review: bool,
}

fn sheet_out(v: &SheetView) -> SheetOut {
    SheetOut {
        sheet: sheet_json(&v.sheet),
        owner_title: v.owner_title.clone(),
        owner_holder: v.owner_holder.clone(),
        months: v.months.iter().map(|m| m.to_string()).collect(),
        reports: v
            .reports
            .iter()
            .map(|r| ReportOut {
                position_id: r.position_id.clone(),
                title: r.title.clone(),
                holders: r.holders.clone(),
                months: r.months.iter().map(|m| money_text(*m)).collect(),
                annual: money_text(r.annual),
                in_force_annual: r.in_force_annual.map(money_text),
            })
            .collect(),
        target: money_text(v.target),
        total: money_text(v.total),
        in_force: v.in_force,
        versions: v.versions.iter().map(sheet_json).collect(),
        may_edit: v.may_edit,
        may_review: v.may_review,
    }
}

fn view(state: &AppState, actor: &attain_app::Actor, id: &str) -> ApiResult<Response> {
    let v = state.app.quota_sheet(actor, id)?;
    Ok(with_etag(StatusCode::OK, sheet_out(&v), &v.etag))
}

/// `GET /api/v1/plan/quotas/sheets/{id}`: one sheet, its lines and versions, with its ETag.
pub(crate) async fn sheet(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    view(&state, &actor, &id)
}

/// The owner's change: each report's year by seat, and why.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EditIn {
    #[serde(default)]
    annual: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    note: String,
}

/// `PUT /api/v1/plan/quotas/sheets/{id}`: changes a draft (with `If-Match`), or starts the next
/// version of an approved sheet; answers with the saved sheet.
pub(crate) async fn put_sheet(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<EditIn>,
) -> ApiResult<Response> {
    let edit = SheetEdit {
        annual: body.annual.into_iter().collect(),
        note: body.note,
        if_match: if_match(&headers)?.map(str::to_string),
    };
    let saved = state.app.save_quota_sheet(&actor, &id, edit).await.map_err(precondition)?;
    view(&state, &actor, &saved)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReasonIn {
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /api/v1/plan/quotas/sheets/{id}/submit`: a draft goes to the next level up (a
/// `reason` is needed when its lines do not sum to the target).
pub(crate) async fn submit(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ReasonIn>,
) -> ApiResult<Response> {
    state.app.submit_quota_sheet(&actor, &id, body.reason.as_deref(), if_match(&headers)?).await?;
    view(&state, &actor, &id)
}

/// `POST /api/v1/plan/quotas/sheets/{id}/approve`: the next level up approves; pay reads it.
pub(crate) async fn approve(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    state.app.approve_quota_sheet(&actor, &id, if_match(&headers)?).await?;
    view(&state, &actor, &id)
}

/// `POST /api/v1/plan/quotas/sheets/{id}/return`: back to the owner as a draft, with why.
pub(crate) async fn send_back(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ReasonIn>,
) -> ApiResult<Response> {
    let reason = body.reason.unwrap_or_default();
    state.app.return_quota_sheet(&actor, &id, &reason, if_match(&headers)?).await?;
    view(&state, &actor, &id)
}

/// What to allocate; see docs/quota-allocation.md.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AllocateIn {
    fiscal_year: String,
    #[serde(default = "revenue")]
    measure: String,
    method: String,
    /// Equal, last year and potential parts, with `method: mix`.
    #[serde(default)]
    mix: Option<[String; 3]>,
    #[serde(default)]
    over_assignment: Vec<String>,
    #[serde(default)]
    ramp: String,
    note: String,
    /// Compute and answer, writing nothing.
    #[serde(default)]
    preview: bool,
}

fn revenue() -> String {
    "revenue".into()
}

#[derive(Serialize)]
struct SeatOut {
    position_id: String,
    title: String,
    holders: Vec<String>,
    parent: Option<String>,
    capacity: String,
    last_year: String,
    potential: String,
    annual: String,
    months: Vec<String>,
}

#[derive(Serialize)]
pub(crate) struct AllocationOut {
    fiscal_year: i16,
    measure: String,
    plan: String,
    total: String,
    written: bool,
    seats: Vec<SeatOut>,
    sheets: Vec<Value>,
}

fn allocation_out(a: &Allocation, written: bool) -> AllocationOut {
    AllocationOut {
        fiscal_year: a.fiscal_year,
        measure: a.measure.name().to_string(),
        plan: a.plan_id.clone(),
        total: money_text(a.total),
        written,
        seats: a
            .seats
            .iter()
            .map(|s| SeatOut {
                position_id: s.position_id.clone(),
                title: s.title.clone(),
                holders: s.holders.clone(),
                parent: s.parent.map(|p| a.seats[p].position_id.clone()),
                capacity: s.capacity.round_dp(6).normalize().to_string(),
                last_year: money_text(s.last_year),
                potential: money_text(s.potential),
                annual: money_text(s.annual),
                months: s.months.iter().map(|m| money_text(*m)).collect(),
            })
            .collect(),
        sheets: a.sheets.iter().map(sheet_json).collect(),
    }
}

/// `POST /api/v1/plan/quotas/allocate`: allocates the approved plan down the org as draft
/// sheets (`preview: true` computes the same and writes nothing).
pub(crate) async fn allocate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(body): JsonBody<AllocateIn>,
) -> ApiResult<Json<AllocationOut>> {
    let request = AllocationRequest {
        fiscal_year: body.fiscal_year,
        measure: body.measure,
        method: body.method,
        mix: body.mix.unwrap_or_else(|| ["1".into(), "1".into(), "1".into()]),
        over_assignment: body.over_assignment,
        ramp: body.ramp,
        note: body.note,
    };
    let allocation = if body.preview {
        state.app.quota_allocation(&actor, &request)?
    } else {
        state.app.apply_quota_allocation(&actor, &request).await?
    };
    Ok(Json(allocation_out(&allocation, !body.preview)))
}
