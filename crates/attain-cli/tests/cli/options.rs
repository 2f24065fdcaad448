//! Every option of `calc`, `plan`, `statement` and `pay` is either honoured or refused: an
//! option given in a mode that has no use for it stops the command with a message naming it,
//! instead of being dropped without a word.

use std::process::Command;

use crate::Sandbox;

const AS_OF: &str = "2018-01-15";

/// A demo database and its export as a workspace.
fn demo_workspace(sandbox: &Sandbox) -> (String, String) {
    let db = sandbox.arg("d.db");
    sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", AS_OF]);
    let ws = sandbox.arg("ws");
    sandbox.ok(&["export", "--db", &db, "--workspace", &ws]);
    (db, ws)
}

#[test]
fn calc_refuses_plans_with_a_workspace() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path("ws")).unwrap();
    std::fs::create_dir_all(sandbox.path("other")).unwrap();
    let run = sandbox.fails(
        2,
        &["calc", "--workspace", &sandbox.arg("ws"), "--plans", &sandbox.arg("other"), "--period", "2017-06"],
    );
    assert!(
        run.stderr.contains("'--workspace <DIR>' cannot be used with '--plans <DIR>'")
            || run.stderr.contains("'--plans <DIR>' cannot be used with '--workspace <DIR>'"),
        "{}",
        run.stderr
    );
    // --plans without --db has nothing to go with either.
    let alone = sandbox.fails(2, &["calc", "--plans", &sandbox.arg("other"), "--period", "2017-06"]);
    assert!(alone.stderr.contains("--db <URL>"), "{}", alone.stderr);
}

#[test]
fn statement_options_are_honoured_or_refused() {
    let sandbox = Sandbox::new();
    let (db, ws) = demo_workspace(&sandbox);
    let calc = sandbox.ok(&["calc", "--db", &db, "--period", "2017-06", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&calc.stdout).unwrap();
    let payee = json["payees"][0]["id"].as_str().unwrap().to_string();

    // The statement CSV has no place for explanations: --explain with it is refused, from a
    // database and from a workspace alike, before anything is read.
    for source in [["--db", db.as_str()], ["--workspace", ws.as_str()]] {
        let args =
            ["statement", source[0], source[1], "--period", "2017-06", "--payee", &payee, "--format", "csv"];
        let plain = sandbox.ok(&args);
        let explained = sandbox.fails(1, &[&args[..], &["--explain"]].concat());
        assert!(explained.stderr.contains("--explain"), "{}", explained.stderr);
        assert!(explained.stdout.is_empty(), "{}", explained.stdout);
        assert!(plain.stdout.starts_with("payee_id,period,row,"), "{}", plain.stdout);
    }

    // A database named only in the environment does not stand in the way of --workspace (and
    // is not read): the workspace is what is calculated.
    let output = Command::new(env!("CARGO_BIN_EXE_attain"))
        .args(["statement", "--workspace", &ws, "--period", "2017-06", "--payee", &payee])
        .current_dir(sandbox.path(""))
        .env("ATTAIN_DATABASE_URL", sandbox.arg("nowhere.db"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains(&format!("({payee}), 2017-06")));
    assert!(!sandbox.path("nowhere.db").exists());
    // The environment's database is read when there is no workspace.
    let output = Command::new(env!("CARGO_BIN_EXE_attain"))
        .args(["statement", "--period", "2017-06", "--payee", &payee])
        .current_dir(sandbox.path(""))
        .env("ATTAIN_DATABASE_URL", &db)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    // Given on the command line, both at once are a usage error.
    let both = sandbox
        .fails(2, &["statement", "--workspace", &ws, "--db", &db, "--period", "2017-06", "--payee", &payee]);
    assert!(both.stderr.contains("cannot be used with"), "{}", both.stderr);
}

#[test]
fn demo_refuses_serving_options_with_no_serve() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("d.db");
    for (option, value) in
        [("--listen", Some("127.0.0.1:0")), ("--secure-cookies", None), ("--trust-proxy", None)]
    {
        let mut args = vec!["demo", "--no-serve", "--db", &db, "--as-of", AS_OF, option];
        args.extend(value);
        let run = sandbox.fails(2, &args);
        assert!(
            run.stderr.contains(&format!("the argument '{option}' cannot be used with '--no-serve'")),
            "{option}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(!sandbox.path("d.db").exists(), "{option}: refused before the database is made");
    }
    // The same settings from the environment are not asked for by this command: they stand
    // aside, and the demo is seeded.
    let env =
        [("ATTAIN_LISTEN", "127.0.0.1:1"), ("ATTAIN_SECURE_COOKIES", "true"), ("ATTAIN_TRUST_PROXY", "true")];
    let run = sandbox.run_with_env(&["demo", "--no-serve", "--db", &db, "--as-of", AS_OF], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("Seeded the demo company"), "{}", run.stdout);
}
