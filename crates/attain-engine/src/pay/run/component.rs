//! One component of one payee's plan over one window: the measure total, the quota, the
//! attainment, what the rate table (or bonus, SPIF, MBO rule) makes of them and the modifiers
//! that apply. Pure recomputation from the data: the same inputs give the same numbers.

use attain_core::domain::Quota;
use attain_core::{Currency, Date, Period, Validity};
use rust_decimal::Decimal;

use super::EngineError;
use super::prepare::{Prepared, Stretch, days_within};
use crate::formula::Value;
use crate::pay::plan::{BonusAmount, Component, ComponentKind, Plan, Scope, TierBasis, days_between, schema};
use crate::pay::rates::{Payout, RateTable, Step};

/// The days a component looks at for a month: `to_date` is what is measured now, `full` the
/// whole window (quota and targets are for the whole window).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub period: Period,
    pub full: Validity,
    pub to_date: Validity,
}

impl Prepared<'_> {
    /// The component's window for `month`, or `None` when it does not settle in that month.
    pub(crate) fn window(&self, scope: Scope, month: Period) -> Option<Window> {
        let m = self.calendar.bounds(month);
        let [quarter, year] = self.calendar.enclosing(month);
        let (period, settles_every_month) = match scope {
            Scope::Month => (month, true),
            Scope::Quarter => (quarter, false),
            Scope::Qtd => (quarter, true),
            Scope::Year => (year, false),
            Scope::Ytd => (year, true),
        };
        let full = self.calendar.bounds(period);
        if !settles_every_month && full.to != m.to {
            return None;
        }
        Some(Window { period, full, to_date: Validity { from: full.from, to: m.to } })
    }

    /// The window of `scope` a month falls in (the month itself, its quarter or its year).
    pub fn window_period(&self, scope: Scope, month: Period) -> Period {
        self.window_of_day(scope, self.calendar.bounds(month).from).period
    }

    /// Whether two months fall in the same window of `scope`.
    pub fn same_window(&self, scope: Scope, a: Period, b: Period) -> bool {
        self.window_period(scope, a) == self.window_period(scope, b)
    }

    /// The window of `scope` a day falls in, complete.
    pub(crate) fn window_of_day(&self, scope: Scope, day: Date) -> Window {
        let period = match scope {
            Scope::Month => self.calendar.month_period(day),
            Scope::Quarter | Scope::Qtd => self.calendar.quarter_period(day),
            Scope::Year | Scope::Ytd => self.calendar.year_period(day),
        };
        let full = self.calendar.bounds(period);
        Window { period, full, to_date: full }
    }
}

/// A reversal whose original was credited in an earlier window: it claws back the original's
/// commission at the rate that window earned, instead of lowering this window's measure.
#[derive(Debug, Clone)]
pub(crate) struct Reversal {
    pub txn: u32,
    pub original: u32,
    pub value: Decimal,
}

/// A measure summed over a window for one payee, in the payee's currency.
#[derive(Debug, Clone, Default)]
pub(crate) struct Total {
    pub total: Decimal,
    pub reversals: Vec<Reversal>,
}

/// The numbers behind one component's earnings for a window.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub total: Option<Decimal>,
    pub quota: Option<Decimal>,
    pub attainment: Option<Decimal>,
    pub tier: Option<usize>,
    /// Earned for the window so far, before limits: after gate, table and modifiers.
    pub earned: Decimal,
    /// Labels of the modifiers that applied, with their factors.
    pub modifiers: Vec<(String, Decimal)>,
    /// Why nothing or less was earned (gate not reached, condition false, missing quota).
    pub notes: Vec<String>,
    /// The share of the window the payee held the plan, when below 1 (fixed amounts and
    /// quotas are prorated by it).
    pub held: Option<Decimal>,
    pub payout: Option<Payout>,
    /// Reversals in the window whose originals fall in earlier windows: the clawback lines
    /// read them from here rather than summing the window a second time.
    pub(crate) reversals: Vec<Reversal>,
}

/// Who and what a component is evaluated for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject<'p> {
    pub person: usize,
    pub plan: &'p Plan,
    pub currency: Currency,
}

/// How a credited transaction counts in a measure over a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Added into the measure total.
    InMeasure,
    /// A reversal of a transaction credited in an earlier window: clawed back instead.
    Clawback { original: u32 },
    /// A reversal later than the plan's clawback window after its original: ignored.
    TooLate { original: u32 },
}

/// One position's part of a payee's quota for a window (for the trace).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QuotaPart {
    pub position: String,
    pub period: Period,
    /// The quota row's amount, in the payee's currency.
    pub amount: Decimal,
    /// The row's months inside the window ÷ its months.
    pub months_share: Decimal,
    /// Days the payee held the position under the plan ÷ days in the window.
    pub days_share: Decimal,
    pub part: Decimal,
}

