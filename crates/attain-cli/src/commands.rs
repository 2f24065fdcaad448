//! One function per subcommand: open the store, call the app layer, print the outcome.

use std::path::Path;

use anyhow::{Context, Result, bail};
use attain_app::export::{export_json, export_workspace};
use attain_app::import::{self, DirMapping, mapping::Mapping};
use attain_app::{ImportOptions, ImportReport};
use attain_core::Kind;
use attain_core::dating::parse_date;
use attain_store::Store;

use crate::args::{Cli, Command, DemoArgs, ExportArgs, ImportArgs};
use crate::progress_bar::Bar;
use crate::serve::serve;

pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Demo(args) => demo(args).await,
        Command::Migrate(db) => {
            let store = Store::open(&db.db).await?;
            store.close().await;
            println!("database is up to date");
            Ok(())
        }
        Command::Import(args) => import(args).await,
        Command::Export(args) => export(args).await,
        Command::Generate(args) => crate::generate::generate(args),
        Command::Serve(args) => {
            let store = Store::open(&args.db.db).await?;
            let app = attain_app::App::new(store, attain_app::Settings::default()).await?;
            serve(app, &args.listen, None).await
        }
        Command::User(command) => crate::users::run(command).await,
        Command::Audit(command) => crate::users::audit(command).await,
        Command::Backup(args) => crate::backup::backup(args).await,
        Command::Restore(args) => crate::backup::restore(args).await,
        Command::Calc(args) => crate::calc::calc(args).await,
        Command::Plan(command) => crate::calc::plan(command).await,
        Command::Statement(args) => crate::pay::statement(args).await,
        Command::Pay(command) => crate::pay::pay(command).await,
        Command::Quota(crate::args::QuotaCommand::Allocate(args)) => crate::quota::allocate(args).await,
        Command::Territory(crate::args::TerritoryCommand::Assign(args)) => {
            crate::territory::assign(args).await
        }
        Command::Territory(crate::args::TerritoryCommand::Balance(args)) => {
            crate::territory::balance(args).await
        }
        Command::Summary(db) => {
            let store = Store::open_existing(&db.db).await?;
            for kind in Kind::ALL {
                println!("{:<17} {:>9}", kind.name(), store.count(kind).await?);
            }
            store.close().await;
            Ok(())
        }
    }
}

async fn demo(args: DemoArgs) -> Result<()> {
    let as_of = match &args.as_of {
        Some(text) => parse_date(text).with_context(|| "--as-of")?,
        None => jiff::Zoned::now().date(),
    };
    let url = match args.db.db {
        Some(url) => url,
        None => {
            // The default demo file is ours to recreate: a demo always starts fresh.
            for suffix in ["", "-wal", "-shm"] {
                let path = format!("attain-demo.db{suffix}");
                if Path::new(&path).exists() {
                    std::fs::remove_file(&path).with_context(|| format!("cannot remove the old {path}"))?;
                }
            }
            "attain-demo.db".to_string()
        }
    };
    let store = Store::open(&url).await?;
    let config = attain_demo::DemoConfig { seed: args.seed, as_of, scale: args.scale };
    let started = std::time::Instant::now();
    let report = attain_app::seed::seed_demo(&store, &config, &Bar::new()).await?;
    let app = attain_app::App::new(store, attain_app::Settings::default()).await?;
    let logins = attain_app::seed::seed_demo_users(&app, as_of).await?;
    let pay = attain_app::seed::seed_demo_pay(&app, as_of).await?;
    let quotas = attain_app::seed::seed_demo_quotas(&app, as_of).await?;
    println!(
        "Seeded the demo company (seed {}, as of {as_of}) into {url} in {:.1?}:",
        args.seed,
        started.elapsed()
    );
    print!("{report}");
    match (pay.closed.first(), pay.closed.last()) {
        (Some(first), Some(last)) => println!(
            "Pay: {} plan files; months {first} to {last} calculated and closed{}",
            pay.plan_files,
            pay.draft.map(|d| format!(", {d} calculated as a draft")).unwrap_or_default()
        ),
        _ => println!("Pay: {} plan files", pay.plan_files),
    }
    println!(
        "Quotas: FY{} allocated from the revenue plan as {} draft sheets, for the managers to adjust and submit",
        quotas.fiscal_year, quotas.sheets
    );
    println!();
    println!("Sign in as any of these demo users (passwords are new on every run):");
    for login in &logins {
        let who = login.person.as_deref().map(|p| format!(" ({p})")).unwrap_or_default();
        println!("  {:<24} {:<10} {}{who}", login.role.label(), login.login, login.password);
    }
    if args.no_serve {
        app.store().close().await;
        return Ok(());
    }
    serve(app, &args.listen, Some(&logins)).await
}

fn print_report(report: &ImportReport) {
    print!("{report}");
    if !report.bad_rows.is_empty() {
        eprintln!("{} bad row(s) skipped:", report.bad_rows.len());
        for e in &report.bad_rows {
            eprintln!("  {e}");
        }
    }
}

