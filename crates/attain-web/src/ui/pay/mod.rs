//! The Pay section: statements (a month's list, one payee's statement, the explanation of a
//! line), runs (calculate, close, reopen) and the plan files. What each role sees is the app's
//! decision; these pages parse, call the app and render. Files are downloaded from the API's
//! routes, which take the same session cookie.

mod explain;
mod plans;
mod runs;
mod statements;

use attain_app::pay::{RunInfo, RunStatus};
use attain_app::{Actor, Permission};
use attain_core::{Currency, Decimal, Money, Period};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

pub(crate) use explain::explain_page;
pub(crate) use plans::{assign_plan, plans_page, remove_plan, upload_plans};
pub(crate) use runs::{add_adjustment, close_confirm, close_month, reopen_month, run_month, runs_page};
pub(crate) use statements::{statement_page, statements_page};

use super::view::format_money;
use crate::auth::Viewer;

/// `/pay`: the statements, which every role has.
pub(crate) async fn pay_home() -> Response {
    Redirect::to("/pay/statements").into_response()
}

/// One tab of the section's own navigation.
pub(crate) struct Tab {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
}

/// Whether the actor sees runs: the whole-company roles (the app refuses the others).
pub(crate) fn sees_runs(actor: &Actor) -> bool {
    !actor.role.needs_person()
}

/// The section's tabs for the actor; `current` is the tab's path.
pub(crate) fn tabs(actor: &Actor, current: &str) -> Vec<Tab> {
    let mut tabs = vec![("Statements", "/pay/statements")];
    if sees_runs(actor) {
        tabs.push(("Runs", "/pay/runs"));
    }
    tabs.push(("Plans", "/pay/plans"));
    tabs.into_iter().map(|(label, href)| Tab { label, href, current: href == current }).collect()
}

/// A month from a page's address or form; a malformed one is a 400 page naming it.
pub(crate) fn month_of(viewer: &Viewer, text: &str) -> Result<Period, Box<Response>> {
    attain_app::pay::month(text).map_err(|e| {
        let mut page = viewer.error(e);
        *page.status_mut() = StatusCode::BAD_REQUEST;
        Box::new(page)
    })
}

/// An amount in its currency, with every minor digit: `12,500.00 USD`.
pub(crate) fn money(amount: Decimal, currency: Currency) -> String {
    Money::rounded(amount, currency)
        .map(format_money)
        .unwrap_or_else(|_| format!("{} {}", amount.normalize(), currency.code()))
}

/// An exact number, grouped, at most six decimals: `214,700`, `8,794.5`.
pub(crate) fn number(d: Decimal) -> String {
    crate::ui::view::group_digits(&d.round_dp(6).normalize().to_string())
}

/// A fraction as a percentage: `1.5868…` → `158.68%`.
pub(crate) fn percent(fraction: Decimal) -> String {
    format!("{}%", (fraction * Decimal::ONE_HUNDRED).round_dp(2).normalize())
}

/// A run's state in words, and the badge class that colours it.
pub(crate) fn status(status: RunStatus) -> (&'static str, &'static str) {
    match status {
        RunStatus::Closed => ("Closed (final)", "won"),
        RunStatus::Draft => ("Draft — not final", "open"),
        RunStatus::Reopened => ("Reopened", "lost"),
        RunStatus::Superseded => ("Superseded", "superseded"),
    }
}

/// The totals of a run, one per currency: `12,500.00 USD; 800,000 JPY`.
pub(crate) fn totals(run: &RunInfo) -> String {
    let parts: Vec<String> = run.totals.iter().map(|t| money(t.payout, t.currency)).collect();
    if parts.is_empty() { "—".into() } else { parts.join("; ") }
}

/// A statement's address.
pub(crate) fn statement_href(period: Period, person: &str) -> String {
    format!("/pay/statements/{period}/{}", segment(person))
}

pub(crate) use crate::ui::view::segment;

/// A query value, form-encoded.
pub(crate) fn query_value(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Downloads of a month's statements the actor may take: (label, address).
pub(crate) fn downloads(actor: &Actor, period: Period, person: Option<&str>) -> Vec<(String, String)> {
    let base = match person {
        Some(p) => format!("/api/v1/pay/statements/{period}/{}?", segment(p)),
        None => format!("/api/v1/pay/statements?period={period}&"),
    };
    let mut out = vec![
        ("Statement CSV".to_string(), format!("{base}format=csv")),
        ("Workbook (XLSX)".to_string(), format!("{base}format=xlsx")),
    ];
    if person.is_none() && actor.may(Permission::ExportData) {
        out.push(("Payroll CSV".into(), format!("/api/v1/pay/payroll?period={period}")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::view::{instant, month_name};

    #[test]
    fn numbers_and_months_read_well() {
        assert_eq!(number(Decimal::new(21470000, 2)), "214,700");
        assert_eq!(number(Decimal::new(-87945000, 4)), "-8,794.5");
        assert_eq!(percent(Decimal::new(15868, 4)), "158.68%");
        assert_eq!(money(Decimal::ZERO, Currency::USD), "0.00 USD");
        let june = Period::Month { year: 2017, month: 6 };
        assert_eq!(month_name(june), "June 2017");
        assert_eq!(instant("2018-01-15T09:30:12Z"), "2018-01-15 09:30 UTC");
        assert_eq!(instant("yesterday"), "yesterday");
        assert_eq!(statement_href(june, "p 1/2"), "/pay/statements/2017-06/p%201%2F2");
    }
}
