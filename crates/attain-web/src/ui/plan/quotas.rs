//! The quota pages: a year's quota sheets (all of them for the whole-company roles, a manager's
//! own team's, a rep's own quotas); one sheet with its reports' quotas, the owner's form, the
//! submission, the next level up's return and approval (behind a confirmation); and the
//! allocation form with its preview (comp admins). The app decides who may do what; these
//! handlers parse, call and render.

use askama::Template;
use attain_app::plan::{AllocationRequest, SheetEdit, SheetView};
use attain_app::{AppError, Permission};
use attain_core::domain::{QuotaSheet, SheetStatus, parse_fiscal_year};
use attain_core::record::Choice;
use attain_core::{Decimal, Money};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::api::QueryPairs;
use crate::auth::Viewer;
use crate::server::AppState;
use crate::ui::view::{Chrome, form_error, format_money, group_digits, instant, month_name, segment};
use crate::ui::{FormData, render};

const HOME: &str = "/plan/quotas";

/// An amount with every minor digit, grouped, without its currency (the page names it once).
fn amount(m: Money) -> String {
    group_digits(&Decimal::new(m.minor(), m.currency().minor_units()).to_string())
}

/// The amount as a form field holds it: plain, no grouping.
fn plain(m: Money) -> String {
    Decimal::new(m.minor(), m.currency().minor_units()).to_string()
}

fn badge(sheet: &QuotaSheet, in_force: bool) -> (&'static str, &'static str) {
    match sheet.status {
        SheetStatus::Draft if sheet.review_note.is_some() => ("Returned — draft", "open"),
        SheetStatus::Draft => ("Draft", "open"),
        SheetStatus::Submitted => ("Submitted — awaiting approval", "pending"),
        SheetStatus::Approved if in_force => ("Approved — in force", "won"),
        SheetStatus::Approved => ("Approved — replaced", "superseded"),
    }
}

fn current_year(state: &AppState) -> i16 {
    let calendar = state.app.snapshot().data.company.first().map(|c| c.calendar).unwrap_or_default();
    calendar.fiscal_year_of(state.app.pay_today())
}

fn sheet_href(id: &str) -> String {
    format!("{HOME}/sheets/{}", segment(id))
}

struct SheetRow {
    href: String,
    owner: String,
    holder: String,
    measure: String,
    version: u32,
    status: (&'static str, &'static str),
    target: String,
    total: String,
    gap: String,
}

struct OwnRow {
    period: String,
    seat: String,
    amount: String,
    source: String,
}

/// A measure's quotas of the viewer's, and their sum over the year.
struct OwnMeasure {
    measure: String,
    rows: Vec<OwnRow>,
    total: String,
}

#[derive(Template)]
#[template(path = "plan_quotas.html")]
struct YearPage {
    chrome: Chrome,
    year: String,
    previous: String,
    next: String,
    rows: Vec<SheetRow>,
    own: Vec<OwnMeasure>,
    allocate: Option<String>,
}

/// `GET /plan/quotas?year=2018`: the year's sheets the viewer may see, and their own quotas.
pub(crate) async fn year_page(State(state): State<AppState>, viewer: Viewer, query: QueryPairs) -> Response {
    let actor = &viewer.actor;
    let fiscal_year = query.get("year").and_then(parse_fiscal_year).unwrap_or_else(|| current_year(&state));
    let sheets = match state.app.quota_sheets(actor, fiscal_year) {
        Ok(s) => s,
        Err(e) => return viewer.error(e),
    };
    let own = match state.app.own_quotas(actor, fiscal_year) {
        Ok(o) => o,
        Err(e) => return viewer.error(e),
    };
    let rows = sheets
        .iter()
        .map(|s| {
            let gap = s.total.amount() - s.target.amount();
            SheetRow {
                href: sheet_href(&s.sheet.id),
                owner: s.owner_title.clone(),
                holder: s.owner_holder.clone().unwrap_or_else(|| "vacant".into()),
                measure: s.sheet.measure.name().to_string(),
                version: s.sheet.version,
                status: badge(&s.sheet, s.in_force),
                target: amount(s.target),
                total: amount(s.total),
                gap: if gap.is_zero() { "—".into() } else { group_digits(&gap.to_string()) },
            }
        })
        .collect();
    let shown = |amount: Decimal, currency: Option<attain_core::Currency>| match currency
        .and_then(|c| Money::new(amount, c).ok())
    {
        Some(m) => format_money(m),
        None => amount.normalize().to_string(),
    };
    let mut measures: Vec<OwnMeasure> = Vec::new();
    let mut sums: Vec<Decimal> = Vec::new();
    for q in &own {
        let at = match measures.iter().position(|m| m.measure == q.measure) {
            Some(at) => at,
            None => {
                measures.push(OwnMeasure {
                    measure: q.measure.clone(),
                    rows: Vec::new(),
                    total: String::new(),
                });
                sums.push(Decimal::ZERO);
                measures.len() - 1
            }
        };
        sums[at] += q.amount;
        measures[at].total = shown(sums[at], q.currency);
        measures[at].rows.push(OwnRow {
            period: match q.period {
                attain_core::Period::Month { .. } => month_name(q.period),
                other => other.to_string(),
            },
            seat: q.position_title.clone(),
            amount: shown(q.amount, q.currency),
            source: q.source.clone(),
        });
    }
    let own = measures;
    let page = YearPage {
        chrome: Chrome::signed_in(format!("Quotas FY{fiscal_year}"), actor, &viewer.csrf, HOME),
        year: format!("FY{fiscal_year}"),
        previous: format!("{HOME}?year={}", fiscal_year - 1),
        next: format!("{HOME}?year={}", fiscal_year + 1),
        rows,
        own,
        allocate: actor.may(Permission::ManagePlan).then(|| format!("{HOME}/allocate?year={fiscal_year}")),
    };
    render(&page).into_response()
}

