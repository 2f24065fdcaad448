//! The quota operations: allocation, a year's sheets, one sheet, the owner's change,
//! submission, approval and return.

use serde_json::{Map, Value, json};

use crate::openapi::{decimal, error_response, ok_json, operation, param, schema, with};

fn with_etag(answer: Value) -> Value {
    let mut answer = answer;
    answer["headers"] = json!({"ETag": {"schema": {"type": "string"},
        "description": "the sheet's ETag: send it as If-Match to change the draft, submit, approve or return it"}});
    answer
}

/// Adds the quota operations to `paths`.
pub(crate) fn paths(paths: &mut Map<String, Value>) {
    let year_param = param(
        "year",
        "path",
        "The fiscal year, 1900 to 2999, like 2018",
        json!({"type": "string", "pattern": "^(FY)?(19[0-9]{2}|2[0-9]{3})$"}),
        true,
    );
    let id_param = param(
        "id",
        "path",
        "The sheet's id, like qs-2018-revenue-pos-east-mgr-v1",
        json!({"type": "string", "minLength": 1, "maxLength": 200}),
        true,
    );
    let if_match = |what: &str| param("If-Match", "header", what, json!({"type": "string"}), false);
    let not_found = error_response(
        "No such sheet, or not yours to see (a manager sees their own team's sheets; reps see none)",
    );

    let allocate = operation(
        "plan",
        "Allocate the year's approved revenue plan down the organisation as draft quota sheets, one per seat with reports (admins and comp admins); `preview` computes the same and writes nothing",
        "allocate_quotas",
        json!({
            "200": ok_json("The allocation, seat by seat, and its sheets", schema("QuotaAllocation")),
            "403": error_response("Only admins and comp admins allocate quotas"),
            "409": error_response("A seat's sheet has a version submitted for approval"),
            "422": error_response("A field is invalid (it is named): no approved plan for the year, a method that cannot sum, an over-assignment out of range, a ramp, the note"),
        }),
    );
    let pct = || json!({"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$", "description": "a percent"});
    let allocate = with(
        allocate,
        "requestBody",
        json!({"required": true, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": false,
            "required": ["fiscal_year", "method", "note"],
            "properties": {
                "fiscal_year": {"type": "string", "pattern": "^(FY)?(19[0-9]{2}|2[0-9]{3})$"},
                "measure": {"type": "string", "enum": ["revenue", "margin", "bookings"], "default": "revenue"},
                "method": {"type": "string", "enum": ["equal", "last_year", "potential", "mix"]},
                "mix": {"type": ["array", "null"], "items": pct(), "minItems": 3, "maxItems": 3,
                        "description": "the equal, last-year and potential parts (0 to 100 each), with method mix"},
                "over_assignment": {"type": "array", "items": pct(),
                        "description": "percent per level, the top seat's reports first (50 to 300; 100 when absent)"},
                "ramp": {"type": "string", "description": "percent per tenure quarter for new hires, like 25,50,75"},
                "note": {"type": "string", "minLength": 1, "description": "why"},
                "preview": {"type": "boolean", "default": false}}}}}}),
    );
    paths.insert("/api/v1/plan/quotas/allocate".into(), json!({"post": allocate}));

    let list = operation(
        "plan",
        "The year's quota sheets you may see: all of them for the whole-company roles, your own team's for a manager, none for a rep",
        "list_quota_sheets_of_year",
        json!({"200": ok_json("The sheets", json!({"type": "array", "items": schema("QuotaSheetSummary")}))}),
    );
    paths.insert("/api/v1/plan/quotas/{year}".into(), json!({"parameters": [year_param], "get": list}));

    let get = operation(
        "plan",
        "One sheet: its reports' quotas by month, the target, the chain's versions, and what you may do with it",
        "quota_sheet_view",
        json!({"200": with_etag(ok_json("The sheet", schema("QuotaSheetView"))), "404": not_found.clone()}),
    );
    let put = operation(
        "plan",
        "Change the reports' quotas: a draft in place (send its ETag as If-Match), or an approved sheet as its next version (a note says why). The owner seat's holder and comp admins",
        "save_quota_sheet",
        json!({
            "200": with_etag(ok_json("The saved sheet (the new version's, for a revision)", schema("QuotaSheetView"))),
            "403": error_response("Only the owner seat's holder and comp admins change a sheet"),
            "404": not_found.clone(),
            "409": error_response("Submitted (it changes once returned), a version already open, or changed since the If-Match version"),
            "422": error_response("An amount (named annual.<seat>) or the note"),
            "428": error_response("Changing a draft needs If-Match"),
        }),
    );
    let put = with(put, "parameters", json!([if_match("The draft's ETag, when changing it")]));
    let put = with(
        put,
        "requestBody",
        json!({"required": true, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": false,
            "properties": {
                "annual": {"type": "object", "additionalProperties": decimal(),
                           "description": "each report's year by position id; seats not named keep theirs"},
                "note": {"type": "string", "description": "why (required to revise an approved sheet)"}}}}}}),
    );
    paths.insert(
        "/api/v1/plan/quotas/sheets/{id}".into(),
        json!({"parameters": [id_param.clone()], "get": get, "put": put}),
    );

    let reason_body = |required: bool, what: &str| {
        json!({"required": true, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": false,
            "required": if required { json!(["reason"]) } else { json!([]) },
            "properties": {"reason": {"type": ["string", "null"], "description": what}}}}}})
    };
    let transition = |id: &str, summary: &str, ok: &str, conflict: &str| {
        operation(
            "plan",
            summary,
            id,
            json!({
                "200": with_etag(ok_json(ok, schema("QuotaSheetView"))),
                "403": error_response("Not yours to do: the owner submits; the next level up approves and returns"),
                "404": not_found.clone(),
                "409": error_response(conflict),
                "422": error_response("The reason is missing (it is named)"),
            }),
        )
    };
    let submit = transition(
        "submit_quota_sheet",
        "Submit a draft to the next level up; a reason is needed when its quotas do not sum to the target",
        "The submitted sheet",
        "Not a draft, or changed since the If-Match version",
    );
    let submit = with(submit, "parameters", json!([if_match("The draft's ETag as read")]));
    let submit = with(submit, "requestBody", reason_body(false, "why the quotas differ from the target"));
    paths.insert(
        "/api/v1/plan/quotas/sheets/{id}/submit".into(),
        json!({"parameters": [id_param.clone()], "post": submit}),
    );
    let approve = transition(
        "approve_quota_sheet",
        "Approve a submitted sheet (the holder of the seat its owner reports to; for a top seat, finance, executives or admins). Its quotas become the ones pay reads",
        "The approved sheet",
        "Not submitted, submitted by you, or changed since the If-Match version",
    );
    let approve = with(approve, "parameters", json!([if_match("The sheet's ETag as the approver read it")]));
    paths.insert(
        "/api/v1/plan/quotas/sheets/{id}/approve".into(),
        json!({"parameters": [id_param.clone()], "post": approve}),
    );
    let back = transition(
        "return_quota_sheet",
        "Return a submitted sheet to its owner as a draft, saying what should change",
        "The returned sheet",
        "Not submitted, submitted by you, or changed since the If-Match version",
    );
    let back = with(back, "parameters", json!([if_match("The sheet's ETag as the approver read it")]));
    let back = with(back, "requestBody", reason_body(true, "what should change"));
    paths.insert(
        "/api/v1/plan/quotas/sheets/{id}/return".into(),
        json!({"parameters": [id_param], "post": back}),
    );
}

