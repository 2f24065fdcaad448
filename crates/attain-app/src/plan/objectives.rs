//! Individual objectives: reading the objectives the actor may see, setting one for a seat or
//! for every seller below a seat at once (allocating a team objective), and ending one.
//!
//! Who sets them: comp admins for any seat; a manager for the seats below their own (their
//! team, as the org is today), never their own. Reps read their own. Whole-company roles read
//! all. Setting an objective from a day ends the seat's objective on the same measure that
//! holds on that day, so a seat has one objective per measure at a time and the history stays.

use std::collections::{HashMap, HashSet};

use attain_core::dating::parse_date;
use attain_core::domain::{Assignment, Cadence, Objective, ObjectiveMeasure, Position, position_of};
use attain_core::record::{Choice, Record, Value, text};
use attain_core::{Dataset, Date, Kind};
use serde::Deserialize;

use super::quota_sheets::seat_name;
use crate::access::{Actor, Permission, Role};
use crate::app::App;
use crate::audit::Change;
use crate::batch_write::source_row;
use crate::error::{AppError, AppResult};
use crate::import::{Batch, Origin};

/// A seat the actor may set objectives for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatChoice {
    pub id: String,
    /// `Account Executive — East Sales`.
    pub name: String,
    /// Who holds it today (open seats carry objectives too: the next holder inherits them).
    pub holder: Option<String>,
}

/// One objective as the page and the API show it.
#[derive(Debug, Clone)]
pub struct ObjectiveRow {
    pub objective: Objective,
    pub seat: String,
    pub holder: Option<String>,
    /// Whether it holds today (else it starts later or has ended).
    pub in_force: bool,
    /// Whether the actor may end or replace it.
    pub may_change: bool,
}

/// The objectives the actor may see, and where they may set new ones.
#[derive(Debug, Clone)]
pub struct ObjectivesView {
    pub today: Date,
    pub rows: Vec<ObjectiveRow>,
    /// Seats the actor may set an objective for, one at a time.
    pub seats: Vec<SeatChoice>,
    /// Seats whose sellers (every seat below with no reports of its own) the actor may give
    /// one objective at once.
    pub teams: Vec<SeatChoice>,
}

/// A request to set an objective, as a form or a JSON body sends it (nothing else: an
/// unknown field is refused rather than ignored).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveRequest {
    /// The seat (position id).
    pub seat: String,
    /// Set it for every seller below `seat` instead of `seat` itself.
    #[serde(default)]
    pub team: bool,
    pub measure: String,
    pub cadence: String,
    pub target: String,
    #[serde(default)]
    pub currency: Option<String>,
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

fn day(field: &str, text: &str) -> AppResult<Date> {
    parse_date(text.trim()).map_err(|e| AppError::invalid(field, e.to_string()))
}

fn filled(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// The org on one day: each seat in force and the seats reporting to it.
struct Org<'a> {
    seats: HashMap<&'a str, &'a Position>,
    children: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Org<'a> {
    fn on(positions: &'a [Position], day: Date) -> Org<'a> {
        let mut seats = HashMap::new();
        let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
        for p in positions.iter().filter(|p| p.validity.contains(day)) {
            seats.insert(p.id.as_str(), p);
            if let Some(parent) = p.reports_to.as_deref() {
                children.entry(parent).or_default().push(p.id.as_str());
            }
        }
        Org { seats, children }
    }

    /// Every seat below `seat`, at any depth.
    fn below(&self, seat: &str) -> Vec<&'a str> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut next: Vec<&str> = self.children.get(seat).cloned().unwrap_or_default();
        while let Some(s) = next.pop() {
            // A cycle in bad data must not loop forever.
            if seen.insert(s) {
                out.push(s);
                next.extend(self.children.get(s).into_iter().flatten().copied());
            }
        }
        out
    }

    fn is_leaf(&self, seat: &str) -> bool {
        self.children.get(seat).is_none_or(Vec::is_empty)
    }
}

