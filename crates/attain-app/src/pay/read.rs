//! Reading pay within scope: a month's statements (a rep: their own; a manager: their team as
//! it was that month; comp admins, finance and executives: everyone), one statement, and the
//! explanation of one of its lines, built on request.
//!
//! What a reader gets is typed by audience, so nothing company-wide can reach a payee by a
//! forgotten filter: people who see only some payees get [`TeamStatements`], which has the
//! month's status and their statements and nothing else; the whole-company roles get
//! [`CompanyStatements`], which adds the run (totals, payee count, who ran and closed it).
//! One statement is answered with the month's status only, whoever asks.

use attain_core::Period;
use attain_engine::pay::run::{Statement, Trace};
use serde::Serialize;

use super::runs::{decode_statements, engine_error, latest};
use super::{RunInfo, RunStatus};
use crate::access::Actor;
use crate::app::App;
use crate::error::{AppError, AppResult};

/// What anyone who may read a statement may know about its month: which run version speaks for
/// it and whether that is final. Nothing about other payees or the company's totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MonthStatus {
    pub period: Period,
    pub version: i64,
    pub status: RunStatus,
}

impl MonthStatus {
    fn of(run: &RunInfo) -> MonthStatus {
        MonthStatus { period: run.period, version: run.version, status: run.status }
    }
}

/// A month's statements for a manager or a rep: their own and their team's, and the month's
/// status. It has no field for company-wide figures, so none can be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamStatements {
    pub month: MonthStatus,
    pub statements: Vec<Statement>,
}

/// A month's statements for the whole-company pay roles (admins, comp admins, finance,
/// executives): every payee's, with the run they come from and its totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompanyStatements {
    pub month: MonthStatus,
    pub run: RunInfo,
    pub statements: Vec<Statement>,
}

/// A month's statements as the actor may see them: which shape is decided once, from the
/// actor's pay reach, in [`App::statements`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum StatementView {
    // Boxed: the company's view carries the run, the team's does not.
    Company(Box<CompanyStatements>),
    Team(TeamStatements),
}

impl StatementView {
    pub fn month(&self) -> MonthStatus {
        match self {
            StatementView::Company(v) => v.month,
            StatementView::Team(v) => v.month,
        }
    }

    pub fn statements(&self) -> &[Statement] {
        match self {
            StatementView::Company(v) => &v.statements,
            StatementView::Team(v) => &v.statements,
        }
    }

    pub fn into_statements(self) -> Vec<Statement> {
        match self {
            StatementView::Company(v) => v.statements,
            StatementView::Team(v) => v.statements,
        }
    }
}

impl App {
    /// The run that speaks for `period` (its newest version), if any.
    async fn current_run(&self, period: Period) -> AppResult<Option<RunInfo>> {
        let runs: Vec<RunInfo> = self
            .store()
            .runs_of(&period.to_string())
            .await?
            .iter()
            .map(RunInfo::from_row)
            .collect::<AppResult<_>>()?;
        Ok(latest(&runs, period).cloned())
    }

    /// `period`'s statements the actor may see (none run yet: not found).
    pub async fn statements(&self, actor: &Actor, period: Period) -> AppResult<StatementView> {
        let run = self.current_run(period).await?.ok_or(AppError::NotFound)?;
        let snapshot = self.snapshot();
        let calendar = snapshot.data.company.first().map(|c| c.calendar).unwrap_or_default();
        let reach = crate::scope::pay_reach(&snapshot, actor, &calendar.bounds(period));
        let month = MonthStatus::of(&run);
        Ok(match reach {
            None => StatementView::Company(Box::new(CompanyStatements {
                month,
                statements: decode_statements(&self.store().run_statements(&run.id).await?)?,
                run,
            })),
            Some(set) => {
                // Only the team's rows are read: a month of 10,000 payees is not decoded for
                // one manager.
                let mut team: Vec<String> = set.iter().cloned().collect();
                team.sort_unstable();
                let rows = self.store().run_statements_of(&run.id, &team).await?;
                StatementView::Team(TeamStatements { month, statements: decode_statements(&rows)? })
            }
        })
    }

