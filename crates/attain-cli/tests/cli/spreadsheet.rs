//! A spreadsheet (`.xlsx`) imports as its CSV would: the sheet named after the kind, each cell
//! read as typed, the same checks; a bad cell is named by file, sheet, row and column, and
//! nothing is written.

use rust_xlsxwriter::Workbook;

use crate::Sandbox;

const AS_OF: &str = "2018-01-15";

/// A workbook holding `rows` under `header` on a sheet named `sheet` (after a notes sheet,
/// when `notes` is given), the `number` column as numbers when a cell reads as one (as a
/// spreadsheet holds it), everything else as text.
fn workbook(
    sheet_name: &str,
    notes: Option<&str>,
    header: &[&str],
    rows: &[Vec<String>],
    number: usize,
) -> Vec<u8> {
    let mut book = Workbook::new();
    if let Some(text) = notes {
        let notes = book.add_worksheet();
        notes.set_name("Notes").expect("a name");
        notes.write(0, 0, text).expect("a cell");
    }
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name).expect("a name");
    for (c, h) in header.iter().enumerate() {
        sheet.write(0, c as u16, *h).expect("a header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if usize::from(c) == number => sheet.write(r, c, n),
                _ => sheet.write(r, c, cell.as_str()),
            }
            .expect("a cell");
        }
    }
    book.save_to_buffer().expect("a workbook")
}

/// The quotas sheet after a notes sheet, the amount column as numbers.
fn quotas_workbook(header: &[&str], rows: &[Vec<String>], amount: usize) -> Vec<u8> {
    workbook("Quotas", Some("Q1 quotas as agreed with finance"), header, rows, amount)
}

#[test]
fn quotas_import_from_a_workbook_and_a_bad_cell_is_named_by_sheet_row_and_column() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("q.db");
    sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", AS_OF]);
    let ws = sandbox.arg("ws");
    sandbox.ok(&["export", "--db", &db, "--workspace", &ws]);
    let exported = std::fs::read_to_string(sandbox.path("ws/quotas.csv")).expect("quotas.csv");
    let mut lines = exported.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let amount = header.iter().position(|h| *h == "amount").expect("an amount column");
    let mut rows: Vec<Vec<String>> =
        lines.take(3).map(|l| l.split(',').map(str::to_string).collect()).collect();
    rows[0][amount] = "12345.5".into();
    let kept = std::mem::replace(&mut rows[2][amount], "lots".into());
    let book = sandbox.path("Q1 quotas.xlsx");
    std::fs::write(&book, quotas_workbook(&header, &rows, amount)).expect("written");
    let book = book.display().to_string();

    let before = sandbox.ok(&["export", "--db", &db]).stdout;
    let run = sandbox.fails(1, &["import", "quotas", &book, "--db", &db]);
    assert!(run.stderr.starts_with("error: 1 bad row; nothing was written"), "{}", run.stderr);
    assert!(
        run.stderr.contains("Q1 quotas.xlsx, sheet Quotas: row 4, column amount: 'lots' is not a number"),
        "{}",
        run.stderr
    );
    assert!(sandbox.ok(&["export", "--db", &db]).stdout == before, "a refused workbook changed the database");

    rows[2][amount] = kept;
    std::fs::write(&book, quotas_workbook(&header, &rows, amount)).expect("written");
    let run = sandbox.ok(&["import", "quotas", &book, "--db", &db]);
    assert!(run.stdout.contains("quotas") && run.stdout.contains("1 updated"), "{}", run.stdout);
    sandbox.ok(&["export", "--db", &db, "--workspace", &ws]);
    let after = std::fs::read_to_string(sandbox.path("ws/quotas.csv")).expect("quotas.csv");
    let first = format!("{},", rows[0][0]);
    let line = after.lines().find(|l| l.starts_with(&first)).expect("the first quota");
    assert_eq!(line.split(',').nth(amount), Some("12345.5"), "{line}");
}

/// A workbook with one sheet named Objectives, the target column as numbers.
fn objectives_workbook(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let target = header.iter().position(|h| *h == "target").expect("a target column");
    workbook("Objectives", None, header, rows, target)
}

#[test]
fn objectives_import_from_a_workbook_named_by_sheet_row_and_column_and_never_overlap() {
    let sandbox = Sandbox::new();
    let db = sandbox.arg("o.db");
    sandbox.ok(&["demo", "--no-serve", "--db", &db, "--as-of", AS_OF]);
    let ws = sandbox.arg("ws");
    sandbox.ok(&["export", "--db", &db, "--workspace", &ws]);
    let exported = std::fs::read_to_string(sandbox.path("ws/objectives.csv")).expect("objectives.csv");
    let mut lines = exported.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    assert_eq!(
        header,
        [
            "id",
            "position_id",
            "measure",
            "cadence",
            "target",
            "currency",
            "valid_from",
            "valid_to",
            "note",
            "set_by"
        ]
    );
    // A demo rep's seat, from its open call objective.
    let open_calls = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|c| c[2] == "calls" && c[7].is_empty())
        .expect("an open call objective");
    let seat = open_calls[1].to_string();
    let row = |id: &str, measure: &str, cadence: &str, target: &str, from: &str| -> Vec<String> {
        [id, &seat, measure, cadence, target, "", from, "", "set in the team workbook", ""]
            .map(str::to_string)
            .to_vec()
    };
    let mut rows = vec![
        row("ws-demos", "demos", "month", "6", "2018-02-01"),
        row("ws-meetings", "meetings", "week", "twelve", "2018-02-01"),
    ];
    let book = sandbox.path("Team objectives.xlsx");
    std::fs::write(&book, objectives_workbook(&header, &rows)).expect("written");
    let book = book.display().to_string();

    let before = sandbox.ok(&["export", "--db", &db]).stdout;
    let run = sandbox.fails(1, &["import", "objectives", &book, "--db", &db]);
    assert!(run.stderr.starts_with("error: 1 bad row; nothing was written"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "Team objectives.xlsx, sheet Objectives: row 3, column target: 'twelve' is not a number"
        ),
        "{}",
        run.stderr
    );
    assert!(sandbox.ok(&["export", "--db", &db]).stdout == before, "a refused workbook changed the database");

    // A second call objective for the seat while the demo's is open: they would overlap.
    rows[1] = row("ws-calls", "calls", "week", "30", "2018-02-01");
    std::fs::write(&book, objectives_workbook(&header, &rows)).expect("written");
    let run = sandbox.fails(1, &["import", "objectives", &book, "--db", &db]);
    assert!(run.stderr.contains("row 3") && run.stderr.contains("overlap"), "{}", run.stderr);

    rows[1] = row("ws-meetings", "meetings", "week", "12", "2018-02-01");
    std::fs::write(&book, objectives_workbook(&header, &rows)).expect("written");
    let run = sandbox.ok(&["import", "objectives", &book, "--db", &db]);
    assert!(run.stdout.contains("objectives") && run.stdout.contains("2 new"), "{}", run.stdout);
    // The same workbook again changes nothing.
    let run = sandbox.ok(&["import", "objectives", &book, "--db", &db]);
    assert!(run.stdout.contains("2 unchanged"), "{}", run.stdout);
}
