//! Reading CSV into batch rows: a canonical file (headers are Attain's column names) or any
//! file through a [`Mapping`]. Handles a UTF-8 byte-order mark and CRLF line endings.

use std::io::Read;
use std::sync::Arc;

use attain_core::Kind;

use super::batch::{Cells, Origin, SourceRow};
use super::mapping::{Mapping, Rule};
use super::report::{ImportError, RowError};

/// A CSV file read as header plus records, with the line each record starts on.
pub struct CsvTable {
    pub file: String,
    pub header: Vec<String>,
    pub records: Vec<(u64, csv::StringRecord)>,
}

impl CsvTable {
    pub fn read(file: &str, input: impl Read) -> Result<CsvTable, ImportError> {
        let fail = |reason: String| ImportError::File { path: file.to_string(), reason };
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(LineBreaks::new(input));
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| fail(format!("cannot read the header: {e}")))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        if header.iter().all(String::is_empty) {
            return Err(fail("the file is empty: it needs a header row".into()));
        }
        let mut records = Vec::new();
        loop {
            let mut record = csv::StringRecord::new();
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| reader.get_mut().line_at(p.byte()));
                    return Err(fail(format!("line {line}: cannot read the row: {e}")));
                }
            }
            let line = record.position().map_or(0, |p| reader.get_mut().line_at(p.byte()));
            // A completely empty line (often a trailing one) carries no row.
            if record.len() == 1 && record[0].trim().is_empty() {
                continue;
            }
            records.push((line, record));
        }
        Ok(CsvTable { file: file.to_string(), header, records })
    }

    pub fn open(path: &std::path::Path) -> Result<CsvTable, ImportError> {
        let shown = path.display().to_string();
        let file = std::fs::File::open(path)
            .map_err(|e| ImportError::File { path: shown.clone(), reason: format!("cannot open: {e}") })?;
        CsvTable::read(&shown, std::io::BufReader::with_capacity(1 << 20, file))
    }

    pub fn index(&self, column: &str) -> Option<usize> {
        self.header.iter().position(|h| h == column)
    }

    fn width_error(&self, line: u64, found: usize) -> RowError {
        RowError {
            file: self.file.clone(),
            line,
            column: None,
            value: None,
            reason: format!("has {found} fields but the header has {}", self.header.len()),
        }
    }

    /// Rows of a file whose header uses Attain's column names (the records move into the rows). Unknown columns are refused
    /// (a typo would otherwise drop data silently); optional columns may be left out.
    pub fn canonical_rows(
        &mut self,
        kind: Kind,
        errors: &mut Vec<RowError>,
    ) -> Result<Vec<SourceRow>, ImportError> {
        let spec = kind.spec();
        let fail = |reason: String| ImportError::File { path: self.file.clone(), reason };
        for name in &self.header {
            if spec.index_of(name).is_none() {
                let known: Vec<_> = spec.columns.iter().map(|c| c.name).collect();
                return Err(fail(format!(
                    "unknown column '{name}' for {kind} (columns: {})",
                    known.join(", ")
                )));
            }
        }
        let missing: Vec<_> = spec
            .columns
            .iter()
            .filter(|c| c.required && self.index(c.name).is_none())
            .map(|c| c.name)
            .collect();
        if !missing.is_empty() {
            return Err(fail(format!(
                "missing required column{} {}",
                plural(missing.len()),
                missing.join(", ")
            )));
        }
        let columns: Arc<[Option<usize>]> = spec.columns.iter().map(|c| self.index(c.name)).collect();
        let origin = Origin::canonical(self.file.clone(), kind);
        let width = self.header.len();
        let mut rows = Vec::with_capacity(self.records.len());
        // The records move into the rows as they are: the checks read their cells in place.
        for (line, record) in std::mem::take(&mut self.records) {
            if record.len() != width {
                errors.push(self.width_error(line, record.len()));
                continue;
            }
            let cells = Cells::Record { record, columns: Arc::clone(&columns) };
            rows.push(SourceRow { origin: Arc::clone(&origin), line, cells });
        }
        Ok(rows)
    }

    /// Rows of any file read through a mapping.
    pub fn mapped_rows(
        &self,
        mapping: &Mapping,
        errors: &mut Vec<RowError>,
    ) -> Result<Vec<SourceRow>, ImportError> {
        let kind = mapping.kind;
        let spec = kind.spec();
        for (name, rule) in &mapping.columns {
            let required = spec.index_of(name).is_some_and(|i| spec.columns[i].required);
            let has_default = matches!(rule, Rule::Full(f) if f.default.is_some());
            if let Some(source) = rule.source_column()
                && self.index(source).is_none()
                && required
                && !has_default
            {
                return Err(ImportError::File {
                    path: self.file.clone(),
                    reason: format!("missing required column '{source}' (mapped to {name})"),
                });
            }
        }
        let origin = Arc::new(Origin {
            file: self.file.clone(),
            columns: spec
                .columns
                .iter()
                .map(|c| mapping.columns.get(c.name).and_then(Rule::source_column).map(str::to_string))
                .collect(),
        });
        let rules: Vec<Option<&Rule>> = spec.columns.iter().map(|c| mapping.columns.get(c.name)).collect();
        let mut rows = Vec::with_capacity(self.records.len());
        'records: for (line, record) in &self.records {
            if record.len() != self.header.len() {
                errors.push(self.width_error(*line, record.len()));
                continue;
            }
            let get = |column: &str| {
                self.index(column).and_then(|i| record.get(i)).map(str::trim).filter(|v| !v.is_empty())
            };
            let mut cells = Vec::with_capacity(rules.len());
            for rule in &rules {
                let value = match rule {
                    None => None,
                    Some(rule) => match rule.apply(get) {
                        Ok(v) => v,
                        Err((value, reason)) => {
                            errors.push(RowError {
                                file: self.file.clone(),
                                line: *line,
                                column: rule.source_column().map(str::to_string),
                                value: Some(value),
                                reason,
                            });
                            continue 'records;
                        }
                    },
                };
                cells.push(value);
            }
            rows.push(SourceRow { origin: Arc::clone(&origin), line: *line, cells: Cells::Text(cells) });
        }
        Ok(rows)
    }
}

