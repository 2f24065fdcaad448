//! Commands that move data: demo, import, export, summary, on SQLite files and on PostgreSQL.

use attain_testkit::{Db, TestDb, sample_data};

use crate::{PEOPLE, Sandbox, count, summary};

const AS_OF: &str = "2018-01-15";

fn parse_json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("export is not JSON ({e}):\n{text:.500}"))
}

#[test]
fn demo_seeds_once_then_refuses() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("d.db");
    let run = sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", AS_OF]);
    assert!(run.stdout.contains("Seeded the demo company"), "{}", run.stdout);
    let seeded = summary(&sandbox, &db);
    assert!(count(&seeded, "opportunities") > 100, "{seeded:?}");

    let again = sandbox.fails(1, &["demo", "--no-serve", "--db", &db, "--as-of", AS_OF]);
    assert!(again.stderr.starts_with("error:"), "{}", again.stderr);
    assert!(again.stderr.contains("empty database"), "{}", again.stderr);
    assert_eq!(summary(&sandbox, &db), seeded, "a refused demo changed the database");
}

#[test]
fn demo_recreates_its_default_file() {
    let sandbox = Sandbox::new();
    sandbox.ok(&["demo", "--as-of", AS_OF, "--no-serve"]);
    assert!(sandbox.path("attain-demo.db").is_file());
    let first = sandbox.ok(&["export", "--db", "attain-demo.db"]).stdout;

    let run = sandbox.ok(&["demo", "--as-of", AS_OF, "--no-serve"]);
    assert!(run.stdout.contains("attain-demo.db"), "{}", run.stdout);
    let second = sandbox.ok(&["export", "--db", "attain-demo.db"]).stdout;
    assert!(first == second, "the recreated demo differs from the first");
}

#[test]
fn summary_counts_match_the_export() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("d.db");
    sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", AS_OF]);
    let counts = summary(&sandbox, &db);
    let json = parse_json(&sandbox.ok(&["export", "--db", &db]).stdout);
    let kinds = json.as_object().unwrap();
    assert_eq!(counts.len(), kinds.len(), "summary lists every kind: {counts:?}");
    for (kind, n) in &counts {
        let records = kinds[kind].as_array().unwrap_or_else(|| panic!("{kind} in the export"));
        assert_eq!(records.len() as u64, *n, "{kind}");
    }
    assert_eq!(count(&counts, "company"), 1);
    assert!(count(&counts, "people") > 0);
}

#[test]
fn export_round_trips_through_a_workspace_and_json() {
    let sandbox = Sandbox::new();
    let a = sandbox.arg("a.db");
    sandbox.ok(&["demo", "--no-serve", "--db", &a, "--as-of", AS_OF]);
    let exported = sandbox.ok(&["export", "--db", &a]);
    let json = parse_json(&exported.stdout);
    assert!(!json["opportunities"].as_array().unwrap().is_empty());

    let workspace = sandbox.arg("workspace");
    let written = sandbox.ok(&["export", "--db", &a, "--workspace", &workspace]);
    assert!(written.stdout.is_empty(), "{}", written.stdout);
    assert!(sandbox.path("workspace/people.csv").is_file());
    let b = sandbox.arg("b.db");
    let imported = sandbox.ok(&["import", &workspace, "--db", &b]);
    // The workspace's plans/ come along with its data.
    assert_eq!(
        imported.stderr.trim(),
        format!(
            "stored the plan files of {workspace}/plans (5 added, 0 replaced, 0 unchanged); 4 plan version(s) stored"
        )
    );
    assert!(
        sandbox.ok(&["export", "--db", &b]).stdout == exported.stdout,
        "workspace copy exports differently"
    );

    let file = sandbox.arg("export.json");
    sandbox.ok(&["export", "--db", &a, "--out", &file]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), exported.stdout);
    let c = sandbox.arg("c.db");
    sandbox.ok(&["import", &file, "--db", &c]);
    assert!(sandbox.ok(&["export", "--db", &c]).stdout == exported.stdout, "JSON copy exports differently");

    // Importing the same export again changes nothing.
    let again = sandbox.ok(&["import", &file, "--db", &c]);
    for line in again.stdout.lines() {
        assert!(line.contains(": 0 new, 0 updated"), "{line}");
    }
}

#[test]
fn successful_import_is_silent_on_stderr() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("t.db");
    sandbox.write("people.csv", PEOPLE);
    let run = sandbox.ok(&["import", "people", "people.csv", "--db", &db]);
    // stderr is a pipe here, not a terminal: no progress bar, no logging, nothing.
    assert!(run.stderr.is_empty(), "stderr: {:?}", run.stderr);
    assert!(run.stdout.contains("people") && run.stdout.contains("2 new"), "{}", run.stdout);
}

#[test]
fn crm_sample_imports_through_its_layout() {
    let Some(sample) = sample_data("crm-sales-opportunities") else { return };
    let sandbox = Sandbox::new();
    let db = sandbox.arg("crm.db");
    let sample = sample.display().to_string();
    let run = sandbox.ok(&["import", "--mapping", "crm-sample", &sample, "--db", &db]);
    assert!(run.stdout.contains("8800 new"), "{}", run.stdout);
    let counts = summary(&sandbox, &db);
    assert_eq!(count(&counts, "opportunities"), 8_800);
    assert_eq!(count(&counts, "transactions"), 4_238);
    assert_eq!(count(&counts, "people"), 41);

    let again = sandbox.ok(&["import", &sample, "--mapping", "crm-sample", "--db", &db]);
    for line in again.stdout.lines() {
        assert!(line.contains(": 0 new, 0 updated"), "{line}");
    }
}