struct ReportRow {
    field: String,
    title: String,
    holders: String,
    annual: String,
    value: String,
    quarters: [String; 4],
    in_force: Option<String>,
}

struct VersionRow {
    href: String,
    version: u32,
    status: (&'static str, &'static str),
    note: String,
    who: String,
    shown: bool,
}

#[derive(Template)]
#[template(path = "plan_quota_sheet.html")]
struct SheetPage {
    chrome: Chrome,
    action: String,
    heading: String,
    status: (&'static str, &'static str),
    facts: Vec<(&'static str, String)>,
    off_target: Option<String>,
    note: String,
    review_note: Option<String>,
    currency: String,
    reports: Vec<ReportRow>,
    show_in_force: bool,
    total: String,
    target: String,
    versions: Vec<VersionRow>,
    /// Edit and submit (the owner, comp admins), or approve and return (the next level up).
    may_edit: bool,
    may_submit: bool,
    may_review: bool,
    revising: bool,
    etag: String,
    error: Option<String>,
}

fn who(s: &QuotaSheet) -> String {
    let mut parts = vec![format!("prepared by {}", s.prepared_by)];
    if let (Some(by), Some(at)) = (&s.submitted_by, s.submitted_at) {
        parts.push(format!("submitted by {by}, {}", instant(&at.to_string())));
    }
    if let (Some(by), Some(at)) = (&s.approved_by, s.approved_at) {
        parts.push(format!("approved by {by}, {}", instant(&at.to_string())));
    }
    parts.join(" · ")
}

fn sheet_view(viewer: &Viewer, v: &SheetView, typed: Option<&FormData>, error: Option<String>) -> SheetPage {
    let s = &v.sheet;
    let currency = s.envelope.currency();
    let zero = Money::zero(currency);
    let reports = v
        .reports
        .iter()
        .map(|r| {
            let field = format!("annual.{}", r.position_id);
            let quarter = |q: usize| {
                let sum = r.months[q * 3..q * 3 + 3].iter().try_fold(zero, |a, b| a.checked_add(*b));
                sum.map(amount).unwrap_or_default()
            };
            ReportRow {
                value: typed.and_then(|f| f.get(&field)).map_or_else(|| plain(r.annual), str::to_string),
                field,
                title: r.title.clone(),
                holders: if r.holders.is_empty() { "vacant".into() } else { r.holders.join(", ") },
                annual: amount(r.annual),
                quarters: [quarter(0), quarter(1), quarter(2), quarter(3)],
                in_force: r.in_force_annual.map(amount),
            }
        })
        .collect();
    let gap = v.total.amount() - v.target.amount();
    let off_target = (!gap.is_zero()).then(|| {
        let word = if gap > Decimal::ZERO { "above" } else { "below" };
        format!(
            "The quotas sum to {}, {} {word} the target: submitting needs a reason, and the approver decides.",
            format_money(v.total),
            group_digits(&gap.abs().to_string())
        )
    });
    let revising = s.status == SheetStatus::Approved;
    // Versions are newest first: the first approved one is in force.
    let in_force_id = v.versions.iter().find(|x| x.status == SheetStatus::Approved).map(|x| x.id.as_str());
    SheetPage {
        chrome: Chrome::signed_in(
            format!("Quota sheet {}", v.owner_title),
            &viewer.actor,
            &viewer.csrf,
            HOME,
        ),
        action: sheet_href(&s.id),
        heading: format!(
            "FY{} {} quotas under {}, version {}",
            s.fiscal_year, s.measure, v.owner_title, s.version
        ),
        status: badge(s, v.in_force),
        facts: vec![
            (
                "Seat",
                format!("{} ({})", v.owner_title, v.owner_holder.clone().unwrap_or_else(|| "vacant".into())),
            ),
            ("Envelope", format_money(s.envelope)),
            ("Over-assignment", format!("{}%", s.over_assignment.normalize())),
            ("Target for the reports", format_money(v.target)),
            ("Method", s.method.name().replace('_', " ")),
            ("Who", who(s)),
        ],
        off_target,
        note: s.note.clone(),
        review_note: s.review_note.clone(),
        currency: currency.code().to_string(),
        show_in_force: v.reports.iter().any(|r| r.in_force_annual.is_some()),
        reports,
        total: amount(v.total),
        target: amount(v.target),
        versions: v
            .versions
            .iter()
            .map(|x| VersionRow {
                href: sheet_href(&x.id),
                version: x.version,
                status: badge(x, Some(x.id.as_str()) == in_force_id),
                note: x.note.clone(),
                who: who(x),
                shown: x.id == s.id,
            })
            .collect(),
        may_edit: v.may_edit,
        may_submit: v.may_edit && s.status == SheetStatus::Draft,
        may_review: v.may_review,
        revising,
        etag: v.etag.clone(),
        error,
    }
}

async fn show(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    typed: Option<&FormData>,
    error: Option<String>,
    code: StatusCode,
) -> Response {
    match state.app.quota_sheet(&viewer.actor, id) {
        Ok(v) => (code, render(&sheet_view(viewer, &v, typed, error))).into_response(),
        Err(e) => viewer.error(e),
    }
}

/// `GET /plan/quotas/sheets/{id}`.
pub(crate) async fn sheet_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    show(&state, &viewer, &id, None, None, StatusCode::OK).await
}