/// Passes a file's bytes through to the CSV parser while noting where each run of line breaks
/// ends, so a record's line can be found from the byte offset it starts at. The parser's own
/// line count is one short for every record after a CRLF or a blank line (BurntSushi/rust-csv
/// issues 395 and 208), and Windows exports end every line with CRLF.
struct LineBreaks<R> {
    inner: R,
    /// Bytes passed through so far.
    offset: u64,
    /// `\n` bytes passed through so far.
    newlines: u64,
    /// Where the run of `\r`/`\n` bytes now being passed through started.
    run: Option<u64>,
    /// Finished runs not yet behind a record: (start, newlines up to the run's end).
    runs: std::collections::VecDeque<(u64, u64)>,
    /// Newlines up to the end of the last run behind the last record asked about.
    behind: u64,
}

impl<R> LineBreaks<R> {
    fn new(inner: R) -> Self {
        LineBreaks { inner, offset: 0, newlines: 0, run: None, runs: Default::default(), behind: 0 }
    }

    /// The 1-based line of the record the parser started reading at byte `start`: the parser
    /// may start inside the line breaks before the record (after the `\r` of a CRLF, at a
    /// blank line), so the record begins where that run ends. Offsets must not decrease.
    fn line_at(&mut self, start: u64) -> u64 {
        while let Some(&(run, newlines)) = self.runs.front()
            && run <= start
        {
            self.behind = newlines;
            self.runs.pop_front();
        }
        if self.run.is_some_and(|run| run <= start) {
            return self.newlines + 1;
        }
        self.behind + 1
    }
}

impl<R: Read> Read for LineBreaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &byte in &buf[..n] {
            if byte == b'\n' || byte == b'\r' {
                self.run.get_or_insert(self.offset);
                self.newlines += u64::from(byte == b'\n');
            } else if let Some(run) = self.run.take() {
                self.runs.push_back((run, self.newlines));
            }
            self.offset += 1;
        }
        Ok(n)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out one byte per read, so every line break straddles a read boundary.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else { return Ok(0) };
            buf[0] = *first;
            self.0 = rest;
            Ok(1)
        }
    }

    #[test]
    fn records_carry_the_line_they_start_on() {
        let text = "a,b\r\n1,x\r\n\r\n2,\"two\r\nlines\"\n\n\n3,y\r\n4,z";
        for table in [CsvTable::read("f", text.as_bytes()), CsvTable::read("f", Trickle(text.as_bytes()))] {
            let table = table.unwrap();
            let lines: Vec<_> = table.records.iter().map(|(line, r)| (*line, r[0].to_string())).collect();
            let expected = [(2, "1"), (4, "2"), (8, "3"), (9, "4")];
            assert_eq!(lines, expected.map(|(l, v)| (l, v.to_string())));
        }
    }
}
