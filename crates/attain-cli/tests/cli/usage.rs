//! Help, usage errors (exit 2) and failures (exit 1): short messages a user can act on, and no
//! panics.

use crate::{PEOPLE, Sandbox, count, summary};

#[test]
fn help_lists_the_commands() {
    let sandbox = Sandbox::new();
    let run = sandbox.ok(&["--help"]);
    for command in ["demo", "generate", "migrate", "import", "export", "summary"] {
        assert!(
            run.stdout.lines().any(|l| l.trim_start().starts_with(command)),
            "{command} is not listed:\n{}",
            run.stdout
        );
    }
    let import = sandbox.ok(&["import", "--help"]);
    assert!(
        import.stdout.contains("--skip-bad") && import.stdout.contains("crm-sample"),
        "{}",
        import.stdout
    );
}

#[test]
fn usage_errors_exit_2() {
    let sandbox = Sandbox::new();
    for args in [&["frobnicate"][..], &["import"], &["demo", "--scale", "0"], &["export", "--bogus"], &[]] {
        let run = sandbox.fails(2, args);
        assert!(run.stderr.contains("--help"), "attain {args:?}:\n{}", run.stderr);
        assert!(run.stdout.is_empty(), "attain {args:?} printed to stdout: {}", run.stdout);
    }
    assert!(
        std::fs::read_dir(sandbox.path(".")).unwrap().next().is_none(),
        "a usage error left files behind"
    );
}

#[test]
fn missing_file_is_one_line_on_stderr() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("t.db");
    let run = sandbox.fails(1, &["import", "transactions", "missing.csv", "--db", &db]);
    let lines: Vec<_> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(lines[0].starts_with("error:"), "{}", run.stderr);
    assert!(lines[0].contains("missing.csv"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(!sandbox.path("t.db").exists(), "a failed import created the database");
}

#[test]
fn names_that_mean_nothing_are_refused_before_the_database_is_touched() {
    let sandbox = Sandbox::new();
    sandbox.write("people.csv", PEOPLE);
    let db = sandbox.arg("t.db");
    for (args, says) in [
        (vec!["import", "persons", "people.csv"], "persons"),
        (vec!["import", "people", "people.csv", "--mapping", "salesforce-people"], "salesforce-people"),
        (vec!["import", "people.csv"], "name the kind"),
        (vec!["import", "people"], "needs a FILE"),
        (vec!["import", ".", "--mapping", "crm-sampel"], "crm-sampel"),
    ] {
        let mut args = args;
        args.extend(["--db", &db]);
        let run = sandbox.fails(1, &args);
        assert!(run.stderr.starts_with("error:"), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    assert!(!sandbox.path("t.db").exists(), "a refused import created the database");
}

#[test]
fn bad_csv_names_line_and_column() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("t.db");
    sandbox.write("people.csv", PEOPLE);
    sandbox.ok(&["import", "people", "people.csv", "--db", &db]);
    sandbox.write(
        "transactions.csv",
        "id,date,kind,currency,amount,owner_id\n\
         t1,2017-03-01,booking,USD,200.00,ann-archer\n\
         t2,2017-03-02,booking,USD,abc,bob-baker\n",
    );
    let run = sandbox.fails(1, &["import", "transactions", "transactions.csv", "--db", &db]);
    assert!(run.stderr.starts_with("error: 1 bad row; nothing was written"), "{}", run.stderr);
    assert!(
        run.stderr.contains("transactions.csv: line 3, column amount: 'abc' is not a number"),
        "{}",
        run.stderr
    );
    assert_eq!(count(&summary(&sandbox, &db), "transactions"), 0);
}

#[test]
fn skip_bad_writes_the_good_rows_and_lists_the_bad() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("t.db");
    sandbox.write(
        "people.csv",
        "id,name,hire_date\na,Ann,2016-01-04\nb,Bob,2016-02-30\nc,Cy,2016-03-01\nd,Di\n",
    );
    let run = sandbox.ok(&["import", "people", "people.csv", "--db", &db, "--skip-bad"]);
    assert!(run.stdout.contains("2 new") && run.stdout.contains("2 skipped"), "{}", run.stdout);
    assert!(run.stderr.contains("2 bad row(s) skipped"), "{}", run.stderr);
    assert!(run.stderr.contains("line 3, column hire_date"), "{}", run.stderr);
    assert!(run.stderr.contains("line 5"), "{}", run.stderr);
    assert_eq!(count(&summary(&sandbox, &db), "people"), 2);
}

#[test]
fn mapping_file_with_an_unknown_column_is_refused() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("t.db");
    sandbox.write(
        "deals.toml",
        "kind = \"opportunities\"\n[columns]\nid = \"ID\"\nowner_id = \"Owner\"\ncurrency = \"Cur\"\n\
         stage = \"Stage\"\nstatus = \"Status\"\nrevenue_band = \"Band\"\n",
    );
    sandbox.write("deals.csv", "ID,Owner,Cur,Stage,Status,Band\n1,ann,USD,New,open,A\n");
    let run =
        sandbox.fails(1, &["import", "opportunities", "deals.csv", "--mapping", "deals.toml", "--db", &db]);
    assert!(run.stderr.starts_with("error: deals.toml: the mapping is invalid"), "{}", run.stderr);
    assert!(run.stderr.contains("'revenue_band' is not a column of opportunities"), "{}", run.stderr);
}

#[test]
fn impossible_as_of_date_is_named() {
    let sandbox = Sandbox::new();
    let run = sandbox.fails(1, &["demo", "--as-of", "2017-02-30", "--no-serve"]);
    assert!(run.stderr.starts_with("error:"), "{}", run.stderr);
    assert!(run.stderr.contains("2017-02-30"), "{}", run.stderr);
    assert!(!sandbox.path("attain-demo.db").exists());
}

#[test]
fn reading_commands_refuse_a_database_that_does_not_exist() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("typo.db");
    for args in [vec!["summary", "--db", &db], vec!["export", "--db", &db]] {
        let run = sandbox.fails(1, &args);
        assert!(run.stderr.starts_with("error: no database at"), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("typo.db"), "{}", run.stderr);
        assert!(run.stdout.is_empty());
        assert!(!sandbox.path("typo.db").exists(), "{args:?} created the database");
    }
}
