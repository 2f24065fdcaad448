//! Pay from the command line: `plan check`, `plan test`, `plan import` and `plan remove`,
//! `calc` (its JSON output is a public contract), `statement` with explanations, and the stored
//! runs (`pay run`, `close`, `reopen`, `runs`, `payroll`) on the demo company.

use std::path::Path;

use rust_decimal::Decimal;

use crate::Sandbox;

const AS_OF: &str = "2018-01-15";

/// Writes the demo's plan files (for a demo as of 2018-01-15) into `dir`.
fn demo_plans(sandbox: &Sandbox, dir: &str) -> String {
    std::fs::create_dir_all(sandbox.path(dir)).unwrap();
    for (name, text) in attain_demo::plan_files(jiff::civil::date(2018, 1, 15)) {
        sandbox.write(&format!("{dir}/{name}"), &text);
    }
    sandbox.arg(dir)
}

fn decimal(v: &serde_json::Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("a decimal string, not {v}")).parse().unwrap()
}

#[test]
fn plan_check_names_file_line_and_field() {
    let sandbox = Sandbox::new();
    let dir = demo_plans(&sandbox, "plans");
    let ok = sandbox.ok(&["plan", "check", &dir]);
    assert!(ok.stdout.contains("plan ae version 2 ok"), "{}", ok.stdout);
    let text = std::fs::read_to_string(sandbox.path("plans/se.toml"))
        .unwrap()
        .replace("rate = \"1%\"", "rate = 0.01");
    sandbox.write("bad.toml", &text);
    let line = text.lines().position(|l| l.contains("rate = 0.01")).unwrap() + 1;
    let bad = sandbox.fails(1, &["plan", "check", &sandbox.arg("bad.toml")]);
    let expected = format!("bad.toml:{line}: components[0].tiers[0].rate: write decimals in quotes");
    assert!(bad.stderr.contains(&expected), "wanted {expected:?} in:\n{}", bad.stderr);
}

#[test]
fn plan_check_refuses_a_negative_tier_rate_with_file_line_and_field() {
    let sandbox = Sandbox::new();
    demo_plans(&sandbox, "plans");
    let text = std::fs::read_to_string(sandbox.path("plans/se.toml")).unwrap();
    assert!(text.contains("rate = \"1%\""), "{text}");
    let negative = text.replace("rate = \"1%\"", "rate = \"-1%\"");
    std::fs::create_dir_all(sandbox.path("neg")).unwrap();
    std::fs::create_dir_all(sandbox.path("allowed")).unwrap();
    sandbox.write("neg/se.toml", &negative);
    let line = negative.lines().position(|l| l.contains("rate = \"-1%\"")).unwrap() + 1;
    let bad = sandbox.fails(1, &["plan", "check", &sandbox.arg("neg")]);
    let expected = format!("se.toml:{line}: components[0].tiers[0].rate: must not be negative (-0.01)");
    assert!(bad.stderr.contains(&expected), "wanted {expected:?} in:\n{}", bad.stderr);
    // Said on purpose, the same file checks.
    let allowed = negative.replacen("mode = ", "pays_negative = true\nmode = ", 1);
    sandbox.write("allowed/se.toml", &allowed);
    let ok = sandbox.ok(&["plan", "check", &sandbox.arg("allowed")]);
    assert!(ok.stdout.contains("plan se version 1 ok"), "{}", ok.stdout);
}

