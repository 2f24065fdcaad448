//! A month's run: for every payee holding a plan in the month, each component's earnings
//! (true-ups for cumulative windows), clawbacks, adjustments, the draw and the balance carried,
//! turned into a statement; and the carry for the next month.

use std::collections::BTreeMap;

use attain_core::{Period, Validity};
use rayon::prelude::*;
use rust_decimal::Decimal;

use super::EngineError;
use super::component::Subject;
use super::prepare::Prepared;
use super::statement::{Carry, Line, LineKind, Paid, PayeeCarry, Statement, component_line, percent, plain};
use crate::pay::plan::{NegativeBalance, Plan};

/// A person's month: their statement if they get one, and their carry if it is kept.
pub(crate) type Outcome = Option<(Option<Statement>, PayeeCarry)>;

impl Prepared<'_> {
    /// Runs `month` for every payee, starting from `carry` (the previous month's carry-out).
    pub fn run_month(&self, month: Period, carry: &Carry) -> Result<(Vec<Statement>, Carry), EngineError> {
        self.run_month_with(month, carry, &BTreeMap::new())
    }

    /// As [`Prepared::run_month`], adding `extra` lines (by person id) to the statements before
    /// draws and balances: how prior-period adjustments for closed months reach an open one.
    pub fn run_month_with(
        &self,
        month: Period,
        carry: &Carry,
        extra: &BTreeMap<String, Vec<Line>>,
    ) -> Result<(Vec<Statement>, Carry), EngineError> {
        self.run_month_from(month, carry.clone(), extra)
    }

    /// As [`Prepared::run_month_with`], taking the carry over: a run of consecutive months
    /// hands each month's carry-out to the next without copying every payee's.
    pub fn run_month_from(
        &self,
        month: Period,
        carry: Carry,
        extra: &BTreeMap<String, Vec<Line>>,
    ) -> Result<(Vec<Statement>, Carry), EngineError> {
        if !matches!(month, Period::Month { .. }) {
            return Err(EngineError::NotAMonth(month));
        }
        let mut payees = carry.payees;
        let befores: Vec<PayeeCarry> =
            self.data.people.iter().map(|p| payees.remove(&p.id).unwrap_or_default()).collect();
        // Payees are independent within a month (each starts from their own carry), so they
        // run in parallel; results are put back in the people's order, and the first error in
        // that order is the one reported, as when they ran one by one.
        let outcomes: Vec<Result<Outcome, EngineError>> = befores
            .into_par_iter()
            .zip(self.data.people.par_iter())
            .enumerate()
            .map(|(p, (before, person))| {
                let extra = extra.get(&person.id).map(Vec::as_slice).unwrap_or_default();
                self.person_month(p, month, before, extra)
            })
            .collect();
        let mut statements = Vec::new();
        let mut next = Vec::new();
        for (person, outcome) in self.data.people.iter().zip(outcomes) {
            if let Some((statement, after)) = outcome? {
                statements.extend(statement);
                next.push((person.id.clone(), after));
            }
        }
        Ok((statements, Carry { payees: next.into_iter().collect() }))
    }

    /// Person `p`'s month from `before` (their carry-out of the previous month): their
    /// statement if they get one, and their carry if it is kept.
    pub(crate) fn person_month(
        &self,
        p: usize,
        month: Period,
        before: PayeeCarry,
        extra: &[Line],
    ) -> Result<Outcome, EngineError> {
        let person = &self.data.people[p];
        let bounds = self.calendar.bounds(month);
        let held: Vec<&str> = plans_held(&self.stretches[p], &bounds);
        // A leaver with a prior-period change or an adjustment still gets a statement.
        let adjusted = self.adjustments_of(&person.id).any(|a| a.period == month);
        if held.is_empty() && extra.is_empty() && !adjusted {
            return Ok((before != PayeeCarry::default()).then_some((None, before)));
        }
        let (statement, after) = self.run_payee(p, month, &bounds, &held, before, extra)?;
        Ok(Some((Some(statement), after)))
    }

    fn run_payee(
        &self,
        p: usize,
        month: Period,
        bounds: &Validity,
        held: &[&str],
        mut carry: PayeeCarry,
        extra: &[Line],
    ) -> Result<(Statement, PayeeCarry), EngineError> {
        let person = &self.data.people[p];
        let currency = person.pay_currency.unwrap_or(self.base);
        let mut lines: Vec<Line> = Vec::new();
        let mut notes = Vec::new();
        let mut plans = Vec::new();
        let mut draws: Vec<(&Plan, bool)> = Vec::new();
        let mut negative = NegativeBalance::Carry;
        for plan_id in held {
            let last_day = last_held_day(&self.stretches[p], plan_id, bounds);
            let Some(plan) = self.book.version_on(plan_id, last_day) else {
                notes.push(format!("plan `{plan_id}` has no version in force on {last_day}"));
                continue;
            };
            plans.push(format!("{}@{}", plan.id, plan.version));
            negative = plan.negative_balance;
            let who = Subject { person: p, plan, currency };
            for component in &plan.components {
                let Some(window) = self.window(component.scope, month) else { continue };
                let ev = self.evaluate(who, component, &window)?;
                notes.extend(ev.notes.iter().map(|n| format!("{}: {n}", component.name)));
                let key = format!("{}/{}", plan.id, component.id);
                let [_, year] = self.calendar.enclosing(month);
                let paid = carry.paid.entry(key).or_insert(Paid {
                    window: window.period,
                    in_window: Decimal::ZERO,
                    year,
                    in_year: Decimal::ZERO,
                });
                if paid.window != window.period {
                    paid.window = window.period;
                    paid.in_window = Decimal::ZERO;
                }
                if paid.year != year {
                    paid.year = year;
                    paid.in_year = Decimal::ZERO;
                }
                // Limits bound the window's cumulative earnings (a cap on a quarter-to-date
                // component is a quarter cap); this month pays the true-up below that bound.
                let paid_before = if component.scope.cumulative() { paid.in_window } else { Decimal::ZERO };
                let limited = component.limits.apply(ev.earned, paid.in_year - paid_before);
                let due = limited.amount - paid_before;
                let line = component_line(
                    &plan.id,
                    &component.id,
                    &component.name,
                    &ev,
                    paid_before,
                    due,
                    limited.by,
                    currency,
                );
                paid.in_window += line.amount;
                paid.in_year += line.amount;
                lines.push(line);
                lines.extend(self.clawbacks(who, component, &ev.reversals, bounds)?);
            }
            if let Some(draw) = &plan.draw {
                let start =
                    self.stretches[p].iter().filter(|s| s.plan == *plan_id).map(|s| s.days.from).min();
                let in_draw = start.is_some_and(|s| months_between(s, bounds.from) < i64::from(draw.months));
                draws.push((plan, in_draw));
            }
        }
        for adj in self.adjustments_of(&person.id).filter(|a| a.period == month) {
            let rate = self.fx(adj.currency, currency, bounds.from)?;
            let by = adj.entered_by.as_deref().map(|b| format!(" (entered by {b})")).unwrap_or_default();
            lines.push(Line {
                kind: LineKind::Adjustment,
                plan: None,
                component: None,
                label: adj.reason.clone(),
                measure: None,
                quota: None,
                attainment: None,
                tier: None,
                amount: currency.round(adj.amount.amount() * rate),
                explanation: format!("manual adjustment {} {}{by}", plain(adj.amount.amount()), adj.currency),
                of_period: None,
            });
        }
        lines.extend(extra.iter().map(|l| Line { amount: currency.round(l.amount), ..l.clone() }));
        let earned: Decimal = lines.iter().map(|l| l.amount).sum();
        for (plan, in_draw) in draws {
            let Some(draw) = &plan.draw else { continue };
            let who = Subject { person: p, plan, currency };
            // A draw is per month held: a new hire starting mid-month gets the days' share.
            let share = self.held_share(who, bounds);
            let guaranteed = currency.round(self.in_payee_currency(who, draw.amount * share, bounds.from)?);
            if in_draw && earned < guaranteed {
                let top_up = guaranteed - earned;
                if draw.recoverable {
                    carry.draw_outstanding += top_up;
                }
                lines.push(simple(
                    LineKind::Draw,
                    "Draw",
                    top_up,
                    format!(
                        "earnings {} below the {} guaranteed draw{}",
                        plain(earned),
                        plain(guaranteed),
                        if draw.recoverable { "; recoverable from later earnings" } else { "" }
                    ),
                ));
            } else if carry.draw_outstanding > Decimal::ZERO {
                let room = if in_draw { earned - guaranteed } else { earned };
                let recovered = carry.draw_outstanding.min(room.max(Decimal::ZERO));
                if recovered > Decimal::ZERO {
                    carry.draw_outstanding -= recovered;
                    lines.push(simple(
                        LineKind::DrawRecovery,
                        "Draw recovery",
                        -recovered,
                        format!(
                            "recovering the draw advanced earlier; {} still outstanding",
                            plain(carry.draw_outstanding)
                        ),
                    ));
                }
            }
        }
        if carry.balance < Decimal::ZERO {
            lines.push(simple(
                LineKind::BalanceIn,
                "Balance brought forward",
                carry.balance,
                "negative balance from last month".into(),
            ));
            carry.balance = Decimal::ZERO;
        }
        let total: Decimal = lines.iter().map(|l| l.amount).sum();
        if total < Decimal::ZERO && negative == NegativeBalance::Carry {
            lines.push(simple(
                LineKind::BalanceOut,
                "Carried forward",
                -total,
                format!("{} is below zero: carried into next month instead of being deducted", plain(total)),
            ));
            carry.balance = total;
        }
        // Every amount shown with exactly the currency's minor digits (`0.00`, not `0`).
        let fixed = |d: Decimal| currency.fixed(d);
        for l in &mut lines {
            l.amount = fixed(l.amount);
        }
        let payout: Decimal = lines.iter().map(|l| l.amount).sum();
        let [_, year] = self.calendar.enclosing(month);
        let before = carry.ytd.filter(|(y, _)| *y == year).map_or(Decimal::ZERO, |(_, paid)| paid);
        carry.ytd = Some((year, fixed(before + payout)));
        carry.draw_outstanding = fixed(carry.draw_outstanding);
        carry.balance = fixed(carry.balance);
        let statement = Statement {
            person_id: person.id.clone(),
            name: person.name.clone(),
            period: month,
            currency,
            plans,
            lines,
            payout,
            draw_outstanding: carry.draw_outstanding,
            balance_carried: carry.balance,
            ytd_payout: fixed(before + payout),
            notes,
        };
        Ok((statement, carry))
    }

    /// Clawback lines for `reversals`: those in the component's window so far whose originals
    /// fall in earlier windows (a reversal of something inside the window has already lowered
    /// the measure), as its evaluation found them. Each reversal claws back once: in its own
    /// month for components that settle monthly, at the window's settlement for the others.
    fn clawbacks(
        &self,
        who: Subject,
        component: &crate::pay::plan::Component,
        reversals: &[super::component::Reversal],
        month: &Validity,
    ) -> Result<Vec<Line>, EngineError> {
        let mut lines = Vec::new();
        for r in reversals {
            let txn = super::txn::Txn::at(&self.store, r.txn);
            let original = super::txn::Txn::at(&self.store, r.original);
            // A component settling every month claws back in the reversal's own month; one
            // settling once (quarter, year) takes every reversal of its window when it settles.
            if component.scope.cumulative() && !month.contains(txn.date()) {
                continue;
            }
            // The original was paid under the plan version of its own date.
            let plan = self.book.version_on(&who.plan.id, original.date()).unwrap_or(who.plan);
            let then = plan.components.iter().find(|c| c.id == component.id).unwrap_or(component);
            let rate = self.effective_rate(Subject { plan, ..who }, then, original.date())?;
            let amount = who.currency.round(r.value * rate);
            if amount.is_zero() {
                continue;
            }
            let id = |row: u32| self.store.transactions.ids.get(row as usize);
            lines.push(Line {
                kind: LineKind::Clawback,
                plan: Some(who.plan.id.clone()),
                component: Some(component.id.clone()),
                label: format!("Clawback: {} {}", txn.kind(), id(r.txn)),
                measure: Some(r.value),
                quota: None,
                attainment: None,
                tier: None,
                amount,
                explanation: format!(
                    "{} {} on {} reverses {} {} of {}; {} × the {} rate it earned in its window",
                    txn.kind(),
                    id(r.txn),
                    txn.date(),
                    original.kind(),
                    id(r.original),
                    original.date(),
                    plain(r.value),
                    percent(rate)
                ),
                of_period: None,
            });
        }
        Ok(lines)
    }
}