/// The seats `actor` may set objectives for in `org` (the org on `day`): all for comp
/// admins, the seats below a manager's own, none for anyone else.
fn settable<'a>(actor: &Actor, org: &Org<'a>, assignments: &[Assignment], day: Date) -> HashSet<&'a str> {
    if actor.may(Permission::ManagePlan) {
        return org.seats.keys().copied().collect();
    }
    if actor.role != Role::Manager {
        return HashSet::new();
    }
    let own = actor.person_id.as_deref().and_then(|p| position_of(assignments, p, day));
    own.map(|seat| org.below(seat).into_iter().collect()).unwrap_or_default()
}

/// Who holds each seat on `day`, by name: one pass over the assignments, not one per seat.
fn holders_on(data: &Dataset, day: Date) -> HashMap<&str, &str> {
    let names: HashMap<&str, &str> = data.people.iter().map(|p| (p.id.as_str(), p.name.as_str())).collect();
    let mut out = HashMap::new();
    for a in data.assignments.iter().filter(|a| a.validity.contains(day)) {
        if let Some(name) = names.get(a.person_id.as_str()) {
            // The first holder, as `holder_of` reads a shared seat.
            out.entry(a.position_id.as_str()).or_insert(*name);
        }
    }
    out
}

/// The list's order: by seat, then holder (titles repeat across a team), then measure,
/// newest first.
fn order_key(r: &ObjectiveRow) -> (&str, Option<&str>, &str, &str, std::cmp::Reverse<Date>) {
    let o = &r.objective;
    (
        r.seat.as_str(),
        r.holder.as_deref(),
        o.position_id.as_str(),
        o.measure.name(),
        std::cmp::Reverse(o.valid_from),
    )
}

impl App {
    /// The objectives the actor may see (`history`: also those that have ended), and where
    /// they may set new ones.
    pub fn objectives(&self, actor: &Actor, history: bool) -> AppResult<ObjectivesView> {
        self.objectives_where(actor, history, None)
    }

    /// One objective the actor may see (ended or not), as the list shows it.
    pub fn objective(&self, actor: &Actor, id: &str) -> AppResult<ObjectiveRow> {
        self.objectives_where(actor, true, Some(id))?.rows.pop().ok_or(AppError::NotFound)
    }

    /// The list, or the one objective `only` names.
    fn objectives_where(
        &self,
        actor: &Actor,
        history: bool,
        only: Option<&str>,
    ) -> AppResult<ObjectivesView> {
        let snapshot = self.snapshot();
        let data = &snapshot.data;
        let visible = snapshot.visible_to(actor);
        let today = self.pay_today();
        let org = Org::on(&data.positions, today);
        let settable = settable(actor, &org, &data.assignments, today);
        let holders = holders_on(data, today);
        let holder = |seat: &str| holders.get(seat).map(|name| name.to_string());
        let name = |seat: &str| {
            org.seats
                .get(seat)
                .copied()
                .or_else(|| data.positions.iter().rev().find(|p| p.id == seat))
                .map_or_else(|| seat.to_string(), seat_name)
        };
        let mut rows: Vec<ObjectiveRow> = data
            .objectives
            .iter()
            .enumerate()
            .filter(|(i, o)| {
                only.is_none_or(|id| o.id == id)
                    && visible.row(Kind::Objectives, *i)
                    && (history || o.valid_to.is_none_or(|to| to > today))
            })
            .map(|(_, o)| ObjectiveRow {
                seat: name(&o.position_id),
                holder: holder(&o.position_id),
                in_force: o.holds_on(today),
                may_change: settable.contains(&o.position_id.as_str()),
                objective: o.clone(),
            })
            .collect();
        rows.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
        let choice = |seat: &str| SeatChoice { id: seat.to_string(), name: name(seat), holder: holder(seat) };
        let mut seats: Vec<SeatChoice> = settable.iter().map(|s| choice(s)).collect();
        // Seats by name, then id: names repeat across a team and a set has no order.
        seats.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        let mut teams: Vec<SeatChoice> = if actor.may(Permission::ManagePlan) {
            settable.iter().filter(|s| !org.is_leaf(s)).map(|s| choice(s)).collect()
        } else {
            // A manager's team is everyone below their own seat.
            actor
                .person_id
                .as_deref()
                .and_then(|p| position_of(&data.assignments, p, today))
                .filter(|own| !settable.is_empty() && !org.is_leaf(own))
                .map(|own| vec![choice(own)])
                .unwrap_or_default()
        };
        teams.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        Ok(ObjectivesView { today, rows, seats, teams })
    }

