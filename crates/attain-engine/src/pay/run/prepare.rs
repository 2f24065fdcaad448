//! Everything a run needs, computed once per fact store and plan book: the crediting rules
//! compiled (`credit.rs`), the measure signatures (`sig.rs`), who holds which plan when, each
//! person's buckets (`buckets.rs`), every credit summed per bucket (`accumulate.rs`), quotas
//! by position and FX rates.

use std::borrow::Cow;
use std::collections::HashMap;

use attain_core::domain::{Adjustment, ObjectiveScore, Quota, quotas_in_force};
use attain_core::{Currency, Dataset, Date, FiscalCalendar, Validity};
use attain_facts::FactStore;
use rust_decimal::Decimal;

use super::EngineError;
use super::accumulate::{Pass, Sums, accumulate};
use super::buckets::Buckets;
use super::clawable::Clawable;
use super::credit::Crediting;
use super::running::Running;
use super::sig::Sigs;
use crate::pay::plan::PlanBook;

/// A stretch of days over which a person holds a position that carries a plan.
#[derive(Debug, Clone)]
pub(crate) struct Stretch {
    pub days: Validity,
    pub position: String,
    pub plan: String,
}

#[derive(Debug)]
pub struct Prepared<'a> {
    /// People, plan assignments, quotas, adjustments, scores, splits and FX rates; its
    /// transactions are not read (they are in `store`), so a caller streaming them in passes
    /// a dataset without them.
    pub(crate) data: &'a Dataset,
    pub(crate) book: &'a PlanBook,
    pub(crate) base: Currency,
    pub(crate) calendar: FiscalCalendar,
    pub(crate) store: Cow<'a, FactStore>,
    pub(crate) crediting: Crediting<'a>,
    pub(crate) sigs: Sigs<'a>,
    /// Per person: the plan stretches, in date order.
    pub(crate) stretches: Vec<Vec<Stretch>>,
    pub(crate) buckets: Buckets,
    pub(crate) clawable: Clawable,
    pub(crate) sums: Sums,
    /// The quota rows pay reads (imported ones, and the lines of the quota sheets in force) by
    /// position, in the data's order.
    pub(crate) quotas: HashMap<&'a str, Vec<&'a Quota>>,
    /// Per position, the days someone held it: an allocated quota is shared among its seat's
    /// holders by these days.
    pub(crate) occupied: HashMap<&'a str, Vec<Validity>>,
    /// Adjustments and objective scores by person id, in the data's order.
    pub(crate) by_person: HashMap<&'a str, PersonInputs<'a>>,
    /// Window totals read so far, per person (`running.rs`).
    pub(crate) running: Running,
}

/// One person's manual inputs, indexed once so a run does not scan everyone's per payee.
#[derive(Debug, Default)]
pub(crate) struct PersonInputs<'a> {
    pub adjustments: Vec<&'a Adjustment>,
    pub scores: Vec<&'a ObjectiveScore>,
}

