//! A month's statements as the viewer may see them, and one payee's statement.

use askama::Template;
use attain_app::{AppError, Role};
use attain_core::{Decimal, Period};
use attain_engine::pay::run::{LineKind, Statement};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{
    Tab, downloads, money, month_of, number, percent, query_value, segment, statement_href, status, tabs,
};
use crate::api::QueryPairs;
use crate::auth::Viewer;
use crate::server::AppState;
use crate::ui::render;
use crate::ui::view::month_name;
use crate::ui::view::{Chrome, words};

struct PayeeRow {
    name: String,
    href: String,
    plans: String,
    payout: String,
    currency: String,
}

/// The month picker: the months that have runs (for the roles that see runs), else a month
/// field.
struct Picker {
    months: Vec<(String, String)>,
    selected: String,
}

#[derive(Template)]
#[template(path = "pay_statements.html")]
struct StatementsPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    heading: String,
    run: Option<(String, &'static str, &'static str)>,
    picker: Picker,
    rows: Vec<PayeeRow>,
    totals: Vec<String>,
    downloads: Vec<(String, String)>,
    message: Option<String>,
}

/// The payout totals of some statements, one per currency.
fn totals(statements: &[Statement]) -> Vec<String> {
    attain_app::pay::totals(statements).iter().map(|t| money(t.payout, t.currency)).collect()
}

fn picker(months: &[Period], period: Option<Period>) -> Picker {
    let months = months.iter().map(|p| (p.to_string(), month_name(*p))).collect();
    Picker { months, selected: period.map(|p| p.to_string()).unwrap_or_default() }
}

/// `/pay/statements?period=YYYY-MM`: the payees the viewer may see (a rep goes straight to
/// their own statement).
pub(crate) async fn statements_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let actor = &viewer.actor;
    let months = match state.app.pay_months(actor).await {
        Ok(months) => months,
        Err(e) => return viewer.error(e),
    };
    let requested = match query.get("period").map(str::trim).filter(|p| !p.is_empty()) {
        Some(text) => match month_of(&viewer, text) {
            Ok(p) => Some(p),
            Err(page) => return *page,
        },
        None => None,
    };
    let found = match requested.or_else(|| months.first().copied()) {
        Some(p) => state.app.statements(actor, p).await.map(Some),
        None => Ok(None),
    };
    let view = match found {
        Ok(v) => v,
        Err(AppError::NotFound) => None,
        Err(e) => return viewer.error(e),
    };
    if actor.role == Role::Rep
        && let Some(v) = &view
        && let Some(own) = v.statements().iter().find(|s| Some(&s.person_id) == actor.person_id.as_ref())
    {
        return Redirect::to(&statement_href(v.month().period, &own.person_id)).into_response();
    }
    let period = view.as_ref().map(|v| v.month().period).or(requested);
    let chrome = Chrome::signed_in("Pay statements", actor, &viewer.csrf, "/pay/statements");
    let tabs = tabs(actor, "/pay/statements");
    let picker = picker(&months, period);
    let Some(view) = view else {
        let message = match period {
            Some(p) => format!("No pay has been calculated for {} yet.", month_name(p)),
            None => "No pay has been calculated yet.".to_string(),
        };
        let page = StatementsPage {
            chrome,
            tabs,
            heading: "Pay statements".into(),
            run: None,
            picker,
            rows: Vec::new(),
            totals: Vec::new(),
            downloads: Vec::new(),
            message: Some(message),
        };
        let status = if requested.is_some() { StatusCode::NOT_FOUND } else { StatusCode::OK };
        return (status, render(&page)).into_response();
    };
    let month = view.month();
    let period = month.period;
    let mut statements = view.into_statements();
    statements.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.person_id.cmp(&b.person_id)));
    let rows = statements
        .iter()
        .map(|s| PayeeRow {
            name: s.name.clone(),
            href: statement_href(period, &s.person_id),
            plans: s.plans.join(", "),
            payout: money(s.payout, s.currency),
            currency: s.currency.code().to_string(),
        })
        .collect();
    let (label, class) = status(month.status);
    let message = statements.is_empty().then(|| format!("You have no statement for {}.", month_name(period)));
    let page = StatementsPage {
        chrome,
        tabs,
        heading: format!("Pay statements · {}", month_name(period)),
        run: Some((format!("Run version {}", month.version), label, class)),
        picker,
        totals: totals(&statements),
        rows,
        downloads: if statements.is_empty() { Vec::new() } else { downloads(actor, period, None) },
        message,
    };
    render(&page)
}

