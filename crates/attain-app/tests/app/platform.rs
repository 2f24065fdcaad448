//! Users, sessions and API tokens: who may add and change users, signing in and out with
//! throttling, tokens shown once and stored as digests, and the demo's one user per role.

use attain_app::access::secret::digest;
use attain_app::access::sessions::SignedIn;
use attain_app::access::users::{NewUser, UserInfo};
use attain_app::seed::{seed_demo, seed_demo_users};
use attain_app::{Actor, App, AppError, NoProgress, Role, Settings, Via};
use attain_core::Kind;
use attain_core::domain::{holder_of, position_of, position_on};
use attain_store::Store;
use attain_testkit::Db;
use jiff::civil::date;

use crate::on_both;
use crate::scope::{Move, as_person, org, seen};

/// A password that passes the strength rule.
pub(crate) const PASSWORD: &str = "correct horse battery";

/// `Err(pattern)` or a panic naming what came instead.
macro_rules! assert_err {
    ($result:expr, $pattern:pat $(if $guard:expr)?) => {
        match $result {
            Err($pattern) $(if $guard)? => {}
            Err(other) => panic!("expected {}, got the error {other:?}", stringify!($pattern)),
            Ok(value) => panic!("expected {}, got Ok({value:?})", stringify!($pattern)),
        }
    };
}
pub(crate) use assert_err;

/// The app over `store` holding the scope tests' company (so users can be its people).
pub(crate) async fn app_with_org(store: Store, settings: Settings) -> App {
    store.save_dataset(&org(Move::NewPosition)).await.unwrap();
    App::new(store, settings).await.unwrap()
}

pub(crate) fn new_user(login: &str, role: Role, person: Option<&str>) -> NewUser {
    NewUser {
        login: login.into(),
        display_name: format!("User {login}"),
        role,
        person_id: person.map(str::to_string),
        password: PASSWORD.into(),
    }
}

/// Adds a user as Attain itself (an admin).
pub(crate) async fn add(app: &App, login: &str, role: Role, person: Option<&str>) -> UserInfo {
    app.add_user(&Actor::system(), new_user(login, role, person)).await.unwrap()
}

pub(crate) async fn sign_in(app: &App, login: &str) -> SignedIn {
    app.sign_in(login, PASSWORD, None).await.unwrap_or_else(|e| panic!("{login} cannot sign in: {e}"))
}

/// How many audit entries exist.
pub(crate) async fn audit_len(app: &App) -> i64 {
    app.store().audit_head().await.unwrap().0
}

/// Whether `cookie` names a live session.
async fn live(app: &App, cookie: &str) -> bool {
    app.session(cookie, None).await.unwrap().is_some()
}

// ---- users -----------------------------------------------------------------------------

async fn only_admins_manage_users(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    add(&app, "root", Role::Admin, None).await;
    let entries = audit_len(&app).await;
    for role in Role::ALL.into_iter().filter(|r| *r != Role::Admin) {
        let actor = as_person(role, role.needs_person().then_some("alice"));
        assert_err!(app.add_user(&actor, new_user("ann", Role::Finance, None)).await, AppError::Forbidden);
        assert_err!(app.users(&actor).await, AppError::Forbidden);
        assert_err!(app.user(&actor, "root").await, AppError::Forbidden);
        assert_err!(app.set_disabled(&actor, "root", true).await, AppError::Forbidden);
        assert_err!(app.reset_password(&actor, "root", "a brand new password").await, AppError::Forbidden);
        // The same answer for a name that does not exist: no probing for login names.
        assert_err!(app.reset_password(&actor, "nobody", "a brand new password").await, AppError::Forbidden);
        assert_err!(app.user(&actor, "nobody").await, AppError::Forbidden);
    }
    assert_eq!(app.store().user_count().await.unwrap(), 1);
    assert_eq!(audit_len(&app).await, entries, "refusals change nothing");
    assert!(sign_in(&app, "root").await.actor.role == Role::Admin, "root's password is unchanged");

    // A signed-in admin may.
    let root = sign_in(&app, "root").await.actor;
    let ann = app.add_user(&root, new_user("ann", Role::CompAdmin, None)).await.unwrap();
    assert_eq!(ann.role, Role::CompAdmin);
    let listed: Vec<String> = app.users(&root).await.unwrap().into_iter().map(|u| u.login).collect();
    assert_eq!(listed, ["ann", "root"]);
}

