//! How one component line of a statement was made: the trace, in words and tables.

use askama::Template;
use attain_app::AppError;
use attain_core::{Currency, Decimal};
use attain_engine::pay::run::{LineKind, Statement, Trace};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{Tab, money, month_of, number, percent, statement_href, tabs};
use crate::api::QueryPairs;
use crate::auth::Viewer;
use crate::server::AppState;
use crate::ui::render;
use crate::ui::view::month_name;
use crate::ui::view::{Chrome, words};

struct CreditRow {
    transaction: String,
    href: String,
    date: String,
    kind: String,
    amount: String,
    share: String,
    why: String,
    value: String,
    counted: String,
}

#[derive(Template)]
#[template(path = "pay_explain.html")]
struct ExplainPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    back: String,
    payee: String,
    month: String,
    heading: String,
    summary: String,
    line: Option<(String, String)>,
    facts: Vec<(&'static str, String)>,
    credits: Vec<CreditRow>,
    /// position, period, amount, months share, days share, part
    quota_parts: Vec<[String; 6]>,
    /// tier, from, rate or value, slice, paid
    tiers: Vec<[String; 5]>,
    modifiers: Vec<(String, String)>,
    notes: Vec<String>,
}

/// A component's scope in words.
fn scope_words(scope: &str) -> &str {
    match scope {
        "month" => "monthly",
        "quarter" => "once a quarter",
        "year" => "once a year",
        "qtd" => "monthly, quarter to date",
        "ytd" => "monthly, year to date",
        other => other,
    }
}

/// The days measured, both ends included: `2017-04-01 to 2017-06-30`.
fn measured(t: &Trace) -> String {
    let last = t.measured.to.and_then(|d| d.yesterday().ok());
    match last {
        Some(last) => format!("{} to {last}", t.measured.from),
        None => format!("from {}", t.measured.from),
    }
}

/// A tier's value: a rate for marginal and retroactive tables, else an amount or level.
fn tier_value(mode: Option<&str>, value: Decimal) -> String {
    match mode {
        Some("marginal" | "retroactive") => percent(value),
        _ => number(value),
    }
}

/// The trace in one paragraph: "Measure X against quota Y = Z% attainment; tiers …".
pub(crate) fn summary(t: &Trace, currency: Currency) -> String {
    let mut parts = Vec::new();
    match (t.measure_total, t.quota, t.attainment) {
        (Some(m), Some(q), Some(a)) => parts.push(format!(
            "Measure {} against quota {} = {} attainment",
            number(m),
            number(q),
            percent(a)
        )),
        (Some(m), _, _) => parts.push(format!("Measure {}", number(m))),
        (None, _, Some(a)) => parts.push(format!("Attainment {}", percent(a))),
        (None, _, None) => {}
    }
    if !t.tiers.is_empty() {
        let tiers: Vec<String> = t
            .tiers
            .iter()
            .map(|s| {
                format!(
                    "tier {} from {} at {}: {} → {}",
                    s.tier,
                    number(s.from),
                    tier_value(t.mode, s.value),
                    number(s.slice),
                    money(s.paid, currency)
                )
            })
            .collect();
        parts.push(format!("tiers ({}): {}", t.mode.unwrap_or("tiers"), tiers.join("; ")));
    } else if let Some(mode) = t.mode {
        parts.push(format!("{mode} tiers"));
    }
    for (label, factor) in &t.modifiers {
        parts.push(format!("{label}: ×{}", number(*factor)));
    }
    parts.push(format!("earned {} over {}", money(t.earned, currency), measured(t)));
    let mut text = parts.join("; ");
    if let Some(first) = text.get(0..1) {
        text.replace_range(0..1, &first.to_uppercase());
    }
    text.push('.');
    text
}

