//! The command line, declared with clap.

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "attain",
    version,
    about = "Attain: sales performance management — plan, track, pay, develop",
    long_about = "Attain: open-source sales performance management.\n\n\
        Data lives in an embedded SQLite file (the default) or PostgreSQL (a postgres:// URL).\n\
        Start with `attain demo` to build a demo company."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Parses the command line as [`Parser::parse`] does, and also refuses what clap cannot: an
/// option of `attain demo` that only serving uses (`--listen`, `--secure-cookies`, ... : the
/// `ListenArgs` group) typed together with `--no-serve`. Only the command line counts: the same
/// settings from the environment (`ATTAIN_LISTEN`, ...) are ambient, not asked for, so they do
/// not stop a `--no-serve` run (clap's `conflicts_with` would count them).
pub fn parse() -> Cli {
    let mut command = Cli::command();
    let mut matches = command.get_matches_mut();
    if let Some(("demo", demo)) = matches.subcommand()
        && demo.get_flag("no_serve")
        && let Some(sub) = command.find_subcommand_mut("demo")
    {
        let serve_only: Vec<clap::Id> = sub
            .get_groups()
            .filter(|g| g.get_id() == "ListenArgs")
            .flat_map(|g| g.get_args().cloned())
            .collect();
        let typed = sub.get_arguments().find(|a| {
            serve_only.contains(a.get_id())
                && demo.value_source(a.get_id().as_str()) == Some(ValueSource::CommandLine)
        });
        if let Some(arg) = typed {
            let name = arg.get_long().map(|l| format!("--{l}")).unwrap_or_else(|| arg.get_id().to_string());
            let message = format!(
                "the argument '{name}' cannot be used with '--no-serve': it only applies when the demo \
                 is served (drop '{name}', or drop '--no-serve' to serve the demo)"
            );
            sub.error(clap::error::ErrorKind::ArgumentConflict, message).exit();
        }
    }
    Cli::from_arg_matches_mut(&mut matches).unwrap_or_else(|e| e.format(&mut command).exit())
}

