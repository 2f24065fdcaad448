//! `attain user …`, `attain audit verify`, the demo's printed sign-ins, and `attain serve` on a
//! port that is taken: the administration a user does on the server's own machine.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use attain_app::{App, Role, Settings};
use attain_store::Store;
use attain_testkit::{Db, TestDb};

use crate::{PEOPLE, Run, Sandbox, assert_no_panic};

const AS_OF: &str = "2018-01-15";
const PASSWORD: &str = "correct horse battery";

/// Runs `attain args…` in the sandbox with `stdin` as its standard input.
fn run_with_stdin(sandbox: &Sandbox, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_attain"))
        .args(args)
        .current_dir(sandbox.path(""))
        .env_remove("ATTAIN_DATABASE_URL")
        .env_remove("ATTAIN_LOG")
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start attain");
    // Dropping the handle closes stdin, as the end of a pipe does.
    child.stdin.take().expect("piped stdin").write_all(stdin.as_bytes()).expect("write stdin");
    let output = child.wait_with_output().expect("run attain");
    Run {
        code: output.status.code().expect("attain exited normally, not by a signal"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// Requires exit 1 with a single `error:` line on stderr, and returns that line.
fn one_line_error(run: &Run) -> &str {
    assert_eq!(run.code, 1, "expected exit 1\nstdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert_no_panic(run);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr, got:\n{}", run.stderr);
    assert!(lines[0].starts_with("error: "), "{}", run.stderr);
    lines[0]
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime").block_on(future)
}

/// Whether `login` can sign in with `password` on the database at `db`, as the web server
/// would check it.
fn signs_in(db: &str, login: &str, password: &str) -> bool {
    block_on(async {
        let store = Store::open_existing(db).await.expect("open the database");
        let app = App::new(store.clone(), Settings::default()).await.expect("the app");
        let ok = app.sign_in(login, password, None).await.is_ok();
        store.close().await;
        ok
    })
}

/// Runs one SQL statement directly on the database file, as someone tampering with it would.
fn tamper(db: &str, statement: &str) {
    block_on(async {
        let store = Store::open_existing(db).await.expect("open the database");
        let done = sqlx::query(statement).execute(store.pool()).await.expect(statement);
        assert_eq!(done.rows_affected(), 1, "{statement}");
        store.close().await;
    });
}

/// The `password: …` line's password.
fn printed_password(run: &Run) -> String {
    let line = run.stdout.lines().find_map(|l| l.strip_prefix("password: ")).unwrap_or_else(|| {
        panic!("no password line in:\n{}", run.stdout);
    });
    line.trim().to_string()
}

/// `attain user list`'s row for `login`, split into columns.
fn listed(sandbox: &Sandbox, db: &str, login: &str) -> Option<Vec<String>> {
    let run = sandbox.ok(&["user", "list", "--db", db]);
    let mut lines = run.stdout.lines();
    let header = lines.next().expect("a header line");
    assert!(header.starts_with("login"), "{header}");
    lines
        .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .find(|columns| columns.first().map(String::as_str) == Some(login))
}

fn add_ann(sandbox: &Sandbox, db: &str) {
    let run = run_with_stdin(
        sandbox,
        &["user", "add", "ann", "--role", "admin", "--name", "Ann", "--password-stdin", "--db", db],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn user_add_reads_the_password_from_stdin() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("users.db");
    let run = run_with_stdin(
        &sandbox,
        &["user", "add", "Ann", "--role", "admin", "--name", "Ann", "--password-stdin", "--db", &db],
        &format!("{PASSWORD}\r\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "added ann (Administrator)");
    assert!(!run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD), "the password is never echoed");

    assert_eq!(
        listed(&sandbox, &db, "ann"),
        Some(vec!["ann".into(), "Ann".into(), "admin".into(), "active".into()])
    );
    assert!(signs_in(&db, "ann", PASSWORD), "the password read from stdin (without its line end) is hers");
    assert!(!signs_in(&db, "ann", &format!("{PASSWORD}\r")));
}

#[test]
fn user_add_without_stdin_prints_a_generated_password() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("users.db");
    let run = sandbox.ok(&["user", "add", "bob", "--role", "finance", "--name", "Bob", "--db", &db]);
    assert!(run.stdout.starts_with("added bob (Finance)"), "{}", run.stdout);
    let password = printed_password(&run);
    assert_eq!(password.len(), 20, "{password}");
    assert!(signs_in(&db, "bob", &password));

    let other = sandbox.ok(&["user", "add", "carol", "--role", "executive", "--name", "Carol", "--db", &db]);
    assert_ne!(printed_password(&other), password, "every generated password is new");
}

#[test]
fn user_add_refuses_bad_input_in_one_line() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("users.db");

    // A bad role is refused before the database is touched.
    let run = sandbox.run(&["user", "add", "ann", "--role", "boss", "--name", "Ann", "--db", &db]);
    let line = one_line_error(&run);
    assert!(line.contains("--role") && line.contains("boss"), "{line}");
    assert!(!sandbox.path("users.db").exists(), "a refused command created the database");

    let add = |args: &[&str], stdin: &str| {
        let mut full = vec!["user", "add"];
        full.extend_from_slice(args);
        full.extend_from_slice(&["--db", &db, "--password-stdin"]);
        run_with_stdin(&sandbox, &full, stdin)
    };
    // Each refusal names what was wrong, as the option the user typed where there is one.
    let line = add(&["ann", "--role", "admin", "--name", "Ann"], "short\n");
    assert_eq!(one_line_error(&line), "error: password: must be at least 12 characters");
    let line = add(&["ann", "--role", "admin", "--name", "Ann"], "");
    assert!(one_line_error(&line).contains("no password on stdin"), "{}", line.stderr);
    let line = add(&["ann", "--role", "manager", "--name", "Ann"], &format!("{PASSWORD}\n"));
    assert!(
        one_line_error(&line).starts_with("error: --person: a manager must be linked to a person"),
        "{}",
        line.stderr
    );
    let line =
        add(&["ann", "--role", "rep", "--name", "Ann", "--person", "nobody"], &format!("{PASSWORD}\n"));
    assert_eq!(one_line_error(&line), "error: --person: no person has the id 'nobody'");
    let line = add(&["ann", "--role", "admin", "--name", "  "], &format!("{PASSWORD}\n"));
    assert_eq!(one_line_error(&line), "error: --name: must be 1 to 200 characters");
    let line = add(&["Ann Lee", "--role", "admin", "--name", "Ann"], &format!("{PASSWORD}\n"));
    assert!(one_line_error(&line).starts_with("error: login: must be 1 to 64 characters"), "{}", line.stderr);
    assert_eq!(listed(&sandbox, &db, "ann"), None, "nothing was added");

    // With people imported, a manager can be one of them; a login is taken once.
    sandbox.write("people.csv", PEOPLE);
    sandbox.ok(&["import", "people", "people.csv", "--db", &db]);
    let run = add(
        &["ann", "--role", "manager", "--name", "Ann", "--person", "ann-archer"],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        listed(&sandbox, &db, "ann"),
        Some(vec!["ann".into(), "Ann".into(), "manager".into(), "ann-archer".into(), "active".into()])
    );
    let line = add(&["ANN", "--role", "admin", "--name", "Other Ann"], &format!("{PASSWORD}\n"));
    assert!(one_line_error(&line).contains("'ann' is taken"), "{}", line.stderr);
}

#[test]
fn users_are_disabled_and_enabled() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("users.db");
    add_ann(&sandbox, &db);

    let run = sandbox.ok(&["user", "disable", "ann", "--db", &db]);
    assert_eq!(run.stdout.trim(), "disabled ann");
    assert_eq!(listed(&sandbox, &db, "ann").unwrap().last().map(String::as_str), Some("disabled"));
    assert!(!signs_in(&db, "ann", PASSWORD), "a disabled user cannot sign in");

    let run = sandbox.ok(&["user", "enable", "ANN", "--db", &db]);
    assert_eq!(run.stdout.trim(), "enabled ann");
    assert_eq!(listed(&sandbox, &db, "ann").unwrap().last().map(String::as_str), Some("active"));
    assert!(signs_in(&db, "ann", PASSWORD));

    for command in ["disable", "enable", "reset-password"] {
        let run = sandbox.run(&["user", command, "nobody", "--db", &db]);
        assert_eq!(one_line_error(&run), "error: no user has the login 'nobody'", "attain user {command}");
    }
}

#[test]
fn reset_password_sets_a_new_one() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("users.db");
    add_ann(&sandbox, &db);
    let run = run_with_stdin(
        &sandbox,
        &["user", "reset-password", "ann", "--password-stdin", "--db", &db],
        "a brand new password\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("new password set for ann"), "{}", run.stdout);
    assert!(!run.stdout.contains("password: "), "nothing generated, nothing printed");
    assert!(signs_in(&db, "ann", "a brand new password"));
    assert!(!signs_in(&db, "ann", PASSWORD), "the old password no longer works");

    let run = sandbox.ok(&["user", "reset-password", "ann", "--db", &db]);
    let generated = printed_password(&run);
    assert!(signs_in(&db, "ann", &generated));
    assert!(!signs_in(&db, "ann", "a brand new password"));

    let run = run_with_stdin(
        &sandbox,
        &["user", "reset-password", "ann", "--password-stdin", "--db", &db],
        "short\n",
    );
    assert_eq!(one_line_error(&run), "error: password: must be at least 12 characters");
    assert!(signs_in(&db, "ann", &generated), "a refused reset changes nothing");
}

#[test]
fn audit_verify_passes_a_fresh_demo_and_names_a_tampered_entry() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("demo.db");
    sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", AS_OF]);
    let run = sandbox.ok(&["audit", "verify", "--db", &db]);
    // The seeding, the six demo users, storing the plans, 25 months run and 24 closed.
    assert_eq!(run.stdout.trim(), "audit log intact: 58 entries, every hash checked");

    tamper(&db, "UPDATE audit_log SET after_json = '{\"login\":\"mallory\"}' WHERE seq = 3");
    let run = sandbox.run(&["audit", "verify", "--db", &db]);
    assert_eq!(
        one_line_error(&run),
        "error: audit log broken at entry 3: entry 3 was altered after it was written"
    );
}

#[test]
fn audit_verify_finds_deleted_entries() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("users.db");
    for login in ["ann", "bob", "carol", "dan"] {
        sandbox.ok(&["user", "add", login, "--role", "finance", "--name", login, "--db", &db]);
    }
    let run = sandbox.ok(&["audit", "verify", "--db", &db]);
    assert!(run.stdout.contains("intact: 4 entries"), "{}", run.stdout);

    tamper(&db, "DELETE FROM audit_log WHERE seq = 4");
    let run = sandbox.run(&["audit", "verify", "--db", &db]);
    let line = one_line_error(&run);
    assert!(line.starts_with("error: audit log broken at entry 4: "), "{line}");
    assert!(line.contains("deleted"), "{line}");

    tamper(&db, "DELETE FROM audit_log WHERE seq = 2");
    let run = sandbox.run(&["audit", "verify", "--db", &db]);
    assert_eq!(
        one_line_error(&run),
        "error: audit log broken at entry 2: entry 2 is missing (the next entry is 3)"
    );
}

