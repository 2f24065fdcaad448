//! Generated companies (`attain_demo::scaled` written by `attain_app::generate`): their files
//! are byte-identical for the same config, they import with every reference resolved and
//! come back from the store as generated, the Parquet form imports to the same records as the
//! CSV form, and a damaged or wrong Parquet file is a clear error naming the file, row and
//! column.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};
use attain_app::generate::parquet::{PARQUET_FILE, ParquetFile};
use attain_app::generate::{TransactionsFormat, write_workspace};
use attain_app::import::{DirMapping, import_dir, read_workspace};
use attain_app::{ImportError, ImportOptions, NoProgress};
use attain_core::domain::{Transaction, TransactionKind};
use attain_core::{Dataset, Kind, Record, Value};
use attain_demo::scaled::{ScaledCompany, ScaledConfig, company};
use attain_store::Store;
use attain_testkit::Db;

use crate::{assert_same, on_both, rejected};

fn config(transactions: u64) -> ScaledConfig {
    ScaledConfig { seed: 11, payees: 700, territories: 900, transactions, year: 2025 }
}

fn written(company: &ScaledCompany, format: TransactionsFormat) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_workspace(company, dir.path(), format, &NoProgress).unwrap();
    dir
}

/// Every file under `dir` (plans/ included) by relative name, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["", "plans"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                out.push((
                    format!("{sub}/{}", path.file_name().unwrap().to_string_lossy()),
                    std::fs::read(&path).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

/// The dataset as generated, transactions included, sorted as a store returns it.
fn expected(company: &ScaledCompany) -> Dataset {
    let mut dataset = company.dataset.clone();
    dataset.transactions = (0..company.chunks()).flat_map(|c| company.transactions(c)).collect();
    dataset.sort();
    dataset
}

#[test]
fn the_same_config_writes_the_same_bytes_and_another_seed_other_bytes() {
    let c = company(&config(70_000)).unwrap();
    for format in [TransactionsFormat::Csv, TransactionsFormat::Parquet] {
        let (a, b) = (written(&c, format), written(&company(&config(70_000)).unwrap(), format));
        let (fa, fb) = (files(a.path()), files(b.path()));
        // A file per kind, and the four plan files.
        assert_eq!(
            fa.len(),
            Kind::ALL.len() + 4,
            "{format:?}: {:?}",
            fa.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        assert!(fa == fb, "{format:?}: the same config wrote different bytes");
        let other = written(&company(&ScaledConfig { seed: 12, ..config(70_000) }).unwrap(), format);
        assert!(files(other.path()) != fa, "{format:?}: another seed wrote the same bytes");
    }
    let parquet = written(&c, TransactionsFormat::Parquet);
    assert!(parquet.path().join(PARQUET_FILE).is_file() && !parquet.path().join("transactions.csv").exists());
}

#[test]
fn a_non_empty_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let c = company(&config(10)).unwrap();
    let e = write_workspace(&c, dir.path(), TransactionsFormat::Csv, &NoProgress).unwrap_err();
    assert!(e.to_string().contains("is not empty"), "{e}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "nothing was written");
}

async fn the_100k_company_imports_whole_and_reads_back_as_generated(store: Store, backend: Db) {
    let c = company(&ScaledConfig::new(100_000)).unwrap();
    // PostgreSQL gets the Parquet form: both readers run against a real import on one backend
    // each, and the test stays affordable.
    let format = match backend {
        Db::Sqlite => TransactionsFormat::Csv,
        Db::Postgres => TransactionsFormat::Parquet,
    };
    let dir = written(&c, format);
    let report = import_dir(&store, dir.path(), DirMapping::Workspace, ImportOptions::default(), &NoProgress)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.bad_rows.is_empty());
    assert_eq!(report.count(Kind::Transactions).unwrap().written.inserted, 100_000);
    assert_same(&store.dataset().await.unwrap(), &expected(&c), "stored vs generated");
}