async fn logins_are_normalised_and_unique(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let ann = add(&app, "  Ann.Lee@Example.COM ", Role::Finance, None).await;
    assert_eq!(ann.login, "ann.lee@example.com");
    assert_eq!(ann.display_name, "User   Ann.Lee@Example.COM");
    assert!(!ann.disabled);
    assert_eq!(app.user(&Actor::system(), " ANN.LEE@example.com").await.unwrap(), ann);
    assert_eq!(sign_in(&app, "Ann.Lee@EXAMPLE.com ").await.actor.login, "ann.lee@example.com");

    assert_err!(
        app.add_user(&Actor::system(), new_user("ANN.LEE@example.com", Role::Admin, None)).await,
        AppError::Conflict(message) if message.contains("ann.lee@example.com")
    );
    for bad in ["", "   ", "ann lee", "ann/../x", "änn"] {
        assert_err!(
            app.add_user(&Actor::system(), new_user(bad, Role::Admin, None)).await,
            AppError::Invalid { field, .. } if field.as_deref() == Some("login")
        );
    }
    assert_eq!(app.store().user_count().await.unwrap(), 1);
}

async fn a_new_user_needs_a_strong_password_and_a_name(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let weak = NewUser { password: "short pass!".into(), ..new_user("ann", Role::Admin, None) };
    assert_err!(
        app.add_user(&Actor::system(), weak).await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("password")
    );
    let nameless = NewUser { display_name: "  ".into(), ..new_user("ann", Role::Admin, None) };
    assert_err!(
        app.add_user(&Actor::system(), nameless).await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("display_name")
    );
    assert_eq!(app.store().user_count().await.unwrap(), 0);
    assert_eq!(audit_len(&app).await, 0);
    // Exactly the minimum length is enough.
    let twelve = NewUser { password: "twelve chars".into(), ..new_user("ann", Role::Admin, None) };
    app.add_user(&Actor::system(), twelve).await.unwrap();
    app.sign_in("ann", "twelve chars", None).await.unwrap();
}

async fn managers_and_reps_are_people(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let system = Actor::system();
    for role in [Role::Manager, Role::Rep] {
        for person in [None, Some(""), Some("   ")] {
            assert_err!(
                app.add_user(&system, new_user("ann", role, person)).await,
                AppError::Invalid { field, .. } if field.as_deref() == Some("person_id")
            );
        }
        assert_err!(
            app.add_user(&system, new_user("ann", role, Some("no-such-person"))).await,
            AppError::Invalid { field, message } if field.as_deref() == Some("person_id")
                && message.contains("no-such-person")
        );
    }
    // Any role linked to a person must name a real one.
    assert_err!(
        app.add_user(&system, new_user("ann", Role::Executive, Some("ghost"))).await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("person_id")
    );
    assert_eq!(app.store().user_count().await.unwrap(), 0);

    let manager = add(&app, "alice", Role::Manager, Some(" alice ")).await;
    assert_eq!(manager.person_id.as_deref(), Some("alice"));
    let rep = add(&app, "raj", Role::Rep, Some("raj")).await;
    assert_eq!(rep.person_id.as_deref(), Some("raj"));
    let finance = add(&app, "fin", Role::Finance, None).await;
    assert_eq!(finance.person_id, None);
    let signed = sign_in(&app, "raj").await.actor;
    assert_eq!((signed.role, signed.person_id.as_deref()), (Role::Rep, Some("raj")));
}

async fn disabling_ends_sessions_and_blocks_sign_in(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    add(&app, "root", Role::Admin, None).await;
    add(&app, "ann", Role::Rep, Some("raj")).await;
    let root = sign_in(&app, "root").await;
    let ann = sign_in(&app, "ann").await;
    assert!(live(&app, &ann.cookie).await);

    let disabled = app.set_disabled(&root.actor, "ann", true).await.unwrap();
    assert!(disabled.disabled);
    assert!(!live(&app, &ann.cookie).await, "the session ended");
    assert_eq!(app.store().session(&digest(&ann.cookie)).await.unwrap(), None, "and is gone from the store");
    assert_err!(app.sign_in("ann", PASSWORD, None).await, AppError::Unauthenticated);
    assert!(live(&app, &root.cookie).await, "other users' sessions are untouched");

    // Disabling twice is harmless and records nothing new.
    let entries = audit_len(&app).await;
    assert!(app.set_disabled(&root.actor, "ann", true).await.unwrap().disabled);
    assert_eq!(audit_len(&app).await, entries);

    let enabled = app.set_disabled(&root.actor, "ANN", false).await.unwrap();
    assert!(!enabled.disabled);
    assert!(!live(&app, &ann.cookie).await, "re-enabling does not revive old sessions");
    let again = sign_in(&app, "ann").await;
    assert!(live(&app, &again.cookie).await);

    assert_err!(app.set_disabled(&root.actor, "nobody", true).await, AppError::NotFound);
}

async fn you_cannot_disable_yourself(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    add(&app, "root", Role::Admin, None).await;
    let root = sign_in(&app, "root").await;
    assert_err!(
        app.set_disabled(&root.actor, "root", true).await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("login")
    );
    assert!(live(&app, &root.cookie).await);
    assert!(!app.user(&root.actor, "root").await.unwrap().disabled);
    // The command line is nobody's account, so it may disable any user.
    assert!(app.set_disabled(&Actor::cli(), "root", true).await.unwrap().disabled);
}

