//! The capacity planning operation: the headcount the year's approved plan needs.

use serde_json::{Map, Value, json};

use crate::openapi::{decimal, error_response, ok_json, operation, param, schema, with};

/// Adds the capacity operation to `paths`.
pub(crate) fn paths(paths: &mut Map<String, Value>) {
    let year = param(
        "year",
        "path",
        "The fiscal year, 1900 to 2999, like 2018",
        json!({"type": "string", "pattern": "^(FY)?(19[0-9]{2}|2[0-9]{3})$"}),
        true,
    );
    let get = operation(
        "plan",
        "The headcount the year's approved revenue plan needs, quarter by quarter: the current reps (ramp and attrition applied), the open seats, the hires to plan and when to open their seats (admin, comp admin, finance, executive)",
        "plan_capacity",
        json!({
            "200": ok_json("The capacity plan", schema("CapacityPlan")),
            "404": error_response("No plan for the year, or not yours to see (managers and reps)"),
            "422": error_response("A choice is invalid (it is named): productivity, ramp, attrition, lead_quarters; or the year has no approved plan (fiscal_year)"),
        }),
    );
    let get = with(
        get,
        "parameters",
        json!([
            param(
                "productivity",
                "query",
                "What a fully ramped rep delivers a quarter, in the plan's currency; absent: last year's revenue per rep-quarter",
                json!({"type": "string", "pattern": "^[0-9]{1,15}(\\.[0-9]{1,4})?$"}),
                false
            ),
            param(
                "ramp",
                "query",
                "Percent per tenure quarter for new reps, like 25,50,75 (empty: none)",
                json!({"type": "string", "pattern": "^([0-9]{1,3}(\\.[0-9]{1,2})?(,[0-9]{1,3}(\\.[0-9]{1,2})?)*)?$", "default": "25,50,75"}),
                false
            ),
            param(
                "attrition",
                "query",
                "Expected annual attrition in percent, 0 up to 100",
                json!({"type": "string", "pattern": "^[0-9]{1,2}(\\.[0-9]{1,2})?$", "default": "35"}),
                false
            ),
            param(
                "lead_quarters",
                "query",
                "Quarters it takes to fill a seat, 0 to 8",
                json!({"type": "string", "pattern": "^[0-8]$", "default": "1"}),
                false
            ),
        ]),
    );
    paths.insert("/api/v1/plan/capacity/{year}".into(), json!({"parameters": [year], "get": get}));
}

/// The capacity schema.
pub(crate) fn schemas(schemas: &mut Map<String, Value>) {
    schemas.insert(
        "CapacityPlan".into(),
        json!({"type": "object", "properties": {
            "fiscal_year": {"type": "integer"},
            "plan": {"type": "string", "description": "the revenue plan version read"},
            "currency": {"type": "string"},
            "productivity": decimal(),
            "suggested_productivity": {"oneOf": [decimal(), {"type": "null"}], "description": "last year's revenue per rep-quarter"},
            "ramp": {"type": "array", "items": decimal()},
            "attrition": decimal(),
            "lead_quarters": {"type": "integer"},
            "current_reps": {"type": "integer", "description": "reps in seat on the year's first day"},
            "ramping": {"type": "integer", "description": "of them, still in their ramp"},
            "open_seats": {"type": "array", "items": {"type": "object", "properties": {
                "position_id": {"type": "string"}, "name": {"type": "string"}, "starts": {"type": "string"}}}},
            "hires": {"type": "integer", "description": "people to hire beyond the team and its open seats"},
            "quarters": {"type": "array", "items": {"type": "object", "properties": {
                "period": {"type": "string"}, "plan": decimal(), "team_capacity": decimal(),
                "open_seat_capacity": decimal(), "hire_capacity": decimal(),
                "hires": {"type": "integer"},
                "open_by": {"type": ["string", "null"], "description": "the quarter to open the hires' seats; null: before the plan starts (late)"},
                "uncovered": decimal(), "heads": decimal(), "gap": {"type": "integer"}}}}}}),
    );
}
