//! Period runs: calculate a month (a draft, replaced by the next run of that month), close it
//! (immutable), reopen it (kept; the month can then be run again as a new version). Months
//! close in order, so each month starts from the closed carry of the month before.

use std::collections::BTreeMap;

use attain_core::Period;
use attain_engine::pay::run::{Carry, EngineError, Statement};
use attain_store::{RunRow, StatementRow};
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{RunInfo, RunStatus, Total, digest, prior};
use crate::access::{Actor, Permission, Role};
use crate::app::App;
use crate::audit::{self, Change};
use crate::error::{AppError, AppResult};

/// What a calculation produced, compared with the run it replaces (if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunOutcome {
    pub run: RunInfo,
    pub previous: Option<RunInfo>,
    /// Payees whose payout differs from the previous run's (or all, for a first run).
    pub changed_payees: usize,
    /// Prior-period lines this run carries for changes to closed months.
    pub prior_period_lines: usize,
    /// The closed months recalculated for them: from the start of the fiscal year of the first
    /// closed month whose inputs changed since the last closed run, on; none when nothing did.
    pub recalculated_months: Vec<Period>,
    /// Statement notes (missing quotas, missing scores) across payees.
    pub notes: usize,
}

pub(crate) fn engine_error(e: EngineError) -> AppError {
    AppError::invalid("data", e.to_string())
}

/// Every month from `first` up to (not including) `end`.
pub(crate) fn months_before(first: Period, end: Period) -> Vec<Period> {
    let mut out = Vec::new();
    let mut m = first;
    while m < end && out.len() < 1200 {
        out.push(m);
        m = m.next_month();
    }
    out
}

/// The run that speaks for a month: its newest version.
pub(crate) fn latest(runs: &[RunInfo], period: Period) -> Option<&RunInfo> {
    runs.iter().filter(|r| r.period == period).max_by_key(|r| r.version)
}

pub(crate) fn decode_statements(rows: &[StatementRow]) -> AppResult<Vec<Statement>> {
    rows.iter()
        .map(|r| {
            serde_json::from_str(&r.body).map_err(|e| {
                AppError::Internal(format!("run {}: stored statement of {}: {e}", r.run_id, r.person_id))
            })
        })
        .collect()
}

fn may_see_runs(actor: &Actor) -> AppResult<()> {
    match actor.role {
        Role::Admin | Role::CompAdmin | Role::Finance | Role::Executive => Ok(()),
        Role::Manager | Role::Rep => Err(AppError::Forbidden),
    }
}

/// The payout of some statements, per currency.
pub fn totals(statements: &[Statement]) -> Vec<Total> {
    let mut by: std::collections::BTreeMap<&str, Total> = std::collections::BTreeMap::new();
    for s in statements {
        by.entry(s.currency.code())
            .or_insert(Total { currency: s.currency, payout: Decimal::ZERO })
            .payout += s.payout;
    }
    by.into_values().collect()
}

impl App {
    /// Every run, newest month first.
    pub async fn runs(&self, actor: &Actor) -> AppResult<Vec<RunInfo>> {
        may_see_runs(actor)?;
        self.store().runs().await?.iter().map(RunInfo::from_row).collect()
    }

    pub(crate) async fn carry_after(&self, run: Option<&RunInfo>) -> AppResult<Carry> {
        let Some(run) = run else { return Ok(Carry::default()) };
        let carry = self.store().run_carry(&run.id).await?.ok_or(AppError::NotFound)?;
        serde_json::from_str(&carry)
            .map_err(|e| AppError::Internal(format!("run {}: stored carry: {e}", run.id)))
    }

