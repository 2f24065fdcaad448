//! Reading CSV into batch rows: a canonical file (headers are Attain's column names) or any
//! file through a [`Mapping`]. Handles a UTF-8 byte-order mark and CRLF line endings.

use std::io::Read;
use std::sync::Arc;

use attain_core::Kind;

use super::batch::{Cells, Origin, SourceRow};
use super::mapping::{Mapping, Rule};
use super::report::{ImportError, RowError};

/// A CSV file read record by record, each with the line it starts on.
pub struct CsvReader {
    pub file: String,
    pub header: Vec<String>,
    reader: csv::Reader<LineBreaks<Box<dyn Read + Send>>>,
}

impl std::fmt::Debug for CsvReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CsvReader({})", self.file)
    }
}

impl CsvReader {
    /// Reads the header; records follow with [`CsvReader::next_record`].
    pub fn new(file: &str, input: Box<dyn Read + Send>) -> Result<CsvReader, ImportError> {
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
        Ok(CsvReader { file: file.to_string(), header, reader })
    }

    pub fn open(path: &std::path::Path) -> Result<CsvReader, ImportError> {
        let shown = path.display().to_string();
        let file = std::fs::File::open(path)
            .map_err(|e| ImportError::File { path: shown.clone(), reason: format!("cannot open: {e}") })?;
        CsvReader::new(&shown, Box::new(std::io::BufReader::with_capacity(1 << 20, file)))
    }

    /// The next record and the line it starts on; `None` at the end. Blank lines are skipped.
    pub fn next_record(&mut self) -> Result<Option<(u64, csv::StringRecord)>, ImportError> {
        loop {
            let mut record = csv::StringRecord::new();
            match self.reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => {
                    let line = e.position().map_or(0, |p| self.reader.get_mut().line_at(p.byte()));
                    return Err(ImportError::File {
                        path: self.file.clone(),
                        reason: format!("line {line}: cannot read the row: {e}"),
                    });
                }
            }
            let line = record.position().map_or(0, |p| self.reader.get_mut().line_at(p.byte()));
            // A completely empty line (often a trailing one) carries no row.
            if record.len() == 1 && record[0].trim().is_empty() {
                continue;
            }
            return Ok(Some((line, record)));
        }
    }

    pub fn index(&self, column: &str) -> Option<usize> {
        index_of(&self.header, column)
    }

    fn width_error(&self, line: u64, found: usize) -> RowError {
        width_error(&self.file, &self.header, line, found)
    }
}

/// A CSV file read whole: for mapped files and the sample layouts, which look rows up by
/// column name or join files.
pub struct CsvTable {
    pub file: String,
    pub header: Vec<String>,
    pub records: Vec<(u64, csv::StringRecord)>,
}

impl CsvTable {
    pub fn read(file: &str, input: Box<dyn Read + Send>) -> Result<CsvTable, ImportError> {
        let mut reader = CsvReader::new(file, input)?;
        let mut records = Vec::new();
        while let Some(record) = reader.next_record()? {
            records.push(record);
        }
        Ok(CsvTable { file: reader.file, header: reader.header, records })
    }

    pub fn open(path: &std::path::Path) -> Result<CsvTable, ImportError> {
        let shown = path.display().to_string();
        let file = std::fs::File::open(path)
            .map_err(|e| ImportError::File { path: shown.clone(), reason: format!("cannot open: {e}") })?;
        CsvTable::read(&shown, Box::new(std::io::BufReader::with_capacity(1 << 20, file)))
    }

    pub fn index(&self, column: &str) -> Option<usize> {
        index_of(&self.header, column)
    }

    fn width_error(&self, line: u64, found: usize) -> RowError {
        width_error(&self.file, &self.header, line, found)
    }