fn page(viewer: &Viewer, s: &Statement, t: &Trace) -> ExplainPage {
    let c = s.currency;
    let line = s
        .lines
        .iter()
        .find(|l| l.kind == LineKind::Component && l.component.as_deref() == Some(t.component.as_str()));
    let label = line.map_or_else(|| t.component.clone(), |l| l.label.clone());
    let opt = |d: Option<Decimal>, f: &dyn Fn(Decimal) -> String| d.map(f).unwrap_or_else(|| "—".into());
    let facts = vec![
        ("Plan", t.plan.clone()),
        ("Component", format!("{} (paid {})", t.component, scope_words(t.scope))),
        ("Measured", measured(t)),
        ("Measure", opt(t.measure_total, &number)),
        ("Quota", opt(t.quota, &number)),
        ("Attainment", opt(t.attainment, &percent)),
        ("Tier mode", t.mode.map_or_else(|| "—".into(), words)),
        ("Earned in the window", money(t.earned, c)),
    ];
    ExplainPage {
        chrome: Chrome::signed_in(
            format!("{label} · {}", s.name),
            &viewer.actor,
            &viewer.csrf,
            "/pay/statements",
        ),
        tabs: tabs(&viewer.actor, "/pay/statements"),
        back: statement_href(s.period, &s.person_id),
        payee: s.name.clone(),
        month: month_name(s.period),
        heading: label,
        summary: summary(t, c),
        line: line.map(|l| (money(l.amount, c), l.explanation.clone())),
        facts,
        credits: t
            .credits
            .iter()
            .map(|k| CreditRow {
                transaction: k.transaction.clone(),
                href: format!("/transactions/{}", super::segment(&k.transaction)),
                date: k.date.to_string(),
                kind: words(&k.kind),
                amount: money(k.amount, k.currency),
                share: percent(k.share),
                why: k.why.clone(),
                value: money(k.value, c),
                counted: k.counted.clone(),
            })
            .collect(),
        quota_parts: t
            .quota_parts
            .iter()
            .map(|q| {
                [
                    q.position.clone(),
                    q.period.to_string(),
                    money(q.amount, c),
                    percent(q.months_share),
                    percent(q.days_share),
                    money(q.part, c),
                ]
            })
            .collect(),
        tiers: t
            .tiers
            .iter()
            .map(|s| {
                [
                    s.tier.to_string(),
                    number(s.from),
                    tier_value(t.mode, s.value),
                    number(s.slice),
                    money(s.paid, c),
                ]
            })
            .collect(),
        modifiers: t.modifiers.iter().map(|(l, f)| (l.clone(), format!("×{}", number(*f)))).collect(),
        notes: t.notes.clone(),
    }
}

/// `/pay/statements/{period}/{person}/explain?plan=…&component=…`.
pub(crate) async fn explain_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((month, person)): Path<(String, String)>,
    query: QueryPairs,
) -> Response {
    let actor = &viewer.actor;
    let period = match month_of(&viewer, &month) {
        Ok(p) => p,
        Err(page) => return *page,
    };
    let Some(component) = query.get("component").map(str::trim).filter(|c| !c.is_empty()) else {
        let mut page = viewer.error(AppError::invalid("component", "name the component to explain"));
        *page.status_mut() = StatusCode::BAD_REQUEST;
        return page;
    };
    // The statement names the payee and the line (and, when the address does not, the line's
    // plan); the trace explains it. The app checks scope for both.
    let (_, statement) = match state.app.statement(actor, period, &person).await {
        Ok(found) => found,
        Err(e) => return viewer.error(e),
    };
    let plan = query.get("plan").map(str::trim).filter(|p| !p.is_empty()).or_else(|| {
        statement
            .components()
            .find(|l| l.component.as_deref() == Some(component))
            .and_then(|l| l.plan.as_deref())
    });
    let Some(plan) = plan else { return viewer.error(AppError::NotFound) };
    match state.app.trace(actor, period, &person, plan, component).await {
        Ok(trace) => render(&page(&viewer, &statement, &trace)).into_response(),
        Err(e) => viewer.error(e),
    }
}
