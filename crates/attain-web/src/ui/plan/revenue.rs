//! The revenue plan pages: the years and their plans in force; one year's plan against actual
//! month by month with its versions; the draft's form (comp admins and sales ops); and the
//! approval's confirmation (finance, executives, admins). Who may see and do what is the
//! app's decision; these handlers parse, call and render.

use askama::Template;
use attain_app::plan::{Figures, PlanVsActual, RevenueDraft, RevenueYear};
use attain_app::{AppError, Permission};
use attain_core::domain::{PlanStatus, RevenuePlan, SeasonSource, parse_fiscal_year};
use attain_core::record::Choice;
use attain_core::{Decimal, Money};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::api::QueryPairs;
use crate::auth::Viewer;
use crate::server::AppState;
use crate::ui::chart::{Bar, bars_svg};
use crate::ui::view::{Chrome, form_error, format_money, group_digits, instant, month_name};
use crate::ui::{FormData, render};

fn year_of(viewer: &Viewer, text: &str) -> Result<i16, Box<Response>> {
    parse_fiscal_year(text).ok_or_else(|| {
        let mut page =
            viewer.error(AppError::invalid("fiscal_year", format!("'{text}' is not a fiscal year")));
        *page.status_mut() = StatusCode::BAD_REQUEST;
        Box::new(page)
    })
}

fn status_badge(plan: &RevenuePlan, in_force: Option<u32>) -> (&'static str, &'static str) {
    match plan.status {
        PlanStatus::Draft => ("Draft", "open"),
        PlanStatus::Approved if in_force == Some(plan.version) => ("Approved — in force", "won"),
        PlanStatus::Approved => ("Approved — replaced", "superseded"),
    }
}

/// `actual` as a percentage of `plan`, or a dash when the plan is zero.
fn share(actual: Decimal, plan: Decimal) -> String {
    if plan.is_zero() {
        return "—".into();
    }
    format!("{}%", (actual * Decimal::ONE_HUNDRED / plan).round_dp(1).normalize())
}

struct YearRow {
    year: String,
    href: String,
    in_force: String,
    revenue: String,
    draft: String,
}

#[derive(Template)]
#[template(path = "plan_revenue_years.html")]
struct YearsPage {
    chrome: Chrome,
    rows: Vec<YearRow>,
    manage: bool,
    next_year: String,
}

/// `GET /plan/revenue`: every year with a plan, and a way to start the next.
pub(crate) async fn years_page(State(state): State<AppState>, viewer: Viewer) -> Response {
    let actor = &viewer.actor;
    let years = match state.app.revenue_years(actor) {
        Ok(y) => y,
        Err(e) => return viewer.error(e),
    };
    let rows = years
        .iter()
        .map(|y: &RevenueYear| YearRow {
            year: format!("FY{}", y.fiscal_year),
            href: format!("/plan/revenue/{}", y.fiscal_year),
            in_force: y.in_force().map_or("none yet".into(), |p| format!("version {}", p.version)),
            revenue: y.in_force().or(y.versions.first()).map_or(String::new(), |p| format_money(p.revenue)),
            draft: y.draft().map_or(String::new(), |d| format!("version {} being prepared", d.version)),
        })
        .collect();
    let today = state.app.pay_today();
    let calendar = state.app.snapshot().data.company.first().map(|c| c.calendar).unwrap_or_default();
    let next = years.first().map_or(calendar.fiscal_year_of(today), |y| y.fiscal_year + 1);
    let page = YearsPage {
        chrome: Chrome::signed_in("Revenue plan", actor, &viewer.csrf, "/plan/revenue"),
        rows,
        manage: actor.may(Permission::ManagePlan),
        next_year: next.to_string(),
    };
    render(&page).into_response()
}

struct MonthRow {
    month: String,
    revenue: (String, String, String),
    margin: (String, String, String),
    bookings: (String, String, String),
    logos: (String, String),
}

/// An amount with every minor digit, grouped, without its currency (the page names it once).
fn amount(m: Money) -> String {
    group_digits(&Decimal::new(m.minor(), m.currency().minor_units()).to_string())
}

fn cells(plan: Money, actual: Option<Money>) -> (String, String, String) {
    match actual {
        Some(a) => (amount(plan), amount(a), share(a.amount(), plan.amount())),
        None => (amount(plan), String::new(), String::new()),
    }
}

fn month_row(month: String, plan: &Figures, actual: Option<&Figures>) -> MonthRow {
    MonthRow {
        month,
        revenue: cells(plan.revenue, actual.map(|a| a.revenue)),
        margin: cells(plan.margin, actual.map(|a| a.margin)),
        bookings: cells(plan.bookings, actual.map(|a| a.bookings)),
        logos: (plan.new_logos.to_string(), actual.map_or(String::new(), |a| a.new_logos.to_string())),
    }
}