#[test]
fn plan_test_runs_the_cases_next_to_the_plans_and_reports_a_failure() {
    let sandbox = Sandbox::new();
    let dir = demo_plans(&sandbox, "plans");
    std::fs::create_dir_all(sandbox.path("plans/tests")).unwrap();
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../attain-demo/plans/tests");
    for entry in std::fs::read_dir(cases).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            sandbox.path(&format!("plans/tests/{}", path.file_name().unwrap().to_string_lossy())),
        )
        .unwrap();
    }
    let ok = sandbox.ok(&["plan", "test", &dir]);
    assert!(ok.stdout.contains("3 case(s), 8 check(s), 0 failed"), "{}", ok.stdout);
    let case = std::fs::read_to_string(sandbox.path("plans/tests/ae-accelerator.toml")).unwrap();
    sandbox.write(
        "plans/tests/ae-accelerator.toml",
        &case.replace("earnings = \"4350.00\"", "earnings = \"4351.00\""),
    );
    let failed = sandbox.fails(1, &["plan", "test", &dir]);
    assert!(failed.stdout.contains("expected 4351, got 4350"), "{}", failed.stdout);
}

#[test]
fn calc_json_is_the_documented_contract_and_a_workspace_gives_the_same_pay() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("d.db");
    let seeded = sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", AS_OF]);
    assert!(seeded.stdout.contains("months 2016-01 to 2017-12 calculated and closed"), "{}", seeded.stdout);
    let run = sandbox.ok(&["calc", "--db", &db, "--period", "2017-06", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["period"], "2017-06");
    let payees = json["payees"].as_array().unwrap();
    assert!(payees.len() > 15);
    for p in payees {
        assert!(p["id"].is_string() && p["currency"] == "USD");
        let lines: Decimal = p["lines"].as_array().unwrap().iter().map(|l| decimal(&l["amount"])).sum();
        assert_eq!(lines, decimal(&p["payout"]), "{}", p["id"]);
        for c in p["components"].as_array().unwrap() {
            assert!(c["name"].is_string() && c["earnings"].is_string(), "{c}");
            // Each component names its plan: a payee may hold several.
            assert!(
                p["plans"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|v| v.as_str().unwrap().split('@').next() == c["plan"].as_str()),
                "{c}"
            );
            assert_eq!(c["earnings"].as_str().unwrap().split('.').nth(1).map(str::len), Some(2));
        }
    }
    // The same company as files calculates to the same pay.
    sandbox.ok(&["export", "--db", &db, "--workspace", &sandbox.arg("ws")]);
    assert!(sandbox.path("ws/plans/ae-v2.toml").is_file());
    let from_files =
        sandbox.ok(&["calc", "--workspace", &sandbox.arg("ws"), "--period", "2017-06", "--format", "json"]);
    assert_eq!(from_files.stdout, run.stdout);
    // The CSV has the same lines, each component line naming its plan.
    let csv = sandbox.ok(&["calc", "--db", &db, "--period", "2017-06", "--format", "csv"]).stdout;
    let mut rows = csv.lines();
    let header =
        "period,payee_id,name,currency,kind,plan,component,label,measure,quota,attainment,tier,amount";
    assert_eq!(rows.next(), Some(header));
    let lines: usize = payees.iter().map(|p| p["lines"].as_array().unwrap().len()).sum();
    assert_eq!(rows.clone().count(), lines);
    for row in rows.filter(|r| r.split(',').nth(4) == Some("component")) {
        assert!(row.split(',').nth(5).is_some_and(|plan| !plan.is_empty()), "{row}");
    }
    // A quarter is each payee's total over its three months' statements.
    let quarter = sandbox.ok(&["calc", "--db", &db, "--period", "2017-Q2", "--format", "json"]).stdout;
    let quarter: serde_json::Value = serde_json::from_str(&quarter).unwrap();
    assert_eq!(quarter["period"], "2017-Q2");
    let mut expected: std::collections::BTreeMap<String, (Decimal, u64)> = Default::default();
    for month in ["2017-04", "2017-05", "2017-06"] {
        let run = sandbox.ok(&["calc", "--db", &db, "--period", month, "--format", "json"]).stdout;
        let run: serde_json::Value = serde_json::from_str(&run).unwrap();
        for p in run["payees"].as_array().unwrap() {
            let e = expected.entry(p["id"].as_str().unwrap().to_string()).or_default();
            e.0 += decimal(&p["payout"]);
            e.1 += 1;
        }
    }
    let totals = quarter["payees"].as_array().unwrap();
    assert_eq!(totals.len(), expected.len());
    for t in totals {
        let (payout, months) = &expected[t["person_id"].as_str().unwrap()];
        assert_eq!(decimal(&t["payout"]), *payout, "{t}");
        assert_eq!(t["months"].as_u64(), Some(*months), "{t}");
    }
    // A payee with no statement in the period is named.
    let nobody = sandbox.fails(1, &["calc", "--db", &db, "--period", "2017-06", "--payee", "nobody"]);
    assert!(nobody.stderr.contains("--payee nobody"), "{}", nobody.stderr);
}

