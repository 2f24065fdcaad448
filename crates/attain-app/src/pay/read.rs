//! Reading pay within scope: a month's statements (a rep: their own; a manager: their team as
//! it was that month; comp admins, finance and executives: everyone), one statement, and the
//! explanation of one of its lines, built on request.

use attain_core::Period;
use attain_engine::run::{Prepared, Statement, Trace};
use serde::Serialize;

use super::RunInfo;
use super::runs::{decode_statements, engine_error, latest};
use crate::access::Actor;
use crate::app::App;
use crate::error::{AppError, AppResult};

/// A month's statements as the actor may see them, with the run they come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementView {
    pub run: RunInfo,
    pub statements: Vec<Statement>,
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
        let rows = self.store().run_statements(&run.id).await?;
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|r| reach.as_ref().is_none_or(|set| set.contains(&r.person_id)))
            .collect();
        Ok(StatementView { statements: decode_statements(&rows)?, run })
    }

    /// One payee's statement for `period`; outside the actor's scope it does not exist.
    pub async fn statement(
        &self,
        actor: &Actor,
        period: Period,
        person: &str,
    ) -> AppResult<(RunInfo, Statement)> {
        let view = self.statements(actor, period).await?;
        let statement =
            view.statements.into_iter().find(|s| s.person_id == person).ok_or(AppError::NotFound)?;
        Ok((view.run, statement))
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
        let prepared = Prepared::new(&snapshot.data, &book).map_err(engine_error)?;
        prepared.trace(person, period, plan, component).map_err(|e| match e {
            attain_engine::run::EngineError::NothingToTrace { .. } => AppError::NotFound,
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
    ) -> AppResult<(RunInfo, Statement, Vec<Trace>)> {
        let (run, statement) = self.statement(actor, period, person).await?;
        let (book, _) = self.plan_book().await?;
        let snapshot = self.snapshot();
        let prepared = Prepared::new(&snapshot.data, &book).map_err(engine_error)?;
        let traces = prepared.statement_traces(&statement).map_err(engine_error)?;
        Ok((run, statement, traces))
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
        let view = self.statements(actor, period).await?;
        Ok((view.run, crate::statements::payroll_csv(&view.statements)))
    }
}