async fn resetting_a_password_ends_sessions_and_tokens(store: Store, _: Db) {
    let settings = Settings { max_failures: 3, ..Settings::default() };
    let app = app_with_org(store, settings).await;
    add(&app, "root", Role::Admin, None).await;
    add(&app, "ann", Role::Rep, Some("raj")).await;
    add(&app, "bob", Role::Rep, Some("sam")).await;
    let root = sign_in(&app, "root").await.actor;
    let first = sign_in(&app, "ann").await;
    let second = sign_in(&app, "ann").await;
    let bob = sign_in(&app, "bob").await;
    let script = app.create_token(&first.actor, "nightly").await.unwrap();
    let bobs_script = app.create_token(&bob.actor, "nightly").await.unwrap();

    assert_err!(
        app.reset_password(&root, "ann", "too short").await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("password")
    );
    assert!(live(&app, &first.cookie).await, "a refused reset changes nothing");

    // Locked out by failures, then the reset: the reset also lifts the name's locks.
    for _ in 0..3 {
        assert_err!(app.sign_in("ann", "wrong password!", None).await, AppError::Unauthenticated);
    }
    assert_err!(app.sign_in("ann", PASSWORD, None).await, AppError::Throttled { .. });
    app.reset_password(&root, "ann", "a brand new password").await.unwrap();
    assert!(!live(&app, &first.cookie).await);
    assert!(!live(&app, &second.cookie).await);
    assert_eq!(app.token_actor(&script.secret, None).await.unwrap(), None, "a reset revokes the tokens");
    assert!(live(&app, &bob.cookie).await, "only ann's sessions end");
    assert!(app.token_actor(&bobs_script.secret, None).await.unwrap().is_some(), "and only her tokens");
    assert_eq!(app.store().throttle(&pair("local", "ann")).await.unwrap(), None);
    assert_eq!(app.store().throttle("login:ann").await.unwrap(), None);
    assert_err!(app.sign_in("ann", PASSWORD, None).await, AppError::Unauthenticated);
    let ann = app.sign_in("ann", "a brand new password", None).await.unwrap();

    // Your own password: only with the current one (not through a reset, even for admins).
    assert_err!(
        app.reset_password(&ann.actor, "ann", "my own new password").await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("current_password")
    );
    assert_err!(
        app.reset_password(&root, "ROOT", "my own new password").await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("current_password")
    );
    assert_err!(
        app.change_password(&ann.actor, "", "my own new password").await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("current_password")
    );
    assert_err!(
        app.change_password(&ann.actor, "a wrong guess", "my own new password").await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("current_password")
    );
    assert!(live(&app, &ann.cookie).await, "a refused change changes nothing");
    let token = app.create_token(&ann.actor, "laptop").await.unwrap();
    app.change_password(&ann.actor, "a brand new password", "my own new password").await.unwrap();
    assert!(!live(&app, &ann.cookie).await, "a change signs you out everywhere");
    assert_eq!(app.token_actor(&token.secret, None).await.unwrap(), None, "and revokes your tokens");
    let ann = app.sign_in("ann", "my own new password", None).await.unwrap();
    // Guessing the current password from a session meets the sign-in throttle.
    for _ in 0..3 {
        assert_err!(
            app.change_password(&ann.actor, "a guess!", "a takeover password").await,
            AppError::Invalid { .. }
        );
    }
    assert_err!(
        app.change_password(&ann.actor, "my own new password", "a takeover password").await,
        AppError::Throttled { .. }
    );
    assert_err!(app.reset_password(&bob.actor, "ann", "bob was here, twice").await, AppError::Forbidden);
    app.sign_in("ann", "my own new password", Some("10.1.1.1".into())).await.unwrap();
    assert_err!(app.reset_password(&root, "nobody", "a brand new password").await, AppError::NotFound);
}

async fn the_first_admin_is_created_once(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    assert!(!app.has_users().await.unwrap());
    // Whatever role is asked for, the first user is an admin.
    let first = app.create_first_admin(new_user("Root", Role::Rep, None)).await.unwrap();
    assert_eq!((first.login.as_str(), first.role), ("root", Role::Admin));
    assert!(app.has_users().await.unwrap());
    assert_eq!(sign_in(&app, "root").await.actor.role, Role::Admin);

    assert_err!(app.create_first_admin(new_user("second", Role::Admin, None)).await, AppError::Conflict(_));
    assert_eq!(app.store().user_count().await.unwrap(), 1);
    assert_eq!(app.store().user_by_login("second").await.unwrap(), None);
}

async fn the_first_admin_follows_the_rules_for_users(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let weak = NewUser { password: "short".into(), ..new_user("root", Role::Admin, None) };
    assert_err!(app.create_first_admin(weak).await, AppError::Invalid { .. });
    assert!(!app.has_users().await.unwrap(), "a refused first admin leaves setup open");
    app.create_first_admin(new_user("root", Role::Admin, None)).await.unwrap();
}

