//! The statement workbook: a "Summary" sheet and one sheet per statement.

use std::collections::BTreeMap;
use std::str::FromStr;

use attain_core::Currency;
use attain_engine::pay::run::{LineKind, Statement, Trace};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use thiserror::Error;

use super::names::SheetNames;
use super::traces::write_traces;

/// Why a statement workbook could not be made.
#[derive(Debug, Error)]
pub enum StatementFileError {
    #[error("writing the statement workbook: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("{0} cannot be stored as a spreadsheet number")]
    Number(Decimal),
}

pub(super) type Result<T> = std::result::Result<T, StatementFileError>;

/// Statements as an XLSX workbook.
///
/// - Sheet "Summary": one row per statement (payee and month): payee id, name, period,
///   currency, plans, then each component's earnings in its own column (the union of the
///   plan and component ids in first-seen order, titled by the component id, or `id (plan)`
///   where two plans have a component of that id; blank where the payee has no such
///   component), then
///   clawbacks, adjustments, prior-period corrections, draws (top-ups less recoveries), balance (brought in and carried
///   out) and payout — so each row adds up to its payout.
/// - One sheet per statement, named by the person id (invalid characters replaced, cut to
///   Excel's 31 characters, made unique with ` (2)`…), with the header block, the lines (kind,
///   plan, component, label, measure, quota, attainment as a percentage, tier, amount, explanation),
///   the payout, the draw outstanding, the balance carried, the payout year to date (over the
///   statements given, as in the CSV) and the notes. When `traces` holds traces for the person
///   in the statement's month, a "How each number was made" block follows, one part per trace:
///   the credited transactions, the quota parts and the tier slices.
///
/// Amounts are cells with a number format of the currency's minor digits (`#,##0.00`, JPY
/// `#,##0`); the exact text of every amount is in [`statement_csv`](super::statement_csv).
pub fn statement_xlsx(statements: &[Statement], traces: &BTreeMap<String, Vec<Trace>>) -> Result<Vec<u8>> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let mut names = SheetNames::new(&["Summary"]);
    workbook.push_worksheet(summary(statements, &formats)?);
    for s in statements {
        let mut ws = Worksheet::new();
        ws.set_name(names.name(&s.person_id))?;
        let mut sheet = Sheet { ws: &mut ws, f: &formats };
        let next = payee(&mut sheet, s)?;
        let mine: Vec<&Trace> =
            traces.get(&s.person_id).into_iter().flatten().filter(|t| t.period == s.period).collect();
        write_traces(&mut sheet, next + 1, s.currency, &mine)?;
        ws.set_autofit_max_width(360);
        ws.autofit();
        workbook.push_worksheet(ws);
    }
    Ok(workbook.save_to_buffer()?)
}

