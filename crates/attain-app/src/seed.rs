//! Seeding the demo company: the deterministic generator's output goes through the same
//! checks as any import, into an empty database.

use attain_core::Kind;
use attain_demo::DemoConfig;
use attain_store::Store;

use attain_core::domain::Role as PositionRole;

use crate::access::secret::random_password;
use crate::access::users::NewUser;
use crate::access::{Actor, Role};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::import::{ImportError, ImportOptions, ImportReport, apply, workspace_batch};
use crate::progress::Progress;

/// Generates the demo company for `config` and writes it. Refuses a database that already
/// holds any record, so a demo never mixes into real data.
pub async fn seed_demo(
    store: &Store,
    config: &DemoConfig,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    for kind in Kind::ALL {
        if store.count(kind).await? > 0 {
            return Err(ImportError::File {
                path: "database".into(),
                reason: format!(
                    "already holds data ({kind}); the demo is seeded only into an empty database"
                ),
            });
        }
    }
    let dataset = attain_demo::generate(config);
    let options = ImportOptions::by(&Actor::system(), "demo.seed", "demo");
    apply(store, workspace_batch(&dataset, "demo"), options, progress).await
}

/// A demo sign-in, printed by `attain demo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub role: Role,
    pub login: String,
    pub password: String,
    /// Who the user is in the demo company (their name), for managers, reps and the executive.
    pub person: Option<String>,
    /// That person's id.
    pub person_id: Option<String>,
}

/// Creates one user per role in a freshly seeded demo company, each with a new random
/// password (a demo database never carries a password anyone could know in advance). The
/// manager is the regional manager with the most reps on `as_of`; the rep is one of theirs;
/// the executive is the person at the top of the org.
pub async fn seed_demo_users(app: &App, as_of: attain_core::Date) -> AppResult<Vec<DemoLogin>> {
    let snapshot = app.snapshot();
    let data = &snapshot.data;
    let holder = |position: &str| {
        data.assignments
            .iter()
            .find(|a| a.position_id == position && a.validity.contains(as_of))
            .map(|a| a.person_id.clone())
    };
    let current: Vec<_> = data.positions.iter().filter(|p| p.validity.contains(as_of)).collect();
    let top = current.iter().find(|p| p.reports_to.is_none()).and_then(|p| holder(&p.id));
    let manager_position = current
        .iter()
        .filter(|p| p.role == PositionRole::Manager)
        .max_by_key(|m| {
            let reps = current
                .iter()
                .filter(|p| p.reports_to.as_deref() == Some(m.id.as_str()) && holder(&p.id).is_some());
            (reps.count(), std::cmp::Reverse(m.id.clone()))
        })
        .map(|p| p.id.clone());
    let manager = manager_position.as_deref().and_then(holder);
    let rep = current
        .iter()
        .filter(|p| p.role == PositionRole::Rep && p.reports_to == manager_position)
        .find_map(|p| holder(&p.id));
    let name_of = |id: &Option<String>| {
        id.as_ref().and_then(|id| data.people.iter().find(|p| &p.id == id)).map(|p| p.name.clone())
    };
    let plan = [
        (Role::Admin, "admin", "Demo Admin", None),
        (Role::CompAdmin, "compadmin", "Demo Comp Admin", None),
        (Role::Finance, "finance", "Demo Finance", None),
        (Role::Manager, "manager", "", manager),
        (Role::Rep, "rep", "", rep),
        (Role::Executive, "exec", "", top),
    ];
    let mut logins = Vec::new();
    for (role, login, display, person_id) in plan {
        if role.needs_person() && person_id.is_none() {
            return Err(AppError::Internal(format!(
                "the demo company has no person to sign in as the {role}"
            )));
        }
        let person = name_of(&person_id);
        let display_name = person.clone().unwrap_or_else(|| display.to_string());
        let password = random_password();
        let new = NewUser {
            login: login.into(),
            display_name,
            role,
            person_id: person_id.clone(),
            password: password.clone(),
        };
        app.add_user(&Actor::system(), new).await?;
        logins.push(DemoLogin { role, login: login.into(), password, person, person_id });
    }
    Ok(logins)
}

/// What seeding the demo's pay did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPay {
    pub plan_files: usize,
    /// Months calculated and closed, in order.
    pub closed: Vec<attain_core::Period>,
    /// The month of `as_of`, calculated as an open draft.
    pub draft: Option<attain_core::Period>,
}

/// Stores the demo's plan files, then runs and closes every month from the first month anyone
/// holds a plan through the month before `as_of`, and runs `as_of`'s month as an open draft: a
/// demo company with a real pay history.
pub async fn seed_demo_pay(app: &App, as_of: attain_core::Date) -> AppResult<DemoPay> {
    let actor = Actor::system();
    let files = attain_demo::plan_files(as_of);
    app.save_plans(&actor, files.clone()).await?;
    let current = attain_core::Period::Month { year: as_of.year(), month: as_of.month() };
    let mut closed = Vec::new();
    let mut month = {
        let snapshot = app.snapshot();
        let (book, _) = app.plan_book().await?;
        let prepared = snapshot.prepared(&book).map_err(crate::pay::engine_error)?;
        prepared.first_month()
    };
    while let Some(m) = month.filter(|m| *m < current) {
        app.calculate(&actor, m).await?;
        // The demo's history is closed as of its own day, which may be ahead of the clock.
        let close = crate::pay::CloseRequest {
            version: None,
            before_month_end: true,
            reason: Some(format!("the demo company's history as of {as_of}")),
        };
        app.close_period(&actor, m, close).await?;
        closed.push(m);
        month = Some(m.next_month());
    }
    let draft = match month {
        Some(m) if m == current => {
            app.calculate(&actor, m).await?;
            Some(m)
        }
        _ => None,
    };
    Ok(DemoPay { plan_files: files.len(), closed, draft })
}

/// What [`seed_demo_quotas`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoQuotas {
    pub fiscal_year: i16,
    pub sheets: usize,
}

/// Allocates `as_of`'s fiscal year of the approved revenue plan down the demo org as the comp
/// admin would (a mix of equal, last year and potential; reps carrying 110% of their manager;
/// a 25/50/75 ramp), as drafts: each manager finds their team's sheet to adjust and submit,
/// for the executive to approve. The drafts change no pay (only approved sheets are read), and
/// carry no time, so the same seed and day give the same demo.
pub async fn seed_demo_quotas(app: &App, as_of: attain_core::Date) -> AppResult<DemoQuotas> {
    let ops = Actor {
        login: "compadmin".into(),
        display_name: "Demo Comp Admin".into(),
        role: Role::CompAdmin,
        ..Actor::system()
    };
    let calendar = app.snapshot().data.company.first().map(|c| c.calendar).unwrap_or_default();
    let fiscal_year = calendar.fiscal_year_of(as_of);
    let request = crate::plan::AllocationRequest {
        fiscal_year: fiscal_year.to_string(),
        measure: "revenue".into(),
        method: "mix".into(),
        mix: ["50".into(), "30".into(), "20".into()],
        over_assignment: vec!["100".into(), "110".into()],
        ramp: "25,50,75".into(),
        note: format!("Annual allocation of the FY{fiscal_year} plan"),
    };
    let allocation = app.apply_quota_allocation(&ops, &request).await?;
    Ok(DemoQuotas { fiscal_year, sheets: allocation.sheets.len() })
}
