//! Who may see which record. Admins, comp admins, finance and executives see the whole
//! company. A manager sees the people in their org subtree *while* they are in it (a rep who
//! moved teams mid-year is visible to each manager for their own months), and the records
//! those people owned on those dates. A rep sees themselves. Compensation inputs follow the
//! same reach: quotas and plan assignments by position, splits, adjustments and objective
//! scores by person, over the days each row is about. Everything else is invisible, which the
//! callers turn into "not found".

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use attain_core::domain::Opportunity;
use attain_core::{Date, Kind, Period};

use crate::access::{Actor, Role};
use crate::snapshot::{Snapshot, slot};
use attain_facts::NONE;
use attain_facts::day::{OPEN, day_of};
use fixedbitset::FixedBitSet;

/// A span of days `[from, to)`; `to = None` is open-ended.
pub type Span = (Date, Option<Date>);

/// Which rows of each kind an actor may see.
#[derive(Debug)]
pub enum Visible {
    All,
    /// A bit per record of each kind, in key order: a manager's view of ten million
    /// transactions is 1.2 MB.
    Only(Vec<FixedBitSet>),
}

impl Visible {
    pub fn row(&self, kind: Kind, index: usize) -> bool {
        match self {
            Visible::All => true,
            Visible::Only(bits) => bits[slot(kind)].contains(index),
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Visible::All)
    }

    /// The visible indexes of `kind`, which has `count` records, in key order.
    pub fn rows(&self, kind: Kind, count: usize) -> Box<dyn Iterator<Item = usize> + '_> {
        match self {
            Visible::All => Box::new(0..count),
            Visible::Only(bits) => Box::new(bits[slot(kind)].ones()),
        }
    }

    /// How many of the `count` records of `kind` are visible.
    pub fn count(&self, kind: Kind, count: usize) -> usize {
        match self {
            Visible::All => count,
            Visible::Only(bits) => bits[slot(kind)].count_ones(..),
        }
    }

    /// Up to `n` visible indexes of `kind` from the `start`-th on, and how many are visible.
    pub fn page(&self, kind: Kind, count: usize, start: usize, n: usize) -> (Vec<usize>, usize) {
        match self {
            Visible::All => ((start.min(count)..start.saturating_add(n).min(count)).collect(), count),
            Visible::Only(bits) => {
                let set = &bits[slot(kind)];
                (set.ones().skip(start).take(n).collect(), set.count_ones(..))
            }
        }
    }
}

fn bits(flags: impl Iterator<Item = bool>) -> FixedBitSet {
    let flags: Vec<bool> = flags.collect();
    let mut set = FixedBitSet::with_capacity(flags.len());
    for (i, _) in flags.iter().enumerate().filter(|(_, f)| **f) {
        set.insert(i);
    }
    set
}

/// The cache key for an actor whose view is limited, `None` for whole-company roles.
pub(crate) fn cache_key(actor: &Actor) -> Option<String> {
    match actor.role {
        Role::Manager | Role::Rep => {
            Some(format!("{}:{}", actor.role, actor.person_id.as_deref().unwrap_or_default()))
        }
        _ => None,
    }
}

fn overlaps(a: &Span, b: &Span) -> bool {
    let a_before_b_ends = b.1.is_none_or(|end| a.0 < end);
    let b_before_a_ends = a.1.is_none_or(|end| b.0 < end);
    a_before_b_ends && b_before_a_ends
}

fn contains(span: &Span, day: Date) -> bool {
    span.0 <= day && span.1.is_none_or(|end| day < end)
}

/// Spans during which each person, and each position, is within the actor's reach.
#[derive(Debug, Default)]
struct Reach<'a> {
    people: HashMap<&'a str, Vec<Span>>,
    positions: HashMap<&'a str, Vec<Span>>,
}

impl<'a> Reach<'a> {
    fn person_on(&self, person: &str, day: Date) -> bool {
        self.people.get(person).is_some_and(|spans| spans.iter().any(|s| contains(s, day)))
    }

    fn person_during(&self, person: &str, span: &Span) -> bool {
        self.people.get(person).is_some_and(|spans| spans.iter().any(|s| overlaps(s, span)))
    }