#[test]
fn audit_checkpoints_catch_a_cut_tail_and_a_wrong_key_is_named() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("users.db");
    for login in ["ann", "bob", "carol", "dan"] {
        sandbox.ok(&["user", "add", login, "--role", "finance", "--name", login, "--db", &db]);
    }
    let key =
        std::fs::read_to_string(sandbox.path("users.db.audit-key")).expect("a key file beside the database");
    assert_eq!(key.trim().len(), 64);
    let checkpoint = sandbox.arg("head.json");
    sandbox.ok(&["audit", "checkpoint", "--db", &db, "--out", &checkpoint]);
    let run = sandbox.ok(&["audit", "verify", "--db", &db, "--against", &checkpoint]);
    assert!(run.stdout.contains("still holds entry 4"), "{}", run.stdout);

    // The newest entry deleted and the head moved back: only the checkpoint can tell.
    tamper(&db, "DELETE FROM audit_log WHERE seq = 4");
    tamper(
        &db,
        "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3) WHERE id = 1",
    );
    sandbox.ok(&["audit", "verify", "--db", &db]);
    let run = sandbox.run(&["audit", "verify", "--db", &db, "--against", &checkpoint]);
    let line = one_line_error(&run);
    assert!(line.starts_with("error: audit log broken at entry 4: the log ends at entry 3"), "{line}");

    // Another key: every entry fails, and the message says the key is the likely cause.
    let other = [("ATTAIN_AUDIT_KEY", "not the key this log was written with, but long enough")];
    let run = sandbox.run_with_env(&["audit", "verify", "--db", &db], &other);
    let line = one_line_error(&run);
    assert!(line.contains("no entry matches the audit key from ATTAIN_AUDIT_KEY"), "{line}");
    let run = sandbox.run_with_env(&["audit", "verify", "--db", &db, "--against", &checkpoint], &other);
    assert!(
        one_line_error(&run).contains("head.json: the checkpoint's signature does not match"),
        "{}",
        run.stderr
    );
}

