//! CSV files meant to be opened in a spreadsheet (statements, payroll, `attain calc --format
//! csv`): the one writer they all use, which keeps a cell from being read as a formula.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or a
//! carriage return) as a formula: a person named `=HYPERLINK(…)` would be a live link in
//! finance's payroll sheet. Following OWASP's rule, a *text* cell starting with one of those
//! characters gets a single quote in front, which spreadsheets show as text and do not store.
//! A text cell that already starts with a quote gets one more, so the rule is reversible: the
//! exact value is the cell with one leading quote removed, when it starts with a quote.
//!
//! *Numbers* (amounts, measures, rates, tiers) are written by us from exact decimals; a
//! [`Cell::Number`] is checked to be a plain decimal (`-12.50`, `1200`) and kept as it is, so
//! a negative amount stays a number. Anything else handed over as a number is neutralised as
//! text. The workspace export (`attain export --workspace`) is not a spreadsheet file: it must
//! round-trip byte for byte through import, and does not use this writer.

use std::str::FromStr;

use rust_decimal::Decimal;

/// One cell of a spreadsheet CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text from the data (names, ids, labels, explanations): neutralised when it could run.
    Text(String),
    /// A number we wrote (exact decimal text, or empty): kept when it is a plain decimal.
    Number(String),
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }

    pub fn number(text: impl Into<String>) -> Cell {
        Cell::Number(text.into())
    }

    /// The cell as written to the file.
    pub fn written(&self) -> String {
        match self {
            Cell::Number(text) if text.is_empty() || is_plain_decimal(text) => text.clone(),
            Cell::Text(text) | Cell::Number(text) => neutralise(text),
        }
    }
}

/// `-12.50`, `1200`, `0.000001`: digits with an optional sign and point, nothing else (no
/// exponent, no spaces), which no spreadsheet reads as a formula.
fn is_plain_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|c| *c == '.').count() <= 1
        && Decimal::from_str(text).is_ok()
}

/// OWASP's rule, made reversible: a leading `= + - @ TAB CR` or `'` gets a `'` in front.
pub fn neutralise(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\'') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// The exact value of a text cell written by [`neutralise`].
pub fn recover(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// A header row and data rows as one CSV text (RFC 4180 quoting by the csv crate).
pub fn sheet_csv<const N: usize>(header: [&str; N], rows: impl IntoIterator<Item = [Cell; N]>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail: the csv crate's only errors here would be I/O errors.
    w.write_record(header).expect("writing CSV to memory");
    for row in rows {
        w.write_record(row.iter().map(Cell::written)).expect("writing CSV to memory");
    }
    let bytes = w.into_inner().expect("flushing CSV to memory");
    // Every field written was a `String`, so the bytes are UTF-8.
    String::from_utf8(bytes).expect("CSV of strings is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_could_run_is_neutralised_and_recoverable() {
        for text in ["=HYPERLINK(\"http://x\",\"pay\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "'quoted"] {
            let written = Cell::text(text).written();
            assert!(written.starts_with('\''), "{text:?} → {written:?}");
            assert_eq!(recover(&written), text);
        }
        for text in ["Ann Archer", "p-017", "2017-06", "", "a=b"] {
            assert_eq!(Cell::text(text).written(), text);
            assert_eq!(recover(text), text);
        }
    }

    #[test]
    fn numbers_stay_numbers_and_anything_else_is_text() {
        for n in ["-12.50", "1200", "0", "-0.000001", ""] {
            assert_eq!(Cell::number(n).written(), n);
        }
        for not in ["-1+2", "=1", "-", "1e5", "-1 ", "1.2.3", "-=1"] {
            let written = Cell::number(not).written();
            assert!(!(written.starts_with(['=', '+', '-', '@'])), "{not:?} → {written:?}");
        }
    }

    #[test]
    fn rows_are_quoted_as_csv() {
        let csv = sheet_csv(["name", "amount"], [[Cell::text("=cmd|' /C calc'!A0"), Cell::number("-5.00")]]);
        assert_eq!(csv, "name,amount\n'=cmd|' /C calc'!A0,-5.00\n");
    }
}
