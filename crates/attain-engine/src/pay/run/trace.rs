//! The explanation of one statement line, built on request (never in the bulk run): the
//! credited transactions and why each was credited (rule, split share, roll-up path), how each
//! counted, the quota's parts, the attainment, the tiers crossed and the arithmetic.

use attain_core::{Currency, Date, Period, Validity};
use attain_facts::NONE;
use rust_decimal::Decimal;
use serde::Serialize;

use super::EngineError;
use super::component::{Counted, QuotaPart, Subject};
use super::credit::{CreditKind, Reason};
use super::prepare::Prepared;
use super::statement::Statement;
use super::txn::Txn;
use crate::pay::plan::{ComponentKind, TierBasis};

/// One credited transaction as the trace shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TracedCredit {
    pub transaction: String,
    pub date: Date,
    pub kind: String,
    pub amount: Decimal,
    pub currency: Currency,
    /// The credited share (1 = 100%).
    pub share: Decimal,
    pub credit: CreditKind,
    /// Why this payee was credited, in words (rule, split, roll-up path).
    pub why: String,
    /// What it adds to the measure (or claws back), in the payee's currency.
    pub value: Decimal,
    pub counted: String,
}

/// One tier's part in a marginal payout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TracedTier {
    /// 1-based.
    pub tier: usize,
    pub from: Decimal,
    pub value: Decimal,
    /// The slice of the input in this tier, and what it paid (in money for attainment-keyed
    /// tables: the slice of attainment times the quota).
    pub slice: Decimal,
    pub paid: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    pub person_id: String,
    pub period: Period,
    pub plan: String,
    pub component: String,
    pub scope: &'static str,
    /// The days measured (the window so far).
    pub measured: Validity,
    pub credits: Vec<TracedCredit>,
    pub measure_total: Option<Decimal>,
    pub quota_parts: Vec<QuotaPart>,
    pub quota: Option<Decimal>,
    pub attainment: Option<Decimal>,
    pub mode: Option<&'static str>,
    pub tiers: Vec<TracedTier>,
    pub modifiers: Vec<(String, Decimal)>,
    pub earned: Decimal,
    pub notes: Vec<String>,
}

