//! The import page (Data → Import; comp admins and admins): one file of one kind, in
//! Attain's own columns or through a mapping — a built-in one (a Salesforce or HubSpot
//! export) or the uploader's own `.toml` — or the several files of a directory layout (the
//! CRM sample, Northwind, a workspace export); previewed first (every check runs, the first
//! rows show as they will be read, nothing is stored), then imported, through the same import
//! code as the CLI and the API.

use askama::Template;
use attain_app::import::DirMapping;
use attain_app::import::mapping::{BUILT_IN, Mapping};
use attain_app::{AppError, Permission, UploadOptions};
use attain_core::Kind;
use axum::extract::multipart::Field;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::view::Chrome;
use super::{error_page, render};
use crate::auth::Viewer;
use crate::server::AppState;
use crate::upload::{Spool, SpoolError};

/// The largest mapping file the form reads (a mapping is a page of TOML).
const MAX_MAPPING_BYTES: usize = 64 * 1024;
/// The mapping select's value for "my own mapping file".
const CUSTOM: &str = "custom";
/// The mapping select's values for directory layouts start with this.
const LAYOUT: &str = "layout:";

/// The directory layout a mapping choice names, if it names one.
fn layout_of(choice: &str) -> Option<DirMapping> {
    choice.strip_prefix(LAYOUT).and_then(DirMapping::named)
}

/// A file name kept for a layout's directory: its base name, if it is a plain one (letters,
/// digits, `.`, `_`, `-`; a layout knows its files by such names).
fn plain_name(sent: &str) -> Option<String> {
    let base = sent.rsplit(['/', '\\']).next()?;
    let plain = !base.is_empty()
        && !base.starts_with('.')
        && base.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    plain.then(|| base.to_string())
}

struct ImportErrorLine {
    file: String,
    line: u64,
    column: String,
    value: String,
    reason: String,
}

/// A preview's first rows: the columns any of them fills, and each row's cells in that order.
struct Sample {
    kind: String,
    columns: Vec<&'static str>,
    rows: Vec<(u64, Vec<String>)>,
}

struct ImportResult {
    ok: bool,
    preview: bool,
    heading: String,
    counts: Vec<(String, u64, u64, u64, u64, u64)>,
    errors: Vec<ImportErrorLine>,
    samples: Vec<Sample>,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Chrome,
    kinds: Vec<String>,
    selected: String,
    /// (value, label) of each mapping choice, and the one chosen.
    mappings: Vec<(String, String)>,
    mapping: String,
    result: Option<ImportResult>,
}

fn mapping_choices() -> Vec<(String, String)> {
    let mut out = vec![(String::new(), "Attain's own columns".to_string())];
    out.extend(BUILT_IN.iter().map(|(name, _)| (name.to_string(), format!("Built-in: {name}"))));
    out.push((CUSTOM.to_string(), "My own mapping file (.toml)".to_string()));
    out.extend(DirMapping::ALL.iter().map(|(name, _)| {
        (format!("{LAYOUT}{name}"), format!("Several files: the {name} layout (kind from the files)"))
    }));
    out
}

fn import_view(
    viewer: &Viewer,
    selected: String,
    mapping: String,
    result: Option<ImportResult>,
    status: StatusCode,
) -> Response {
    let page = ImportPage {
        chrome: Chrome::signed_in("Import", &viewer.actor, &viewer.csrf, "/import"),
        kinds: Kind::ALL.iter().map(|k| k.name().to_string()).collect(),
        selected,
        mappings: mapping_choices(),
        mapping,
        result,
    };
    (status, render(&page)).into_response()
}

/// `GET /import`.
pub(crate) async fn import_page(viewer: Viewer) -> Response {
    if !viewer.actor.may(Permission::EditData) {
        return viewer.error(AppError::Forbidden);
    }
    import_view(&viewer, "opportunities".into(), String::new(), None, StatusCode::OK)
}

fn error_lines(rows: &[attain_app::RowError]) -> Vec<ImportErrorLine> {
    rows.iter()
        .map(|r| ImportErrorLine {
            file: r.file.clone(),
            line: r.line,
            column: r.column.clone().unwrap_or_default(),
            value: r.value.clone().unwrap_or_default(),
            reason: r.reason.clone(),
        })
        .collect()
}

fn samples(report: &attain_app::ImportReport) -> Vec<Sample> {
    let mut out: Vec<Sample> = Vec::new();
    for kind in Kind::ALL {
        let rows: Vec<_> = report.sample.iter().filter(|r| r.kind == kind).collect();
        if rows.is_empty() {
            continue;
        }
        let spec = kind.spec();
        let used: Vec<usize> = (0..spec.columns.len())
            .filter(|&i| rows.iter().any(|r| r.cells.get(i).is_some_and(|c| !c.is_empty())))
            .collect();
        out.push(Sample {
            kind: kind.name().to_string(),
            columns: used.iter().map(|&i| spec.columns[i].name).collect(),
            rows: rows.iter().map(|r| (r.line, used.iter().map(|&i| r.cells[i].clone()).collect())).collect(),
        });
    }
    out
}

