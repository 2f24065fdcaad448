//! The bound docs/api.md gives on what one anonymous client address can make the server write:
//! failed sign-ins are audited by the lock, so an address writes at most 16 entries before its
//! own lock (20 checks: a first lock of a name after 5, then one per further failure on a
//! lock's end). Locks here last no time at all, so every "lock's end" comes at once and the
//! attacker gets the most entries the rules allow before the address's first lock, without a
//! test that waits. (After that lock, each lock it serves out allows one more check: one more
//! entry per lock, as the docs say.)

use attain_app::{App, AppError, Role, Settings};
use attain_store::Store;
use attain_testkit::Db;

use crate::on_both;
use crate::platform::{PASSWORD, add, app_with_org, audit_len};

const ATTACKER: &str = "198.51.100.23";
const ANOTHER: &str = "198.51.100.24";

/// Locks of no length, the default limits (5 per name from an address, 20 per address).
async fn app(store: Store) -> App {
    let settings = Settings { first_lockout_seconds: 0, ..Settings::default() };
    assert_eq!((settings.max_failures, settings.address_max_failures), (5, 20), "the documented limits");
    let app = app_with_org(store, settings).await;
    for login in ["ann", "bob", "carol"] {
        add(&app, login, Role::Finance, None).await;
    }
    app
}

/// Signs in with a wrong password from `address`, the `i`-th guess naming `names[i % len]`,
/// until the address locks; returns the audit entries written and the guesses checked.
async fn attack(app: &App, address: &str, names: &[&str]) -> (i64, usize) {
    let before = audit_len(app).await;
    let mut checked = 0;
    let subject = format!("address:{address}");
    for i in 0.. {
        match app.sign_in(names[i % names.len()], "a guess", Some(address.into())).await {
            Err(AppError::Unauthenticated) => checked += 1,
            other => panic!("guess {i}: {other:?}"),
        }
        let row = app.store().throttle(&subject).await.unwrap().expect("the address is counted");
        if row.lockouts > 0 {
            break;
        }
        assert!(checked < 20, "the address did not lock after 20 failures");
    }
    (audit_len(app).await - before, checked)
}

on_both!(one_name_guessed_to_the_address_limit_writes_sixteen_entries);

async fn one_name_guessed_to_the_address_limit_writes_sixteen_entries(store: Store, _: Db) {
    let app = app(store).await;
    assert_eq!(attack(&app, ATTACKER, &["ann"]).await, (16, 20));
    // The owner, elsewhere, still signs in.
    app.sign_in("ann", PASSWORD, Some("203.0.113.5".into())).await.unwrap();
}

on_both!(spreading_guesses_over_names_writes_fewer);

async fn spreading_guesses_over_names_writes_fewer(store: Store, _: Db) {
    // Three names in turn: each locks after 5 of its own failures, then on every failure.
    let app = app(store).await;
    let (entries, checked) = attack(&app, ATTACKER, &["ann", "bob", "carol"]).await;
    assert_eq!(checked, 20);
    assert!(entries < 16, "{entries} entries");
    // Names that do not exist count the same, and a new name each time locks no name at all:
    // the one entry is the address's lock.
    let names: Vec<String> = (0..20).map(|i| format!("ghost{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(attack(&app, ANOTHER, &names).await, (1, 20));
}