// ---- sessions --------------------------------------------------------------------------

async fn signing_in_gives_a_session(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let info = add(&app, "ann", Role::Manager, Some("alice")).await;
    let before = jiff::Timestamp::now();
    let signed = app.sign_in(" ANN ", PASSWORD, Some("10.0.0.1".into())).await.unwrap();
    assert_eq!(signed.actor.user_id.as_deref(), Some(info.id.as_str()));
    assert_eq!(
        (signed.actor.login.as_str(), signed.actor.role, signed.actor.person_id.as_deref()),
        ("ann", Role::Manager, Some("alice"))
    );
    assert_eq!(signed.actor.via, Via::Session);
    assert_eq!(signed.actor.ip.as_deref(), Some("10.0.0.1"));
    assert_ne!(signed.cookie, signed.csrf);
    let hours = signed.expires_at.duration_since(before).as_hours();
    assert!((11..=12).contains(&hours), "a session lasts session_hours: {hours}");

    let session =
        app.session(&signed.cookie, Some("10.0.0.2".into())).await.unwrap().expect("a live session");
    assert_eq!(session.csrf, signed.csrf);
    assert_eq!(session.actor, Actor { ip: Some("10.0.0.2".into()), ..signed.actor.clone() });

    // The store knows the session only by the cookie's digest.
    assert_eq!(app.store().session(&signed.cookie).await.unwrap(), None);
    let row = app.store().session(&digest(&signed.cookie)).await.unwrap().unwrap();
    assert_eq!(row.user_id, info.id);

    let other = sign_in(&app, "ann").await;
    assert_ne!(other.cookie, signed.cookie, "every sign-in is a new session");
    for bogus in ["", "not-a-session", "x".repeat(500).as_str(), signed.csrf.as_str()] {
        assert!(app.session(bogus, None).await.unwrap().is_none(), "{bogus:.20}");
    }
}

async fn wrong_passwords_and_unknown_logins_fail_alike(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    add(&app, "ann", Role::Finance, None).await;
    let wrong = app.sign_in("ann", "not her password", None).await;
    let unknown = app.sign_in("nobody", PASSWORD, None).await;
    let (wrong, unknown) = (wrong.unwrap_err(), unknown.unwrap_err());
    assert!(matches!(wrong, AppError::Unauthenticated), "{wrong:?}");
    assert!(matches!(unknown, AppError::Unauthenticated), "{unknown:?}");
    assert_eq!(wrong.to_string(), unknown.to_string(), "the two failures read the same");
    assert_err!(app.sign_in("", PASSWORD, None).await, AppError::Unauthenticated);
    assert_err!(app.sign_in("ann", "", None).await, AppError::Unauthenticated);
    assert_err!(app.sign_in(&"a".repeat(300), PASSWORD, None).await, AppError::Unauthenticated);
    sign_in(&app, "ann").await;
}

/// The throttle subjects of `login` tried from `ip` (the app's naming, docs/api.md).
fn pair(ip: &str, login: &str) -> String {
    format!("pair:{ip} {login}")
}

async fn repeated_failures_lock_the_login(store: Store, _: Db) {
    let settings = Settings { max_failures: 3, ..Settings::default() };
    let app = app_with_org(store, settings.clone()).await;
    add(&app, "ann", Role::Finance, None).await;
    add(&app, "bob", Role::Finance, None).await;
    let ip = || Some("10.0.0.1".to_string());

    // A success before the limit starts the count afresh.
    for _ in 0..2 {
        assert_err!(app.sign_in("ann", "wrong password", ip()).await, AppError::Unauthenticated);
    }
    app.sign_in("ann", PASSWORD, ip()).await.unwrap();
    assert_eq!(app.store().throttle(&pair("10.0.0.1", "ann")).await.unwrap(), None);
    for _ in 0..2 {
        assert_err!(app.sign_in("ann", "wrong password", ip()).await, AppError::Unauthenticated);
    }
    let counted = app.store().throttle(&pair("10.0.0.1", "ann")).await.unwrap().unwrap();
    assert_eq!((counted.attempts, counted.locked_until), (2, None));

    // The third failure in a row still says "wrong", and locks the name from this address
    // for the first lock's length.
    assert_err!(app.sign_in("ANN", "wrong password", ip()).await, AppError::Unauthenticated);
    let locked = app.store().throttle(&pair("10.0.0.1", "ann")).await.unwrap().unwrap();
    assert_eq!((locked.attempts, locked.lockouts), (2, 1), "one more check is left for after the lock");
    assert!(locked.locked_until.is_some());
    let first = u64::try_from(settings.first_lockout_seconds).unwrap();
    assert_err!(
        app.sign_in("ann", PASSWORD, ip()).await,
        AppError::Throttled { retry_after_secs } if (1..=first).contains(&retry_after_secs)
    );
    assert_err!(app.sign_in("ann", "wrong password", ip()).await, AppError::Throttled { .. });
    // Other names are not affected, nor the name from elsewhere.
    app.sign_in("bob", PASSWORD, ip()).await.unwrap();
    app.sign_in("ann", PASSWORD, Some("10.0.0.2".into())).await.unwrap();

    // Names that do not exist lock the same way, so probing cannot tell them apart.
    for _ in 0..3 {
        assert_err!(app.sign_in("ghost", PASSWORD, ip()).await, AppError::Unauthenticated);
    }
    assert_err!(app.sign_in("ghost", PASSWORD, ip()).await, AppError::Throttled { .. });
}

