//! The plans stored with the company: their files as written, checked as a whole plan book
//! before they replace the stored set, and loaded back into the engine's plan book for runs.

use attain_engine::pay::plan::{Plan, PlanBook, load_plan};
use attain_store::PlanFileRow;
use serde::Serialize;

use super::{RunInfo, RunStatus};
use crate::access::{Actor, Permission};
use crate::app::App;
use crate::audit::{self, Change};
use crate::error::{AppError, AppResult};
use crate::plans::{CREDITING_FILE, check_files};

/// A stored plan file and, for plans, what it defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanFileInfo {
    pub name: String,
    pub text: String,
    pub updated_at: String,
    /// `(id, version, name, valid from, valid to)` for a plan file; `None` for the crediting rules.
    pub plan: Option<PlanSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanSummary {
    pub id: String,
    pub version: u32,
    pub name: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub components: Vec<String>,
    pub on_target_earnings: Option<String>,
    /// Base % / incentive % of on-target earnings.
    pub pay_mix: Option<String>,
}

impl PlanSummary {
    fn of(p: &Plan) -> PlanSummary {
        PlanSummary {
            id: p.id.clone(),
            version: p.version,
            name: p.name.clone(),
            valid_from: p.validity.from.to_string(),
            valid_to: p.validity.to.map(|d| d.to_string()),
            components: p.components.iter().map(|c| format!("{} ({})", c.name, c.scope.name())).collect(),
            on_target_earnings: p.on_target_earnings().map(|d| d.normalize().to_string()),
            pay_mix: p.pay_mix().map(|(b, i)| format!("{}/{}", b.normalize(), i.normalize())),
        }
    }
}

fn valid_name(name: &str) -> bool {
    name.ends_with(".toml")
        && name.len() <= 100
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.')
}

impl App {
    /// The stored plan files the actor may read: every file for the whole-company roles; for a
    /// manager or rep, the versions of the plans held within their reach (`scope::plan_reach`)
    /// on days the version was in force, and the crediting rules (the company's, which every
    /// statement is credited by). A plan nobody in reach holds is not theirs to read: it says
    /// what other people are paid.
    pub async fn plan_files(&self, actor: &Actor) -> AppResult<Vec<PlanFileInfo>> {
        let rows = self.store().plan_files().await?;
        let held = crate::scope::plan_reach(&self.snapshot(), actor);
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let plan = (r.name != CREDITING_FILE).then(|| load_plan(&r.name, &r.text).ok()).flatten();
                let readable = match (&held, &plan) {
                    (None, _) => true,
                    (Some(_), None) => r.name == CREDITING_FILE,
                    (Some(held), Some(p)) => {
                        let spans: Vec<_> =
                            held.iter().filter(|(id, _)| *id == p.id).map(|(_, span)| *span).collect();
                        crate::scope::overlaps_any(&spans, &(p.validity.from, p.validity.to))
                    }
                };
                readable.then(|| PlanFileInfo {
                    plan: plan.as_ref().map(PlanSummary::of),
                    name: r.name,
                    text: r.text,
                    updated_at: r.updated_at,
                })
            })
            .collect())
    }

    /// The stored plans as the engine's plan book.
    pub(crate) async fn plan_book(&self) -> AppResult<(PlanBook, Vec<PlanFileRow>)> {
        let rows = self.store().plan_files().await?;
        if rows.iter().all(|r| r.name == CREDITING_FILE) {
            return Err(AppError::invalid(
                "plans",
                "no compensation plans are stored yet: import a plans directory first",
            ));
        }
        let files: Vec<(String, String)> = rows.iter().map(|r| (r.name.clone(), r.text.clone())).collect();
        let book = check_files(&files).map_err(|errors| {
            AppError::Internal(format!("the stored plans no longer load: {}", errors[0]))
        })?;
        Ok((book, rows))
    }

    /// What saving `files` (name, text) would change, checked exactly as [`App::save_plans`]
    /// checks them; nothing is written.
    pub async fn preview_plans(&self, actor: &Actor, files: Vec<(String, String)>) -> AppResult<PlanChanges> {
        actor.require(Permission::ManagePay)?;
        let stored = self.store().plan_files().await?;
        Ok(merge(&stored, files)?.0)
    }

    /// Adds the named files and replaces the stored files of the same names; every other
    /// stored file stays (removing one is [`App::remove_plan_file`]). The whole resulting set is
    /// checked as one plan book first: nothing is written unless all of it is valid. Audited.
    pub async fn save_plans(&self, actor: &Actor, files: Vec<(String, String)>) -> AppResult<PlanChanges> {
        actor.require(Permission::ManagePay)?;
        let _writing = self.writer().await;
        let stored = self.store().plan_files().await?;
        let (mut changes, merged) = merge(&stored, files)?;
        let now = crate::access::secret::now_text();
        let rows: Vec<PlanFileRow> = merged
            .into_iter()
            .map(|(name, text)| {
                // A file saved with its stored text keeps its stored time: it did not change.
                let kept = stored.iter().find(|r| r.name == name && r.text == text);
                let updated_at = kept.map_or_else(|| now.clone(), |r| r.updated_at.clone());
                PlanFileRow { name, text, updated_at }
            })
            .collect();
        let mut tx = self.store().begin().await?;
        self.store().replace_plan_files(&mut tx, &rows).await?;
        let before: Vec<&str> = stored.iter().map(|r| r.name.as_str()).collect();
        let after = serde_json::json!({"added": changes.added, "replaced": changes.replaced});
        let change = Change::new("plans.save", "plan_files", None).before(&before).after(after);
        audit::append(self.store(), &mut tx, actor, change).await?;
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        changes.saved = true;
        Ok(changes)
    }

    /// Removes one stored file. A plan version that a position is assigned to for days it is
    /// in force, or that was paid under a closed (or since reopened) run, is refused with the
    /// reason: runs and their history need it. The remaining set is checked as a plan book
    /// before anything is written. Audited.
    pub async fn remove_plan_file(&self, actor: &Actor, name: &str) -> AppResult<PlanRemoval> {
        actor.require(Permission::ManagePay)?;
        let _writing = self.writer().await;
        let stored = self.store().plan_files().await?;
        let file = stored.iter().find(|r| r.name == name).ok_or(AppError::NotFound)?;
        if name != CREDITING_FILE
            && let Ok(plan) = load_plan(name, &file.text)
        {
            let version = format!("{}@{}", plan.id, plan.version);
            let snapshot = self.snapshot();
            let in_force = (plan.validity.from, plan.validity.to);
            if let Some(a) = snapshot.data.plan_assignments.iter().find(|a| {
                a.plan_id == plan.id
                    && crate::scope::overlaps_any(&[(a.validity.from, a.validity.to)], &in_force)
            }) {
                return Err(AppError::Conflict(format!(
                    "{name} defines {version}, which position {} holds from {}: assign another plan first",
                    a.position_id, a.validity.from
                )));
            }
            let runs: Vec<RunInfo> =
                self.store().runs().await?.iter().map(RunInfo::from_row).collect::<AppResult<_>>()?;
            if let Some(run) = runs
                .iter()
                .filter(|r| matches!(r.status, RunStatus::Closed | RunStatus::Reopened))
                .find(|r| r.plans.contains(&version))
            {
                return Err(AppError::Conflict(format!(
                    "{name} defines {version}, which {} paid (run {}, {}): a plan that was paid is kept",
                    run.period,
                    run.id,
                    run.status.as_str()
                )));
            }
        }
        let rest: Vec<PlanFileRow> = stored.iter().filter(|r| r.name != name).cloned().collect();
        let files: Vec<(String, String)> = rest.iter().map(|r| (r.name.clone(), r.text.clone())).collect();
        let book = check_book(&files)?;
        let mut tx = self.store().begin().await?;
        self.store().replace_plan_files(&mut tx, &rest).await?;
        let change = Change::new("plans.remove", "plan_files", Some(name.to_string())).before(name);
        audit::append(self.store(), &mut tx, actor, change).await?;
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        Ok(PlanRemoval {
            removed: name.to_string(),
            plans: book.plans().iter().map(PlanSummary::of).collect(),
        })
    }
}

