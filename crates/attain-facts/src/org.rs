//! The organisation over time as interval tables: who holds a position, which position a
//! person holds, whom a position reports to, which position owns a territory, each on any
//! day by binary search. Built from the records with the data's own precedence (the first
//! matching row wins where rows overlap), so answers equal a scan of the records.

use attain_core::Dataset;

use crate::day::{day_of, end_of};
use crate::intern::{Interner, NONE};
use crate::intervals::{Intervals, Row};

#[derive(Debug, Clone, Default)]
pub struct Org {
    /// Position → the person holding it.
    pub holder: Intervals,
    /// Person → the position they hold.
    pub position: Intervals,
    /// Position → the position it reports to (`NONE` at the top, or when no version is in force).
    pub reports_to: Intervals,
    /// Territory → the position owning it.
    pub territory_owner: Intervals,
    /// Every day the org changes on: an assignment, a position version or a territory owner
    /// starts or ends. Between two of them the structure is constant.
    pub changes: Vec<i32>,
}

/// The interners the org's ids go into.
#[derive(Debug)]
pub struct OrgIds<'a> {
    pub people: &'a mut Interner,
    pub positions: &'a mut Interner,
    pub territories: &'a mut Interner,
}

impl Org {
    pub fn build(data: &Dataset, ids: &mut OrgIds<'_>) -> Org {
        let mut holder = Vec::with_capacity(data.assignments.len());
        let mut position = Vec::with_capacity(data.assignments.len());
        let mut changes = Vec::new();
        for a in &data.assignments {
            let (p, pos) = (ids.people.intern(&a.person_id), ids.positions.intern(&a.position_id));
            let (from, to) = (day_of(a.validity.from), end_of(a.validity.to));
            holder.push(Row { key: pos, from, to, value: p });
            position.push(Row { key: p, from, to, value: pos });
            changes.extend([from, to]);
        }
        let mut reports = Vec::with_capacity(data.positions.len());
        for v in &data.positions {
            let pos = ids.positions.intern(&v.id);
            let to_pos = v.reports_to.as_deref().map_or(NONE, |r| ids.positions.intern(r));
            let (from, to) = (day_of(v.validity.from), end_of(v.validity.to));
            reports.push(Row { key: pos, from, to, value: to_pos });
            changes.extend([from, to]);
        }
        let mut owners = Vec::with_capacity(data.territory_owners.len());
        for o in &data.territory_owners {
            let t = ids.territories.intern(&o.territory_id);
            let pos = ids.positions.intern(&o.position_id);
            let (from, to) = (day_of(o.validity.from), end_of(o.validity.to));
            owners.push(Row { key: t, from, to, value: pos });
            changes.extend([from, to]);
        }
        changes.sort_unstable();
        changes.dedup();
        Org {
            holder: Intervals::build(ids.positions.len(), &holder),
            position: Intervals::build(ids.people.len(), &position),
            reports_to: Intervals::build(ids.positions.len(), &reports),
            territory_owner: Intervals::build(ids.territories.len(), &owners),
            changes,
        }
    }

    /// The positions above `position` on `day`, nearest first, stopping at a cycle.
    pub fn chain(&self, position: u32, day: i32, mut visit: impl FnMut(u32)) {
        let mut seen: Vec<u32> = Vec::with_capacity(8);
        let mut current = self.reports_to.get(position, day);
        while current != NONE && current != position && !seen.contains(&current) {
            visit(current);
            seen.push(current);
            current = self.reports_to.get(current, day);
        }
    }
}
