//! Buckets: each person's days cut into stretches over which nothing that decides their pay
//! changes — the calendar month, the plans they hold, the position they hold, and the
//! reporting line above it with its holders and their plans. Credits are summed per bucket in
//! one pass over the transactions, and roll-up then runs once per bucket instead of once per
//! transaction: inside a bucket the hierarchy stands still.
//!
//! A person's cuts are the month starts, their own assignment and plan boundaries, and the
//! events of every position they ever hold or ever report up to (its assignments, versions,
//! and its holders' plan boundaries). So a payee's bucket lies inside one bucket of every
//! manager above them, and the roll-up of a bucket lands in exactly one of the manager's.

use std::collections::HashMap;

use attain_core::Dataset;
use attain_facts::day::{day_of, end_of};
use attain_facts::{FactStore, NONE, OPEN_DAY};

use super::prepare::Stretch;

/// Every person's buckets, flattened: person `p` owns `offsets[p]..offsets[p + 1]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Buckets {
    offsets: Vec<u32>,
    starts: Vec<i32>,
    /// The first day the month table covers, and each covered day's month (0-based).
    first_day: i32,
    day_month: Vec<u16>,
    /// Per month and person (`m * people + p`): the flat index of the person's first bucket
    /// in that month, the row after the last month being the end of their buckets. A day's
    /// bucket is then two reads in the common case (a month with one bucket), not a search.
    /// Month-major, so the transactions of one month (the generated and the imported ones
    /// come in date order) read two 40 KB rows at 10k people, which stay in a core's cache.
    month_at: Vec<u32>,
    /// The bulk pass's numbering of the buckets, month by month (`Place::slot`): per month
    /// and person as `month_at`, the slot of the person's first bucket in that month; and
    /// per bucket its slot. A month's transactions then add into one run of slots (10k
    /// people's, a third of a megabyte of sums) that stays in a core's cache, where the
    /// buckets' own order (each person's year together) spreads them over the whole table.
    slot_at: Vec<u32>,
    slot_of: Vec<u32>,
    people: usize,
}

/// Where a credit lands: a person's bucket (`NONE` when the day lies outside their buckets)
/// and the bucket's slot in the bulk pass's month-by-month numbering.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place {
    pub bucket: u32,
    pub slot: u32,
}

impl Place {
    const NOWHERE: Place = Place { bucket: NONE, slot: NONE };
}

/// Day numbers of the first of each month from `first`'s month through `last`'s.
fn month_starts(first: i32, last: i32) -> Vec<i32> {
    let mut out = Vec::new();
    let mut d = attain_facts::day::date_of(first).first_of_month();
    let end = attain_facts::day::date_of(last);
    while d <= end {
        out.push(day_of(d));
        let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
        match attain_core::Date::new(y, m, 1) {
            Ok(next) => d = next,
            Err(_) => break,
        }
    }
    out
}

