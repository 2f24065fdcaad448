//! The Balance tab: the leaf territories (all, or those under one) side by side on a day —
//! accounts, potential, open pipeline, last fiscal year's bookings, workload — each one's
//! index against the average on the measure chosen (also as a small bar), the imbalance
//! score, and the account moves that lower it. A comp admin takes the moves as override rules
//! through a confirmation page, and lands on the Assign tab to preview and apply them.

use askama::Template;
use attain_app::plan::{BalanceRequest, TerritoryBalance};
use attain_app::{AppError, Permission};
use attain_core::record::Choice;
use attain_core::{Currency, Decimal};
use attain_engine::plan::territory::BalanceMeasure;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rust_decimal::prelude::ToPrimitive;

use super::{
    ASSIGN, BALANCE, HOME, Tab, TerritoryChoice, fingerprint, move_groups, tabs, territory_choices,
    with_owner,
};
use crate::api::QueryPairs;
use crate::auth::Viewer;
use crate::server::AppState;
use crate::ui::view::{Chrome, form_error, group, group_digits, segment};
use crate::ui::{FormData, render};

const TAKE: &str = "/plan/territories/balance/take";

/// How the page names a measure.
fn measure_label(m: BalanceMeasure) -> &'static str {
    match m {
        BalanceMeasure::Potential => "potential (annual revenue)",
        BalanceMeasure::Pipeline => "open pipeline",
        BalanceMeasure::Bookings => "bookings last fiscal year",
        BalanceMeasure::Workload => "workload (accounts and open deals)",
        BalanceMeasure::Accounts => "number of accounts",
    }
}

fn is_money(m: BalanceMeasure) -> bool {
    matches!(m, BalanceMeasure::Potential | BalanceMeasure::Pipeline | BalanceMeasure::Bookings)
}

/// An amount of the report's currency, grouped, without its code (the heading names it).
fn amount(currency: Currency, value: Decimal) -> String {
    group_digits(&currency.fixed(value).to_string())
}

/// A value on the measure: an amount for money, a count otherwise.
fn on_measure(b: &TerritoryBalance, value: Decimal) -> String {
    if is_money(b.measure) {
        format!("{} {}", amount(b.currency, value), b.currency.code())
    } else {
        group_digits(&value.round_dp(1).normalize().to_string())
    }
}

/// A territory's index as a bar diverging from the average (the middle of a 200-wide box):
/// right of it above the average, left below, capped at twice and at none.
struct Bar {
    x: i64,
    width: i64,
    class: &'static str,
}

fn bar(index: Decimal) -> Bar {
    let i = index.round().to_i64().unwrap_or(0).clamp(0, 200);
    if i >= 100 {
        Bar { x: 100, width: i - 100, class: "above" }
    } else {
        Bar { x: i, width: 100 - i, class: "below" }
    }
}

struct Row {
    territory: String,
    href: String,
    owner: String,
    accounts: String,
    potential: String,
    pipeline: String,
    bookings: String,
    workload: String,
    index: String,
    bar: Bar,
}

struct Suggestion {
    account: String,
    account_href: String,
    from: String,
    to: String,
    value: String,
    score_after: String,
}

/// The report as the page shows it.
struct Report {
    headline: String,
    average: String,
    currency: String,
    bookings_year: String,
    rows: Vec<Row>,
    suggestions: Vec<Suggestion>,
    /// The score once every suggested move is made.
    after: Option<String>,
}

fn report(b: &TerritoryBalance) -> Report {
    let money = |v: Decimal| amount(b.currency, v);
    let rows = b
        .rows
        .iter()
        .map(|r| Row {
            territory: r.name.clone(),
            href: format!("/territories/{}", segment(&r.territory_id)),
            owner: r.owner.clone().unwrap_or_else(|| "no owner".into()),
            accounts: group(r.load.accounts as usize),
            potential: money(r.load.potential),
            pipeline: money(r.load.pipeline),
            bookings: money(r.load.bookings),
            workload: group(r.load.workload as usize),
            index: format!("{}%", r.load.index.round_dp(0)),
            bar: bar(r.load.index),
        })
        .collect();
    let suggestions = b
        .suggestions
        .iter()
        .map(|m| Suggestion {
            account: m.account.clone(),
            account_href: format!("/accounts/{}", segment(&m.account_id)),
            from: owned(b, &m.from_territory, &m.from_name),
            to: owned(b, &m.to_territory, &m.to_name),
            value: on_measure(b, m.value),
            score_after: format!("{}%", m.score_after.round_dp(2)),
        })
        .collect();
    Report {
        headline: format!("Imbalance {}% on {} — 0% is even", b.score.round_dp(2), b.measure.name()),
        average: on_measure(b, b.average),
        currency: b.currency.code().to_string(),
        bookings_year: format!("FY{}", b.bookings_year),
        rows,
        suggestions,
        after: b.suggestions.last().map(|m| format!("{}%", m.score_after.round_dp(2))),
    }
}

