//! The stored plan files, each with its summary and text; admins and comp admins replace them
//! by uploading a new set, which is checked as a whole (every problem is listed, by file, line
//! and field, and nothing is stored unless all are valid).

use askama::Template;
use attain_app::Permission;
use attain_app::pay::PlanSummary;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{Tab, form_error, tabs};
use crate::auth::Viewer;
use crate::server::AppState;
use crate::ui::render;
use crate::ui::view::Chrome;

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
    notice: Option<String>,
    errors: Vec<String>,
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
        chrome: Chrome::signed_in("Plans", actor, &viewer.csrf, "/pay"),
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
                updated_at: super::instant(&f.updated_at),
                text: f.text,
            })
            .collect(),
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

/// `POST /pay/plans` (multipart: `_csrf` and one or more `files`): replaces the stored plans.
pub(crate) async fn upload_plans(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Response {
    let mut csrf = None;
    let mut files: Vec<(String, String)> = Vec::new();
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
                    "_csrf" => match field.text().await {
                        Ok(text) => csrf = Some(text),
                        Err(_) => return too_large(),
                    },
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
    if files.is_empty() && problems.is_empty() {
        problems.push("files: choose one or more .toml plan files".into());
    }
    if !problems.is_empty() {
        return plans_view(&state, &viewer, None, problems, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match state.app.save_plans(&viewer.actor, files).await {
        Ok(plans) => {
            let names: Vec<String> = plans.iter().map(|p| format!("{}@{}", p.id, p.version)).collect();
            let notice = format!(
                "Saved. The stored plans are now: {}.",
                if names.is_empty() { "none".to_string() } else { names.join(", ") }
            );
            plans_view(&state, &viewer, Some(notice), Vec::new(), StatusCode::OK).await
        }
        Err(e) => match form_error(&e) {
            Some(message) => {
                let errors = message.lines().map(str::to_string).collect();
                let code = crate::error::classify(e).0.status;
                plans_view(&state, &viewer, None, errors, code).await
            }
            None => viewer.error(e),
        },
    }
}