/// Signs in `n` times at once with `password`; returns how many answers were (wrong, signed
/// in, throttled). Only the first two had their password checked.
async fn race(app: &App, login: &str, n: usize, password: &str) -> (usize, usize, usize) {
    let mut tries = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (app, login, password) = (app.clone(), login.to_string(), password.to_string());
        tries.spawn(async move { app.sign_in(&login, &password, Some("10.0.0.9".into())).await });
    }
    let (mut wrong, mut signed, mut throttled) = (0, 0, 0);
    for outcome in tries.join_all().await {
        match outcome {
            Err(AppError::Unauthenticated) => wrong += 1,
            Ok(_) => signed += 1,
            Err(AppError::Throttled { .. }) => throttled += 1,
            Err(e) => panic!("{e:?}"),
        }
    }
    (wrong, signed, throttled)
}

async fn parallel_guesses_cannot_outrun_the_limit(store: Store, _: Db) {
    // Every check is claimed before it runs: of 30 guesses sent at once, exactly the limit
    // are checked, whatever order they finish in; the rest are refused unchecked.
    let app = app_with_org(store, Settings::default()).await;
    add(&app, "ann", Role::Finance, None).await;
    assert_eq!(race(&app, "ann", 30, "a wrong guess").await, (5, 0, 25));
    // Locked now: 30 tries with the right password all wait; none is checked, none signs in.
    assert_eq!(race(&app, "ann", 30, PASSWORD).await, (0, 0, 30));
    let row = app.store().throttle(&pair("10.0.0.9", "ann")).await.unwrap().unwrap();
    assert_eq!((row.attempts, row.lockouts), (4, 1), "refused tries are not counted");
}

async fn an_attackers_failures_do_not_lock_the_owner_out(store: Store, _: Db) {
    let settings = Settings { max_failures: 3, address_max_failures: 5, ..Settings::default() };
    let app = app_with_org(store, settings).await;
    for login in ["ann", "bob", "carol"] {
        add(&app, login, Role::Finance, None).await;
    }
    let attacker = || Some("198.51.100.66".to_string());
    for _ in 0..3 {
        assert_err!(app.sign_in("ann", "a guess", attacker()).await, AppError::Unauthenticated);
    }
    assert_err!(app.sign_in("ann", PASSWORD, attacker()).await, AppError::Throttled { .. });
    // The owner, elsewhere, is not locked out by the attacker's failures.
    app.sign_in("ann", PASSWORD, Some("203.0.113.5".into())).await.unwrap();
    // Spraying other names from the same address meets the address's own limit: after five
    // failures in all, every name is refused there without a check, and only there.
    for _ in 0..2 {
        assert_err!(app.sign_in("bob", "a guess", attacker()).await, AppError::Unauthenticated);
    }
    assert_err!(app.sign_in("carol", PASSWORD, attacker()).await, AppError::Throttled { .. });
    app.sign_in("carol", PASSWORD, Some("203.0.113.6".into())).await.unwrap();
    // IPv6 clients are counted by their /64: another address in it is the same client.
    for _ in 0..3 {
        assert_err!(
            app.sign_in("bob", "a guess", Some("2001:db8:0:1::a".into())).await,
            AppError::Unauthenticated
        );
    }
    assert_err!(
        app.sign_in("bob", PASSWORD, Some("2001:db8:0:1::b".into())).await,
        AppError::Throttled { .. }
    );
    app.sign_in("bob", PASSWORD, Some("2001:db8:0:2::b".into())).await.unwrap();
}

