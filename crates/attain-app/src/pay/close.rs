//! Closing a month: what the close would make final (the draft, its total, whether the month
//! has ended), and the close itself. A month that has not ended yet closes only with an
//! explicit override and a reason, both kept in the audit log: closing early freezes a month
//! that can still gain deals, and the only way back is a reopen.

use attain_core::{Date, Period};
use serde::Serialize;

use super::runs::latest;
use super::{RunInfo, RunStatus};
use crate::access::{Actor, Permission};
use crate::app::App;
use crate::audit::{self, Change};
use crate::error::{AppError, AppResult};

/// How the close was asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloseRequest {
    /// The draft version the person confirmed (its total is what they saw); a later run of the
    /// month makes the close refused rather than closing numbers nobody looked at.
    pub version: Option<i64>,
    /// Close although the month has not ended: requires `reason`.
    pub before_month_end: bool,
    pub reason: Option<String>,
}

/// What closing `period` would make final.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosePreview {
    /// The month's current run (a draft when it can be closed).
    pub run: RunInfo,
    /// The first day after the month, in the company's calendar.
    pub ends: Date,
    /// Whether that day has come (today in the company's time zone).
    pub ended: bool,
}

impl App {
    /// Today as pay sees it: the configured day, else the system clock in the company's zone.
    pub fn pay_today(&self) -> Date {
        if let Some(day) = self.settings().today {
            return day;
        }
        let snapshot = self.snapshot();
        let zone = snapshot
            .data
            .company
            .first()
            .and_then(|c| jiff::tz::TimeZone::get(&c.time_zone).ok())
            .unwrap_or(jiff::tz::TimeZone::UTC);
        jiff::Timestamp::now().to_zoned(zone).date()
    }

    /// The first day after `period` in the company's calendar.
    fn month_end(&self, period: Period) -> AppResult<Date> {
        let snapshot = self.snapshot();
        let calendar = snapshot.data.company.first().map(|c| c.calendar).unwrap_or_default();
        calendar
            .bounds(period)
            .to
            .ok_or_else(|| AppError::Internal(format!("{period} has no end in the company's calendar")))
    }

    /// What closing `period` would make final: the draft, its totals, and whether the month
    /// has ended (pay managers only, who alone may close).
    pub async fn close_preview(&self, actor: &Actor, period: Period) -> AppResult<ClosePreview> {
        actor.require(Permission::ManagePay)?;
        let runs: Vec<RunInfo> = self
            .store()
            .runs_of(&period.to_string())
            .await?
            .iter()
            .map(RunInfo::from_row)
            .collect::<AppResult<_>>()?;
        let run = latest(&runs, period)
            .cloned()
            .ok_or_else(|| AppError::Conflict(format!("{period} has not been run yet")))?;
        let ends = self.month_end(period)?;
        Ok(ClosePreview { run, ends, ended: self.pay_today() >= ends })
    }

    /// Closes `period`'s draft: its results become the immutable record of what was paid.
    pub async fn close_period(
        &self,
        actor: &Actor,
        period: Period,
        request: CloseRequest,
    ) -> AppResult<RunInfo> {
        actor.require(Permission::ManagePay)?;
        let reason = request.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
        if request.before_month_end && reason.is_none() {
            return Err(AppError::invalid("reason", "say why the month is closed before it has ended"));
        }
        let ends = self.month_end(period)?;
        let early = self.pay_today() < ends;
        if early && !request.before_month_end {
            return Err(AppError::Conflict(format!(
                "{period} has not ended (it ends when {ends} begins): closing it early needs the \
                 before-month-end override and a reason"
            )));
        }
        let _writing = self.writer().await;
        let runs: Vec<RunInfo> =
            self.store().runs().await?.iter().map(RunInfo::from_row).collect::<AppResult<_>>()?;
        let run = latest(&runs, period)
            .ok_or_else(|| AppError::Conflict(format!("{period} has not been run yet")))?;
        match run.status {
            RunStatus::Draft => {}
            RunStatus::Closed => return Err(AppError::Conflict(format!("{period} is already closed"))),
            _ => return Err(AppError::Conflict(format!("{period} has no draft to close: run it first"))),
        }
        if let Some(confirmed) = request.version
            && confirmed != run.version
        {
            return Err(AppError::Conflict(format!(
                "{period} was run again since you looked (version {} now, you confirmed version \
                 {confirmed}): check its total again",
                run.version
            )));
        }
        if let Some(open) = runs
            .iter()
            .filter(|r| r.period < period)
            .map(|r| r.period)
            .find(|p| latest(&runs, *p).is_some_and(|r| r.status != RunStatus::Closed))
        {
            return Err(AppError::Conflict(format!("{open} is not closed: months close in order")));
        }
        // A draft started from the month before's closed run; if that month was reopened and
        // closed again since, the draft's starting point is gone.
        let before = runs.iter().filter(|r| r.period < period).map(|r| r.period).max();
        if let Some(previous) = before.and_then(|p| latest(&runs, p))
            && run.based_on.as_deref() != Some(previous.id.as_str())
        {
            return Err(AppError::Conflict(format!(
                "{period}'s draft was calculated before {} was closed again: run {period} again first",
                previous.period
            )));
        }
        let now = crate::access::secret::now_text();
        let mut tx = self.store().begin().await?;
        if !self.store().set_run_status(&mut tx, &run.id, "draft", "closed", &actor.login, &now, None).await?
        {
            return Err(AppError::Conflict(format!("{period} changed while closing; look again")));
        }
        let totals: Vec<serde_json::Value> = run
            .totals
            .iter()
            .map(|t| serde_json::json!({"currency": t.currency.code(), "payout": t.payout.to_string()}))
            .collect();
        let mut after = serde_json::json!({"version": run.version, "payees": run.payees, "totals": totals});
        if early {
            after["before_month_end"] = serde_json::json!({"month_ends": ends.to_string(), "reason": reason});
        }
        let change = Change::new("pay.close", "comp_runs", Some(run.id.clone())).after(after);
        audit::append(self.store(), &mut tx, actor, change).await?;
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        let row = self.store().run_by_id(&run.id).await?.ok_or(AppError::NotFound)?;
        RunInfo::from_row(&row)
    }
}
