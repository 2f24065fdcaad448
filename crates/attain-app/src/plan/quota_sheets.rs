//! The quota sheets' workflow: reading a year's sheets, the owner adjusting their reports'
//! quotas within the envelope (bottom-up), submitting, and the next level up approving or
//! returning with a reason. A change to an approved sheet is a new version with who and why;
//! the approved one stays beside it (plan against current) and stays in force until the new
//! one is approved.
//!
//! Who does what: the owner seat's holder (and comp admins) edit and submit; the holder of the
//! seat the owner reports to approves or returns; a top seat, or one whose manager's seat is
//! empty, is approved by someone who may approve the plan (finance, an executive). Nobody
//! approves what they submitted.

use attain_core::domain::{
    AllocationMethod, Position, Quota, QuotaSheet, SheetStatus, holder_of, position_on, sheets_in_force,
};
use attain_core::record::{Choice, Record};
use attain_core::{Date, Kind, Money, Period, Validity};
use attain_engine::plan::apportion;
use rust_decimal::Decimal;

use crate::access::{Actor, Permission};
use crate::app::App;
use crate::audit::Change;
use crate::error::{AppError, AppResult};
use crate::records::etag;

/// One report's line on a sheet: the seat, its holders, the year by month.
#[derive(Debug, Clone)]
pub struct ReportLine {
    pub position_id: String,
    pub title: String,
    pub holders: Vec<String>,
    pub months: [Money; 12],
    pub annual: Money,
    /// The same seat's year on the version in force, when this sheet is a later version.
    pub in_force_annual: Option<Money>,
}

/// A sheet as its owner, approver and comp admins see it.
#[derive(Debug, Clone)]
pub struct SheetView {
    pub sheet: QuotaSheet,
    pub etag: String,
    pub owner_title: String,
    pub owner_holder: Option<String>,
    pub months: [Period; 12],
    pub reports: Vec<ReportLine>,
    /// What the lines must sum to, and what they sum to.
    pub target: Money,
    pub total: Money,
    /// Whether pay reads this version's lines now.
    pub in_force: bool,
    /// Every version of the chain, newest first.
    pub versions: Vec<QuotaSheet>,
    pub may_edit: bool,
    pub may_review: bool,
}

/// A sheet in a year's list.
#[derive(Debug, Clone)]
pub struct SheetSummary {
    pub sheet: QuotaSheet,
    pub owner_title: String,
    /// Who holds the owner seat (on the year's org day), if anyone.
    pub owner_holder: Option<String>,
    pub target: Money,
    pub total: Money,
    pub in_force: bool,
}

/// The owner's edit: each report's year as typed (`position id → amount`), and why.
#[derive(Debug, Clone, Default)]
pub struct SheetEdit {
    pub annual: Vec<(String, String)>,
    pub note: String,
    pub if_match: Option<String>,
}

fn sum(values: impl Iterator<Item = Money>, zero: Money) -> AppResult<Money> {
    values.into_iter().try_fold(zero, |a, b| {
        a.checked_add(b).map_err(|e| AppError::Internal(format!("adding up a quota sheet: {e}")))
    })
}

fn stamp() -> String {
    jiff::Timestamp::now().round(jiff::Unit::Second).unwrap_or(jiff::Timestamp::now()).to_string()
}

impl App {
    /// The day whose org decides who holds a seat for `fiscal_year`: today inside the year,
    /// else the year's first (planning ahead) or last day.
    fn org_day(&self, fiscal_year: i16) -> (Date, Validity) {
        let snapshot = self.snapshot();
        let calendar = snapshot.data.company.first().map(|c| c.calendar).unwrap_or_default();
        let year = calendar.bounds(Period::Year { fiscal_year });
        let today = self.pay_today();
        let last = year.to.map_or(today, |to| to.yesterday().unwrap_or(to));
        (today.clamp(year.from, last.max(year.from)), year)
    }

