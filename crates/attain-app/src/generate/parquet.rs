//! A workspace's transactions as Parquet (`transactions.parquet`), for the peers that read
//! columnar files and for Attain itself: the writer the generator uses, and the reader the
//! workspace import uses instead of `transactions.csv`.
//!
//! The columns are the CSV's, in the same order, typed from the record spec: dates as Parquet
//! DATE (days since 1970-01-01), money as INT64 minor units beside the currency column, all
//! other columns (ids, kind, currency, quantity) as UTF-8 text; optional columns are nullable.
//! For a database import, rows come back as the same text cells the CSV reader yields
//! (through `cells_to_text`), so they pass exactly the same checks; the in-memory load takes
//! whole batches (`next_batches`) and checks the columns in place (`import/columnar.rs`).

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{Date32Builder, Int64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use attain_core::record::{ColumnType, RecordSpec, cell_to_text};
use attain_core::{Date, Kind, Value};
use jiff::Span;
use jiff::civil::date;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::import::{ImportError, Origin, RowError, SourceRow};

/// The one Parquet file a workspace may hold.
pub const PARQUET_FILE: &str = "transactions.parquet";
/// Rows per row group: large enough for fast scans, small enough to write in bounded memory.
const ROW_GROUP_ROWS: usize = 1 << 20;
/// Rows per batch read from the file.
const READ_BATCH: usize = 8_192;

fn epoch() -> Date {
    date(1970, 1, 1)
}

/// The Arrow type a column is written as.
fn arrow_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::Date => DataType::Date32,
        ColumnType::Money { .. } => DataType::Int64,
        _ => DataType::Utf8,
    }
}

/// The file's schema for a kind: the spec's columns, in order.
pub fn schema(spec: &RecordSpec) -> Schema {
    Schema::new(
        spec.columns.iter().map(|c| Field::new(c.name, arrow_type(c.ty), !c.required)).collect::<Vec<_>>(),
    )
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> String {
    format!("{}: {e}", path.display())
}

/// Writes rows of one kind to a Parquet file, a batch at a time, in row groups of about a
/// million rows, compressed with Snappy. Same rows, same bytes.
pub struct ParquetFile {
    spec: &'static RecordSpec,
    schema: Arc<Schema>,
    path: std::path::PathBuf,
    writer: ArrowWriter<BufWriter<File>>,
}

impl std::fmt::Debug for ParquetFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ParquetFile({})", self.path.display())
    }
}

impl ParquetFile {
    pub fn create(path: &Path, kind: Kind) -> Result<ParquetFile, String> {
        let spec = kind.spec();
        let schema = Arc::new(schema(spec));
        let file = File::create(path).map_err(|e| write_error(path, e))?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let writer = ArrowWriter::try_new(
            BufWriter::with_capacity(1 << 20, file),
            Arc::clone(&schema),
            Some(properties),
        )
        .map_err(|e| write_error(path, e))?;
        Ok(ParquetFile { spec, schema, path: path.to_path_buf(), writer })
    }

    /// Writes rows of cells (as `Record::to_values` gives them) as one batch.
    pub fn write(&mut self, rows: &[Vec<Value>]) -> Result<(), String> {
        let columns: Vec<ArrayRef> = self
            .spec
            .columns
            .iter()
            .enumerate()
            .map(|(i, column)| column_array(column.ty, rows.iter().map(|r| &r[i])))
            .collect::<Result<_, _>>()
            .map_err(|e| write_error(&self.path, e))?;
        let batch = RecordBatch::try_new(Arc::clone(&self.schema), columns)
            .map_err(|e| write_error(&self.path, e))?;
        self.writer.write(&batch).map_err(|e| write_error(&self.path, e))
    }

    pub fn finish(self) -> Result<(), String> {
        self.writer.close().map(|_| ()).map_err(|e| write_error(&self.path, e))
    }
}

/// One column of a batch from its cells.
fn column_array<'a>(ty: ColumnType, cells: impl Iterator<Item = &'a Value>) -> Result<ArrayRef, String> {
    match arrow_type(ty) {
        DataType::Date32 => {
            let mut b = Date32Builder::new();
            for cell in cells {
                match cell.as_text() {
                    None => b.append_null(),
                    Some(text) => {
                        let day: Date = text.parse().map_err(|e| format!("date {text}: {e}"))?;
                        b.append_value((day - epoch()).get_days());
                    }
                }
            }
            Ok(Arc::new(b.finish()))
        }
        DataType::Int64 => {
            let mut b = Int64Builder::new();
            for cell in cells {
                match cell {
                    Value::Int(minor) => b.append_value(*minor),
                    _ => b.append_null(),
                }
            }
            Ok(Arc::new(b.finish()))
        }
        _ => {
            let mut b = StringBuilder::new();
            for cell in cells {
                match cell {
                    Value::Null => b.append_null(),
                    Value::Text(text) => b.append_value(text),
                    Value::Int(n) => b.append_value(n.to_string()),
                }
            }
            Ok(Arc::new(b.finish()))
        }
    }
}

