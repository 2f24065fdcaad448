//! The tamper-evident audit log: every change writes exactly one entry, in the change's own
//! transaction; the entries form a hash chain; and any edit, deletion or forgery of an entry
//! is reported at that entry.

use attain_app::audit::{self, Change, GENESIS, entry_hash, unkeyed_hash, verify, verify_against};
use attain_app::seed::seed_demo;
use attain_app::{Actor, App, AppError, NoProgress, Role, Settings, Via};
use attain_core::Kind;
use attain_store::{AuditKey, AuditRow, Store};
use attain_testkit::{Db, TestDb};
use jiff::civil::date;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;

use crate::on_both;
use crate::platform::{PASSWORD, add, assert_err};

const ACTIONS: [&str; 5] = ["user.create", "record.update", "import.cli", "token.create", "session.sign_in"];

/// Every entry, oldest first.
async fn entries(store: &Store) -> Vec<AuditRow> {
    store.audit_after(0, i64::MAX).await.unwrap()
}

async fn last(store: &Store) -> AuditRow {
    entries(store).await.pop().expect("an audit entry")
}

async fn sql(store: &Store, statement: &str) {
    sqlx::query(statement).execute(store.pool()).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// Appends `n` varied entries directly, one transaction each.
async fn append_n(store: &Store, n: usize) -> Vec<AuditRow> {
    for i in 0..n {
        let actor = Actor {
            user_id: (i % 3 != 0).then(|| format!("user-{}", i % 3)),
            login: format!("user{}", i % 3),
            via: if i % 2 == 0 { Via::Session } else { Via::Token(format!("tok-{i}")) },
            ip: (i % 4 == 1).then(|| "192.0.2.7".to_string()),
            ..Actor::system()
        };
        let mut change = Change::new(ACTIONS[i % ACTIONS.len()], "accounts", Some(format!("acc-{i}")));
        if i % 2 == 1 {
            change = change.before(json!({ "name": format!("v{i}") }));
        }
        change = change.after(json!({ "name": format!("v{}", i + 1), "quote": "\"a\", b" }));
        let mut tx = store.begin().await.unwrap();
        audit::append(store, &mut tx, &actor, change).await.unwrap();
        tx.commit().await.unwrap();
    }
    entries(store).await
}

/// Asserts the chain breaks at `seq` with a problem mentioning `words`.
async fn assert_broken_at(store: &Store, seq: i64, words: &str) {
    let found = verify(store).await.unwrap();
    assert_eq!(found.broken_at, Some(seq), "{found:?}");
    assert!(!found.intact());
    let problem = found.problem.unwrap_or_default();
    assert!(problem.contains(words), "{problem:?} should mention {words:?}");
}

/// Rewrites entry `seq` with `edit` applied and its hash recomputed, as a forger who holds
/// the key would (the links still give the forgery away).
async fn rewrite(store: &Store, seq: i64, edit: impl FnOnce(&mut AuditRow)) {
    let mut row = store.audit_entry(seq).await.unwrap().unwrap();
    edit(&mut row);
    row.hash = entry_hash(store.audit_key(), &row);
    sqlx::query("UPDATE audit_log SET after_json = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
        .bind(row.after_json.clone())
        .bind(row.prev_hash.clone())
        .bind(row.hash.clone())
        .bind(seq)
        .execute(store.pool())
        .await
        .unwrap();
}

// ---- the chain -------------------------------------------------------------------------

async fn the_chain_links_every_entry(store: Store, _: Db) {
    assert_eq!(
        verify(&store).await.unwrap(),
        audit::Verification { entries: 0, broken_at: None, problem: None }
    );
    let rows = append_n(&store, 12).await;
    assert_eq!(rows.iter().map(|r| r.seq).collect::<Vec<_>>(), (1..=12).collect::<Vec<_>>());
    assert_eq!(rows[0].prev_hash, GENESIS);
    for pair in rows.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash, "entry {} links to entry {}", pair[1].seq, pair[0].seq);
    }
    for row in &rows {
        assert_eq!(row.hash, entry_hash(store.audit_key(), row), "entry {}", row.seq);
        assert_eq!(row.hash.len(), 64);
        assert!(row.hash.chars().all(|c| c.is_ascii_hexdigit()));
    }
    let mut hashes: Vec<&str> = rows.iter().map(|r| r.hash.as_str()).collect();
    hashes.sort_unstable();
    hashes.dedup();
    assert_eq!(hashes.len(), rows.len(), "every hash differs");
    let tail = rows.last().unwrap();
    assert_eq!(store.audit_head().await.unwrap(), (12, tail.hash.clone()));
    assert_eq!(rows[1].via, "token:tok-1");
    assert_eq!(rows[1].ip.as_deref(), Some("192.0.2.7"));
    assert_eq!(rows[0].actor_id, None);

    let found = verify(&store).await.unwrap();
    assert_eq!(found, audit::Verification { entries: 12, broken_at: None, problem: None });
    assert!(found.intact());
}