impl Buckets {
    pub fn build(store: &FactStore, data: &Dataset, stretches: &[Vec<Stretch>]) -> Buckets {
        let days = &store.transactions.day;
        let (Some(first), Some(last)) = (days.iter().min(), days.iter().max()) else {
            return Buckets { offsets: vec![0; data.people.len() + 1], ..Default::default() };
        };
        let months = month_starts(*first, *last);
        let positions = store.positions.len();
        // Each position's events: its assignments' and versions' bounds, its holders' plan bounds.
        let mut events: Vec<Vec<i32>> = vec![Vec::new(); positions];
        let mut held: Vec<Vec<u32>> = vec![Vec::new(); data.people.len()];
        let mut up: Vec<Vec<u32>> = vec![Vec::new(); positions];
        for a in &data.assignments {
            let (Some(pos), Some(p)) = (store.positions.get(&a.position_id), store.people.get(&a.person_id))
            else {
                continue;
            };
            events[pos as usize].extend([day_of(a.validity.from), end_of(a.validity.to)]);
            if let Some(list) = held.get_mut(p as usize) {
                list.push(pos);
                if let Some(s) = stretches.get(p as usize) {
                    events[pos as usize]
                        .extend(s.iter().flat_map(|s| [day_of(s.days.from), end_of(s.days.to)]));
                }
            }
        }
        for v in &data.positions {
            let Some(pos) = store.positions.get(&v.id) else { continue };
            events[pos as usize].extend([day_of(v.validity.from), end_of(v.validity.to)]);
            if let Some(r) = v.reports_to.as_deref().and_then(|r| store.positions.get(r)) {
                up[pos as usize].push(r);
            }
        }
        // Every position ever above each position (any version's line), memoised.
        let mut above: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut ancestors = |pos: u32| -> Vec<u32> {
            if let Some(list) = above.get(&pos) {
                return list.clone();
            }
            let mut seen = vec![pos];
            let mut queue = vec![pos];
            while let Some(q) = queue.pop() {
                for r in &up[q as usize] {
                    if !seen.contains(r) {
                        seen.push(*r);
                        queue.push(*r);
                    }
                }
            }
            above.insert(pos, seen.clone());
            seen
        };
        let mut offsets = Vec::with_capacity(data.people.len() + 1);
        let mut starts = Vec::new();
        offsets.push(0);
        for (p, list) in held.iter().enumerate() {
            let mut cuts = months.clone();
            if let Some(s) = stretches.get(p) {
                cuts.extend(s.iter().flat_map(|s| [day_of(s.days.from), end_of(s.days.to)]));
            }
            let mut seen: Vec<u32> = Vec::new();
            for pos in list {
                for a in ancestors(*pos) {
                    if !seen.contains(&a) {
                        seen.push(a);
                        cuts.extend(&events[a as usize]);
                    }
                }
            }
            cuts.retain(|d| *d >= months[0] && *d != OPEN_DAY);
            cuts.sort_unstable();
            cuts.dedup();
            starts.extend(cuts);
            offsets.push(starts.len() as u32);
        }
        let first_day = months[0];
        let mut day_month = Vec::with_capacity((*last - first_day + 1).max(0) as usize);
        for (m, start) in months.iter().enumerate() {
            let end = months.get(m + 1).copied().unwrap_or(*last + 1);
            day_month.extend(std::iter::repeat_n(m as u16, (end - start).max(0) as usize));
        }
        let people = data.people.len();
        let mut month_at = vec![0u32; people * (months.len() + 1)];
        for p in 0..people {
            let (a, b) = (offsets[p] as usize, offsets[p + 1] as usize);
            // Every month start is one of each person's cuts, so each is found exactly.
            for (m, start) in months.iter().enumerate() {
                month_at[m * people + p] = (a + starts[a..b].partition_point(|s| s < start)) as u32;
            }
            month_at[months.len() * people + p] = b as u32;
        }
        // Each bucket lies in one month's range of its person (the ranges cover every bucket:
        // the first starts on the first month, the last month's runs to the person's end).
        let mut slot_at = vec![0u32; people * months.len()];
        let mut slot_of = vec![NONE; starts.len()];
        let mut next = 0u32;
        for at in 0..people * months.len() {
            slot_at[at] = next;
            for b in month_at[at]..month_at[at + people] {
                slot_of[b as usize] = next;
                next += 1;
            }
        }
        Buckets { offsets, starts, first_day, day_month, month_at, slot_at, slot_of, people }
    }

    /// Person `p`'s bucket holding `day`, as a flat index.
    pub fn of(&self, p: u32, day: i32) -> u32 {
        self.place(p, day).bucket
    }

    /// Person `p`'s bucket holding `day`, with its slot.
    pub fn place(&self, p: u32, day: i32) -> Place {
        if let Some(m) = usize::try_from(day - self.first_day).ok().and_then(|i| self.day_month.get(i)) {
            let at = *m as usize * self.people + p as usize;
            let (i, j) = (self.month_at[at], self.month_at[at + self.people]);
            let k = if j == i + 1 {
                0
            } else {
                match self.starts[i as usize..j as usize].partition_point(|s| *s <= day) {
                    0 => return Place::NOWHERE,
                    k => k as u32 - 1,
                }
            };
            return Place { bucket: i + k, slot: self.slot_at[at] + k };
        }
        let (a, b) = (self.offsets[p as usize] as usize, self.offsets[p as usize + 1] as usize);
        match self.starts[a..b].partition_point(|s| *s <= day) {
            0 => Place::NOWHERE,
            i => Place { bucket: (a + i - 1) as u32, slot: self.slot_of[a + i - 1] },
        }
    }

    /// Bucket `b`'s slot.
    pub fn slot_of(&self, b: u32) -> u32 {
        self.slot_of[b as usize]
    }

    /// Person `p`'s buckets as (flat index, first day).
    pub fn of_person(&self, p: usize) -> impl Iterator<Item = (u32, i32)> + '_ {
        let (a, b) = (self.offsets[p] as usize, self.offsets[p + 1] as usize);
        (a..b).map(|i| (i as u32, self.starts[i]))
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether `day` lies in the months the buckets were cut for (the transactions' span when
    /// the run was prepared); a change outside them needs the run prepared again.
    pub fn covers(&self, day: i32) -> bool {
        usize::try_from(day - self.first_day).is_ok_and(|i| i < self.day_month.len())
    }

    /// The first day of flat bucket `b`.
    pub fn start(&self, b: u32) -> i32 {
        self.starts[b as usize]
    }
}