    /// Sets the objective for the seat, or for every seller below it (`team`), from
    /// `valid_from`: the seat's objective on the measure that holds that day ends then. One
    /// transaction and one audit entry; returns what was written.
    pub async fn set_objectives(
        &self,
        actor: &Actor,
        request: &ObjectiveRequest,
    ) -> AppResult<Vec<Objective>> {
        let _writing = self.fresh_writer().await?;
        let measure = ObjectiveMeasure::parse(&request.measure).map_err(|_| {
            AppError::invalid("measure", format!("one of {}", ObjectiveMeasure::NAMES.join(", ")))
        })?;
        let cadence = Cadence::parse(&request.cadence)
            .map_err(|_| AppError::invalid("cadence", format!("one of {}", Cadence::NAMES.join(", "))))?;
        let from = day("valid_from", &request.valid_from)?;
        let to = filled(&request.valid_to).map(|t| day("valid_to", t)).transpose()?;
        let (objectives, ended) = {
            let snapshot = self.snapshot();
            let data = &snapshot.data;
            let today = self.pay_today();
            // Authority is the org as it is today; the seats are those in force on the first day.
            let allowed = settable(actor, &Org::on(&data.positions, today), &data.assignments, today);
            let org = Org::on(&data.positions, from);
            let seat = request.seat.trim();
            let visible = snapshot.visible_to(actor);
            let seen = data
                .positions
                .iter()
                .enumerate()
                .any(|(i, p)| p.id == seat && visible.row(Kind::Positions, i));
            if !seen {
                return Err(AppError::NotFound);
            }
            if !org.seats.contains_key(seat) {
                return Err(AppError::invalid("valid_from", format!("seat {seat} does not exist on {from}")));
            }
            let seats: Vec<&str> = if request.team {
                org.below(seat).into_iter().filter(|s| org.is_leaf(s)).collect()
            } else {
                vec![seat]
            };
            if seats.is_empty() {
                return Err(AppError::invalid("team", format!("no seat reports to {seat} on {from}")));
            }
            if let Some(refused) = seats.iter().find(|s| !allowed.contains(**s)) {
                return Err(if request.team || *refused != seat {
                    AppError::invalid("seat", format!("you may not set objectives for seat {refused}"))
                } else {
                    AppError::Forbidden
                });
            }
            // The seats' existing objectives on the measure, found in one pass.
            let mut existing: HashMap<&str, Vec<&Objective>> = HashMap::new();
            for o in data.objectives.iter().filter(|o| o.measure == measure) {
                existing.entry(o.position_id.as_str()).or_default().push(o);
            }
            let mut written = Vec::new();
            let mut ended = Vec::new();
            for seat in seats {
                let objective = Objective {
                    id: Objective::id_for(seat, measure, from),
                    position_id: seat.to_string(),
                    measure,
                    cadence,
                    target: rust_decimal::Decimal::ZERO,
                    currency: None,
                    valid_from: from,
                    valid_to: to,
                    note: filled(&request.note).map(str::to_string),
                    set_by: Some(actor.login.clone()),
                };
                // The record's own rules (a money measure's currency, a whole count, the end
                // after the start) name the field at fault.
                let mut values = objective.to_values();
                let spec = &Objective::SPEC;
                if let (Some(t), Some(c)) = (spec.index_of("target"), spec.index_of("currency")) {
                    values[t] = text(request.target.trim());
                    values[c] = filled(&request.currency).map_or(Value::Null, text);
                }
                let objective =
                    Objective::from_values(&values).map_err(|e| AppError::invalid(e.column, e.reason))?;
                for other in existing.get(seat).into_iter().flatten().filter(|o| o.id != objective.id) {
                    if other.holds_on(from) {
                        ended.push(Objective { valid_to: Some(from), ..(*other).clone() });
                    } else if other.valid_from > from && to.is_none_or(|to| to > other.valid_from) {
                        return Err(AppError::invalid(
                            "valid_to",
                            format!(
                                "{} already has a {} objective from {}: end this one by then, or change that one",
                                seat,
                                measure.name(),
                                other.valid_from
                            ),
                        ));
                    }
                }
                written.push(objective);
            }
            (written, ended)
        };
        let origin = Origin::canonical("objective", Kind::Objectives);
        let mut batch = Batch::default();
        for (i, o) in ended.iter().chain(&objectives).enumerate() {
            batch.push(Kind::Objectives, source_row(Kind::Objectives, &origin, i as u64 + 1, o));
        }
        let first = &objectives[0];
        let change = Change::new(
            "objective.set",
            Kind::Objectives.name(),
            Some(if request.team { format!("team of {}", request.seat.trim()) } else { first.id.clone() }),
        )
        .after(serde_json::json!({
            "objective": first.sentence(),
            "from": from.to_string(),
            "to": to.map(|t| t.to_string()),
            "seats": objectives.iter().map(|o| o.position_id.clone()).collect::<Vec<_>>(),
            "ended": ended.iter().map(|o| o.id.clone()).collect::<Vec<_>>(),
        }));
        self.write_batch(actor, batch, change, "objectives").await?;
        Ok(objectives)
    }

