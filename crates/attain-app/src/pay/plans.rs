//! The plans stored with the company: their files as written, checked as a whole plan book
//! before they replace the stored set, and loaded back into the engine's plan book for runs.

use attain_engine::plan::{Plan, PlanBook, load_plan};
use attain_store::PlanFileRow;
use serde::Serialize;

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
    /// The stored plan files (everyone signed in may read the plans; they are not secret).
    pub async fn plan_files(&self, _actor: &Actor) -> AppResult<Vec<PlanFileInfo>> {
        let rows = self.store().plan_files().await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let plan = (r.name != CREDITING_FILE).then(|| load_plan(&r.name, &r.text).ok()).flatten();
                PlanFileInfo {
                    plan: plan.as_ref().map(PlanSummary::of),
                    name: r.name,
                    text: r.text,
                    updated_at: r.updated_at,
                }
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

    /// Replaces the stored plans with `files` (name, text) after checking them as a whole;
    /// nothing is written unless every file is valid. Audited.
    pub async fn save_plans(
        &self,
        actor: &Actor,
        files: Vec<(String, String)>,
    ) -> AppResult<Vec<PlanSummary>> {
        actor.require(Permission::ManagePay)?;
        for (name, text) in &files {
            if !valid_name(name) {
                return Err(AppError::invalid(
                    "name",
                    format!("`{name}` is not a plan file name (letters, digits, - _ . ending in .toml)"),
                ));
            }
            if text.contains('\0') {
                return Err(AppError::invalid("text", format!("{name} holds NUL bytes")));
            }
        }
        let book = check_files(&files).map_err(|errors| AppError::Invalid {
            field: Some("plans".into()),
            message: errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
        })?;
        if book.plans().is_empty() {
            return Err(AppError::invalid(
                "plans",
                "no plan files: a plans directory needs at least one plan (*.toml)",
            ));
        }
        let _writing = self.writer().await;
        let before: Vec<String> = self.store().plan_files().await?.into_iter().map(|r| r.name).collect();
        let now = crate::access::secret::now_text();
        let rows: Vec<PlanFileRow> = files
            .into_iter()
            .map(|(name, text)| PlanFileRow { name, text, updated_at: now.clone() })
            .collect();
        let mut tx = self.store().begin().await?;
        self.store().replace_plan_files(&mut tx, &rows).await?;
        let after: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        audit::append(
            self.store(),
            &mut tx,
            actor,
            Change::new("plans.replace", "plan_files", None).before(&before).after(&after),
        )
        .await?;
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        Ok(book.plans().iter().map(PlanSummary::of).collect())
    }
}