struct VersionRow {
    version: u32,
    href: String,
    status: (&'static str, &'static str),
    shown: bool,
    revenue: String,
    note: String,
    prepared_by: String,
    approved: String,
}

#[derive(Template)]
#[template(path = "plan_revenue.html")]
struct YearPage {
    chrome: Chrome,
    year: String,
    fiscal_year: i16,
    version: u32,
    status: (&'static str, &'static str),
    note: String,
    season: String,
    months: Vec<MonthRow>,
    /// The year to date and the whole year.
    footer: Vec<MonthRow>,
    chart: String,
    versions: Vec<VersionRow>,
    /// "Edit draft version 2…" or "Start version 3…", for those who prepare the plan.
    edit_label: Option<String>,
    can_approve: bool,
    currency: String,
}

/// `GET /plan/revenue/{year}`: the plan in force (or `?version=N`) against actual.
pub(crate) async fn year_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(year): Path<String>,
    query: QueryPairs,
) -> Response {
    let actor = &viewer.actor;
    let fiscal_year = match year_of(&viewer, &year) {
        Ok(y) => y,
        Err(page) => return *page,
    };
    let version = query.get("version").and_then(|v| v.trim().parse::<u32>().ok());
    let view: PlanVsActual = match state.app.plan_vs_actual(actor, fiscal_year, version) {
        Ok(v) => v,
        Err(e) => return viewer.error(e),
    };
    let year_versions = match state.app.revenue_year(actor, fiscal_year) {
        Ok(y) => y,
        Err(e) => return viewer.error(e),
    };
    let in_force = year_versions.in_force().map(|p| p.version);
    let plan = &view.plan;
    let months: Vec<MonthRow> =
        view.months.iter().map(|l| month_row(month_name(l.period), &l.plan, l.actual.as_ref())).collect();
    let bars: Vec<Bar> = view
        .months
        .iter()
        .map(|l| Bar {
            label: month_name(l.period).chars().take(3).collect(),
            plan: l.plan.revenue.amount(),
            actual: l.actual.map(|a| a.revenue.amount()),
        })
        .collect();
    let versions = year_versions
        .versions
        .iter()
        .map(|p| VersionRow {
            version: p.version,
            href: format!("/plan/revenue/{fiscal_year}?version={}", p.version),
            status: status_badge(p, in_force),
            shown: p.version == plan.version,
            revenue: format_money(p.revenue),
            note: p.note.clone(),
            prepared_by: p.prepared_by.clone(),
            approved: match (&p.approved_by, p.approved_at) {
                (Some(by), Some(at)) => format!("{by}, {}", instant(&at.to_string())),
                _ => String::new(),
            },
        })
        .collect();
    let draft = plan.status == PlanStatus::Draft;
    let page = YearPage {
        chrome: Chrome::signed_in(
            format!("Revenue plan FY{fiscal_year}"),
            actor,
            &viewer.csrf,
            "/plan/revenue",
        ),
        year: format!("FY{fiscal_year}"),
        fiscal_year,
        version: plan.version,
        status: status_badge(plan, in_force),
        note: plan.note.clone(),
        season: match plan.season {
            SeasonSource::Entered => "entered by hand".into(),
            SeasonSource::Even => "even across the months".into(),
            SeasonSource::Learned => "learned from earlier years' bookings".into(),
        },
        months,
        footer: vec![
            month_row("Year to date".into(), &view.plan_to_date, Some(&view.total_actual)),
            month_row("Whole year".into(), &view.total_plan, None),
        ],
        chart: bars_svg(&bars, &format!("Revenue by month, FY{fiscal_year}: plan against actual")),
        versions,
        edit_label: actor.may(Permission::ManagePlan).then(|| match year_versions.draft() {
            Some(d) => format!("Edit draft version {}…", d.version),
            None => format!(
                "Start version {}…",
                year_versions.versions.iter().map(|v| v.version).max().unwrap_or(0) + 1
            ),
        }),
        currency: plan.currency.code().to_string(),
        can_approve: draft && actor.may(Permission::ApprovePlan) && plan.prepared_by != actor.login,
    };
    render(&page).into_response()
}