async fn failed_sign_ins_write_a_bounded_number_of_entries(store: Store, _: Db) {
    // Failures are audited by the lock, with its count, not one entry per guess: from one
    // address, at most address_max_failures / max_failures = 4 entries before the address
    // locks, and nothing more while it is locked, whatever names are tried.
    let app = app_with_org(store, Settings::default()).await;
    add(&app, "ann", Role::Finance, None).await;
    let before = audit_len(&app).await;
    let ip = || Some("198.51.100.7".to_string());
    for _ in 0..40 {
        assert!(app.sign_in("ann", "a guess", ip()).await.is_err());
    }
    assert_eq!(audit_len(&app).await, before + 1, "one entry for the lock of 40 failures");
    let entries = app.store().audit_page(&Default::default(), 10, 0).await.unwrap().0;
    let lock = &entries[0];
    assert_eq!(
        (lock.action.as_str(), lock.actor_login.as_str(), lock.ip.as_deref()),
        ("session.sign_in_locked", "ann", ip().as_deref())
    );
    let after: serde_json::Value = serde_json::from_str(lock.after_json.as_deref().unwrap()).unwrap();
    assert_eq!(after["locked"][0]["subject"], "login_from_address");
    assert_eq!(after["locked"][0]["failures"], 5);
    assert_eq!(after["locked"][0]["locked_seconds"], 60);
    for i in 0..200 {
        assert!(app.sign_in(&format!("name{}", i / 5), "a guess", ip()).await.is_err());
    }
    assert_eq!(audit_len(&app).await, before + 4, "three more name locks, the last one with the address's");
    // The rows an anonymous client can make: its address, and a name and a pair per name
    // it had checked (the address is claimed first, so a locked address adds none).
    assert_eq!(app.store().throttle_count().await.unwrap(), 1 + 2 * 4);
}

async fn a_lock_ends(store: Store, _: Db) {
    // A zero-minute lock has ended by the time anyone tries again.
    let settings = Settings { max_failures: 2, lockout_minutes: 0, ..Settings::default() };
    let app = app_with_org(store, settings).await;
    add(&app, "ann", Role::Finance, None).await;
    for _ in 0..2 {
        assert_err!(app.sign_in("ann", "wrong password", None).await, AppError::Unauthenticated);
    }
    assert!(app.store().throttle(&pair("local", "ann")).await.unwrap().unwrap().locked_until.is_some());
    sign_in(&app, "ann").await;
    assert_eq!(
        app.store().throttle(&pair("local", "ann")).await.unwrap(),
        None,
        "a success clears the count"
    );
}

async fn an_expired_session_is_no_session(store: Store, _: Db) {
    let settings = Settings { session_hours: 0, ..Settings::default() };
    let app = app_with_org(store, settings).await;
    add(&app, "ann", Role::Finance, None).await;
    let signed = sign_in(&app, "ann").await;
    assert!(app.session(&signed.cookie, None).await.unwrap().is_none());
    assert!(app.store().session(&digest(&signed.cookie)).await.unwrap().is_some(), "still stored");
    assert_eq!(app.purge_expired().await.unwrap(), 1);
    assert_eq!(app.store().session(&digest(&signed.cookie)).await.unwrap(), None);
}

async fn purging_keeps_live_sessions(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    add(&app, "ann", Role::Finance, None).await;
    let signed = sign_in(&app, "ann").await;
    let throttled = app.store().throttle_count().await.unwrap();
    assert_eq!(app.purge_expired().await.unwrap(), 0);
    assert!(live(&app, &signed.cookie).await);
    assert_eq!(app.store().throttle_count().await.unwrap(), throttled);
}

async fn purging_forgets_stale_failures_but_keeps_locks_and_fresh_counts(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let store = app.store();
    // A name tried long ago, a name locked until far ahead, and a name tried just now.
    store.claim_attempt("login:old", "2020-01-01T00:00:00Z", "2019-01-01T00:00:00Z", 5).await.unwrap();
    store.claim_attempt("login:locked", "2020-01-01T00:00:00Z", "2019-01-01T00:00:00Z", 1).await.unwrap();
    assert!(store.lock_subject("login:locked", 1, 0, "2999-01-01T00:00:00Z").await.unwrap());
    assert!(app.sign_in("fresh", "wrong password!", None).await.is_err());
    let fresh = store.throttle_count().await.unwrap() - 2;
    assert_eq!(app.purge_expired().await.unwrap(), 1);
    assert_eq!(store.throttle("login:old").await.unwrap(), None);
    assert!(store.throttle("login:locked").await.unwrap().is_some(), "a lock in force stays");
    assert!(store.throttle("login:fresh").await.unwrap().is_some(), "a count in its window stays");
    assert_eq!(store.throttle_count().await.unwrap(), fresh + 1);
}

async fn signing_out_ends_the_session(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    add(&app, "ann", Role::Finance, None).await;
    let laptop = sign_in(&app, "ann").await;
    let phone = sign_in(&app, "ann").await;
    let entries = audit_len(&app).await;
    app.sign_out(&laptop.actor, &laptop.cookie).await.unwrap();
    assert!(!live(&app, &laptop.cookie).await);
    assert!(live(&app, &phone.cookie).await, "only that session ends");
    assert_eq!(audit_len(&app).await, entries + 1);
    // Signing out of a session that is gone is harmless and records nothing.
    app.sign_out(&laptop.actor, &laptop.cookie).await.unwrap();
    assert_eq!(audit_len(&app).await, entries + 1);
}

