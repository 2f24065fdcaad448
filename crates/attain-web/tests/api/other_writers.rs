//! Writers in other processes: a second server on the same database, and `attain import` beside
//! a running server. Their writes are never lost to a PUT: every version check is made in the
//! database, inside the PUT's own transaction.

use attain_app::import::import_csv_bytes;
use attain_app::records::etag;
use attain_app::{Actor, ImportOptions, Role};
use attain_core::Kind;
use attain_store::Store;
use attain_testkit::Db;
use serde_json::{Value, json};

use crate::client::{Api, Reply};
use crate::support::TestApp;
use crate::{csv_of, on_both};

/// A PostgreSQL transaction holding the audit chain's head row, so every writer that reaches
/// its audit entry waits there, its own writes made but not committed: the test decides when
/// writers finish instead of hoping they interleave.
struct HeldAuditHead {
    store: Store,
    tx: attain_store::Tx,
}

impl HeldAuditHead {
    async fn take(db_url: &str) -> HeldAuditHead {
        let store = Store::open(db_url).await.expect("open the test database");
        let mut tx = store.pool().begin().await.expect("begin");
        sqlx::query("SELECT \"seq\" FROM \"audit_head\" FOR UPDATE")
            .execute(&mut *tx)
            .await
            .expect("lock the audit head");
        HeldAuditHead { store, tx }
    }

    /// Returns once `n` sessions of this database wait for a lock (on the head, or on a row
    /// another waiter wrote). This waits for a state PostgreSQL reports, not for time to pass.
    async fn until_waiting(&self, n: i64) {
        let sql = "SELECT COUNT(*) FROM pg_stat_activity \
                   WHERE datname = current_database() AND wait_event_type = 'Lock'";
        for _ in 0..3000 {
            let waiting: i64 =
                sqlx::query_scalar(sql).fetch_one(self.store.pool()).await.expect("read pg_stat_activity");
            if waiting >= n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("{n} writers never came to wait for a lock");
    }

    async fn release(self) {
        self.tx.rollback().await.expect("release the audit head");
        self.store.close().await;
    }
}

/// The account `id` as stored, read behind the servers' backs.
async fn stored_account(db_url: &str, id: &str) -> Option<Vec<attain_core::record::Value>> {
    let store = Store::open(db_url).await.expect("open the test database");
    let rows = store.rows(Kind::Accounts).await.expect("read accounts");
    store.close().await;
    rows.into_iter().find(|r| r[0].as_text() == Some(id))
}

/// A stored account's name.
fn name_of(account: &[attain_core::record::Value]) -> Option<&str> {
    account[Kind::Accounts.spec().index_of("name").expect("accounts have names")].as_text()
}

on_both!(two_servers_creating_one_id_make_one_record);

/// Two servers (two processes) are asked to create the same new id at once, neither with
/// `If-Match`. Each finds no stored row to lock; on PostgreSQL both then write. The second must
/// not overwrite the first's record as if it were creating it: it is a replacement made without
/// the version, so a `428`, and the first record stays as written.
async fn two_servers_creating_one_id_make_one_record(backend: Db) {
    let Some(first) = TestApp::spawn(backend).await else { return };
    let second = first.beside().await;
    let token = first.token_for(Role::Admin).await;
    let (to_first, to_second) = (Api::bearer(&first, &token), Api::bearer(&second, &token));
    let territory = first.app.snapshot().data.territories[0].id.clone();
    let path = "/api/v1/accounts/acc-race";
    let body = |name: &str| json!({"id": "acc-race", "name": name, "territory_id": territory});
    let (one, two) = (body("Made By The First"), body("Made By The Second"));

    let replies: [Reply; 2] = if backend == Db::Postgres {
        // The first writes its row and waits at its audit entry, uncommitted; the second then
        // looks for the row (not yet visible to it) and writes too, before the first commits.
        let held = HeldAuditHead::take(&first.db_url).await;
        let first_put = tokio::spawn(async move { to_first.put(path, &one, None).await });
        held.until_waiting(1).await;
        let second_put = tokio::spawn(async move { to_second.put(path, &two, None).await });
        held.until_waiting(2).await;
        held.release().await;
        [first_put.await.expect("the first PUT"), second_put.await.expect("the second PUT")]
    } else {
        // SQLite lets one writer at a time in, so any interleaving is one after the other.
        let (a, b) = tokio::join!(to_first.put(path, &one, None), to_second.put(path, &two, None));
        [a, b]
    };

    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 428], "one creates, the other needs the version: {replies:?}");
    let created = replies.iter().find(|r| r.status == 201).expect("a creation");
    let refused = replies.iter().find(|r| r.status == 428).expect("a refusal");
    refused.expect_error(428, "precondition_required", Some("If-Match"));
    let stored = stored_account(&first.db_url, "acc-race").await.expect("the record exists");
    assert_eq!(created.json()["name"], name_of(&stored).unwrap_or_default(), "the creator's record stays");
    assert_eq!(created.header("etag"), Some(etag(Kind::Accounts, &stored)));

    let admin = Api::bearer(&first, &token);
    let log = admin.get("/api/v1/audit?entity=accounts&entity_id=acc-race").await.json();
    let entries = log["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "one record, one creation: {log}");
    assert_eq!(entries[0]["action"], "record.create");
}

