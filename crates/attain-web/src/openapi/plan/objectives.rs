//! The individual objective operations: the objectives you may see, setting one for a seat or
//! a team, and ending one.

use serde_json::{Map, Value, json};

use crate::openapi::{decimal, error_response, ok_json, operation, param, schema, with};

const MEASURES: [&str; 11] = [
    "revenue",
    "margin",
    "bookings",
    "activities",
    "calls",
    "emails",
    "meetings",
    "demos",
    "prospecting",
    "qualification",
    "new_opportunities",
];

/// Adds the objective operations to `paths`.
pub(crate) fn paths(paths: &mut Map<String, Value>) {
    let list = operation(
        "plan",
        "The individual objectives you may see (all for the whole-company roles, your team's for a manager, your own for a rep), in force or starting later, and the seats you may set them for",
        "list_plan_objectives",
        json!({"200": ok_json("The objectives and where you may set them", schema("ObjectivesView"))}),
    );
    let list = with(
        list,
        "parameters",
        json!([param(
            "history",
            "query",
            "Also the objectives that have ended",
            json!({"type": "boolean", "default": false}),
            false
        )]),
    );
    let set = operation(
        "plan",
        "Set an objective for a seat, or for every seller below it (`team`), from a day: the seat's objective on the same measure that holds that day ends then. Comp admins for any seat; a manager for the seats below their own",
        "set_plan_objective",
        json!({
            "201": ok_json("The objectives written, one per seat", json!({"type": "array", "items": schema("Objectives")})),
            "403": error_response("Not a seat you may set objectives for (your own, or anyone's if you are not a manager or comp admin)"),
            "404": error_response("No such seat, or not yours to see"),
            "422": error_response("A field is invalid (it is named): the target, the currency, the dates, a team with no sellers, a later objective in the way"),
        }),
    );
    let date = || json!({"type": "string", "format": "date"});
    let set = with(
        set,
        "requestBody",
        json!({"required": true, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": false,
            "required": ["seat", "measure", "cadence", "target", "valid_from"],
            "properties": {
                "seat": {"type": "string", "minLength": 1, "maxLength": 200, "description": "a position id"},
                "team": {"type": "boolean", "default": false,
                         "description": "set it for every seat below `seat` that has no reports of its own"},
                "measure": {"type": "string", "enum": MEASURES},
                "cadence": {"type": "string", "enum": ["week", "month", "quarter", "year"]},
                "target": decimal(),
                "currency": {"type": ["string", "null"], "pattern": "^[A-Za-z]{3}$",
                             "description": "for revenue, margin and bookings; empty for counts"},
                "valid_from": date(),
                "valid_to": {"oneOf": [date(), {"type": "null"}], "description": "the first day it no longer holds"},
                "note": {"type": ["string", "null"], "maxLength": 2000}}}}}}),
    );
    paths.insert("/api/v1/plan/objectives".into(), json!({"get": list, "post": set}));

    let end = operation(
        "plan",
        "End an objective: `valid_to` is the first day it no longer holds",
        "end_plan_objective",
        json!({
            "200": ok_json("The objective as it now is", schema("Objectives")),
            "403": error_response("Not a seat you may set objectives for"),
            "404": error_response("No such objective, or not yours to see"),
            "422": error_response("valid_to is not after the objective's start, or not before its current end"),
        }),
    );
    let end = with(
        end,
        "requestBody",
        json!({"required": true, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": false, "required": ["valid_to"],
            "properties": {"valid_to": date()}}}}}),
    );
    let id = param(
        "id",
        "path",
        "The objective's id, like ob-pos-rep-1-calls-2018-01-01",
        json!({"type": "string", "minLength": 1, "maxLength": 200}),
        true,
    );
    paths.insert("/api/v1/plan/objectives/{id}/end".into(), json!({"parameters": [id], "post": end}));
}

/// The objective schemas.
pub(crate) fn schemas(schemas: &mut Map<String, Value>) {
    let seat = json!({"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "holder": {"type": ["string", "null"]}}});
    schemas.insert(
        "ObjectivesView".into(),
        json!({"type": "object", "properties": {
            "today": {"type": "string", "format": "date"},
            "objectives": {"type": "array", "items": {"type": "object", "properties": {
                "objective": schema("Objectives"),
                "sentence": {"type": "string", "description": "the objective as a sentence: 20 calls a week"},
                "seat": {"type": "string"}, "holder": {"type": ["string", "null"]},
                "in_force": {"type": "boolean", "description": "whether it holds today"},
                "may_change": {"type": "boolean"}}}},
            "seats": {"type": "array", "items": seat.clone(), "description": "seats you may set an objective for"},
            "teams": {"type": "array", "items": seat, "description": "seats whose sellers you may give one objective at once"}}}),
    );
}