/// What the form sent besides the file.
#[derive(Default)]
struct Sent {
    csrf_checked: bool,
    kind: Option<String>,
    mapping: String,
    mapping_text: Option<String>,
    file_name: Option<String>,
    upload: Option<(Box<dyn std::io::Read + Send>, u64)>,
    /// A layout's files, written under their names, and how many bytes they hold.
    dir: Option<tempfile::TempDir>,
    dir_bytes: usize,
    skip_bad: bool,
    preview: bool,
}

/// Reads the multipart form: the CSRF token is the form's first field and is checked before
/// any file is stored; the data file is streamed to a temporary file.
async fn read_form(state: &AppState, viewer: &Viewer, multipart: &mut Multipart) -> Result<Sent, Response> {
    let mut sent = Sent::default();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return Err(too_large()),
        };
        let name = field.name().unwrap_or("").to_string();
        if (name == "file" || name == "mapping_file") && !sent.csrf_checked {
            // A form whose token was not checked yet sends nothing we will store.
            viewer.check_csrf(None).map_err(|page| *page)?;
        }
        match name.as_str() {
            "file" if layout_of(&sent.mapping).is_some() => {
                let Some(name) = field.file_name().and_then(plain_name) else {
                    return Err(error_page(
                        StatusCode::BAD_REQUEST,
                        "A file name the layout cannot use",
                        "file: a layout's files keep their own names (like sales_pipeline.csv).",
                    ));
                };
                let dir = match &sent.dir {
                    Some(dir) => dir,
                    None => sent.dir.insert(tempfile::tempdir().map_err(|e| {
                        viewer.error(AppError::Internal(format!("cannot spool an upload: {e}")))
                    })?),
                };
                let left = state.config.max_upload_bytes.saturating_sub(sent.dir_bytes);
                let spool = Spool::create_in(dir.path(), &name, left).await;
                let spool = fill(viewer, &mut field, spool.map_err(|e| spool_failure(viewer, e))?).await?;
                sent.dir_bytes += spool.close().await.map_err(|e| spool_failure(viewer, e))?;
                sent.file_name.get_or_insert(name);
            }
            "file" => {
                if sent.upload.is_some() {
                    return Err(error_page(
                        StatusCode::BAD_REQUEST,
                        "One file at a time",
                        "file: choose one file, or a layout under Columns for several.",
                    ));
                }
                sent.file_name = field.file_name().map(str::to_string);
                let spool =
                    Spool::new(state.config.max_upload_bytes).map_err(|e| spool_failure(viewer, e))?;
                let spool = fill(viewer, &mut field, spool).await?;
                sent.upload = Some(spool.finish().await.map_err(|e| spool_failure(viewer, e))?);
            }
            "mapping_file" => {
                let Ok(bytes) = field.bytes().await else { return Err(too_large()) };
                if bytes.len() > MAX_MAPPING_BYTES {
                    return Err(too_large());
                }
                sent.mapping_text = Some(String::from_utf8_lossy(&bytes).into_owned());
            }
            _ => {
                let Ok(text) = field.text().await else { return Err(too_large()) };
                match name.as_str() {
                    "_csrf" => {
                        viewer.check_csrf(Some(&text)).map_err(|page| *page)?;
                        sent.csrf_checked = true;
                    }
                    "kind" => sent.kind = Some(text),
                    "mapping" => sent.mapping = text,
                    "skip_bad" => sent.skip_bad = text == "true",
                    "step" => sent.preview = text == "preview",
                    _ => {}
                }
            }
        }
    }
    if !sent.csrf_checked {
        viewer.check_csrf(None).map_err(|page| *page)?;
    }
    Ok(sent)
}

