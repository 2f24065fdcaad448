//! `attain calc` and `attain plan check`: a month's statements from a workspace or a database,
//! as a table, JSON (the public contract in docs/plans.md) or CSV.

use anyhow::{Context, Result, bail};
use attain_app::plans::{PlansError, Workspace, load_plan_dir, load_plan_file, load_workspace};
use attain_app::statements::money;
use attain_core::{Dataset, Period};
use attain_engine::pay::plan::PlanBook;
use attain_engine::pay::run::{Prepared, Statement};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::args::{CalcArgs, CalcFormat, PlanCheckArgs, PlanCommand};

pub async fn calc(args: CalcArgs) -> Result<()> {
    let period = Period::parse(&args.period).with_context(|| "--period")?;
    let started = std::time::Instant::now();
    let inputs = inputs(&args).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "calc: inputs read");
    let prepared = match &inputs {
        Inputs::Workspace(w) => Prepared::with_store(&w.dataset, &w.facts, &w.book)?,
        Inputs::Db(dataset, book) => Prepared::new(dataset, book)?,
    };
    tracing::debug!(elapsed = ?started.elapsed(), "calc: run prepared");
    if !matches!(period, Period::Month { .. }) {
        // A quarter or a year: every month of it, in order from the first month anyone holds a
        // plan (so carries are right), and each payee's total over the period's months.
        let months = prepared.calendar().months_of(period);
        let (Some(from), Some(to)) = (months.first(), months.last()) else { return Ok(()) };
        let run = match prepared.first_month() {
            Some(first) if first <= *to => prepared.run_months(first, *to)?,
            _ => Vec::new(),
        };
        let inside: Vec<(Period, Vec<Statement>)> = run.into_iter().filter(|(m, _)| m >= from).collect();
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        return crate::calc_totals::write(&mut out, period, &inside, args.payee.as_deref(), args.format);
    }
    let statements = match prepared.first_month() {
        Some(first) if first <= period => {
            let mut months = prepared.run_months(first, period)?;
            months.pop().map(|(_, s)| s).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let statements: Vec<Statement> = match &args.payee {
        None => statements,
        Some(id) => {
            let one: Vec<Statement> = statements.into_iter().filter(|s| &s.person_id == id).collect();
            if one.is_empty() {
                bail!("--payee {id}: nobody by that id holds a plan in {period}");
            }
            one
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        CalcFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &to_json(period, &statements))?;
            use std::io::Write;
            writeln!(out)?;
        }
        CalcFormat::Csv => write_csv(&mut out, &statements)?,
        CalcFormat::Table => write_table(&mut out, period, &statements)?,
    }
    Ok(())
}

/// What a calculation reads: a workspace loaded into memory (its transactions already a fact
/// store), or a database's dataset and plans.
enum Inputs {
    Workspace(Box<Workspace>),
    Db(Box<Dataset>, PlanBook),
}

async fn inputs(args: &CalcArgs) -> Result<Inputs> {
    match (&args.workspace, &args.db) {
        (Some(dir), _) => Ok(Inputs::Workspace(Box::new(load_workspace(dir).await.map_err(plans_error)?))),
        (None, Some(url)) => {
            let store = attain_store::Store::open_existing(url).await?;
            let stored = store.plan_files().await;
            let dataset = store.dataset().await;
            store.close().await;
            let book = match &args.plans {
                Some(dir) => load_plan_dir(dir).map_err(plans_error)?,
                None => {
                    let files: Vec<(String, String)> =
                        stored?.into_iter().map(|f| (f.name, f.text)).collect();
                    if files.is_empty() {
                        bail!(
                            "{url} holds no plans: import a plans directory (attain plan import DIR) or give --plans DIR"
                        );
                    }
                    attain_app::plans::check_files(&files).map_err(|e| plans_error(PlansError::Invalid(e)))?
                }
            };
            Ok(Inputs::Db(Box::new(dataset?), book))
        }
        (None, None) => bail!("give --workspace DIR, or --db URL (its stored plans, or --plans DIR)"),
    }
}

fn plans_error(e: PlansError) -> anyhow::Error {
    match e {
        PlansError::Invalid(errors) => {
            anyhow::anyhow!(
                "invalid plans:\n  {}",
                errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  ")
            )
        }
        other => other.into(),
    }
}