async fn the_parquet_form_imports_to_the_same_records_as_the_csv_form(store: Store, backend: Db) {
    let c = company(&config(30_000)).unwrap();
    let (csv, parquet) = (written(&c, TransactionsFormat::Csv), written(&c, TransactionsFormat::Parquet));
    import_dir(&store, parquet.path(), DirMapping::Workspace, ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    let from_parquet = store.dataset().await.unwrap();
    let (_db, other) = crate::another(backend).await;
    import_dir(&other, csv.path(), DirMapping::Workspace, ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    assert_same(&from_parquet, &other.dataset().await.unwrap(), "Parquet vs CSV");
    assert_same(&from_parquet, &expected(&c), "Parquet vs generated");
}

/// A workspace of the small company with its transactions replaced by `rows`, written through
/// the generator's own Parquet writer (so cells can be anything a file might hold).
fn workspace_with(rows: &[Vec<Value>]) -> tempfile::TempDir {
    let dir = written(&company(&config(0)).unwrap(), TransactionsFormat::Parquet);
    let path = dir.path().join(PARQUET_FILE);
    std::fs::remove_file(&path).unwrap();
    let mut file = ParquetFile::create(&path, Kind::Transactions).unwrap();
    file.write(rows).unwrap();
    file.finish().unwrap();
    dir
}

/// A booking of the small company under another id, on no opportunity (the company the
/// rows are put in has none).
fn booking(id: &str) -> Transaction {
    let c = company(&config(50)).unwrap();
    let first = c.transactions(0).into_iter().find(|t| t.kind == TransactionKind::Booking).unwrap();
    Transaction { id: id.to_string(), opportunity_id: None, ..first }
}

async fn bad_parquet_cells_are_rejected_by_row_and_column(store: Store, _: Db) {
    let mut rows: Vec<Vec<Value>> = (1..=4).map(|i| booking(&format!("t-{i}")).to_values()).collect();
    rows[1][6] = Value::Text("EURO".into()); // currency
    rows[3][2] = Value::Text("sale".into()); // kind
    let dir = workspace_with(&rows);
    let errors = rejected(
        import_dir(&store, dir.path(), DirMapping::Workspace, ImportOptions::default(), &NoProgress).await,
    );
    let found: Vec<(u64, Option<&str>)> = errors.iter().map(|e| (e.line, e.column.as_deref())).collect();
    assert_eq!(found, [(2, Some("currency")), (4, Some("kind"))], "{errors:?}");
    let shown = errors[0].to_string();
    assert!(shown.contains("transactions.parquet: row 2, column currency"), "{shown}");
    assert_eq!(store.count(Kind::Transactions).await.unwrap(), 0);
}

on_both!(
    the_100k_company_imports_whole_and_reads_back_as_generated,
    the_parquet_form_imports_to_the_same_records_as_the_csv_form,
    bad_parquet_cells_are_rejected_by_row_and_column,
);

/// The problem `read_workspace` (what `attain import DIR` and `attain calc --workspace DIR`
/// read through) finds in a directory.
fn refusal(dir: &Path) -> String {
    match read_workspace(dir) {
        Err(ImportError::File { path, reason }) => format!("{path}: {reason}"),
        Err(other) => panic!("expected a file error, got {other}"),
        Ok(_) => panic!("the directory was read without a complaint"),
    }
}

fn write_batch(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let schema = Arc::new(Schema::new(
        columns.iter().map(|(name, a)| Field::new(*name, a.data_type().clone(), true)).collect::<Vec<_>>(),
    ));
    let batch =
        RecordBatch::try_new(Arc::clone(&schema), columns.into_iter().map(|(_, a)| a).collect()).unwrap();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

fn text(values: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(values.to_vec()))
}

#[test]
fn a_damaged_parquet_file_is_a_clear_error_naming_the_file() {
    let dir = written(&company(&config(2_000)).unwrap(), TransactionsFormat::Parquet);
    let path = dir.path().join(PARQUET_FILE);
    let whole = std::fs::read(&path).unwrap();
    for damaged in [b"id,date\nt-1,2025-01-01\n".to_vec(), whole[..whole.len() / 2].to_vec(), Vec::new()] {
        std::fs::write(&path, &damaged).unwrap();
        let message = refusal(dir.path());
        assert!(
            message.contains(PARQUET_FILE) && message.contains("not a readable Parquet file"),
            "{message}"
        );
    }
    // A body damaged behind an intact footer is found when the rows are read.
    let mut scrambled = whole.clone();
    for b in &mut scrambled[8..whole.len() / 2] {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    std::fs::write(&path, &scrambled).unwrap();
    let outcome = match read_workspace(dir.path()) {
        Err(e) => e.to_string(),
        Ok(batch) => {
            let (mut sources, _) = batch.into_sources(100_000);
            let source = sources.iter_mut().find(|s| s.kind == Kind::Transactions).unwrap();
            let (mut errors, mut unreadable) = (Vec::new(), 0);
            let mut result = Ok(None);
            for _ in 0..10 {
                result = source.next_chunk(100_000, &mut errors, &mut unreadable);
                if !matches!(result, Ok(Some(_))) {
                    break;
                }
            }
            match result {
                Err(e) => e.to_string(),
                Ok(_) => format!("{} unreadable: {:?}", unreadable, errors.first()),
            }
        }
    };
    assert!(outcome.contains(PARQUET_FILE), "{outcome}");
}

#[test]
fn parquet_columns_are_checked_like_a_csv_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(PARQUET_FILE);
    let ids = text(&["t-1"]);
    let date: ArrayRef = Arc::new(Date32Array::from(vec![20_089]));
    let kind = text(&["booking"]);
    let currency = text(&["USD"]);
    let amount: ArrayRef = Arc::new(Int64Array::from(vec![1_000]));

    write_batch(
        &path,
        vec![
            ("id", ids.clone()),
            ("date", date.clone()),
            ("kind", kind.clone()),
            ("currency", currency.clone()),
            ("amount", text(&["10.00"])),
        ],
    );
    let message = refusal(dir.path());
    assert!(message.contains("column amount is Utf8 but must be INT64"), "{message}");

    write_batch(
        &path,
        vec![
            ("id", ids.clone()),
            ("date", date.clone()),
            ("kind", kind.clone()),
            ("currency", currency.clone()),
            ("amount", amount.clone()),
            ("colour", text(&["red"])),
        ],
    );
    assert!(refusal(dir.path()).contains("unknown column 'colour'"));

    write_batch(&path, vec![("id", ids.clone()), ("date", date.clone()), ("kind", kind), ("amount", amount)]);
    assert!(refusal(dir.path()).contains("missing required column(s) currency"));

    std::fs::write(dir.path().join("transactions.csv"), "id,date,kind,currency,amount\n").unwrap();
    let both = refusal(dir.path());
    assert!(both.contains("both transactions.csv and transactions.parquet"), "{both}");
    std::fs::remove_file(dir.path().join("transactions.csv")).unwrap();
    std::fs::rename(&path, dir.path().join("people.parquet")).unwrap();
    assert!(refusal(dir.path()).contains("people.parquet: is not a workspace file"));
}

async fn a_date_outside_the_calendar_is_a_bad_row(store: Store, _: Db) {
    let dir = written(&company(&config(0)).unwrap(), TransactionsFormat::Parquet);
    let path = dir.path().join(PARQUET_FILE);
    let amount: ArrayRef = Arc::new(Int64Array::from(vec![1_000, 2_000]));
    let date: ArrayRef = Arc::new(Date32Array::from(vec![20_089, i32::MAX]));
    write_batch(
        &path,
        vec![
            ("id", text(&["t-1", "t-2"])),
            ("date", date),
            ("kind", text(&["booking", "booking"])),
            ("currency", text(&["USD", "USD"])),
            ("amount", amount),
        ],
    );
    let errors = rejected(
        import_dir(&store, dir.path(), DirMapping::Workspace, ImportOptions::default(), &NoProgress).await,
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].line, errors[0].column.as_deref()), (2, Some("date")));
    assert!(errors[0].reason.contains("is not a date"), "{}", errors[0].reason);
}

on_both!(a_date_outside_the_calendar_is_a_bad_row);

#[test]
fn the_generated_rows_survive_the_parquet_writer_and_reader_unchanged() {
    // Row values → Parquet → text cells → values: what the import then checks.
    let c = company(&config(3_000)).unwrap();
    let rows: Vec<Transaction> = c.transactions(0);
    let dir = written(&c, TransactionsFormat::Parquet);
    let batch = read_workspace(dir.path()).unwrap();
    let (mut sources, _) = batch.into_sources(1_000_000);
    let source = sources.iter_mut().find(|s| s.kind == Kind::Transactions).unwrap();
    let (mut errors, mut unreadable) = (Vec::new(), 0);
    let read = source.next_chunk(1_000_000, &mut errors, &mut unreadable).unwrap().unwrap();
    assert_eq!((read.len(), unreadable), (rows.len(), 0));
    let spec = Kind::Transactions.spec();
    for (row, t) in read.iter().zip(&rows) {
        let texts: Vec<Option<String>> =
            (0..spec.columns.len()).map(|i| row.cells.get(i).map(str::to_string)).collect();
        let values = attain_core::record::cells_from_text(spec, &texts).unwrap();
        assert_eq!(&Transaction::from_values(&values).unwrap(), t);
    }
}