#[test]
fn stored_runs_statements_and_payroll() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("d.db");
    sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", AS_OF]);
    let runs = sandbox.ok(&["pay", "runs", "--db", &db]);
    assert_eq!(runs.stdout.lines().count(), 25, "{}", runs.stdout);
    assert!(runs.stdout.lines().next().unwrap().contains("draft"));

    let closed = sandbox.fails(1, &["pay", "run", "--db", &db, "--period", "2017-06"]);
    assert!(closed.stderr.contains("reopen it to run it again"), "{}", closed.stderr);
    let first = sandbox.ok(&["pay", "run", "--db", &db, "--period", "2018-01"]);
    assert!(first.stdout.contains("closed months recalculated: "), "{}", first.stdout);
    // Nothing changed since: no closed month is calculated again, and the run says so.
    let again = sandbox.ok(&["pay", "run", "--db", &db, "--period", "2018-01"]);
    assert!(
        again.stdout.contains("closed months recalculated: none (no closed month's data changed)"),
        "{}",
        again.stdout
    );
    sandbox.ok(&["pay", "close", "--db", &db, "--period", "2018-01"]);
    let reopen = sandbox.ok(&["pay", "reopen", "--db", &db, "--period", "2018-01", "--reason", "late deal"]);
    // Versions 1 and 2 were the two runs, the second closed.
    assert!(reopen.stdout.contains("version 3 reopened"), "{}", reopen.stdout);

    let payroll = sandbox.ok(&["pay", "payroll", "--db", &db, "--period", "2017-06"]);
    let mut lines = payroll.stdout.lines();
    assert_eq!(lines.next(), Some("payee_id,name,currency,amount,period"));
    assert!(lines.all(|l| l.ends_with(",2017-06")));

    let json: serde_json::Value = serde_json::from_str(
        &sandbox.ok(&["calc", "--db", &db, "--period", "2017-06", "--format", "json"]).stdout,
    )
    .unwrap();
    let rep = json["payees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["plans"][0].as_str().unwrap().starts_with("ae@"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let text = sandbox.ok(&["statement", "--db", &db, "--period", "2017-06", "--payee", &rep, "--explain"]);
    assert!(text.stdout.contains("How it was made"), "{}", text.stdout);
    assert!(text.stdout.contains("Payout"), "{}", text.stdout);
    sandbox.ok(&[
        "statement",
        "--db",
        &db,
        "--period",
        "2017-06",
        "--payee",
        &rep,
        "--format",
        "xlsx",
        "--out",
        &sandbox.arg("s.xlsx"),
        "--explain",
    ]);
    assert_eq!(&std::fs::read(sandbox.path("s.xlsx")).unwrap()[..2], b"PK", "an XLSX file is a zip");
    let missing = sandbox.fails(1, &["statement", "--db", &db, "--period", "2019-06", "--payee", &rep]);
    assert!(missing.stderr.contains("no stored statement"), "{}", missing.stderr);
}

