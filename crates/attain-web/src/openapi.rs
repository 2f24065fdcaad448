//! The OpenAPI 3.1 document, generated from the same record specs that drive the schema, the
//! CSV format and the API handlers, so the document cannot drift from what the server does.
//! Served as JSON at `/api/openapi.json` and as a readable reference at `/api/docs`.

mod pay;
mod plan;

use attain_core::Kind;
use attain_core::record::ColumnType;
use axum::response::{Html, IntoResponse, Json};
use serde_json::{Map, Value, json};

use crate::api::pay::XLSX;

/// Columns as JSON Schema: money, decimals, dates, periods and choices are strings (exact
/// decimals, ISO dates, period names); whole numbers are integers.
fn column_schema(ty: ColumnType) -> Value {
    match ty {
        ColumnType::Int => json!({"type": "integer"}),
        ColumnType::Date => json!({"type": "string", "format": "date"}),
        ColumnType::Timestamp => json!({"type": "string", "format": "date-time"}),
        ColumnType::Decimal => {
            json!({"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "description": "exact decimal"})
        }
        ColumnType::Money { currency_column } => json!({
            "type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
            "description": format!("exact decimal amount in the currency of `{currency_column}`"),
        }),
        ColumnType::Currency => {
            json!({"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"})
        }
        ColumnType::Period => json!({
            "type": "string", "pattern": "^([0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])|FY[0-9]{4})$",
            "description": "a period: month `2017-03`, fiscal quarter `2017-Q1` or fiscal year `FY2017`",
        }),
        ColumnType::Choice(names) => json!({"type": "string", "enum": names}),
        ColumnType::Ref(kind) => {
            json!({"type": "string", "description": format!("id of a record in {kind}")})
        }
        ColumnType::Text => json!({"type": "string"}),
    }
}

fn schema_name(kind: Kind) -> String {
    kind.name()
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

fn record_schema(kind: Kind) -> Value {
    let spec = kind.spec();
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (i, column) in spec.columns.iter().enumerate() {
        let mut schema = column_schema(column.ty);
        if matches!(column.ty, ColumnType::Text | ColumnType::Ref(_)) {
            schema["maxLength"] = json!(spec.max_chars(i));
        }
        if !column.required {
            // An empty string is an empty cell, as in a CSV file: written, it is null.
            schema = json!({"anyOf": [schema, {"const": ""}, {"type": "null"}]});
        } else {
            required.push(column.name);
        }
        properties.insert(column.name.to_string(), schema);
    }
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

/// A reference to a schema of the document's components.
fn schema(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// An exact decimal sent as a string (money, rates, shares).
fn decimal() -> Value {
    json!({"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "description": "exact decimal"})
}

/// `op` with `key` set to `value`.
fn with(mut op: Map<String, Value>, key: &str, value: Value) -> Map<String, Value> {
    op.insert(key.into(), value);
    op
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn ok_json(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn operation(tag: &str, summary: &str, id: &str, responses: Value) -> Map<String, Value> {
    let mut op = Map::new();
    op.insert("tags".into(), json!([tag]));
    op.insert("summary".into(), json!(summary));
    op.insert("operationId".into(), json!(id));
    let mut responses = responses.as_object().cloned().unwrap_or_default();
    responses
        .entry("401")
        .or_insert_with(|| error_response("Not signed in, or the token is unknown or revoked"));
    op.insert("responses".into(), Value::Object(responses));
    op
}

fn param(name: &str, location: &str, description: &str, schema: Value, required: bool) -> Value {
    json!({"name": name, "in": location, "description": description, "required": required, "schema": schema})
}

/// A date, or nothing (an empty parameter is no bound, or, as a filter, an empty cell).
fn date_or_empty() -> Value {
    json!({"anyOf": [{"type": "string", "format": "date"}, {"const": ""}]})
}

/// A list's parameters: search, sort (by any column, `-` for descending), paging, and a
/// filter per column (`column=value`, `column__gte=value`, `column__lt=value`) whose value must
/// be comparable with the column: a number, a date, a period, any text otherwise.
fn list_params(kind: Kind) -> Vec<Value> {
    let spec = kind.spec();
    let sorts: Vec<String> =
        spec.columns.iter().flat_map(|c| [c.name.to_string(), format!("-{}", c.name)]).collect();
    let mut params = vec![
        param("q", "query", "Case-insensitive text to find in any column", json!({"type": "string"}), false),
        param(
            "sort",
            "query",
            "A column to sort by; prefix with - for descending",
            json!({"type": "string", "enum": sorts}),
            false,
        ),
        param(
            "page",
            "query",
            "Page number, from 1",
            json!({"type": "integer", "minimum": 1, "maximum": u32::MAX}),
            false,
        ),
        param(
            "per_page",
            "query",
            "Records per page (default 50, at most 500)",
            json!({"type": "integer", "minimum": 1, "maximum": attain_app::records::MAX_PER_PAGE}),
            false,
        ),
    ];
    for column in spec.columns {
        let value = match column.ty {
            ColumnType::Int | ColumnType::Money { .. } | ColumnType::Decimal => {
                json!({"type": "string", "pattern": "^(-?[0-9]{1,15}(\\.[0-9]{1,10})?)?$"})
            }
            ColumnType::Date => date_or_empty(),
            ColumnType::Period => json!({"anyOf": [column_schema(column.ty), {"const": ""}]}),
            _ => json!({"type": "string"}),
        };
        for (suffix, how) in [("", "equal to"), ("__gte", "at least"), ("__lt", "less than")] {
            let description = format!("Only records whose {} is {how} this", column.name);
            params.push(param(
                &format!("{}{suffix}", column.name),
                "query",
                &description,
                value.clone(),
                false,
            ));
        }
    }
    params
}

fn record_paths(paths: &mut Map<String, Value>) {
    for kind in Kind::ALL {
        let name = kind.name();
        let schema = json!({"$ref": format!("#/components/schemas/{}", schema_name(kind))});
        let mut list = operation(
            name,
            &format!("List {name}"),
            &format!("list_{name}"),
            json!({
                "200": ok_json("A page of records within your scope", json!({
                    "type": "object", "required": ["data", "page", "per_page", "total"],
                    "properties": {"data": {"type": "array", "items": schema}, "page": {"type": "integer"},
                                   "per_page": {"type": "integer"}, "total": {"type": "integer"}}
                })),
                "400": error_response("A bad page number, sort column or filter column"),
            }),
        );
        list.insert("parameters".into(), Value::Array(list_params(kind)));
        paths.insert(format!("/api/v1/{name}"), json!({"get": list}));

        let id_param = param("id", "path", "The record's id", json!({"type": "string"}), true);
        let found = if kind.spec().key.len() > 1 {
            ok_json(
                "Every version of the record, oldest first",
                json!({"type": "object", "required": ["versions"],
                       "properties": {"versions": {"type": "array", "items": schema}}}),
            )
        } else {
            json!({"description": "The record; its ETag header is the version to send back in If-Match",
                   "headers": {"ETag": {"schema": {"type": "string"}}},
                   "content": {"application/json": {"schema": schema}}})
        };
        let show = operation(
            name,
            &format!("One of {name} by id"),
            &format!("get_{name}"),
            json!({"200": found, "404": error_response("No such record, or not within your scope")}),
        );
        let mut item = json!({"parameters": [id_param], "get": show});
        if attain_app::records::editable(kind) {
            let mut put = operation(
                name,
                &format!("Create or replace one of {name}"),
                &format!("put_{name}"),
                json!({
                    "200": ok_json("Replaced (or unchanged: PUT is idempotent)", schema.clone()),
                    "201": ok_json("Created", schema.clone()),
                    "400": error_response("Malformed JSON, a wrong type or an unknown field"),
                    "403": error_response("Your role may not edit data"),
                    "409": error_response("The record changed since you read it (If-Match differs from its ETag), or If-Match names a version of an id that is not stored"),
                    "422": error_response("The record breaks a rule (the field is named)"),
                    "428": error_response("Replacing an existing record needs If-Match"),
                }),
            );
            put.insert(
                "parameters".into(),
                json!([param(
                    "If-Match",
                    "header",
                    "The ETag you read; `*` to overwrite whatever is there",
                    json!({"type": "string"}),
                    false
                )]),
            );
            // The id comes from the path; the body may repeat it (it must then be the same).
            let mut body = record_schema(kind);
            if let Some(required) = body["required"].as_array_mut() {
                required.retain(|c| c != "id");
            }
            put.insert(
                "requestBody".into(),
                json!({"required": true, "content": {"application/json": {"schema": body}}}),
            );
            item["put"] = Value::Object(put);
        }
        paths.insert(format!("/api/v1/{name}/{{id}}"), item);

        let mut import = operation(
            name,
            &format!("Import {name} from CSV or a spreadsheet (XLSX)"),
            &format!("import_{name}"),
            json!({
                "200": ok_json("What was written", json!({"$ref": "#/components/schemas/ImportReport"})),
                "403": error_response("Your role may not import data"),
                "413": error_response("The file is larger than the server accepts"),
                "422": error_response("Bad rows: nothing was written; `rows` lists each with file, line, column, value and reason. Or the mapping is unknown, unreadable or for another kind (`mapping`)"),
            }),
        );
        import.insert(
            "parameters".into(),
            json!([
                param(
                    "skip_bad",
                    "query",
                    "Write the good rows and report the bad ones",
                    json!({"type": "boolean"}),
                    false
                ),
                param(
                    "preview",
                    "query",
                    "Run every check and write, then roll back: the answer says what the import would write, lists bad rows without refusing, and holds `sample`, the first rows of each kind as read. Nothing is stored",
                    json!({"type": "boolean"}),
                    false
                ),
                param(
                    "mapping",
                    "query",
                    "Read the file through a built-in mapping (docs/mappings.md): a CRM export's own columns",
                    json!({"type": "string", "enum": attain_app::import::mapping::BUILT_IN.iter().map(|(n, _)| *n).collect::<Vec<_>>()}),
                    false
                ),
                param(
                    "file",
                    "query",
                    "The file name to use in messages; a name ending in .xlsx (or the XLSX content type) reads the body as a workbook: the sheet named after the kind, or its only sheet",
                    json!({"type": "string"}),
                    false
                ),
            ]),
        );
        import.insert(
            "requestBody".into(),
            json!({"required": true, "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            }}),
        );
        paths.insert(format!("/api/v1/imports/{name}"), json!({"post": import}));
    }
}

fn platform_paths(paths: &mut Map<String, Value>) {
    let user = json!({"$ref": "#/components/schemas/User"});
    let token = json!({"$ref": "#/components/schemas/Token"});
    let login = param("login", "path", "The user's login name", json!({"type": "string"}), true);
    let forbidden = error_response("Only admins manage users");
    paths.insert("/api/health".into(), json!({"get": {
        "tags": ["platform"], "summary": "Liveness and database reachability (no sign-in)", "operationId": "health",
        "security": [],
        "responses": {"200": ok_json("Up", json!({"type": "object"})), "503": ok_json("The database is unreachable", json!({"type": "object"}))}
    }}));
    paths.insert("/api/v1/me".into(), json!({"get": operation("platform", "Who you are signed in as", "me",
        json!({"200": ok_json("The acting user", json!({"type": "object", "properties": {
            "login": {"type": "string"}, "display_name": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"},
            "person_id": {"type": ["string", "null"]}, "via": {"type": "string"}}}))}))}));
    let mut create_user = operation(
        "users",
        "Add a user",
        "create_user",
        json!({
        "201": ok_json("Created", user.clone()), "400": error_response("Malformed JSON or an unknown field"),
        "403": forbidden.clone(), "409": error_response("The login is taken"), "422": error_response("A field breaks a rule")}),
    );
    create_user.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewUser"}}}}));
    paths.insert("/api/v1/users".into(), json!({
        "get": operation("users", "List users", "list_users", json!({"200": ok_json("Every user", json!({"type": "array", "items": user})), "403": forbidden})),
        "post": create_user,
    }));
    paths.insert("/api/v1/users/{login}".into(), json!({"parameters": [login],
        "get": operation("users", "One user", "get_user", json!({"200": ok_json("The user", user.clone()), "403": forbidden, "404": error_response("No such user")}))}));
    for (action, summary) in [
        ("disable", "Disable a user (ends their sessions; their tokens stop working)"),
        ("enable", "Re-enable a user"),
    ] {
        let mut responses = json!({"200": ok_json("The user", user.clone()), "403": forbidden, "404": error_response("No such user")});
        if action == "disable" {
            responses["422"] = error_response("You cannot disable yourself");
        }
        paths.insert(
            format!("/api/v1/users/{{login}}/{action}"),
            json!({"parameters": [login],
            "post": operation("users", summary, &format!("{action}_user"), responses)}),
        );
    }
    let mut password = operation(
        "users",
        "Set a user's password (admins reset anyone's; your own needs current_password). Ends the user's sessions and revokes their API tokens",
        "set_password",
        json!({"200": ok_json("The user", user.clone()),
               "403": error_response("Only admins set another user's password (whether the login exists or not)"),
               "404": error_response("No such user"),
               "422": error_response("Too short, or current_password missing or wrong"),
               "429": error_response("Too many wrong current passwords (see Retry-After)")}),
    );
    password.insert(
        "requestBody".into(),
        json!({"required": true, "content": {"application/json": {"schema": {
        "type": "object", "required": ["password"], "additionalProperties": false,
        "properties": {"password": {"type": "string", "minLength": 12},
                       "current_password": {"type": ["string", "null"], "description": "Required for your own login (null is the same as leaving it out)"}}}}}}),
    );
    paths.insert("/api/v1/users/{login}/password".into(), json!({"parameters": [login], "post": password}));
    let mut create_token = operation(
        "tokens",
        "Create an API token (its secret is shown once)",
        "create_token",
        json!({"201": ok_json("The token and its secret", json!({"type": "object", "properties": {"secret": {"type": "string"}, "token": token}})),
               "422": error_response("The name is empty or too long")}),
    );
    create_token.insert(
        "requestBody".into(),
        json!({"required": true, "content": {"application/json": {"schema": {
        "type": "object", "required": ["name"], "additionalProperties": false,
        "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100}}}}}}),
    );
    paths.insert("/api/v1/tokens".into(), json!({
        "get": operation("tokens", "Your API tokens", "list_tokens", json!({"200": ok_json("Tokens, without secrets", json!({"type": "array", "items": token}))})),
        "post": create_token,
    }));
    paths.insert("/api/v1/tokens/{id}".into(), json!({"parameters": [param("id", "path", "The token's id", json!({"type": "string"}), true)],
        "delete": operation("tokens", "Revoke a token", "revoke_token", json!({"200": ok_json("The revoked token", token), "404": error_response("No such token of yours")}))}));
    let mut audit = operation(
        "audit",
        "Browse the audit log, newest first (admins)",
        "list_audit",
        json!({
        "200": ok_json("A page of entries", json!({"$ref": "#/components/schemas/AuditPage"})), "403": error_response("Only admins read the audit log"),
        "400": error_response("A bound that is not a date, or a bad page number (the parameter is named)")}),
    );
    audit.insert(
        "parameters".into(),
        json!([
            param("actor", "query", "Login of who acted", json!({"type": "string"}), false),
            param(
                "action",
                "query",
                "e.g. record.update, user.create, import.upload",
                json!({"type": "string"}),
                false
            ),
            param("entity", "query", "e.g. accounts, users, import", json!({"type": "string"}), false),
            param("entity_id", "query", "The changed record's id", json!({"type": "string"}), false),
            param("from", "query", "Entries on or after this date", date_or_empty(), false),
            param("to", "query", "Entries before this date", date_or_empty(), false),
            param(
                "page",
                "query",
                "Page number, from 1",
                json!({"type": "integer", "minimum": 1, "maximum": u32::MAX}),
                false
            ),
            param(
                "per_page",
                "query",
                "Entries per page (default 50, at most 500)",
                json!({"type": "integer", "minimum": 1, "maximum": attain_app::records::MAX_PER_PAGE}),
                false
            ),
        ]),
    );
    paths.insert("/api/v1/audit".into(), json!({"get": audit}));
    paths.insert("/api/v1/audit/verify".into(), json!({"get": operation("audit", "Check the hash chain", "verify_audit",
        json!({"200": ok_json("Where the chain breaks, if it does", json!({"type": "object", "properties": {
            "entries": {"type": "integer"}, "broken_at": {"type": ["integer", "null"]}, "problem": {"type": ["string", "null"]}}})),
            "403": error_response("Only admins read the audit log")}))}));
}

fn components() -> Value {
    let mut schemas = Map::new();
    for kind in Kind::ALL {
        schemas.insert(schema_name(kind), record_schema(kind));
    }
    let roles: Vec<&str> = attain_app::Role::ALL.iter().map(|r| r.as_str()).collect();
    schemas.insert("Role".into(), json!({"type": "string", "enum": roles}));
    schemas.insert("Error".into(), json!({
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "description": "Stable machine-readable code: invalid, malformed_json, not_found, conflict, ..."},
            "message": {"type": "string", "description": "What went wrong, for people"},
            "field": {"type": "string", "description": "The field, parameter or header at fault, when one is"},
            "rows": {"type": "array", "description": "A refused import's bad rows", "items": {"type": "object", "properties": {
                "file": {"type": "string"}, "line": {"type": "integer"}, "column": {"type": ["string", "null"]},
                "value": {"type": ["string", "null"]}, "reason": {"type": "string"}}}}}}}
    }));
    schemas.insert(
        "User".into(),
        json!({"type": "object", "properties": {
        "id": {"type": "string"}, "login": {"type": "string"}, "display_name": {"type": "string"},
        "role": {"$ref": "#/components/schemas/Role"}, "person_id": {"type": ["string", "null"]},
        "disabled": {"type": "boolean"}, "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"}}}),
    );
    schemas.insert("NewUser".into(), json!({"type": "object", "required": ["login", "display_name", "role", "password"],
        "additionalProperties": false, "properties": {
        "login": {"type": "string", "description": "Trimmed and lower-cased, then 1 to 64 characters of lower-case letters, digits, '.', '_', '-' or '@' (422 otherwise)"},
        "display_name": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"},
        "person_id": {"type": ["string", "null"], "description": "Required for managers and reps"},
        "password": {"type": "string", "minLength": 12}}}));
    schemas.insert("Token".into(), json!({"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "prefix": {"type": "string"},
        "created_at": {"type": "string"}, "last_used_at": {"type": ["string", "null"]}, "revoked_at": {"type": ["string", "null"]}}}));
    schemas.insert("ImportReport".into(), json!({"type": "object", "properties": {
        "kinds": {"type": "array", "items": {"type": "object", "properties": {
            "kind": {"type": "string"}, "rows": {"type": "integer"}, "inserted": {"type": "integer"},
            "updated": {"type": "integer"}, "unchanged": {"type": "integer"}, "skipped": {"type": "integer"}}}},
        "skipped_rows": {"type": "array", "items": {"type": "object"}},
        "preview": {"type": "boolean", "description": "present and true for a preview: nothing was stored"},
        "sample": {"type": "array", "description": "a preview's first rows of each kind as read",
            "items": {"type": "object", "properties": {
                "kind": {"type": "string"}, "file": {"type": "string"}, "line": {"type": "integer"},
                "row": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}));
    schemas.insert("AuditPage".into(), json!({"type": "object", "properties": {
        "entries": {"type": "array", "items": {"type": "object", "properties": {
            "seq": {"type": "integer"}, "at": {"type": "string"}, "actor": {"type": "string"}, "via": {"type": "string"},
            "ip": {"type": ["string", "null"]}, "action": {"type": "string"}, "entity": {"type": "string"},
            "entity_id": {"type": ["string", "null"]}, "before": {}, "after": {}, "hash": {"type": "string"}}}},
        "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"}}}));
    pay::schemas(&mut schemas);
    plan::schemas(&mut schemas);
    json!({
        "schemas": schemas,
        "securitySchemes": {
            "token": {"type": "http", "scheme": "bearer", "description": "An API token (atn_…) from your account page or POST /api/v1/tokens"},
            "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE,
                        "description": "The browser session; unsafe methods also need the X-CSRF-Token header"}
        }
    })
}

/// Answers any operation may give besides its own, added where an operation does not
/// describe them itself: a malformed request (400: a path segment that is not UTF-8, a bad
/// parameter), an unknown id in the path (404), a body over the limit (413), a JSON body
/// without its media type (415), and a cookie-signed unsafe call without its CSRF token (403).
fn common_answers(paths: &mut Map<String, Value>) {
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        let path_params = path.contains('{');
        for (method, op) in item.iter_mut() {
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            let mut add = |status: &str, description: &str| {
                responses.entry(status.to_string()).or_insert_with(|| error_response(description));
            };
            add("400", "A malformed request: a path or query parameter that does not parse (it is named)");
            if path_params {
                add("404", "No such resource, or not within your scope");
            }
            let unsafe_method = method != "get";
            if unsafe_method && path != "/api/health" {
                add(
                    "403",
                    "Signed in by cookie without the session's X-CSRF-Token, or your role may not do this",
                );
            }
        }
        for op in item.values_mut() {
            let Some(body) = op.get("requestBody").cloned() else { continue };
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            responses
                .entry("413")
                .or_insert_with(|| error_response("The body is larger than the server accepts"));
            if body.pointer("/content/application~1json").is_some() {
                responses
                    .entry("415")
                    .or_insert_with(|| error_response("The body was not sent as application/json"));
            }
        }
    }
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    platform_paths(&mut paths);
    record_paths(&mut paths);
    pay::paths(&mut paths);
    plan::paths(&mut paths);
    common_answers(&mut paths);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Attain API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Sales performance management. Conventions (pagination, filtering, errors, ETags) are in docs/api.md.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}
        },
        "servers": [{"url": "/"}],
        "security": [{"token": []}, {"session": []}],
        "paths": paths,
        "components": components(),
    })
}

pub(crate) async fn serve_json() -> impl IntoResponse {
    Json(document())
}

/// A readable reference: every operation with its parameters and responses, rendered here.
pub(crate) async fn serve_page() -> impl IntoResponse {
    Html(crate::ui::api_reference(&document()))
}
