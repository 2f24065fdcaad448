//! `attain statement` and `attain pay …`: one payee's statement (stored, or calculated from a
//! workspace) with its explanations, and the stored runs — run, close, reopen, list, payroll.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use attain_app::pay::month;
use attain_app::{Actor, App, Settings};
use attain_core::Period;
use attain_engine::pay::run::{LineKind, Prepared, Statement, Trace};
use attain_store::Store;

use crate::args::{PayCommand, StatementArgs, StatementFormat};

async fn open_app(db: &str) -> Result<App> {
    let store = Store::open_existing(db).await?;
    Ok(App::new(store, Settings::default()).await?)
}

pub async fn statement(args: StatementArgs) -> Result<()> {
    let period = month(&args.period).context("--period")?;
    // An option is honoured or refused, never dropped: the statement CSV has no column for the
    // explanations, and a workbook needs a file.
    if args.explain && args.format == StatementFormat::Csv {
        bail!("--explain: the statement CSV has no place for explanations; use --format text, json or xlsx");
    }
    if args.format == StatementFormat::Xlsx && args.out.is_none() {
        bail!("--format xlsx writes a workbook: give --out FILE.xlsx");
    }
    let (statement, traces) = match &args.workspace {
        Some(dir) => {
            let workspace =
                attain_app::plans::load_workspace(dir).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let prepared = Prepared::with_store(&workspace.dataset, &workspace.facts, &workspace.book)?;
            let Some(first) = prepared.first_month().filter(|f| *f <= period) else {
                bail!("nobody holds a plan in or before {period}");
            };
            let mut months = prepared.run_months(first, period)?;
            let (_, list) = months.pop().unwrap_or((period, Vec::new()));
            let Some(s) = list.into_iter().find(|s| s.person_id == args.payee) else {
                bail!("--payee {}: no statement for them in {period}", args.payee);
            };
            let traces = if args.explain { prepared.statement_traces(&s)? } else { Vec::new() };
            (s, traces)
        }
        None => {
            let db = args
                .db
                .clone()
                .or_else(|| std::env::var("ATTAIN_DATABASE_URL").ok().filter(|v| !v.is_empty()))
                .unwrap_or_else(|| "attain.db".to_string());
            let app = open_app(&db).await?;
            let actor = Actor::cli();
            // With --explain, the statement and its traces come from one preparation of the
            // engine's inputs.
            let found = if args.explain {
                app.statement_traces(&actor, period, &args.payee).await.map(|(_, s, t)| (s, t))
            } else {
                app.statement(&actor, period, &args.payee).await.map(|(_, s)| (s, Vec::new()))
            };
            let (s, traces) = match found {
                Ok(found) => found,
                Err(attain_app::AppError::NotFound) => {
                    bail!(
                        "no stored statement for {} in {period} (run the month with `attain pay run`, or calculate with --workspace)",
                        args.payee
                    )
                }
                Err(e) => return Err(e.into()),
            };
            app.store().close().await;
            (s, traces)
        }
    };
    let bytes: Vec<u8> = match args.format {
        StatementFormat::Text => text(&statement, &traces).into_bytes(),
        StatementFormat::Json => {
            let mut v = serde_json::json!({ "statement": statement });
            if args.explain {
                v["traces"] = serde_json::to_value(&traces)?;
            }
            let mut out = serde_json::to_vec_pretty(&v)?;
            out.push(b'\n');
            out
        }
        StatementFormat::Csv => {
            attain_app::statements::statement_csv(std::slice::from_ref(&statement)).into_bytes()
        }
        StatementFormat::Xlsx => {
            let traces: BTreeMap<String, Vec<Trace>> =
                BTreeMap::from([(statement.person_id.clone(), traces)]);
            attain_app::statements::statement_xlsx(std::slice::from_ref(&statement), &traces)?
        }
    };
    write_out(args.out.as_deref(), &bytes)
}

fn write_out(out: Option<&std::path::Path>, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    match out {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("{}: cannot write", path.display()))
        }
        None => Ok(std::io::stdout().lock().write_all(bytes)?),
    }
}

fn money(d: rust_decimal::Decimal, s: &Statement) -> String {
    attain_app::statements::money(d, s.currency)
}

/// A statement as a person reads it, each component followed by its explanation when given.
fn text(s: &Statement, traces: &[Trace]) -> String {
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!(
        "Statement for {} ({}), {} — {} — {}",
        s.name,
        s.person_id,
        s.period,
        s.plans.join(", "),
        s.currency
    ));
    line(String::new());
    for l in &s.lines {
        let of = l.of_period.map(|p| format!(" [{p}]")).unwrap_or_default();
        line(format!("{:<14} {:<40} {:>14}", l.kind.name(), format!("{}{of}", l.label), money(l.amount, s)));
        if !l.explanation.is_empty() {
            line(format!("{:<14} {}", "", l.explanation));
        }
        if l.kind == LineKind::Component
            && let Some(t) = traces.iter().find(|t| {
                Some(&t.component) == l.component.as_ref()
                    && l.plan.as_deref().is_none_or(|p| t.plan.split('@').next() == Some(p))
            })
        {
            explain(&mut line, t);
        }
    }
    line(format!("{:<55} {:>14}", "Payout", money(s.payout, s)));
    if !s.draw_outstanding.is_zero() {
        line(format!("Draw still to recover: {}", money(s.draw_outstanding, s)));
    }
    if !s.balance_carried.is_zero() {
        line(format!("Balance carried into next month: {}", money(s.balance_carried, s)));
    }
    for n in &s.notes {
        line(format!("Note: {n}"));
    }
    out
}

