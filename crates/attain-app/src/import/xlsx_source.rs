//! Reading a spreadsheet (XLSX, read with `calamine`) into the table a CSV file becomes, so a
//! sheet goes through the same import as a CSV file: canonical column names or a mapping, the
//! same checks, the same messages. Comp teams keep quotas and objectives in spreadsheets.
//!
//! A row's errors name the file and its sheet (`quotas.xlsx, sheet Quotas`), the sheet's own
//! row number and the column's header. Cells become the text a person typed: numbers at the
//! precision Excel shows (15 significant digits), dates as `YYYY-MM-DD`.

use std::io::{Read, Seek};

use attain_core::{Decimal, Kind};
use calamine::{Data, Reader, Xlsx};

use super::csv_source::CsvTable;
use super::report::{ImportError, RowError};

/// Whether `file` is named as a spreadsheet this module reads.
pub fn is_xlsx(file: &str) -> bool {
    std::path::Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// The sheet of workbook `input` (named `file` in messages) that holds `kind`, as a table:
/// its first used row is the header, each later row a record numbered as the sheet numbers
/// it. Rows holding a cell the import cannot read (a spreadsheet error such as `#DIV/0!`)
/// go to the returned errors instead.
pub fn read_sheet<R: Read + Seek>(
    file: &str,
    input: R,
    kind: Kind,
) -> Result<(CsvTable, Vec<RowError>), ImportError> {
    let fail = |reason: String| ImportError::File { path: file.to_string(), reason };
    let mut book: Xlsx<R> = Xlsx::new(input)
        .map_err(|e| fail(format!("cannot read the workbook (is it an .xlsx file?): {e}")))?;
    let name = sheet_for(&book.sheet_names(), kind).map_err(fail)?;
    let range = book.worksheet_range(&name).map_err(|e| fail(format!("cannot read sheet {name}: {e}")))?;
    let shown = format!("{file}, sheet {name}");
    let Some((first_row, first_column)) = range.start() else {
        return Err(ImportError::File {
            path: shown,
            reason: "the sheet is empty: it needs a header row".into(),
        });
    };
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .unwrap_or_default()
        .iter()
        .map(|cell| cell_text(cell).unwrap_or_default().trim().to_string())
        .collect();
    if header.iter().all(String::is_empty) {
        return Err(ImportError::File {
            path: shown,
            reason: "the first row is empty: it needs a header row".into(),
        });
    }
    let mut records = Vec::new();
    let mut errors = Vec::new();
    // Sheet rows are numbered from 1; the header is the first used row.
    for (i, cells) in rows.enumerate() {
        let row = u64::from(first_row) + i as u64 + 2;
        if cells.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        let mut texts = Vec::with_capacity(cells.len());
        let mut bad = None;
        for (j, cell) in cells.iter().enumerate() {
            match cell_text(cell) {
                Ok(text) => texts.push(text),
                Err(reason) => {
                    let column = header.get(j).filter(|h| !h.is_empty()).cloned();
                    let letter = column_letter(first_column + j as u32);
                    bad.get_or_insert(RowError {
                        file: shown.clone(),
                        line: row,
                        column: Some(
                            column.map_or_else(|| format!("({letter})"), |c| format!("{c} ({letter})")),
                        ),
                        value: Some(cell.to_string()),
                        reason,
                    });
                    texts.push(String::new());
                }
            }
        }
        match bad {
            Some(e) => errors.push(e),
            None => records.push((row, csv::StringRecord::from(texts))),
        }
    }
    Ok((CsvTable { file: shown, header, records }, errors))
}

/// The sheet holding `kind`: the only one, or the one named after the kind (`Quotas` or
/// `quotas` for quotas, `Plan assignments` for plan_assignments).
fn sheet_for(names: &[String], kind: Kind) -> Result<String, String> {
    if let [only] = names {
        return Ok(only.clone());
    }
    let wanted = kind.to_string();
    let fits = |name: &str| name.trim().to_lowercase().replace([' ', '-'], "_") == wanted;
    names.iter().find(|n| fits(n)).cloned().ok_or_else(|| {
        format!(
            "the workbook has {} sheets ({}) and none is named {wanted}: name the sheet to import {wanted}, or keep only that sheet",
            names.len(),
            names.join(", ")
        )
    })
}

/// A cell as the text a person typed, or why the import cannot read it.
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, min, s, ms) = d.to_ymd_hms_milli();
            if (h, min, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02}T{h:02}:{min:02}:{s:02}")
            }
        }
        Data::DateTime(d) => number_text(d.as_f64()),
        Data::Error(e) => return Err(format!("the cell holds the spreadsheet error {e}")),
    })
}

/// A spreadsheet number as decimal text. Excel keeps numbers as binary doubles and shows at
/// most 15 significant digits; the shortest text that reads back as the same double is what
/// was typed, and a computed value (`=0.1+0.2`, stored as 0.30000000000000004) is taken as
/// Excel shows it, rounded to 15 significant digits. Money is parsed exactly from this text.
fn number_text(f: f64) -> String {
    let shortest = f.to_string();
    let significant =
        shortest.trim_start_matches(['-', '0', '.']).chars().filter(char::is_ascii_digit).count();
    if !f.is_finite() || significant <= 15 {
        return shortest;
    }
    Decimal::from_scientific(&format!("{f:.14e}")).map_or(shortest, |d| d.normalize().to_string())
}