#[derive(Debug, Args)]
pub struct DbArg {
    /// Database: a SQLite file path or sqlite: URL, or a postgres:// URL.
    #[arg(long, env = "ATTAIN_DATABASE_URL", default_value = "attain.db", global = true)]
    pub db: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the demo company (deterministic: same seed and --as-of, same company).
    Demo(DemoArgs),
    /// Create or upgrade the database schema.
    Migrate(#[command(flatten)] DbArg),
    /// Import data: `attain import KIND FILE` (CSV or XLSX) or `attain import --mapping LAYOUT DIR`.
    #[command(after_help = IMPORT_HELP)]
    Import(ImportArgs),
    /// Export everything as JSON (default, to stdout) or as a workspace of CSV files.
    Export(ExportArgs),
    /// Write a synthetic company of any size as a workspace directory, for benchmarks
    /// (deterministic: same options, same bytes).
    Generate(GenerateArgs),
    /// Show how many records of each kind the database holds.
    Summary(#[command(flatten)] DbArg),
    /// Serve the web interface and the API.
    Serve(ServeArgs),
    /// Manage users: add, list, disable, enable, reset-password.
    #[command(subcommand)]
    User(UserCommand),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Copy the whole database to one portable file (records, users, plans, runs, audit log).
    Backup(BackupArgs),
    /// Restore a backup file into a new, empty database.
    Restore(BackupArgs),
    /// Calculate a month's pay: a statement per payee (see docs/plans.md).
    Calc(CalcArgs),
    /// Check, test and store compensation plan files.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// One payee's statement for a month, with --explain the arithmetic behind each line.
    Statement(StatementArgs),
    /// Stored pay runs: run a month, close it, reopen it, export payroll.
    #[command(subcommand)]
    Pay(PayCommand),
    /// Quotas from the revenue plan: allocate them down the organisation as draft quota sheets.
    #[command(subcommand)]
    Quota(QuotaCommand),
    /// Territories: apply the account-assignment rules, report the balance.
    #[command(subcommand)]
    Territory(TerritoryCommand),
}

#[derive(Debug, Subcommand)]
pub enum TerritoryCommand {
    /// Apply the assignment rules in force on a day: each account that moves, from which
    /// territory (and owner) to which, by which rule; --preview lists them and writes nothing.
    Assign(TerritoryAssignArgs),
    /// Each leaf territory's accounts, potential, open pipeline, last year's bookings and
    /// workload, the imbalance score, and suggested moves that lower it.
    Balance(TerritoryBalanceArgs),
}

#[derive(Debug, Args)]
pub struct TerritoryAssignArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The day the moves take effect (default today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub on: Option<String>,
    /// List the moves and write nothing.
    #[arg(long)]
    pub preview: bool,
}

#[derive(Debug, Args)]
pub struct TerritoryBalanceArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The day (default today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub on: Option<String>,
    /// potential (default), pipeline, bookings, workload or accounts.
    #[arg(long)]
    pub measure: Option<String>,
    /// Only the leaf territories under this one.
    #[arg(long, value_name = "TERRITORY")]
    pub under: Option<String>,
    /// How many moves to suggest (default 10, at most 100).
    #[arg(long, value_name = "N")]
    pub moves: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum QuotaCommand {
    /// Divide the approved revenue plan's objective for a measure down the org (top seat →
    /// managers → reps) as draft quota sheets; --preview shows the result and writes nothing.
    Allocate(QuotaAllocateArgs),
}

#[derive(Debug, Args)]
pub struct QuotaAllocateArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The fiscal year, like 2018 or FY2018.
    #[arg(long, value_name = "YEAR")]
    pub year: String,
    /// revenue, margin or bookings.
    #[arg(long, default_value = "revenue")]
    pub measure: String,
    /// equal, last_year, potential or mix.
    #[arg(long, default_value = "equal")]
    pub method: String,
    /// The mix's parts as EQUAL,LAST_YEAR,POTENTIAL (e.g. 50,30,20), with --method mix.
    #[arg(long, value_name = "E,L,P", default_value = "1,1,1")]
    pub mix: String,
    /// Over-assignment percent per level, the top seat's reports first (e.g. 100,110).
    #[arg(long, value_name = "PERCENTS", default_value = "100")]
    pub over_assignment: String,
    /// Ramp percents by tenure quarter for new hires (e.g. 25,50,75); empty for none.
    #[arg(long, value_name = "PERCENTS", default_value = "")]
    pub ramp: String,
    /// Why (recorded on every sheet and in the audit log).
    #[arg(long)]
    pub note: String,
    /// Show the allocation and write nothing.
    #[arg(long)]
    pub preview: bool,
}

#[derive(Debug, Args)]
pub struct StatementArgs {
    /// The month, like 2017-06.
    #[arg(long, value_name = "YYYY-MM")]
    pub period: String,
    /// The payee (person id).
    #[arg(long, value_name = "PERSON")]
    pub payee: String,
    /// Calculate from a workspace directory instead of reading the stored run.
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// The database whose stored run to read (default: $ATTAIN_DATABASE_URL, else attain.db).
    /// Read here rather than by clap, so a database named only in the environment does not
    /// conflict with --workspace.
    #[arg(long, conflicts_with = "workspace")]
    pub db: Option<String>,
    /// text (default), json, csv or xlsx (xlsx needs --out).
    #[arg(long, value_enum, default_value_t = StatementFormat::Text)]
    pub format: StatementFormat,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Add each component's explanation: the credited transactions, quota, tiers, arithmetic
    /// (text, json or xlsx: the statement CSV has no place for it).
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatementFormat {
    Text,
    Json,
    Csv,
    Xlsx,
}

#[derive(Debug, Subcommand)]
pub enum PayCommand {
    /// Calculate a month as a draft run (months close in order; a closed month must be reopened).
    Run(PayPeriodArgs),
    /// Close a month's draft: its statements become final and immutable. A month that has not
    /// ended yet closes only with --before-month-end and --reason.
    Close(PayCloseArgs),
    /// Reopen the last closed month (the closed run is kept) so it can be run again.
    Reopen(PayReopenArgs),
    /// List the runs.
    Runs(#[command(flatten)] DbArg),
    /// The payroll file for a month: payee_id, name, currency, amount, period.
    Payroll(PayPeriodArgs),
}

#[derive(Debug, Args)]
pub struct PayPeriodArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The month, like 2018-01.
    #[arg(long, value_name = "YYYY-MM")]
    pub period: String,
}

#[derive(Debug, Args)]
pub struct PayCloseArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The month, like 2018-01.
    #[arg(long, value_name = "YYYY-MM")]
    pub period: String,
    /// Close although the month has not ended yet (recorded in the audit log with --reason).
    #[arg(long, requires = "reason")]
    pub before_month_end: bool,
    /// Why the month is closed before it has ended.
    #[arg(long, requires = "before_month_end")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct PayReopenArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[arg(long, value_name = "YYYY-MM")]
    pub period: String,
    /// Why the month is reopened (kept with the run).
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct CalcArgs {
    /// The month to calculate, like 2017-03: its statements. Earlier months are run first (from
    /// the first month anyone holds a plan) so draws, balances and true-ups carry correctly. A
    /// quarter (2017-Q3) or fiscal year (FY2017) runs each of its months and shows each
    /// payee's total payout over them.
    #[arg(long, value_name = "YYYY-MM|YYYY-Qn|FYyyyy")]
    pub period: String,
    /// A workspace directory: the CSV files of `attain export --workspace` plus plans/.
    #[arg(long, value_name = "DIR", conflicts_with = "db")]
    pub workspace: Option<PathBuf>,
    /// A database (SQLite path or postgres:// URL) instead of a workspace: its data and plans.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// A plans directory to use with --db instead of the plans stored in the database (a
    /// workspace's plans are its plans/ directory, so --workspace refuses it).
    #[arg(long, value_name = "DIR", requires = "db", conflicts_with = "workspace")]
    pub plans: Option<PathBuf>,
    /// Output: a readable table, JSON (a public contract, see docs/plans.md) or CSV lines.
    #[arg(long, value_enum, default_value_t = CalcFormat::Table)]
    pub format: CalcFormat,
    /// Only this payee (person id).
    #[arg(long, value_name = "PERSON")]
    pub payee: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CalcFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Load plan files (or every plan in a directory, with its crediting.toml) and report
    /// each problem with file, line and field. Exit 1 if any is invalid.
    Check(PlanCheckArgs),
    /// Run the plan test cases in DIR/tests/*.toml against the plans in DIR: given these
    /// transactions and quotas, expect these payouts. Exit 1 if any fails.
    Test(PlanTestArgs),
    /// Store a plans directory (its *.toml plans and crediting.toml) in the database: its files
    /// are added, or replace the stored files of the same names; other stored files stay.
    /// Nothing is stored unless the resulting set of plans is valid as a whole.
    Import(PlanImportArgs),
    /// Remove one stored plan file (refused for a plan that is assigned or was paid).
    Remove(PlanRemoveArgs),
}

#[derive(Debug, Args)]
pub struct PlanImportArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The plans directory.
    pub dir: PathBuf,
    /// Only say what would change; store nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct PlanRemoveArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The stored file's name, like ae-v1.toml.
    pub name: String,
}

#[derive(Debug, Args)]
pub struct PlanTestArgs {
    /// The plans directory (its tests/ subdirectory holds the cases).
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct PlanCheckArgs {
    /// Plan files or directories of them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Address to serve on.
    #[arg(long, env = "ATTAIN_LISTEN", default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub listen: std::net::SocketAddr,
    /// Mark session cookies Secure: set this when users reach Attain over HTTPS (behind a
    /// TLS-terminating proxy).
    #[arg(long, env = "ATTAIN_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Attain sits behind one reverse proxy that appends the client's address to
    /// X-Forwarded-For: count clients (sign-in throttling, the audit log) by that address.
    /// Without it the header is ignored and the TCP peer is the client.
    #[arg(long, env = "ATTAIN_TRUST_PROXY")]
    pub trust_proxy: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub listen: ListenArgs,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is read from stdin with --password-stdin, else generated and
    /// printed once.
    Add(UserAddArgs),
    /// List users.
    List(#[command(flatten)] DbArg),
    /// Disable a user: their sessions end and their API tokens stop working.
    Disable(UserLoginArgs),
    /// Re-enable a disabled user.
    Enable(UserLoginArgs),
    /// Set a new password (from stdin with --password-stdin, else generated and printed once).
    ResetPassword(UserPasswordArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Login name: lower-case letters, digits, '.', '_', '-', '@'.
    pub login: String,
    /// admin, comp_admin, finance, manager, rep or executive.
    #[arg(long)]
    pub role: String,
    /// The user's name as shown.
    #[arg(long)]
    pub name: String,
    /// The person (id in people) a manager or rep is.
    #[arg(long)]
    pub person: Option<String>,
    /// Read the password from the first line of stdin.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct UserLoginArgs {
    #[command(flatten)]
    pub db: DbArg,
    pub login: String,
}

#[derive(Debug, Args)]
pub struct UserPasswordArgs {
    #[command(flatten)]
    pub db: DbArg,
    pub login: String,
    /// Read the password from the first line of stdin.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain and report the first entry where it breaks (exit 1 if it does).
    Verify(AuditVerifyArgs),
    /// Sign the chain's current head with the audit key and print it (or write it to --out):
    /// keep it away from the database, and verify against it later.
    Checkpoint(AuditCheckpointArgs),
    /// Sign a log written before audit keys with the key, once, after upgrading.
    Rekey(#[command(flatten)] DbArg),
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Also check that the log still holds the head a checkpoint file recorded (catches
    /// newest entries deleted with the head moved back).
    #[arg(long, value_name = "FILE")]
    pub against: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file.
    pub file: std::path::PathBuf,
    #[command(flatten)]
    pub db: DbArg,
}

#[derive(Debug, Args)]
pub struct AuditCheckpointArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Write the checkpoint to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

const IMPORT_HELP: &str = "\
Kinds: company, people, positions, assignments, territories, territory_owners, products,
       accounts, territory_rules, account_territories, contacts, opportunities,
       stage_history, activities, transactions, fx_rates, quota_sheets, quotas,
       plan_assignments, credit_splits, adjustments, objective_scores, revenue_plans,
       objectives

Examples:
  attain import people people.csv
  attain import opportunities report.csv --mapping salesforce-opportunities
  attain import opportunities deals.csv --mapping hubspot-deals
  attain import opportunities deals.csv --mapping my-mapping.toml
  attain import --mapping crm-sample ../shared/data/crm-sales-opportunities
  attain import --mapping northwind ../shared/data/northwind
  attain import workspace-dir/            (a directory from `attain export --workspace`;
                                          its plans/ are stored too)
  attain import export.json               (a file from `attain export`)

A file with any bad row writes nothing unless --skip-bad; re-importing the same file changes
nothing. See docs/import.md and docs/mappings.md.";

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub db: DemoDb,
    /// Generator seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The demo's "today": two full years of history before it plus the year to date.
    /// Defaults to today's date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Size multiplier for reps, accounts and deals.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub scale: u32,
    /// Seed the database and exit instead of serving it (the serving options, --listen and
    /// the rest, are refused with it).
    #[arg(long)]
    pub no_serve: bool,
    #[command(flatten)]
    pub listen: ListenArgs,
}

#[derive(Debug, Args)]
pub struct DemoDb {
    /// Database to seed (must be empty). Without it, ./attain-demo.db is created afresh.
    #[arg(long, env = "ATTAIN_DATABASE_URL")]
    pub db: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// What to import (a kind, or a file/directory when the kind is implied).
    #[arg(value_name = "KIND|PATH")]
    pub first: String,
    /// The file, when KIND is given: CSV, or a workbook (.xlsx: the sheet named after KIND,
    /// or its only sheet).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// A built-in mapping name (salesforce-opportunities, hubspot-deals; for directories
    /// crm-sample, northwind, workspace) or a mapping file (.toml).
    #[arg(long)]
    pub mapping: Option<String>,
    /// Write the good rows and report each bad one, instead of writing nothing.
    #[arg(long)]
    pub skip_bad: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many transactions (a year of them), at most 999,999,999.
    #[arg(long, value_name = "N")]
    pub transactions: u64,
    /// The directory to write (created; an existing one must be empty).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Generator seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Payees on the manager and rep plans (281 leaders, the rest reps); at least 531.
    #[arg(long, default_value_t = 10_000)]
    pub payees: u32,
    /// Territories, each owned by a rep seat.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub territories: u32,
    /// The year the company's data covers.
    #[arg(long, default_value_t = 2025)]
    pub year: i16,
    /// The transactions' file: transactions.csv or transactions.parquet.
    #[arg(long, value_enum, default_value_t = GenerateFormat::Csv)]
    pub format: GenerateFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GenerateFormat {
    Csv,
    Parquet,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Write a workspace directory of CSV files (one per kind) instead of JSON.
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    pub workspace: Option<PathBuf>,
    /// Write the JSON to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}