#[test]
fn northwind_imports_through_its_layout() {
    let Some(sample) = sample_data("northwind") else { return };
    let sandbox = Sandbox::new();
    let db = sandbox.arg("nw.db");
    sandbox.ok(&["import", "--mapping", "northwind", &sample.display().to_string(), "--db", &db]);
    let counts = summary(&sandbox, &db);
    assert_eq!((count(&counts, "opportunities"), count(&counts, "transactions")), (830, 2_155));
}

/// The same commands against a PostgreSQL URL.
#[tokio::test]
async fn postgres_urls_work_like_files() {
    let Some(pg) = TestDb::new(Db::Postgres).await else { return };
    let sandbox = Sandbox::new();
    sandbox.ok(&["migrate", "--db", &pg.url]);
    sandbox.write("people.csv", PEOPLE);
    sandbox.ok(&["import", "people", "people.csv", "--db", &pg.url]);
    assert_eq!(count(&summary(&sandbox, &pg.url), "people"), 2);

    let sqlite = sandbox.arg("copy.db");
    let workspace = sandbox.arg("ws");
    sandbox.ok(&["export", "--db", &pg.url, "--workspace", &workspace]);
    sandbox.ok(&["import", &workspace, "--db", &sqlite]);
    assert_eq!(
        sandbox.ok(&["export", "--db", &sqlite]).stdout,
        sandbox.ok(&["export", "--db", &pg.url]).stdout
    );
}

/// A plan paying 10% of each month's bookings, for calculating on a sample's data.
const TEN_PERCENT: &str = r#"id = "rep"
version = 1
valid_from = "START"
credit_on = "booking"

[measures.revenue]
sum = "amount"

[[components]]
id = "commission"
type = "commission"
measure = "revenue"
mode = "marginal"
tiers = [{ from = "0", rate = "10%" }]
"#;

/// A sample import leaves a database that can be calculated: the layout's default company
/// fills the empty database, and `attain calc` pays on the sample's bookings.
fn sample_import_then_calc(layout: &str, sample: &std::path::Path, payee: &str, start: &str, period: &str) {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("s.db");
    let sample = sample.display().to_string();
    let run = sandbox.ok(&["import", "--mapping", layout, &sample, "--db", &db]);
    let company = run.stdout.lines().find(|l| l.starts_with("company ")).unwrap_or_default();
    assert!(company.contains("1 rows: 1 new"), "{}", run.stdout);
    std::fs::create_dir_all(sandbox.path("plans")).unwrap();
    sandbox.write("plans/rep.toml", &TEN_PERCENT.replace("START", start));
    sandbox.write(
        "plan_assignments.csv",
        &format!("id,position_id,plan_id,valid_from,valid_to\npa-1,pos-{payee},rep,{start},\n"),
    );
    sandbox.ok(&["import", "plan_assignments", "plan_assignments.csv", "--db", &db]);
    let calc = sandbox.ok(&[
        "calc",
        "--db",
        &db,
        "--plans",
        &sandbox.arg("plans"),
        "--period",
        period,
        "--payee",
        payee,
        "--format",
        "json",
    ]);
    let json = parse_json(&calc.stdout);
    let payee_json = &json["payees"][0];
    assert_eq!(payee_json["currency"], "USD", "{payee_json}");
    let measure: rust_decimal::Decimal =
        payee_json["components"][0]["measure"].as_str().unwrap().parse().unwrap();
    let payout: rust_decimal::Decimal = payee_json["payout"].as_str().unwrap().parse().unwrap();
    assert!(measure > rust_decimal::Decimal::ZERO, "{payee_json}");
    assert_eq!(payout, (measure / rust_decimal::Decimal::TEN).round_dp(2), "{payee_json}");

    // Importing again changes nothing, the company included.
    let again = sandbox.ok(&["import", "--mapping", layout, &sample, "--db", &db]);
    assert!(!again.stdout.contains("company"), "{}", again.stdout);
}

#[test]
fn crm_sample_import_leaves_a_database_that_calculates() {
    let Some(sample) = sample_data("crm-sales-opportunities") else { return };
    sample_import_then_calc("crm-sample", &sample, "moses-frase", "2016-01-01", "2017-03");
}

#[test]
fn northwind_import_leaves_a_database_that_calculates() {
    let Some(sample) = sample_data("northwind") else { return };
    sample_import_then_calc("northwind", &sample, "emp-1", "1992-05-01", "1997-03");
}

#[test]
fn a_sample_import_never_replaces_the_company_already_there() {
    let Some(sample) = sample_data("crm-sales-opportunities") else { return };
    let sandbox = Sandbox::new();
    let db = sandbox.arg("s.db");
    sandbox.write(
        "company.csv",
        "id,name,base_currency,fiscal_year_start_month,fiscal_year_naming,time_zone\ncompany,Acme,EUR,4,start_year,Europe/Berlin\n",
    );
    sandbox.ok(&["import", "company", "company.csv", "--db", &db]);
    let run = sandbox.ok(&["import", "--mapping", "crm-sample", &sample.display().to_string(), "--db", &db]);
    assert!(!run.stdout.contains("company"), "{}", run.stdout);
    let export = parse_json(&sandbox.ok(&["export", "--db", &db]).stdout);
    let company = &export["company"][0];
    assert_eq!(
        (&company["name"], &company["base_currency"], &company["time_zone"]),
        (&"Acme".into(), &"EUR".into(), &"Europe/Berlin".into()),
        "{company}"
    );
}