/// A database whose audit log has entries does not get a new key when its key file is gone
/// (every entry would then fail to verify, hiding the loss): every command stops, naming the
/// file and the ways out, until the file is back. SQLite's file beside the database and a file
/// named by ATTAIN_AUDIT_KEY_FILE (here for PostgreSQL) alike.
#[test]
fn a_missing_key_file_stops_a_database_with_audit_entries() {
    let sandbox = Sandbox::new();
    let pg = block_on(TestDb::new(Db::Postgres));
    let named = sandbox.arg("keys/pg.key");
    let mut cases = vec![(sandbox.arg("users.db"), sandbox.path("users.db.audit-key"), vec![], "")];
    if let Some(pg) = &pg {
        let env = vec![("ATTAIN_AUDIT_KEY_FILE", named.as_str())];
        cases.push((pg.url.clone(), sandbox.path("keys/pg.key"), env, " (named by ATTAIN_AUDIT_KEY_FILE)"));
    }
    for (db, key_file, env, how) in cases {
        let add = sandbox
            .run_with_env(&["user", "add", "ann", "--role", "finance", "--name", "Ann", "--db", &db], &env);
        assert_eq!(add.code, 0, "{}", add.stderr);
        let key = std::fs::read_to_string(&key_file).expect("a key made for the empty log");
        std::fs::remove_file(&key_file).unwrap();
        for args in [vec!["audit", "verify", "--db", &db], vec!["user", "list", "--db", &db]] {
            let run = sandbox.run_with_env(&args, &env);
            let line = one_line_error(&run);
            let expected = format!("error: the audit key file {}{how} does not exist", key_file.display());
            assert!(line.starts_with(&expected), "{line}");
            assert!(line.contains("audit log already has 1 entry signed with a key"), "{line}");
            assert!(line.contains("point ATTAIN_AUDIT_KEY_FILE at it"), "{line}");
            assert!(!key_file.exists(), "no new key was made: {line}");
        }
        std::fs::write(&key_file, key).unwrap();
        let run = sandbox.run_with_env(&["audit", "verify", "--db", &db], &env);
        assert_eq!(run.stdout.trim(), "audit log intact: 1 entries, every hash checked", "{}", run.stderr);
    }
}

