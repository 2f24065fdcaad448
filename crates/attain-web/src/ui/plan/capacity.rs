//! The capacity page (Plan → Capacity): the planner's choices as a form (productivity, ramp,
//! attrition, time to fill a seat) and the headcount the year's approved plan needs, quarter
//! by quarter, against the current team and its open seats. Company totals: the whole-company
//! roles only (the app answers 404 to the others).

use askama::Template;
use attain_app::plan::CapacityPlan;
use attain_app::{AppError, Permission};
use attain_core::Decimal;
use attain_core::domain::parse_fiscal_year;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::api::QueryPairs;
use crate::auth::Viewer;
use crate::server::AppState;
use crate::ui::render;
use crate::ui::view::{Chrome, form_error, format_money, group_digits};

const HOME: &str = "/plan/capacity";

struct Row {
    quarter: String,
    plan: String,
    team: String,
    open_seats: String,
    hires_capacity: String,
    hires: u32,
    open_by: String,
    uncovered: String,
    heads: String,
}

#[derive(Template)]
#[template(path = "plan_capacity.html")]
struct CapacityPage {
    chrome: Chrome,
    year: String,
    previous: String,
    next: String,
    /// The form's fields as typed (or the defaults).
    productivity: String,
    ramp: String,
    attrition: String,
    lead: String,
    suggested: Option<String>,
    summary: Option<Facts>,
    currency: String,
    rows: Vec<Row>,
    open_seats: Vec<(String, String)>,
    error: Option<String>,
}

/// Labelled facts as the summary card shows them.
type Facts = Vec<(&'static str, String)>;

fn figures(c: &CapacityPlan) -> (Facts, Vec<Row>, Vec<(String, String)>) {
    let unit = Decimal::new(1, c.currency.minor_units());
    // The table's amounts without their currency: its heading names it once.
    let amount = |minor: Decimal| group_digits(&c.currency.fixed(minor * unit).to_string());
    let summary = vec![
        ("Revenue plan", c.plan_id.clone()),
        ("Ramped rep, a quarter", format_money(c.productivity)),
        (
            "Ramp",
            if c.ramp.is_empty() {
                "none".into()
            } else {
                c.ramp.iter().map(|r| format!("{}%", r.normalize())).collect::<Vec<_>>().join(" / ")
            },
        ),
        ("Attrition a year", format!("{}%", c.attrition.normalize())),
        ("Time to fill a seat", format!("{} quarter(s)", c.lead_quarters)),
        ("Reps in seat on the first day", format!("{} ({} still ramping)", c.current_reps, c.ramping)),
        ("Open rep seats", c.open_seats.len().to_string()),
        ("Hires to plan", c.hires.to_string()),
    ];
    let rows = c
        .quarters
        .iter()
        .map(|q| Row {
            quarter: q.period.to_string(),
            plan: amount(Decimal::from(q.need.plan)),
            team: amount(q.need.team_capacity),
            open_seats: amount(q.need.open_seat_capacity),
            hires_capacity: amount(q.need.hire_capacity),
            hires: q.need.hires,
            open_by: match (q.need.hires, q.open_by) {
                (0, _) => String::new(),
                (_, Some(p)) => p.to_string(),
                (_, None) => "before the year: late".into(),
            },
            uncovered: if q.need.uncovered.is_zero() { "—".into() } else { amount(q.need.uncovered) },
            heads: group_digits(&q.need.heads.round_dp(1).to_string()),
        })
        .collect();
    let open = c.open_seats.iter().map(|o| (o.name.clone(), o.starts.to_string())).collect();
    (summary, rows, open)
}

/// `GET /plan/capacity?year=2018&productivity=…&ramp=…&attrition=…&lead_quarters=…`.
pub(crate) async fn capacity_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let calendar = state.app.snapshot().data.company.first().map(|c| c.calendar).unwrap_or_default();
    let fiscal_year = query
        .get("year")
        .and_then(parse_fiscal_year)
        .unwrap_or_else(|| calendar.fiscal_year_of(state.app.pay_today()));
    let request = crate::api::plan::capacity::request(fiscal_year, &query);
    let mut currency = String::new();
    let (summary, rows, open_seats, suggested, error) = match state.app.capacity_plan(&viewer.actor, &request)
    {
        Ok(c) => {
            let (summary, rows, open) = figures(&c);
            currency = c.currency.code().to_string();
            (Some(summary), rows, open, c.suggested.map(format_money), None)
        }
        // A plan reader asking for a year without a plan is told so, with the year links;
        // anyone else gets the not-found page, as for the plan itself.
        Err(AppError::NotFound) if viewer.actor.may(Permission::ViewPlan) => {
            let message =
                format!("FY{fiscal_year} has no revenue plan yet: prepare one under Plan → Revenue plan.");
            (None, Vec::new(), Vec::new(), None, Some(message))
        }
        Err(e) => match form_error(&e) {
            Some(message) => (None, Vec::new(), Vec::new(), None, Some(message)),
            None => return viewer.error(e),
        },
    };
    let page = CapacityPage {
        chrome: Chrome::signed_in(format!("Capacity FY{fiscal_year}"), &viewer.actor, &viewer.csrf, HOME),
        year: format!("FY{fiscal_year}"),
        previous: format!("{HOME}?year={}", fiscal_year - 1),
        next: format!("{HOME}?year={}", fiscal_year + 1),
        productivity: request.productivity.unwrap_or_default(),
        ramp: request.ramp,
        attrition: request.attrition,
        lead: request.lead_quarters,
        suggested,
        summary,
        currency,
        rows,
        open_seats,
        error,
    };
    render(&page).into_response()
}
