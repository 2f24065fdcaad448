//! A payee's statement for a month and the balances carried between months. Every amount is
//! rounded half-even to the payee currency's minor unit at its statement line, and only there,
//! so the lines add up to the payout exactly.

use std::collections::BTreeMap;

use attain_core::{Currency, Period};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::component::Evaluation;

/// What one statement line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A plan component's earnings (commission, bonus, SPIF, MBO).
    Component,
    /// A reversal clawing back an earlier window's commission.
    Clawback,
    /// A manual adjustment.
    Adjustment,
    /// A change to a closed month (late or corrected data), paid in this open month.
    PriorPeriod,
    /// The draw topping earnings up to the guaranteed amount.
    Draw,
    /// Earnings kept back to recover an earlier recoverable draw.
    DrawRecovery,
    /// A negative balance brought forward from the previous month.
    BalanceIn,
    /// A negative result carried into the next month instead of being paid.
    BalanceOut,
}

impl LineKind {
    pub fn name(self) -> &'static str {
        match self {
            LineKind::Component => "component",
            LineKind::Clawback => "clawback",
            LineKind::Adjustment => "adjustment",
            LineKind::PriorPeriod => "prior_period",
            LineKind::Draw => "draw",
            LineKind::DrawRecovery => "draw_recovery",
            LineKind::BalanceIn => "balance_in",
            LineKind::BalanceOut => "balance_out",
        }
    }
}

/// One line of a statement, with the numbers that explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub kind: LineKind,
    /// The plan (its id) and component the line belongs to, if any: what a trace is asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    pub component: Option<String>,
    pub label: String,
    pub measure: Option<Decimal>,
    pub quota: Option<Decimal>,
    /// As a fraction: 1.05 is 105%.
    pub attainment: Option<Decimal>,
    /// The highest tier reached (1-based for people).
    pub tier: Option<usize>,
    /// The amount paid on this line, rounded to the currency's minor unit.
    pub amount: Decimal,
    /// How the amount was made, in words and numbers.
    pub explanation: String,
    /// For a prior-period line: the closed month it corrects, or the closed window (quarter or
    /// year) of a cumulative component whose months' true-ups are corrected together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of_period: Option<Period>,
}

/// A payee's pay for one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub person_id: String,
    pub name: String,
    pub period: Period,
    pub currency: Currency,
    /// The plan versions in force, as `id@version`.
    pub plans: Vec<String>,
    pub lines: Vec<Line>,
    /// The sum of the lines.
    pub payout: Decimal,
    /// Recoverable draw still to be recovered after this month.
    pub draw_outstanding: Decimal,
    /// Negative balance carried into the next month (zero or below).
    pub balance_carried: Decimal,
    /// Payouts of the fiscal year so far, this month's included.
    #[serde(default)]
    pub ytd_payout: Decimal,
    /// Problems that stopped a component from paying (missing quota, missing score).
    pub notes: Vec<String>,
}

impl Statement {
    /// Component lines only, for summaries: (component id, line).
    pub fn components(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.kind == LineKind::Component)
    }
}

/// What carries from one month to the next for a payee.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayeeCarry {
    /// Zero or negative.
    pub balance: Decimal,
    pub draw_outstanding: Decimal,
    /// Per `plan/component`: paid so far in its current window and plan year.
    pub paid: BTreeMap<String, Paid>,
    /// Payouts so far in the fiscal year named.
    #[serde(default)]
    pub ytd: Option<(Period, Decimal)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paid {
    pub window: Period,
    pub in_window: Decimal,
    pub year: Period,
    pub in_year: Decimal,
}

/// Carried state for every payee, by person id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Carry {
    pub payees: BTreeMap<String, PayeeCarry>,
}

/// A line for a component's evaluation.
pub(crate) fn component_line(
    plan: &str,
    id: &str,
    name: &str,
    ev: &Evaluation,
    paid_before: Decimal,
    amount: Decimal,
    limited_by: Option<crate::pay::limits::Limit>,
    currency: Currency,
) -> Line {
    // One buffer written in place: a year's run writes about 120,000 of these, and a
    // string per clause (then joined) was a third of the months' time at 10,000 payees.
    let mut why = Why(String::with_capacity(160));
    if let Some(t) = ev.total {
        why.clause(format_args!("measure {}", Plain(t)));
    }
    if let Some(q) = ev.quota {
        why.clause(format_args!("quota {}", Plain(q)));
    }
    if let Some(a) = ev.attainment {
        why.clause(format_args!("attainment {}", Percent(a)));
    }
    if let Some(t) = ev.tier {
        why.clause(format_args!("tier {} reached", t + 1));
    }
    if let Some(p) = &ev.payout
        && !p.slices.is_empty()
    {
        // Written piece by piece: the slices are most of a year's explanation text.
        for (n, (i, slice, pay)) in p.slices.iter().enumerate() {
            if n == 0 {
                why.clause(format_args!("slices tier "));
            } else {
                why.0.push_str("; tier ");
            }
            why.0.push_str(itoa::Buffer::new().format(i + 1));
            why.0.push_str(": ");
            write_plain(&mut why.0, *slice);
            why.0.push_str(" → ");
            write_plain(&mut why.0, *pay);
        }
    }
    if let Some(held) = ev.held {
        why.clause(format_args!(
            "held the plan {} of the window: quota and fixed amounts prorated",
            Percent(held)
        ));
    }
    for (label, factor) in &ev.modifiers {
        why.clause(format_args!("{label} ×{}", Plain(*factor)));
    }
    why.clause(format_args!("earned {}", Plain(ev.earned)));
    if !paid_before.is_zero() {
        why.clause(format_args!("less {} paid earlier in the window", Plain(paid_before)));
    }
    if let Some(by) = limited_by {
        let what = match by {
            crate::pay::limits::Limit::Floor => "floor",
            crate::pay::limits::Limit::PeriodCap => "period cap",
            crate::pay::limits::Limit::YearCap => "plan-year cap",
        };
        why.clause(format_args!("limited by the {what}"));
    }
    for note in &ev.notes {
        why.clause(format_args!("{note}"));
    }
    Line {
        kind: LineKind::Component,
        plan: Some(plan.to_string()),
        component: Some(id.to_string()),
        label: name.to_string(),
        measure: ev.total,
        quota: ev.quota,
        attainment: ev.attainment,
        tier: ev.tier.map(|t| t + 1),
        amount: currency.round(amount),
        explanation: why.0,
        of_period: None,
    }
}