#[derive(Template)]
#[template(path = "plan_revenue_edit.html")]
struct EditPage {
    chrome: Chrome,
    year: String,
    fiscal_year: String,
    heading: String,
    currency: String,
    revenue: String,
    margin: String,
    bookings: String,
    new_logos: String,
    season: String,
    /// (column, label, value).
    shares: Vec<(String, String, String)>,
    note: String,
    /// The open draft's version as read, sent back so a change made since is not overwritten.
    etag: String,
    error: Option<String>,
}

/// The fiscal year's months by name, first month first (`January 2018`).
fn month_labels(state: &AppState, fiscal_year: i16) -> Vec<String> {
    let calendar = state.app.snapshot().data.company.first().map(|c| c.calendar).unwrap_or_default();
    let mut month = calendar.month_period(calendar.fiscal_year_start(fiscal_year));
    (0..12)
        .map(|_| {
            // "Sep 2026": twelve fields in a row need short names.
            let name = month_name(month);
            month = month.next_month();
            match name.split_once(' ') {
                Some((m, year)) => format!("{} {year}", m.chars().take(3).collect::<String>()),
                None => name,
            }
        })
        .collect()
}

fn edit_view(
    viewer: &Viewer,
    labels: &[String],
    fiscal_year: &str,
    form: &RevenueDraft,
    heading: String,
    error: Option<String>,
) -> EditPage {
    EditPage {
        chrome: Chrome::signed_in(
            format!("Edit revenue plan FY{fiscal_year}"),
            &viewer.actor,
            &viewer.csrf,
            "/plan/revenue",
        ),
        year: format!("FY{fiscal_year}"),
        fiscal_year: fiscal_year.to_string(),
        heading,
        currency: form.currency.clone().unwrap_or_default(),
        revenue: form.revenue.clone(),
        margin: form.margin.clone(),
        bookings: form.bookings.clone(),
        new_logos: form.new_logos.clone(),
        season: form.season.clone(),
        shares: (0..12)
            .map(|i| {
                let label = labels.get(i).cloned().unwrap_or_else(|| format!("Month {}", i + 1));
                (format!("month_{}", i + 1), label, form.shares.get(i).cloned().unwrap_or_default())
            })
            .collect(),
        note: form.note.clone(),
        etag: form.if_match.clone().unwrap_or_default(),
        error,
    }
}

fn draft_from(plan: &RevenuePlan) -> RevenueDraft {
    let plain = |m: Money| m.amount().normalize().to_string();
    RevenueDraft {
        fiscal_year: plan.fiscal_year.to_string(),
        currency: Some(plan.currency.code().to_string()),
        revenue: plain(plan.revenue),
        margin: plain(plan.margin),
        bookings: plain(plan.bookings),
        new_logos: plan.new_logos.to_string(),
        season: plan.season.name().to_string(),
        shares: plan.shares.iter().map(|s| s.normalize().to_string()).collect(),
        note: if plan.status == PlanStatus::Draft { plan.note.clone() } else { String::new() },
        if_match: None,
    }
}

/// `GET /plan/revenue/{year}/edit`: the draft's form, filled from the open draft, else from
/// the plan in force (a new version starts from it), else empty with even months.
pub(crate) async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(year): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    if let Err(e) = actor.require(Permission::ManagePlan) {
        return viewer.error(e);
    }
    let fiscal_year = match year_of(&viewer, &year) {
        Ok(y) => y,
        Err(page) => return *page,
    };
    let existing = state.app.revenue_year(actor, fiscal_year).ok();
    let (form, heading) = match existing.as_ref().and_then(|y| y.draft().or(y.in_force()).map(|p| (y, p))) {
        Some((y, p)) if p.status == PlanStatus::Draft => {
            let if_match = state.app.revenue_etag(actor, fiscal_year, p.version).ok();
            (
                RevenueDraft { if_match, ..draft_from(p) },
                format!("Draft version {} of FY{}", p.version, y.fiscal_year),
            )
        }
        Some((y, p)) => {
            let next = y.versions.iter().map(|v| v.version).max().unwrap_or(0) + 1;
            (
                draft_from(p),
                format!("New version {next} of FY{}, starting from version {}", y.fiscal_year, p.version),
            )
        }
        None => (
            RevenueDraft {
                season: "even".into(),
                shares: vec![String::new(); 12],
                ..RevenueDraft::default()
            },
            format!("The first plan for FY{fiscal_year}"),
        ),
    };
    let labels = month_labels(&state, fiscal_year);
    render(&edit_view(&viewer, &labels, &fiscal_year.to_string(), &form, heading, None)).into_response()
}