struct LineRow {
    kind: String,
    label: String,
    corrects: Option<String>,
    measure: String,
    quota: String,
    attainment: String,
    tier: String,
    amount: String,
    explanation: String,
    explain: Option<String>,
}

#[derive(Template)]
#[template(path = "pay_statement.html")]
struct StatementPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    back: Option<String>,
    name: String,
    person_href: String,
    month: String,
    period: String,
    run: String,
    status: (&'static str, &'static str),
    plans: Vec<String>,
    lines: Vec<LineRow>,
    facts: Vec<(&'static str, String)>,
    notes: Vec<String>,
    downloads: Vec<(String, String)>,
}

/// The address of the explanation of a component line (of `plan`'s `component`).
pub(crate) fn explain_href(s: &Statement, plan: &str, component: &str) -> String {
    format!(
        "{}/explain?plan={}&component={}",
        statement_href(s.period, &s.person_id),
        query_value(plan),
        query_value(component)
    )
}

fn line_rows(s: &Statement) -> Vec<LineRow> {
    let opt = |d: Option<Decimal>, f: fn(Decimal) -> String| d.map(f).unwrap_or_default();
    s.lines
        .iter()
        .map(|l| LineRow {
            kind: words(l.kind.name()),
            label: l.label.clone(),
            corrects: l.of_period.map(|p| format!("corrects {p}")),
            measure: opt(l.measure, number),
            quota: opt(l.quota, number),
            attainment: opt(l.attainment, percent),
            tier: l.tier.map(|t| t.to_string()).unwrap_or_default(),
            amount: money(l.amount, s.currency),
            explanation: l.explanation.clone(),
            explain: match (l.kind, l.plan.as_deref(), l.component.as_deref()) {
                (LineKind::Component, Some(p), Some(c)) => Some(explain_href(s, p, c)),
                _ => None,
            },
        })
        .collect()
}

/// `/pay/statements/{period}/{person}`: one payee's statement.
pub(crate) async fn statement_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((month, person)): Path<(String, String)>,
) -> Response {
    let actor = &viewer.actor;
    let period = match month_of(&viewer, &month) {
        Ok(p) => p,
        Err(page) => return *page,
    };
    let (month, s) = match state.app.statement(actor, period, &person).await {
        Ok(found) => found,
        Err(e) => return viewer.error(e),
    };
    let c = s.currency;
    let facts = vec![
        ("Payout", money(s.payout, c)),
        ("Draw outstanding", money(s.draw_outstanding, c)),
        ("Balance carried", money(s.balance_carried, c)),
        ("Paid this fiscal year", money(s.ytd_payout, c)),
        ("Currency", c.code().to_string()),
    ];
    let page = StatementPage {
        chrome: Chrome::signed_in(
            format!("{} · {}", s.name, month_name(period)),
            actor,
            &viewer.csrf,
            "/pay/statements",
        ),
        tabs: tabs(actor, "/pay/statements"),
        // A rep's list is their own statement: no way back to a list.
        back: (actor.role != Role::Rep).then(|| format!("/pay/statements?period={period}")),
        name: s.name.clone(),
        person_href: format!("/people/{}", segment(&s.person_id)),
        month: month_name(period),
        period: period.to_string(),
        run: format!("Run version {}", month.version),
        status: status(month.status),
        plans: s.plans.clone(),
        lines: line_rows(&s),
        facts,
        notes: s.notes.clone(),
        downloads: downloads(actor, period, Some(&s.person_id)),
    };
    render(&page)
}