    fn position_during(&self, position: &str, span: &Span) -> bool {
        self.positions.get(position).is_some_and(|spans| spans.iter().any(|s| overlaps(s, span)))
    }
}

fn add_span<'a>(map: &mut HashMap<&'a str, Vec<Span>>, id: &'a str, span: Span) {
    let spans = map.entry(id).or_default();
    // Segments arrive in date order, so a span continuing the last one extends it.
    if let Some(last) = spans.last_mut()
        && last.1 == Some(span.0)
    {
        last.1 = span.1;
        return;
    }
    spans.push(span);
}

/// A manager's reach: walk the org one stretch of constant structure at a time (between
/// consecutive dates where any position version or assignment starts or ends), find the
/// positions below the manager's own, and credit their holders with that stretch.
fn manager_reach<'a>(snapshot: &'a Snapshot, person: &'a str) -> Reach<'a> {
    let data = &snapshot.data;
    let mut reach = Reach::default();
    reach.people.insert(person, vec![(Date::MIN, None)]);
    let mut dates = BTreeSet::new();
    for p in &data.positions {
        dates.insert(p.validity.from);
        dates.extend(p.validity.to);
    }
    for a in &data.assignments {
        dates.insert(a.validity.from);
        dates.extend(a.validity.to);
    }
    let dates: Vec<Date> = dates.into_iter().collect();
    for (i, &day) in dates.iter().enumerate() {
        let span: Span = (day, dates.get(i + 1).copied());
        let own: Vec<&str> = data
            .assignments
            .iter()
            .filter(|a| a.person_id == person && a.validity.contains(day))
            .map(|a| a.position_id.as_str())
            .collect();
        if own.is_empty() {
            continue;
        }
        let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
        for p in data.positions.iter().filter(|p| p.validity.contains(day)) {
            if let Some(parent) = &p.reports_to {
                children.entry(parent.as_str()).or_default().push(p.id.as_str());
            }
        }
        let mut below: HashSet<&str> = own.iter().copied().collect();
        let mut queue = own.clone();
        while let Some(position) = queue.pop() {
            for &child in children.get(position).map_or(&[][..], Vec::as_slice) {
                if below.insert(child) {
                    queue.push(child);
                }
            }
        }
        for &position in &below {
            add_span(&mut reach.positions, position, span);
        }
        for a in data
            .assignments
            .iter()
            .filter(|a| a.validity.contains(day) && below.contains(a.position_id.as_str()))
        {
            if a.person_id != person {
                add_span(&mut reach.people, a.person_id.as_str(), span);
            }
        }
    }
    reach
}

fn rep_reach<'a>(snapshot: &'a Snapshot, person: &'a str) -> Reach<'a> {
    let mut reach = Reach::default();
    reach.people.insert(person, vec![(Date::MIN, None)]);
    for a in snapshot.data.assignments.iter().filter(|a| a.person_id == person) {
        reach.positions.entry(a.position_id.as_str()).or_default().push((a.validity.from, a.validity.to));
    }
    reach
}

/// The days an opportunity was worked: from creation through its close day (open-ended while
/// it is open).
fn lifetime(o: &Opportunity) -> Span {
    (o.created_on.unwrap_or(Date::MIN), o.closed_on.and_then(|d| d.tomorrow().ok()))
}

/// The rows of every kind that a manager or rep may see.
pub(crate) fn compute(snapshot: &Snapshot, actor: &Actor) -> Visible {
    let Some(person) = actor.person_id.as_deref() else {
        // A manager or rep not linked to a person sees nothing but the shared catalogues.
        return Visible::Only(flags_with(snapshot, &Reach::default()));
    };
    let person_known = !snapshot.find(Kind::People, person).is_empty();
    let reach = match (actor.role, person_known) {
        (_, false) => Reach::default(),
        (Role::Manager, true) => manager_reach(snapshot, person),
        _ => rep_reach(snapshot, person),
    };
    Visible::Only(flags_with(snapshot, &reach))
}

