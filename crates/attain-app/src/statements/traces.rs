//! The "How each number was made" block of a payee's sheet: one part per traced component.

use attain_core::Currency;
use attain_engine::pay::run::Trace;
use rust_decimal::Decimal;

use super::xlsx::{Result, Sheet};

/// Writes the traces from row `row` on; returns the next free row. Writes nothing without
/// traces.
pub(super) fn write_traces(
    sheet: &mut Sheet,
    row: u32,
    currency: Currency,
    traces: &[&Trace],
) -> Result<u32> {
    if traces.is_empty() {
        return Ok(row);
    }
    sheet.bold(row, 0, "How each number was made")?;
    let mut r = row + 2;
    for t in traces {
        r = trace(sheet, r, currency, t)? + 1;
    }
    Ok(r)
}

/// One trace; returns the next free row.
fn trace(sheet: &mut Sheet, mut r: u32, currency: Currency, t: &Trace) -> Result<u32> {
    let f = sheet.f;
    let money = f.money(currency);
    sheet.bold(r, 0, &format!("{} / {}", t.plan, t.component))?;
    sheet.text(r, 2, &format!("{} scope, measured over {}", t.scope, t.measured))?;
    for (label, value, format) in [
        ("measure", t.measure_total, &f.general),
        ("quota", t.quota, &f.general),
        ("attainment", t.attainment, &f.percent),
        ("earned", Some(t.earned), &money),
    ] {
        if value.is_some() {
            r += 1;
            sheet.text(r, 0, label)?;
            sheet.number(r, 1, value, format)?;
        }
    }
    if let Some(mode) = t.mode {
        r += 1;
        sheet.text(r, 0, "tier mode")?;
        sheet.text(r, 1, mode)?;
    }
    for (label, factor) in &t.modifiers {
        r += 1;
        sheet.text(r, 0, "modifier")?;
        sheet.number(r, 1, Some(*factor), &f.general)?;
        sheet.text(r, 2, label)?;
    }

    r += 2;
    sheet.bold(r, 0, "Credited transactions")?;
    r += 1;
    sheet.header(
        r,
        &["transaction", "date", "kind", "amount", "currency", "share %", "why", "value", "how counted"],
    )?;
    for c in &t.credits {
        r += 1;
        sheet.text(r, 0, &c.transaction)?;
        sheet.text(r, 1, &c.date.to_string())?;
        sheet.text(r, 2, &c.kind)?;
        sheet.number(r, 3, Some(c.amount), &f.money(c.currency))?;
        sheet.text(r, 4, c.currency.code())?;
        sheet.number(r, 5, Some(c.share), &f.percent)?;
        sheet.text(r, 6, &c.why)?;
        sheet.number(r, 7, Some(c.value), &money)?;
        sheet.text(r, 8, &c.counted)?;
    }
    if t.credits.is_empty() {
        r += 1;
        sheet.text(r, 0, "(none)")?;
    }

    if !t.quota_parts.is_empty() {
        r += 2;
        sheet.bold(r, 0, "Quota parts")?;
        r += 1;
        sheet.header(r, &["position", "period", "amount", "months share", "days share", "part"])?;
        for q in &t.quota_parts {
            r += 1;
            sheet.text(r, 0, &q.position)?;
            sheet.text(r, 1, &q.period.to_string())?;
            sheet.number(r, 2, Some(q.amount), &money)?;
            sheet.number(r, 3, Some(q.months_share), &f.percent)?;
            sheet.number(r, 4, Some(q.days_share), &f.percent)?;
            sheet.number(r, 5, Some(q.part), &money)?;
        }
    }

    if !t.tiers.is_empty() {
        r += 2;
        sheet.bold(r, 0, "Tier slices")?;
        r += 1;
        sheet.header(r, &["tier", "from", "value", "slice", "paid"])?;
        for tier in &t.tiers {
            r += 1;
            sheet.number(r, 0, Some(Decimal::from(tier.tier)), &f.general)?;
            sheet.number(r, 1, Some(tier.from), &f.general)?;
            sheet.number(r, 2, Some(tier.value), &f.general)?;
            sheet.number(r, 3, Some(tier.slice), &f.general)?;
            sheet.number(r, 4, Some(tier.paid), &money)?;
        }
    }

    for n in &t.notes {
        r += 1;
        sheet.text(r, 0, "note")?;
        sheet.text(r, 2, n)?;
    }
    Ok(r + 1)
}
