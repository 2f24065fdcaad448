//! The statement CSV and the payroll CSV.

use attain_engine::run::Statement;
use rust_decimal::Decimal;

use super::{exact, money};

/// The statement CSV's columns. Every row names its payee and month, so many statements make
/// one file that can be filtered; `row` says what the row is.
const STATEMENT_COLUMNS: [&str; 13] = [
    "payee_id",
    "period",
    "row",
    "kind",
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
/// - one `line` row per statement line, in order, with its kind, component, label, measure,
///   quota, attainment (a fraction: `1.05` is 105%), tier, amount and explanation;
/// - one `note` row per note (in `explanation`);
/// - `payout` (the sum of the `line` amounts), `draw_outstanding` and `balance_carried`;
/// - `ytd`: the payee's payouts of the fiscal year so far, this month's included (carried by
///   the engine from month to month).
///
/// Every amount has exactly the currency's minor digits; measures, quotas and attainments are
/// exact.
pub fn statement_csv(statements: &[Statement]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut rows: Vec<[String; 13]> = Vec::new();
    for s in statements {
        let c = s.currency;
        let row = |kind: &str, label: &str, amount: Option<Decimal>, explanation: &str| -> [String; 13] {
            [
                s.person_id.clone(),
                s.period.to_string(),
                kind.to_string(),
                String::new(),
                String::new(),
                label.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                amount.map(|a| money(a, c)).unwrap_or_default(),
                c.code().to_string(),
                explanation.to_string(),
            ]
        };
        rows.push(row("payee", &s.name, None, ""));
        rows.extend(s.plans.iter().map(|p| row("plan", p, None, "")));
        for l in &s.lines {
            rows.push([
                s.person_id.clone(),
                s.period.to_string(),
                "line".to_string(),
                l.kind.name().to_string(),
                l.component.clone().unwrap_or_default(),
                l.label.clone(),
                l.measure.map(exact).unwrap_or_default(),
                l.quota.map(exact).unwrap_or_default(),
                l.attainment.map(|a| exact(a.round_dp(6))).unwrap_or_default(),
                l.tier.map(|t| t.to_string()).unwrap_or_default(),
                money(l.amount, c),
                c.code().to_string(),
                l.explanation.clone(),
            ]);
        }
        rows.extend(s.notes.iter().map(|n| row("note", "", None, n)));
        rows.push(row("payout", "Payout", Some(s.payout), ""));
        rows.push(row("draw_outstanding", "Draw outstanding", Some(s.draw_outstanding), ""));
        rows.push(row("balance_carried", "Balance carried", Some(s.balance_carried), ""));
        rows.push(row("ytd", "Payout year to date", Some(s.ytd_payout), ""));
    }
    write_all(&mut w, STATEMENT_COLUMNS, &rows);
    finish(w)
}

/// The payroll file finance loads: `payee_id,name,currency,amount,period`, one row per
/// statement in the order given, the amount being the payout with exactly the currency's minor
/// digits.
///
/// A payee whose payout is zero still has a row (amount `0.00`, JPY `0`): every payee on a plan
/// appears, so finance can reconcile the headcount against the statements, and a missing row
/// always means a missing payee, never a zero.
pub fn payroll_csv(statements: &[Statement]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let rows: Vec<[String; 5]> = statements
        .iter()
        .map(|s| {
            [
                s.person_id.clone(),
                s.name.clone(),
                s.currency.code().to_string(),
                money(s.payout, s.currency),
                s.period.to_string(),
            ]
        })
        .collect();
    write_all(&mut w, ["payee_id", "name", "currency", "amount", "period"], &rows);
    finish(w)
}

fn write_all<const N: usize>(w: &mut csv::Writer<Vec<u8>>, header: [&str; N], rows: &[[String; N]]) {
    // Writing to memory cannot fail: the csv crate's only errors here would be I/O errors.
    w.write_record(header).expect("writing CSV to memory");
    for r in rows {
        w.write_record(r).expect("writing CSV to memory");
    }
}

fn finish(w: csv::Writer<Vec<u8>>) -> String {
    let bytes = w.into_inner().expect("flushing CSV to memory");
    // Every field written was a `String`, so the bytes are UTF-8.
    String::from_utf8(bytes).expect("CSV of strings is UTF-8")
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