    /// Every payee's statements of `period` with their run: the whole-company pay roles only
    /// (others are refused, not filtered: this is the payroll's source).
    pub(crate) async fn company_statements(
        &self,
        actor: &Actor,
        period: Period,
    ) -> AppResult<CompanyStatements> {
        match self.statements(actor, period).await? {
            StatementView::Company(view) => Ok(*view),
            StatementView::Team(_) => Err(AppError::Forbidden),
        }
    }

    /// One payee's statement for `period` and the month's status; outside the actor's scope it
    /// does not exist.
    pub async fn statement(
        &self,
        actor: &Actor,
        period: Period,
        person: &str,
    ) -> AppResult<(MonthStatus, Statement)> {
        let run = self.current_run(period).await?.ok_or(AppError::NotFound)?;
        let snapshot = self.snapshot();
        let calendar = snapshot.data.company.first().map(|c| c.calendar).unwrap_or_default();
        // Scope first, from the reach alone; then the one row, not the month's statements.
        if crate::scope::pay_reach(&snapshot, actor, &calendar.bounds(period))
            .is_some_and(|set| !set.contains(person))
        {
            return Err(AppError::NotFound);
        }
        let row = self.store().run_statement(&run.id, person).await?.ok_or(AppError::NotFound)?;
        let statement = decode_statements(std::slice::from_ref(&row))?.pop().ok_or(AppError::NotFound)?;
        Ok((MonthStatus::of(&run), statement))
    }

    /// Explains one component line of a payee's statement, recomputed from today's data. For
    /// a closed month whose data changed since, the trace says what the numbers are now; the
    /// statement keeps what was paid (the difference arrives as a prior-period line).
    pub async fn trace(
        &self,
        actor: &Actor,
        period: Period,
        person: &str,
        plan: &str,
        component: &str,
    ) -> AppResult<Trace> {
        // Scope first: a payee the actor may not see has no lines to explain.
        self.statement(actor, period, person).await?;
        let (book, _) = self.plan_book().await?;
        let snapshot = self.snapshot();
        let prepared = snapshot.prepared(&book).map_err(engine_error)?;
        prepared.trace(person, period, plan, component).map_err(|e| match e {
            attain_engine::pay::run::EngineError::NothingToTrace { .. } => AppError::NotFound,
            other => engine_error(other),
        })
    }

    /// A payee's statement with the trace of each of its components, the engine's inputs
    /// prepared once for all of them.
    pub async fn statement_traces(
        &self,
        actor: &Actor,
        period: Period,
        person: &str,
    ) -> AppResult<(MonthStatus, Statement, Vec<Trace>)> {
        let (month, statement) = self.statement(actor, period, person).await?;
        let (book, _) = self.plan_book().await?;
        let snapshot = self.snapshot();
        let prepared = snapshot.prepared(&book).map_err(engine_error)?;
        let traces = prepared.statement_traces(&statement).map_err(engine_error)?;
        Ok((month, statement, traces))
    }
}

impl App {
    /// The months that have been run, newest first. Anyone signed in may know them: which
    /// months exist says nothing about anyone's pay.
    pub async fn pay_months(&self, _actor: &Actor) -> AppResult<Vec<Period>> {
        let runs: Vec<RunInfo> =
            self.store().runs().await?.iter().map(RunInfo::from_row).collect::<AppResult<_>>()?;
        let mut months: Vec<Period> = runs.iter().map(|r| r.period).collect();
        months.sort_unstable_by(|a, b| b.cmp(a));
        months.dedup();
        Ok(months)
    }

    /// The payroll file of `period` (roles that export data): every payee's payout from the
    /// month's current run, and that run (a draft's payroll is not final).
    pub async fn payroll(&self, actor: &Actor, period: Period) -> AppResult<(RunInfo, String)> {
        actor.require(crate::access::Permission::ExportData)?;
        let view = self.company_statements(actor, period).await?;
        Ok((view.run, crate::statements::payroll_csv(&view.statements)))
    }
}