    fn holds(&self, actor: &Actor, position: &str, day: Date) -> bool {
        let snapshot = self.snapshot();
        let holder = holder_of(&snapshot.data.assignments, position, day);
        actor.person_id.as_deref().is_some_and(|p| holder == Some(p))
    }

    fn may_edit_sheet(&self, actor: &Actor, sheet: &QuotaSheet) -> bool {
        let (day, _) = self.org_day(sheet.fiscal_year);
        actor.may(Permission::ManagePlan) || self.holds(actor, &sheet.owner_position_id, day)
    }

    /// The next level up: the holder of the seat the owner reports to, else plan approvers.
    fn may_review_sheet(&self, actor: &Actor, sheet: &QuotaSheet) -> bool {
        if sheet.submitted_by.as_deref() == Some(actor.login.as_str()) {
            return false;
        }
        let (day, _) = self.org_day(sheet.fiscal_year);
        let snapshot = self.snapshot();
        let data = &snapshot.data;
        let parent = position_on(&data.positions, &sheet.owner_position_id, day)
            .and_then(|p| p.reports_to.as_deref())
            .filter(|p| holder_of(&data.assignments, p, day).is_some());
        match parent {
            Some(parent) => self.holds(actor, parent, day),
            None => actor.may(Permission::ApprovePlan),
        }
    }

    /// The sheet `id` if the actor may see it (else not found), and its index.
    fn visible_sheet(&self, actor: &Actor, id: &str) -> AppResult<(QuotaSheet, String)> {
        let snapshot = self.snapshot();
        let index = snapshot.find(Kind::QuotaSheets, id).first().copied().ok_or(AppError::NotFound)?;
        if !snapshot.visible_to(actor).row(Kind::QuotaSheets, index) {
            return Err(AppError::NotFound);
        }
        let tag = etag(Kind::QuotaSheets, &snapshot.values(Kind::QuotaSheets, index));
        Ok((snapshot.data.quota_sheets[index].clone(), tag))
    }

    /// The year's sheets the actor may see, top seats first.
    pub fn quota_sheets(&self, actor: &Actor, fiscal_year: i16) -> AppResult<Vec<SheetSummary>> {
        let snapshot = self.snapshot();
        let visible = snapshot.visible_to(actor);
        let in_force = sheets_in_force(&snapshot.data.quota_sheets);
        let (day, _) = self.org_day(fiscal_year);
        // Each sheet's lines, found in one pass over the quotas rather than one per sheet.
        let mut lines_of: std::collections::HashMap<&str, Vec<Decimal>> = std::collections::HashMap::new();
        for q in &snapshot.data.quotas {
            if let Some(sheet) = q.sheet_id.as_deref() {
                lines_of.entry(sheet).or_default().push(q.amount);
            }
        }
        let mut out = Vec::new();
        for (index, sheet) in snapshot.data.quota_sheets.iter().enumerate() {
            if sheet.fiscal_year != fiscal_year || !visible.row(Kind::QuotaSheets, index) {
                continue;
            }
            let lines = lines_of.get(sheet.id.as_str()).map(Vec::as_slice).unwrap_or_default();
            let zero = Money::zero(sheet.envelope.currency());
            let total = sum(lines.iter().map(|a| Money::new(*a, zero.currency()).unwrap_or(zero)), zero)?;
            out.push(SheetSummary {
                owner_holder: holder_of(&snapshot.data.assignments, &sheet.owner_position_id, day)
                    .and_then(|p| snapshot.data.people.iter().find(|x| x.id == p))
                    .map(|p| p.name.clone()),
                owner_title: owner_title(&snapshot.data.positions, &sheet.owner_position_id),
                target: sheet.target(),
                total,
                in_force: in_force.contains(sheet.id.as_str()),
                sheet: sheet.clone(),
            });
        }
        // By measure, then the largest envelope first (the top seat, then its managers), then
        // the newest version of each seat.
        out.sort_by(|a, b| {
            (a.sheet.measure.name(), a.sheet.envelope.minor(), &a.sheet.owner_position_id, a.sheet.version)
                .cmp(&(
                    b.sheet.measure.name(),
                    b.sheet.envelope.minor(),
                    &b.sheet.owner_position_id,
                    b.sheet.version,
                ))
                .reverse()
        });
        Ok(out)
    }