    /// Rows of a canonical table (its header uses Attain's column names), as
    /// [`CanonicalRows`] reads a file, each record moved into its row; rows with the wrong
    /// number of fields go to `errors`.
    pub fn into_canonical_rows(
        self,
        kind: Kind,
        errors: &mut Vec<RowError>,
    ) -> Result<Vec<SourceRow>, ImportError> {
        let columns = canonical_columns(&self.file, &self.header, kind)?;
        let origin = Origin::canonical(self.file.clone(), kind);
        let mut rows = Vec::with_capacity(self.records.len());
        for (line, record) in self.records {
            if record.len() != self.header.len() {
                errors.push(width_error(&self.file, &self.header, line, record.len()));
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

/// The rows of a canonical CSV file (its header uses Attain's column names), read a step at a
/// time: a large file is checked and written while the rest is still being read, and is never
/// held in memory whole. Records move into the rows as they are; checks read cells in place.
pub struct CanonicalRows {
    reader: CsvReader,
    columns: Arc<[Option<usize>]>,
    origin: Arc<Origin>,
    /// About how many rows the file holds (its line count), for progress and planning.
    pub estimated: u64,
}

impl std::fmt::Debug for CanonicalRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CanonicalRows({}, ~{} rows)", self.reader.file, self.estimated)
    }
}

impl CanonicalRows {
    /// Checks the header: unknown columns are refused (a typo would otherwise drop data
    /// silently); optional columns may be left out.
    pub fn new(reader: CsvReader, kind: Kind, estimated: u64) -> Result<CanonicalRows, ImportError> {
        let columns = canonical_columns(&reader.file, &reader.header, kind)?;
        let origin = Origin::canonical(reader.file.clone(), kind);
        Ok(CanonicalRows { reader, columns, origin, estimated })
    }

    pub fn open(path: &std::path::Path, kind: Kind) -> Result<CanonicalRows, ImportError> {
        let estimated = count_lines(path).saturating_sub(1);
        CanonicalRows::new(CsvReader::open(path)?, kind, estimated)
    }

    /// Up to `n` more rows (`None` once the file is exhausted); rows with the wrong number of
    /// fields are reported in `errors` and counted in `unreadable`.
    pub fn next_chunk(
        &mut self,
        n: usize,
        errors: &mut Vec<RowError>,
        unreadable: &mut u64,
    ) -> Result<Option<Vec<SourceRow>>, ImportError> {
        let width = self.reader.header.len();
        let mut rows = Vec::with_capacity(n.min(1 << 16));
        let mut seen = 0;
        while rows.len() < n {
            let Some((line, record)) = self.reader.next_record()? else { break };
            seen += 1;
            if record.len() != width {
                errors.push(self.reader.width_error(line, record.len()));
                *unreadable += 1;
                continue;
            }
            let cells = Cells::Record { record, columns: Arc::clone(&self.columns) };
            rows.push(SourceRow { origin: Arc::clone(&self.origin), line, cells });
        }
        Ok((seen > 0).then_some(rows))
    }
}

/// Where each of `kind`'s columns is in a canonical `header` (Attain's column names), or why
/// the header cannot be read as `kind`: unknown columns are refused (a typo would otherwise
/// drop data silently); optional columns may be left out.
fn canonical_columns(file: &str, header: &[String], kind: Kind) -> Result<Arc<[Option<usize>]>, ImportError> {
    let spec = kind.spec();
    let fail = |reason: String| ImportError::File { path: file.to_string(), reason };
    for name in header {
        if spec.index_of(name).is_none() {
            let known: Vec<_> = spec.columns.iter().map(|c| c.name).collect();
            return Err(fail(format!("unknown column '{name}' for {kind} (columns: {})", known.join(", "))));
        }
    }
    let missing: Vec<_> = spec
        .columns
        .iter()
        .filter(|c| c.required && index_of(header, c.name).is_none())
        .map(|c| c.name)
        .collect();
    if !missing.is_empty() {
        return Err(fail(format!("missing required column{} {}", plural(missing.len()), missing.join(", "))));
    }
    Ok(spec.columns.iter().map(|c| index_of(header, c.name)).collect())
}

/// Counts line breaks, for an estimate of a file's rows; an unreadable file counts as empty
/// (opening it properly reports the problem).
fn count_lines(path: &std::path::Path) -> u64 {
    let Ok(mut file) = std::fs::File::open(path) else { return 0 };
    let mut buf = vec![0u8; 1 << 20];
    let mut lines = 0;
    while let Ok(n) = file.read(&mut buf) {
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    lines
}

fn index_of(header: &[String], column: &str) -> Option<usize> {
    header.iter().position(|h| h == column)
}

/// A row whose field count differs from the header's.
fn width_error(file: &str, header: &[String], line: u64, found: usize) -> RowError {
    RowError {
        file: file.to_string(),
        line,
        column: None,
        value: None,
        reason: format!("has {found} fields but the header has {}", header.len()),
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
        for table in [
            CsvTable::read("f", Box::new(text.as_bytes())),
            CsvTable::read("f", Box::new(Trickle(text.as_bytes()))),
        ] {
            let table = table.unwrap();
            let lines: Vec<_> = table.records.iter().map(|(line, r)| (*line, r[0].to_string())).collect();
            let expected = [(2, "1"), (4, "2"), (8, "3"), (9, "4")];
            assert_eq!(lines, expected.map(|(l, v)| (l, v.to_string())));
        }
    }
}
