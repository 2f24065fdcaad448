//! The HTTP API against a real server on a random port, on SQLite and on PostgreSQL.

#[path = "../support/mod.rs"]
mod support;

use attain_testkit::Db;
use support::TestApp;

async fn health_answers(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let response = reqwest::get(app.at("/api/health")).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test(flavor = "multi_thread")]
async fn health_answers_on_sqlite() {
    health_answers(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn health_answers_on_postgres() {
    health_answers(Db::Postgres).await;
}