/// What `attain import` was asked to read.
enum Source<'a> {
    File(Kind, &'a Path, Option<Mapping>),
    Dir(&'a Path, DirMapping),
    Json(&'a Path),
}

async fn import(args: ImportArgs) -> Result<()> {
    let actor = attain_app::Actor::cli();
    let options = ImportOptions::by(&actor, "import.cli", args.first.clone()).skip_bad(args.skip_bad);
    // Everything that can be checked without the database is checked before opening it, so a
    // mistyped name does not leave a new, empty database behind.
    let source = match &args.file {
        Some(file) => {
            let kind: Kind = args.first.parse().context("KIND")?;
            let mapping = match &args.mapping {
                None => None,
                Some(name) => Some(resolve_mapping(name)?),
            };
            if !file.exists() {
                bail!("{}: no such file", file.display());
            }
            Source::File(kind, file, mapping)
        }
        None => {
            let path = Path::new(&args.first);
            if path.is_dir() {
                let name = args.mapping.as_deref().unwrap_or("workspace");
                let layout = DirMapping::named(name).with_context(|| {
                    format!("'{name}' is not a directory mapping (crm-sample, northwind, workspace)")
                })?;
                Source::Dir(path, layout)
            } else if path.extension().is_some_and(|e| e == "json") && path.is_file() {
                Source::Json(path)
            } else if path.exists() {
                bail!("{}: name the kind to import a file: attain import KIND FILE", path.display());
            } else if args.first.parse::<Kind>().is_ok() {
                bail!("attain import {} needs a FILE", args.first);
            } else {
                bail!("{}: no such file or directory", path.display());
            }
        }
    };
    let bar = Bar::new();
    let store = Store::open(&args.db.db).await?;
    let report = match source {
        Source::File(kind, file, mapping) => {
            import::import_file(&store, kind, file, mapping.as_ref(), options, &bar).await.map_err(Into::into)
        }
        Source::Dir(dir, layout) => import_workspace(&store, dir, layout, options, &bar, &actor).await,
        Source::Json(path) => import::import_json(&store, path, options, &bar).await.map_err(Into::into),
    };
    store.close().await;
    print_report(&report?);
    Ok(())
}

/// A directory import; a workspace's plans/ comes with it: checked before any data is written,
/// stored after the data (which the plans' assignments refer to).
async fn import_workspace(
    store: &Store,
    dir: &Path,
    layout: DirMapping,
    options: ImportOptions,
    bar: &Bar,
    actor: &attain_app::Actor,
) -> Result<ImportReport> {
    let plans = dir.join("plans");
    let files = if layout == DirMapping::Workspace && plans.is_dir() {
        let files = attain_app::plans::read_plan_dir(&plans)?;
        if let Err(errors) = attain_app::plans::check_files(&files) {
            let message = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  ");
            bail!("invalid plans in {}, nothing imported:\n  {message}", plans.display());
        }
        Some(files)
    } else {
        None
    };
    let report = import::import_dir(store, dir, layout, options, bar).await?;
    if let Some(files) = files {
        let app = attain_app::App::new(store.clone(), attain_app::Settings::default()).await?;
        let saved = app.save_plans(actor, files).await?;
        eprintln!(
            "stored the plan files of {} ({} added, {} replaced, {} unchanged); {} plan version(s) stored",
            plans.display(),
            saved.added.len(),
            saved.replaced.len(),
            saved.unchanged.len(),
            saved.plans.len()
        );
    }
    Ok(report)
}

fn resolve_mapping(name: &str) -> Result<Mapping> {
    if let Some(mapping) = Mapping::built_in(name) {
        return Ok(mapping);
    }
    let path = Path::new(name);
    if !path.is_file() {
        let names: Vec<_> = import::mapping::BUILT_IN.iter().map(|(n, _)| *n).collect();
        bail!("'{name}' is neither a built-in mapping ({}) nor a mapping file", names.join(", "));
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("{name}: cannot read"))?;
    Mapping::parse(&text).map_err(|reason| anyhow::anyhow!("{name}: the mapping is invalid: {reason}"))
}

async fn export(args: ExportArgs) -> Result<()> {
    let store = Store::open_existing(&args.db.db).await?;
    match (&args.workspace, &args.out) {
        (Some(dir), _) => {
            let counts = export_workspace(&store, dir).await?;
            let total: usize = counts.iter().map(|(_, n)| n).sum();
            eprintln!("wrote {total} records in {} files to {}", counts.len(), dir.display());
        }
        (None, Some(file)) => {
            let mut out = std::io::BufWriter::new(
                std::fs::File::create(file).with_context(|| format!("{}: cannot create", file.display()))?,
            );
            export_json(&store, &mut out).await?;
        }
        (None, None) => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            export_json(&store, &mut out).await?;
        }
    }
    store.close().await;
    Ok(())
}