    /// One sheet with its lines, its chain's versions and what the actor may do with it.
    pub fn quota_sheet(&self, actor: &Actor, id: &str) -> AppResult<SheetView> {
        let (sheet, tag) = self.visible_sheet(actor, id)?;
        let snapshot = self.snapshot();
        let data = &snapshot.data;
        let calendar = data.company.first().map(|c| c.calendar).unwrap_or_default();
        let year = calendar.bounds(Period::Year { fiscal_year: sheet.fiscal_year });
        let mut month = calendar.month_period(year.from);
        let months: [Period; 12] = std::array::from_fn(|_| {
            let this = month;
            month = month.next_month();
            this
        });
        let in_force_ids = sheets_in_force(&data.quota_sheets);
        let mut versions: Vec<QuotaSheet> =
            data.quota_sheets.iter().filter(|s| s.chain() == sheet.chain()).cloned().collect();
        versions.sort_by_key(|s| std::cmp::Reverse(s.version));
        let in_force_sheet = versions.iter().find(|s| in_force_ids.contains(s.id.as_str()));
        let currency = sheet.envelope.currency();
        let zero = Money::zero(currency);
        let (day, _) = self.org_day(sheet.fiscal_year);
        let mut reports: Vec<ReportLine> = Vec::new();
        for line in data.quotas.iter().filter(|q| q.sheet_id.as_deref() == Some(sheet.id.as_str())) {
            let Some(m) = months.iter().position(|p| *p == line.period) else { continue };
            let amount = Money::new(line.amount, currency).unwrap_or(zero);
            let at = match reports.iter().position(|r| r.position_id == line.position_id) {
                Some(at) => at,
                None => {
                    reports.push(ReportLine {
                        position_id: line.position_id.clone(),
                        title: owner_title(&data.positions, &line.position_id),
                        holders: holder_names(data, &line.position_id, &year),
                        months: [zero; 12],
                        annual: zero,
                        in_force_annual: None,
                    });
                    reports.len() - 1
                }
            };
            reports[at].months[m] = amount;
        }
        for report in &mut reports {
            report.annual = sum(report.months.iter().copied(), zero)?;
            if let Some(current) = in_force_sheet.filter(|s| s.id != sheet.id) {
                let lines = data.quotas.iter().filter(|q| {
                    q.sheet_id.as_deref() == Some(current.id.as_str()) && q.position_id == report.position_id
                });
                report.in_force_annual =
                    Some(sum(lines.map(|q| Money::new(q.amount, currency).unwrap_or(zero)), zero)?);
            }
        }
        reports.sort_by(|a, b| a.position_id.cmp(&b.position_id));
        let total = sum(reports.iter().map(|r| r.annual), zero)?;
        let owner_holder = holder_of(&data.assignments, &sheet.owner_position_id, day)
            .and_then(|p| data.people.iter().find(|x| x.id == p))
            .map(|p| p.name.clone());
        let may_edit = sheet.status != SheetStatus::Submitted && self.may_edit_sheet(actor, &sheet);
        let may_review = sheet.status == SheetStatus::Submitted && self.may_review_sheet(actor, &sheet);
        Ok(SheetView {
            owner_title: owner_title(&data.positions, &sheet.owner_position_id),
            owner_holder,
            months,
            target: sheet.target(),
            total,
            in_force: in_force_ids.contains(sheet.id.as_str()),
            versions,
            may_edit,
            may_review,
            reports,
            etag: tag,
            sheet,
        })
    }

