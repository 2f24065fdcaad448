//! The pay operations and their schemas: plan files, runs, statements, traces and files.

use serde_json::{Map, Value, json};

use super::{decimal, error_response, ok_json, operation, param, schema, with};
use crate::api::pay::XLSX;

fn nullable(schema: Value) -> Value {
    json!({"oneOf": [schema, {"type": "null"}]})
}

fn month() -> Value {
    json!({"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$", "description": "a month, like 2017-06"})
}

fn file(media: &str, description: &str) -> Value {
    json!({"description": description,
           "headers": {"Content-Disposition": {"schema": {"type": "string"}, "description": "attachment; filename=\"…\""}},
           "content": {media: {"schema": {"type": "string", "format": if media.starts_with("text/") { "text" } else { "binary" }}}}})
}

fn json_body(schema: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

const CSV: &str = "text/csv";

/// Adds the pay operations to `paths`.
pub(super) fn paths(paths: &mut Map<String, Value>) {
    let forbidden_pay = error_response("Only admins and comp admins manage pay");
    let bad_month = error_response("A malformed month, or a malformed body (the field is named)");
    let bad_query =
        error_response("A malformed or missing month, or an unknown format (the parameter is named)");
    let conflict = error_response("The month's state does not allow it (the message says why)");
    let period_param = param("period", "path", "The month, like 2017-06", month(), true);
    let format_param = |what: &str| {
        param(
            "format",
            "query",
            &format!("`json` (the default), `csv` or `xlsx` ({what})"),
            json!({"type": "string", "enum": ["json", "csv", "xlsx"]}),
            false,
        )
    };

    let plans = operation(
        "pay",
        "The plan files you may read, each plan with its summary (whole-company roles: all; managers and reps: the plans held within their scope, and the crediting rules)",
        "list_plan_files",
        json!({"200": ok_json("Every stored file", json!({"type": "array", "items": schema("PlanFile")}))}),
    );
    let put_plans = operation(
        "pay",
        "Add plan files, or replace the stored files of the same names (other stored files stay); the resulting set is checked together and nothing is stored unless all of it is valid",
        "put_plan_files",
        json!({
            "200": ok_json("What changed (or, with preview, would change) and the plans stored after it", schema("PlanChanges")),
            "400": error_response("Malformed JSON or an unknown field"),
            "403": forbidden_pay.clone(),
            "422": error_response("A file is invalid: field `plans`, one `FILE:LINE: FIELD: message` per line"),
        }),
    );
    let put_plans = with(
        put_plans,
        "requestBody",
        json_body(json!({"type": "object", "required": ["files"], "additionalProperties": false,
            "properties": {"files": {"type": "array", "items": {"type": "object", "required": ["name", "text"],
                "additionalProperties": false, "properties": {"name": {"type": "string", "description": "e.g. ae.toml; crediting.toml holds the crediting rules"},
                "text": {"type": "string", "description": "The TOML text"}}}}}})),
    );
    let put_plans = with(
        put_plans,
        "parameters",
        json!([param(
            "preview",
            "query",
            "`true`: check and say what would change, store nothing",
            json!({"type": "boolean"}),
            false
        )]),
    );
    paths.insert("/api/v1/pay/plans".into(), json!({"get": plans, "put": put_plans}));
    let remove_plan = operation(
        "pay",
        "Remove one stored plan file (refused for a plan that is assigned or was paid)",
        "remove_plan_file",
        json!({
            "200": ok_json("The removed file and the plans still stored", schema("PlanRemoval")),
            "403": forbidden_pay.clone(),
            "404": error_response("No stored file has that name"),
            "409": error_response("The plan is assigned to a position, or was paid under a closed run (the message says which)"),
            "422": error_response("The remaining files are not a valid set of plans"),
        }),
    );
    paths.insert(
        "/api/v1/pay/plans/{name}".into(),
        json!({"parameters": [param("name", "path", "The file name, like ae-v1.toml", json!({"type": "string"}), true)],
               "delete": remove_plan}),
    );

    let runs = operation(
        "pay",
        "Every run, newest month first (admins, comp admins, finance, executives)",
        "list_runs",
        json!({"200": ok_json("Runs", json!({"type": "array", "items": schema("Run")})),
               "403": error_response("Managers and reps do not see runs")}),
    );
    let calculate = operation(
        "pay",
        "Calculate a month as a new draft run (replacing its earlier draft)",
        "calculate_month",
        json!({
            "201": ok_json("The run and how it compares with the one it replaces", schema("RunOutcome")),
            "400": bad_month.clone(),
            "403": forbidden_pay.clone(),
            "409": error_response("The month is closed, or an earlier month is not closed yet"),
            "422": error_response("The month cannot be run (before any plan, no plans stored)"),
        }),
    );
    let calculate = with(
        calculate,
        "requestBody",
        json_body(json!({"type": "object", "required": ["period"], "additionalProperties": false,
            "properties": {"period": month()}})),
    );
    paths.insert("/api/v1/pay/runs".into(), json!({"get": runs, "post": calculate}));

    let close = operation(
        "pay",
        "Close a month's draft: it becomes the final record of what was paid",
        "close_month",
        json!({"200": ok_json("The closed run", schema("Run")), "400": error_response("A malformed month or body"),
               "403": forbidden_pay.clone(),
               "409": error_response("The month has not ended and the override was not given, the draft was run again since the confirmed version, or the month's state does not allow it"),
               "415": error_response("A body that is not JSON"),
               "422": error_response("The before-month-end override without a reason")}),
    );
    let close = with(
        close,
        "requestBody",
        json!({"required": false, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false,
            "properties": {
                "version": {"type": "integer", "description": "The draft version confirmed: a later run of the month makes the close a 409"},
                "before_month_end": {"type": "boolean", "description": "Close a month that has not ended yet (needs `reason`; recorded in the audit log)"},
                "reason": {"type": "string", "description": "Why the month closes before it has ended"}}}}}}),
    );
    paths.insert(
        "/api/v1/pay/periods/{period}/close".into(),
        json!({"parameters": [period_param.clone()], "post": close}),
    );
    let reopen = operation(
        "pay",
        "Reopen the last closed month so it can be run again (the closed run is kept)",
        "reopen_month",
        json!({"200": ok_json("The reopened run", schema("Run")), "400": bad_month.clone(),
               "403": forbidden_pay, "409": conflict,
               "422": error_response("No reason given")}),
    );
    let reopen = with(
        reopen,
        "requestBody",
        json_body(json!({"type": "object", "required": ["reason"], "additionalProperties": false,
            "properties": {"reason": {"type": "string", "description": "Why the month is reopened (recorded)"}}})),
    );
    paths.insert(
        "/api/v1/pay/periods/{period}/reopen".into(),
        json!({"parameters": [period_param.clone()], "post": reopen}),
    );

    let list = operation(
        "pay",
        "A month's statements within your scope (rep: your own; manager: your team that month; others: all)",
        "list_statements",
        json!({
            "200": {"description": "The statements (with the run and its totals for whole-company roles only); with `format`, the statement CSV or workbook",
                    "content": {"application/json": {"schema": schema("StatementView")},
                                CSV: {"schema": {"type": "string"}}, XLSX: {"schema": {"type": "string", "format": "binary"}}}},
            "400": bad_query.clone(),
            "404": error_response("The month has never been run"),
        }),
    );
    let list = with(
        list,
        "parameters",
        json!([
            param("period", "query", "The month, like 2017-06", month(), true),
            format_param("a file of every statement you see")
        ]),
    );
    paths.insert("/api/v1/pay/statements".into(), json!({"get": list}));

    let person_param = param("person_id", "path", "The payee's person id", json!({"type": "string"}), true);
    let one = operation(
        "pay",
        "One payee's statement for a month",
        "get_statement",
        json!({
            "200": {"description": "The month's status and the statement; with `format`, its CSV, or a workbook with the trace of each component",
                    "content": {"application/json": {"schema": {"type": "object", "required": ["month", "statement"],
                        "properties": {"month": schema("MonthStatus"), "statement": schema("Statement")}}},
                                CSV: {"schema": {"type": "string"}}, XLSX: {"schema": {"type": "string", "format": "binary"}}}},
            "400": bad_query.clone(),
            "404": error_response("No such statement, the month was never run, or the payee is not within your scope"),
        }),
    );
    let one = with(one, "parameters", json!([format_param("this statement")]));
    paths.insert(
        "/api/v1/pay/statements/{period}/{person_id}".into(),
        json!({"parameters": [period_param.clone(), person_param.clone()], "get": one}),
    );

    let trace = operation(
        "pay",
        "How one component of a statement was calculated, recomputed from today's data",
        "trace_statement_line",
        json!({
            "200": ok_json("The credited transactions, quota parts, attainment, tiers and modifiers", schema("Trace")),
            "400": error_response("A malformed month, or `plan` or `component` missing"),
            "404": error_response("No such statement, plan or component, or not within your scope"),
        }),
    );
    let trace = with(
        trace,
        "parameters",
        json!([
            param(
                "plan",
                "query",
                "The plan id (the part of `ae@2` before the @)",
                json!({"type": "string", "minLength": 1}),
                true
            ),
            param(
                "component",
                "query",
                "The component id, as on the statement line",
                json!({"type": "string", "minLength": 1}),
                true
            ),
        ]),
    );
    paths.insert(
        "/api/v1/pay/statements/{period}/{person_id}/trace".into(),
        json!({"parameters": [period_param, person_param], "get": trace}),
    );

    let payroll = operation(
        "pay",
        "The payroll file of a month: payee_id,name,currency,amount,period (admins, comp admins, finance)",
        "payroll_csv",
        json!({"200": file(CSV, "One row per payee, zero payouts included"), "400": bad_query,
               "403": error_response("Your role may not export data"),
               "404": error_response("The month has never been run")}),
    );
    let payroll = with(
        payroll,
        "parameters",
        json!([param("period", "query", "The month, like 2017-06", month(), true)]),
    );
    paths.insert("/api/v1/pay/payroll".into(), json!({"get": payroll}));
}