/// The "Summary" sheet.
fn summary(statements: &[Statement], f: &Formats) -> Result<Worksheet> {
    // A column per (plan, component): a payee holding two plans may have the same component id
    // in both, and each is paid on its own.
    let mut components: Vec<(Option<&str>, &str)> = Vec::new();
    for l in statements.iter().flat_map(Statement::components) {
        if let Some(id) = l.component.as_deref()
            && !components.contains(&(l.plan.as_deref(), id))
        {
            components.push((l.plan.as_deref(), id));
        }
    }
    let titles: Vec<String> = components
        .iter()
        .map(|&(plan, id)| match plan {
            Some(plan) if components.iter().filter(|(_, other)| *other == id).count() > 1 => {
                format!("{id} ({plan})")
            }
            _ => id.to_string(),
        })
        .collect();
    let mut ws = Worksheet::new();
    ws.set_name("Summary")?;
    let mut sheet = Sheet { ws: &mut ws, f };
    let mut header = vec!["payee_id", "name", "period", "currency", "plans"];
    header.extend(titles.iter().map(String::as_str));
    header.extend(["clawbacks", "adjustments", "prior_periods", "draws", "balance", "payout"]);
    sheet.header(0, &header)?;
    for (r, s) in (1..).zip(statements) {
        let money = f.money(s.currency);
        let sum =
            |kinds: &[LineKind]| s.lines.iter().filter(|l| kinds.contains(&l.kind)).map(|l| l.amount).sum();
        sheet.text(r, 0, &s.person_id)?;
        sheet.text(r, 1, &s.name)?;
        sheet.text(r, 2, &s.period.to_string())?;
        sheet.text(r, 3, s.currency.code())?;
        sheet.text(r, 4, &s.plans.join(", "))?;
        let mut c = 5;
        for &(plan, id) in &components {
            let mine =
                s.components().filter(|l| l.plan.as_deref() == plan && l.component.as_deref() == Some(id));
            let earned = mine.fold(None, |acc: Option<Decimal>, l| Some(acc.unwrap_or_default() + l.amount));
            sheet.number(r, c, earned, &money)?;
            c += 1;
        }
        for total in [
            sum(&[LineKind::Clawback]),
            sum(&[LineKind::Adjustment]),
            sum(&[LineKind::PriorPeriod]),
            sum(&[LineKind::Draw, LineKind::DrawRecovery]),
            sum(&[LineKind::BalanceIn, LineKind::BalanceOut]),
            s.payout,
        ] {
            sheet.number(r, c, Some(total), &money)?;
            c += 1;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    Ok(ws)
}

/// A statement's header block, lines, totals and notes; returns the next free row.
fn payee(sheet: &mut Sheet, s: &Statement) -> Result<u32> {
    let f = sheet.f;
    let money = f.money(s.currency);
    sheet.bold(0, 0, "Statement")?;
    let plans = s.plans.join(", ");
    let period = s.period.to_string();
    for (r, (label, value)) in (1..).zip([
        ("Payee", s.person_id.as_str()),
        ("Name", &s.name),
        ("Period", &period),
        ("Currency", s.currency.code()),
        ("Plans", &plans),
    ]) {
        sheet.text(r, 0, label)?;
        sheet.text(r, 1, value)?;
    }
    let mut r = 7;
    sheet.header(
        r,
        &[
            "kind",
            "plan",
            "component",
            "label",
            "measure",
            "quota",
            "attainment",
            "tier",
            "amount",
            "explanation",
        ],
    )?;
    for l in &s.lines {
        r += 1;
        sheet.text(r, 0, l.kind.name())?;
        sheet.text(r, 1, l.plan.as_deref().unwrap_or_default())?;
        sheet.text(r, 2, l.component.as_deref().unwrap_or_default())?;
        sheet.text(r, 3, &l.label)?;
        sheet.number(r, 4, l.measure, &f.general)?;
        sheet.number(r, 5, l.quota, &f.general)?;
        sheet.number(r, 6, l.attainment, &f.percent)?;
        sheet.number(r, 7, l.tier.map(Decimal::from), &f.general)?;
        sheet.number(r, 8, Some(l.amount), &money)?;
        sheet.text(r, 9, &l.explanation)?;
    }
    for (kind, amount) in [
        ("payout", s.payout),
        ("draw_outstanding", s.draw_outstanding),
        ("balance_carried", s.balance_carried),
        ("payout_ytd", s.ytd_payout),
    ] {
        r += 1;
        sheet.bold(r, 0, kind)?;
        sheet.number(r, 8, Some(amount), &money)?;
    }
    for n in &s.notes {
        r += 1;
        sheet.text(r, 0, "note")?;
        sheet.text(r, 3, n)?;
    }
    Ok(r + 1)
}

/// The cell formats used.
#[derive(Debug)]
pub(super) struct Formats {
    pub bold: Format,
    pub general: Format,
    /// `0.0%`: attainments and shares, stored as fractions.
    pub percent: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            bold: Format::new().set_bold(),
            general: Format::new(),
            percent: Format::new().set_num_format("0.0%"),
        }
    }

    /// Thousands separators and exactly the currency's minor digits: `#,##0.00`, JPY `#,##0`.
    pub fn money(&self, currency: Currency) -> Format {
        Format::new().set_num_format(money_format(currency))
    }
}

fn money_format(currency: Currency) -> String {
    let digits = currency.minor_units() as usize;
    if digits == 0 { "#,##0".to_string() } else { format!("#,##0.{}", "0".repeat(digits)) }
}

/// A worksheet being written, with the formats.
pub(super) struct Sheet<'a> {
    pub ws: &'a mut Worksheet,
    pub f: &'a Formats,
}

impl Sheet<'_> {
    /// Writes `text`, leaving the cell empty when there is none.
    pub fn text(&mut self, row: u32, col: u16, text: &str) -> Result<()> {
        if !text.is_empty() {
            self.ws.write_string(row, col, text)?;
        }
        Ok(())
    }

    pub fn bold(&mut self, row: u32, col: u16, text: &str) -> Result<()> {
        self.ws.write_string_with_format(row, col, text, &self.f.bold)?;
        Ok(())
    }

    /// A row of bold column titles from column 0.
    pub fn header(&mut self, row: u32, titles: &[&str]) -> Result<()> {
        for (c, t) in (0..).zip(titles) {
            self.bold(row, c, t)?;
        }
        Ok(())
    }

    /// Writes a number with `format`, leaving the cell empty for `None`.
    pub fn number(&mut self, row: u32, col: u16, value: Option<Decimal>, format: &Format) -> Result<()> {
        if let Some(v) = value {
            self.ws.write_number_with_format(row, col, cell_number(v)?, format)?;
        }
        Ok(())
    }
}

/// The one place an exact amount becomes a float. XLSX stores every number as an IEEE double,
/// so a cell cannot hold the `Decimal` itself; parsing the decimal's text gives the nearest
/// double with no arithmetic (so no error beyond that one conversion), and Excel shows it to
/// the currency's digits. The exact value is in the statement CSV and JSON.
fn cell_number(d: Decimal) -> Result<f64> {
    f64::from_str(&d.to_string()).map_err(|_| StatementFileError::Number(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decimal_becomes_the_nearest_double() {
        assert_eq!(cell_number(Decimal::new(123_456, 2)).unwrap().to_string(), "1234.56");
        assert_eq!(cell_number(Decimal::new(-1, 1)).unwrap().to_string(), "-0.1");
    }

    #[test]
    fn money_cells_show_the_currency_minor_digits() {
        assert_eq!(money_format(Currency::USD), "#,##0.00");
        assert_eq!(money_format(Currency::JPY), "#,##0");
        assert_eq!(money_format(Currency::parse("BHD").unwrap()), "#,##0.000");
    }
}
