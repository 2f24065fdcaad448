//! Territories (docs/territories.md): the hierarchy edited, the account-assignment rules,
//! their preview and application, and the balance report with its suggested moves. Company
//! design: the whole-company roles read it, comp admins and admins change it; managers and
//! reps get 404, as for the plan. Who may do what is the app's decision.

use attain_app::plan::{
    AssignmentPreview, BalanceRequest, OwnerRequest, RuleRequest, RuleRow, TerritoryBalance, TerritoryRequest,
};
use attain_core::Kind;
use attain_core::dating::parse_date;
use attain_core::domain::{Territory, TerritoryOwner, TerritoryRule};
use attain_core::record::{Choice, Record};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::{JsonBody, QueryPairs};
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult, Failure};
use crate::server::AppState;

fn rule_json(r: &TerritoryRule) -> Value {
    attain_app::records::record_json(Kind::TerritoryRules, &r.to_values())
}

#[derive(Serialize)]
pub(crate) struct RuleOut {
    rule: Value,
    /// "country = CA".
    condition: String,
    /// 1 (named account) to 6 (size band): lower wins.
    precedence: u8,
    territory: String,
    in_force: bool,
    /// How many accounts it decides today.
    decides: usize,
}

fn rule_out(r: &RuleRow) -> RuleOut {
    RuleOut {
        rule: rule_json(&r.rule),
        condition: r.rule.condition(),
        precedence: r.rule.basis.precedence(),
        territory: r.territory.clone(),
        in_force: r.in_force,
        decides: r.decides,
    }
}

/// `GET /api/v1/plan/territories/rules[?history=true]`: the rules in precedence order.
pub(crate) async fn rules(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    query: QueryPairs,
) -> ApiResult<Json<Vec<RuleOut>>> {
    let history = query.flag("history")?;
    Ok(Json(state.app.territory_rules(&actor, history)?.iter().map(rule_out).collect()))
}

