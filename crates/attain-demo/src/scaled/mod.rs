//! A synthetic company of any size for benchmarks and for the peers (DuckDB, Polars,
//! PostgreSQL) that compute the same pay from the same files: a five-level sales organisation,
//! territories with effective-dated owners, accounts, products, a year of transactions with
//! splits, overlays, partial payments, returns and cancellations, and plans with year-to-date
//! tiers on the amount (so plain SQL can compute the same payout).
//!
//! Everything is drawn from seeded ChaCha streams in fixed orders (no clock, no hash-map
//! iteration), so the same [`ScaledConfig`] gives byte-identical files on every machine.
//! Transactions are never held whole: each row is a pure function of (seed, row index) — its
//! random words sit at a fixed position of one ChaCha stream, which can be entered anywhere —
//! so [`ScaledCompany::transactions`] makes any chunk on its own, in any order or in parallel,
//! and a cancellation finds the booking it reverses without the rows in between.
//!
//! The exact shape (which the peers rely on) is documented in docs/workspace.md, "Generated
//! companies".

mod catalog;
mod org;
mod plans;
mod rows;
mod territories;
mod transactions;

use std::fmt;

use attain_core::domain::{Company, Transaction};
use attain_core::{Currency, Dataset, Date, FiscalCalendar};
use jiff::civil::date;

use crate::dates::{add_days, days_between};

pub use org::{DIRECTORS, LEADERS, MANAGERS, VPS};

/// What to generate. Equal configs give equal companies and byte-identical files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaledConfig {
    pub seed: u64,
    /// Everyone on the manager and rep plans: the head of sales, 5 area VPs, 25 regional
    /// directors, 250 managers and `payees − 281` reps. Sales engineers (2% of the reps) come
    /// on top. At least [`ScaledConfig::MIN_PAYEES`].
    pub payees: u32,
    /// Territories, each owned by a rep position; at least 1.
    pub territories: u32,
    /// Transactions over the year, at most [`ScaledConfig::MAX_TRANSACTIONS`].
    pub transactions: u64,
    /// The calendar (and fiscal) year everything happens in.
    pub year: i16,
}

impl ScaledConfig {
    /// One rep per manager at least.
    pub const MIN_PAYEES: u32 = (LEADERS + MANAGERS) as u32;
    /// Transaction ids have nine digits.
    pub const MAX_TRANSACTIONS: u64 = 999_999_999;

    /// The benchmark company: seed 42, 10,000 payees, 20,000 territories, 2025.
    pub fn new(transactions: u64) -> ScaledConfig {
        ScaledConfig { seed: 42, payees: 10_000, territories: 20_000, transactions, year: 2025 }
    }

    fn check(&self) -> Result<(), ScaledError> {
        let fail = |m: String| Err(ScaledError(m));
        if self.payees < Self::MIN_PAYEES {
            return fail(format!(
                "payees must be at least {} (the {LEADERS} leaders and one rep per manager), not {}",
                Self::MIN_PAYEES,
                self.payees
            ));
        }
        if self.territories == 0 {
            return fail("territories must be at least 1".into());
        }
        if self.transactions > Self::MAX_TRANSACTIONS {
            return fail(format!(
                "transactions must be at most {} (ids have nine digits), not {}",
                Self::MAX_TRANSACTIONS,
                self.transactions
            ));
        }
        if !(1900..=2999).contains(&self.year) {
            return fail(format!("year must be between 1900 and 2999, not {}", self.year));
        }
        Ok(())
    }
}

/// A config the generator cannot make a company from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaledError(pub String);

impl fmt::Display for ScaledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScaledError {}

/// The days of the generated year, numbered from 0 (1 January).
#[derive(Debug)]
pub(crate) struct Year {
    pub year: i16,
    /// Each day's date, by day number.
    pub dates: Vec<Date>,
}

impl Year {
    fn new(year: i16) -> Year {
        let first = date(year, 1, 1);
        let days = days_between(first, date(year + 1, 1, 1));
        Year { year, dates: (0..days).map(|d| add_days(first, d)).collect() }
    }

    pub fn days(&self) -> u32 {
        self.dates.len() as u32
    }

    pub fn first(&self) -> Date {
        self.dates[0]
    }

    /// 1 January of the next year: the end (exclusive) of everything valid all year.
    pub fn end(&self) -> Date {
        date(self.year + 1, 1, 1)
    }

    /// The day number of a date inside the year.
    pub fn day_of(&self, month: i8, day: i8) -> u32 {
        days_between(self.first(), date(self.year, month, day)) as u32
    }

    pub fn date(&self, day: u32) -> Date {
        self.dates[day as usize]
    }
}

/// A generated company: every record but the transactions, which are made a chunk at a time.
#[derive(Debug)]
pub struct ScaledCompany {
    pub config: ScaledConfig,
    /// Every kind except `transactions` (which is empty).
    pub dataset: Dataset,
    /// The plan files as `(file name, text)`, `crediting.toml` among them, in name order.
    pub plan_files: Vec<(String, String)>,
    tables: transactions::Tables,
}

impl ScaledCompany {
    /// Rows per chunk of [`ScaledCompany::transactions`].
    pub const CHUNK_ROWS: u64 = 65_536;

    /// How many chunks the transactions come in.
    pub fn chunks(&self) -> u64 {
        self.config.transactions.div_ceil(Self::CHUNK_ROWS)
    }

    /// The transactions of chunk `chunk` (rows `chunk × CHUNK_ROWS` onwards, in id and date
    /// order); empty past the last chunk. Each chunk depends only on the config and its index.
    pub fn transactions(&self, chunk: u64) -> Vec<Transaction> {
        let from = chunk.saturating_mul(Self::CHUNK_ROWS).min(self.config.transactions);
        let to = from.saturating_add(Self::CHUNK_ROWS).min(self.config.transactions);
        self.tables.rows(from, to)
    }
}

/// Generates the company for `config` (all but the transactions; see
/// [`ScaledCompany::transactions`]).
pub fn company(config: &ScaledConfig) -> Result<ScaledCompany, ScaledError> {
    config.check()?;
    let year = Year::new(config.year);
    let (staff, org) = org::build(config.seed, &year, config.payees as usize);
    let (land, turf) = territories::build(config.seed, &year, &org, config.territories as usize);
    let tables = transactions::Tables::new(config, year, org, turf);
    let deals = tables.deals();
    let org = &tables.org;
    let calendar = FiscalCalendar::default();
    let dataset = Dataset {
        company: vec![Company {
            id: Company::ID.to_string(),
            name: "Scaled Benchmark Company".to_string(),
            base_currency: Currency::USD,
            calendar,
            time_zone: "UTC".to_string(),
        }],
        people: staff.people,
        positions: staff.positions,
        assignments: staff.assignments,
        territories: land.territories,
        territory_owners: land.owners,
        products: catalog::products(),
        accounts: land.accounts,
        opportunities: deals.opportunities,
        credit_splits: deals.splits,
        fx_rates: catalog::fx_rates(config.seed, &tables.year),
        quotas: plans::quotas(config, &tables.year, org),
        plan_assignments: plans::plan_assignments(&tables.year, org),
        ..Dataset::default()
    };
    Ok(ScaledCompany { config: config.clone(), dataset, plan_files: plans::plan_files(config.year), tables })
}

#[cfg(test)]
mod tests;
