//! `attain calc --workspace` reads the files into memory, no database: it pays exactly what the
//! same files imported into a database pay, and refuses a bad file the way `attain import` does,
//! naming the file, line (a Parquet file's row), column and value.

use attain_app::generate::parquet::ParquetFile;
use attain_core::Kind;
use attain_core::record::{Value, cells_from_text};

use crate::{Sandbox, assert_no_panic};

/// A small generated company as a workspace (transactions as CSV) in `ws`.
fn generated(sandbox: &Sandbox) -> String {
    let args =
        ["generate", "--transactions", "2000", "--payees", "600", "--territories", "700", "--out", "ws"];
    sandbox.ok(&args);
    sandbox.arg("ws")
}

/// `ws/transactions.csv` as (header, data lines).
fn transactions(sandbox: &Sandbox) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(sandbox.path("ws/transactions.csv")).unwrap();
    let mut lines = text.lines().map(str::to_string);
    let header = lines.next().unwrap();
    (header, lines.collect())
}

fn write_transactions(sandbox: &Sandbox, header: &str, rows: &[String]) {
    sandbox.write("ws/transactions.csv", &format!("{header}\n{}\n", rows.join("\n")));
}

/// Sets cell `column` of a CSV line.
fn with_cell(header: &str, line: &str, column: &str, value: &str) -> String {
    let at = header.split(',').position(|h| h == column).unwrap();
    let mut cells: Vec<&str> = line.split(',').collect();
    cells[at] = value;
    cells.join(",")
}

/// A calculation that must be refused: its error output.
fn refused(sandbox: &Sandbox, ws: &str) -> String {
    let run = sandbox.fails(1, &["calc", "--workspace", ws, "--period", "FY2025"]);
    assert_no_panic(&run);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    run.stderr
}

#[test]
fn calc_workspace_names_a_bad_cell_in_transactions_csv() {
    let sandbox = Sandbox::new();
    let ws = generated(&sandbox);
    let (header, mut rows) = transactions(&sandbox);
    rows[6] = with_cell(&header, &rows[6], "amount", "12x5");
    write_transactions(&sandbox, &header, &rows);
    let stderr = refused(&sandbox, &ws);
    // Data line 7 is the file's line 8 (the header is line 1).
    let file = sandbox.path("ws/transactions.csv").display().to_string();
    assert!(stderr.contains(&format!("{file}: line 8, column amount: '12x5' is not a number")), "{stderr}");
    // Nothing is calculated, and a return of that transaction is reported too, as an import
    // reports it.
    assert!(stderr.contains("bad rows; nothing was written"), "{stderr}");
}

#[test]
fn calc_workspace_names_a_bad_cell_in_transactions_parquet() {
    let sandbox = Sandbox::new();
    let ws = generated(&sandbox);
    let (header, lines) = transactions(&sandbox);
    let spec = Kind::Transactions.spec();
    let texts = |line: &str| -> Vec<Option<String>> {
        let by_name: Vec<(&str, &str)> = header.split(',').zip(line.split(',')).collect();
        spec.columns
            .iter()
            .map(|c| by_name.iter().find(|(h, _)| *h == c.name).map(|(_, v)| v.to_string()))
            .collect()
    };
    let mut rows: Vec<Vec<Value>> = lines.iter().map(|l| cells_from_text(spec, &texts(l)).unwrap()).collect();
    let kind = spec.index_of("kind").unwrap();
    rows[3][kind] = Value::Text("gift".into());
    let path = sandbox.path("ws/transactions.parquet");
    let mut file = ParquetFile::create(&path, Kind::Transactions).unwrap();
    file.write(&rows).unwrap();
    file.finish().unwrap();
    std::fs::remove_file(sandbox.path("ws/transactions.csv")).unwrap();
    let stderr = refused(&sandbox, &ws);
    let named = format!("{}: row 4, column kind:", path.display());
    assert!(stderr.contains(&named) && stderr.contains("gift"), "{stderr}");
}

#[test]
fn calc_workspace_refuses_a_dangling_reference_and_a_duplicate_id() {
    let sandbox = Sandbox::new();
    let ws = generated(&sandbox);
    let (header, mut rows) = transactions(&sandbox);
    let file = sandbox.path("ws/transactions.csv").display().to_string();
    let (first, second) = (rows[0].clone(), rows[1].clone());
    rows[1] = with_cell(&header, &second, "account_id", "no-such-account");
    write_transactions(&sandbox, &header, &rows);
    let stderr = refused(&sandbox, &ws);
    assert!(
        stderr.contains(&format!(
            "{file}: line 3, column account_id: account 'no-such-account' does not exist"
        )),
        "{stderr}"
    );

    let (_, mut rows) = transactions(&sandbox);
    rows[1] = second;
    rows.push(first.clone());
    write_transactions(&sandbox, &header, &rows);
    let stderr = refused(&sandbox, &ws);
    let id = first.split(',').next().unwrap();
    let last = rows.len() + 1;
    assert!(stderr.contains("1 bad row"), "{stderr}");
    assert!(
        stderr
            .contains(&format!("{file}: line {last}, column id: duplicate id '{id}': line 2 has it already")),
        "{stderr}"
    );
}

#[test]
fn calc_workspace_pays_as_the_same_files_imported_into_a_database() {
    let sandbox = Sandbox::new();
    let ws = generated(&sandbox);
    // Transactions out of id order, reversals before what they reverse.
    let (header, mut rows) = transactions(&sandbox);
    rows.reverse();
    write_transactions(&sandbox, &header, &rows);
    let db = sandbox.arg("w.db");
    sandbox.ok(&["import", &ws, "--db", &db]);
    for (period, format) in [("FY2025", "json"), ("2025-06", "json"), ("2025-Q4", "csv")] {
        let args = |from: &[&str]| {
            let mut args = vec!["calc", "--period", period, "--format", format];
            args.extend_from_slice(from);
            sandbox.ok(&args).stdout
        };
        let (from_files, from_db) = (args(&["--workspace", &ws]), args(&["--db", &db]));
        assert!(from_files.len() > 1_000, "{period}: {from_files}");
        assert!(from_files == from_db, "{period} {format}: the workspace and the database pay differently");
    }
}