    /// Saves the owner's quotas for their reports. A draft changes in place; an approved
    /// version starts the next version (which needs a note saying why); a submitted one is
    /// refused until it is returned. Each report's year is spread over its months in the
    /// proportions its lines had (so the season and ramp stay), evenly by the season when it
    /// had none. Returns the saved sheet's id.
    pub async fn save_quota_sheet(&self, actor: &Actor, id: &str, edit: SheetEdit) -> AppResult<String> {
        let view = self.quota_sheet(actor, id)?;
        if !self.may_edit_sheet(actor, &view.sheet) {
            return Err(AppError::Forbidden);
        }
        let mut sheet = view.sheet.clone();
        let note = edit.note.trim();
        match sheet.status {
            SheetStatus::Submitted => {
                return Err(AppError::Conflict(format!(
                    "version {} is submitted for approval: it can change once the approver returns it",
                    sheet.version
                )));
            }
            SheetStatus::Approved => {
                if let Some(open) = view.versions.iter().find(|v| v.status != SheetStatus::Approved) {
                    return Err(AppError::Conflict(format!(
                        "version {} is already open ({}): change that one",
                        open.version,
                        open.status.name()
                    )));
                }
                if note.is_empty() {
                    return Err(AppError::invalid(
                        "note",
                        "say why the approved quotas change (who moved, what changed)",
                    ));
                }
                sheet.version = view.versions.iter().map(|v| v.version).max().unwrap_or(0) + 1;
                sheet.id = QuotaSheet::id_for(
                    sheet.fiscal_year,
                    sheet.measure,
                    &sheet.owner_position_id,
                    sheet.version,
                );
                sheet.status = SheetStatus::Draft;
                sheet.submitted_by = None;
                sheet.submitted_at = None;
                sheet.approved_by = None;
                sheet.approved_at = None;
                sheet.review_note = None;
                sheet.prepared_by = actor.login.clone();
            }
            SheetStatus::Draft => {}
        }
        if !note.is_empty() {
            sheet.note = note.to_string();
        }
        sheet.method = AllocationMethod::Manual;
        let currency = sheet.envelope.currency();
        let mut lines = Vec::new();
        for report in &view.reports {
            let typed = edit.annual.iter().find(|(p, _)| *p == report.position_id).map(|(_, a)| a.trim());
            let field = || format!("annual.{}", report.position_id);
            let annual = match typed {
                None => report.annual,
                Some(text) => {
                    let amount: Decimal = text.replace(',', "").parse().map_err(|_| AppError::Invalid {
                        field: Some(field()),
                        message: format!("'{text}' is not an amount"),
                    })?;
                    if amount < Decimal::ZERO {
                        return Err(AppError::Invalid {
                            field: Some(field()),
                            message: "a quota cannot be below zero".into(),
                        });
                    }
                    Money::new(amount, currency)
                        .map_err(|e| AppError::Invalid { field: Some(field()), message: e.to_string() })?
                }
            };
            let weights: Vec<Decimal> = report.months.iter().map(|m| Decimal::from(m.minor())).collect();
            let parts = apportion(annual.minor(), &weights)
                .or_else(|_| apportion(annual.minor(), &[Decimal::ONE; 12]))
                .map_err(|e| AppError::Invalid { field: Some(field()), message: e.to_string() })?;
            for (month, minor) in view.months.iter().zip(parts) {
                lines.push(Quota {
                    id: sheet.line_id(&report.position_id, *month),
                    position_id: report.position_id.clone(),
                    measure: sheet.measure.name().to_string(),
                    period: *month,
                    amount: Money::from_minor(minor, currency).amount(),
                    currency: Some(currency),
                    sheet_id: Some(sheet.id.clone()),
                });
            }
        }
        if let Some((unknown, _)) =
            edit.annual.iter().find(|(p, _)| !view.reports.iter().any(|r| &r.position_id == p))
        {
            return Err(AppError::Invalid {
                field: Some(format!("annual.{unknown}")),
                message: format!("'{unknown}' is not a seat on this sheet"),
            });
        }
        let new_version = sheet.id != view.sheet.id;
        let (action, expected) = if new_version {
            ("quota_sheet.revise", None)
        } else {
            ("quota_sheet.save", Some(edit.if_match.clone().unwrap_or_default()))
        };
        if !new_version && expected.as_deref().is_none_or(str::is_empty) {
            return Err(AppError::Invalid {
                field: Some("If-Match".into()),
                message: "send the sheet's version (its ETag) so a change made meanwhile is not overwritten"
                    .into(),
            });
        }
        let change = Change::new(action, Kind::QuotaSheets.name(), Some(sheet.id.clone()))
            .before(sheet_audit(
                &view.sheet,
                &view.reports.iter().map(|r| (r.position_id.clone(), r.annual)).collect::<Vec<_>>(),
            ))
            .after(sheet_audit(&sheet, &annuals(&lines)));
        let checked = expected.map(|tag| (view.sheet.id.clone(), tag));
        self.write_sheets(actor, &[sheet.clone()], &lines, change, checked).await?;
        Ok(sheet.id)
    }