// ---- API tokens ------------------------------------------------------------------------

async fn tokens_are_shown_once_and_stored_as_digests(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let info = add(&app, "ann", Role::Manager, Some("alice")).await;
    let ann = sign_in(&app, "ann").await.actor;
    let made = app.create_token(&ann, "  nightly export ").await.unwrap();
    assert!(made.secret.starts_with("atn_"), "{}", made.secret);
    assert!(made.secret.len() > 40);
    assert_eq!(made.token.name, "nightly export");
    assert!(made.secret.starts_with(&made.token.prefix) && made.token.prefix.len() < made.secret.len());
    assert_eq!((made.token.last_used_at.as_deref(), made.token.revoked_at.as_deref()), (None, None));

    let row = app.store().token_by_id(&made.token.id).await.unwrap().unwrap();
    assert_ne!(row.token_hash, made.secret);
    assert_eq!(row.token_hash, digest(&made.secret));
    for stored in [&row.id, &row.name, &row.prefix, &row.token_hash, &row.user_id] {
        assert!(!stored.contains(&made.secret), "the secret is stored in the clear");
    }
    assert_eq!(row.user_id, info.id);
    assert_eq!(app.tokens(&ann).await.unwrap(), std::slice::from_ref(&made.token));

    let actor = app.token_actor(&made.secret, Some("10.1.1.1".into())).await.unwrap().expect("a live token");
    assert_eq!(actor.user_id.as_deref(), Some(info.id.as_str()));
    assert_eq!((actor.role, actor.person_id.as_deref()), (Role::Manager, Some("alice")));
    assert_eq!(actor.via, Via::Token(made.token.id.clone()));
    assert_eq!(actor.ip.as_deref(), Some("10.1.1.1"));
    assert!(app.store().token_by_id(&made.token.id).await.unwrap().unwrap().last_used_at.is_some());

    // A token acts with its creator's scope.
    let snapshot = app.snapshot();
    assert_eq!(seen(&snapshot, &actor, Kind::People), seen(&snapshot, &ann, Kind::People));

    for bogus in ["", "atn_", "atn_not-a-real-token-at-all", &made.secret[4..], row.token_hash.as_str()] {
        assert!(app.token_actor(bogus, None).await.unwrap().is_none(), "{bogus}");
    }
    assert_err!(
        app.create_token(&ann, "   ").await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("name")
    );
    assert_err!(app.create_token(&Actor::cli(), "from the shell").await, AppError::Forbidden);
    assert_err!(app.tokens(&Actor::cli()).await, AppError::Forbidden);
}

async fn revoked_tokens_stop_working(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    add(&app, "ann", Role::Finance, None).await;
    let ann = sign_in(&app, "ann").await.actor;
    let kept = app.create_token(&ann, "kept").await.unwrap();
    let made = app.create_token(&ann, "ci").await.unwrap();
    assert!(app.token_actor(&made.secret, None).await.unwrap().is_some());

    let revoked = app.revoke_token(&ann, &made.token.id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(app.token_actor(&made.secret, None).await.unwrap().is_none());
    assert!(app.token_actor(&kept.secret, None).await.unwrap().is_some(), "only that token");

    let entries = audit_len(&app).await;
    let again = app.revoke_token(&ann, &made.token.id).await.unwrap();
    assert_eq!(again.revoked_at, revoked.revoked_at, "the first revocation stands");
    assert_eq!(audit_len(&app).await, entries, "revoking twice records once");
    assert_err!(app.revoke_token(&ann, "no-such-token").await, AppError::NotFound);
    let listed = app.tokens(&ann).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|t| t.id == made.token.id && t.revoked_at == revoked.revoked_at));
}

async fn a_disabled_users_tokens_stop_working(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    add(&app, "ann", Role::Finance, None).await;
    let ann = sign_in(&app, "ann").await.actor;
    let made = app.create_token(&ann, "ci").await.unwrap();
    app.set_disabled(&Actor::system(), "ann", true).await.unwrap();
    assert!(app.token_actor(&made.secret, None).await.unwrap().is_none());
    app.set_disabled(&Actor::system(), "ann", false).await.unwrap();
    assert!(app.token_actor(&made.secret, None).await.unwrap().is_some(), "the token was not revoked");
}

async fn other_users_tokens_are_not_found(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    add(&app, "root", Role::Admin, None).await;
    add(&app, "ann", Role::Finance, None).await;
    add(&app, "bob", Role::CompAdmin, None).await;
    let ann = sign_in(&app, "ann").await.actor;
    let bob = sign_in(&app, "bob").await.actor;
    let made = app.create_token(&ann, "ci").await.unwrap();

    assert_err!(app.revoke_token(&bob, &made.token.id).await, AppError::NotFound);
    assert!(app.tokens(&bob).await.unwrap().is_empty(), "bob lists only his own");
    assert!(app.token_actor(&made.secret, None).await.unwrap().is_some());

    let root = sign_in(&app, "root").await.actor;
    assert!(app.revoke_token(&root, &made.token.id).await.unwrap().revoked_at.is_some());
    assert!(app.token_actor(&made.secret, None).await.unwrap().is_none());
}

