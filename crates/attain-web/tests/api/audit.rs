//! The audit log's hash chain: intact after ordinary changes, and broken at the right entry
//! when someone edits or deletes rows straight in the database.

use attain_app::Role;
use attain_testkit::Db;
use serde_json::{Value, json};

use crate::client::Api;
use crate::support::TestApp;
use crate::{on_both, raw_sql};

/// A server with a few changes made through the API, its admin caller, and the newest seq.
async fn changed_app(backend: Db) -> Option<(TestApp, Api, i64)> {
    let app = TestApp::spawn(backend).await?;
    let admin = Api::as_role(&app, Role::Admin).await;
    let account = admin.get("/api/v1/accounts/acc-0001").await.json();
    let mut changed = account.clone();
    changed["name"] = json!("Audited Ltd");
    admin.put("/api/v1/accounts/acc-0001", &changed, Some("*")).await.expect(200);
    admin
        .post(
            "/api/v1/users",
            json!({"login": "audited", "display_name": "Audited", "role": "finance", "password": "a long enough password"}),
        )
        .await
        .expect(201);
    admin.post("/api/v1/tokens", json!({"name": "audited"})).await.expect(201);
    let verified = verify(&admin).await;
    assert_eq!(verified["broken_at"], Value::Null, "an untouched chain is intact: {verified}");
    assert_eq!(verified["problem"], Value::Null);
    let newest = admin.get("/api/v1/audit?per_page=1").await.json();
    let last = newest["entries"][0]["seq"].as_i64().expect("a newest entry");
    assert_eq!(verified["entries"].as_i64(), Some(last), "every entry was read");
    assert_eq!(newest["total"].as_i64(), Some(last));
    assert!(last > 10, "the demo's seeding and the changes above are audited");
    Some((app, admin, last))
}

async fn verify(admin: &Api) -> Value {
    admin.get("/api/v1/audit/verify").await.expect(200).json()
}

on_both!(an_edited_entry_breaks_the_chain);

async fn an_edited_entry_breaks_the_chain(backend: Db) {
    let Some((app, admin, _)) = changed_app(backend).await else { return };
    // Rewrite history: the created user becomes an admin, in the log only.
    let created = admin.get("/api/v1/audit?action=user.create&per_page=1").await.json();
    let seq = created["entries"][0]["seq"].as_i64().expect("the user.create entry");
    let forged = created["entries"][0]["after"].to_string().replace("\"finance\"", "\"admin\"");
    assert!(forged.contains("\"admin\""));
    let statement = format!("UPDATE audit_log SET after_json = $1 WHERE seq = {seq}");
    assert_eq!(raw_sql(&app, &statement, &[&forged]).await, 1);
    let verified = verify(&admin).await;
    assert_eq!(verified["broken_at"].as_i64(), Some(seq), "{verified}");
    assert!(verified["problem"].as_str().unwrap().contains("altered"), "{verified}");
    // The page shows the forged content (the log is not trusted blindly: verify says so).
    let shown = admin.get("/api/v1/audit?action=user.create&per_page=1").await.json();
    assert_eq!(shown["entries"][0]["after"]["role"], "admin");
}

on_both!(a_deleted_middle_entry_breaks_the_chain);

async fn a_deleted_middle_entry_breaks_the_chain(backend: Db) {
    let Some((app, admin, last)) = changed_app(backend).await else { return };
    let middle = last / 2;
    let statement = format!("DELETE FROM audit_log WHERE seq = {middle}");
    assert_eq!(raw_sql(&app, &statement, &[]).await, 1);
    let verified = verify(&admin).await;
    assert_eq!(verified["broken_at"].as_i64(), Some(middle), "{verified}");
    assert!(verified["problem"].as_str().unwrap().contains("missing"), "{verified}");
}

on_both!(a_deleted_last_entry_breaks_the_chain);

async fn a_deleted_last_entry_breaks_the_chain(backend: Db) {
    let Some((app, admin, last)) = changed_app(backend).await else { return };
    let statement = format!("DELETE FROM audit_log WHERE seq = {last}");
    assert_eq!(raw_sql(&app, &statement, &[]).await, 1);
    let verified = verify(&admin).await;
    assert_eq!(verified["broken_at"].as_i64(), Some(last), "{verified}");
    assert!(verified["problem"].as_str().unwrap().contains("deleted"), "{verified}");
    assert_eq!(verified["entries"].as_i64(), Some(last - 1));
}