    /// Submits a draft for approval. Lines that do not sum to the target need a reason, which
    /// the approver reads: a manager cannot go past the envelope without approval.
    pub async fn submit_quota_sheet(
        &self,
        actor: &Actor,
        id: &str,
        reason: Option<&str>,
        if_match: Option<&str>,
    ) -> AppResult<()> {
        let view = self.quota_sheet(actor, id)?;
        if !self.may_edit_sheet(actor, &view.sheet) {
            return Err(AppError::Forbidden);
        }
        if view.sheet.status != SheetStatus::Draft {
            return Err(AppError::Conflict(format!(
                "version {} is {}, not a draft",
                view.sheet.version,
                view.sheet.status.name()
            )));
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let mut sheet = view.sheet.clone();
        if view.total != view.target {
            let Some(reason) = reason else {
                let (word, gap) = if view.total.amount() > view.target.amount() {
                    ("above", view.total.amount() - view.target.amount())
                } else {
                    ("below", view.target.amount() - view.total.amount())
                };
                return Err(AppError::invalid(
                    "reason",
                    format!(
                        "the quotas sum to {}, {gap} {word} the target of {}: say why, and the approver decides",
                        view.total.amount(),
                        view.target.amount()
                    ),
                ));
            };
            sheet.note = format!(
                "{} — submitted at {} against a target of {}: {reason}",
                sheet.note,
                view.total.amount(),
                view.target.amount()
            );
        }
        sheet.status = SheetStatus::Submitted;
        sheet.submitted_by = Some(actor.login.clone());
        sheet.submitted_at = Some(stamp().parse().map_err(|_| AppError::Internal("a timestamp".into()))?);
        sheet.review_note = None;
        self.move_sheet(actor, &view, sheet, "quota_sheet.submit", if_match).await
    }

    /// Approves a submitted sheet: its lines become the quotas pay reads.
    pub async fn approve_quota_sheet(
        &self,
        actor: &Actor,
        id: &str,
        if_match: Option<&str>,
    ) -> AppResult<()> {
        let view = self.reviewable(actor, id)?;
        let mut sheet = view.sheet.clone();
        sheet.status = SheetStatus::Approved;
        sheet.approved_by = Some(actor.login.clone());
        sheet.approved_at = Some(stamp().parse().map_err(|_| AppError::Internal("a timestamp".into()))?);
        self.move_sheet(actor, &view, sheet, "quota_sheet.approve", if_match).await
    }

    /// Sends a submitted sheet back to its owner as a draft, with the reason.
    pub async fn return_quota_sheet(
        &self,
        actor: &Actor,
        id: &str,
        reason: &str,
        if_match: Option<&str>,
    ) -> AppResult<()> {
        let view = self.reviewable(actor, id)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "say what should change"));
        }
        let mut sheet = view.sheet.clone();
        sheet.status = SheetStatus::Draft;
        sheet.submitted_by = None;
        sheet.submitted_at = None;
        sheet.review_note = Some(format!("{} ({}): {reason}", actor.login, stamp()));
        self.move_sheet(actor, &view, sheet, "quota_sheet.return", if_match).await
    }

    fn reviewable(&self, actor: &Actor, id: &str) -> AppResult<SheetView> {
        let view = self.quota_sheet(actor, id)?;
        if view.sheet.status != SheetStatus::Submitted {
            return Err(AppError::Conflict(format!(
                "version {} is {}, not submitted",
                view.sheet.version,
                view.sheet.status.name()
            )));
        }
        if view.sheet.submitted_by.as_deref() == Some(actor.login.as_str()) {
            return Err(AppError::Conflict("you submitted this sheet: the next level up approves it".into()));
        }
        if !self.may_review_sheet(actor, &view.sheet) {
            return Err(AppError::Forbidden);
        }
        Ok(view)
    }

    /// Writes a sheet's new status (its lines unchanged), checked against the version the
    /// actor read (without one, the version read here).
    async fn move_sheet(
        &self,
        actor: &Actor,
        view: &SheetView,
        sheet: QuotaSheet,
        action: &'static str,
        if_match: Option<&str>,
    ) -> AppResult<()> {
        let lines = annuals_of(view);
        let change = Change::new(action, Kind::QuotaSheets.name(), Some(sheet.id.clone()))
            .before(sheet_audit(&view.sheet, &lines))
            .after(sheet_audit(&sheet, &lines));
        let tag = if_match.filter(|t| !t.trim().is_empty()).unwrap_or(&view.etag).to_string();
        self.write_sheets(actor, &[sheet], &[], change, Some((view.sheet.id.clone(), tag))).await
    }
}