async fn an_edited_entry_is_found(store: Store, _: Db) {
    append_n(&store, 6).await;
    sql(&store, "UPDATE audit_log SET after_json = '{\"name\":\"forged\"}' WHERE seq = 3").await;
    assert_broken_at(&store, 3, "entry 3 was altered").await;
}

async fn an_entry_emptied_is_found(store: Store, _: Db) {
    append_n(&store, 6).await;
    // Entry 4 has a "before"; removing it is as much a change as editing it.
    assert!(store.audit_entry(4).await.unwrap().unwrap().before_json.is_some());
    sql(&store, "UPDATE audit_log SET before_json = NULL WHERE seq = 4").await;
    assert_broken_at(&store, 4, "altered").await;
}

async fn an_edited_actor_or_time_is_found(store: Store, _: Db) {
    append_n(&store, 6).await;
    sql(&store, "UPDATE audit_log SET actor_login = 'someone-else' WHERE seq = 5").await;
    sql(&store, "UPDATE audit_log SET at = '2001-01-01T00:00:00Z' WHERE seq = 2").await;
    // The first break is the one reported.
    assert_broken_at(&store, 2, "entry 2").await;
}

async fn a_deleted_entry_is_found(store: Store, _: Db) {
    append_n(&store, 6).await;
    sql(&store, "DELETE FROM audit_log WHERE seq = 3").await;
    assert_broken_at(&store, 3, "entry 3 is missing").await;
}

async fn a_deleted_tail_is_found(store: Store, _: Db) {
    append_n(&store, 6).await;
    sql(&store, "DELETE FROM audit_log WHERE seq = 6").await;
    assert_broken_at(&store, 6, "deleted").await;
    sql(&store, "DELETE FROM audit_log WHERE seq >= 4").await;
    assert_broken_at(&store, 4, "entries 4 to 6 were deleted").await;
}

async fn a_deleted_log_is_found(store: Store, _: Db) {
    append_n(&store, 6).await;
    sql(&store, "DELETE FROM audit_log").await;
    assert_broken_at(&store, 1, "entries 1 to 6 were deleted").await;
}

async fn a_changed_link_is_found(store: Store, _: Db) {
    let rows = append_n(&store, 6).await;
    sql(&store, &format!("UPDATE audit_log SET prev_hash = '{}' WHERE seq = 3", rows[0].hash)).await;
    assert_broken_at(&store, 3, "entry 3 does not follow entry 2").await;
}

async fn a_recomputed_hash_breaks_the_next_link(store: Store, _: Db) {
    append_n(&store, 6).await;
    rewrite(&store, 3, |row| row.after_json = Some("{\"name\":\"forged\"}".into())).await;
    assert_broken_at(&store, 4, "entry 4 does not follow entry 3").await;
}

async fn a_recomputed_last_hash_breaks_the_head(store: Store, _: Db) {
    append_n(&store, 6).await;
    rewrite(&store, 6, |row| row.after_json = Some("{\"name\":\"forged\"}".into())).await;
    assert_broken_at(&store, 6, "head").await;
}

