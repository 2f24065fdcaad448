//! Which reversals a payee's windows can claw back. A reversal is clawed back only by a
//! commission or SPIF whose window, at the reversal, does not hold the original (an original
//! in an earlier month for monthly components, an earlier quarter for quarterly ones, an
//! earlier year for yearly ones; or an original dated after its reversal). Every window reads
//! a payee's candidates, so only these are kept: with year-to-date plans, a manager above
//! thousands of reps keeps only the reversals of earlier years instead of every one below.
//! The bulk pass asks per reversal, so the answer is a comparison of day numbers against
//! each day's month, quarter and year starts, tabled once.

use attain_core::FiscalCalendar;
use attain_facts::FactStore;
use attain_facts::day::{date_of, day_of};

use super::prepare::Stretch;
use crate::pay::plan::{ComponentKind, PlanBook, Scope};

/// How long a window is: a reversal's original outside it is clawed back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    Month,
    Quarter,
    Year,
}

fn reach(scope: Scope) -> Reach {
    match scope {
        Scope::Month => Reach::Month,
        Scope::Quarter | Scope::Qtd => Reach::Quarter,
        Scope::Year | Scope::Ytd => Reach::Year,
    }
}

#[derive(Debug)]
pub(crate) struct Clawable {
    /// Per person: their shortest commission or SPIF window over every plan they ever hold.
    shortest: Vec<Option<Reach>>,
    /// The shortest of anyone's: a reversal no one could claw back is not kept at all.
    anyone: Option<Reach>,
    calendar: FiscalCalendar,
    /// For each day from `first`: the first day of its month, fiscal quarter and fiscal year.
    first: i32,
    starts: Vec<[i32; 3]>,
}

impl Clawable {
    pub fn new(
        store: &FactStore,
        book: &PlanBook,
        stretches: &[Vec<Stretch>],
        calendar: FiscalCalendar,
    ) -> Clawable {
        let shortest: Vec<Option<Reach>> = stretches
            .iter()
            .map(|held| {
                book.plans()
                    .iter()
                    .filter(|v| held.iter().any(|s| s.plan == v.id))
                    .flat_map(|plan| &plan.components)
                    .filter(|c| {
                        matches!(c.kind, ComponentKind::Commission { .. } | ComponentKind::Spif { .. })
                    })
                    .map(|c| reach(c.scope))
                    .min()
            })
            .collect();
        let anyone = shortest.iter().flatten().min().copied();
        let days = &store.transactions.day;
        let (first, last) =
            (days.iter().min().copied().unwrap_or(0), days.iter().max().copied().unwrap_or(-1));
        let mut clawable = Clawable { shortest, anyone, calendar, first, starts: Vec::new() };
        clawable.starts = (first..=last).map(|d| clawable.starts_of(d)).collect();
        clawable
    }

    fn starts_of(&self, day: i32) -> [i32; 3] {
        let date = date_of(day);
        let c = &self.calendar;
        [c.month_period(date), c.quarter_period(date), c.year_period(date)].map(|p| day_of(c.bounds(p).from))
    }

    fn outside(&self, reach: Reach, day: i32, original: i32) -> bool {
        if original > day {
            return true;
        }
        let starts = usize::try_from(day - self.first)
            .ok()
            .and_then(|i| self.starts.get(i).copied())
            .unwrap_or_else(|| self.starts_of(day));
        original < starts[reach as usize]
    }

    /// Whether anyone's windows could claw back a reversal on `day` of an original on
    /// `original` (the pass keeps only these).
    pub fn anyone_wants(&self, day: i32, original: i32) -> bool {
        self.anyone.is_some_and(|r| self.outside(r, day, original))
    }

    /// Whether some window of person `p`'s could claw back reversal row `txn`.
    pub fn wants(&self, p: u32, store: &FactStore, txn: u32) -> bool {
        let Some(Some(reach)) = self.shortest.get(p as usize) else { return false };
        let t = &store.transactions;
        let Some(o) = t.original.get(txn as usize) else { return false };
        self.outside(*reach, t.day[txn as usize], t.day[o as usize])
    }

    pub fn people(&self) -> usize {
        self.shortest.len()
    }
}