/// A leaf of the report with its owner: "Ontario 2 (Jane Doe)".
fn owned(b: &TerritoryBalance, territory: &str, name: &str) -> String {
    let owner = b.rows.iter().find(|r| r.territory_id == territory).and_then(|r| r.owner.as_deref());
    with_owner(name, owner)
}

fn request(get: impl Fn(&str) -> Option<String>) -> BalanceRequest {
    let field = |name: &str| get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    BalanceRequest {
        on: field("on"),
        measure: field("measure"),
        under: field("under"),
        moves: field("moves"),
    }
}

/// The report's own address with its choices, under `path` (the tab, or the take page).
fn href(path: &str, b: &TerritoryBalance, moves: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("on", &b.on.to_string()).append_pair("measure", b.measure.name());
    if let Some(u) = &b.under {
        query.append_pair("under", u);
    }
    if let Some(m) = moves {
        query.append_pair("moves", m);
    }
    format!("{path}?{}", query.finish())
}

fn moves_fingerprint(b: &TerritoryBalance) -> String {
    fingerprint(b.suggestions.iter().map(|m| (m.account_id.as_str(), m.to_territory.as_str())))
}

#[derive(Template)]
#[template(path = "plan_territory_balance.html")]
struct BalancePage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    on: String,
    measure: String,
    under: String,
    moves: String,
    measures: Vec<(&'static str, &'static str)>,
    /// The territories with others under them, to balance only their leaves.
    parents: Vec<TerritoryChoice>,
    report: Option<Report>,
    /// The take confirmation's address, for those who may write when there are suggestions.
    take: Option<String>,
    error: Option<String>,
}

/// `GET /plan/territories/balance?on=&measure=&under=&moves=`.
pub(crate) async fn balance_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let asked = request(|name| query.get(name).map(str::to_string));
    let (report, take, error, code) = match state.app.territory_balance(&viewer.actor, &asked) {
        Ok(b) => {
            let take = (viewer.actor.may(Permission::ManagePlan) && !b.suggestions.is_empty())
                .then(|| href(TAKE, &b, asked.moves.as_deref()));
            (Some(b), take, None, StatusCode::OK)
        }
        Err(e) => match form_error(&e) {
            Some(message) => (None, None, Some(message), crate::error::classify(e).0.status),
            None => return viewer.error(e),
        },
    };
    let page = BalancePage {
        chrome: Chrome::signed_in("Territory balance", &viewer.actor, &viewer.csrf, HOME),
        tabs: tabs(BALANCE),
        on: report.as_ref().map_or_else(|| asked.on.clone().unwrap_or_default(), |b| b.on.to_string()),
        measure: report
            .as_ref()
            .map_or_else(|| asked.measure.clone().unwrap_or_default(), |b| b.measure.name().to_string()),
        under: asked.under.clone().unwrap_or_default(),
        moves: asked.moves.clone().unwrap_or_else(|| "10".into()),
        measures: BalanceMeasure::ALL.iter().map(|m| (m.name(), measure_label(*m))).collect(),
        parents: territory_choices(&state.app.snapshot().data).into_iter().filter(|t| !t.leaf).collect(),
        report: report.as_ref().map(self::report),
        take,
        error,
    };
    (code, render(&page)).into_response()
}

#[derive(Template)]
#[template(path = "plan_territory_balance_take.html")]
struct TakePage {
    chrome: Chrome,
    back: String,
    headline: String,
    groups: Vec<String>,
    report: Report,
    on: String,
    measure: String,
    under: String,
    moves: String,
    fingerprint: String,
    error: Option<String>,
}

