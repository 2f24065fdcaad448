//! The OpenAPI document: a reviewed snapshot, OpenAPI 3.1, every route of the router in it
//! (and nothing else), every `$ref` resolving.

use std::collections::BTreeSet;

use attain_core::Kind;
use attain_testkit::Db;
use serde_json::{Value, json};

use crate::matrix::table;
use crate::support::TestApp;

/// Routes that serve the API's description rather than the API: not in the document.
const DOCUMENTATION_ROUTES: [&str; 2] = ["/api/openapi.json", "/api/docs"];

/// Every `(method, path)` the router serves, with `{resource}` spelled out per kind, as
/// OpenAPI names them.
fn served_operations() -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for call in table(&json!({"id": "x", "name": "x"}), "p-x", "pos-x") {
        if DOCUMENTATION_ROUTES.contains(&call.route.as_str()) {
            continue;
        }
        let method = call.method().to_lowercase();
        if call.route.contains("{resource}") {
            for kind in Kind::ALL {
                // Positions and the company change by import only; their PUT is refused (405)
                // and so not offered.
                if method == "put" && !attain_app::records::editable(kind) {
                    continue;
                }
                operations.insert((method.clone(), call.route.replace("{resource}", kind.name())));
            }
        } else {
            operations.insert((method, call.route.clone()));
        }
    }
    operations
}

/// Every `$ref` in `value`, with where it was found.
fn refs<'a>(value: &'a Value, at: String, found: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "$ref" {
                    found.push((at.clone(), inner.as_str().unwrap_or("(not a string)")));
                } else {
                    refs(inner, format!("{at}/{key}"), found);
                }
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                refs(inner, format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn the_document_matches_its_reviewed_snapshot() {
    insta::assert_json_snapshot!("openapi", attain_web::openapi_document());
}

#[test]
fn the_document_is_openapi_3_1_and_describes_every_route() {
    let doc = attain_web::openapi_document();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());

    let paths = doc["paths"].as_object().expect("paths");
    let mut documented = BTreeSet::new();
    let mut operation_ids = BTreeSet::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("a path item") {
            if method == "parameters" {
                continue;
            }
            documented.insert((method.clone(), path.clone()));
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(operation_ids.insert(id.to_string()), "operationId {id} is used twice");
            let responses = operation["responses"].as_object().expect("responses");
            assert!(responses.keys().any(|code| code.starts_with('2')), "{method} {path} documents success");
            if path != "/api/health" {
                assert!(responses.contains_key("401"), "{method} {path} documents 401");
            }
        }
    }
    let served = served_operations();
    let missing: Vec<_> = served.difference(&documented).collect();
    let phantom: Vec<_> = documented.difference(&served).collect();
    assert!(missing.is_empty(), "served but not documented: {missing:?}");
    assert!(phantom.is_empty(), "documented but not served: {phantom:?}");

    let mut found = Vec::new();
    refs(&doc, String::new(), &mut found);
    assert!(found.len() > Kind::ALL.len(), "the document refers to its schemas");
    for (at, target) in &found {
        let pointer = target.strip_prefix('#').unwrap_or_else(|| panic!("{at}: {target} is not local"));
        assert!(pointer.starts_with("/components/schemas/"), "{at}: {target} is not a schema");
        assert!(doc.pointer(pointer).is_some(), "{at}: {target} does not resolve");
    }
    // Every record kind has a schema with exactly its columns.
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for kind in Kind::ALL {
        assert!(schemas.values().any(|s| columns(s) == names(kind)), "a schema for {kind} with its columns");
    }
}

fn columns(schema: &Value) -> BTreeSet<String> {
    schema["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default()
}

fn names(kind: Kind) -> BTreeSet<String> {
    kind.spec().columns.iter().map(|c| c.name.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_serves_the_document() {
    // The document does not depend on the database: one backend is enough.
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    let served: Value = reqwest::get(app.at("/api/openapi.json")).await.unwrap().json().await.unwrap();
    assert_eq!(served, attain_web::openapi_document());
    let page = reqwest::get(app.at("/api/docs")).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("/api/v1/opportunities/{id}"), "the reference page lists the operations");
}
