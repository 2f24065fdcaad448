//! The plan files the viewer may read, each with its summary and text. Admins and comp admins
//! upload files that add to or replace the stored files of the same names: first a preview of
//! what would change (the resulting set checked as a whole, every problem listed by file, line
//! and field), then the save; removing a file is its own action, refused for a plan in use.

use askama::Template;
use attain_app::pay::{PlanChanges, PlanSummary};
use attain_app::{AppError, Permission};
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{Tab, tabs};
use crate::auth::Viewer;
use crate::server::AppState;
use crate::ui::render;
use crate::ui::view::Chrome;
use crate::ui::view::form_error;

struct FileView {
    name: String,
    updated_at: String,
    text: String,
    /// (label, value) of the plan's summary; empty for the crediting rules.
    summary: Vec<(&'static str, String)>,
    components: Vec<String>,
    title: String,
}

#[derive(Template)]
#[template(path = "pay_plans.html")]
struct PlansPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    manage: bool,
    /// For the assignment form: (position id, label) and the stored plan ids.
    positions: Vec<(String, String)>,
    plan_ids: Vec<String>,
    files: Vec<FileView>,
    preview: Option<PreviewView>,
    notice: Option<String>,
    errors: Vec<String>,
}

/// What a save would change, and the files to save, carried to the save as hex so that the
/// browser's line-break normalisation of form fields cannot alter a byte.
struct PreviewView {
    changes: Vec<(&'static str, String)>,
    plans: String,
    files: Vec<(String, String)>,
}

fn preview_view(changes: &PlanChanges, files: &[(String, String)]) -> PreviewView {
    let list = |names: &[String]| if names.is_empty() { "none".to_string() } else { names.join(", ") };
    PreviewView {
        changes: vec![
            ("Added", list(&changes.added)),
            ("Replaced", list(&changes.replaced)),
            ("Unchanged", list(&changes.unchanged)),
            ("Kept as stored (not uploaded)", list(&changes.kept)),
        ],
        plans: plan_list(&changes.plans),
        files: files.iter().map(|(name, text)| (name.clone(), hex(text.as_bytes()))).collect(),
    }
}

fn plan_list(plans: &[PlanSummary]) -> String {
    let names: Vec<String> = plans.iter().map(|p| format!("{}@{}", p.id, p.version)).collect();
    if names.is_empty() { "none".to_string() } else { names.join(", ") }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// On-target earnings, grouped: `148,000`.
fn ote(text: &str) -> String {
    attain_core::money::parse_decimal(text).map_or_else(|_| text.to_string(), super::number)
}

fn summary(p: &PlanSummary) -> Vec<(&'static str, String)> {
    let valid = match &p.valid_to {
        Some(to) => format!("{} to {to} (exclusive)", p.valid_from),
        None => format!("from {}", p.valid_from),
    };
    vec![
        ("Plan id", p.id.clone()),
        ("Version", p.version.to_string()),
        ("Valid", valid),
        ("On-target earnings", p.on_target_earnings.as_deref().map_or_else(|| "—".into(), ote)),
        ("Pay mix (base/incentive %)", p.pay_mix.clone().unwrap_or_else(|| "—".into())),
    ]
}

async fn plans_view(
    state: &AppState,
    viewer: &Viewer,
    notice: Option<String>,
    errors: Vec<String>,
    code: StatusCode,
) -> Response {
    preview_page(state, viewer, None, notice, errors, code).await
}

async fn preview_page(
    state: &AppState,
    viewer: &Viewer,
    preview: Option<PreviewView>,
    notice: Option<String>,
    errors: Vec<String>,
    code: StatusCode,
) -> Response {
    let actor = &viewer.actor;
    let files = match state.app.plan_files(actor).await {
        Ok(files) => files,
        Err(e) => return viewer.error(e),
    };
    let manage = actor.may(Permission::ManagePay);
    let mut plan_ids: Vec<String> =
        files.iter().filter_map(|f| f.plan.as_ref().map(|p| p.id.clone())).collect();
    plan_ids.sort_unstable();
    plan_ids.dedup();
    let positions = if manage { positions(state) } else { Vec::new() };
    let page = PlansPage {
        chrome: Chrome::signed_in("Plans", actor, &viewer.csrf, "/pay/plans"),
        tabs: tabs(actor, "/pay/plans"),
        manage,
        positions,
        plan_ids,
        files: files
            .into_iter()
            .map(|f| FileView {
                title: f.plan.as_ref().map_or_else(
                    || "Crediting rules".to_string(),
                    |p| format!("{} (version {})", p.name, p.version),
                ),
                summary: f.plan.as_ref().map(summary).unwrap_or_default(),
                components: f.plan.map(|p| p.components).unwrap_or_default(),
                name: f.name,
                updated_at: crate::ui::view::instant(&f.updated_at),
                text: f.text,
            })
            .collect(),
        preview,
        notice,
        errors,
    };
    (code, render(&page)).into_response()
}

/// The positions as they are now (their latest version), for the assignment form.
fn positions(state: &AppState) -> Vec<(String, String)> {
    let snapshot = state.app.snapshot();
    let mut latest: std::collections::BTreeMap<&str, &attain_core::domain::Position> = Default::default();
    for p in &snapshot.data.positions {
        let keep = latest.get(p.id.as_str()).is_none_or(|q| q.validity.from < p.validity.from);
        if keep {
            latest.insert(p.id.as_str(), p);
        }
    }
    latest.into_values().map(|p| (p.id.clone(), format!("{} — {}", p.id, p.title))).collect()
}

/// `POST /pay/plans/assign`: assigns a plan to a position from a day on.
pub(crate) async fn assign_plan(
    State(state): State<AppState>,
    viewer: Viewer,
    form: crate::ui::FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let new = attain_app::pay::NewPlanAssignment {
        position_id: form.get("position_id").unwrap_or("").to_string(),
        plan_id: form.get("plan_id").unwrap_or("").to_string(),
        valid_from: form.get("valid_from").unwrap_or("").to_string(),
    };
    match state.app.assign_plan(&viewer.actor, new.clone()).await {
        Ok(_) => {
            let notice = format!(
                "{} holds plan `{}` from {} (its earlier plan ends that day).",
                new.position_id, new.plan_id, new.valid_from
            );
            plans_view(&state, &viewer, Some(notice), Vec::new(), StatusCode::OK).await
        }
        Err(e) => match form_error(&e) {
            Some(message) => {
                let code = crate::error::classify(e).0.status;
                plans_view(&state, &viewer, None, vec![message], code).await
            }
            None => viewer.error(e),
        },
    }
}

pub(crate) async fn plans_page(State(state): State<AppState>, viewer: Viewer) -> Response {
    plans_view(&state, &viewer, None, Vec::new(), StatusCode::OK).await
}

fn too_large() -> Response {
    crate::ui::error_page(
        StatusCode::PAYLOAD_TOO_LARGE,
        "The upload failed",
        "The files are larger than the server accepts, or the upload was cut off.",
    )
}

/// `POST /pay/plans` (multipart): `_csrf`, `step` (`preview`, the default, or `save`) and the
/// files, as uploads (`files`) or as the preview page carries them (`file_name` + `file_hex`
/// pairs). A preview shows what would change and writes nothing; a save adds or replaces the
/// files (the others stay).
pub(crate) async fn upload_plans(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Response {
    let mut csrf = None;
    let mut step = String::new();
    let mut files: Vec<(String, String)> = Vec::new();
    let mut carried_names: Vec<String> = Vec::new();
    let mut carried_texts: Vec<String> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                match name.as_str() {
                    "files" => {
                        // Only the base name: a browser may send a path.
                        let file = field
                            .file_name()
                            .unwrap_or("")
                            .rsplit(['/', '\\'])
                            .next()
                            .unwrap_or("")
                            .to_string();
                        let Ok(bytes) = field.bytes().await else { return too_large() };
                        if file.is_empty() && bytes.is_empty() {
                            continue; // the empty part a browser sends when no file is chosen
                        }
                        match String::from_utf8(bytes.to_vec()) {
                            Ok(text) => files.push((file, text)),
                            Err(_) => problems.push(format!("{file}: is not UTF-8 text")),
                        }
                    }
                    "_csrf" | "step" | "file_name" | "file_hex" => {
                        let Ok(text) = field.text().await else { return too_large() };
                        match name.as_str() {
                            "_csrf" => csrf = Some(text),
                            "step" => step = text,
                            "file_name" => carried_names.push(text),
                            _ => carried_texts.push(text),
                        }
                    }
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => return too_large(),
        }
    }
    if let Err(page) = viewer.check_csrf(csrf.as_deref()) {
        return *page;
    }
    if carried_names.len() != carried_texts.len() {
        problems.push("files: the preview's files arrived incomplete; upload them again".into());
    }
    for (name, hexed) in carried_names.into_iter().zip(carried_texts) {
        match unhex(&hexed).map(String::from_utf8) {
            Some(Ok(text)) => files.push((name, text)),
            _ => problems.push(format!("{name}: the preview's copy is damaged; upload it again")),
        }
    }
    if files.is_empty() && problems.is_empty() {
        problems.push("files: choose one or more .toml plan files".into());
    }
    if !problems.is_empty() {
        return plans_view(&state, &viewer, None, problems, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if step == "save" {
        match state.app.save_plans(&viewer.actor, files).await {
            Ok(changes) => {
                let notice = format!(
                    "Saved: {} added, {} replaced, {} unchanged, {} kept as stored. The stored plans are now: {}.",
                    changes.added.len(),
                    changes.replaced.len(),
                    changes.unchanged.len(),
                    changes.kept.len(),
                    plan_list(&changes.plans)
                );
                plans_view(&state, &viewer, Some(notice), Vec::new(), StatusCode::OK).await
            }
            Err(e) => refused(&state, &viewer, e).await,
        }
    } else {
        match state.app.preview_plans(&viewer.actor, files.clone()).await {
            Ok(changes) => {
                let preview = preview_view(&changes, &files);
                preview_page(&state, &viewer, Some(preview), None, Vec::new(), StatusCode::OK).await
            }
            Err(e) => refused(&state, &viewer, e).await,
        }
    }
}

/// The plans page with a refused change's problems, one a line, and its status.
async fn refused(state: &AppState, viewer: &Viewer, e: AppError) -> Response {
    match form_error(&e) {
        Some(message) => {
            let errors = message.lines().map(str::to_string).collect();
            let code = crate::error::classify(e).0.status;
            plans_view(state, viewer, None, errors, code).await
        }
        None => viewer.error(e),
    }
}

#[derive(Template)]
#[template(path = "pay_plan_remove.html")]
struct RemovePage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    name: String,
    facts: Vec<(&'static str, String)>,
    text: String,
}

/// The confirmation page of a removal: the file, what it defines, and its text.
async fn remove_view(state: &AppState, viewer: &Viewer, name: &str) -> Response {
    let actor = &viewer.actor;
    if !actor.may(Permission::ManagePay) {
        return viewer.error(AppError::Forbidden);
    }
    let files = match state.app.plan_files(actor).await {
        Ok(files) => files,
        Err(e) => return viewer.error(e),
    };
    let Some(file) = files.into_iter().find(|f| f.name == name) else {
        return viewer.error(AppError::NotFound);
    };
    let mut facts = vec![("File", file.name.clone()), ("Stored", crate::ui::view::instant(&file.updated_at))];
    match &file.plan {
        Some(p) => facts.extend([("Plan", format!("{} (version {})", p.name, p.version))]),
        None => facts.push(("Holds", "the crediting rules".into())),
    }
    let page = RemovePage {
        chrome: Chrome::signed_in("Remove a plan file", actor, &viewer.csrf, "/pay/plans"),
        tabs: tabs(actor, "/pay/plans"),
        name: file.name,
        facts,
        text: file.text,
    };
    render(&page)
}

/// `POST /pay/plans/remove` (`_csrf`, `name`, `confirm`): removes one stored plan file. A post
/// without the confirmation page's `confirm=yes` shows that page instead of removing.
pub(crate) async fn remove_plan(
    State(state): State<AppState>,
    viewer: Viewer,
    form: crate::ui::FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let name = form.text("name");
    if form.get("confirm") != Some("yes") {
        return remove_view(&state, &viewer, &name).await;
    }
    match state.app.remove_plan_file(&viewer.actor, &name).await {
        Ok(removed) => {
            let notice = format!(
                "Removed {}. The stored plans are now: {}.",
                removed.removed,
                plan_list(&removed.plans)
            );
            plans_view(&state, &viewer, Some(notice), Vec::new(), StatusCode::OK).await
        }
        Err(e) => refused(&state, &viewer, e).await,
    }
}