/// The confirmation for taking the report's suggested moves as override rules.
fn take_view(
    state: &AppState,
    viewer: &Viewer,
    asked: &BalanceRequest,
    error: Option<String>,
    code: StatusCode,
) -> Response {
    if !viewer.actor.may(Permission::ViewPlan) {
        return viewer.error(AppError::NotFound);
    }
    if !viewer.actor.may(Permission::ManagePlan) {
        return viewer.error(AppError::Forbidden);
    }
    let b = match state.app.territory_balance(&viewer.actor, asked) {
        Ok(b) => b,
        Err(e) => match form_error(&e) {
            // A choice the report refuses: the report says which, with its form.
            Some(_) => return Redirect::to(BALANCE).into_response(),
            None => return viewer.error(e),
        },
    };
    let n = b.suggestions.len();
    let headline = match n {
        0 => format!(
            "No move would lower the imbalance on {} on {}: there is nothing to take.",
            b.measure.name(),
            b.on
        ),
        n => format!(
            "Writes {n} override rule{s} from {on}, one per account below, each giving the account to the territory shown. Nothing moves until you apply the assignment for {on}: you land on the Assign tab to check and apply it. The imbalance on {measure} would go from {before}% to {after}.",
            s = if n == 1 { "" } else { "s" },
            on = b.on,
            measure = b.measure.name(),
            before = b.score.round_dp(2),
            after =
                b.suggestions.last().map(|m| format!("{}%", m.score_after.round_dp(2))).unwrap_or_default(),
        ),
    };
    let page =
        TakePage {
            chrome: Chrome::signed_in("Take the balance moves", &viewer.actor, &viewer.csrf, HOME),
            back: href(BALANCE, &b, asked.moves.as_deref()),
            headline,
            groups: move_groups(b.suggestions.iter().map(|m| {
                (owned(&b, &m.from_territory, &m.from_name), owned(&b, &m.to_territory, &m.to_name))
            })),
            on: b.on.to_string(),
            measure: b.measure.name().to_string(),
            under: b.under.clone().unwrap_or_default(),
            moves: asked.moves.clone().unwrap_or_default(),
            fingerprint: moves_fingerprint(&b),
            report: report(&b),
            error,
        };
    (code, render(&page)).into_response()
}

/// `GET /plan/territories/balance/take?on=&measure=&under=&moves=`.
pub(crate) async fn take_confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let asked = request(|name| query.get(name).map(str::to_string));
    take_view(&state, &viewer, &asked, None, StatusCode::OK)
}

/// `POST /plan/territories/balance/take`: writes the moves the confirmation showed as override
/// rules, then the Assign tab for their day.
pub(crate) async fn take(State(state): State<AppState>, viewer: Viewer, form: FormData) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let asked = request(|name| form.get(name).map(str::to_string));
    let now = match state.app.territory_balance(&viewer.actor, &asked) {
        Ok(b) => b,
        Err(e) => return refused(&state, &viewer, &asked, e),
    };
    if form.get("fingerprint") != Some(moves_fingerprint(&now).as_str()) {
        let message = "The suggested moves changed since that page was shown (accounts, deals or rules changed): these are the moves now. Check them and take them again.";
        return take_view(&state, &viewer, &asked, Some(message.to_string()), StatusCode::CONFLICT);
    }
    match state.app.take_balance_moves(&viewer.actor, &asked).await {
        Ok(rules) => Redirect::to(&format!("{ASSIGN}?on={}&taken={}", now.on, rules.len())).into_response(),
        Err(e) => refused(&state, &viewer, &asked, e),
    }
}

fn refused(state: &AppState, viewer: &Viewer, asked: &BalanceRequest, e: AppError) -> Response {
    match form_error(&e) {
        Some(message) => {
            let code = crate::error::classify(e).0.status;
            take_view(state, viewer, asked, Some(message), code)
        }
        None => viewer.error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_diverge_from_the_average() {
        let b = bar(Decimal::new(12345, 2));
        assert_eq!((b.x, b.width, b.class), (100, 23, "above"));
        let b = bar(Decimal::from(60));
        assert_eq!((b.x, b.width, b.class), (60, 40, "below"));
        let b = bar(Decimal::from(450));
        assert_eq!((b.x, b.width), (100, 100), "capped at twice the average");
    }
}