pub async fn plan(command: PlanCommand) -> Result<()> {
    match command {
        PlanCommand::Check(args) => check(&args),
        PlanCommand::Test(args) => test(&args.dir),
        PlanCommand::Import(args) => plan_import(args).await,
        PlanCommand::Remove(args) => plan_remove(args).await,
    }
}

/// `attain plan import DIR`: adds the directory's files to the stored plans, replacing stored
/// files of the same names (others stay), after checking the resulting set as a whole; with
/// `--dry-run`, only says what would change.
async fn plan_import(args: crate::args::PlanImportArgs) -> Result<()> {
    let files = attain_app::plans::read_plan_dir(&args.dir).map_err(plans_error)?;
    let store = attain_store::Store::open(&args.db.db).await?;
    let app = attain_app::App::new(store, attain_app::Settings::default()).await?;
    let actor = attain_app::Actor::cli();
    let changes = if args.dry_run {
        app.preview_plans(&actor, files).await
    } else {
        app.save_plans(&actor, files).await
    };
    app.store().close().await;
    let changes = changes?;
    for (what, names) in [
        ("added", &changes.added),
        ("replaced", &changes.replaced),
        ("unchanged", &changes.unchanged),
        ("kept (not in the directory)", &changes.kept),
    ] {
        for name in names {
            println!("{what:<10} {name}");
        }
    }
    for p in &changes.plans {
        println!("plan       {} version {} ({})", p.id, p.version, p.name);
    }
    if !changes.saved {
        println!("dry run: nothing was stored");
    }
    Ok(())
}

/// `attain plan remove NAME`: removes one stored plan file (refused, with the reason, for a
/// plan that is assigned or was paid).
async fn plan_remove(args: crate::args::PlanRemoveArgs) -> Result<()> {
    let store = attain_store::Store::open_existing(&args.db.db).await?;
    let app = attain_app::App::new(store, attain_app::Settings::default()).await?;
    let removed = app.remove_plan_file(&attain_app::Actor::cli(), &args.name).await;
    app.store().close().await;
    let removed = match removed {
        Err(attain_app::AppError::NotFound) => {
            anyhow::bail!("{}: no stored plan file has that name", args.name)
        }
        other => other?,
    };
    println!("removed {}; {} plan version(s) stored", removed.removed, removed.plans.len());
    Ok(())
}

fn test(dir: &std::path::Path) -> Result<()> {
    let reports = attain_app::plans::run_plan_tests(dir).map_err(plans_error)?;
    let mut failed = 0;
    let mut checks = 0;
    for r in &reports {
        checks += r.outcome.checks;
        if r.outcome.failures.is_empty() {
            println!("ok      {} ({} checks)", r.name, r.outcome.checks);
        } else {
            failed += 1;
            println!("FAILED  {}", r.name);
            for f in &r.outcome.failures {
                println!("        {f}");
            }
        }
    }
    println!("{} case(s), {checks} check(s), {failed} failed", reports.len());
    if failed > 0 {
        bail!("{failed} plan test case(s) failed");
    }
    Ok(())
}

fn check(args: &PlanCheckArgs) -> Result<()> {
    let mut failures = 0;
    for path in &args.paths {
        let outcome = if path.is_dir() {
            load_plan_dir(path).map(|book| {
                book.plans()
                    .iter()
                    .map(|p| format!("{}: plan {} version {} ok", p.file, p.id, p.version))
                    .collect()
            })
        } else if path.is_file() {
            load_plan_file(path)
                .map(|p| vec![format!("{}: plan {} version {} ok", path.display(), p.id, p.version)])
        } else {
            Err(PlansError::File {
                path: path.display().to_string(),
                reason: "no such file or directory".into(),
            })
        };
        match outcome {
            Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
            Err(PlansError::Invalid(errors)) => {
                failures += errors.len();
                errors.iter().for_each(|e| eprintln!("{e}"));
            }
            Err(other) => {
                failures += 1;
                eprintln!("{other}");
            }
        }
    }
    if failures > 0 {
        bail!("{failures} problem(s) found");
    }
    Ok(())
}

