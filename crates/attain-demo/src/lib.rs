//! Generates a deterministic, realistic demo company: its sales organisation and territories
//! over time, accounts and contacts, products, two years of pipeline with stage history and
//! activities, the bookings, invoices, payments, returns and cancellations of won deals, and
//! the compensation inputs (quotas, plan assignments, credit splits, adjustments, MBO scores)
//! and a revenue plan for each year.
//!
//! Everything is drawn from seeded ChaCha streams in fixed orders (no clock, no hash-map
//! iteration), so the same [`DemoConfig`] gives the same [`Dataset`] on every machine. `scale`
//! multiplies reps, accounts and deals; the work is linear in it, so large scales can feed
//! benchmarks.

mod accounts;
mod activities;
mod catalog;
mod comp;
mod dates;
mod names;
mod objectives;
mod org;
mod pipeline;
mod plan_files;
mod revenue_plans;
mod rng;
pub mod scaled;
mod stages;
mod territories;
mod transactions;

use attain_core::domain::Company;
use attain_core::{Currency, Dataset, Date, FiscalCalendar};

/// The demo's compensation plan files.
pub use plan_files::plan_files;
/// The funnel's stage names, in order, so tools can sort stages the way the demo uses them.
pub use stages::{CLOSED_LOST, CLOSED_WON, OPEN_STAGES};

/// What to generate. Equal configs give equal datasets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    pub seed: u64,
    /// "Today" for the demo: history runs from 1 January two years before `as_of`'s year up to
    /// the day before `as_of`, and nothing is dated on or after it (except expected closes).
    pub as_of: Date,
    /// Multiplies reps per region, accounts and deals; 1 is the demo, 0 is treated as 1.
    pub scale: u32,
}

impl DemoConfig {
    /// The default demo as of `as_of`: seed 42, scale 1.
    pub fn new(as_of: Date) -> Self {
        DemoConfig { seed: 42, as_of, scale: 1 }
    }
}

pub fn generate(config: &DemoConfig) -> Dataset {
    let scale = usize::try_from(config.scale.max(1)).unwrap_or(1);
    let seed = config.seed;
    let window = dates::Window::new(config.as_of);
    let org = org::build(seed, &window, scale);
    let territories = territories::build(&org);
    let book = accounts::build(seed, &window, &org, &territories, scale);
    let pipeline = pipeline::build(seed, &window, &org, &book);
    let activities = activities::build(seed, &window, &org, &book, &pipeline);
    let transactions = transactions::build(seed, &window, &org, &book, &pipeline);
    let calendar = FiscalCalendar::default();
    let comp = comp::build(seed, &calendar, &window, &org, &book, &pipeline, &activities);
    let revenue_plans = revenue_plans::build(&transactions, &calendar, &window);
    let objectives = objectives::build(&calendar, &window, &org);
    let territory_rules = territories::rules(
        &book.accounts,
        calendar.fiscal_year_start(calendar.fiscal_year_of(window.last_day())),
    );
    Dataset {
        company: vec![Company {
            id: Company::ID.to_string(),
            name: "Harborlight Software, Inc.".to_string(),
            base_currency: Currency::USD,
            calendar,
            time_zone: "America/New_York".to_string(),
        }],
        people: org.people,
        positions: org.positions,
        assignments: org.assignments,
        territories: territories.records,
        territory_owners: territories.owners,
        products: catalog::products(),
        accounts: book.accounts,
        contacts: book.contacts,
        opportunities: pipeline.opportunities,
        stage_history: pipeline.stage_history,
        activities,
        transactions,
        fx_rates: Vec::new(),
        quotas: comp.quotas,
        plan_assignments: comp.plan_assignments,
        credit_splits: comp.credit_splits,
        adjustments: comp.adjustments,
        objective_scores: comp.objective_scores,
        revenue_plans,
        quota_sheets: Vec::new(),
        objectives,
        territory_rules,
        account_territories: Vec::new(),
    }
}