/// An explanation's clauses, separated by "; ".
struct Why(String);

impl Why {
    fn clause(&mut self, args: std::fmt::Arguments<'_>) {
        if !self.0.is_empty() {
            self.0.push_str("; ");
        }
        self.more(args);
    }

    fn more(&mut self, args: std::fmt::Arguments<'_>) {
        // Writing into a String cannot fail.
        let _ = std::fmt::Write::write_fmt(&mut self.0, args);
    }
}

/// A number as explanations show it: at most six decimals, no trailing zeros.
pub(crate) struct Plain(pub Decimal);

impl std::fmt::Display for Plain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        digits(f, self.0, 6)
    }
}

/// `Plain(d)` written straight into `out`, without the formatter.
fn write_plain(out: &mut String, d: Decimal) {
    // Writing into a String cannot fail.
    let _ = digits(out, d, 6);
}

/// A fraction as a percentage with at most two decimals.
pub(crate) struct Percent(pub Decimal);

impl std::fmt::Display for Percent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        digits(f, self.0 * Decimal::ONE_HUNDRED, 2)?;
        f.write_str("%")
    }
}

/// `d` rounded to at most `places` decimals and normalised, as `Decimal`'s `Display` writes
/// it without options (`-12.5`, `0.05`, `300`), from its integer mantissa and scale: a year's
/// statements write about a million numbers, and the formatter's general path (padding,
/// sign and precision options), `round_dp` on numbers that need no rounding and
/// `normalize`'s divisions were most of their cost.
fn digits(f: &mut impl std::fmt::Write, d: Decimal, places: u32) -> std::fmt::Result {
    let d = if d.scale() > places { d.round_dp(places) } else { d };
    // Trailing zeros of the decimals dropped, as `normalize` drops them (-0 becomes 0).
    let (mut mantissa, mut scale) = (d.mantissa(), d.scale());
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    let mut buffer = itoa::Buffer::new();
    let text = match u64::try_from(mantissa.unsigned_abs()) {
        Ok(small) => buffer.format(small),
        Err(_) => buffer.format(mantissa.unsigned_abs()),
    };
    let scale = scale as usize;
    if mantissa < 0 {
        f.write_str("-")?;
    }
    if scale == 0 {
        return f.write_str(text);
    }
    match text.len().checked_sub(scale) {
        Some(whole) if whole > 0 => {
            f.write_str(&text[..whole])?;
            f.write_str(".")?;
            f.write_str(&text[whole..])
        }
        _ => {
            f.write_str("0.")?;
            for _ in text.len()..scale {
                f.write_str("0")?;
            }
            f.write_str(text)
        }
    }
}

pub(crate) fn plain(d: Decimal) -> String {
    Plain(d).to_string()
}

pub(crate) fn percent(fraction: Decimal) -> String {
    Percent(fraction).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The short writer prints what `Decimal`'s own `Display` prints, for every sign,
        /// scale and size.
        #[test]
        fn numbers_are_written_as_decimal_writes_them(
            mantissa in any::<i64>(),
            wide in any::<bool>(),
            scale in 0u32..=28,
        ) {
            let m = if wide { i128::from(mantissa) * 1_000_000_007 } else { i128::from(mantissa) };
            let d = Decimal::from_i128_with_scale(m, scale);
            prop_assert_eq!(Plain(d).to_string(), d.round_dp(6).normalize().to_string());
            if let Some(hundredfold) = d.checked_mul(Decimal::ONE_HUNDRED) {
                let p = hundredfold.round_dp(2).normalize();
                prop_assert_eq!(Percent(d).to_string(), format!("{p}%"));
            }
        }
    }

    #[test]
    fn small_and_signed_numbers_keep_their_leading_zero() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(Plain(d("0.05")).to_string(), "0.05");
        assert_eq!(Plain(d("-0.000001")).to_string(), "-0.000001");
        assert_eq!(Plain(d("-0.0000001")).to_string(), "0");
        assert_eq!(Plain(d("1200.500")).to_string(), "1200.5");
        assert_eq!(Percent(d("1.0512")).to_string(), "105.12%");
        assert_eq!(Percent(d("-0.5")).to_string(), "-50%");
    }
}