// ---- demo users ------------------------------------------------------------------------

async fn the_demo_has_one_user_per_role(store: Store, _: Db) {
    let as_of = date(2018, 1, 15);
    seed_demo(&store, &attain_demo::DemoConfig::new(as_of), &NoProgress).await.unwrap();
    let app = App::new(store, Settings::default()).await.unwrap();
    let logins = seed_demo_users(&app, as_of).await.unwrap();

    let roles: Vec<Role> = logins.iter().map(|l| l.role).collect();
    assert_eq!(roles, Role::ALL);
    let names: Vec<&str> = logins.iter().map(|l| l.login.as_str()).collect();
    assert_eq!(names, ["admin", "compadmin", "finance", "manager", "rep", "exec"]);
    for login in &logins {
        assert_eq!(login.password.len(), 20, "{}", login.login);
        assert_eq!(login.person_id.is_some(), login.person.is_some(), "{}", login.login);
        let user = app.user(&Actor::system(), &login.login).await.unwrap();
        assert_eq!((user.role, &user.person_id), (login.role, &login.person_id));
    }
    let mut passwords: Vec<&str> = logins.iter().map(|l| l.password.as_str()).collect();
    passwords.sort_unstable();
    passwords.dedup();
    assert_eq!(passwords.len(), 6, "every demo user has their own password");

    let snapshot = app.snapshot();
    let data = &snapshot.data;
    let person = |role: Role| logins.iter().find(|l| l.role == role).unwrap().person_id.clone();
    for role in [Role::Admin, Role::CompAdmin, Role::Finance] {
        assert_eq!(person(role), None, "{role}");
    }
    let manager = person(Role::Manager).expect("the manager is a person");
    let rep = person(Role::Rep).expect("the rep is a person");
    let exec = person(Role::Executive).expect("the executive is a person");
    for p in [&manager, &rep, &exec] {
        assert!(!snapshot.find(Kind::People, p).is_empty(), "{p} exists");
    }
    // The rep reports to the manager on the demo's today, and the executive heads the org.
    let rep_position = position_of(&data.assignments, &rep, as_of).expect("the rep holds a position");
    let manager_position = position_of(&data.assignments, &manager, as_of).expect("so does the manager");
    let reports_to = position_on(&data.positions, rep_position, as_of).and_then(|p| p.reports_to.as_deref());
    assert_eq!(reports_to, Some(manager_position));
    let top = data.positions.iter().find(|p| p.reports_to.is_none() && p.validity.contains(as_of)).unwrap();
    assert_eq!(holder_of(&data.assignments, &top.id, as_of), Some(exec.as_str()));

    // Each signs in with the password shown, with the scope of their role.
    for login in &logins {
        let signed = app.sign_in(&login.login, &login.password, None).await.unwrap();
        assert_eq!(signed.actor.role, login.role);
    }
    let manager_actor = as_person(Role::Manager, Some(manager.as_str()));
    assert!(seen(&snapshot, &manager_actor, Kind::People).contains(&rep));
    let rep_actor = as_person(Role::Rep, Some(rep.as_str()));
    assert_eq!(seen(&snapshot, &rep_actor, Kind::People).into_iter().collect::<Vec<_>>(), [rep]);

    // The users exist once: seeding them again is refused.
    assert_err!(seed_demo_users(&app, as_of).await, AppError::Conflict(_));
    assert_eq!(app.store().user_count().await.unwrap(), 6);
}

on_both!(
    only_admins_manage_users,
    logins_are_normalised_and_unique,
    a_new_user_needs_a_strong_password_and_a_name,
    managers_and_reps_are_people,
    disabling_ends_sessions_and_blocks_sign_in,
    you_cannot_disable_yourself,
    resetting_a_password_ends_sessions_and_tokens,
    the_first_admin_is_created_once,
    the_first_admin_follows_the_rules_for_users,
    signing_in_gives_a_session,
    wrong_passwords_and_unknown_logins_fail_alike,
    repeated_failures_lock_the_login,
    parallel_guesses_cannot_outrun_the_limit,
    an_attackers_failures_do_not_lock_the_owner_out,
    failed_sign_ins_write_a_bounded_number_of_entries,
    a_lock_ends,
    an_expired_session_is_no_session,
    purging_keeps_live_sessions,
    purging_forgets_stale_failures_but_keeps_locks_and_fresh_counts,
    signing_out_ends_the_session,
    tokens_are_shown_once_and_stored_as_digests,
    revoked_tokens_stop_working,
    a_disabled_users_tokens_stop_working,
    other_users_tokens_are_not_found,
    the_demo_has_one_user_per_role,
);