/// An amount with exactly the currency's minor digits (`960.00`).
fn exact(d: Decimal) -> String {
    d.normalize().to_string()
}

fn to_json(period: Period, statements: &[Statement]) -> Value {
    let payees: Vec<Value> = statements
        .iter()
        .map(|s| {
            let components: Vec<Value> = s
                .components()
                .map(|l| {
                    json!({
                        "id": l.component,
                        "plan": l.plan,
                        "name": l.label,
                        "measure": l.measure.map(exact),
                        "quota": l.quota.map(exact),
                        "attainment": l.attainment.map(|a| exact(a.round_dp(6))),
                        "tier": l.tier,
                        "earnings": money(l.amount, s.currency),
                    })
                })
                .collect();
            let lines: Vec<Value> = s
                .lines
                .iter()
                .map(|l| {
                    json!({
                        "kind": l.kind.name(),
                        "component": l.component,
                        "label": l.label,
                        "amount": money(l.amount, s.currency),
                        "explanation": l.explanation,
                    })
                })
                .collect();
            json!({
                "id": s.person_id,
                "name": s.name,
                "currency": s.currency.code(),
                "plans": s.plans,
                "components": components,
                "lines": lines,
                "payout": money(s.payout, s.currency),
                "draw_outstanding": money(s.draw_outstanding, s.currency),
                "balance_carried": money(s.balance_carried, s.currency),
                "ytd_payout": money(s.ytd_payout, s.currency),
                "notes": s.notes,
            })
        })
        .collect();
    json!({ "period": period.to_string(), "payees": payees, "totals": totals(statements) })
}

fn totals(statements: &[Statement]) -> Vec<Value> {
    attain_app::pay::totals(statements)
        .iter()
        .map(|t| json!({ "currency": t.currency.code(), "payout": money(t.payout, t.currency) }))
        .collect()
}

/// `--format csv`: one row per statement line, through the spreadsheet-safe writer (names and
/// labels that a spreadsheet would run as formulas are neutralised; numbers stay numbers).
fn write_csv(out: &mut dyn std::io::Write, statements: &[Statement]) -> Result<()> {
    use attain_app::sheet_csv::{Cell, sheet_csv};
    use attain_app::statements::line_cells;
    let rows = statements.iter().flat_map(|s| {
        s.lines.iter().map(move |l| {
            let [kind, plan, component, label, measure, quota, attainment, tier, amount] =
                line_cells(l, s.currency);
            [
                Cell::text(s.period.to_string()),
                Cell::text(&s.person_id),
                Cell::text(&s.name),
                Cell::text(s.currency.code()),
                kind,
                plan,
                component,
                label,
                measure,
                quota,
                attainment,
                tier,
                amount,
            ]
        })
    });
    let header = [
        "period",
        "payee_id",
        "name",
        "currency",
        "kind",
        "plan",
        "component",
        "label",
        "measure",
        "quota",
        "attainment",
        "tier",
        "amount",
    ];
    out.write_all(sheet_csv(header, rows).as_bytes())?;
    out.flush()?;
    Ok(())
}

fn write_table(out: &mut dyn std::io::Write, period: Period, statements: &[Statement]) -> Result<()> {
    writeln!(out, "{period}: {} payee(s)", statements.len())?;
    for t in totals(statements) {
        writeln!(
            out,
            "total payout {} {}",
            t["payout"].as_str().unwrap_or_default(),
            t["currency"].as_str().unwrap_or_default()
        )?;
    }
    for s in statements {
        writeln!(out)?;
        writeln!(
            out,
            "{} ({}) · {} · payout {} {}",
            s.name,
            s.person_id,
            s.plans.join(", "),
            money(s.payout, s.currency),
            s.currency
        )?;
        for l in &s.lines {
            let attainment = l
                .attainment
                .map(|a| format!("{}%", (a * Decimal::ONE_HUNDRED).round_dp(1)))
                .unwrap_or_default();
            writeln!(
                out,
                "  {:<34} {:>8} {:>14}",
                truncate(&l.label, 34),
                attainment,
                money(l.amount, s.currency)
            )?;
        }
        for n in &s.notes {
            writeln!(out, "  note: {n}")?;
        }
    }
    Ok(())
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(width - 1).collect::<String>())
    }
}