/// The rows of a Parquet file of one kind, read a step at a time like a canonical CSV file.
pub struct ParquetRows {
    file: String,
    kind: Kind,
    reader: ParquetRecordBatchReader,
    /// For each spec column, the file's column holding it.
    columns: Vec<Option<usize>>,
    origin: Arc<Origin>,
    /// The rows of the last batch not yet handed out, and the number of the next row (from 1).
    pending: Option<(RecordBatch, usize)>,
    next_row: u64,
    /// How many rows the file holds (from its footer).
    pub estimated: u64,
}

impl std::fmt::Debug for ParquetRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ParquetRows({}, {} rows)", self.file, self.estimated)
    }
}

/// The reader must never take the process down on a damaged file: a panic inside it becomes
/// this error.
fn guarded<T>(file: &str, what: &str, f: impl FnOnce() -> Result<T, ImportError>) -> Result<T, ImportError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(ImportError::File { path: file.to_string(), reason: format!("{what}: the file is damaged") })
    })
}

impl ParquetRows {
    /// Opens the file and checks its columns against the kind's: unknown columns and missing
    /// required ones are refused, as in a CSV header, and so is a column of the wrong type.
    pub fn open(path: &Path, kind: Kind) -> Result<ParquetRows, ImportError> {
        let shown = path.display().to_string();
        let fail = |reason: String| ImportError::File { path: shown.clone(), reason };
        let file = File::open(path).map_err(|e| fail(format!("cannot open: {e}")))?;
        let builder = guarded(&shown, "cannot read the footer", || {
            ParquetRecordBatchReaderBuilder::try_new(file)
                .map_err(|e| fail(format!("is not a readable Parquet file: {e}")))
        })?;
        let spec = kind.spec();
        let found = Arc::clone(builder.schema());
        for field in found.fields() {
            let Some(i) = spec.index_of(field.name()) else {
                let known: Vec<_> = spec.columns.iter().map(|c| c.name).collect();
                return Err(fail(format!(
                    "unknown column '{}' for {kind} (columns: {})",
                    field.name(),
                    known.join(", ")
                )));
            };
            let expected = arrow_type(spec.columns[i].ty);
            if !readable(&expected, field.data_type()) {
                return Err(fail(format!(
                    "column {} is {} but must be {}",
                    field.name(),
                    field.data_type(),
                    shown_type(&expected)
                )));
            }
        }
        let columns: Vec<Option<usize>> = spec.columns.iter().map(|c| found.index_of(c.name).ok()).collect();
        let missing: Vec<_> = spec
            .columns
            .iter()
            .zip(&columns)
            .filter(|(c, i)| c.required && i.is_none())
            .map(|(c, _)| c.name)
            .collect();
        if !missing.is_empty() {
            return Err(fail(format!("missing required column(s) {}", missing.join(", "))));
        }
        let estimated = u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
        let reader = guarded(&shown, "cannot read the row groups", || {
            builder.with_batch_size(READ_BATCH).build().map_err(|e| fail(format!("cannot read: {e}")))
        })?;
        Ok(ParquetRows {
            file: shown.clone(),
            kind,
            reader,
            columns,
            origin: Origin::canonical(shown, kind),
            pending: None,
            next_row: 1,
            estimated,
        })
    }

    /// Up to `n` more rows (`None` once the file is exhausted). A cell that cannot be shown
    /// as text (a date outside the calendar) makes its row unreadable: reported in `errors`,
    /// counted in `unreadable`.
    pub fn next_chunk(
        &mut self,
        n: usize,
        errors: &mut Vec<RowError>,
        unreadable: &mut u64,
    ) -> Result<Option<Vec<SourceRow>>, ImportError> {
        let mut rows = Vec::with_capacity(n.min(1 << 16));
        let mut seen = 0;
        while rows.len() < n {
            let (batch, start) = match self.pending.take() {
                Some(pending) => pending,
                None => match self.read_batch(self.next_row)? {
                    Some(batch) => (batch, 0),
                    None => break,
                },
            };
            let take = (batch.num_rows() - start).min(n - rows.len());
            for r in start..start + take {
                seen += 1;
                let line = self.next_row;
                self.next_row += 1;
                match self.cells(&batch, r) {
                    Ok(cells) => rows.push(SourceRow {
                        origin: Arc::clone(&self.origin),
                        line,
                        cells: crate::import::Cells::Text(cells),
                    }),
                    Err((column, value, reason)) => {
                        errors.push(RowError {
                            file: self.file.clone(),
                            line,
                            column: Some(column.to_string()),
                            value: Some(value),
                            reason,
                        });
                        *unreadable += 1;
                    }
                }
            }
            if start + take < batch.num_rows() {
                self.pending = Some((batch, start + take));
            }
        }
        Ok((seen > 0).then_some(rows))
    }

