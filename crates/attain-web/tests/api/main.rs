//! The HTTP API against a real server on a random port, on SQLite and on PostgreSQL.
//!
//! Every test that needs a server is an `async fn(Db)` body; [`on_both!`] turns it into a
//! module with one test per backend (`<body>::on_sqlite`, `<body>::on_postgres`). Each server
//! seeds the demo company (about a second), so related assertions share one server.

#[path = "../support/mod.rs"]
mod support;

mod audit;
mod bad_input;
mod client;
mod comp;
mod connections;
mod edits;
mod imports;
mod lists;
mod long_requests;
mod matrix;
mod openapi;
mod other_writers;
mod pay;
mod pay_plans;
mod plan_capacity;
mod plan_objectives;
mod plan_quotas;
mod plan_revenue;
mod plan_territories;
mod related;
mod scope;
mod signin;
mod uploads;
mod users;

use attain_testkit::Db;
use serde_json::Value;
use support::TestApp;

/// For each `async fn name(Db)`, a module `name` with the tests `on_sqlite` and `on_postgres`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        $(mod $name {
            #[tokio::test(flavor = "multi_thread")]
            async fn on_sqlite() {
                super::$name(attain_testkit::Db::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn on_postgres() {
                super::$name(attain_testkit::Db::Postgres).await;
            }
        })+
    };
}

on_both!(health_answers);

async fn health_answers(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let response = reqwest::get(app.at("/api/health")).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
}

/// Runs one statement straight on the test database, behind the app's back (to tamper with
/// it, or to age a session), and returns the number of rows it changed.
pub async fn raw_sql(app: &TestApp, statement: &str, binds: &[&str]) -> u64 {
    let store = attain_store::Store::open(&app.db_url).await.expect("open the test database");
    let mut query = sqlx::query(statement);
    for value in binds {
        query = query.bind(*value);
    }
    let done = query.execute(store.pool()).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
    store.close().await;
    done.rows_affected()
}

/// Records (JSON objects of their columns) as a canonical CSV file, header first.
pub fn csv_of(records: &[Value]) -> String {
    let columns: Vec<&String> =
        records.first().and_then(Value::as_object).map(|r| r.keys().collect()).unwrap_or_default();
    let cell = |value: &Value| match value {
        Value::Null => String::new(),
        Value::String(s) if s.contains([',', '"', '\n', '\r']) => format!("\"{}\"", s.replace('"', "\"\"")),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut csv = columns.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",");
    csv.push('\n');
    for record in records {
        let row: Vec<String> = columns.iter().map(|c| cell(&record[c.as_str()])).collect();
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    csv
}
