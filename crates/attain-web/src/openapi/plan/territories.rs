//! The territory design operations: the hierarchy, the assignment rules, their preview and
//! application, and the balance report with its suggested moves.

use serde_json::{Map, Value, json};

use crate::openapi::{error_response, ok_json, operation, param, schema, with};

const BASES: [&str; 6] = ["named", "override", "country", "region", "industry", "size"];
const MEASURES: [&str; 5] = ["potential", "pipeline", "bookings", "workload", "accounts"];

fn body(required: &[&str], properties: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": false, "required": required, "properties": properties}}}})
}

fn text(max: u32) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": max})
}

fn opt_text(max: u32) -> Value {
    json!({"type": ["string", "null"], "maxLength": max})
}

fn date() -> Value {
    json!({"type": "string", "format": "date"})
}

fn not_yours() -> Value {
    error_response(
        "Not a whole-company role: territory design is company-wide (managers and reps are told nothing exists)",
    )
}

/// Adds the territory operations to `paths`.
pub(crate) fn paths(paths: &mut Map<String, Value>) {
    // The record's own limits, which the write checks.
    let spec = attain_core::Kind::Territories.spec();
    let limit = |column: &str| spec.index_of(column).map_or(200, |i| spec.max_chars(i)) as u32;
    let territory_body = || {
        body(
            &["name"],
            json!({"name": text(limit("name")), "parent_id": opt_text(limit("parent_id")),
                   "region": opt_text(limit("region"))}),
        )
    };
    let create = operation(
        "plan",
        "Add a territory to the hierarchy (its id made from its name). Comp admins and admins",
        "create_plan_territory",
        json!({
            "201": ok_json("The territory", schema("Territories")),
            "403": error_response("Not a comp admin or admin"),
            "422": error_response("A field is invalid (it is named): an empty name, a taken id, no such parent"),
        }),
    );
    paths.insert(
        "/api/v1/plan/territories".into(),
        json!({"post": with(create, "requestBody", territory_body())}),
    );

    let id = |what: &str| {
        param("id", "path", what, json!({"type": "string", "minLength": 1, "maxLength": 200}), true)
    };
    let save = operation(
        "plan",
        "Rename a territory, move it under another, set its region. A parent that is the territory itself or below it is refused",
        "save_plan_territory",
        json!({
            "200": ok_json("The territory as it now is", schema("Territories")),
            "403": error_response("Not a comp admin or admin"),
            "404": error_response("No such territory"),
            "422": error_response("A field is invalid (it is named): the parent is the territory or below it"),
        }),
    );
    paths.insert(
        "/api/v1/plan/territories/{id}".into(),
        json!({"parameters": [id("The territory's id")], "put": with(save, "requestBody", territory_body())}),
    );
    let owner = operation(
        "plan",
        "Hand a territory to a seat from a day: the owner holding that day ends then, and the history stays",
        "set_plan_territory_owner",
        json!({
            "200": ok_json("The new owner row", schema("TerritoryOwners")),
            "403": error_response("Not a comp admin or admin"),
            "404": error_response("No such territory"),
            "422": error_response("A field is invalid (it is named): no such seat on that day, a bad date"),
        }),
    );
    let owner = with(
        owner,
        "requestBody",
        body(&["position_id", "valid_from"], json!({"position_id": text(200), "valid_from": date()})),
    );
    paths.insert(
        "/api/v1/plan/territories/{id}/owner".into(),
        json!({"parameters": [id("The territory's id")], "post": owner}),
    );

    let list = operation(
        "plan",
        "The account-assignment rules in precedence order (named account, override, country, region, industry, size band), with how many accounts each decides today",
        "list_plan_territory_rules",
        json!({"200": ok_json("The rules", json!({"type": "array", "items": schema("TerritoryRuleView")})), "404": not_yours()}),
    );
    let list = with(
        list,
        "parameters",
        json!([param(
            "history",
            "query",
            "Also the rules that have ended",
            json!({"type": "boolean", "default": false}),
            false
        )]),
    );
    let save_rule = operation(
        "plan",
        "Save an assignment rule from a day (the same basis, value and day again changes it). Refused, naming both rules and the account, when another rule of its precedence gives an account it claims to a different territory",
        "save_plan_territory_rule",
        json!({
            "201": ok_json("The rule", schema("TerritoryRules")),
            "403": error_response("Not a comp admin or admin"),
            "404": not_yours(),
            "422": error_response("A field is invalid (it is named): no such territory or account, a size band that is not one, two rules of one precedence claiming an account"),
        }),
    );
    let save_rule = with(
        save_rule,
        "requestBody",
        body(
            &["territory_id", "basis", "value", "valid_from"],
            json!({
                "territory_id": text(200),
                "basis": {"type": "string", "enum": BASES},
                "value": {"type": "string", "minLength": 1, "maxLength": 200,
                          "description": "an account id (named, override), or the country, region, industry or size band"},
                "valid_from": date(),
                "valid_to": {"oneOf": [date(), {"type": "null"}], "description": "the first day it no longer holds"},
                "note": opt_text(2000)}),
        ),
    );
    paths.insert("/api/v1/plan/territories/rules".into(), json!({"get": list, "post": save_rule}));
    let end = operation(
        "plan",
        "End an assignment rule: `valid_to` is the first day it no longer holds",
        "end_plan_territory_rule",
        json!({
            "200": ok_json("The rule as it now is", schema("TerritoryRules")),
            "403": error_response("Not a comp admin or admin"),
            "404": error_response("No such rule, or not yours to see"),
            "422": error_response("valid_to is not after the rule's start"),
        }),
    );
    let end = with(end, "requestBody", body(&["valid_to"], json!({"valid_to": date()})));
    paths.insert(
        "/api/v1/plan/territories/rules/{id}/end".into(),
        json!({"parameters": [id("The rule's id")], "post": end}),
    );

    let preview = operation(
        "plan",
        "Preview the assignment: which accounts applying the rules in force on a day would move, from which territory and owner to which, by which rule. Nothing is written",
        "preview_plan_territory_assignment",
        json!({
            "200": ok_json("The moves", schema("TerritoryAssignment")),
            "404": not_yours(),
            "422": error_response("Two rules of one precedence claim an account (both are named); no FX rate for a day"),
        }),
    );
    let preview =
        with(preview, "parameters", json!([param("on", "query", "The day (default today)", date(), false)]));
    let apply = operation(
        "plan",
        "Apply the assignment on a day: exactly the moves the preview lists on unchanged data, written as dated account territories in one transaction. Comp admins and admins",
        "apply_plan_territory_assignment",
        json!({
            "200": ok_json("What was moved", schema("TerritoryAssignment")),
            "403": error_response("Not a comp admin or admin"),
            "404": not_yours(),
            "422": error_response("Two rules of one precedence claim an account (both are named)"),
        }),
    );
    let apply = with(apply, "requestBody", body(&["on"], json!({"on": date()})));
    paths.insert("/api/v1/plan/territories/assignment".into(), json!({"get": preview, "post": apply}));

    let measure = || json!({"type": "string", "enum": MEASURES});
    let balance = operation(
        "plan",
        "The balance report: each leaf territory's accounts, potential, open pipeline, last fiscal year's bookings and workload on a day, its index against the average, the set's imbalance score, and suggested moves that lower it (never a named account)",
        "plan_territory_balance",
        json!({
            "200": ok_json("The report", schema("TerritoryBalance")),
            "404": not_yours(),
            "422": error_response("A parameter is invalid (it is named)"),
        }),
    );
    let balance = with(
        balance,
        "parameters",
        json!([
            param("on", "query", "The day (empty or absent: today)", crate::openapi::date_or_empty(), false),
            param(
                "measure",
                "query",
                "What to balance (empty or absent: potential)",
                json!({"type": "string", "enum": ["potential", "pipeline", "bookings", "workload", "accounts", ""]}),
                false
            ),
            param(
                "under",
                "query",
                "Only the leaves under this territory",
                json!({"type": "string", "maxLength": 200}),
                false
            ),
            param(
                "moves",
                "query",
                "How many moves to suggest (default 10)",
                json!({"type": "string", "pattern": "^[0-9]{0,3}$"}),
                false
            ),
        ]),
    );
    paths.insert("/api/v1/plan/territories/balance".into(), json!({"get": balance}));
    let take = operation(
        "plan",
        "Take the report's suggested moves as override rules from its day (then preview and apply the assignment). Comp admins and admins",
        "take_plan_territory_balance_moves",
        json!({
            "201": ok_json("The override rules written", json!({"type": "array", "items": schema("TerritoryRules")})),
            "403": error_response("Not a comp admin or admin"),
            "404": not_yours(),
            "422": error_response("No move would lower the imbalance, or a field is invalid (it is named)"),
        }),
    );
    let take = with(
        take,
        "requestBody",
        body(
            &[],
            json!({"on": {"anyOf": [date(), {"const": ""}, {"type": "null"}]},
                   "measure": {"anyOf": [measure(), {"const": ""}, {"type": "null"}]},
                   "under": opt_text(200), "moves": {"type": ["string", "null"], "pattern": "^[0-9]{0,3}$"}}),
        ),
    );
    paths.insert("/api/v1/plan/territories/balance/moves".into(), json!({"post": take}));
}

