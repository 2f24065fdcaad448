//! `attain calc --period 2025-Q3|FY2025`: every month of a quarter or fiscal year calculated in
//! order, and each payee's total payout over them (what a year of pay comes to per person,
//! and what the peer benchmarks in bench/ compare with Attain's).

use std::collections::BTreeMap;

use anyhow::Result;
use attain_core::{Currency, Period};
use attain_engine::pay::run::Statement;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::args::CalcFormat;

/// One payee's months in the period.
struct Total<'s> {
    name: &'s str,
    currency: Currency,
    months: usize,
    payout: Decimal,
}

fn totals<'s>(months: &'s [(Period, Vec<Statement>)], payee: Option<&str>) -> BTreeMap<&'s str, Total<'s>> {
    let mut out: BTreeMap<&str, Total> = BTreeMap::new();
    for s in months.iter().flat_map(|(_, s)| s).filter(|s| payee.is_none_or(|p| p == s.person_id)) {
        let t = out.entry(s.person_id.as_str()).or_insert(Total {
            name: &s.name,
            currency: s.currency,
            months: 0,
            payout: Decimal::ZERO,
        });
        t.months += 1;
        t.payout += s.payout;
    }
    out
}

/// Writes each payee's total over `months` (the months of `period`).
pub fn write(
    out: &mut dyn std::io::Write,
    period: Period,
    months: &[(Period, Vec<Statement>)],
    payee: Option<&str>,
    format: CalcFormat,
) -> Result<()> {
    let totals = totals(months, payee);
    if let Some(id) = payee
        && totals.is_empty()
    {
        anyhow::bail!("--payee {id}: nobody by that id holds a plan in {period}");
    }
    let shown = |t: &Total| t.currency.fixed(t.payout).to_string();
    match format {
        CalcFormat::Json => {
            let payees: Vec<Value> = totals
                .iter()
                .map(|(id, t)| {
                    json!({"person_id": id, "name": t.name, "currency": t.currency.code(),
                           "months": t.months, "payout": shown(t)})
                })
                .collect();
            serde_json::to_writer_pretty(
                &mut *out,
                &json!({"period": period.to_string(), "payees": payees}),
            )?;
            writeln!(out)?;
        }
        CalcFormat::Csv => {
            use attain_app::sheet_csv::{Cell, sheet_csv};
            let rows = totals.iter().map(|(id, t)| {
                [
                    Cell::text(*id),
                    Cell::text(t.name),
                    Cell::text(t.currency.code()),
                    Cell::number(t.months.to_string()),
                    Cell::number(shown(t)),
                ]
            });
            out.write_all(sheet_csv(["person_id", "name", "currency", "months", "payout"], rows).as_bytes())?;
        }
        CalcFormat::Table => {
            writeln!(out, "{period}: {} payee(s), {} month(s)", totals.len(), months.len())?;
            for (id, t) in &totals {
                writeln!(
                    out,
                    "{id:<12} {:<28} {:>3} month(s) {:>16} {}",
                    t.name,
                    t.months,
                    shown(t),
                    t.currency
                )?;
            }
        }
    }
    Ok(())
}