/// Adds the pay schemas to `schemas`.
pub(super) fn schemas(schemas: &mut Map<String, Value>) {
    let text = json!({"type": "string"});
    let date = json!({"type": "string", "format": "date"});
    let int = json!({"type": "integer"});
    let texts = json!({"type": "array", "items": {"type": "string"}});
    let currency = json!({"type": "string", "pattern": "^[A-Z]{3}$"});
    let instant = json!({"type": "string", "format": "date-time"});
    schemas.insert("PlanSummary".into(), json!({"type": "object", "properties": {
        "id": text, "version": int, "name": text, "valid_from": date, "valid_to": nullable(date.clone()),
        "components": {"type": "array", "items": text, "description": "`name (scope)` of each component"},
        "on_target_earnings": nullable(decimal()),
        "pay_mix": {"type": ["string", "null"], "description": "base % / incentive % of on-target earnings"}}}));
    schemas.insert("PlanFile".into(), json!({"type": "object", "properties": {
        "name": text, "text": text, "updated_at": instant,
        "plan": {"oneOf": [schema("PlanSummary"), {"type": "null"}], "description": "null for crediting.toml"}}}));
    let names = json!({"type": "array", "items": {"type": "string"}});
    schemas.insert("PlanChanges".into(), json!({"type": "object", "properties": {
        "added": names, "replaced": names, "unchanged": names,
        "kept": {"type": "array", "items": {"type": "string"}, "description": "stored files not given: they stay"},
        "plans": {"type": "array", "items": schema("PlanSummary")},
        "saved": {"type": "boolean", "description": "false for a preview"}}}));
    schemas.insert(
        "PlanRemoval".into(),
        json!({"type": "object", "properties": {
        "removed": {"type": "string"}, "plans": {"type": "array", "items": schema("PlanSummary")}}}),
    );
    let status = json!({"type": "string", "enum": ["draft", "closed", "reopened", "superseded"]});
    let mut run = Map::new();
    for (name, value) in [
        ("id", text.clone()),
        ("period", month()),
        ("version", int.clone()),
        ("status", status),
        ("input_hash", text.clone()),
        (
            "based_on",
            json!({"type": ["string", "null"], "description": "the closed run of the month before that this run started from"}),
        ),
        ("plans", texts.clone()),
        ("payees", int.clone()),
        (
            "totals",
            json!({"type": "array", "items": {"type": "object", "properties": {"currency": currency, "payout": decimal()}}}),
        ),
        ("created_by", text.clone()),
        ("created_at", instant.clone()),
        ("closed_by", json!({"type": ["string", "null"]})),
        ("closed_at", nullable(instant.clone())),
        ("reopened_by", json!({"type": ["string", "null"]})),
        ("reopened_at", nullable(instant)),
        ("reopen_reason", json!({"type": ["string", "null"]})),
    ] {
        run.insert(name.into(), value);
    }
    schemas.insert("Run".into(), json!({"type": "object", "properties": run}));
    schemas.insert("RunOutcome".into(), json!({"type": "object", "properties": {
        "run": schema("Run"), "previous": {"oneOf": [schema("Run"), {"type": "null"}]},
        "changed_payees": {"type": "integer", "description": "Payees whose payout differs from the previous run's"},
        "prior_period_lines": {"type": "integer", "description": "Lines paying changes to closed months"},
        "recalculated_months": {"type": "array", "items": month(), "description":
            "The closed months recalculated for prior-period lines: from the start of the fiscal year of the first closed month whose inputs changed since the last closed run; empty when none did"},
        "notes": {"type": "integer"}}}));
    let kinds = [
        "component",
        "clawback",
        "adjustment",
        "prior_period",
        "draw",
        "draw_recovery",
        "balance_in",
        "balance_out",
    ];
    schemas.insert("StatementLine".into(), json!({"type": "object", "properties": {
        "kind": {"type": "string", "enum": kinds},
        "plan": {"type": "string", "description": "component and clawback lines: the id of the plan the component belongs to (for its trace)"},
        "component": {"type": ["string", "null"]}, "label": text,
        "measure": nullable(decimal()), "quota": nullable(decimal()),
        "attainment": {"oneOf": [decimal(), {"type": "null"}], "description": "a fraction: 1.05 is 105%"},
        "tier": {"type": ["integer", "null"]}, "amount": decimal(), "explanation": text,
        "of_period": {"type": "string", "description": "prior-period lines: the closed month (or window) corrected"}}}));
    schemas.insert(
        "Statement".into(),
        json!({"type": "object", "properties": {
        "person_id": text, "name": text, "period": month(), "currency": currency,
        "plans": {"type": "array", "items": text, "description": "plan versions in force, as id@version"},
        "lines": {"type": "array", "items": schema("StatementLine")},
        "payout": decimal(), "draw_outstanding": decimal(), "balance_carried": decimal(),
        "ytd_payout": {"oneOf": [decimal()], "description": "payouts of the fiscal year so far, this month's included"},
        "notes": texts}}),
    );
    schemas.insert(
        "MonthStatus".into(),
        json!({"type": "object", "properties": {
        "period": month(), "version": int.clone(),
        "status": {"type": "string", "enum": ["draft", "closed", "reopened", "superseded"]}}}),
    );
    let statements = json!({"type": "array", "items": schema("Statement")});
    schemas.insert(
        "CompanyStatements".into(),
        json!({"type": "object", "description": "admins, comp admins, finance and executives: every payee, with the run and its totals",
        "properties": {"month": schema("MonthStatus"), "run": schema("Run"), "statements": statements},
        "required": ["month", "run", "statements"]}),
    );
    schemas.insert(
        "TeamStatements".into(),
        json!({"type": "object", "description": "managers and reps: the statements within scope and the month's status, nothing company-wide",
        "properties": {"month": schema("MonthStatus"), "statements": statements},
        // Exactly these: a body with a run (the company view) must not also match this one.
        "required": ["month", "statements"], "additionalProperties": false}),
    );
    schemas.insert(
        "StatementView".into(),
        json!({"oneOf": [schema("CompanyStatements"), schema("TeamStatements")]}),
    );
    let credit = json!({"type": "object", "properties": {
        "transaction": text, "date": date, "kind": text, "amount": decimal(), "currency": currency,
        "share": decimal(), "credit": {"type": "string", "enum": ["direct", "overlay", "rollup"]},
        "why": text, "value": decimal(), "counted": text}});
    let quota_part = json!({"type": "object", "properties": {
        "position": text, "period": text, "amount": decimal(), "months_share": decimal(),
        "days_share": decimal(), "part": decimal()}});
    let tier = json!({"type": "object", "properties": {
        "tier": int, "from": decimal(), "value": decimal(), "slice": decimal(), "paid": decimal()}});
    let mut trace = Map::new();
    for (name, value) in [
        ("person_id", text.clone()),
        ("period", month()),
        ("plan", json!({"type": "string", "description": "id@version"})),
        ("component", text.clone()),
        ("scope", text.clone()),
        (
            "measured",
            json!({"type": "object", "properties": {"from": date, "to": nullable(date.clone())},
            "description": "the days measured, to exclusive"}),
        ),
        ("credits", json!({"type": "array", "items": credit})),
        ("measure_total", nullable(decimal())),
        ("quota_parts", json!({"type": "array", "items": quota_part})),
        ("quota", nullable(decimal())),
        ("attainment", nullable(decimal())),
        ("mode", json!({"type": ["string", "null"]})),
        ("tiers", json!({"type": "array", "items": tier})),
        ("modifiers", json!({"type": "array", "items": {"type": "array", "prefixItems": [text, decimal()]}})),
        ("earned", decimal()),
        ("notes", texts),
    ] {
        trace.insert(name.into(), value);
    }
    schemas.insert("Trace".into(), json!({"type": "object", "properties": trace}));
}