    /// Calculates `period` as a new draft run (replacing an earlier draft of the month).
    pub async fn calculate(&self, actor: &Actor, period: Period) -> AppResult<RunOutcome> {
        actor.require(Permission::ManagePay)?;
        let _writing = self.writer().await;
        let (book, files) = self.plan_book().await?;
        let snapshot = self.snapshot();
        let prepared = snapshot.prepared(&book).map_err(engine_error)?;
        let first = prepared.first_month().ok_or_else(|| {
            AppError::invalid("period", "nobody holds a plan yet: assign plans to positions")
        })?;
        if period < first {
            return Err(AppError::invalid(
                "period",
                format!("{period} is before the first month anyone holds a plan ({first})"),
            ));
        }
        let runs: Vec<RunInfo> =
            self.store().runs().await?.iter().map(RunInfo::from_row).collect::<AppResult<_>>()?;
        let earlier = months_before(first, period);
        for m in &earlier {
            if latest(&runs, *m).is_none_or(|r| r.status != RunStatus::Closed) {
                return Err(AppError::Conflict(format!(
                    "{m} is not closed: months close in order, so close {m} first"
                )));
            }
        }
        let current = latest(&runs, period);
        if current.is_some_and(|r| r.status == RunStatus::Closed) {
            return Err(AppError::Conflict(format!("{period} is closed; reopen it to run it again")));
        }
        let based_on = earlier.last().and_then(|m| latest(&runs, *m));
        let carry_in = self.carry_after(based_on).await?;
        let digests = digest::digests(&snapshot.data, snapshot.transactions(), &files, first, period);
        // What the last closed run saw of each month: its prior-period lines settled those.
        let seen: Option<BTreeMap<String, String>> =
            match based_on {
                Some(run) => {
                    let row = self.store().run_by_id(&run.id).await?.ok_or(AppError::NotFound)?;
                    row.input_digests.as_deref().map(serde_json::from_str).transpose().map_err(|e| {
                        AppError::Internal(format!("run {}: stored input digests: {e}", run.id))
                    })?
                }
                None => None,
            };
        let start = prior::first_to_recalculate(&prepared, &earlier, seen.as_ref(), &digests.months);
        let recalculated = prior::deltas(self, &prepared, &book, &runs, &earlier, start, period).await?;
        let extras = &recalculated.lines;
        let (statements, carry_out) =
            prepared.run_month_with(period, &carry_in, extras).map_err(engine_error)?;
        let input_hash = {
            let mut h = Sha256::new();
            h.update(digests.all.as_bytes());
            h.update(serde_json::to_vec(&carry_in).map_err(|e| AppError::Internal(e.to_string()))?);
            format!("{:x}", h.finalize())
        };
        let input_digests: BTreeMap<String, &String> =
            digests.months.iter().map(|(m, d)| (m.to_string(), d)).collect();
        let version = current.map_or(1, |r| r.version + 1);
        let id = format!("run-{period}-v{version}");
        let mut plans: Vec<String> = statements.iter().flat_map(|s| s.plans.iter().cloned()).collect();
        plans.sort();
        plans.dedup();
        let run_totals = totals(&statements);
        let now = crate::access::secret::now_text();
        let carry = serde_json::to_string(&carry_out).map_err(|e| AppError::Internal(e.to_string()))?;
        let row = RunRow {
            id: id.clone(),
            period: period.to_string(),
            version,
            status: RunStatus::Draft.as_str().into(),
            input_hash,
            based_on: based_on.map(|r| r.id.clone()),
            plans: serde_json::to_string(&plans).map_err(|e| AppError::Internal(e.to_string()))?,
            payees: statements.len() as i64,
            totals: serde_json::to_string(
                &run_totals.iter().map(|t| serde_json::json!({"currency": t.currency.code(), "payout": t.payout.to_string()})).collect::<Vec<_>>(),
            )
            .map_err(|e| AppError::Internal(e.to_string()))?,
            created_by: actor.login.clone(),
            created_at: now,
            closed_by: None,
            closed_at: None,
            reopened_by: None,
            reopened_at: None,
            reopen_reason: None,
            input_digests: Some(
                serde_json::to_string(&input_digests).map_err(|e| AppError::Internal(e.to_string()))?,
            ),
        };
        let rows: Vec<StatementRow> = statements
            .iter()
            .map(|s| {
                Ok(StatementRow {
                    run_id: id.clone(),
                    person_id: s.person_id.clone(),
                    currency: s.currency.code().to_string(),
                    payout: s.payout.to_string(),
                    body: serde_json::to_string(s).map_err(|e| AppError::Internal(e.to_string()))?,
                })
            })
            .collect::<AppResult<_>>()?;
        let previous_statements = match current {
            Some(r) => decode_statements(&self.store().run_statements(&r.id).await?)?,
            None => Vec::new(),
        };
        let mut tx = self.store().begin().await?;
        if let Some(draft) = current.filter(|r| r.status == RunStatus::Draft) {
            let by = actor.login.as_str();
            self.store()
                .set_run_status(&mut tx, &draft.id, "draft", "superseded", by, &row.created_at, None)
                .await?;
        }
        self.store().insert_run(&mut tx, &row, &carry, &rows).await?;
        let change = Change::new("pay.run", "comp_runs", Some(id.clone())).after(
            serde_json::json!({"period": period.to_string(), "version": version, "payees": statements.len()}),
        );
        audit::append(self.store(), &mut tx, actor, change).await?;
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        let changed_payees = statements
            .iter()
            .filter(|s| {
                !previous_statements.iter().any(|p| p.person_id == s.person_id && p.payout == s.payout)
            })
            .count();
        Ok(RunOutcome {
            run: RunInfo::from_row(&row)?,
            previous: current.cloned(),
            changed_payees,
            prior_period_lines: extras.values().map(Vec::len).sum(),
            recalculated_months: recalculated.months,
            notes: statements.iter().map(|s| s.notes.len()).sum(),
        })
    }

    /// Reopens the last closed month so it can be run again; the closed run is kept as it was.
    pub async fn reopen_period(&self, actor: &Actor, period: Period, reason: &str) -> AppResult<RunInfo> {
        actor.require(Permission::ManagePay)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "say why the month is reopened"));
        }
        let _writing = self.writer().await;
        let runs: Vec<RunInfo> =
            self.store().runs().await?.iter().map(RunInfo::from_row).collect::<AppResult<_>>()?;
        let run = latest(&runs, period).filter(|r| r.status == RunStatus::Closed);
        let run = run.ok_or_else(|| AppError::Conflict(format!("{period} is not closed")))?;
        if let Some(later) = runs.iter().find(|r| r.period > period && r.status == RunStatus::Closed) {
            return Err(AppError::Conflict(format!(
                "{} is closed after {period}: reopen it first",
                later.period
            )));
        }
        let now = crate::access::secret::now_text();
        let mut tx = self.store().begin().await?;
        if !self
            .store()
            .set_run_status(&mut tx, &run.id, "closed", "reopened", &actor.login, &now, Some(reason))
            .await?
        {
            return Err(AppError::Conflict(format!("{period} changed while reopening; look again")));
        }
        let change = Change::new("pay.reopen", "comp_runs", Some(run.id.clone()))
            .after(serde_json::json!({ "reason": reason }));
        audit::append(self.store(), &mut tx, actor, change).await?;
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        let row = self.store().run_by_id(&run.id).await?.ok_or(AppError::NotFound)?;
        RunInfo::from_row(&row)
    }
}
