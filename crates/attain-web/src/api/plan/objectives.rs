//! Individual objectives (docs/objectives.md): the objectives the caller may see with the
//! seats they may set them for, setting one for a seat or for every seller below a seat, and
//! ending one. The app decides who may do what; a rep's answer holds their own seat only.

use attain_app::plan::{ObjectiveRequest, ObjectivesView, SeatChoice};
use attain_core::Kind;
use attain_core::domain::Objective;
use attain_core::record::Record;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::{JsonBody, QueryPairs};
use crate::auth::ApiActor;
use crate::error::ApiResult;
use crate::server::AppState;

fn objective_json(o: &Objective) -> Value {
    attain_app::records::record_json(Kind::Objectives, &o.to_values())
}

#[derive(Serialize)]
pub(crate) struct RowOut {
    objective: Value,
    /// "20 prospecting activities a week".
    sentence: String,
    seat: String,
    holder: Option<String>,
    in_force: bool,
    may_change: bool,
}

#[derive(Serialize)]
pub(crate) struct SeatOut {
    id: String,
    name: String,
    holder: Option<String>,
}

fn seat(s: &SeatChoice) -> SeatOut {
    SeatOut { id: s.id.clone(), name: s.name.clone(), holder: s.holder.clone() }
}

#[derive(Serialize)]
pub(crate) struct ObjectivesOut {
    today: String,
    objectives: Vec<RowOut>,
    seats: Vec<SeatOut>,
    teams: Vec<SeatOut>,
}

fn out(v: &ObjectivesView) -> ObjectivesOut {
    ObjectivesOut {
        today: v.today.to_string(),
        objectives: v
            .rows
            .iter()
            .map(|r| RowOut {
                objective: objective_json(&r.objective),
                sentence: r.objective.sentence(),
                seat: r.seat.clone(),
                holder: r.holder.clone(),
                in_force: r.in_force,
                may_change: r.may_change,
            })
            .collect(),
        seats: v.seats.iter().map(seat).collect(),
        teams: v.teams.iter().map(seat).collect(),
    }
}

/// `GET /api/v1/plan/objectives[?history=true]`: the objectives the caller may see (in force or
/// starting later; with `history`, also ended ones) and the seats they may set them for.
pub(crate) async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    query: QueryPairs,
) -> ApiResult<Json<ObjectivesOut>> {
    let history = query.flag("history")?;
    Ok(Json(out(&state.app.objectives(&actor, history)?)))
}

/// `POST /api/v1/plan/objectives`: sets the objective for the seat, or for every seller below
/// it (`team`); answers 201 with what was written.
pub(crate) async fn set(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    JsonBody(request): JsonBody<ObjectiveRequest>,
) -> ApiResult<(StatusCode, Json<Vec<Value>>)> {
    let written = state.app.set_objectives(&actor, &request).await?;
    Ok((StatusCode::CREATED, Json(written.iter().map(objective_json).collect())))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EndIn {
    valid_to: String,
}

/// `POST /api/v1/plan/objectives/{id}/end`: ends the objective on `valid_to` (the first day it
/// no longer holds).
pub(crate) async fn end(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<EndIn>,
) -> ApiResult<Json<Value>> {
    Ok(Json(objective_json(&state.app.end_objective(&actor, &id, &body.valid_to).await?)))
}
