//! `attain territory assign` and `attain territory balance`: the account-assignment rules
//! applied (or previewed) and the balance report, through the same use-cases as the browser
//! and the API — the preview and the apply are one code path.

use anyhow::Result;
use attain_app::plan::{AssignmentPreview, BalanceRequest, TerritoryBalance};
use attain_app::{Actor, App, AppError, Settings};
use attain_core::dating::parse_date;
use attain_core::record::Choice;
use attain_store::Store;

use crate::args::{TerritoryAssignArgs, TerritoryBalanceArgs};

pub async fn assign(args: TerritoryAssignArgs) -> Result<()> {
    let store = Store::open_existing(&args.db.db).await?;
    let app = App::new(store, Settings::default()).await?;
    let on = match args.on.as_deref() {
        Some(text) => parse_date(text.trim()).map_err(|e| anyhow::anyhow!("--on: {e}"))?,
        None => app.pay_today(),
    };
    let preview = app.assign_territories(&Actor::cli(), on, !args.preview).await.map_err(named)?;
    print!("{}", moves_table(&preview));
    if args.preview {
        println!("Preview only: nothing was written.");
    } else {
        println!("Moved {} accounts from {}.", preview.moves.len(), preview.on);
    }
    Ok(())
}

pub async fn balance(args: TerritoryBalanceArgs) -> Result<()> {
    let store = Store::open_existing(&args.db.db).await?;
    let app = App::new(store, Settings::default()).await?;
    let request = BalanceRequest { on: args.on, measure: args.measure, under: args.under, moves: args.moves };
    let report = app.territory_balance(&Actor::cli(), &request).map_err(named)?;
    print!("{}", balance_table(&report));
    Ok(())
}

/// An error naming the option it is about (`--measure: ...`).
fn named(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid { field: Some(field), message } => match field.as_str() {
            "on" | "measure" | "under" | "moves" => anyhow::anyhow!("--{field}: {message}"),
            _ => anyhow::anyhow!("{field}: {message}"),
        },
        other => other.into(),
    }
}

fn moves_table(p: &AssignmentPreview) -> String {
    let mut out = format!(
        "Assignment on {}: {} rules in force, {} of {} accounts decided by a rule, {} move\n",
        p.on,
        p.rules_in_force,
        p.decided,
        p.accounts,
        p.moves.len()
    );
    if p.moves.is_empty() {
        return out;
    }
    out.push_str(&format!("{:<36} {:<34} {:<34} {}\n", "account", "from", "to", "rule"));
    let side = |name: Option<&str>, owner: Option<&str>| match (name, owner) {
        (Some(n), Some(o)) => format!("{n} ({o})"),
        (Some(n), None) => format!("{n} (no owner)"),
        (None, _) => "none".to_string(),
    };
    for m in &p.moves {
        out.push_str(&format!(
            "{:<36} {:<34} {:<34} {}\n",
            format!("{} {}", m.account_id, m.account),
            side(m.from_name.as_deref(), m.from_owner.as_deref()),
            side(Some(&m.to_name), m.to_owner.as_deref()),
            m.rule
        ));
    }
    out
}

fn balance_table(b: &TerritoryBalance) -> String {
    let money = |d: rust_decimal::Decimal| b.currency.fixed(d).to_string();
    let mut out = format!(
        "Balance on {} by {} ({}; bookings FY{}): imbalance {}% (0 is even), average {}\n",
        b.on,
        b.measure.name(),
        b.currency,
        b.bookings_year,
        b.score,
        b.average
    );
    out.push_str(&format!(
        "{:<28} {:<22} {:>8} {:>16} {:>16} {:>16} {:>8} {:>8}\n",
        "territory", "owner", "accounts", "potential", "pipeline", "bookings", "workload", "index"
    ));
    for r in &b.rows {
        out.push_str(&format!(
            "{:<28} {:<22} {:>8} {:>16} {:>16} {:>16} {:>8} {:>8}\n",
            r.name,
            r.owner.as_deref().unwrap_or("no owner"),
            r.load.accounts,
            money(r.load.potential),
            money(r.load.pipeline),
            money(r.load.bookings),
            r.load.workload,
            r.load.index
        ));
    }
    if !b.suggestions.is_empty() {
        out.push_str("Suggested moves (never a named account):\n");
        for s in &b.suggestions {
            out.push_str(&format!(
                "  {} {}: {} → {} ({}), imbalance then {}%\n",
                s.account_id, s.account, s.from_name, s.to_name, s.value, s.score_after
            ));
        }
    }
    out
}