impl<'a> Prepared<'a> {
    /// Prepares a run over a whole dataset (its transactions go into a fact store first).
    pub fn new(data: &'a Dataset, book: &'a PlanBook) -> Result<Prepared<'a>, EngineError> {
        Prepared::build(data, Cow::Owned(FactStore::from_dataset(data)), book)
    }

    /// Prepares a run that owns its fact store, as a server keeps it resident: changes then
    /// update the store and the run's sums in place (`incremental.rs`).
    pub fn resident(
        data: &'a Dataset,
        mut store: FactStore,
        book: &'a PlanBook,
    ) -> Result<Prepared<'a>, EngineError> {
        // Room for 1% more rows: late transactions append without copying the columns.
        let room = store.transactions.len() / 100 + 1024;
        store.transactions.reserve(room);
        Prepared::build(data, Cow::Owned(store), book)
    }

    /// Prepares a run over a fact store built elsewhere (streamed from files or kept resident
    /// by a server); `data` holds the reference data the store was built with.
    pub fn with_store(
        data: &'a Dataset,
        store: &'a FactStore,
        book: &'a PlanBook,
    ) -> Result<Prepared<'a>, EngineError> {
        Prepared::build(data, Cow::Borrowed(store), book)
    }

    pub(crate) fn build(
        data: &'a Dataset,
        store: Cow<'a, FactStore>,
        book: &'a PlanBook,
    ) -> Result<Prepared<'a>, EngineError> {
        let company = data.company.first().ok_or(EngineError::NoCompany)?;
        let crediting = Crediting::new(&store, data, &book.rules);
        crediting.first_error(&store)?;
        let stretches = Prepared::plan_stretches(data, book)?;
        let sigs = Sigs::compile(&store, book);
        let buckets = Buckets::build(&store, data, &stretches);
        let clawable = Clawable::new(&store, book, &stretches, company.calendar);
        let sums = accumulate(&Pass::new(&store, &crediting, &sigs, &buckets, &clawable))?;
        let mut quotas: HashMap<&str, Vec<&Quota>> = HashMap::new();
        for q in quotas_in_force(&data.quota_sheets, &data.quotas, &company.calendar) {
            quotas.entry(q.position_id.as_str()).or_default().push(q);
        }
        let mut occupied: HashMap<&str, Vec<Validity>> = HashMap::new();
        for a in &data.assignments {
            occupied.entry(a.position_id.as_str()).or_default().push(a.validity);
        }
        let mut by_person: HashMap<&str, PersonInputs> = HashMap::new();
        for a in &data.adjustments {
            by_person.entry(a.person_id.as_str()).or_default().adjustments.push(a);
        }
        for s in &data.objective_scores {
            by_person.entry(s.person_id.as_str()).or_default().scores.push(s);
        }
        Ok(Prepared {
            running: Running::new(data.people.len()),
            by_person,
            data,
            book,
            base: company.base_currency,
            calendar: company.calendar,
            store,
            crediting,
            sigs,
            stretches,
            buckets,
            clawable,
            sums,
            quotas,
            occupied,
        })
    }

    /// For each person, the days they hold a position with a plan, and which plan.
    pub(crate) fn plan_stretches(data: &Dataset, book: &PlanBook) -> Result<Vec<Vec<Stretch>>, EngineError> {
        let mut out: Vec<Vec<Stretch>> = vec![Vec::new(); data.people.len()];
        for pa in &data.plan_assignments {
            if !book.knows(&pa.plan_id) {
                return Err(EngineError::UnknownPlan {
                    plan: pa.plan_id.clone(),
                    position: pa.position_id.clone(),
                });
            }
        }
        // Indexed once (the data's order kept within each list), not scanned per person.
        let mut assignments: HashMap<&str, Vec<&attain_core::domain::Assignment>> = HashMap::new();
        for a in &data.assignments {
            assignments.entry(a.person_id.as_str()).or_default().push(a);
        }
        let mut plans_of: HashMap<&str, Vec<&attain_core::domain::PlanAssignment>> = HashMap::new();
        for pa in &data.plan_assignments {
            plans_of.entry(pa.position_id.as_str()).or_default().push(pa);
        }
        for (p, person) in data.people.iter().enumerate() {
            for a in assignments.get(person.id.as_str()).into_iter().flatten() {
                for pa in plans_of.get(a.position_id.as_str()).into_iter().flatten() {
                    let Some(held) =
                        a.validity.intersect(&pa.validity).and_then(|v| v.intersect(&person.employment()))
                    else {
                        continue;
                    };
                    // Only the days some version of the plan is in force count as holding it.
                    for version in book.plans().iter().filter(|v| v.id == pa.plan_id) {
                        if let Some(days) = held.intersect(&version.validity) {
                            out[p].push(Stretch {
                                days,
                                position: a.position_id.clone(),
                                plan: pa.plan_id.clone(),
                            });
                        }
                    }
                }
            }
            out[p].sort_by_key(|s| s.days.from);
        }
        Ok(out)
    }

    /// A person's adjustments, in the data's order.
    pub(crate) fn adjustments_of(&self, person: &str) -> impl Iterator<Item = &'a Adjustment> + '_ {
        self.by_person.get(person).into_iter().flat_map(|p| p.adjustments.iter().copied())
    }

    /// Whether a person holds plan `plan` on `day`. A person may hold several plans on the same
    /// day (two plans on one position, or two positions), and each counts the day for itself.
    pub(crate) fn holds(&self, person: usize, plan: &str, day: Date) -> bool {
        self.stretches[person].iter().any(|s| s.days.contains(day) && s.plan == plan)
    }

    /// The rate converting `from` into `to` on `day`: direct, inverse, or through the base.
    pub(crate) fn fx(&self, from: Currency, to: Currency, day: Date) -> Result<Decimal, EngineError> {
        crate::fx::rate(&self.data.fx_rates, self.base, from, to, day).ok_or(EngineError::NoFxRate {
            from,
            to,
            day,
        })
    }
}

/// The days of `bounds` (a bounded period) inside any of `windows`, each day counted once
/// (two holders sharing a seat on a handover day still fill it once).
pub(crate) fn days_within(windows: &[Validity], bounds: &Validity) -> i32 {
    let mut spans: Vec<Validity> = windows.iter().filter_map(|w| w.intersect(bounds)).collect();
    spans.sort_by_key(|v| v.from);
    let mut total = 0;
    let mut reached: Option<Date> = None;
    for span in spans {
        let Some(to) = span.to else { continue };
        let from = reached.map_or(span.from, |r| r.max(span.from));
        if to > from {
            total += (to - from).get_days();
            reached = Some(to);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use attain_core::{Date, Validity};

    use super::days_within;

    fn v(from: (i16, i8, i8), to: Option<(i16, i8, i8)>) -> Validity {
        let d = |(y, m, day): (i16, i8, i8)| Date::new(y, m, day).unwrap();
        Validity { from: d(from), to: to.map(d) }
    }

    #[test]
    fn a_seat_is_filled_on_the_days_any_holder_held_it_counted_once() {
        let march = v((2027, 3, 1), Some((2027, 4, 1)));
        // Vacant to the 15th, then two overlapping holders, one open-ended.
        let holders = [v((2027, 3, 15), Some((2027, 3, 25))), v((2027, 3, 20), None)];
        assert_eq!(days_within(&holders, &march), 17);
        assert_eq!(days_within(&[], &march), 0);
        assert_eq!(days_within(&[v((2026, 1, 1), Some((2027, 3, 1)))], &march), 0);
    }
}