fn flags_with(snapshot: &Snapshot, reach: &Reach<'_>) -> Vec<FixedBitSet> {
    let data = &snapshot.data;
    let mut flags: Vec<Vec<bool>> = Kind::ALL.iter().map(|k| vec![false; snapshot.count(*k)]).collect();
    let set = |flags: &mut Vec<Vec<bool>>, kind: Kind, values: Vec<bool>| flags[slot(kind)] = values;
    let ever = (Date::MIN, None);

    // Shared catalogues and settings: everyone signed in may read them.
    for kind in [Kind::Company, Kind::Products, Kind::FxRates] {
        set(&mut flags, kind, vec![true; data.len(kind)]);
    }
    set(&mut flags, Kind::People, data.people.iter().map(|p| reach.person_during(&p.id, &ever)).collect());
    set(
        &mut flags,
        Kind::Positions,
        data.positions
            .iter()
            .map(|p| reach.position_during(&p.id, &(p.validity.from, p.validity.to)))
            .collect(),
    );
    set(
        &mut flags,
        Kind::Assignments,
        data.assignments
            .iter()
            .map(|a| reach.person_during(&a.person_id, &(a.validity.from, a.validity.to)))
            .collect(),
    );
    let owners: Vec<bool> = data
        .territory_owners
        .iter()
        .map(|o| reach.position_during(&o.position_id, &(o.validity.from, o.validity.to)))
        .collect();
    let mut territories: HashSet<&str> = data
        .territory_owners
        .iter()
        .zip(&owners)
        .filter(|(_, v)| **v)
        .map(|(o, _)| o.territory_id.as_str())
        .collect();
    // A territory reached is reached with everything below it: a regional manager sees the
    // districts under their region, which no seat owns, and the reps' patches under those.
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    for t in &data.territories {
        if let Some(parent) = t.parent_id.as_deref() {
            children.entry(parent).or_default().push(t.id.as_str());
        }
    }
    let mut next: Vec<&str> = territories.iter().copied().collect();
    while let Some(t) = next.pop() {
        for child in children.get(t).into_iter().flatten() {
            if territories.insert(child) {
                next.push(child);
            }
        }
    }
    set(&mut flags, Kind::TerritoryOwners, owners);
    set(
        &mut flags,
        Kind::Territories,
        data.territories.iter().map(|t| territories.contains(t.id.as_str())).collect(),
    );

    let opportunities: Vec<bool> =
        data.opportunities.iter().map(|o| reach.person_during(&o.owner_id, &lifetime(o))).collect();
    let visible_opps: HashSet<&str> = data
        .opportunities
        .iter()
        .zip(&opportunities)
        .filter(|(_, v)| **v)
        .map(|(o, _)| o.id.as_str())
        .collect();
    let mut reached_accounts: HashSet<&str> = HashSet::new();
    for (o, v) in data.opportunities.iter().zip(&opportunities) {
        if *v && let Some(account) = &o.account_id {
            reached_accounts.insert(account.as_str());
        }
    }
    set(&mut flags, Kind::Opportunities, opportunities);
    set(
        &mut flags,
        Kind::StageHistory,
        data.stage_history.iter().map(|s| visible_opps.contains(s.opportunity_id.as_str())).collect(),
    );
    // An account placed by the rules in a territory the actor reaches, at any time.
    for a in &data.account_territories {
        if territories.contains(a.territory_id.as_str()) {
            reached_accounts.insert(a.account_id.as_str());
        }
    }
    let accounts: Vec<bool> = data
        .accounts
        .iter()
        .map(|a| {
            reached_accounts.contains(a.id.as_str())
                || a.owner_id.as_deref().is_some_and(|owner| reach.person_during(owner, &ever))
                || a.territory_id.as_deref().is_some_and(|t| territories.contains(t))
        })
        .collect();
    let visible_accounts: HashSet<&str> =
        data.accounts.iter().zip(&accounts).filter(|(_, v)| **v).map(|(a, _)| a.id.as_str()).collect();
    set(&mut flags, Kind::Accounts, accounts);
    // A rule is seen with its territory; an account's territory rows with the account.
    set(
        &mut flags,
        Kind::TerritoryRules,
        data.territory_rules.iter().map(|r| territories.contains(r.territory_id.as_str())).collect(),
    );
    set(
        &mut flags,
        Kind::AccountTerritories,
        data.account_territories.iter().map(|a| visible_accounts.contains(a.account_id.as_str())).collect(),
    );
    set(
        &mut flags,
        Kind::Contacts,
        data.contacts.iter().map(|c| visible_accounts.contains(c.account_id.as_str())).collect(),
    );
    // An activity belongs to the day it happened in the company's own time zone: a call at
    // 23:30 UTC may be the next morning in the office that made it.
    let zone = data
        .company
        .first()
        .and_then(|c| jiff::tz::TimeZone::get(&c.time_zone).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    set(
        &mut flags,
        Kind::Activities,
        data.activities
            .iter()
            .map(|a| reach.person_on(&a.owner_id, a.occurred_at.to_zoned(zone.clone()).date()))
            .collect(),
    );
    comp_flags(snapshot, reach, &mut flags);
    let mut out: Vec<FixedBitSet> = flags.into_iter().map(|f| bits(f.into_iter())).collect();
    out[slot(Kind::Transactions)] = transaction_bits(snapshot, reach);
    out
}

/// The transactions whose owner (or, without one, their opportunity's owner) was in reach on
/// the transaction's day, read from the fact store's columns: a pass over ten million rows
/// compares numbers, never ids.
fn transaction_bits(snapshot: &Snapshot, reach: &Reach<'_>) -> FixedBitSet {
    let facts = &snapshot.facts;
    let txns = &facts.transactions;
    // Each person in reach by number, with their spans as day numbers.
    let mut spans_of: Vec<Option<Vec<(i32, i32)>>> = vec![None; facts.people.len()];
    for (person, spans) in &reach.people {
        if let Some(n) = facts.people.get(person) {
            let days = spans.iter().map(|(from, to)| (day_of(*from), to.map_or(OPEN, day_of))).collect();
            spans_of[n as usize] = Some(days);
        }
    }
    let owner_of = |row: usize| {
        let owner = txns.owner.get(row).or_else(|| {
            let opportunity = txns.opportunity.get(row)?;
            facts.pipeline.owner.get(opportunity as usize).copied().filter(|o| *o != NONE)
        })?;
        spans_of.get(owner as usize)?.as_ref()
    };
    let count = snapshot.count(Kind::Transactions);
    let mut set = FixedBitSet::with_capacity(count);
    for index in 0..count {
        let row = snapshot.transaction_row(index);
        let day = txns.day[row];
        if owner_of(row).is_some_and(|spans| spans.iter().any(|(from, to)| *from <= day && day < *to)) {
            set.insert(index);
        }
    }
    set
}

/// The compensation inputs: quotas, quota sheets, objectives and plan assignments follow their position, splits,
/// adjustments and objective scores their person, each for the days the row is about (a
/// period's days, a plan's range, the life of the split deal).
fn comp_flags(snapshot: &Snapshot, reach: &Reach<'_>, flags: &mut [Vec<bool>]) {
    let data = &snapshot.data;
    let calendar = data.company.first().map(|c| c.calendar).unwrap_or_default();
    let days_of = |period: Period| {
        let bounds = calendar.bounds(period);
        (bounds.from, bounds.to)
    };
    flags[slot(Kind::Quotas)] =
        data.quotas.iter().map(|q| reach.position_during(&q.position_id, &days_of(q.period))).collect();
    // A quota sheet follows the seat whose target it divides, over its fiscal year: a manager
    // sees their own team's sheets (their envelope is a line of the sheet above, a quota on
    // their own seat), never the sheet above or a peer's.
    flags[slot(Kind::QuotaSheets)] = data
        .quota_sheets
        .iter()
        .map(|s| {
            reach.position_during(&s.owner_position_id, &days_of(Period::Year { fiscal_year: s.fiscal_year }))
        })
        .collect();
    flags[slot(Kind::PlanAssignments)] = data
        .plan_assignments
        .iter()
        .map(|a| reach.position_during(&a.position_id, &(a.validity.from, a.validity.to)))
        .collect();
    let lifetimes: HashMap<&str, Span> =
        data.opportunities.iter().map(|o| (o.id.as_str(), lifetime(o))).collect();
    flags[slot(Kind::CreditSplits)] = data
        .credit_splits
        .iter()
        .map(|s| {
            let span = lifetimes.get(s.opportunity_id.as_str()).copied().unwrap_or((Date::MIN, None));
            reach.person_during(&s.person_id, &span)
        })
        .collect();
    flags[slot(Kind::Adjustments)] =
        data.adjustments.iter().map(|a| reach.person_during(&a.person_id, &days_of(a.period))).collect();
    flags[slot(Kind::ObjectiveScores)] =
        data.objective_scores.iter().map(|o| reach.person_during(&o.person_id, &days_of(o.period))).collect();
    // An objective follows its seat over the days it is in force, as a quota does.
    flags[slot(Kind::Objectives)] = data
        .objectives
        .iter()
        .map(|o| reach.position_during(&o.position_id, &(o.valid_from, o.valid_to)))
        .collect();
}

/// Which people's pay `actor` may see for the days of `period`: `None` for whole-company roles,
/// else the people in their reach on some day of the period (a rep: only themselves; a
/// manager: their team as it was then, so a rep who moved is seen by each manager for their own
/// months).
pub fn pay_reach(
    snapshot: &Snapshot,
    actor: &Actor,
    period: &attain_core::Validity,
) -> Option<Arc<HashSet<String>>> {
    let key = format!("{}:{}:{:?}", cache_key(actor)?, period.from, period.to);
    // Walking a manager's org over the year's changes costs a 10,000-payee company about a
    // tenth of a second: once per snapshot, actor and month, not per page.
    Some(snapshot.pay_reach_cached(key, || reach_for_pay(snapshot, actor, period)))
}

fn reach_for_pay(snapshot: &Snapshot, actor: &Actor, period: &attain_core::Validity) -> HashSet<String> {
    let Some(person) = actor.person_id.as_deref() else { return HashSet::new() };
    let reach = match actor.role {
        Role::Manager => manager_reach(snapshot, person),
        _ => rep_reach(snapshot, person),
    };
    let span: Span = (period.from, period.to);
    snapshot
        .data
        .people
        .iter()
        .filter(|p| p.id == person || (actor.role == Role::Manager && reach.person_during(&p.id, &span)))
        .map(|p| p.id.clone())
        .collect()
}

/// The plans held within `actor`'s reach, each with the days it was held there: `None` for
/// whole-company roles. A plan is held by whoever holds a position it is assigned to, for the
/// days both are true; a rep's are the plans of their own seats, a manager's those of the seats
/// below them (and their own) for the days those seats were below them and held by someone in
/// their reach.
pub fn plan_reach(snapshot: &Snapshot, actor: &Actor) -> Option<Vec<(String, Span)>> {
    cache_key(actor)?;
    let Some(person) = actor.person_id.as_deref() else { return Some(Vec::new()) };
    if snapshot.find(Kind::People, person).is_empty() {
        return Some(Vec::new());
    }
    let reach = match actor.role {
        Role::Manager => manager_reach(snapshot, person),
        _ => rep_reach(snapshot, person),
    };
    let data = &snapshot.data;
    let mut held = Vec::new();
    for seat in &data.assignments {
        let seat_span: Span = (seat.validity.from, seat.validity.to);
        if !reach.person_during(&seat.person_id, &seat_span) {
            continue;
        }
        let Some(position_spans) = reach.positions.get(seat.position_id.as_str()) else { continue };
        for plan in data.plan_assignments.iter().filter(|p| p.position_id == seat.position_id) {
            let plan_span: Span = (plan.validity.from, plan.validity.to);
            for within in position_spans {
                if let Some(span) = intersect(&seat_span, within).and_then(|s| intersect(&s, &plan_span)) {
                    held.push((plan.plan_id.clone(), span));
                }
            }
        }
    }
    Some(held)
}

/// Whether `span` overlaps a day of any of `spans`.
pub fn overlaps_any(spans: &[Span], span: &Span) -> bool {
    spans.iter().any(|s| overlaps(s, span))
}

/// The days two spans share, if any.
fn intersect(a: &Span, b: &Span) -> Option<Span> {
    let from = a.0.max(b.0);
    let to = match (a.1, b.1) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    };
    to.is_none_or(|end| from < end).then_some((from, to))
}