#[test]
fn audit_verify_needs_an_existing_database() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["audit", "verify", "--db", "missing.db"]);
    assert!(one_line_error(&run).contains("missing.db"), "{}", run.stderr);
    assert!(!sandbox.path("missing.db").exists(), "verify created the database it was to check");
}

#[test]
fn demo_prints_six_sign_ins_that_work() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("demo.db");
    let run = sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", AS_OF]);
    let mut lines = run.stdout.lines().skip_while(|l| !l.starts_with("Sign in as any of these demo users"));
    assert!(lines.next().is_some(), "no demo users printed:\n{}", run.stdout);
    let printed: Vec<&str> = lines.take_while(|l| !l.trim().is_empty()).collect();
    assert_eq!(printed.len(), 6, "{printed:#?}");
    let mut logins = Vec::new();
    for (line, role) in printed.iter().zip(Role::ALL) {
        let rest = line
            .trim_start()
            .strip_prefix(role.label())
            .unwrap_or_else(|| panic!("{line:?} is not the {role}"));
        let mut words = rest.split_whitespace();
        let (login, password) = (words.next().expect("a login"), words.next().expect("a password"));
        assert_eq!(password.len(), 20, "{line:?}");
        let named = words.next().is_some();
        assert_eq!(
            named,
            matches!(role, Role::Manager | Role::Rep | Role::Executive),
            "who they are: {line:?}"
        );
        logins.push((login.to_string(), password.to_string()));
    }
    let names: Vec<&str> = logins.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(names, ["admin", "compadmin", "finance", "manager", "rep", "exec"]);
    block_on(async {
        let store = Store::open_existing(&db).await.unwrap();
        let app = App::new(store.clone(), Settings::default()).await.unwrap();
        for ((login, password), role) in logins.iter().zip(Role::ALL) {
            let signed = app.sign_in(login, password, None).await.unwrap_or_else(|e| panic!("{login}: {e}"));
            assert_eq!(signed.actor.role, role);
        }
        store.close().await;
    });
}

