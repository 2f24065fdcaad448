//! `attain territory assign` and `attain territory balance` on the demo: the preview lists the
//! moves and writes nothing; the apply moves exactly those; an imported rule claiming an
//! account another rule of its precedence gives elsewhere is refused, naming both; the balance report prints the
//! score and its suggestions; a bad option is named.

use crate::{Sandbox, count, summary};

#[test]
fn assignment_previews_then_moves_and_conflicts_stop_it() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("demo.db");
    sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", "2018-01-15"]);
    sandbox.write(
        "territory_rules.csv",
        "id,territory_id,basis,value,valid_from,valid_to,note\ncanada,ter-east,country,CA,2018-02-01,,Canada desk\n",
    );
    let rules = sandbox.arg("territory_rules.csv");
    sandbox.ok(&["import", "territory_rules", &rules, "--db", &db]);
    let preview = ["territory", "assign", "--db", &db, "--on", "2018-02-01", "--preview"];
    let run = sandbox.ok(&preview);
    assert!(run.stdout.starts_with("Assignment on 2018-02-01: "), "{}", run.stdout);
    assert!(run.stdout.contains("Preview only: nothing was written."), "{}", run.stdout);
    let moves = run.stdout.lines().filter(|l| l.ends_with("country = CA")).count();
    assert!(moves > 0, "{}", run.stdout);
    assert_eq!(count(&summary(&sandbox, &db), "account_territories"), 0);

    let run = sandbox.ok(&preview[..6]);
    assert!(run.stdout.contains(&format!("Moved {moves} accounts from 2018-02-01.")), "{}", run.stdout);
    assert_eq!(count(&summary(&sandbox, &db), "account_territories"), moves as u64);
    let run = sandbox.ok(&preview);
    assert!(run.stdout.contains(", 0 move"), "applied: nothing left to move\n{}", run.stdout);

    // A second country rule for the same accounts, to another territory: the import is
    // refused, naming the file, line and column, both rules and an account.
    sandbox.write(
        "clash.csv",
        "id,territory_id,basis,value,valid_from,valid_to,note\ncanada-west,ter-west,country,ca,2018-03-01,,\n",
    );
    let clash = sandbox.arg("clash.csv");
    let run = sandbox.fails(1, &["import", "territory_rules", &clash, "--db", &db]);
    assert!(run.stderr.contains("clash.csv: line 2, column value: on 2018-03-01: rules "), "{}", run.stderr);
    assert!(
        run.stderr.contains("canada (country = CA → ter-east)")
            && run.stderr.contains("canada-west (country = ca → ter-west)"),
        "{}",
        run.stderr
    );
    assert_eq!(count(&summary(&sandbox, &db), "territory_rules"), 15, "the demo's 14 and the first");
}

#[test]
fn the_balance_report_prints_the_score_and_moves() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("demo.db");
    sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", "2018-01-15"]);
    let run = sandbox.ok(&["territory", "balance", "--db", &db, "--on", "2018-02-01", "--moves", "3"]);
    assert!(
        run.stdout.starts_with("Balance on 2018-02-01 by potential (USD; bookings FY2017): imbalance "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Suggested moves (never a named account):"), "{}", run.stdout);
    assert_eq!(run.stdout.lines().filter(|l| l.contains("imbalance then")).count(), 3, "{}", run.stdout);
    let run = sandbox.fails(1, &["territory", "balance", "--db", &db, "--measure", "beauty"]);
    assert!(run.stderr.contains("--measure: one of potential, pipeline"), "{}", run.stderr);
}
