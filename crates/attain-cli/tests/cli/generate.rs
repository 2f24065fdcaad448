//! `attain generate`: a workspace another command can read as it is — `attain calc` gives the
//! same statements from its Parquet form as from its CSV form — and clear refusals.

use crate::{Sandbox, assert_no_panic};

fn generate(sandbox: &Sandbox, dir: &str, extra: &[&str]) {
    let mut args = vec!["generate", "--transactions", "20000", "--out", dir];
    args.extend_from_slice(extra);
    let run = sandbox.ok(&args);
    assert!(run.stderr.contains("20000 transactions"), "{}", run.stderr);
}

#[test]
fn calc_reads_the_parquet_form_and_pays_as_from_the_csv_form() {
    let sandbox = Sandbox::new();
    generate(&sandbox, "parquet", &["--format", "parquet"]);
    generate(&sandbox, "csv", &[]);
    assert!(sandbox.path("parquet/transactions.parquet").is_file());
    assert!(!sandbox.path("parquet/transactions.csv").exists());
    let calc = |dir: &str| {
        let dir = sandbox.arg(dir);
        sandbox.ok(&["calc", "--workspace", dir.as_str(), "--period", "2025-12", "--format", "json"]).stdout
    };
    let (from_parquet, from_csv) = (calc("parquet"), calc("csv"));
    assert!(from_parquet == from_csv, "the Parquet and CSV forms pay differently");
    let json: serde_json::Value = serde_json::from_str(&from_parquet).unwrap();
    let payees = json["payees"].as_array().unwrap();
    // Everyone on a plan in December has a statement: the 10,000 payees (the 291 reps who
    // left were replaced) and the 194 sales engineers.
    assert_eq!(payees.len(), 10_000 + 194);
    let paid = |plan: &str| {
        payees
            .iter()
            .filter(|p| p["plans"][0].as_str().unwrap().starts_with(plan) && p["ytd_payout"] != "0.00")
            .count()
    };
    assert_eq!(paid("manager@"), 281, "every leader earns an override");
    assert!(paid("rep@") > 5_000 && paid("se@") > 150, "reps {} ses {}", paid("rep@"), paid("se@"));
}

#[test]
fn generate_refuses_a_non_empty_directory_and_a_company_too_small() {
    let sandbox = Sandbox::new();
    sandbox.write("notes.txt", "mine");
    let here = sandbox.arg("");
    let run = sandbox.fails(1, &["generate", "--transactions", "10", "--out", here.as_str()]);
    assert!(run.stderr.contains("is not empty"), "{}", run.stderr);
    let run = sandbox.fails(1, &["generate", "--transactions", "10", "--out", "small", "--payees", "300"]);
    assert!(run.stderr.contains("payees must be at least 531"), "{}", run.stderr);
    assert!(!sandbox.path("small").exists());
    let run = sandbox.fails(2, &["generate", "--transactions", "10", "--out", "x", "--format", "xlsx"]);
    assert_no_panic(&run);
}

#[test]
fn calc_and_import_name_a_corrupt_parquet_file() {
    let sandbox = Sandbox::new();
    sandbox.ok(&[
        "generate",
        "--transactions",
        "500",
        "--out",
        "ws",
        "--payees",
        "600",
        "--territories",
        "700",
        "--format",
        "parquet",
    ]);
    sandbox.write("ws/transactions.parquet", "id,date\nt-1,2025-01-01\n");
    let ws = sandbox.arg("ws");
    let run = sandbox.fails(1, &["calc", "--workspace", ws.as_str(), "--period", "2025-01"]);
    assert!(run.stderr.contains("transactions.parquet: is not a readable Parquet file"), "{}", run.stderr);
    let run = sandbox.fails(1, &["import", ws.as_str(), "--db", "x.db"]);
    assert!(run.stderr.contains("transactions.parquet: is not a readable Parquet file"), "{}", run.stderr);
}