impl Prepared<'_> {
    /// Visits every credit of the payee that a measure counts over `days`, with its value in
    /// the payee's currency and how it counts. The measure total, the clawbacks and the trace
    /// all read credits through here, so they cannot disagree.
    pub(crate) fn each_credit(
        &self,
        who: Subject,
        measure: usize,
        days: Validity,
        mut visit: impl FnMut(&super::credit::Credit, Decimal, Counted),
    ) -> Result<(), EngineError> {
        let plan = who.plan;
        let m = &plan.measures[measure];
        let version = self.book.plans().iter().position(|p| std::ptr::eq(p, plan));
        let sig = version.map(|v| &self.sigs.list[self.sigs.of[v][measure] as usize]);
        let (from, to) = (attain_facts::day::day_of(days.from), attain_facts::day::end_of(days.to));
        let mut credits = Vec::new();
        for row in 0..self.store.transactions.len() as u32 {
            let day = self.store.transactions.day[row as usize];
            if !(from <= day && day < to) {
                continue;
            }
            let t = super::txn::Txn::at(&self.store, row);
            self.crediting.all(&t, &mut credits)?;
            for c in credits.iter().filter(|c| c.person as usize == who.person).map(|c| c.credit) {
                let allowed = match c.kind {
                    super::credit::CreditKind::Direct => m.credit.direct,
                    super::credit::CreditKind::Overlay => m.credit.overlay,
                    super::credit::CreditKind::Rollup => m.credit.rollup,
                };
                let date = t.date();
                if !allowed || !self.holds(who.person, &plan.id, date) {
                    continue;
                }
                let passes = match sig {
                    Some(sig) => sig.passes(&t)?,
                    None => super::sig::Sig::compile(&self.store, plan.credit_on, m).passes(&t)?,
                };
                if !passes {
                    continue;
                }
                let mut value = t.value_of(m, c.share)?;
                if m.value.is_money() {
                    value *= self.fx(t.currency(), who.currency, first_of_month(date))?;
                }
                let counted = match t.original {
                    Some(o)
                        if !days.contains(attain_facts::day::date_of(
                            self.store.transactions.day[o as usize],
                        )) =>
                    {
                        // The window is the one the original was paid under: its plan version's.
                        let original_date =
                            attain_facts::day::date_of(self.store.transactions.day[o as usize]);
                        let paid_under = self.book.version_on(&plan.id, original_date).unwrap_or(plan);
                        let late = paid_under
                            .clawback_days
                            .is_some_and(|limit| days_between(original_date, date) > i64::from(limit));
                        if late {
                            Counted::TooLate { original: o }
                        } else {
                            Counted::Clawback { original: o }
                        }
                    }
                    _ => Counted::InMeasure,
                };
                visit(&c, value, counted);
            }
        }
        Ok(())
    }

    /// The payee's quota on `name` for a window: each position's quota for the window (a longer
    /// quota row counts the share of its months inside the window) times the share of the
    /// window's days the payee held that position under this plan.
    ///
    /// A line of a quota sheet is different: the allocation already sized it to the days its
    /// seat is filled (hire, leave, termination, ramp), so it is not prorated again; it is
    /// shared among the seat's holders by the days each held it — the payee's days in the
    /// window over the days anyone held the seat in the row's period.
    pub(crate) fn quota(
        &self,
        who: Subject,
        name: &str,
        full: Validity,
    ) -> Result<Option<Decimal>, EngineError> {
        let parts = self.quota_parts(who, name, full)?;
        Ok((!parts.is_empty()).then(|| parts.iter().map(|p| p.part).sum()))
    }

    pub(crate) fn quota_parts(
        &self,
        who: Subject,
        name: &str,
        full: Validity,
    ) -> Result<Vec<QuotaPart>, EngineError> {
        let mut parts = Vec::new();
        let Some(window_days) = full.days().filter(|d| *d > 0) else { return Ok(parts) };
        for stretch in self.stretches[who.person].iter().filter(|s| s.plan == who.plan.id) {
            let Some(held) = stretch.days.intersect(&full).and_then(|v| v.days()) else { continue };
            let Some(rows) = self.quotas.get(stretch.position.as_str()) else { continue };
            let days_share = Decimal::from(held) / Decimal::from(window_days);
            for row in rows.iter().filter(|q| q.measure == name) {
                if row.sheet_id.is_some() {
                    parts.extend(self.allocated_part(stretch, row, &full, who.currency)?);
                    continue;
                }
                let row_months = self.calendar.months_of(row.period);
                let inside =
                    row_months.iter().filter(|m| full.contains(self.calendar.bounds(**m).from)).count();
                if inside == 0 {
                    continue;
                }
                let rate = match row.currency {
                    Some(c) => self.fx(c, who.currency, self.calendar.bounds(row.period).from)?,
                    None => Decimal::ONE,
                };
                let amount = row.amount * rate;
                let months_share = Decimal::from(inside as u32) / Decimal::from(row_months.len() as u32);
                parts.push(QuotaPart {
                    position: stretch.position.clone(),
                    period: row.period,
                    amount,
                    months_share,
                    days_share,
                    part: amount * months_share * days_share,
                });
            }
        }
        Ok(parts)
    }

    /// A quota sheet's line shared by days held: see [`Self::quota_parts`].
    fn allocated_part(
        &self,
        stretch: &Stretch,
        row: &Quota,
        full: &Validity,
        currency: Currency,
    ) -> Result<Option<QuotaPart>, EngineError> {
        let bounds = self.calendar.bounds(row.period);
        let Some(inside) = bounds.intersect(full) else { return Ok(None) };
        let held = stretch.days.intersect(&inside).and_then(|v| v.days()).unwrap_or(0);
        let filled = self.occupied.get(row.position_id.as_str()).map_or(0, |w| days_within(w, &bounds));
        if held <= 0 || filled <= 0 {
            return Ok(None);
        }
        let rate = match row.currency {
            Some(c) => self.fx(c, currency, bounds.from)?,
            None => Decimal::ONE,
        };
        let amount = row.amount * rate;
        let days_share = Decimal::from(held) / Decimal::from(filled);
        Ok(Some(QuotaPart {
            position: stretch.position.clone(),
            period: row.period,
            amount,
            months_share: Decimal::ONE,
            days_share,
            part: amount * days_share,
        }))
    }

    /// Per-period formula variables (docs/plans.md): target incentive, then each measure's
    /// total, quota and attainment over the window.
    fn period_vars(&self, who: Subject, window: &Window) -> Result<Vec<Value>, EngineError> {
        let plan = who.plan;
        let mut vars = vec![Value::Number(self.in_payee_currency(
            who,
            plan.target_incentive.unwrap_or_default(),
            window.full.from,
        )?)];
        for (i, m) in plan.measures.iter().enumerate() {
            let total = self.measure_total(who, i, window.to_date)?.total;
            let quota = self.quota(who, &m.id, window.full)?.unwrap_or_default();
            let attainment = if quota.is_zero() { Decimal::ZERO } else { total / quota };
            vars.extend([Value::Number(total), Value::Number(quota), Value::Number(attainment)]);
        }
        debug_assert_eq!(vars.len(), 1 + plan.measures.len() * schema::PER_MEASURE.len());
        Ok(vars)
    }

    /// A plan amount (written in the plan's currency) in the payee's currency.
    pub(crate) fn in_payee_currency(
        &self,
        who: Subject,
        amount: Decimal,
        day: Date,
    ) -> Result<Decimal, EngineError> {
        let from = who.plan.currency.unwrap_or(self.base);
        Ok(amount * self.fx(from, who.currency, day)?)
    }

    /// The share of `days` the payee held this plan (hired mid-quarter, on leave, moved):
    /// amounts fixed per window — targets, bonuses, draws — are prorated by it.
    pub(crate) fn held_share(&self, who: Subject, days: &Validity) -> Decimal {
        let held: Vec<Validity> =
            self.stretches[who.person].iter().filter(|s| s.plan == who.plan.id).map(|s| s.days).collect();
        crate::pay::limits::held_share(days, &held)
    }

    /// The window's share of the annual target incentive, in the payee's currency, prorated by
    /// the share of the window the payee held the plan.
    fn window_target(&self, who: Subject, scope: Scope, window: &Window) -> Result<Decimal, EngineError> {
        let ti = who.plan.target_incentive.unwrap_or_default();
        let share = self.held_share(who, &window.full);
        self.in_payee_currency(who, ti * scope.share_of_year() * share, window.full.from)
    }

    /// Evaluates a component over `window` (what it has earned for the window so far).
    pub(crate) fn evaluate(
        &self,
        who: Subject,
        component: &Component,
        window: &Window,
    ) -> Result<Evaluation, EngineError> {
        let mut ev = Evaluation::default();
        let held = self.held_share(who, &window.full);
        ev.held = (held < Decimal::ONE).then_some(held);
        match &component.kind {
            ComponentKind::Commission { measure, basis, table, gate, target } => {
                let measured = self.measure_total(who, *measure, window.to_date)?;
                let total = measured.total;
                ev.total = Some(total);
                ev.reversals = measured.reversals;
                let input = match basis {
                    TierBasis::Amount => Some(total),
                    TierBasis::Attainment { quota } => match self.quota(who, quota, window.full)? {
                        Some(q) if !q.is_zero() => {
                            ev.quota = Some(q);
                            ev.attainment = Some(total / q);
                            ev.attainment
                        }
                        found => {
                            ev.quota = found;
                            ev.notes.push(format!(
                                "no `{quota}` quota for {}: nothing is earned until one is set",
                                window.period
                            ));
                            None
                        }
                    },
                };
                if let Some(input) = input {
                    if let Some(g) = gate.filter(|g| input < *g) {
                        ev.notes.push(format!("below the gate of {}", shown_input(basis, g)));
                    } else {
                        use crate::pay::rates::TierMode;
                        let (paid, earned) = match (basis, table.mode()) {
                            (_, TierMode::Curve) => {
                                let paid = table.pay(input);
                                let earned = paid.amount
                                    * *target
                                    * self.window_target(who, component.scope, window)?;
                                (paid, earned)
                            }
                            (_, TierMode::Step) => {
                                let paid = table.pay(input);
                                let earned = self.in_payee_currency(who, paid.amount, window.full.from)?;
                                (paid, earned)
                            }
                            (TierBasis::Amount, _) => {
                                let paid = table.pay(total);
                                let earned = paid.amount;
                                (paid, earned)
                            }
                            // Attainment tiers become amount tiers (start × quota), so the slices
                            // are money and the arithmetic stays exact (1/3 of a quota is not).
                            (TierBasis::Attainment { .. }, _) => {
                                let quota = ev.quota.unwrap_or_default();
                                let steps = table
                                    .steps()
                                    .iter()
                                    .map(|s| Step { from: s.from * quota, value: s.value })
                                    .collect();
                                let paid = RateTable::new(table.mode(), steps)
                                    .map_or_else(|_| table.pay(input), |t| t.pay(total));
                                let earned = paid.amount;
                                (paid, earned)
                            }
                        };
                        ev.tier = paid.tier;
                        ev.earned = earned;
                        ev.payout = Some(paid);
                    }
                }
            }
            ComponentKind::Bonus { when, amount } => {
                let vars = self.period_vars(who, window)?;
                if when.eval_bool(&vars).map_err(|e| EngineError::Formula(e.to_string()))? {
                    ev.earned = match amount {
                        BonusAmount::Fixed(a) => {
                            let share = self.held_share(who, &window.full);
                            self.in_payee_currency(who, *a * share, window.full.from)?
                        }
                        BonusAmount::OfTarget(share) => {
                            *share * self.window_target(who, component.scope, window)?
                        }
                    };
                } else {
                    ev.notes.push(format!("condition not met: {}", when.source()));
                }
            }
            ComponentKind::Spif { measure, per_unit } => {
                let measured = self.measure_total(who, *measure, window.to_date)?;
                let total = measured.total;
                ev.total = Some(total);
                ev.reversals = measured.reversals;
                ev.earned = total * self.in_payee_currency(who, *per_unit, window.full.from)?;
            }
            ComponentKind::Mbo { target, objectives, max_score } => {
                let base = *target * self.window_target(who, component.scope, window)?;
                let person = &self.data.people[who.person].id;
                let mut achieved = Decimal::ZERO;
                for o in objectives {
                    let score = self
                        .by_person
                        .get(person.as_str())
                        .and_then(|mine| {
                            mine.scores.iter().find(|s| s.period == window.period && s.objective == o.id)
                        })
                        .map(|s| s.score / Decimal::ONE_HUNDRED);
                    match score {
                        Some(s) => achieved += o.weight * s.min(*max_score),
                        None => {
                            ev.notes.push(format!("no score for objective `{}` in {}", o.id, window.period))
                        }
                    }
                }
                ev.attainment = Some(achieved);
                ev.earned = base * achieved;
            }
        }
        if !component.modifiers.is_empty() && !ev.earned.is_zero() {
            let vars = self.period_vars(who, window)?;
            for m in &component.modifiers {
                if m.when.eval_bool(&vars).map_err(|e| EngineError::Formula(e.to_string()))? {
                    ev.earned *= m.factor;
                    ev.modifiers.push((m.label.clone(), m.factor));
                }
            }
        }
        Ok(ev)
    }

    /// The rate a component earned per unit of its measure over a whole window: what a
    /// reversal of a transaction credited in that window claws back.
    pub(crate) fn effective_rate(
        &self,
        who: Subject,
        component: &Component,
        day: Date,
    ) -> Result<Decimal, EngineError> {
        let window = self.window_of_day(component.scope, day);
        let ev = self.evaluate(who, component, &window)?;
        Ok(match ev.total {
            Some(t) if !t.is_zero() => ev.earned / t,
            _ => Decimal::ZERO,
        })
    }
}

fn shown_input(basis: &TierBasis, value: Decimal) -> String {
    match basis {
        TierBasis::Amount => value.normalize().to_string(),
        TierBasis::Attainment { .. } => format!("{}%", (value * Decimal::ONE_HUNDRED).normalize()),
    }
}

pub(crate) fn first_of_month(day: Date) -> Date {
    day.first_of_month()
}