on_both!(a_put_creating_what_an_import_is_creating_needs_the_version);

/// `attain import` creates a record while a PUT creates the same id without `If-Match`. On
/// PostgreSQL the import has written its row but not committed when the PUT looks for it; the
/// PUT must not overwrite the import's record as a creation: it is a `428`. (On SQLite writers
/// take turns; the PUT coming second is the same case.)
async fn a_put_creating_what_an_import_is_creating_needs_the_version(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let admin = Api::as_role(&app, Role::Admin).await;
    let territory = app.app.snapshot().data.territories[0].id.clone();
    let by_cli = json!({"id": "acc-both", "name": "Made By The CLI", "territory_id": territory});
    let by_web = json!({"id": "acc-both", "name": "Made On The Web", "territory_id": territory});
    let db_url = app.db_url.clone();
    let import = async move {
        let cli = Store::open(&db_url).await.expect("the CLI opens the database");
        let options = ImportOptions::by(&Actor::cli(), "import.cli", "accounts");
        let file = csv_of(&[by_cli]);
        let report =
            import_csv_bytes(&cli, Kind::Accounts, "accounts.csv", file.as_bytes(), None, options).await;
        cli.close().await;
        report.expect("the CLI's import").written().inserted
    };
    let put = async move { admin.put("/api/v1/accounts/acc-both", &by_web, None).await };

    let (imported, reply) = if backend == Db::Postgres {
        let held = HeldAuditHead::take(&app.db_url).await;
        let import = tokio::spawn(import);
        held.until_waiting(1).await;
        let put = tokio::spawn(put);
        held.until_waiting(2).await;
        held.release().await;
        (import.await.expect("the import"), put.await.expect("the PUT"))
    } else {
        let imported = import.await;
        (imported, put.await)
    };
    assert_eq!(imported, 1, "the import creates the record");
    reply.expect_error(428, "precondition_required", Some("If-Match"));
    let stored = stored_account(&app.db_url, "acc-both").await.expect("the record");
    assert_eq!(name_of(&stored), Some("Made By The CLI"), "the import's record stays");
}

on_both!(an_import_beside_the_server_is_not_undone_by_a_stale_put);

/// `attain import` (another process: its own connection pool on the server's database, the
/// import the command runs) changes a record while an API client holds the ETag it read before.
/// The client's save with that ETag is a `409`, the import's change survives, and reading the
/// record again gives the client the version to retry with, at once.
async fn an_import_beside_the_server_is_not_undone_by_a_stale_put(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let admin = Api::as_role(&app, Role::Admin).await;
    let id = app.app.snapshot().data.accounts[0].id.clone();
    let path = format!("/api/v1/accounts/{id}");
    let read = admin.get(&path).await;
    let record = read.expect(200).json();
    let old_tag = read.header("etag").expect("an ETag");

    let mut by_cli = record.clone();
    by_cli["name"] = json!("Renamed By The CLI");
    let mut made_by_cli = record.clone();
    made_by_cli["id"] = json!("acc-by-cli");
    made_by_cli["name"] = json!("Made By The CLI");
    let cli = Store::open(&app.db_url).await.expect("the CLI opens the database");
    let options = ImportOptions::by(&Actor::cli(), "import.cli", "accounts");
    let file = csv_of(&[by_cli.clone(), made_by_cli.clone()]);
    import_csv_bytes(&cli, Kind::Accounts, "accounts.csv", file.as_bytes(), None, options)
        .await
        .expect("the CLI's import");
    cli.close().await;

    let mut edited = record.clone();
    edited["name"] = json!("Edited On The Web");
    let conflict = admin.put(&path, &edited, Some(&old_tag)).await.expect_error(409, "conflict", None);
    let stored = stored_account(&app.db_url, &id).await.expect("the account");
    assert_eq!(name_of(&stored), Some("Renamed By The CLI"), "the CLI's change survives");
    let current = etag(Kind::Accounts, &stored);
    let message = conflict["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(&current), "the 409 names the stored version: {message}");

    // Reading again shows the CLI's version, whatever the server's read model held.
    let reread = admin.get(&path).await;
    assert_eq!(reread.expect(200).json(), by_cli);
    assert_eq!(reread.header("etag"), Some(current.clone()));
    // A record only the CLI has written is a replacement too: it needs the version.
    let blind = admin.put("/api/v1/accounts/acc-by-cli", &edited_as(&edited, "acc-by-cli"), None).await;
    blind.expect_error(428, "precondition_required", Some("If-Match"));
    let made = stored_account(&app.db_url, "acc-by-cli").await.expect("the CLI's new account");
    assert_eq!(name_of(&made), Some("Made By The CLI"));

    // With the version just read, the edit goes through, replacing the CLI's version.
    admin.put(&path, &edited, Some(&current)).await.expect(200);
    let log = admin.get(&format!("/api/v1/audit?action=record.update&entity_id={id}")).await.json();
    assert_eq!(log["entries"][0]["before"]["name"], "Renamed By The CLI", "{log}");
    assert_eq!(log["entries"][0]["after"]["name"], "Edited On The Web");
}

/// `record` with another id.
fn edited_as(record: &Value, id: &str) -> Value {
    let mut record = record.clone();
    record["id"] = json!(id);
    record
}