/// `POST /api/v1/plan/territories/rules`: saves a rule; 201 with it.
pub(crate) async fn save_rule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(request): JsonBody<RuleRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let rule = state.app.save_territory_rule(&actor, &request).await?;
    Ok((StatusCode::CREATED, Json(rule_json(&rule))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EndIn {
    valid_to: String,
}

/// `POST /api/v1/plan/territories/rules/{id}/end`.
pub(crate) async fn end_rule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<EndIn>,
) -> ApiResult<Json<Value>> {
    Ok(Json(rule_json(&state.app.end_territory_rule(&actor, &id, &body.valid_to).await?)))
}

#[derive(Serialize)]
struct MoveOut {
    account_id: String,
    account: String,
    from_territory: Option<String>,
    from_name: Option<String>,
    from_owner: Option<String>,
    to_territory: String,
    to_name: String,
    to_owner: Option<String>,
    rule_id: String,
    rule: String,
}

#[derive(Serialize)]
pub(crate) struct AssignmentOut {
    on: String,
    rules_in_force: usize,
    accounts: usize,
    decided: usize,
    applied: bool,
    moves: Vec<MoveOut>,
}

fn assignment_out(p: AssignmentPreview) -> AssignmentOut {
    AssignmentOut {
        on: p.on.to_string(),
        rules_in_force: p.rules_in_force,
        accounts: p.accounts,
        decided: p.decided,
        applied: p.applied,
        moves: p
            .moves
            .into_iter()
            .map(|m| MoveOut {
                account_id: m.account_id,
                account: m.account,
                from_territory: m.from_territory,
                from_name: m.from_name,
                from_owner: m.from_owner,
                to_territory: m.to_territory,
                to_name: m.to_name,
                to_owner: m.to_owner,
                rule_id: m.rule_id,
                rule: m.rule,
            })
            .collect(),
    }
}

fn day(text: Option<&str>, state: &AppState) -> Result<attain_core::Date, Failure> {
    match text.map(str::trim) {
        None => Ok(state.app.pay_today()),
        Some(t) => parse_date(t).map_err(|e| ApiError::bad_request("on", e.to_string()).into()),
    }
}

/// `GET /api/v1/plan/territories/assignment[?on=DAY]`: what applying the rules in force on
/// the day (default today) would move, from whom to whom.
pub(crate) async fn preview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    query: QueryPairs,
) -> ApiResult<Json<AssignmentOut>> {
    let on = day(query.get("on"), &state)?;
    Ok(Json(assignment_out(state.app.assign_territories(&actor, on, false).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApplyIn {
    on: String,
}

/// `POST /api/v1/plan/territories/assignment`: applies the rules on `on`, exactly the moves
/// the preview lists on unchanged data.
pub(crate) async fn apply(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(body): JsonBody<ApplyIn>,
) -> ApiResult<Json<AssignmentOut>> {
    let on = day(Some(&body.on), &state)?;
    Ok(Json(assignment_out(state.app.assign_territories(&actor, on, true).await?)))
}

#[derive(Serialize)]
struct BalanceRowOut {
    territory_id: String,
    name: String,
    owner: Option<String>,
    accounts: u32,
    potential: String,
    pipeline: String,
    open_deals: u32,
    bookings: String,
    workload: u32,
    /// The measure as a percentage of the average (100 = average).
    index: String,
}

#[derive(Serialize)]
struct SuggestionOut {
    account_id: String,
    account: String,
    from_territory: String,
    from_name: String,
    to_territory: String,
    to_name: String,
    value: String,
    score_after: String,
}

#[derive(Serialize)]
pub(crate) struct BalanceOut {
    on: String,
    measure: String,
    currency: String,
    bookings_year: i16,
    under: Option<String>,
    average: String,
    /// Mean absolute deviation over the average, in percent: 0 is even.
    score: String,
    territories: Vec<BalanceRowOut>,
    suggestions: Vec<SuggestionOut>,
}

fn balance_out(b: TerritoryBalance) -> BalanceOut {
    let money = |d: rust_decimal::Decimal| b.currency.fixed(d).to_string();
    BalanceOut {
        on: b.on.to_string(),
        measure: b.measure.name().to_string(),
        currency: b.currency.code().to_string(),
        bookings_year: b.bookings_year,
        under: b.under.clone(),
        average: b.average.to_string(),
        score: b.score.to_string(),
        territories: b
            .rows
            .iter()
            .map(|r| BalanceRowOut {
                territory_id: r.territory_id.clone(),
                name: r.name.clone(),
                owner: r.owner.clone(),
                accounts: r.load.accounts,
                potential: money(r.load.potential),
                pipeline: money(r.load.pipeline),
                open_deals: r.load.open_deals,
                bookings: money(r.load.bookings),
                workload: r.load.workload,
                index: r.load.index.to_string(),
            })
            .collect(),
        suggestions: b
            .suggestions
            .iter()
            .map(|s| SuggestionOut {
                account_id: s.account_id.clone(),
                account: s.account.clone(),
                from_territory: s.from_territory.clone(),
                from_name: s.from_name.clone(),
                to_territory: s.to_territory.clone(),
                to_name: s.to_name.clone(),
                value: s.value.to_string(),
                score_after: s.score_after.to_string(),
            })
            .collect(),
    }
}

fn balance_request(query: &QueryPairs) -> BalanceRequest {
    let given = |name: &str| query.get(name).map(str::to_string);
    BalanceRequest {
        on: given("on"),
        measure: given("measure"),
        under: given("under"),
        moves: given("moves"),
    }
}

/// `GET /api/v1/plan/territories/balance[?on&measure&under&moves]`: the balance report.
pub(crate) async fn balance(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    query: QueryPairs,
) -> ApiResult<Json<BalanceOut>> {
    Ok(Json(balance_out(state.app.territory_balance(&actor, &balance_request(&query))?)))
}

/// `POST /api/v1/plan/territories/balance/moves`: takes the report's suggested moves as
/// override rules from its day; 201 with the rules written.
pub(crate) async fn take_moves(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(body): JsonBody<serde_json::Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<Vec<Value>>)> {
    // Every field is optional, and serde would read a struct from an array too: the body is
    // read as an object first, so `[null, null]` is the 400 its schema says it is.
    let request: BalanceRequest =
        crate::api::extract::parse_json(&serde_json::to_vec(&body).unwrap_or_default())?;
    let rules = state.app.take_balance_moves(&actor, &request).await?;
    Ok((StatusCode::CREATED, Json(rules.iter().map(rule_json).collect())))
}

fn territory_json(t: &Territory) -> Value {
    attain_app::records::record_json(Kind::Territories, &t.to_values())
}

/// `POST /api/v1/plan/territories`: adds a territory (its id made from its name); 201.
pub(crate) async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(request): JsonBody<TerritoryRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let t = state.app.save_territory(&actor, None, &request).await?;
    Ok((StatusCode::CREATED, Json(territory_json(&t))))
}

/// `PUT /api/v1/plan/territories/{id}`: renames it, moves it under another parent, sets its
/// region. A parent that is the territory or below it is refused.
pub(crate) async fn save(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<TerritoryRequest>,
) -> ApiResult<Json<Value>> {
    Ok(Json(territory_json(&state.app.save_territory(&actor, Some(&id), &request).await?)))
}

/// `POST /api/v1/plan/territories/{id}/owner`: hands the territory to a seat from a day.
pub(crate) async fn owner(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<OwnerRequest>,
) -> ApiResult<Json<Value>> {
    let o: TerritoryOwner = state.app.set_territory_owner(&actor, &id, &request).await?;
    Ok(Json(attain_app::records::record_json(Kind::TerritoryOwners, &o.to_values())))
}
