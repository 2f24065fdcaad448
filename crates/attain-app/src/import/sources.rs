//! The entry points of an import: one file of one kind (canonical or mapped), a whole
//! directory (a workspace export or one of the built-in sample layouts), or a JSON export.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use attain_core::record::cells_to_text;
use attain_core::{Dataset, Kind};
use attain_store::Store;

use super::batch::{Batch, Cells, Origin, SourceRow};
use super::csv_source::{CanonicalRows, CsvReader, CsvTable};
use super::mapping::Mapping;
use super::report::{ImportError, ImportReport, RowError};
use super::xlsx_source::{is_xlsx, read_sheet};
use super::{ImportOptions, apply, crm_sample, northwind};
use crate::generate::parquet::{PARQUET_FILE, ParquetRows};
use crate::progress::Progress;

/// How a directory is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirMapping {
    /// One canonical CSV per kind (`people.csv`, …), as `attain export --workspace` writes.
    Workspace,
    /// The CRM sales-opportunities sample (agents, managers, offices, accounts, pipeline).
    CrmSample,
    /// The Northwind sample (employees, territories, customers, orders and order lines).
    Northwind,
}

impl DirMapping {
    pub const ALL: [(&'static str, DirMapping); 3] = [
        ("workspace", DirMapping::Workspace),
        ("crm-sample", DirMapping::CrmSample),
        ("northwind", DirMapping::Northwind),
    ];

    pub fn named(name: &str) -> Option<DirMapping> {
        DirMapping::ALL.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }

    /// The layout's name, as `named` reads it.
    pub fn name(self) -> &'static str {
        DirMapping::ALL.iter().find(|(_, m)| *m == self).map_or("workspace", |(n, _)| n)
    }
}

/// Imports one file of one kind (CSV, or a spreadsheet's sheet: `.xlsx`), read canonically or
/// through `mapping`.
pub async fn import_file(
    store: &Store,
    kind: Kind,
    path: &Path,
    mapping: Option<&Mapping>,
    options: ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    let mut batch = Batch::default();
    let shown = path.display().to_string();
    if is_xlsx(&shown) {
        let file = std::fs::File::open(path)
            .map_err(|e| ImportError::File { path: shown.clone(), reason: format!("cannot open: {e}") })?;
        add_sheet(&mut batch, kind, read_sheet(&shown, std::io::BufReader::new(file), kind)?, mapping)?;
    } else {
        match mapping {
            Some(mapping) => add_mapped(&mut batch, kind, CsvTable::open(path)?, mapping)?,
            None => batch.push_stream(kind, CanonicalRows::open(path, kind)?),
        }
    }
    apply(store, batch, options, progress).await
}

/// Imports CSV text already in memory, named `file` in messages.
pub async fn import_csv_bytes(
    store: &Store,
    kind: Kind,
    file: &str,
    bytes: &[u8],
    mapping: Option<&Mapping>,
    options: ImportOptions,
) -> Result<ImportReport, ImportError> {
    let input: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(bytes.to_vec()));
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    import_reader(store, kind, file, input, lines, mapping, options).await
}

/// Imports a file read from `input` (an upload spooled to a temporary file), named `file` in
/// messages: CSV text, or a workbook when `file` is named `.xlsx` (read whole: an upload is
/// bounded). `lines` estimates a CSV file's rows for progress and planning.
pub async fn import_reader(
    store: &Store,
    kind: Kind,
    file: &str,
    mut input: Box<dyn std::io::Read + Send>,
    lines: u64,
    mapping: Option<&Mapping>,
    options: ImportOptions,
) -> Result<ImportReport, ImportError> {
    let mut batch = Batch::default();
    if is_xlsx(file) {
        let mut bytes = Vec::new();
        input
            .read_to_end(&mut bytes)
            .map_err(|e| ImportError::File { path: file.to_string(), reason: format!("cannot read: {e}") })?;
        add_sheet(&mut batch, kind, read_sheet(file, std::io::Cursor::new(bytes), kind)?, mapping)?;
    } else {
        match mapping {
            Some(mapping) => add_mapped(&mut batch, kind, CsvTable::read(file, input)?, mapping)?,
            None => batch.push_stream(kind, CanonicalRows::new(CsvReader::new(file, input)?, kind, lines)?),
        }
    }
    apply(store, batch, options, &crate::NoProgress).await
}

/// Adds the rows of a spreadsheet's sheet (and the rows whose cells could not be read),
/// canonically or through `mapping`.
fn add_sheet(
    batch: &mut Batch,
    kind: Kind,
    (table, unreadable): (CsvTable, Vec<RowError>),
    mapping: Option<&Mapping>,
) -> Result<(), ImportError> {
    batch.note_unread(kind, unreadable.len());
    batch.errors.extend(unreadable);
    if let Some(mapping) = mapping {
        return add_mapped(batch, kind, table, mapping);
    }
    let unreadable_before = batch.errors.len();
    let rows = table.into_canonical_rows(kind, &mut batch.errors)?;
    batch.note_unread(kind, batch.errors.len() - unreadable_before);
    batch.extend(kind, rows);
    Ok(())
}

/// Adds the rows of a file read through a mapping for `kind`.
fn add_mapped(batch: &mut Batch, kind: Kind, table: CsvTable, mapping: &Mapping) -> Result<(), ImportError> {
    if mapping.kind != kind {
        return Err(ImportError::Mapping {
            path: table.file.clone(),
            reason: format!("the mapping makes {} but the import is for {kind}", mapping.kind),
        });
    }
    let unreadable_before = batch.errors.len();
    let rows = table.mapped_rows(mapping, &mut batch.errors)?;
    batch.note_unread(kind, batch.errors.len() - unreadable_before);
    batch.extend(kind, rows);
    Ok(())
}

