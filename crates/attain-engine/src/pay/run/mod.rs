//! Period runs: crediting, measures, attainment, component earnings and the month's
//! statements, computed from a dataset and a plan book. Pure and deterministic: the same
//! inputs give the same statements, bit for bit.

mod accumulate;
mod buckets;
mod clawable;
mod component;
mod credit;
mod incremental;
mod month;
mod partial;
mod prepare;
mod running;
mod sig;
mod statement;
mod totals;
mod trace;
mod txn;

use attain_core::{Currency, Date, Period};
use thiserror::Error;

pub use component::{Counted, Evaluation, QuotaPart};
pub use credit::{Credit, CreditKind, Reason};
pub use incremental::{History, MonthRun, Touched};
pub use prepare::Prepared;
pub use statement::{Carry, Line, LineKind, Paid, PayeeCarry, Statement};
pub use trace::{Trace, TracedCredit, TracedTier};

/// Why a run could not be made. Problems with one payee's inputs (a missing quota) are notes on
/// their statement instead, so one gap does not stop everybody's pay.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EngineError {
    #[error("the data has no company row (company.csv), so there is no base currency or fiscal calendar")]
    NoCompany,
    #[error("opportunity {opportunity}: {message}")]
    Split { opportunity: String, message: String },
    #[error("position {position} is assigned plan `{plan}`, which no plan file defines")]
    UnknownPlan { plan: String, position: String },
    #[error("no FX rate from {from} to {to} on {day} (add one to fx_rates)")]
    NoFxRate { from: Currency, to: Currency, day: Date },
    #[error("a run is for a month (like 2017-03), not {0}")]
    NotAMonth(Period),
    #[error("{person} has no `{what}` to explain in {period}")]
    NothingToTrace { person: String, period: Period, what: String },
    #[error("formula: {0}")]
    Formula(String),
    #[error("no transaction has the id {0}")]
    UnknownTransaction(String),
    #[error("a measure's sum has more than the 28 digits a decimal holds")]
    TooLarge,
}

impl Prepared<'_> {
    /// Runs every month from `first` through `last` in order, each starting from the previous
    /// month's carry; returns each month's statements.
    pub fn run_months(
        &self,
        first: Period,
        last: Period,
    ) -> Result<Vec<(Period, Vec<Statement>)>, EngineError> {
        let mut out = Vec::new();
        let mut carry = Carry::default();
        let mut month = first;
        while month <= last {
            let (statements, next) =
                self.run_month_from(month, std::mem::take(&mut carry), &Default::default())?;
            out.push((month, statements));
            carry = next;
            month = month.next_month();
        }
        Ok(out)
    }

    /// The company's fiscal calendar.
    pub fn calendar(&self) -> attain_core::FiscalCalendar {
        self.calendar
    }

    /// The first month anyone holds a plan, where a history run starts.
    pub fn first_month(&self) -> Option<Period> {
        self.stretches.iter().flatten().map(|s| s.days.from).min().map(|d| self.calendar.month_period(d))
    }
}