    /// The next batch of the file, `None` at its end; `first` (the number of its first row)
    /// names where a damaged one starts.
    fn read_batch(&mut self, first: u64) -> Result<Option<RecordBatch>, ImportError> {
        let file = self.file.clone();
        guarded(&file, &format!("cannot read rows from row {first} on"), || {
            self.reader.next().transpose().map_err(|e| ImportError::File {
                path: file.clone(),
                reason: format!("cannot read rows from row {first} on: {e}"),
            })
        })
    }

    /// The rows of the next whole batches, at least `n` of them unless the file ends first
    /// (`None` once it has), with the number of the first: for a reader that checks the
    /// columns in place rather than as text cells (`import::load`).
    pub fn next_batches(&mut self, n: usize) -> Result<Option<(u64, Vec<RecordBatch>)>, ImportError> {
        let first = self.next_row;
        let mut batches = Vec::new();
        let mut rows = 0;
        if let Some((batch, start)) = self.pending.take() {
            rows += batch.num_rows() - start;
            batches.push(batch.slice(start, batch.num_rows() - start));
        }
        while rows < n {
            match self.read_batch(first + rows as u64)? {
                Some(batch) => {
                    rows += batch.num_rows();
                    batches.push(batch);
                }
                None => break,
            }
        }
        self.next_row += rows as u64;
        Ok((rows > 0).then_some((first, batches)))
    }

    /// For each column of the kind's spec, the file's column holding it.
    pub fn columns(&self) -> &[Option<usize>] {
        &self.columns
    }

    /// Where the rows come from, for their errors.
    pub fn origin(&self) -> &Arc<Origin> {
        &self.origin
    }

    /// Row `r` of `batch` as text cells in the spec's column order.
    fn cells(
        &self,
        batch: &RecordBatch,
        r: usize,
    ) -> Result<Vec<Option<String>>, (&'static str, String, String)> {
        let spec = self.kind.spec();
        let mut values = Vec::with_capacity(spec.columns.len());
        for (column, source) in spec.columns.iter().zip(&self.columns) {
            let Some(array) = source.map(|i| batch.column(i)) else {
                values.push(Value::Null);
                continue;
            };
            values.push(value_at(array, r).map_err(|(value, reason)| (column.name, value, reason))?);
        }
        // Text moves into its cell as it is; only numbers are formatted (as `cells_to_text`
        // would): a million rows are not copied cell by cell once more.
        let texts: Vec<Option<String>> = (0..values.len())
            .map(|i| matches!(values[i], Value::Int(_)).then(|| cell_to_text(spec, &values, i)))
            .collect();
        Ok(values
            .into_iter()
            .zip(texts)
            .map(|(value, text)| match value {
                Value::Null => None,
                Value::Text(s) => Some(s),
                Value::Int(_) => text,
            })
            .collect())
    }
}

/// Whether a file's column type can be read as `expected`: text may also be large text, money
/// also a 32-bit integer.
fn readable(expected: &DataType, found: &DataType) -> bool {
    match expected {
        DataType::Utf8 => matches!(found, DataType::Utf8 | DataType::LargeUtf8),
        DataType::Int64 => matches!(found, DataType::Int64 | DataType::Int32),
        other => other == found,
    }
}

fn shown_type(ty: &DataType) -> &'static str {
    match ty {
        DataType::Date32 => "DATE (days since 1970-01-01)",
        DataType::Int64 => "INT64 (minor units)",
        _ => "UTF-8 text",
    }
}

/// The date of a Parquet DATE cell, or the value and reason that make its row unreadable.
pub(crate) fn date_from_days(days: i32) -> Result<Date, (String, String)> {
    Span::new()
        .try_days(i64::from(days))
        .ok()
        .and_then(|span| epoch().checked_add(span).ok())
        .ok_or_else(|| (days.to_string(), format!("{days} days from 1970-01-01 is not a date")))
}

/// One cell as the value the CSV reader would have made of its text.
fn value_at(array: &ArrayRef, r: usize) -> Result<Value, (String, String)> {
    if array.is_null(r) {
        return Ok(Value::Null);
    }
    Ok(match array.data_type() {
        DataType::Utf8 => Value::Text(array.as_string::<i32>().value(r).to_string()),
        DataType::LargeUtf8 => Value::Text(array.as_string::<i64>().value(r).to_string()),
        DataType::Int64 => Value::Int(array.as_primitive::<Int64Type>().value(r)),
        DataType::Int32 => Value::Int(i64::from(array.as_primitive::<Int32Type>().value(r))),
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(r);
            Value::Text(date_from_days(days)?.to_string())
        }
        // `open` refused every other type.
        other => return Err((String::new(), format!("cannot read a {other} column"))),
    })
}