/// After a use-case: the sheet (`to`) on success, else the sheet again with the error by its
/// field (and the typed values kept).
async fn after(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    form: &FormData,
    outcome: Result<String, AppError>,
) -> Response {
    match outcome {
        Ok(to) => Redirect::to(&sheet_href(&to)).into_response(),
        Err(e) => match form_error(&e) {
            Some(message) => {
                let code = crate::error::classify(e).0.status;
                show(state, viewer, id, Some(form), Some(message), code).await
            }
            None => viewer.error(e),
        },
    }
}

/// `POST /plan/quotas/sheets/{id}`: the owner's change (a new version of an approved sheet).
pub(crate) async fn save_sheet(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let edit = SheetEdit {
        annual: form
            .0
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("annual.").map(|p| (p.to_string(), v.clone())))
            .collect(),
        note: form.text("note"),
        if_match: form.get("etag").map(str::to_string),
    };
    let outcome = state.app.save_quota_sheet(&viewer.actor, &id, edit).await;
    after(&state, &viewer, &id, &form, outcome).await
}

/// `POST /plan/quotas/sheets/{id}/submit`.
pub(crate) async fn submit_sheet(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let outcome = state
        .app
        .submit_quota_sheet(&viewer.actor, &id, form.get("reason"), form.get("etag"))
        .await
        .map(|()| id.clone());
    after(&state, &viewer, &id, &form, outcome).await
}

/// `POST /plan/quotas/sheets/{id}/return`.
pub(crate) async fn return_sheet(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let reason = form.text("reason");
    let outcome = state
        .app
        .return_quota_sheet(&viewer.actor, &id, &reason, form.get("etag"))
        .await
        .map(|()| id.clone());
    after(&state, &viewer, &id, &form, outcome).await
}

#[derive(Template)]
#[template(path = "plan_quota_approve.html")]
struct ApprovePage {
    chrome: Chrome,
    back: String,
    action: String,
    heading: String,
    facts: Vec<(&'static str, String)>,
    etag: String,
    error: Option<String>,
}

async fn approve_view(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    error: Option<String>,
    code: StatusCode,
) -> Response {
    let v = match state.app.quota_sheet(&viewer.actor, id) {
        Ok(v) => v,
        Err(e) => return viewer.error(e),
    };
    if !v.may_review {
        return viewer.error(AppError::Forbidden);
    }
    let s = &v.sheet;
    let page = ApprovePage {
        chrome: Chrome::signed_in("Approve quota sheet", &viewer.actor, &viewer.csrf, HOME),
        back: sheet_href(&s.id),
        action: format!("{}/approve", sheet_href(&s.id)),
        heading: format!(
            "Approve the FY{} {} quotas under {}, version {}?",
            s.fiscal_year, s.measure, v.owner_title, s.version
        ),
        facts: vec![
            ("Reports", v.reports.len().to_string()),
            ("Their quotas", format_money(v.total)),
            ("Target", format_money(v.target)),
            ("Why", s.note.clone()),
            ("Submitted", who(s)),
        ],
        etag: v.etag.clone(),
        error,
    };
    (code, render(&page)).into_response()
}

/// `GET /plan/quotas/sheets/{id}/approve`: what is about to be approved.
pub(crate) async fn approve_confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    approve_view(&state, &viewer, &id, None, StatusCode::OK).await
}

