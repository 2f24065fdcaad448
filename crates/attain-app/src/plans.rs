//! Compensation inputs from files: a directory of plan files (`*.toml`, plus the company's
//! `crediting.toml`) into a checked plan book, and a workspace directory (the CSV files of
//! docs/workspace.md plus `plans/`) into the dataset and plan book a run needs — so a comp
//! admin can keep plans in git and calculate with no server.

use std::path::{Path, PathBuf};

use attain_core::Dataset;
use attain_engine::pay::plan::{CreditRules, PlanBook, PlanError, load_plan, load_rules};
use attain_facts::FactStore;
use thiserror::Error;

/// The file holding the company's crediting rules in a plans directory.
pub const CREDITING_FILE: &str = "crediting.toml";

#[derive(Debug, Error)]
pub enum PlansError {
    /// Every plan file's first problem, so one `attain plan check` shows them all.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<PlanError>),
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error("{0}")]
    Workspace(String),
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> PlansError {
    PlansError::File { path: path.display().to_string(), reason: e.to_string() }
}

/// The plan files of a directory, sorted by name: every `*.toml` except the crediting rules.
pub fn plan_files(dir: &Path) -> Result<Vec<PathBuf>, PlansError> {
    let entries = std::fs::read_dir(dir).map_err(|e| file_error(dir, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| file_error(dir, e))?.path();
        let is_toml = path.extension().is_some_and(|e| e == "toml");
        if is_toml && path.is_file() && path.file_name().is_some_and(|n| n != CREDITING_FILE) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Loads one file's text as a plan, naming the file as given in errors.
pub fn load_plan_file(path: &Path) -> Result<attain_engine::pay::plan::Plan, PlansError> {
    let text = std::fs::read_to_string(path).map_err(|e| file_error(path, e))?;
    load_plan(&path.display().to_string(), &text).map_err(|e| PlansError::Invalid(vec![e]))
}

/// The plan files of `dir` as (file name, text), the crediting rules included, in name order:
/// what `attain plan import` stores and the loaders below check.
pub fn read_plan_dir(dir: &Path) -> Result<Vec<(String, String)>, PlansError> {
    let mut paths = plan_files(dir)?;
    let rules = dir.join(CREDITING_FILE);
    if rules.is_file() {
        paths.push(rules);
    }
    let mut files = Vec::new();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        files.push((name, std::fs::read_to_string(&path).map_err(|e| file_error(&path, e))?));
    }
    files.sort();
    Ok(files)
}

/// Checks a set of plan files — (name, text), `crediting.toml` being the crediting rules — as a
/// plan book: every file's problems, all at once, each naming the file as given.
pub fn check_files(files: &[(String, String)]) -> Result<PlanBook, Vec<PlanError>> {
    let mut plans = Vec::new();
    let mut errors = Vec::new();
    let mut rules = CreditRules::default();
    for (name, text) in files {
        if Path::new(name).file_name().is_some_and(|n| n == CREDITING_FILE) {
            match load_rules(name, text) {
                Ok(r) => rules = r,
                Err(e) => errors.push(e),
            }
        } else {
            match load_plan(name, text) {
                Ok(p) => plans.push(p),
                Err(e) => errors.push(e),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    PlanBook::new(plans, rules).map_err(|e| vec![e])
}

/// Loads every plan in `dir` and its crediting rules (defaults when the file is absent) and
/// checks them as a set, naming each file by its path in errors.
pub fn load_plan_dir(dir: &Path) -> Result<PlanBook, PlansError> {
    let files: Vec<(String, String)> = read_plan_dir(dir)?
        .into_iter()
        .map(|(name, text)| (dir.join(name).display().to_string(), text))
        .collect();
    if files.iter().all(|(name, _)| Path::new(name).file_name().is_some_and(|n| n == CREDITING_FILE)) {
        return Err(PlansError::File {
            path: dir.display().to_string(),
            reason: "holds no plan files (*.toml)".into(),
        });
    }
    check_files(&files).map_err(PlansError::Invalid)
}

/// A workspace in memory: its reference data, its facts (the transactions among them) and its
/// plan book.
#[derive(Debug)]
pub struct Workspace {
    /// Every kind but the transactions, which are in `facts`.
    pub dataset: Dataset,
    pub facts: FactStore,
    pub book: PlanBook,
}

/// Reads a workspace directory into memory with its plan book (from `DIR/plans`). The files
/// pass every check `attain import DIR` makes (all or nothing, every problem reported), with no
/// database: the transactions stream into the fact store (`import::load_workspace`).
pub async fn load_workspace(dir: &Path) -> Result<Workspace, PlansError> {
    let book = load_plan_dir(&dir.join("plans"))?;
    let owned = dir.to_path_buf();
    let loaded = tokio::task::spawn_blocking(move || crate::import::load_workspace(&owned))
        .await
        .map_err(|e| PlansError::Workspace(format!("the workspace load failed: {e}")))?
        .map_err(|e| PlansError::Workspace(e.to_string()))?;
    Ok(Workspace { dataset: loaded.dataset, facts: loaded.facts, book })
}

/// One plan test case's outcome, by file.
#[derive(Debug, Clone)]
pub struct CaseReport {
    pub file: String,
    pub name: String,
    pub outcome: attain_engine::pay::plan::CaseOutcome,
}

/// Runs every test case in `DIR/tests/*.toml` against the plans in `DIR`.
pub fn run_plan_tests(dir: &Path) -> Result<Vec<CaseReport>, PlansError> {
    let book = load_plan_dir(dir)?;
    let tests = dir.join("tests");
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    let files = if tests.is_dir() { plan_files(&tests)? } else { Vec::new() };
    if files.is_empty() {
        return Err(PlansError::File {
            path: tests.display().to_string(),
            reason: "holds no test cases (*.toml)".into(),
        });
    }
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| file_error(&path, e))?;
        match attain_engine::pay::plan::PlanCase::load(&path.display().to_string(), &text) {
            Ok(case) => reports.push(CaseReport {
                file: case.file.clone(),
                name: case.name.clone(),
                outcome: case.run(&book),
            }),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(PlansError::Invalid(errors));
    }
    Ok(reports)
}