/// The quota schemas.
pub(crate) fn schemas(schemas: &mut Map<String, Value>) {
    let money_list = json!({"type": "array", "items": decimal()});
    schemas.insert(
        "QuotaSheetSummary".into(),
        json!({"type": "object", "properties": {
            "sheet": schema("QuotaSheets"), "owner_title": {"type": "string"},
            "owner_holder": {"type": ["string", "null"]},
            "target": decimal(), "total": decimal(), "in_force": {"type": "boolean"}}}),
    );
    schemas.insert(
        "QuotaSheetView".into(),
        json!({"type": "object", "properties": {
            "sheet": schema("QuotaSheets"),
            "owner_title": {"type": "string"},
            "owner_holder": {"type": ["string", "null"]},
            "months": {"type": "array", "items": {"type": "string"}},
            "reports": {"type": "array", "items": {"type": "object", "properties": {
                "position_id": {"type": "string"}, "title": {"type": "string"},
                "holders": {"type": "array", "items": {"type": "string"}},
                "months": money_list.clone(), "annual": decimal(),
                "in_force_annual": {"oneOf": [decimal(), {"type": "null"}],
                    "description": "the seat's year on the version in force, when this is a later version"}}}},
            "target": decimal(), "total": decimal(),
            "in_force": {"type": "boolean", "description": "whether pay reads this version's quotas"},
            "versions": {"type": "array", "items": schema("QuotaSheets"), "description": "newest first"},
            "may_edit": {"type": "boolean"}, "may_review": {"type": "boolean"}}}),
    );
    schemas.insert(
        "QuotaAllocation".into(),
        json!({"type": "object", "properties": {
            "fiscal_year": {"type": "integer"},
            "measure": {"type": "string"},
            "plan": {"type": "string", "description": "the revenue plan version divided"},
            "total": decimal(),
            "written": {"type": "boolean", "description": "false for a preview"},
            "seats": {"type": "array", "items": {"type": "object", "properties": {
                "position_id": {"type": "string"}, "title": {"type": "string"},
                "holders": {"type": "array", "items": {"type": "string"}},
                "parent": {"type": ["string", "null"]},
                "capacity": decimal(), "last_year": decimal(), "potential": decimal(),
                "annual": decimal(), "months": money_list}}},
            "sheets": {"type": "array", "items": schema("QuotaSheets")}}}),
    );
}