/// A sheet column's letters from its 0-based index: 0 → A, 25 → Z, 26 → AA.
fn column_letter(mut index: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    /// Fills one sheet of a test workbook.
    type Fill<'a> = &'a dyn Fn(&mut rust_xlsxwriter::Worksheet);

    fn book(sheets: &[(&str, Fill<'_>)]) -> Vec<u8> {
        let mut workbook = Workbook::new();
        for (name, fill) in sheets {
            let sheet = workbook.add_worksheet();
            sheet.set_name(*name).expect("a sheet name");
            fill(sheet);
        }
        workbook.save_to_buffer().expect("a workbook")
    }

    #[test]
    fn cells_read_as_typed_with_rows_numbered_as_the_sheet_numbers_them() {
        let bytes = book(&[
            ("Notes", &|s| {
                s.write(0, 0, "nothing to import").expect("a cell");
            }),
            ("Quotas", &|s| {
                let date = Format::new().set_num_format("yyyy-mm-dd");
                for (c, h) in ["id", "amount", "from", "note"].iter().enumerate() {
                    s.write(1, c as u16 + 1, *h).expect("a header");
                }
                s.write(2, 1, "q-1").expect("a cell");
                s.write(2, 2, 0.1 + 0.2).expect("a cell");
                let day = ExcelDateTime::from_ymd(2025, 4, 15).expect("a date");
                s.write_datetime_with_format(2, 3, &day, &date).expect("a cell");
                s.write(2, 4, "x").expect("a cell");
                // A blank row is skipped; the next keeps its own number.
                s.write(4, 1, "q-2").expect("a cell");
                s.write(4, 2, 1500).expect("a cell");
                s.write(4, 3, "2025-05-01").expect("a cell");
                s.write(4, 4, true).expect("a cell");
            }),
        ]);
        let (table, errors) = read_sheet("q.xlsx", std::io::Cursor::new(bytes), Kind::Quotas).expect("read");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(table.file, "q.xlsx, sheet Quotas");
        assert_eq!(table.header, ["id", "amount", "from", "note"]);
        let rows: Vec<(u64, Vec<&str>)> =
            table.records.iter().map(|(row, r)| (*row, r.iter().collect())).collect();
        assert_eq!(
            rows,
            [(3, vec!["q-1", "0.3", "2025-04-15", "x"]), (5, vec!["q-2", "1500", "2025-05-01", "true"])]
        );
    }

    #[test]
    fn a_workbook_without_the_kinds_sheet_is_refused_naming_its_sheets() {
        let bytes = book(&[("Sheet1", &|_| {}), ("Sheet2", &|_| {})]);
        let Err(ImportError::File { path, reason }) =
            read_sheet("q.xlsx", std::io::Cursor::new(bytes), Kind::Quotas)
        else {
            panic!("refused");
        };
        assert_eq!(path, "q.xlsx");
        assert!(reason.contains("2 sheets (Sheet1, Sheet2)") && reason.contains("quotas"), "{reason}");
        let Err(ImportError::File { reason, .. }) =
            read_sheet("q.csv", std::io::Cursor::new(b"a,b\n1,2\n".to_vec()), Kind::Quotas)
        else {
            panic!("refused");
        };
        assert!(reason.contains("is it an .xlsx file"), "{reason}");
    }

    #[test]
    fn a_cut_or_garbled_workbook_is_refused_not_a_crash() {
        let bytes = book(&[("Quotas", &|s| {
            s.write(0, 0, "id").expect("a cell");
            s.write(1, 0, "q-1").expect("a cell");
        })]);
        for cut in (0..bytes.len()).step_by(97) {
            let result = read_sheet("q.xlsx", std::io::Cursor::new(bytes[..cut].to_vec()), Kind::Quotas);
            assert!(matches!(result, Err(ImportError::File { .. })), "cut at {cut}");
        }
        let mut garbled = bytes.clone();
        for (i, b) in garbled.iter_mut().enumerate().skip(200).step_by(11) {
            *b ^= (i % 251) as u8;
        }
        // Either refused or read; never a panic.
        let _ = read_sheet("q.xlsx", std::io::Cursor::new(garbled), Kind::Quotas);
    }

    #[test]
    fn numbers_keep_what_was_typed_and_computed_ones_what_excel_shows() {
        assert_eq!(number_text(1500.0), "1500");
        assert_eq!(number_text(-12.5), "-12.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(1234567.891), "1234567.891");
        assert_eq!(number_text(0.000123), "0.000123");
        assert_eq!(number_text(2.0 / 3.0), "0.666666666666667");
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
        assert!(is_xlsx("Q1 Quotas.XLSX") && !is_xlsx("quotas.csv"));
    }
}
