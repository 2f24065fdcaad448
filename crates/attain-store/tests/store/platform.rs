//! The platform tables' contract: users, sessions, API tokens, sign-in throttling and the
//! audit log, read and written the same way on both backends.

use attain_store::{AuditFilter, AuditRow, SessionRow, Store, ThrottleRow, TokenRow, UserRow};
use attain_testkit::{Db, TestDb};

use crate::on_both;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn user(id: &str, login: &str) -> UserRow {
    UserRow {
        id: id.into(),
        login: login.into(),
        display_name: format!("User {login}"),
        role: "admin".into(),
        person_id: None,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        disabled: false,
        created_at: "2026-01-01T10:00:00Z".into(),
        updated_at: "2026-01-01T10:00:00Z".into(),
    }
}

async fn insert_users(store: &Store, users: &[UserRow]) {
    let mut tx = store.begin().await.unwrap();
    for u in users {
        store.insert_user(&mut tx, u).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn users_are_inserted_found_and_updated(store: Store, _: Db) {
    assert_eq!(store.user_count().await.unwrap(), 0);
    assert!(store.users().await.unwrap().is_empty());
    let zed = user("u-2", "zed");
    let ann = UserRow { person_id: Some("p-ann".into()), role: "rep".into(), ..user("u-1", "ann") };
    insert_users(&store, &[zed.clone(), ann.clone()]).await;

    assert_eq!(store.user_count().await.unwrap(), 2);
    assert_eq!(store.users().await.unwrap(), [ann.clone(), zed.clone()], "ordered by login");
    assert_eq!(store.user_by_login("ann").await.unwrap(), Some(ann.clone()));
    assert_eq!(store.user_by_id("u-2").await.unwrap(), Some(zed.clone()));
    assert_eq!(store.user_by_login("ANN").await.unwrap(), None, "logins are stored normalised");
    assert_eq!(store.user_by_login("nobody").await.unwrap(), None);
    assert_eq!(store.user_by_id("u-9").await.unwrap(), None);

    // Every mutable field is rewritten; the login and creation time are not.
    let changed = UserRow {
        login: "renamed".into(),
        display_name: "Ann Archer".into(),
        role: "manager".into(),
        person_id: None,
        password_hash: "new-hash".into(),
        disabled: true,
        created_at: "1999-01-01T00:00:00Z".into(),
        updated_at: "2026-02-01T09:30:00Z".into(),
        ..ann.clone()
    };
    let mut tx = store.begin().await.unwrap();
    store.update_user(&mut tx, &changed).await.unwrap();
    tx.commit().await.unwrap();
    let stored = store.user_by_id("u-1").await.unwrap().unwrap();
    assert_eq!(
        stored,
        UserRow { login: "ann".into(), created_at: ann.created_at.clone(), ..changed.clone() }
    );
    assert!(stored.disabled);
    assert_eq!(store.user_by_id("u-2").await.unwrap(), Some(zed), "other users are untouched");
}

async fn a_login_is_unique(store: Store, _: Db) {
    insert_users(&store, &[user("u-1", "ann")]).await;
    let mut tx = store.begin().await.unwrap();
    let second = store.insert_user(&mut tx, &user("u-2", "ann")).await;
    let committed = match second {
        Ok(()) => tx.commit().await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    assert!(committed.is_err(), "two users may not share a login");
    assert_eq!(store.user_count().await.unwrap(), 1);
}

fn session(id_hash: &str, user_id: &str, expires_at: &str) -> SessionRow {
    SessionRow {
        id_hash: id_hash.into(),
        user_id: user_id.into(),
        csrf_token: format!("csrf-{id_hash}"),
        created_at: "2026-01-01T10:00:00Z".into(),
        expires_at: expires_at.into(),
    }
}

async fn sessions_are_found_and_ended(store: Store, _: Db) {
    insert_users(&store, &[user("u-1", "ann"), user("u-2", "bob")]).await;
    let rows = [
        session("s-ann-1", "u-1", "2026-01-01T22:00:00Z"),
        session("s-ann-2", "u-1", "2026-01-02T22:00:00Z"),
        session("s-bob-1", "u-2", "2026-01-01T12:00:00Z"),
        session("s-bob-2", "u-2", "2026-01-01T12:00:01Z"),
        session("s-bob-3", "u-2", "2026-01-03T12:00:00Z"),
    ];
    let mut tx = store.begin().await.unwrap();
    for row in &rows {
        store.insert_session(&mut tx, row).await.unwrap();
    }
    tx.commit().await.unwrap();
    for row in &rows {
        assert_eq!(store.session(&row.id_hash).await.unwrap().as_ref(), Some(row));
    }
    assert_eq!(store.session("s-unknown").await.unwrap(), None);

    // One session.
    let mut tx = store.begin().await.unwrap();
    assert!(store.delete_session(&mut tx, "s-ann-1").await.unwrap());
    assert!(!store.delete_session(&mut tx, "s-ann-1").await.unwrap(), "already gone");
    tx.commit().await.unwrap();
    assert_eq!(store.session("s-ann-1").await.unwrap(), None);
    assert!(store.session("s-ann-2").await.unwrap().is_some());

    // Expiry: a session expiring exactly now is expired; one a second later is not.
    assert_eq!(store.delete_expired_sessions("2026-01-01T12:00:00Z").await.unwrap(), 1);
    assert_eq!(store.session("s-bob-1").await.unwrap(), None);
    assert!(store.session("s-bob-2").await.unwrap().is_some());
    assert_eq!(store.delete_expired_sessions("2026-01-01T12:00:00Z").await.unwrap(), 0);

    // Every session of one user, and only theirs.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(store.delete_sessions_of(&mut tx, "u-2").await.unwrap(), 2);
    tx.commit().await.unwrap();
    assert_eq!(store.session("s-bob-2").await.unwrap(), None);
    assert_eq!(store.session("s-bob-3").await.unwrap(), None);
    assert_eq!(store.session("s-ann-2").await.unwrap().as_ref(), Some(&rows[1]));

    // A rolled-back delete deletes nothing.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(store.delete_sessions_of(&mut tx, "u-1").await.unwrap(), 1);
    tx.rollback().await.unwrap();
    assert!(store.session("s-ann-2").await.unwrap().is_some());
}

async fn a_session_needs_an_existing_user(store: Store, _: Db) {
    let mut tx = store.begin().await.unwrap();
    let inserted = store.insert_session(&mut tx, &session("s-1", "u-nobody", "2026-01-01T12:00:00Z")).await;
    let committed = match inserted {
        Ok(()) => tx.commit().await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    assert!(committed.is_err(), "a session of an unknown user must not be stored");
    assert_eq!(store.session("s-1").await.unwrap(), None);
}

fn token(id: &str, user_id: &str, created_at: &str) -> TokenRow {
    TokenRow {
        id: id.into(),
        user_id: user_id.into(),
        name: format!("script {id}"),
        token_hash: format!("hash-{id}"),
        prefix: "atn_abcdef".into(),
        created_at: created_at.into(),
        last_used_at: None,
        revoked_at: None,
    }
}

async fn tokens_are_found_revoked_and_touched(store: Store, _: Db) {
    insert_users(&store, &[user("u-1", "ann"), user("u-2", "bob")]).await;
    let t2 = token("t-2", "u-1", "2026-01-02T00:00:00Z");
    let t1 = token("t-1", "u-1", "2026-01-03T00:00:00Z");
    let t3 = token("t-3", "u-2", "2026-01-01T00:00:00Z");
    let mut tx = store.begin().await.unwrap();
    for t in [&t1, &t2, &t3] {
        store.insert_token(&mut tx, t).await.unwrap();
    }
    tx.commit().await.unwrap();

    assert_eq!(store.token_by_hash("hash-t-1").await.unwrap().as_ref(), Some(&t1));
    assert_eq!(store.token_by_id("t-3").await.unwrap().as_ref(), Some(&t3));
    assert_eq!(store.token_by_hash("t-1").await.unwrap(), None, "found by hash, not id");
    assert_eq!(store.token_by_id("hash-t-1").await.unwrap(), None, "found by id, not hash");
    assert_eq!(store.tokens_of("u-1").await.unwrap(), [t2.clone(), t1.clone()], "oldest first");
    assert_eq!(store.tokens_of("u-2").await.unwrap(), std::slice::from_ref(&t3));
    assert!(store.tokens_of("u-9").await.unwrap().is_empty());

    let mut tx = store.begin().await.unwrap();
    assert!(store.revoke_token(&mut tx, "t-1", "2026-02-01T00:00:00Z").await.unwrap());
    assert!(!store.revoke_token(&mut tx, "t-1", "2026-03-01T00:00:00Z").await.unwrap(), "already revoked");
    assert!(!store.revoke_token(&mut tx, "t-unknown", "2026-03-01T00:00:00Z").await.unwrap());
    tx.commit().await.unwrap();
    let revoked = store.token_by_id("t-1").await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at.as_deref(), Some("2026-02-01T00:00:00Z"), "the first revocation stands");
    assert_eq!(store.token_by_id("t-2").await.unwrap().unwrap().revoked_at, None);

    store.touch_token("t-2", "2026-02-02T08:00:00Z").await.unwrap();
    store.touch_token("t-2", "2026-02-02T09:00:00Z").await.unwrap();
    let touched = store.token_by_id("t-2").await.unwrap().unwrap();
    assert_eq!(touched, TokenRow { last_used_at: Some("2026-02-02T09:00:00Z".into()), ..t2 });
    assert_eq!(store.token_by_id("t-3").await.unwrap().unwrap().last_used_at, None);
}

async fn a_token_hash_is_unique(store: Store, _: Db) {
    insert_users(&store, &[user("u-1", "ann")]).await;
    let mut tx = store.begin().await.unwrap();
    store.insert_token(&mut tx, &token("t-1", "u-1", "2026-01-01T00:00:00Z")).await.unwrap();
    tx.commit().await.unwrap();
    let twin = TokenRow { id: "t-2".into(), ..token("t-1", "u-1", "2026-01-01T00:00:00Z") };
    let mut tx = store.begin().await.unwrap();
    let inserted = store.insert_token(&mut tx, &twin).await;
    let committed = match inserted {
        Ok(()) => tx.commit().await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    assert!(committed.is_err(), "two tokens may not share a digest");
    assert_eq!(store.token_by_id("t-2").await.unwrap(), None);
}

async fn throttles_are_claimed_locked_and_cleared(store: Store, _: Db) {
    let at = |t: &str| format!("2026-01-01T10:{t}Z");
    let long_ago = "2026-01-01T09:00:00Z";
    assert_eq!(store.throttle("ann").await.unwrap(), None);
    // Claims count up to the limit, then are refused without writing.
    for n in 1..=3 {
        assert_eq!(store.claim_attempt("ann", &at("00:00"), long_ago, 3).await.unwrap(), Some(n));
    }
    assert_eq!(store.claim_attempt("ann", &at("00:01"), long_ago, 3).await.unwrap(), None);
    let full = ThrottleRow {
        subject: "ann".into(),
        attempts: 3,
        last_attempt_at: at("00:00"),
        locked_until: None,
        lockouts: 0,
    };
    assert_eq!(store.throttle("ann").await.unwrap().as_ref(), Some(&full), "a refused claim writes nothing");
    // A released claim frees a place.
    store.release_attempt("ann").await.unwrap();
    assert_eq!(store.claim_attempt("ann", &at("00:02"), long_ago, 3).await.unwrap(), Some(3));

    // Locking: only at the limit and at the lock count seen, leaving one claim for later.
    assert!(!store.lock_subject("ann", 3, 1, &at("05:00")).await.unwrap(), "another lock came first");
    assert!(store.lock_subject("ann", 3, 0, &at("05:00")).await.unwrap());
    assert!(!store.lock_subject("ann", 3, 0, &at("05:00")).await.unwrap(), "one lock per limit reached");
    let locked = store.throttle("ann").await.unwrap().unwrap();
    assert_eq!((locked.attempts, locked.lockouts, locked.locked_until), (2, 1, Some(at("05:00"))));
    assert_eq!(store.claim_attempt("ann", &at("04:59"), long_ago, 3).await.unwrap(), None, "locked");
    assert_eq!(store.claim_attempt("ann", &at("05:00"), long_ago, 3).await.unwrap(), Some(3), "lock over");
    assert_eq!(store.claim_attempt("ann", &at("05:00"), long_ago, 3).await.unwrap(), None);

    // Quiet since before the cutoff, lock included: afresh.
    let fresh = store.claim_attempt("ann", &at("30:00"), &at("10:00"), 3).await.unwrap();
    assert_eq!(fresh, Some(1));
    assert_eq!(store.throttle("ann").await.unwrap().unwrap().lockouts, 0);

    // Subjects are apart; clearing and purging.
    store.claim_attempt("bob", &at("00:00"), long_ago, 3).await.unwrap();
    store.clear_throttle("ann").await.unwrap();
    assert_eq!(store.throttle("ann").await.unwrap(), None);
    assert!(store.throttle("bob").await.unwrap().is_some(), "only the named subject is cleared");
    store.clear_throttle("nobody").await.unwrap();
    assert!(!store.lock_subject("nobody", 3, 0, &at("20:00")).await.unwrap(), "locking needs claims");
    assert_eq!(store.throttle_count().await.unwrap(), 1);
    assert_eq!(store.delete_stale_throttles(&at("00:00")).await.unwrap(), 0, "bob was tried at the cutoff");
    assert_eq!(store.delete_stale_throttles(&at("00:01")).await.unwrap(), 1);
    assert_eq!(store.throttle_count().await.unwrap(), 0);
}

async fn claims_are_counted_atomically(store: Store, _: Db) {
    // Claims arriving together each see their own count, and no more than the limit succeed.
    let mut together = Vec::new();
    for _ in 0..12 {
        let store = store.clone();
        together.push(tokio::spawn(async move {
            store.claim_attempt("carol", "2026-01-01T10:00:00Z", "2026-01-01T09:00:00Z", 5).await.unwrap()
        }));
    }
    let mut counts = Vec::new();
    for task in together {
        counts.extend(task.await.unwrap());
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=5).collect::<Vec<_>>(), "five claims, each with its own count");
    assert_eq!(store.throttle("carol").await.unwrap().unwrap().attempts, 5);
}

/// An entry as the app would write it, with a made-up hash (the store does not check hashes).
fn entry(
    seq: i64,
    prev_hash: &str,
    at: &str,
    actor: &str,
    action: &str,
    entity: &str,
    id: Option<&str>,
) -> AuditRow {
    AuditRow {
        seq,
        at: at.into(),
        actor_id: Some(format!("id-{actor}")),
        actor_login: actor.into(),
        via: "session".into(),
        ip: None,
        action: action.into(),
        entity: entity.into(),
        entity_id: id.map(str::to_string),
        before_json: None,
        after_json: Some(format!("{{\"seq\":{seq}}}")),
        prev_hash: prev_hash.into(),
        hash: format!("hash-{seq}"),
    }
}

/// Claims the next sequence number and appends an entry with it, as `audit::append` does.
async fn append(
    store: &Store,
    at: &str,
    actor: &str,
    action: &str,
    entity: &str,
    id: Option<&str>,
) -> AuditRow {
    let mut tx = store.begin().await.unwrap();
    let (seq, prev) = store.claim_audit_seq(&mut tx).await.unwrap();
    let row = entry(seq, &prev, at, actor, action, entity, id);
    store.append_audit(&mut tx, &row).await.unwrap();
    tx.commit().await.unwrap();
    row
}

async fn appending_moves_the_head(store: Store, _: Db) {
    assert_eq!(store.audit_head().await.unwrap(), (0, GENESIS.to_string()));
    assert!(store.audit_after(0, 10).await.unwrap().is_empty());

    let first = append(&store, "2026-01-01T10:00:00Z", "ann", "user.create", "users", Some("u-1")).await;
    assert_eq!((first.seq, first.prev_hash.as_str()), (1, GENESIS));
    assert_eq!(store.audit_head().await.unwrap(), (1, "hash-1".to_string()));
    let second = append(&store, "2026-01-01T10:00:01Z", "ann", "user.create", "users", Some("u-2")).await;
    assert_eq!((second.seq, second.prev_hash.as_str()), (2, "hash-1"), "the claim returns the last hash");
    assert_eq!(store.audit_head().await.unwrap(), (2, "hash-2".to_string()));

    // A claim rolled back claims nothing: the next append gets the same number.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(store.claim_audit_seq(&mut tx).await.unwrap(), (3, "hash-2".to_string()));
    tx.rollback().await.unwrap();
    assert_eq!(store.audit_head().await.unwrap(), (2, "hash-2".to_string()));
    let mut tx = store.begin().await.unwrap();
    let (seq, prev) = store.claim_audit_seq(&mut tx).await.unwrap();
    let third = entry(seq, &prev, "2026-01-01T10:00:02Z", "bob", "token.create", "api_tokens", None);
    store.append_audit(&mut tx, &third).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(store.audit_head().await.unwrap(), (2, "hash-2".to_string()));
    assert_eq!(store.audit_entry(3).await.unwrap(), None, "a rolled-back entry does not exist");

    let third = append(&store, "2026-01-01T10:00:02Z", "bob", "token.create", "api_tokens", None).await;
    assert_eq!(third.seq, 3);
    assert_eq!(store.audit_entry(3).await.unwrap().as_ref(), Some(&third));
    assert_eq!(store.audit_entry(1).await.unwrap().as_ref(), Some(&first));
    assert_eq!(store.audit_entry(4).await.unwrap(), None);
}

async fn a_sequence_number_is_written_once(store: Store, _: Db) {
    let first = append(&store, "2026-01-01T10:00:00Z", "ann", "user.create", "users", None).await;
    let mut tx = store.begin().await.unwrap();
    let again = store.append_audit(&mut tx, &AuditRow { hash: "forged".into(), ..first.clone() }).await;
    let committed = match again {
        Ok(()) => tx.commit().await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    assert!(committed.is_err(), "an entry's number cannot be reused");
    assert_eq!(store.audit_entry(1).await.unwrap(), Some(first));
    assert_eq!(store.audit_head().await.unwrap(), (1, "hash-1".to_string()));
}

async fn audit_entries_page_in_order(store: Store, _: Db) {
    let mut written = Vec::new();
    for i in 0..7 {
        written.push(
            append(&store, &format!("2026-01-01T10:00:0{i}Z"), "ann", "record.update", "accounts", None)
                .await,
        );
    }
    let seqs = |rows: &[AuditRow]| rows.iter().map(|r| r.seq).collect::<Vec<_>>();
    assert_eq!(store.audit_after(0, 100).await.unwrap(), written, "everything, oldest first");
    assert_eq!(seqs(&store.audit_after(0, 3).await.unwrap()), [1, 2, 3]);
    assert_eq!(seqs(&store.audit_after(3, 3).await.unwrap()), [4, 5, 6]);
    assert_eq!(seqs(&store.audit_after(6, 3).await.unwrap()), [7]);
    assert!(store.audit_after(7, 3).await.unwrap().is_empty());
}

async fn audit_pages_filter_newest_first(store: Store, _: Db) {
    let plan: [(&str, &str, &str, &str, Option<&str>); 8] = [
        ("2026-01-01T09:00:00Z", "ann", "user.create", "users", Some("u-1")),
        ("2026-01-01T23:59:59Z", "ann", "user.create", "users", Some("u-2")),
        ("2026-01-02T00:00:00Z", "bob", "session.sign_in", "users", Some("u-2")),
        ("2026-01-02T12:00:00Z", "ann", "record.update", "accounts", Some("acme")),
        ("2026-01-03T08:00:00Z", "bob", "record.update", "accounts", Some("globex")),
        ("2026-01-03T09:00:00Z", "ann", "record.update", "accounts", Some("acme")),
        ("2026-01-04T00:00:00Z", "system", "demo.seed", "import", Some("demo")),
        ("2026-01-05T00:00:00Z", "bob", "token.create", "api_tokens", None),
    ];
    for (at, actor, action, entity, id) in plan {
        append(&store, at, actor, action, entity, id).await;
    }
    let page = |filter: AuditFilter, limit: i64, offset: i64| {
        let store = store.clone();
        async move {
            let (rows, total) = store.audit_page(&filter, limit, offset).await.unwrap();
            (rows.iter().map(|r| r.seq).collect::<Vec<_>>(), total)
        }
    };
    let all = AuditFilter::default();
    assert_eq!(page(all.clone(), 100, 0).await, (vec![8, 7, 6, 5, 4, 3, 2, 1], 8));
    assert_eq!(page(all.clone(), 3, 0).await, (vec![8, 7, 6], 8));
    assert_eq!(page(all.clone(), 3, 3).await, (vec![5, 4, 3], 8));
    assert_eq!(page(all.clone(), 3, 6).await, (vec![2, 1], 8));
    assert_eq!(page(all, 3, 9).await, (vec![], 8), "past the end: nothing, same total");

    let by_actor = AuditFilter { actor_login: Some("ann".into()), ..AuditFilter::default() };
    assert_eq!(page(by_actor.clone(), 100, 0).await, (vec![6, 4, 2, 1], 4));
    assert_eq!(page(by_actor, 2, 2).await, (vec![2, 1], 4));
    let by_action = AuditFilter { action: Some("record.update".into()), ..AuditFilter::default() };
    assert_eq!(page(by_action, 100, 0).await, (vec![6, 5, 4], 3));
    let by_entity = AuditFilter { entity: Some("users".into()), ..AuditFilter::default() };
    assert_eq!(page(by_entity, 100, 0).await, (vec![3, 2, 1], 3));
    let by_record = AuditFilter {
        entity: Some("accounts".into()),
        entity_id: Some("acme".into()),
        ..AuditFilter::default()
    };
    assert_eq!(page(by_record, 100, 0).await, (vec![6, 4], 2));
    let by_id_alone = AuditFilter { entity_id: Some("u-2".into()), ..AuditFilter::default() };
    assert_eq!(page(by_id_alone, 100, 0).await, (vec![3, 2], 2));

    // `from` is inclusive and may be a prefix of an instant; `to` is exclusive.
    let from = AuditFilter { from: Some("2026-01-02".into()), ..AuditFilter::default() };
    assert_eq!(page(from, 100, 0).await, (vec![8, 7, 6, 5, 4, 3], 6));
    let to = AuditFilter { to: Some("2026-01-02".into()), ..AuditFilter::default() };
    assert_eq!(page(to, 100, 0).await, (vec![2, 1], 2));
    let exact_bounds = AuditFilter {
        from: Some("2026-01-02T00:00:00Z".into()),
        to: Some("2026-01-04T00:00:00Z".into()),
        ..AuditFilter::default()
    };
    assert_eq!(page(exact_bounds, 100, 0).await, (vec![6, 5, 4, 3], 4));
    let combined = AuditFilter {
        actor_login: Some("bob".into()),
        action: Some("record.update".into()),
        from: Some("2026-01-03".into()),
        to: Some("2026-01-04".into()),
        ..AuditFilter::default()
    };
    assert_eq!(page(combined, 100, 0).await, (vec![5], 1));
    let nothing = AuditFilter { actor_login: Some("carol".into()), ..AuditFilter::default() };
    assert_eq!(page(nothing, 100, 0).await, (vec![], 0));

    // The rows come back whole.
    let (rows, _) = store.audit_page(&AuditFilter::default(), 1, 7).await.unwrap();
    assert_eq!(rows, [entry(1, GENESIS, "2026-01-01T09:00:00Z", "ann", "user.create", "users", Some("u-1"))]);
}

/// A missing key file is made while the audit log is empty; once an entry exists, some key
/// signed it, so a missing file is an error naming it (a new key would hide the loss), and
/// the database opens again once the file is back.
async fn a_lost_key_file_is_not_replaced_once_the_log_has_entries(_: Store, backend: Db) {
    let db = TestDb::new(backend).await.expect("the backend was reachable a moment ago");
    let dir = std::env::temp_dir().join(format!("attain-lost-key-{}-{backend:?}", std::process::id()));
    let key_file = dir.join("audit.key");
    let _ = std::fs::remove_dir_all(&dir);
    let open = || Store::open_with_key_file(&db.url, &key_file);

    let store = open().await.unwrap();
    let first = std::fs::read_to_string(&key_file).expect("a key is made for an empty log");
    store.close().await;
    std::fs::remove_file(&key_file).unwrap();
    let store = open().await.expect("still nothing signed: a new key is harmless");
    assert_ne!(std::fs::read_to_string(&key_file).unwrap(), first);
    append(&store, "2026-03-01T10:00:00Z", "admin", "user.create", "users", Some("u1")).await;
    store.close().await;

    let kept = std::fs::read_to_string(&key_file).unwrap();
    std::fs::remove_file(&key_file).unwrap();
    let refused = open().await.expect_err("a log with entries gets no new key").to_string();
    let shown = key_file.display();
    assert!(refused.starts_with(&format!("the audit key file {shown} does not exist")), "{refused}");
    for words in
        ["has 1 entry signed", "Put the key file back at", "ATTAIN_AUDIT_KEY_FILE", "ATTAIN_AUDIT_KEY to"]
    {
        assert!(refused.contains(words), "{words}: {refused}");
    }
    assert!(!key_file.exists(), "no key was made");

    std::fs::write(&key_file, &kept).unwrap();
    let store = open().await.expect("the key is back");
    assert_eq!(store.audit_key().bytes(), kept.trim().as_bytes());
    assert_eq!(store.audit_head().await.unwrap().0, 1);
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

on_both!(
    a_lost_key_file_is_not_replaced_once_the_log_has_entries,
    users_are_inserted_found_and_updated,
    a_login_is_unique,
    sessions_are_found_and_ended,
    a_session_needs_an_existing_user,
    tokens_are_found_revoked_and_touched,
    a_token_hash_is_unique,
    throttles_are_claimed_locked_and_cleared,
    claims_are_counted_atomically,
    appending_moves_the_head,
    a_sequence_number_is_written_once,
    audit_entries_page_in_order,
    audit_pages_filter_newest_first,
);