#[test]
fn serve_on_a_taken_port_fails_in_one_line() {
    let sandbox = Sandbox::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let addr = taken.local_addr().unwrap().to_string();
    let db = sandbox.arg("serve.db");
    let child = Command::new(env!("CARGO_BIN_EXE_attain"))
        .args(["serve", "--db", &db, "--listen", &addr])
        .current_dir(sandbox.path(""))
        .env_remove("ATTAIN_DATABASE_URL")
        .env_remove("ATTAIN_LOG")
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start attain serve");
    let pid = child.id();
    let (done, outcome) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    // A guard, not a measurement: if attain served instead of failing, stop it and fail.
    let output = match outcome.recv_timeout(Duration::from_secs(120)) {
        Ok(output) => output.expect("run attain"),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("attain serve on a taken port {addr} kept running");
        }
    };
    let run = Run {
        code: output.status.code().expect("attain exited normally"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    let line = one_line_error(&run);
    assert!(line.starts_with(&format!("error: cannot serve on {addr}: ")), "{line}");
    assert!(!run.stdout.contains("serving at"), "{}", run.stdout);
    drop(taken);
}

/// The same commands against PostgreSQL.
#[test]
fn user_and_audit_commands_work_on_postgres() {
    let Some(pg) = block_on(TestDb::new(Db::Postgres)) else { return };
    let sandbox = Sandbox::new();
    let run = run_with_stdin(
        &sandbox,
        &["user", "add", "ann", "--role", "comp_admin", "--name", "Ann", "--password-stdin", "--db", &pg.url],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    sandbox.ok(&["user", "disable", "ann", "--db", &pg.url]);
    assert_eq!(listed(&sandbox, &pg.url, "ann").unwrap()[2..], ["comp_admin", "disabled"]);
    let run = sandbox.ok(&["audit", "verify", "--db", &pg.url]);
    assert!(run.stdout.contains("intact: 2 entries"), "{}", run.stdout);
    tamper(&pg.url, "UPDATE audit_log SET actor_login = 'mallory' WHERE seq = 1");
    let run = sandbox.run(&["audit", "verify", "--db", &pg.url]);
    assert!(one_line_error(&run).starts_with("error: audit log broken at entry 1: "), "{}", run.stderr);
}
