//! The Plan operations and their schemas: the revenue plan's years, plan against actual,
//! the draft and its approval.

use serde_json::{Map, Value, json};

use crate::openapi::{decimal, error_response, ok_json, operation, param, schema, with};

fn etag_header() -> Value {
    json!({"ETag": {"schema": {"type": "string"}, "description": "the version's ETag: send it as If-Match to change the draft or approve it"}})
}

fn with_etag(answer: Value) -> Value {
    let mut answer = answer;
    answer["headers"] = etag_header();
    answer
}

/// Adds the plan operations to `paths`.
pub(crate) fn paths(paths: &mut Map<String, Value>) {
    let not_found = error_response(
        "No plan for that year or version, or your role does not see the company plan (managers and reps)",
    );
    let year_param = param(
        "year",
        "path",
        "The fiscal year, 1900 to 2999, like 2018",
        json!({"type": "string", "pattern": "^(FY)?(19[0-9]{2}|2[0-9]{3})$"}),
        true,
    );
    let if_match = |what: &str| param("If-Match", "header", what, json!({"type": "string"}), false);

    let years = operation(
        "plan",
        "Every fiscal year with a revenue plan, newest first, with its versions (admins, comp admins, finance, executives)",
        "list_revenue_plan_years",
        json!({"200": ok_json("The years", json!({"type": "array", "items": schema("RevenueYear")})),
               "404": not_found.clone()}),
    );
    paths.insert("/api/v1/plan/revenue".into(), json!({"get": years}));

    let year = operation(
        "plan",
        "A version of the year's plan (the one in force unless `version` is given) against actual, month by month",
        "revenue_plan_vs_actual",
        json!({"200": with_etag(ok_json("Plan against actual", schema("PlanVsActual"))),
               "404": not_found.clone(),
               "422": error_response("An amount in another currency has no FX rate for its month (the message says which)")}),
    );
    let year = with(
        year,
        "parameters",
        json!([param(
            "version",
            "query",
            "A version number; the plan in force when absent",
            json!({"type": "integer", "minimum": 1, "maximum": 4_294_967_295_u64}),
            false
        )]),
    );
    paths.insert(
        "/api/v1/plan/revenue/{year}".into(),
        json!({"parameters": [year_param.clone()], "get": year}),
    );

    let put_draft = operation(
        "plan",
        "Save the year's draft: the open draft is changed (send its ETag as If-Match), or a new version starts after the newest (admins and comp admins)",
        "save_revenue_draft",
        json!({
            "200": with_etag(ok_json("The saved draft", schema("RevenuePlans"))),
            "403": error_response("Only admins and comp admins prepare the plan"),
            "409": error_response("The draft changed since the If-Match version was read"),
            "422": error_response("A field is invalid (it is named): a month share, an amount, the note"),
            "428": error_response("Changing the open draft needs If-Match"),
        }),
    );
    let put_draft =
        with(put_draft, "parameters", json!([if_match("The open draft's ETag, when changing it")]));
    let shares = json!({"type": "array", "items": decimal(), "maxItems": 12,
        "description": "twelve percentages (two decimals, 100 in all), fiscal month 1 first; read when season is `entered`"});
    let put_draft = with(
        put_draft,
        "requestBody",
        json!({"required": true, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": false,
            "required": ["revenue", "margin", "bookings", "new_logos", "season", "note"],
            "properties": {
                "currency": {"type": ["string", "null"], "description": "ISO 4217; the company's base currency when absent"},
                "revenue": decimal(), "margin": decimal(), "bookings": decimal(),
                "new_logos": {"type": "integer", "minimum": 0},
                "season": {"type": "string", "enum": ["entered", "even", "learned"]},
                "shares": shares,
                "note": {"type": "string", "minLength": 1, "description": "why this version exists"}}}}}}),
    );
    paths.insert(
        "/api/v1/plan/revenue/{year}/draft".into(),
        json!({"parameters": [year_param.clone()], "put": put_draft}),
    );

    let learned = operation(
        "plan",
        "The month shares the bookings of the three fiscal years before give",
        "learned_revenue_shares",
        json!({"200": ok_json("The shares", json!({"type": "object", "properties": {
                   "fiscal_year": {"type": "integer"}, "shares": {"type": "array", "items": decimal()}}})),
               "404": not_found.clone(),
               "422": error_response("An amount in another currency has no FX rate for its month")}),
    );
    paths.insert(
        "/api/v1/plan/revenue/{year}/learned-shares".into(),
        json!({"parameters": [year_param.clone()], "get": learned}),
    );

    let approve = operation(
        "plan",
        "Approve a draft version (finance, executives, admins; never its preparer). It becomes the plan in force and never changes again",
        "approve_revenue_plan",
        json!({
            "200": with_etag(ok_json("The approved version", schema("RevenuePlans"))),
            "403": error_response("Only finance, executives and admins approve the plan"),
            "404": not_found,
            "409": error_response("Already approved, prepared by you, or changed since the If-Match version was read"),
        }),
    );
    let approve =
        with(approve, "parameters", json!([if_match("The version's ETag as the approver read it")]));
    paths.insert(
        "/api/v1/plan/revenue/{year}/versions/{version}/approve".into(),
        json!({"parameters": [year_param, param("version", "path", "The version number", json!({"type": "integer", "minimum": 1, "maximum": 4_294_967_295_u64}), true)],
               "post": approve}),
    );
}

/// The plan schemas.
pub(crate) fn schemas(schemas: &mut Map<String, Value>) {
    let version = json!({"type": ["integer", "null"], "minimum": 1});
    schemas.insert(
        "RevenueYear".into(),
        json!({"type": "object", "properties": {
        "fiscal_year": {"type": "integer"},
        "in_force": version, "draft": version,
        "versions": {"type": "array", "items": schema("RevenuePlans"), "description": "newest first"}}}),
    );
    let figures = json!({"type": "object", "properties": {
        "revenue": decimal(), "margin": decimal(), "bookings": decimal(), "new_logos": {"type": "integer"}}});
    schemas.insert("PlanFigures".into(), figures);
    schemas.insert("PlanVsActual".into(), json!({"type": "object", "properties": {
        "plan": schema("RevenuePlans"),
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "months": {"type": "array", "items": {"type": "object", "properties": {
            "period": {"type": "string"},
            "plan": schema("PlanFigures"),
            "actual": {"oneOf": [schema("PlanFigures"), {"type": "null"}], "description": "null for a month not begun"}}}},
        "total_plan": schema("PlanFigures"),
        "plan_to_date": schema("PlanFigures"),
        "actual_to_date": schema("PlanFigures")}}));
}