/// `POST /plan/quotas/sheets/{id}/approve`: approves the version seen.
pub(crate) async fn approve(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    match state.app.approve_quota_sheet(&viewer.actor, &id, form.get("etag")).await {
        Ok(()) => Redirect::to(&sheet_href(&id)).into_response(),
        Err(e) => match form_error(&e) {
            Some(message) => {
                let code = crate::error::classify(e).0.status;
                approve_view(&state, &viewer, &id, Some(message), code).await
            }
            None => viewer.error(e),
        },
    }
}

struct SeatRow {
    name: String,
    holders: String,
    capacity: String,
    last_year: String,
    potential: String,
    annual: String,
}

#[derive(Template)]
#[template(path = "plan_quota_allocate.html")]
struct AllocatePage {
    chrome: Chrome,
    year: String,
    measure: String,
    method: String,
    mix: [String; 3],
    over_top: String,
    over_team: String,
    ramp: String,
    note: String,
    preview: Option<(String, Vec<SeatRow>, usize)>,
    error: Option<String>,
}

fn request_of(form: &FormData) -> AllocationRequest {
    AllocationRequest {
        fiscal_year: form.text("fiscal_year"),
        measure: form.text("measure"),
        method: form.text("method"),
        mix: [form.text("mix_equal"), form.text("mix_last_year"), form.text("mix_potential")],
        over_assignment: vec![form.text("over_top"), form.text("over_team")],
        ramp: form.text("ramp"),
        note: form.text("note"),
    }
}

fn allocate_view(
    viewer: &Viewer,
    r: &AllocationRequest,
    preview: Option<(String, Vec<SeatRow>, usize)>,
    error: Option<String>,
) -> AllocatePage {
    AllocatePage {
        chrome: Chrome::signed_in("Allocate quotas", &viewer.actor, &viewer.csrf, HOME),
        year: r.fiscal_year.clone(),
        measure: r.measure.clone(),
        method: r.method.clone(),
        mix: r.mix.clone(),
        over_top: r.over_assignment.first().cloned().unwrap_or_default(),
        over_team: r.over_assignment.get(1).cloned().unwrap_or_default(),
        ramp: r.ramp.clone(),
        note: r.note.clone(),
        preview,
        error,
    }
}

/// `GET /plan/quotas/allocate?year=2018`: the allocation form (comp admins).
pub(crate) async fn allocate_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    if let Err(e) = viewer.actor.require(Permission::ManagePlan) {
        return viewer.error(e);
    }
    let year = query.get("year").and_then(parse_fiscal_year).unwrap_or_else(|| current_year(&state));
    let request = AllocationRequest {
        fiscal_year: year.to_string(),
        measure: "revenue".into(),
        method: "equal".into(),
        mix: ["50".into(), "30".into(), "20".into()],
        over_assignment: vec!["100".into(), "110".into()],
        ramp: "25,50,75".into(),
        note: String::new(),
    };
    render(&allocate_view(&viewer, &request, None, None)).into_response()
}

/// `POST /plan/quotas/allocate`: `action=preview` shows the result; `action=apply` writes the
/// same computation as draft sheets and shows the year.
pub(crate) async fn allocate(State(state): State<AppState>, viewer: Viewer, form: FormData) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let request = request_of(&form);
    let apply = form.get("action") == Some("apply");
    let outcome = if apply {
        state.app.apply_quota_allocation(&viewer.actor, &request).await
    } else {
        state.app.quota_allocation(&viewer.actor, &request)
    };
    match outcome {
        Ok(a) if apply => Redirect::to(&format!("{HOME}?year={}", a.fiscal_year)).into_response(),
        Ok(a) => {
            let seats = a
                .seats
                .iter()
                .map(|s| SeatRow {
                    name: format!("{}{}", "\u{2003}".repeat(s.depth), s.title),
                    holders: if s.holders.is_empty() { "vacant".into() } else { s.holders.join(", ") },
                    capacity: format!("{}%", (s.capacity * Decimal::ONE_HUNDRED).round_dp(1).normalize()),
                    last_year: amount(s.last_year),
                    potential: amount(s.potential),
                    annual: amount(s.annual),
                })
                .collect();
            let title = format!(
                "FY{} {} from plan {}: {}",
                a.fiscal_year,
                a.measure,
                a.plan_id,
                format_money(a.total)
            );
            render(&allocate_view(&viewer, &request, Some((title, seats, a.sheets.len())), None))
                .into_response()
        }
        Err(e) => match form_error(&e) {
            Some(message) => {
                let code = crate::error::classify(e).0.status;
                (code, render(&allocate_view(&viewer, &request, None, Some(message)))).into_response()
            }
            None => viewer.error(e),
        },
    }
}