fn simple(kind: LineKind, label: &str, amount: Decimal, explanation: String) -> Line {
    Line {
        kind,
        plan: None,
        component: None,
        label: label.to_string(),
        measure: None,
        quota: None,
        attainment: None,
        tier: None,
        amount,
        explanation,
        of_period: None,
    }
}

/// The plan ids a person holds on any day of the month, in first-held order.
fn plans_held<'s>(stretches: &'s [super::prepare::Stretch], bounds: &Validity) -> Vec<&'s str> {
    let mut out: Vec<&str> = Vec::new();
    for s in stretches.iter().filter(|s| s.days.overlaps(bounds)) {
        if !out.contains(&s.plan.as_str()) {
            out.push(s.plan.as_str());
        }
    }
    out
}

/// The last day in the month the person holds `plan` (decides the plan version).
fn last_held_day(stretches: &[super::prepare::Stretch], plan: &str, bounds: &Validity) -> attain_core::Date {
    stretches
        .iter()
        .filter(|s| s.plan == plan)
        .filter_map(|s| s.days.intersect(bounds))
        .map(|v| v.to.and_then(|t| t.yesterday().ok()).unwrap_or(v.from))
        .max()
        .unwrap_or(bounds.from)
}

/// Whole months from the month of `from` to the month of `to`.
fn months_between(from: attain_core::Date, to: attain_core::Date) -> i64 {
    let index = |d: attain_core::Date| i64::from(d.year()) * 12 + i64::from(d.month());
    index(to) - index(from)
}