/// The territory schemas.
pub(crate) fn schemas(schemas: &mut Map<String, Value>) {
    let s = || json!({"type": "string"});
    let opt = || json!({"type": ["string", "null"]});
    schemas.insert(
        "TerritoryRuleView".into(),
        json!({"type": "object", "properties": {
            "rule": schema("TerritoryRules"), "condition": s(), "precedence": {"type": "integer"},
            "territory": s(), "in_force": {"type": "boolean"}, "decides": {"type": "integer"}}}),
    );
    schemas.insert(
        "TerritoryAssignment".into(),
        json!({"type": "object", "properties": {
            "on": date(), "rules_in_force": {"type": "integer"}, "accounts": {"type": "integer"},
            "decided": {"type": "integer"}, "applied": {"type": "boolean"},
            "moves": {"type": "array", "items": {"type": "object", "properties": {
                "account_id": s(), "account": s(), "from_territory": opt(), "from_name": opt(), "from_owner": opt(),
                "to_territory": s(), "to_name": s(), "to_owner": opt(), "rule_id": s(), "rule": s()}}}}}),
    );
    schemas.insert(
        "TerritoryBalance".into(),
        json!({"type": "object", "properties": {
            "on": date(), "measure": s(), "currency": s(), "bookings_year": {"type": "integer"}, "under": opt(),
            "average": s(), "score": {"type": "string", "description": "mean absolute deviation over the average, in percent; 0 is even"},
            "territories": {"type": "array", "items": {"type": "object", "properties": {
                "territory_id": s(), "name": s(), "owner": opt(), "accounts": {"type": "integer"},
                "potential": s(), "pipeline": s(), "open_deals": {"type": "integer"}, "bookings": s(),
                "workload": {"type": "integer"}, "index": s()}}},
            "suggestions": {"type": "array", "items": {"type": "object", "properties": {
                "account_id": s(), "account": s(), "from_territory": s(), "from_name": s(),
                "to_territory": s(), "to_name": s(), "value": s(), "score_after": s()}}}}}),
    );
}