/// What a save of plan files changes (or, for a preview, would change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanChanges {
    /// Files that were not stored.
    pub added: Vec<String>,
    /// Stored files whose text changes.
    pub replaced: Vec<String>,
    /// Files given with exactly their stored text.
    pub unchanged: Vec<String>,
    /// Stored files not given: they stay as they are.
    pub kept: Vec<String>,
    /// Every plan stored after the save.
    pub plans: Vec<PlanSummary>,
    /// Whether the files were written (a preview is not).
    pub saved: bool,
}

/// A removed file and the plans still stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanRemoval {
    pub removed: String,
    pub plans: Vec<PlanSummary>,
}

/// The stored files with `files` added or replaced, checked as one plan book, and what changes.
fn merge(
    stored: &[PlanFileRow],
    files: Vec<(String, String)>,
) -> AppResult<(PlanChanges, Vec<(String, String)>)> {
    if files.is_empty() {
        return Err(AppError::invalid("files", "give one or more plan files (*.toml)"));
    }
    for (i, (name, text)) in files.iter().enumerate() {
        if !valid_name(name) {
            return Err(AppError::invalid(
                "name",
                format!("`{name}` is not a plan file name (letters, digits, - _ . ending in .toml)"),
            ));
        }
        if text.contains('\0') {
            return Err(AppError::invalid("text", format!("{name} holds NUL bytes")));
        }
        if files[..i].iter().any(|(other, _)| other == name) {
            return Err(AppError::invalid("name", format!("{name} is given twice")));
        }
    }
    let mut merged: Vec<(String, String)> = stored.iter().map(|r| (r.name.clone(), r.text.clone())).collect();
    let mut changes = PlanChanges {
        added: Vec::new(),
        replaced: Vec::new(),
        unchanged: Vec::new(),
        kept: Vec::new(),
        plans: Vec::new(),
        saved: false,
    };
    for (name, text) in files {
        match merged.iter_mut().find(|(n, _)| *n == name) {
            Some((_, old)) if *old == text => changes.unchanged.push(name),
            Some((_, old)) => {
                *old = text;
                changes.replaced.push(name);
            }
            None => {
                merged.push((name.clone(), text));
                changes.added.push(name);
            }
        }
    }
    merged.sort();
    changes.kept = stored
        .iter()
        .map(|r| r.name.clone())
        .filter(|n| {
            !changes.added.contains(n) && !changes.replaced.contains(n) && !changes.unchanged.contains(n)
        })
        .collect();
    let book = check_book(&merged)?;
    changes.plans = book.plans().iter().map(PlanSummary::of).collect();
    Ok((changes, merged))
}

/// A set of plan files checked as the plan book runs would use: every problem, one a line.
fn check_book(files: &[(String, String)]) -> AppResult<PlanBook> {
    let book = check_files(files).map_err(|errors| AppError::Invalid {
        field: Some("plans".into()),
        message: errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
    })?;
    if book.plans().is_empty() {
        return Err(AppError::invalid("plans", "no plan files: the plans need at least one plan (*.toml)"));
    }
    Ok(book)
}
