//! Capacity planning (docs/capacity.md): the headcount the year's approved revenue plan needs,
//! quarter by quarter. Company totals: managers and reps get 404, as for the plan itself.

use attain_app::plan::{CapacityPlan, CapacityRequest};
use attain_core::Money;
use axum::extract::{Path, State};
use axum::response::Json;
use serde::Serialize;

use super::{fiscal_year, money_text};
use crate::api::QueryPairs;
use crate::auth::ApiActor;
use crate::error::ApiResult;
use crate::server::AppState;

#[derive(Serialize)]
struct QuarterOut {
    period: String,
    plan: String,
    team_capacity: String,
    open_seat_capacity: String,
    hire_capacity: String,
    hires: u32,
    /// The quarter the hires' seats must be opened; null: before the plan starts (late).
    open_by: Option<String>,
    uncovered: String,
    heads: String,
    gap: u32,
}

#[derive(Serialize)]
struct OpenSeatOut {
    position_id: String,
    name: String,
    starts: String,
}

#[derive(Serialize)]
pub(crate) struct CapacityOut {
    fiscal_year: i16,
    plan: String,
    currency: String,
    productivity: String,
    suggested_productivity: Option<String>,
    ramp: Vec<String>,
    attrition: String,
    lead_quarters: u32,
    current_reps: usize,
    ramping: usize,
    open_seats: Vec<OpenSeatOut>,
    hires: u32,
    quarters: Vec<QuarterOut>,
}

/// A headcount estimate to two decimals (people, not money).
fn heads(d: rust_decimal::Decimal) -> String {
    d.round_dp(2).to_string()
}

fn out(c: &CapacityPlan) -> CapacityOut {
    let money = |minor: i64| money_text(Money::from_minor(minor, c.currency));
    let amount = |d: rust_decimal::Decimal| c.currency.fixed(d).to_string();
    let unit = rust_decimal::Decimal::new(1, c.currency.minor_units());
    CapacityOut {
        fiscal_year: c.fiscal_year,
        plan: c.plan_id.clone(),
        currency: c.currency.code().to_string(),
        productivity: money_text(c.productivity),
        suggested_productivity: c.suggested.map(money_text),
        ramp: c.ramp.iter().map(|r| r.to_string()).collect(),
        attrition: c.attrition.to_string(),
        lead_quarters: c.lead_quarters,
        current_reps: c.current_reps,
        ramping: c.ramping,
        open_seats: c
            .open_seats
            .iter()
            .map(|o| OpenSeatOut {
                position_id: o.position_id.clone(),
                name: o.name.clone(),
                starts: o.starts.to_string(),
            })
            .collect(),
        hires: c.hires,
        quarters: c
            .quarters
            .iter()
            .map(|q| QuarterOut {
                period: q.period.to_string(),
                plan: money(q.need.plan),
                // Capacities are in minor units (exact estimates): shown in the currency.
                team_capacity: amount(q.need.team_capacity * unit),
                open_seat_capacity: amount(q.need.open_seat_capacity * unit),
                hire_capacity: amount(q.need.hire_capacity * unit),
                hires: q.need.hires,
                open_by: q.open_by.map(|p| p.to_string()),
                uncovered: amount(q.need.uncovered * unit),
                heads: heads(q.need.heads),
                gap: q.need.gap,
            })
            .collect(),
    }
}

/// The planner's choices from the query, defaults where absent.
pub(crate) fn request(fiscal_year: i16, query: &QueryPairs) -> CapacityRequest {
    let defaults = CapacityRequest::defaults(fiscal_year);
    let given = |name: &str| query.get(name).map(str::to_string);
    CapacityRequest {
        fiscal_year,
        productivity: given("productivity").or(defaults.productivity),
        ramp: given("ramp").unwrap_or(defaults.ramp),
        attrition: given("attrition").unwrap_or(defaults.attrition),
        lead_quarters: given("lead_quarters").unwrap_or(defaults.lead_quarters),
    }
}

/// `GET /api/v1/plan/capacity/{year}`: the headcount the plan needs.
pub(crate) async fn capacity(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(year): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<CapacityOut>> {
    let fiscal_year = fiscal_year(&year)?;
    Ok(Json(out(&state.app.capacity_plan(&actor, &request(fiscal_year, &query))?)))
}