async fn a_forged_entry_at_the_end_is_found(store: Store, _: Db) {
    let rows = append_n(&store, 6).await;
    // A well-formed seventh entry, inserted behind Attain's back: the head still says six.
    let mut forged = AuditRow { seq: 7, prev_hash: rows[5].hash.clone(), ..rows[5].clone() };
    forged.hash = entry_hash(store.audit_key(), &forged);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor_login, via, ip, action, entity, entity_id, \
         before_json, after_json, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(forged.seq)
    .bind(forged.at.clone())
    .bind(forged.actor_id.clone())
    .bind(forged.actor_login.clone())
    .bind(forged.via.clone())
    .bind(forged.ip.clone())
    .bind(forged.action.clone())
    .bind(forged.entity.clone())
    .bind(forged.entity_id.clone())
    .bind(forged.before_json.clone())
    .bind(forged.after_json.clone())
    .bind(forged.prev_hash.clone())
    .bind(forged.hash.clone())
    .execute(store.pool())
    .await
    .unwrap();
    assert_eq!(store.audit_head().await.unwrap().0, 6);
    assert_broken_at(&store, 7, "entry 7").await;
}

/// Rewrites entries `from..` with `edit` applied to the first and every hash after it
/// recomputed by `hash`, moving the head: a complete forgery, as far as `hash` allows.
async fn rewrite_chain_from(store: &Store, from: i64, hash: impl Fn(&AuditRow) -> String) {
    let rows = entries(store).await;
    let mut prev = rows[usize::try_from(from).unwrap() - 2].hash.clone();
    for mut row in rows.into_iter().skip(usize::try_from(from).unwrap() - 1) {
        if row.seq == from {
            row.after_json = Some("{\"name\":\"forged\"}".into());
        }
        row.prev_hash = prev;
        row.hash = hash(&row);
        sqlx::query("UPDATE audit_log SET after_json = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
            .bind(row.after_json.clone())
            .bind(row.prev_hash.clone())
            .bind(row.hash.clone())
            .bind(row.seq)
            .execute(store.pool())
            .await
            .unwrap();
        sql(store, &format!("UPDATE audit_head SET hash = '{}' WHERE id = 1", row.hash)).await;
        prev = row.hash;
    }
}

fn another_key() -> AuditKey {
    AuditKey::from_text("a key that is not this installation's key, long enough", "test").unwrap()
}

async fn rewriting_every_hash_after_an_edit_is_found(store: Store, _: Db) {
    append_n(&store, 6).await;
    // Without the key, a forger can only use the scheme's plain digest, or a key of their own.
    rewrite_chain_from(&store, 3, unkeyed_hash).await;
    assert_broken_at(&store, 3, "entry 3 carries an unkeyed hash").await;
    let theirs = another_key();
    rewrite_chain_from(&store, 3, |row| entry_hash(&theirs, row)).await;
    assert_broken_at(&store, 3, "entry 3 was altered").await;
    // Only the key's holder can make a consistent chain.
    let key = store.audit_key().clone();
    rewrite_chain_from(&store, 3, |row| entry_hash(&key, row)).await;
    assert!(verify(&store).await.unwrap().intact());
}

async fn a_cut_tail_is_caught_by_a_checkpoint(store: Store, _: Db) {
    let rows = append_n(&store, 8).await;
    let checkpoint = audit::checkpoint(&store).await.unwrap();
    assert_eq!((checkpoint.seq, checkpoint.head.as_str()), (8, rows[7].hash.as_str()));
    assert!(verify_against(&store, &checkpoint).await.unwrap().intact());

    // Delete the newest entries and move the head back to a genuine entry: the keyed chain
    // alone cannot tell, the checkpoint can.
    sql(&store, "DELETE FROM audit_log WHERE seq > 6").await;
    sql(&store, &format!("UPDATE audit_head SET seq = 6, hash = '{}' WHERE id = 1", rows[5].hash)).await;
    assert!(verify(&store).await.unwrap().intact(), "a cut chain is still a valid chain");
    let found = verify_against(&store, &checkpoint).await.unwrap();
    assert_eq!(found.broken_at, Some(7));
    assert!(found.problem.unwrap().contains("entries 7 to 8 were removed"));

    // Entries appended since do not hide it: entry 8 is not the one signed.
    append_n(&store, 3).await;
    let found = verify_against(&store, &checkpoint).await.unwrap();
    assert_eq!(found.broken_at, Some(8));
    assert!(found.problem.unwrap().contains("entry 8 is not the one the checkpoint"));

    // A checkpoint edited by hand is refused, not trusted.
    let forged = audit::Checkpoint { seq: 6, head: rows[5].hash.clone(), ..checkpoint.clone() };
    assert_err!(
        verify_against(&store, &forged).await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("checkpoint")
    );
}

async fn a_wrong_key_is_reported_clearly(store: Store, _: Db) {
    append_n(&store, 4).await;
    let checkpoint = audit::checkpoint(&store).await.unwrap();
    let wrong = store.with_audit_key(another_key());
    let found = verify(&wrong).await.unwrap();
    assert_eq!(found.broken_at, Some(1));
    let problem = found.problem.unwrap();
    assert!(problem.contains("no entry matches the audit key from test"), "{problem}");
    assert_err!(
        verify_against(&wrong, &checkpoint).await,
        AppError::Invalid { message, .. } if message.contains("another key")
    );
}

async fn an_unkeyed_chain_is_signed_once_by_rekey(store: Store, _: Db) {
    // A log as written before the key: plain digests.
    append_n(&store, 5).await;
    let first = store.audit_entry(1).await.unwrap().unwrap();
    let plain = AuditRow { hash: unkeyed_hash(&first), ..first };
    sqlx::query("UPDATE audit_log SET hash = $1 WHERE seq = 1")
        .bind(plain.hash.clone())
        .execute(store.pool())
        .await
        .unwrap();
    rewrite_chain_from(&store, 2, unkeyed_hash).await;
    assert_broken_at(&store, 1, "unkeyed hash").await;

    let admin = Actor::system();
    assert_eq!(audit::rekey(&store, &admin).await.unwrap(), 5);
    let found = verify(&store).await.unwrap();
    assert_eq!((found.entries, found.broken_at), (6, None), "{found:?}");
    assert_eq!(last(&store).await.action, "audit.rekey");

    // A damaged chain is not blessed.
    sql(&store, "UPDATE audit_log SET entity_id = 'forged' WHERE seq = 2").await;
    assert_err!(audit::rekey(&store, &admin).await, AppError::Conflict(message) if message.contains("entry 2"));
    let finance = Actor { role: Role::Finance, ..admin };
    assert_err!(audit::rekey(&store, &finance).await, AppError::Forbidden);
}

async fn rekey_does_not_sign_a_rewritten_keyed_chain(store: Store, _: Db) {
    // Someone without the key rewrites the newest entries with plain digests: verify calls
    // them unkeyed, but rekey must not sign them, since keyed entries come before them.
    append_n(&store, 6).await;
    sql(&store, "UPDATE audit_log SET entity_id = 'forged' WHERE seq = 4").await;
    rewrite_chain_from(&store, 4, unkeyed_hash).await;
    assert_broken_at(&store, 4, "unkeyed hash").await;
    let admin = Actor::system();
    assert_err!(audit::rekey(&store, &admin).await, AppError::Conflict(message) if message.contains("entry 4"));
    assert_broken_at(&store, 4, "unkeyed hash").await;
}

async fn swapped_entries_are_found(store: Store, _: Db) {
    append_n(&store, 6).await;
    sql(&store, "UPDATE audit_log SET seq = 100 WHERE seq = 3").await;
    sql(&store, "UPDATE audit_log SET seq = 3 WHERE seq = 4").await;
    sql(&store, "UPDATE audit_log SET seq = 4 WHERE seq = 100").await;
    assert_broken_at(&store, 3, "entry 3").await;
}

async fn verify_reads_past_one_chunk(store: Store, _: Db) {
    // More entries than verify reads at once (10,000): a valid chain built here and written
    // a thousand rows a statement, since appending them one by one takes a while.
    let total: u64 = 10_050;
    let mut prev = GENESIS.to_string();
    let mut values = Vec::new();
    for seq in 1..=i64::try_from(total).unwrap() {
        let mut row = AuditRow {
            seq,
            at: "2026-01-01T00:00:00Z".into(),
            actor_id: None,
            actor_login: "system".into(),
            via: "system".into(),
            ip: None,
            action: "record.update".into(),
            entity: "accounts".into(),
            entity_id: Some(format!("acc-{seq}")),
            before_json: None,
            after_json: None,
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        row.hash = entry_hash(store.audit_key(), &row);
        values.push(format!(
            "({seq}, '{}', NULL, 'system', 'system', NULL, 'record.update', 'accounts', 'acc-{seq}', NULL, NULL, '{}', '{}')",
            row.at, row.prev_hash, row.hash
        ));
        prev = row.hash;
    }
    for chunk in values.chunks(1000) {
        sql(
            &store,
            &format!(
                "INSERT INTO audit_log (seq, at, actor_id, actor_login, via, ip, action, entity, entity_id, \
                 before_json, after_json, prev_hash, hash) VALUES {}",
                chunk.join(", ")
            ),
        )
        .await;
    }
    sql(&store, &format!("UPDATE audit_head SET seq = {total}, hash = '{prev}' WHERE id = 1")).await;
    let found = verify(&store).await.unwrap();
    assert_eq!((found.entries, found.broken_at), (total, None));

    sql(&store, "UPDATE audit_log SET entity_id = 'forged' WHERE seq = 10001").await;
    assert_broken_at(&store, 10_001, "altered").await;
    // A gap exactly at the end of the first chunk is found too, and is the first break now.
    sql(&store, "DELETE FROM audit_log WHERE seq = 10000").await;
    assert_broken_at(&store, 10_000, "entry 10000 is missing").await;
}

async fn concurrent_appends_keep_one_chain(store: Store, _: Db) {
    let mut tasks = Vec::new();
    for t in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..5 {
                let change = Change::new("record.update", "accounts", Some(format!("acc-{t}-{i}")));
                let mut tx = store.begin().await.unwrap();
                audit::append(&store, &mut tx, &Actor::system(), change).await.unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let found = verify(&store).await.unwrap();
    assert_eq!((found.entries, found.broken_at), (40, None), "{found:?}");
    let mut ids: Vec<String> = entries(&store).await.into_iter().filter_map(|r| r.entity_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40, "every change has its own entry");
}

// ---- one entry per change --------------------------------------------------------------

/// Runs one step and asserts it wrote exactly one entry with `action` by `actor`.
async fn one_entry(store: &Store, before: &mut i64, action: &str, actor: &str) -> AuditRow {
    let (head, _) = store.audit_head().await.unwrap();
    assert_eq!(head, *before + 1, "{action}: expected exactly one new entry");
    *before = head;
    let entry = last(store).await;
    assert_eq!((entry.action.as_str(), entry.actor_login.as_str()), (action, actor));
    entry
}

async fn no_entry(store: &Store, before: i64, what: &str) {
    assert_eq!(store.audit_head().await.unwrap().0, before, "{what} wrote an audit entry");
}

async fn every_change_writes_exactly_one_entry(store: Store, _: Db) {
    let n = &mut 0;
    seed_demo(&store, &attain_demo::DemoConfig::new(date(2018, 1, 15)), &NoProgress).await.unwrap();
    let seeded = one_entry(&store, n, "demo.seed", "system").await;
    assert_eq!(
        (seeded.entity.as_str(), seeded.entity_id.as_deref(), seeded.via.as_str()),
        ("import", Some("demo"), "system")
    );
    let counts: serde_json::Value = serde_json::from_str(seeded.after_json.as_deref().unwrap()).unwrap();
    assert!(counts["people"]["inserted"].as_u64().unwrap() > 10, "{counts}");

    let app = App::new(store.clone(), Settings::default()).await.unwrap();
    let ann = add(&app, "ann", Role::Admin, None).await;
    let created = one_entry(&store, n, "user.create", "system").await;
    assert_eq!((created.entity.as_str(), created.entity_id.as_deref()), ("users", Some(ann.id.as_str())));
    let after = created.after_json.unwrap();
    assert!(after.contains("\"login\":\"ann\""), "{after}");
    assert!(!after.contains("argon2") && !after.contains("password"), "no password in the log: {after}");

    // Failed sign-ins are audited by the lock they cause, with its count, not one by one.
    for _ in 0..4 {
        assert_err!(
            app.sign_in("ann", "not the password", Some("203.0.113.9".into())).await,
            AppError::Unauthenticated
        );
    }
    no_entry(&store, *n, "failures below the limit").await;
    assert_err!(
        app.sign_in("ann", "not the password", Some("203.0.113.9".into())).await,
        AppError::Unauthenticated
    );
    let failed = one_entry(&store, n, "session.sign_in_locked", "ann").await;
    assert_eq!(failed.ip.as_deref(), Some("203.0.113.9"));
    let locked = failed.after_json.unwrap_or_default();
    assert!(locked.contains("\"failures\":5") && !locked.contains("not the password"), "{locked}");

    let signed = app.sign_in("ann", PASSWORD, Some("203.0.113.10".into())).await.unwrap();
    let entry = one_entry(&store, n, "session.sign_in", "ann").await;
    assert_eq!((entry.via.as_str(), entry.actor_id.as_deref()), ("session", Some(ann.id.as_str())));
    let admin = signed.actor;

    let token = app.create_token(&admin, "ci").await.unwrap();
    let entry = one_entry(&store, n, "token.create", "ann").await;
    assert_eq!(entry.entity_id.as_deref(), Some(token.token.id.as_str()));
    assert!(!entry.after_json.unwrap().contains(&token.secret));

    let body = json!({ "name": "Audit Co" });
    let put = app.put(&admin, Kind::Accounts, "audit-co", &body, None).await.unwrap();
    let entry = one_entry(&store, n, "record.create", "ann").await;
    assert_eq!((entry.entity.as_str(), entry.entity_id.as_deref()), ("accounts", Some("audit-co")));
    assert_eq!(entry.before_json, None);
    let body = json!({ "name": "Audit Company" });
    let put = app.put(&admin, Kind::Accounts, "audit-co", &body, Some(&put.etag)).await.unwrap();
    let entry = one_entry(&store, n, "record.update", "ann").await;
    assert!(entry.before_json.unwrap().contains("Audit Co\""));
    assert!(entry.after_json.unwrap().contains("Audit Company"));
    app.put(&admin, Kind::Accounts, "audit-co", &body, Some(&put.etag)).await.unwrap();
    no_entry(&store, *n, "an unchanged PUT").await;

    // Through a token, the entry says so.
    let scripted = app.token_actor(&token.secret, None).await.unwrap().unwrap();
    app.put(&scripted, Kind::Accounts, "scripted-co", &json!({ "name": "Scripted" }), None).await.unwrap();
    let entry = one_entry(&store, n, "record.create", "ann").await;
    assert_eq!(entry.via, format!("token:{}", token.token.id));

    let people = "id,name,hire_date\naudit-person,Audit Person,2018-01-02\n";
    app.import_csv(&admin, Kind::People, "people.csv", people.as_bytes(), false).await.unwrap();
    let entry = one_entry(&store, n, "import.upload", "ann").await;
    assert_eq!((entry.entity.as_str(), entry.entity_id.as_deref()), ("import", Some("people.csv")));
    let bad = "id,name,hire_date\nbad-person,Bad Person,not-a-date\n";
    assert!(app.import_csv(&admin, Kind::People, "bad.csv", bad.as_bytes(), false).await.is_err());
    no_entry(&store, *n, "a rejected import").await;

    // Refusals change nothing, so they record nothing.
    let finance = Actor { role: Role::Finance, ..admin.clone() };
    assert_err!(app.put(&finance, Kind::Accounts, "x", &body, None).await, AppError::Forbidden);
    assert_err!(
        app.add_user(&finance, crate::platform::new_user("x", Role::Admin, None)).await,
        AppError::Forbidden
    );
    assert_err!(
        app.import_csv(&finance, Kind::People, "p.csv", people.as_bytes(), false).await,
        AppError::Forbidden
    );
    no_entry(&store, *n, "refused changes").await;

    app.revoke_token(&admin, &token.token.id).await.unwrap();
    one_entry(&store, n, "token.revoke", "ann").await;
    add(&app, "bob", Role::Finance, None).await;
    one_entry(&store, n, "user.create", "system").await;
    app.set_disabled(&admin, "bob", true).await.unwrap();
    let entry = one_entry(&store, n, "user.disable", "ann").await;
    assert!(entry.before_json.unwrap().contains("\"disabled\":false"));
    assert!(entry.after_json.unwrap().contains("\"disabled\":true"));
    app.set_disabled(&admin, "bob", false).await.unwrap();
    one_entry(&store, n, "user.enable", "ann").await;
    app.reset_password(&admin, "bob", "another fine password").await.unwrap();
    let entry = one_entry(&store, n, "user.password_reset", "ann").await;
    assert_eq!(entry.before_json, None, "no password material");
    assert_eq!(entry.after_json.as_deref(), Some(r#"{"sessions_ended":0,"tokens_revoked":0}"#));
    app.sign_out(&admin, &signed.cookie).await.unwrap();
    one_entry(&store, n, "session.sign_out", "ann").await;

    let found = verify(&store).await.unwrap();
    assert_eq!((found.entries, found.broken_at), (u64::try_from(*n).unwrap(), None));
    // Only admins read the log.
    assert_eq!(app.verify_audit(&admin).await.unwrap(), found);
    assert_err!(app.verify_audit(&finance).await, AppError::Forbidden);
}

async fn admins_page_through_the_log(store: Store, _: Db) {
    append_n(&store, 7).await;
    let app = App::new(store, Settings::default()).await.unwrap();
    let admin = Actor::system();
    let filter = attain_store::AuditFilter::default();
    let page = app.audit_page(&admin, &filter, 2, 3).await.unwrap();
    assert_eq!((page.total, page.page, page.per_page), (7, 2, 3));
    assert_eq!(page.entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 3, 2], "newest first");
    let first = &page.entries[0];
    assert_eq!(first.after, Some(json!({ "name": "v4", "quote": "\"a\", b" })), "JSON comes back parsed");
    assert_eq!(first.before, Some(json!({ "name": "v3" })));
    // Out-of-range paging is clamped rather than refused.
    let clamped = app.audit_page(&admin, &filter, 0, 0).await.unwrap();
    assert_eq!((clamped.page, clamped.per_page, clamped.entries.len()), (1, 1, 1));
    let only = attain_store::AuditFilter { action: Some("import.cli".into()), ..filter.clone() };
    let page = app.audit_page(&admin, &only, 1, 50).await.unwrap();
    assert_eq!(page.entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [3]);
    assert_eq!(app.audit_entry(&admin, 5).await.unwrap().seq, 5);
    assert_err!(app.audit_entry(&admin, 99).await, AppError::NotFound);
    for role in Role::ALL.into_iter().filter(|r| *r != Role::Admin) {
        let actor = Actor { role, ..Actor::system() };
        assert_err!(app.audit_page(&actor, &filter, 1, 10).await, AppError::Forbidden);
        assert_err!(app.audit_entry(&actor, 1).await, AppError::Forbidden);
    }
}

on_both!(
    the_chain_links_every_entry,
    an_edited_entry_is_found,
    an_entry_emptied_is_found,
    an_edited_actor_or_time_is_found,
    a_deleted_entry_is_found,
    a_deleted_tail_is_found,
    a_deleted_log_is_found,
    a_changed_link_is_found,
    a_recomputed_hash_breaks_the_next_link,
    a_recomputed_last_hash_breaks_the_head,
    a_forged_entry_at_the_end_is_found,
    swapped_entries_are_found,
    rewriting_every_hash_after_an_edit_is_found,
    a_cut_tail_is_caught_by_a_checkpoint,
    a_wrong_key_is_reported_clearly,
    an_unkeyed_chain_is_signed_once_by_rekey,
    rekey_does_not_sign_a_rewritten_keyed_chain,
    verify_reads_past_one_chunk,
    concurrent_appends_keep_one_chain,
    every_change_writes_exactly_one_entry,
    admins_page_through_the_log,
);

// ---- property: any single tampering is found where it happened --------------------------

/// The columns of an entry, each of which the hash must cover.
const FIELDS: [&str; 13] = [
    "seq",
    "at",
    "actor_id",
    "actor_login",
    "via",
    "ip",
    "action",
    "entity",
    "entity_id",
    "before_json",
    "after_json",
    "prev_hash",
    "hash",
];

#[derive(Debug, Clone)]
enum Tamper {
    /// Change column `FIELDS[k]` of the entry.
    Edit(usize),
    /// Delete the entry.
    Delete,
}

/// One change to append: action, actor, entity id, before, after, ip.
type Spec = (usize, usize, Option<u16>, Option<u16>, Option<u16>, bool);

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..ACTIONS.len(),
        0..3usize,
        any::<Option<u16>>(),
        any::<Option<u16>>(),
        any::<Option<u16>>(),
        any::<bool>(),
    )
}

fn case() -> impl Strategy<Value = (Vec<Spec>, i64, Tamper)> {
    (1usize..=10).prop_flat_map(|n| {
        let tamper = prop_oneof![(0..FIELDS.len()).prop_map(Tamper::Edit), Just(Tamper::Delete)];
        (proptest::collection::vec(spec(), n), 1..=n as i64, tamper)
    })
}

async fn run_case(store: &Store, specs: &[Spec], target: i64, tamper: &Tamper) -> Result<(), TestCaseError> {
    // A fresh, empty chain for every case.
    sql(store, "DELETE FROM audit_log").await;
    sql(store, &format!("UPDATE audit_head SET seq = 0, hash = '{GENESIS}' WHERE id = 1")).await;
    for (action, actor, id, before, after, ip) in specs {
        let actor = Actor {
            user_id: (*actor > 0).then(|| format!("u{actor}")),
            login: format!("user{actor}"),
            ip: ip.then(|| "198.51.100.1".to_string()),
            ..Actor::system()
        };
        let mut change = Change::new(ACTIONS[*action], "accounts", id.map(|i| format!("acc-{i}")));
        if let Some(b) = before {
            change = change.before(json!({ "v": b }));
        }
        if let Some(a) = after {
            change = change.after(json!({ "v": a }));
        }
        let mut tx = store.begin().await.unwrap();
        audit::append(store, &mut tx, &actor, change).await.unwrap();
        tx.commit().await.unwrap();
    }
    prop_assert!(verify(store).await.unwrap().intact(), "the untouched chain verifies");
    let statement = match tamper {
        Tamper::Delete => format!("DELETE FROM audit_log WHERE seq = {target}"),
        Tamper::Edit(0) => format!("UPDATE audit_log SET seq = seq + 1000 WHERE seq = {target}"),
        Tamper::Edit(k) => {
            let column = FIELDS[*k];
            format!("UPDATE audit_log SET {column} = COALESCE({column}, '') || 'x' WHERE seq = {target}")
        }
    };
    sql(store, &statement).await;
    let found = verify(store).await.unwrap();
    prop_assert_eq!(
        found.broken_at,
        Some(target),
        "{:?} of entry {} of {}: {:?}",
        tamper,
        target,
        specs.len(),
        found
    );
    Ok(())
}

fn any_tampering_is_found_where_it_happened(backend: Db, cases: u32) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(db) = rt.block_on(TestDb::new(backend)) else { return };
    let store = rt.block_on(Store::open(&db.url)).unwrap();
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let outcome =
        runner.run(&case(), |(specs, target, tamper)| rt.block_on(run_case(&store, &specs, target, &tamper)));
    rt.block_on(store.close());
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

#[test]
fn any_tampering_is_found_where_it_happened_sqlite() {
    any_tampering_is_found_where_it_happened(Db::Sqlite, 96);
}

#[test]
fn any_tampering_is_found_where_it_happened_postgres() {
    any_tampering_is_found_where_it_happened(Db::Postgres, 64);
}