/// `POST /plan/revenue/{year}/edit`: saves the draft, then shows the year.
pub(crate) async fn save_draft(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(year): Path<String>,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let fiscal_year = match year_of(&viewer, &year) {
        Ok(y) => y,
        Err(page) => return *page,
    };
    let field = |name: &str| form.get(name).unwrap_or("").to_string();
    let draft = RevenueDraft {
        fiscal_year: fiscal_year.to_string(),
        currency: form.get("currency").map(str::to_string),
        revenue: field("revenue"),
        margin: field("margin"),
        bookings: field("bookings"),
        new_logos: field("new_logos"),
        season: field("season"),
        shares: (1..=12).map(|m| field(&format!("month_{m}"))).collect(),
        note: field("note"),
        if_match: form.get("etag").map(str::to_string),
    };
    match state.app.save_revenue_draft(&viewer.actor, draft.clone()).await {
        Ok(saved) => {
            Redirect::to(&format!("/plan/revenue/{fiscal_year}?version={}", saved.version)).into_response()
        }
        Err(e) => match form_error(&e) {
            Some(message) => {
                let code = crate::error::classify(e).0.status;
                let heading = format!("FY{fiscal_year}: the draft was not saved");
                let labels = month_labels(&state, fiscal_year);
                let page =
                    edit_view(&viewer, &labels, &fiscal_year.to_string(), &draft, heading, Some(message));
                (code, render(&page)).into_response()
            }
            None => viewer.error(e),
        },
    }
}

#[derive(Template)]
#[template(path = "plan_revenue_approve.html")]
struct ApprovePage {
    chrome: Chrome,
    year: String,
    fiscal_year: i16,
    version: u32,
    etag: String,
    facts: Vec<(&'static str, String)>,
    error: Option<String>,
}

async fn approve_view(
    state: &AppState,
    viewer: &Viewer,
    fiscal_year: i16,
    version: u32,
    error: Option<String>,
    code: StatusCode,
) -> Response {
    let actor = &viewer.actor;
    if let Err(e) = actor.require(Permission::ApprovePlan) {
        return viewer.error(e);
    }
    let view = match state.app.plan_vs_actual(actor, fiscal_year, Some(version)) {
        Ok(v) => v,
        Err(e) => return viewer.error(e),
    };
    let p = &view.plan;
    let page = ApprovePage {
        chrome: Chrome::signed_in(
            format!("Approve revenue plan FY{fiscal_year}"),
            actor,
            &viewer.csrf,
            "/plan/revenue",
        ),
        year: format!("FY{fiscal_year}"),
        fiscal_year,
        version,
        etag: view.etag.clone(),
        facts: vec![
            ("Version", p.version.to_string()),
            ("Revenue", format_money(p.revenue)),
            ("Margin", format_money(p.margin)),
            ("Bookings", format_money(p.bookings)),
            ("New logos", p.new_logos.to_string()),
            ("Why", p.note.clone()),
            ("Prepared by", p.prepared_by.clone()),
        ],
        error,
    };
    (code, render(&page)).into_response()
}

fn version_of(viewer: &Viewer, text: &str) -> Result<u32, Box<Response>> {
    text.trim().parse::<u32>().ok().filter(|v| *v >= 1).ok_or_else(|| {
        let mut page =
            viewer.error(AppError::invalid("version", format!("'{text}' is not a version number")));
        *page.status_mut() = StatusCode::BAD_REQUEST;
        Box::new(page)
    })
}

/// `GET /plan/revenue/{year}/versions/{version}/approve`: what is about to be approved.
pub(crate) async fn approve_confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((year, version)): Path<(String, String)>,
) -> Response {
    let (fiscal_year, version) = match (year_of(&viewer, &year), version_of(&viewer, &version)) {
        (Ok(y), Ok(v)) => (y, v),
        (Err(page), _) | (_, Err(page)) => return *page,
    };
    approve_view(&state, &viewer, fiscal_year, version, None, StatusCode::OK).await
}

/// `POST /plan/revenue/{year}/versions/{version}/approve`: approves the version seen.
pub(crate) async fn approve(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((year, version)): Path<(String, String)>,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let (fiscal_year, version) = match (year_of(&viewer, &year), version_of(&viewer, &version)) {
        (Ok(y), Ok(v)) => (y, v),
        (Err(page), _) | (_, Err(page)) => return *page,
    };
    match state.app.approve_revenue_plan(&viewer.actor, fiscal_year, version, form.get("etag")).await {
        Ok(_) => Redirect::to(&format!("/plan/revenue/{fiscal_year}")).into_response(),
        Err(e) => match form_error(&e) {
            Some(message) => {
                let code = crate::error::classify(e).0.status;
                approve_view(&state, &viewer, fiscal_year, version, Some(message), code).await
            }
            None => viewer.error(e),
        },
    }
}