impl Prepared<'_> {
    /// Explains component `component` of plan `plan` for `person` in `month`.
    pub fn trace(
        &self,
        person: &str,
        month: Period,
        plan: &str,
        component: &str,
    ) -> Result<Trace, EngineError> {
        let missing = || EngineError::NothingToTrace {
            person: person.to_string(),
            period: month,
            what: format!("{plan}/{component}"),
        };
        let p = self.data.people.iter().position(|x| x.id == person).ok_or_else(missing)?;
        let bounds = self.calendar.bounds(month);
        let last_day = bounds.to.and_then(|t| t.yesterday().ok()).unwrap_or(bounds.from);
        let version = self.stretches[p]
            .iter()
            .filter(|s| s.plan == plan && s.days.overlaps(&bounds))
            .filter_map(|s| s.days.intersect(&bounds))
            .map(|v| v.to.and_then(|t| t.yesterday().ok()).unwrap_or(last_day))
            .max()
            .and_then(|day| self.book.version_on(plan, day))
            .ok_or_else(missing)?;
        let comp = version.components.iter().find(|c| c.id == component).ok_or_else(missing)?;
        let window = self.window(comp.scope, month).ok_or_else(missing)?;
        let currency = self.data.people[p].pay_currency.unwrap_or(self.base);
        let who = Subject { person: p, plan: version, currency };
        let ev = self.evaluate(who, comp, &window)?;
        let mut credits = Vec::new();
        let measure = match &comp.kind {
            ComponentKind::Commission { measure, .. } | ComponentKind::Spif { measure, .. } => Some(*measure),
            _ => None,
        };
        if let Some(m) = measure {
            self.each_credit(who, m, window.to_date, |c, value, counted| {
                let t = Txn::at(&self.store, c.txn);
                let id = |row: u32| self.store.transactions.ids.get(row as usize);
                let counted = match counted {
                    Counted::InMeasure => "in the measure".to_string(),
                    Counted::Clawback { original } => {
                        format!("claws back {} (credited in an earlier window)", id(original))
                    }
                    Counted::TooLate { original } => {
                        format!("not counted: reverses {} after the plan's clawback window", id(original))
                    }
                };
                credits.push(TracedCredit {
                    transaction: id(c.txn),
                    date: t.date(),
                    kind: t.kind().to_string(),
                    amount: t.amount(),
                    currency: t.currency(),
                    share: c.share,
                    credit: c.kind,
                    why: self.why(p, c),
                    value,
                    counted,
                });
            })?;
        }
        let quota_parts = match &comp.kind {
            ComponentKind::Commission { basis: TierBasis::Attainment { quota }, .. } => {
                self.quota_parts(who, quota, window.full)?
            }
            _ => Vec::new(),
        };
        let mut tiers = Vec::new();
        let mut mode = None;
        if let (ComponentKind::Commission { table, basis, .. }, Some(payout)) = (&comp.kind, &ev.payout) {
            mode = Some(table.mode().name());
            // Attainment tiers were run as amount tiers (start × quota): show the starts so.
            let scale = match basis {
                TierBasis::Attainment { .. } => ev.quota.unwrap_or_default(),
                TierBasis::Amount => Decimal::ONE,
            };
            for (i, slice, paid) in &payout.slices {
                let step = table.steps()[*i];
                tiers.push(TracedTier {
                    tier: i + 1,
                    from: step.from * scale,
                    value: step.value,
                    slice: *slice,
                    paid: *paid,
                });
            }
        }
        Ok(Trace {
            person_id: person.to_string(),
            period: month,
            plan: format!("{}@{}", version.id, version.version),
            component: comp.id.clone(),
            scope: comp.scope.name(),
            measured: window.to_date,
            credits,
            measure_total: ev.total,
            quota_parts,
            quota: ev.quota,
            attainment: ev.attainment,
            mode,
            tiers,
            modifiers: ev.modifiers.clone(),
            earned: ev.earned,
            notes: ev.notes.clone(),
        })
    }

    /// The traces of every component line of a statement, in line order (one per component).
    pub fn statement_traces(&self, s: &Statement) -> Result<Vec<Trace>, EngineError> {
        let mut traces: Vec<Trace> = Vec::new();
        for line in s.components() {
            let (Some(plan), Some(component)) = (&line.plan, &line.component) else { continue };
            if traces
                .iter()
                .any(|t| &t.component == component && t.plan.split('@').next() == Some(plan.as_str()))
            {
                continue;
            }
            // A line whose plan or component no longer exists in today's data has nothing to show.
            match self.trace(&s.person_id, s.period, plan, component) {
                Ok(t) => traces.push(t),
                Err(EngineError::NothingToTrace { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(traces)
    }

    /// Why person `p` holds credit `c`, in words.
    fn why(&self, p: usize, c: &super::credit::Credit) -> String {
        let share = format!("{}%", (c.share * Decimal::ONE_HUNDRED).normalize());
        match c.reason {
            Reason::Rule(rule) => format!("{} ({share})", rule.name().replace('_', " ")),
            Reason::OverlaySplit => format!("overlay split ({share})"),
            Reason::Rollup => {
                // Walk up from each primary payee of this transaction to this manager's seat.
                let t = Txn::at(&self.store, c.txn);
                let org = &self.store.org;
                let me = p as u32;
                let mine = org.position.get(me, t.day);
                let mut direct = Vec::new();
                if self.crediting.direct(&t, &mut direct).is_err() {
                    return format!("roll-up ({share})");
                }
                let name = |pos: u32| self.store.positions.name(pos).to_string();
                // In the dataset's order of people, each once, as the landed trace listed them.
                let mut below: Vec<u32> =
                    direct.iter().filter(|d| d.credit.kind == CreditKind::Direct).map(|d| d.person).collect();
                below.sort_unstable();
                below.dedup();
                let mut paths = Vec::new();
                for person in below {
                    let pos = org.position.get(person, t.day);
                    if pos == NONE {
                        continue;
                    }
                    let mut path = vec![name(pos)];
                    let mut found = false;
                    org.chain(pos, t.day, |up| {
                        if found {
                            return;
                        }
                        path.push(name(up));
                        if up == mine && org.holder.get(up, t.day) == me {
                            found = true;
                        }
                    });
                    if found {
                        let person = &self.data.people[person as usize].name;
                        paths.push(format!("{person} via {}", path.join(" → ")));
                    }
                }
                format!("roll-up ({share}) from {}", paths.join("; "))
            }
        }
    }
}
