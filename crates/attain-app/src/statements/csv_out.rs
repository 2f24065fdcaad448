//! The statement CSV and the payroll CSV, written by the spreadsheet-safe writer
//! ([`crate::sheet_csv`]): text cells that a spreadsheet would run as a formula are neutralised,
//! numbers stay numbers.

use attain_core::Currency;
use attain_engine::pay::run::{Line, Statement};
use rust_decimal::Decimal;

use super::{exact, money};
use crate::sheet_csv::{Cell, sheet_csv};

/// The statement CSV's columns. Every row names its payee and month, so many statements make
/// one file that can be filtered; `row` says what the row is.
const STATEMENT_COLUMNS: [&str; 14] = [
    "payee_id",
    "period",
    "row",
    "kind",
    "plan",
    "component",
    "label",
    "measure",
    "quota",
    "attainment",
    "tier",
    "amount",
    "currency",
    "explanation",
];

/// Statements as one CSV file, each statement as a block of rows (the `row` column):
///
/// - `payee` (the name in `label`) and one `plan` row per plan version in force (`id@version`
///   in `label`): the header block;
/// - one `line` row per statement line, in order, with its kind, plan (the id of the plan it
///   belongs to: a payee holding two plans can have a component id in each), component, label, measure,
///   quota, attainment (a fraction: `1.05` is 105%), tier, amount and explanation;
/// - one `note` row per note (in `explanation`);
/// - `payout` (the sum of the `line` amounts), `draw_outstanding` and `balance_carried`;
/// - `ytd`: the payee's payouts of the fiscal year so far, this month's included (carried by
///   the engine from month to month).
///
/// Every amount has exactly the currency's minor digits; measures, quotas and attainments are
/// exact. Text cells are neutralised as [`crate::sheet_csv`] says.
pub fn statement_csv(statements: &[Statement]) -> String {
    let mut rows: Vec<[Cell; 14]> = Vec::new();
    for s in statements {
        let c = s.currency;
        let row = |kind: &str, label: &str, amount: Option<Decimal>, explanation: &str| -> [Cell; 14] {
            [
                Cell::text(&s.person_id),
                Cell::text(s.period.to_string()),
                Cell::text(kind),
                Cell::text(""),
                Cell::text(""),
                Cell::text(""),
                Cell::text(label),
                Cell::number(""),
                Cell::number(""),
                Cell::number(""),
                Cell::number(""),
                Cell::number(amount.map(|a| money(a, c)).unwrap_or_default()),
                Cell::text(c.code()),
                Cell::text(explanation),
            ]
        };
        rows.push(row("payee", &s.name, None, ""));
        rows.extend(s.plans.iter().map(|p| row("plan", p, None, "")));
        for l in &s.lines {
            let [kind, plan, component, label, measure, quota, attainment, tier, amount] = line_cells(l, c);
            rows.push([
                Cell::text(&s.person_id),
                Cell::text(s.period.to_string()),
                Cell::text("line"),
                kind,
                plan,
                component,
                label,
                measure,
                quota,
                attainment,
                tier,
                amount,
                Cell::text(c.code()),
                Cell::text(&l.explanation),
            ]);
        }
        rows.extend(s.notes.iter().map(|n| row("note", "", None, n)));
        rows.push(row("payout", "Payout", Some(s.payout), ""));
        rows.push(row("draw_outstanding", "Draw outstanding", Some(s.draw_outstanding), ""));
        rows.push(row("balance_carried", "Balance carried", Some(s.balance_carried), ""));
        rows.push(row("ytd", "Payout year to date", Some(s.ytd_payout), ""));
    }
    sheet_csv(STATEMENT_COLUMNS, rows)
}

/// A statement line's cells, as every CSV of lines writes them (here and `attain calc`):
/// kind, plan, component, label, measure, quota, attainment (a fraction, 6 places), tier and
/// amount (the currency's minor digits).
pub fn line_cells(l: &Line, currency: Currency) -> [Cell; 9] {
    [
        Cell::text(l.kind.name()),
        Cell::text(l.plan.clone().unwrap_or_default()),
        Cell::text(l.component.clone().unwrap_or_default()),
        Cell::text(&l.label),
        Cell::number(l.measure.map(exact).unwrap_or_default()),
        Cell::number(l.quota.map(exact).unwrap_or_default()),
        Cell::number(l.attainment.map(|a| exact(a.round_dp(6))).unwrap_or_default()),
        Cell::number(l.tier.map(|t| t.to_string()).unwrap_or_default()),
        Cell::number(money(l.amount, currency)),
    ]
}

/// The payroll file finance loads: `payee_id,name,currency,amount,period`, one row per
/// statement in the order given, the amount being the payout with exactly the currency's minor
/// digits.
///
/// A payee whose payout is zero still has a row (amount `0.00`, JPY `0`): every payee on a plan
/// appears, so finance can reconcile the headcount against the statements, and a missing row
/// always means a missing payee, never a zero.
pub fn payroll_csv(statements: &[Statement]) -> String {
    let rows = statements.iter().map(|s| {
        [
            Cell::text(&s.person_id),
            Cell::text(&s.name),
            Cell::text(s.currency.code()),
            Cell::number(money(s.payout, s.currency)),
            Cell::text(s.period.to_string()),
        ]
    });
    sheet_csv(["payee_id", "name", "currency", "amount", "period"], rows)
}

#[cfg(test)]
mod tests {
    use attain_core::Currency;

    use super::*;

    #[test]
    fn money_has_the_currency_minor_digits() {
        assert_eq!(money(Decimal::new(96, 0), Currency::USD), "96.00");
        assert_eq!(money(Decimal::new(1200, 0), Currency::JPY), "1200");
        assert_eq!(money(Decimal::new(-5, 1), Currency::USD), "-0.50");
    }
}
