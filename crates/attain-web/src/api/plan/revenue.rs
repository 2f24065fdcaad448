//! The revenue plan's years and versions, a version against actual month by month,
//! preparing the draft and approving it. Only the whole-company roles read the plan (managers
//! and reps get 404: it is company totals); who may prepare and approve is the app's decision.

use attain_app::plan::{Figures, MonthLine, PlanVsActual, RevenueDraft, RevenueYear};
use attain_core::Kind;
use attain_core::domain::RevenuePlan;
use attain_core::record::Record;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Json, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{fiscal_year, if_match, money_text, precondition, version, with_etag};
use crate::api::{JsonBody, QueryPairs};
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult};
use crate::server::AppState;

/// A version as the records API shows it: its columns, money as exact decimal strings.
fn plan_json(plan: &RevenuePlan) -> Value {
    attain_app::records::record_json(Kind::RevenuePlans, &plan.to_values())
}

#[derive(Serialize)]
pub(crate) struct YearOut {
    fiscal_year: i16,
    /// The plan in force: the newest approved version.
    in_force: Option<u32>,
    /// The draft being prepared.
    draft: Option<u32>,
    /// Newest first.
    versions: Vec<Value>,
}

fn year_out(y: &RevenueYear) -> YearOut {
    YearOut {
        fiscal_year: y.fiscal_year,
        in_force: y.in_force().map(|p| p.version),
        draft: y.draft().map(|p| p.version),
        versions: y.versions.iter().map(plan_json).collect(),
    }
}

/// `GET /api/v1/plan/revenue`: every year with a plan, newest first.
pub(crate) async fn years(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<YearOut>>> {
    Ok(Json(state.app.revenue_years(&actor)?.iter().map(year_out).collect()))
}

#[derive(Serialize)]
struct FiguresOut {
    revenue: String,
    margin: String,
    bookings: String,
    new_logos: i64,
}

fn figures(f: &Figures) -> FiguresOut {
    FiguresOut {
        revenue: money_text(f.revenue),
        margin: money_text(f.margin),
        bookings: money_text(f.bookings),
        new_logos: f.new_logos,
    }
}

#[derive(Serialize)]
struct MonthOut {
    period: String,
    plan: FiguresOut,
    /// `null` for a month not begun.
    actual: Option<FiguresOut>,
}

#[derive(Serialize)]
struct PlanVsActualOut {
    plan: Value,
    currency: String,
    months: Vec<MonthOut>,
    total_plan: FiguresOut,
    plan_to_date: FiguresOut,
    actual_to_date: FiguresOut,
}

fn month_out(l: &MonthLine) -> MonthOut {
    MonthOut { period: l.period.to_string(), plan: figures(&l.plan), actual: l.actual.as_ref().map(figures) }
}

/// `GET /api/v1/plan/revenue/{year}`: the plan in force (or `?version=N`) against actual.
pub(crate) async fn year(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(year): Path<String>,
    query: QueryPairs,
) -> ApiResult<Response> {
    let fiscal_year = fiscal_year(&year)?;
    let version = query.get("version").map(version).transpose()?;
    let view: PlanVsActual = state.app.plan_vs_actual(&actor, fiscal_year, version)?;
    let body = PlanVsActualOut {
        plan: plan_json(&view.plan),
        currency: view.plan.currency.code().to_string(),
        months: view.months.iter().map(month_out).collect(),
        total_plan: figures(&view.total_plan),
        plan_to_date: figures(&view.plan_to_date),
        actual_to_date: figures(&view.total_actual),
    };
    Ok(with_etag(StatusCode::OK, body, &view.etag))
}

/// The draft as a comp admin sends it; amounts are exact decimal strings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DraftIn {
    #[serde(default)]
    currency: Option<String>,
    revenue: String,
    margin: String,
    bookings: String,
    /// A whole number; JSON may write it `40` or `40.0`.
    new_logos: serde_json::Number,
    /// `entered`, `even` or `learned`.
    season: String,
    /// Twelve month shares (percent, two decimals), read when `season` is `entered`.
    #[serde(default)]
    shares: Vec<String>,
    note: String,
}

/// `PUT /api/v1/plan/revenue/{year}/draft`: changes the open draft (with `If-Match`, its ETag)
/// or starts a new version.
pub(crate) async fn put_draft(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(year): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<DraftIn>,
) -> ApiResult<Response> {
    let fiscal_year = fiscal_year(&year)?;
    if body.shares.len() > 12 {
        return Err(
            ApiError::bad_request("shares", "at most twelve month shares, one per fiscal month").into()
        );
    }
    // The shares are decimals written plainly (`8.33`), whichever season is chosen.
    let plain = |t: &str| {
        let digits = t.strip_prefix('-').unwrap_or(t);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "1"));
        !whole.is_empty()
            && !fraction.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.bytes().all(|b| b.is_ascii_digit())
    };
    if let Some(bad) = body.shares.iter().find(|t| !plain(t)) {
        return Err(ApiError::bad_request("shares", format!("'{bad}' is not a decimal like 8.33")).into());
    }
    // `40.0` is the whole number 40 in JSON; a fraction is left for the record's check (422).
    let new_logos = body.new_logos.to_string();
    let new_logos = match new_logos.parse::<rust_decimal::Decimal>() {
        Ok(d) if d.fract().is_zero() => d.trunc().normalize().to_string(),
        _ => new_logos,
    };
    let draft = RevenueDraft {
        fiscal_year: fiscal_year.to_string(),
        currency: body.currency,
        revenue: body.revenue,
        margin: body.margin,
        bookings: body.bookings,
        new_logos,
        season: body.season,
        shares: body.shares,
        note: body.note,
        if_match: if_match(&headers)?.map(str::to_string),
    };
    let saved = state.app.save_revenue_draft(&actor, draft).await.map_err(precondition)?;
    let etag = state.app.revenue_etag(&actor, fiscal_year, saved.version)?;
    Ok(with_etag(StatusCode::OK, plan_json(&saved), &etag))
}

/// `POST /api/v1/plan/revenue/{year}/versions/{version}/approve`: approves a draft; with
/// `If-Match`, only the version the approver read.
pub(crate) async fn approve(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((year, number)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (fiscal_year, number) = (fiscal_year(&year)?, version(&number)?);
    let approved = state.app.approve_revenue_plan(&actor, fiscal_year, number, if_match(&headers)?).await?;
    let etag = state.app.revenue_etag(&actor, fiscal_year, approved.version)?;
    Ok(with_etag(StatusCode::OK, plan_json(&approved), &etag))
}

#[derive(Serialize)]
pub(crate) struct SharesOut {
    fiscal_year: i16,
    shares: Vec<String>,
}

/// `GET /api/v1/plan/revenue/{year}/learned-shares`: the month shares the bookings of the three
/// years before give.
pub(crate) async fn learned_shares(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(year): Path<String>,
) -> ApiResult<Json<SharesOut>> {
    let fiscal_year = fiscal_year(&year)?;
    let shares = state.app.learned_shares(&actor, fiscal_year)?;
    Ok(Json(SharesOut { fiscal_year, shares: shares.iter().map(|s| s.to_string()).collect() }))
}
