//! Which reversals a payee's windows can claw back. A reversal is clawed back only by a
//! commission or SPIF whose window, at the reversal, does not hold the original (an original
//! in an earlier month for monthly components, an earlier quarter for quarterly ones, an
//! earlier year for yearly ones; or an original dated after its reversal). Every window reads
//! a payee's candidates, so only these are kept: with year-to-date plans, a manager above
//! thousands of reps keeps only the reversals of earlier years instead of every one below.

use attain_core::FiscalCalendar;
use attain_facts::FactStore;
use attain_facts::day::date_of;

use super::prepare::Stretch;
use crate::plan::{ComponentKind, PlanBook, Scope};

#[derive(Debug)]
pub(crate) struct Clawable {
    /// Per person: the scopes of the commissions and SPIFs of every plan they ever hold.
    scopes: Vec<Vec<Scope>>,
    calendar: FiscalCalendar,
}

impl Clawable {
    pub fn new(book: &PlanBook, stretches: &[Vec<Stretch>], calendar: FiscalCalendar) -> Clawable {
        let scopes = stretches
            .iter()
            .map(|held| {
                let mut scopes: Vec<Scope> = Vec::new();
                for plan in book.plans().iter().filter(|v| held.iter().any(|s| s.plan == v.id)) {
                    for c in &plan.components {
                        if matches!(c.kind, ComponentKind::Commission { .. } | ComponentKind::Spif { .. })
                            && !scopes.contains(&c.scope)
                        {
                            scopes.push(c.scope);
                        }
                    }
                }
                scopes
            })
            .collect();
        Clawable { scopes, calendar }
    }

    /// Whether some window of person `p`'s could claw back reversal row `txn`.
    pub fn wants(&self, p: u32, store: &FactStore, txn: u32) -> bool {
        let Some(scopes) = self.scopes.get(p as usize).filter(|s| !s.is_empty()) else { return false };
        let t = &store.transactions;
        let Some(o) = t.original.get(txn as usize) else { return false };
        let (day, original) = (t.day[txn as usize], t.day[o as usize]);
        if original > day {
            return true;
        }
        let (r, o) = (date_of(day), date_of(original));
        scopes.iter().any(|s| {
            let period = match s {
                Scope::Month => self.calendar.month_period(r),
                Scope::Quarter | Scope::Qtd => self.calendar.quarter_period(r),
                Scope::Year | Scope::Ytd => self.calendar.year_period(r),
            };
            o < self.calendar.bounds(period).from
        })
    }

    pub fn people(&self) -> usize {
        self.scopes.len()
    }
}