/// `POST /import` (multipart: `_csrf`, `kind`, `mapping`, `mapping_file`, `file`,
/// `skip_bad`, `step` = `preview` or `import`). The permission is checked before any of the
/// body is read.
pub(crate) async fn import_upload(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Response {
    let grant = match state.app.authorize_upload(&viewer.actor) {
        Ok(grant) => grant,
        Err(e) => return viewer.error(e),
    };
    let sent = match read_form(&state, &viewer, &mut multipart).await {
        Ok(sent) => sent,
        Err(page) => return page,
    };
    let selected = sent.kind.clone().unwrap_or_default();
    let chosen = sent.mapping.clone();
    if let Some(layout) = layout_of(&sent.mapping) {
        let Some(dir) = sent.dir else {
            return error_page(
                StatusCode::BAD_REQUEST,
                "Choose the files",
                "file: choose the layout's files.",
            );
        };
        let how = UploadOptions { mapping: None, skip_bad: sent.skip_bad, preview: sent.preview };
        let outcome = state.app.import_upload_dir(grant, dir.path(), layout, &how).await;
        return show_outcome(
            &viewer,
            selected,
            chosen,
            &format!("the {} files", layout.name()),
            &how,
            outcome,
        );
    }
    let failed = |heading: String| {
        let result = ImportResult {
            ok: false,
            preview: sent.preview,
            heading,
            counts: vec![],
            errors: vec![],
            samples: vec![],
        };
        import_view(&viewer, selected.clone(), chosen.clone(), Some(result), StatusCode::UNPROCESSABLE_ENTITY)
    };
    let Some(kind) = sent.kind.as_deref().and_then(|k| Kind::ALL.into_iter().find(|x| x.name() == k)) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Choose a kind",
            "kind: choose the kind of records the file holds.",
        );
    };
    let mapping = match sent.mapping.as_str() {
        "" => Ok(None),
        CUSTOM => match sent.mapping_text.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(text) => Mapping::chosen(None, Some(text)),
            None => Err("choose your mapping file (.toml)".to_string()),
        },
        name => Mapping::chosen(Some(name), None),
    };
    let mapping = match mapping {
        Ok(m) => m,
        Err(e) => return failed(format!("Nothing was imported: mapping: {e}")),
    };
    let (Some((input, lines)), Some(file)) = (sent.upload, sent.file_name.filter(|f| !f.is_empty())) else {
        return error_page(StatusCode::BAD_REQUEST, "Choose a file", "file: choose a CSV file to upload.");
    };
    // Only the base name: a browser may send a path, which is nobody's business here.
    let file = file.rsplit(['/', '\\']).next().unwrap_or("upload.csv").to_string();
    let how = UploadOptions { mapping, skip_bad: sent.skip_bad, preview: sent.preview };
    let outcome = state.app.import_upload(grant, kind, &file, input, lines, &how).await;
    show_outcome(&viewer, selected, chosen, &file, &how, outcome)
}

/// The page after a preview or an import of `file`: what was (or would be) written, the bad
/// rows, and a preview's first rows.
fn show_outcome(
    viewer: &Viewer,
    selected: String,
    chosen: String,
    file: &str,
    how: &UploadOptions,
    outcome: Result<attain_app::ImportReport, AppError>,
) -> Response {
    match outcome {
        Ok(report) => {
            let counts = report
                .kinds
                .iter()
                .map(|k| {
                    (
                        k.kind.name().to_string(),
                        k.rows,
                        k.written.inserted,
                        k.written.updated,
                        k.written.unchanged,
                        k.skipped,
                    )
                })
                .collect();
            let n = report.bad_rows.len();
            let heading = match (how.preview, n) {
                (true, 0) => {
                    format!("Preview of {file}: every row is good; nothing is written until you import")
                }
                (true, n) if how.skip_bad => {
                    format!(
                        "Preview of {file}: {n} bad row{} would be skipped; nothing is written yet",
                        plural(n)
                    )
                }
                (true, n) => format!(
                    "Preview of {file}: {n} bad row{}; importing would write nothing unless bad rows are skipped",
                    plural(n)
                ),
                (false, 0) => format!("Imported {file}"),
                (false, 1) => format!("Imported the good rows of {file}; 1 bad row was skipped"),
                (false, n) => format!("Imported the good rows of {file}; {n} bad rows were skipped"),
            };
            let result = ImportResult {
                ok: n == 0 || how.skip_bad,
                preview: how.preview,
                heading,
                counts,
                errors: error_lines(&report.bad_rows),
                samples: samples(&report),
            };
            import_view(viewer, selected, chosen, Some(result), StatusCode::OK)
        }
        Err(AppError::Import(attain_app::ImportError::Rejected { errors })) => {
            let heading = format!("Nothing was imported: {} bad row{}", errors.len(), plural(errors.len()));
            let result = ImportResult {
                ok: false,
                preview: false,
                heading,
                counts: vec![],
                errors: error_lines(&errors),
                samples: vec![],
            };
            import_view(viewer, selected, chosen, Some(result), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Import(e)) => {
            let result = ImportResult {
                ok: false,
                preview: how.preview,
                heading: format!("Nothing was imported: {e}"),
                counts: vec![],
                errors: vec![],
                samples: vec![],
            };
            import_view(viewer, selected, chosen, Some(result), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => viewer.error(e),
    }
}

/// Streams one multipart field into `spool`, within its limit.
async fn fill(viewer: &Viewer, field: &mut Field<'_>, mut spool: Spool) -> Result<Spool, Response> {
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => spool.write(&chunk).await.map_err(|e| spool_failure(viewer, e))?,
            Ok(None) => return Ok(spool),
            Err(_) => return Err(too_large()),
        }
    }
}

fn spool_failure(viewer: &Viewer, e: SpoolError) -> Response {
    match e {
        SpoolError::TooLarge => too_large(),
        SpoolError::Disk(e) => viewer.error(AppError::Internal(format!("cannot spool an upload: {e}"))),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn too_large() -> Response {
    error_page(
        StatusCode::PAYLOAD_TOO_LARGE,
        "The upload failed",
        "The file is larger than the server accepts, or the upload was cut off.",
    )
}