#[test]
fn plan_import_adds_or_replaces_and_plan_remove_refuses_a_plan_in_use() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("d.db");
    sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", AS_OF]);
    // A directory with one new plan: importing it keeps every stored plan.
    std::fs::create_dir_all(sandbox.path("more")).unwrap();
    let se = attain_demo::plan_files(jiff::civil::date(2018, 1, 15))
        .into_iter()
        .find(|(name, _)| name == "se.toml")
        .unwrap()
        .1;
    sandbox.write("more/spare.toml", &se.replacen("id = \"se\"", "id = \"spare\"", 1));
    let dry = sandbox.ok(&["plan", "import", "--db", &db, "--dry-run", &sandbox.arg("more")]);
    assert!(dry.stdout.contains("added      spare.toml") && dry.stdout.contains("dry run"), "{}", dry.stdout);
    let removed = sandbox.fails(1, &["plan", "remove", "--db", &db, "spare.toml"]);
    assert!(removed.stderr.contains("no stored plan file"), "the dry run stored nothing: {}", removed.stderr);
    let saved = sandbox.ok(&["plan", "import", "--db", &db, &sandbox.arg("more")]);
    for kept in ["ae-v1.toml", "ae-v2.toml", "manager.toml", "se.toml"] {
        assert!(
            saved.stdout.contains(&format!("kept (not in the directory) {kept}")),
            "{kept} stays: {}",
            saved.stdout
        );
    }
    sandbox.ok(&["pay", "run", "--db", &db, "--period", "2018-01"]);
    // Removing a plan that was paid is refused with the reason; an unused one goes.
    let paid = sandbox.fails(1, &["plan", "remove", "--db", &db, "ae-v1.toml"]);
    assert!(paid.stderr.contains("ae@1"), "{}", paid.stderr);
    let gone = sandbox.ok(&["plan", "remove", "--db", &db, "spare.toml"]);
    assert!(gone.stdout.starts_with("removed spare.toml"), "{}", gone.stdout);
}

#[test]
fn calc_csv_writes_a_payee_named_like_a_formula_as_text() {
    // `calc --format csv` is opened in spreadsheets as the payroll file is: a cell that would
    // run as a formula is written as text (a leading quote, removable to get the exact value),
    // while numbers, negative ones too, stay numbers.
    let sandbox = Sandbox::new();
    let db = sandbox.arg("d.db");
    sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", AS_OF]);
    let ws = sandbox.arg("ws");
    sandbox.ok(&["export", "--db", &db, "--workspace", &ws]);
    let calc = sandbox.ok(&["calc", "--workspace", &ws, "--period", "2017-06", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&calc.stdout).unwrap();
    let payee = json["payees"][0]["id"].as_str().unwrap().to_string();

    let formula = "=HYPERLINK(\"http://evil.example\",\"Click for bonus\")";
    let people = std::fs::read_to_string(sandbox.path("ws/people.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(people.as_bytes());
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(reader.headers().unwrap()).unwrap();
    for record in reader.records() {
        let mut cells: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        if cells[0] == payee {
            cells[1] = formula.to_string();
        }
        writer.write_record(&cells).unwrap();
    }
    sandbox.write("ws/people.csv", &String::from_utf8(writer.into_inner().unwrap()).unwrap());

    let run = sandbox.ok(&["calc", "--workspace", &ws, "--period", "2017-06", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let numeric = ["measure", "quota", "attainment", "tier", "amount"];
    let mut named = 0;
    for record in reader.records() {
        let record = record.unwrap();
        if &record[1] == payee.as_str() {
            assert_eq!(&record[2], format!("'{formula}"), "the name is text, not a live formula");
            named += 1;
        }
        for (column, cell) in headers.iter().zip(record.iter()) {
            if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                let negative = cell.parse::<Decimal>().is_ok_and(|d| d < Decimal::ZERO);
                assert!(numeric.contains(&column) && negative, "{column}: {cell:?}");
            }
        }
    }
    assert!(named > 0, "the payee's lines are in the CSV:\n{}", run.stdout);
}