/// Imports a whole directory laid out as `layout`.
pub async fn import_dir(
    store: &Store,
    dir: &Path,
    layout: DirMapping,
    options: ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::File {
            path: dir.display().to_string(),
            reason: "is not a directory".into(),
        });
    }
    let mut batch = match layout {
        DirMapping::Workspace => read_workspace(dir)?,
        DirMapping::CrmSample => crm_sample::read(dir)?,
        DirMapping::Northwind => northwind::read(dir)?,
    };
    if let Some(company) = layout.default_company()
        && store.keys(Kind::Company).await?.is_empty()
    {
        // A sample has no company settings, and nothing can be calculated without a base
        // currency and fiscal calendar. The defaults only fill an empty database: a company
        // row already there is the user's and is never replaced.
        batch.push(Kind::Company, company);
    }
    apply(store, batch, options, progress).await
}

impl DirMapping {
    /// The company row a sample layout brings when the database has none (docs/import.md):
    /// USD, a fiscal year from January named by its end year, UTC. A workspace has its own
    /// `company.csv`, so it gets none.
    fn default_company(self) -> Option<SourceRow> {
        let (name, file) = match self {
            DirMapping::Workspace => return None,
            DirMapping::CrmSample => ("CRM sample company", "crm-sample defaults"),
            DirMapping::Northwind => ("Northwind Traders", "northwind defaults"),
        };
        let origin = Origin::derived(file, Kind::Company, &[]);
        let some = |v: &str| Some(v.to_string());
        Some(SourceRow::build(
            Kind::Company,
            &origin,
            1,
            &[
                ("id", some(attain_core::domain::Company::ID)),
                ("name", some(name)),
                ("base_currency", some("USD")),
                ("fiscal_year_start_month", some("1")),
                ("fiscal_year_naming", some("end_year")),
                ("time_zone", some("UTC")),
            ],
        ))
    }
}

/// Reads a workspace directory: `<kind>.csv` files with canonical headers, and the
/// transactions as `transactions.parquet` instead of `transactions.csv` if the directory has
/// that. Other CSV or Parquet files are refused, since a misspelt file name would otherwise be
/// skipped without a word, and so are both transaction files at once.
pub fn read_workspace(dir: &Path) -> Result<Batch, ImportError> {
    let listing = std::fs::read_dir(dir).map_err(|e| ImportError::File {
        path: dir.display().to_string(),
        reason: format!("cannot list: {e}"),
    })?;
    let mut names: Vec<String> = listing
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv") || n.ends_with(".parquet"))
        .collect();
    names.sort();
    let csv_transactions = Kind::Transactions.spec().file_name();
    if let Some(parquet) = names.iter().find(|n| n.ends_with(".parquet")) {
        if *parquet != PARQUET_FILE {
            return Err(ImportError::File {
                path: dir.join(parquet).display().to_string(),
                reason: format!(
                    "is not a workspace file (only the transactions may be Parquet: {PARQUET_FILE})"
                ),
            });
        }
        if names.contains(&csv_transactions) {
            return Err(ImportError::File {
                path: dir.display().to_string(),
                reason: format!(
                    "holds both {csv_transactions} and {PARQUET_FILE}: keep one of them, the transactions come from one file"
                ),
            });
        }
    }
    let mut batch = Batch::default();
    for name in names {
        if name == PARQUET_FILE {
            batch.push_stream(Kind::Transactions, ParquetRows::open(&dir.join(&name), Kind::Transactions)?);
            continue;
        }
        let stem = name.trim_end_matches(".csv");
        let kind = Kind::ALL.into_iter().find(|k| k.name() == stem).ok_or_else(|| ImportError::File {
            path: dir.join(&name).display().to_string(),
            reason: format!(
                "is not a workspace file (expected one of: {})",
                Kind::ALL.map(|k| k.spec().file_name()).join(", ")
            ),
        })?;
        batch.push_stream(kind, CanonicalRows::open(&dir.join(&name), kind)?);
    }
    Ok(batch)
}

/// A dataset (a JSON export, the demo) as a batch, so it passes the same checks as files.
pub fn workspace_batch(dataset: &Dataset, file: &str) -> Batch {
    let mut batch = Batch::default();
    for kind in Kind::ALL {
        let origin: Arc<Origin> = Origin::canonical(format!("{file} ({kind})"), kind);
        let rows = dataset
            .rows(kind)
            .iter()
            .enumerate()
            .map(|(i, values)| SourceRow {
                origin: Arc::clone(&origin),
                line: i as u64 + 1,
                cells: Cells::Text(cells_to_text(kind.spec(), values).into_iter().map(Some).collect()),
            })
            .collect();
        batch.extend(kind, rows);
    }
    batch
}

/// Imports a JSON export (the format `attain export --format json` writes).
pub async fn import_json(
    store: &Store,
    path: &Path,
    options: ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ImportError::File { path: shown.clone(), reason: format!("cannot read: {e}") })?;
    let dataset: Dataset = serde_json::from_str(&text).map_err(|e| ImportError::File {
        path: shown.clone(),
        reason: format!("line {}, column {}: {e}", e.line(), e.column()),
    })?;
    apply(store, workspace_batch(&dataset, &shown), options, progress).await
}