/// A seat as people name it: its title and team (`Regional Sales Manager — East Sales`), since
/// titles repeat across teams.
pub(crate) fn seat_name(p: &Position) -> String {
    match p.team.as_deref().or(p.region.as_deref()) {
        Some(team) => format!("{} — {team}", p.title),
        None => p.title.clone(),
    }
}

fn owner_title(positions: &[Position], id: &str) -> String {
    positions.iter().rev().find(|p| p.id == id).map_or_else(|| id.to_string(), seat_name)
}

fn holder_names(data: &attain_core::Dataset, position: &str, year: &Validity) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in data.assignments.iter().filter(|a| a.position_id == position && a.validity.overlaps(year)) {
        if let Some(p) = data.people.iter().find(|p| p.id == a.person_id)
            && !out.contains(&p.name)
        {
            out.push(p.name.clone());
        }
    }
    out
}

fn annuals(lines: &[Quota]) -> Vec<(String, Money)> {
    let mut out: Vec<(String, Money)> = Vec::new();
    for q in lines {
        let currency = q.currency.unwrap_or(attain_core::Currency::USD);
        let m = Money::new(q.amount, currency).unwrap_or(Money::zero(currency));
        match out.iter_mut().find(|(p, _)| *p == q.position_id) {
            Some((_, total)) => *total = total.checked_add(m).unwrap_or(*total),
            None => out.push((q.position_id.clone(), m)),
        }
    }
    out
}

fn annuals_of(view: &SheetView) -> Vec<(String, Money)> {
    view.reports.iter().map(|r| (r.position_id.clone(), r.annual)).collect()
}

/// What the audit log keeps of a sheet: the record and each report's year.
fn sheet_audit(sheet: &QuotaSheet, annual: &[(String, Money)]) -> serde_json::Value {
    let record = crate::records::record_json(Kind::QuotaSheets, &sheet.to_values());
    let years: serde_json::Map<String, serde_json::Value> =
        annual.iter().map(|(p, m)| (p.clone(), serde_json::Value::String(m.amount().to_string()))).collect();
    serde_json::json!({ "sheet": record, "annual": years })
}