fn explain(line: &mut impl FnMut(String), t: &Trace) {
    let d = |x: rust_decimal::Decimal| x.round_dp(6).normalize().to_string();
    line(format!("{:<14} How it was made ({} {}, days {}):", "", t.plan, t.scope, t.measured));
    for c in &t.credits {
        line(format!(
            "{:<16} {} {} {} {} {} × {}% → {} — {}; {}",
            "",
            c.transaction,
            c.date,
            c.kind,
            d(c.amount),
            c.currency,
            d(c.share * rust_decimal::Decimal::ONE_HUNDRED),
            d(c.value),
            c.why,
            c.counted
        ));
    }
    if let Some(total) = t.measure_total {
        line(format!("{:<16} measure {}", "", d(total)));
    }
    for q in &t.quota_parts {
        line(format!(
            "{:<16} quota part: {} {} {} × {} of its months × {} of the days = {}",
            "",
            q.position,
            q.period,
            d(q.amount),
            d(q.months_share),
            d(q.days_share),
            d(q.part)
        ));
    }
    if let (Some(q), Some(a)) = (t.quota, t.attainment) {
        line(format!(
            "{:<16} quota {} → attainment {}%",
            "",
            d(q),
            d(a * rust_decimal::Decimal::ONE_HUNDRED)
        ));
    }
    for tier in &t.tiers {
        line(format!(
            "{:<16} tier {} from {} at {}: {} → {}",
            "",
            tier.tier,
            d(tier.from),
            d(tier.value),
            d(tier.slice),
            d(tier.paid)
        ));
    }
    for (label, factor) in &t.modifiers {
        line(format!("{:<16} {label} ×{}", "", d(*factor)));
    }
    line(format!("{:<16} earned {}", "", d(t.earned)));
}

/// The closed months a run recalculated for prior-period adjustments (only those whose
/// inputs changed since they were last calculated), as the Runs page says it.
fn recalculated(months: &[Period]) -> String {
    match months {
        [] => "none (no closed month's data changed)".into(),
        [one] => format!("1 ({one})"),
        [first, .., last] => format!("{} ({first} to {last})", months.len()),
    }
}

pub async fn pay(command: PayCommand) -> Result<()> {
    let actor = Actor::cli();
    match command {
        PayCommand::Run(args) => {
            let period = month(&args.period).context("--period")?;
            let app = open_app(&args.db.db).await?;
            let outcome = app.calculate(&actor, period).await;
            app.store().close().await;
            let o = outcome?;
            let totals: Vec<String> =
                o.run.totals.iter().map(|t| format!("{} {}", t.payout, t.currency)).collect();
            println!(
                "{period}: run version {} (draft), {} payees, payout {}",
                o.run.version,
                o.run.payees,
                totals.join(" + ")
            );
            println!(
                "{} payees changed since the previous run; {} prior-period lines; {} notes",
                o.changed_payees, o.prior_period_lines, o.notes
            );
            println!("closed months recalculated: {}", recalculated(&o.recalculated_months));
        }
        PayCommand::Close(args) => {
            let period = month(&args.period).context("--period")?;
            let app = open_app(&args.db.db).await?;
            let request = attain_app::pay::CloseRequest {
                version: None,
                before_month_end: args.before_month_end,
                reason: args.reason.clone(),
            };
            let closed = app.close_period(&actor, period, request).await;
            app.store().close().await;
            let run = closed?;
            let totals: Vec<String> =
                run.totals.iter().map(|t| format!("{} {}", t.payout, t.currency)).collect();
            println!(
                "{period}: version {} closed, {} payees, payout {}",
                run.version,
                run.payees,
                totals.join(" + ")
            );
        }
        PayCommand::Reopen(args) => {
            let period = month(&args.period).context("--period")?;
            let app = open_app(&args.db.db).await?;
            let reopened = app.reopen_period(&actor, period, &args.reason).await;
            app.store().close().await;
            let run = reopened?;
            println!(
                "{period}: version {} reopened; run the month again to make version {}",
                run.version,
                run.version + 1
            );
        }
        PayCommand::Runs(db) => {
            let app = open_app(&db.db).await?;
            let runs = app.runs(&actor).await;
            app.store().close().await;
            let mut listing = String::new();
            for r in runs? {
                let totals: Vec<String> =
                    r.totals.iter().map(|t| format!("{} {}", t.payout, t.currency)).collect();
                listing.push_str(&format!(
                    "{:<8} v{:<3} {:<10} {:>4} payees  {}\n",
                    r.period.to_string(),
                    r.version,
                    r.status.as_str(),
                    r.payees,
                    totals.join(" + ")
                ));
            }
            write_out(None, listing.as_bytes())?;
        }
        PayCommand::Payroll(args) => {
            let period: Period = month(&args.period).context("--period")?;
            let app = open_app(&args.db.db).await?;
            let payroll = app.payroll(&actor, period).await;
            app.store().close().await;
            let (run, csv) = match payroll {
                Err(attain_app::AppError::NotFound) => bail!("{period} has not been run"),
                other => other?,
            };
            if run.status != attain_app::pay::RunStatus::Closed {
                eprintln!("warning: {period} is not closed: this payroll comes from a draft run");
            }
            write_out(None, csv.as_bytes())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recalculated_months_are_counted_and_bounded() {
        let m = |year: i16, month: i8| Period::Month { year, month };
        assert_eq!(recalculated(&[]), "none (no closed month's data changed)");
        assert_eq!(recalculated(&[m(2017, 3)]), "1 (2017-03)");
        assert_eq!(recalculated(&[m(2017, 1), m(2017, 2), m(2017, 3)]), "3 (2017-01 to 2017-03)");
    }
}