    /// Ends objective `id` on `valid_to` (the first day it no longer holds).
    pub async fn end_objective(&self, actor: &Actor, id: &str, valid_to: &str) -> AppResult<Objective> {
        let _writing = self.fresh_writer().await?;
        let to = day("valid_to", valid_to)?;
        let ended = {
            let snapshot = self.snapshot();
            let data = &snapshot.data;
            let index = snapshot.find(Kind::Objectives, id).first().copied().ok_or(AppError::NotFound)?;
            if !snapshot.visible_to(actor).row(Kind::Objectives, index) {
                return Err(AppError::NotFound);
            }
            let current = &data.objectives[index];
            let today = self.pay_today();
            if !settable(actor, &Org::on(&data.positions, today), &data.assignments, today)
                .contains(current.position_id.as_str())
            {
                return Err(AppError::Forbidden);
            }
            if to <= current.valid_from {
                return Err(AppError::invalid(
                    "valid_to",
                    format!(
                        "the objective starts on {}; it can end the day after at the earliest",
                        current.valid_from
                    ),
                ));
            }
            if let Some(ends) = current.valid_to.filter(|t| *t <= to) {
                return Err(AppError::invalid("valid_to", format!("the objective already ends on {ends}")));
            }
            Objective { valid_to: Some(to), set_by: Some(actor.login.clone()), ..current.clone() }
        };
        let origin = Origin::canonical("objective", Kind::Objectives);
        let mut batch = Batch::default();
        batch.push(Kind::Objectives, source_row(Kind::Objectives, &origin, 1, &ended));
        let change = Change::new("objective.end", Kind::Objectives.name(), Some(ended.id.clone()))
            .after(serde_json::json!({ "objective": ended.sentence(), "valid_to": to.to_string() }));
        self.write_batch(actor, batch, change, "objectives").await?;
        Ok(ended)
    }
}
