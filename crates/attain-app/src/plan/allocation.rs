//! Quota allocation: the revenue plan's objective for a measure, divided down the sales
//! organisation as it stands in the fiscal year (the top seat → its managers → their reps), by
//! the chosen method, with an over-assignment per level, a ramp for new hires and proration
//! from the days each seat is held; then each seat's year spread over its months by the plan's
//! season and the seat's monthly capacity. Every division is exact
//! ([`attain_engine::plan::allocate`], [`attain_engine::plan::apportion`]): at every seat the
//! lines sum to the envelope's target to the cent.
//!
//! The result is a set of quota sheets (one per seat with reports) and their lines. Preview
//! and apply are one computation: [`App::quota_allocation`] computes, and
//! [`App::apply_quota_allocation`] writes exactly what it computed.

use std::collections::HashMap;

use attain_core::domain::{
    AllocationMethod, Position, Quota, QuotaMeasure, QuotaSheet, RevenuePlan, Role, SheetStatus,
    parse_fiscal_year,
};
use attain_core::record::Choice;
use attain_core::{Currency, Dataset, Date, FiscalCalendar, Money, Period, Validity};
use attain_engine::plan::{Method, Ramp, Seat, allocate, apportion, capacity};
use attain_engine::track::{OwnerActuals, owners_of_year};
use rust_decimal::Decimal;

use super::{percent, read_ramp};
use crate::access::{Actor, Permission};
use crate::app::App;
use crate::error::{AppError, AppResult};

/// What a comp admin asks for, every field as typed.
#[derive(Debug, Clone, Default)]
pub struct AllocationRequest {
    pub fiscal_year: String,
    /// `revenue`, `margin` or `bookings`.
    pub measure: String,
    /// `equal`, `last_year`, `potential` or `mix`.
    pub method: String,
    /// The mix's parts (equal, last year, potential), read when `method` is `mix`.
    pub mix: [String; 3],
    /// Over-assignment percent per level, the top seat's reports first (`100`, `110`); a level
    /// not named is 100.
    pub over_assignment: Vec<String>,
    /// Ramp percents by tenure quarter (`25,50,75`); empty for none.
    pub ramp: String,
    /// Why this allocation is made.
    pub note: String,
}

/// One seat of the allocation.
#[derive(Debug, Clone)]
pub struct SeatLine {
    pub position_id: String,
    pub title: String,
    pub role: Role,
    /// Who holds the seat in the year, by name.
    pub holders: Vec<String>,
    pub parent: Option<usize>,
    pub depth: usize,
    /// 0 to 1: the share of a fully productive year the seat can deliver (ramp, days held).
    pub capacity: Decimal,
    pub last_year: Money,
    pub potential: Money,
    pub annual: Money,
    pub months: [Money; 12],
}

/// A computed allocation: the seats in tree order, the sheets to write and their lines.
#[derive(Debug, Clone)]
pub struct Allocation {
    pub fiscal_year: i16,
    pub measure: QuotaMeasure,
    pub plan_id: String,
    pub total: Money,
    pub months: [Period; 12],
    pub seats: Vec<SeatLine>,
    pub sheets: Vec<QuotaSheet>,
    pub lines: Vec<Quota>,
}

/// The inputs read from the request, checked, each error naming its field.
struct Inputs {
    fiscal_year: i16,
    measure: QuotaMeasure,
    method: Method,
    method_name: AllocationMethod,
    over_assignment: Vec<Decimal>,
    ramp: Ramp,
    note: String,
}

fn read_request(r: &AllocationRequest) -> AppResult<Inputs> {
    let fiscal_year = parse_fiscal_year(&r.fiscal_year).ok_or_else(|| {
        AppError::invalid(
            "fiscal_year",
            format!("'{}' is not a fiscal year from 1900 to 2999", r.fiscal_year),
        )
    })?;
    let measure =
        QuotaMeasure::parse(r.measure.trim()).map_err(|e| AppError::invalid("measure", e.to_string()))?;
    let method_name = AllocationMethod::parse(r.method.trim())
        .ok()
        .filter(|m| *m != AllocationMethod::Manual)
        .ok_or_else(|| {
            AppError::invalid(
                "method",
                format!("'{}' is not one of equal, last_year, potential, mix", r.method),
            )
        })?;
    let method = match method_name {
        AllocationMethod::Equal | AllocationMethod::Manual => Method::Equal,
        AllocationMethod::LastYear => Method::LastYear,
        AllocationMethod::Potential => Method::Potential,
        AllocationMethod::Mix => {
            let part = |i: usize, field: &'static str| -> AppResult<Decimal> {
                let p = percent(field, &r.mix[i])?;
                if !(Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&p) {
                    return Err(AppError::invalid(field, "a part of the mix is from 0 to 100"));
                }
                Ok(p)
            };
            let mix = Method::Mix {
                equal: part(0, "mix_equal")?,
                last_year: part(1, "mix_last_year")?,
                potential: part(2, "mix_potential")?,
            };
            if let Method::Mix { equal, last_year, potential } = mix
                && (equal + last_year + potential).is_zero()
            {
                return Err(AppError::invalid("mix_equal", "a mix needs at least one part above zero"));
            }
            mix
        }
    };
    let mut over_assignment = Vec::new();
    for text in &r.over_assignment {
        if text.trim().is_empty() {
            over_assignment.push(Decimal::ONE_HUNDRED);
            continue;
        }
        let p = percent("over_assignment", text)?;
        if !attain_core::domain::OVER_ASSIGNMENT.contains(&p) || p.scale() > 2 {
            return Err(AppError::invalid(
                "over_assignment",
                format!("'{p}': a percent from 50 to 300 with at most two decimals"),
            ));
        }
        over_assignment.push(p);
    }
    let ramp = read_ramp(&r.ramp)?;
    let note = r.note.trim().to_string();
    if note.is_empty() {
        return Err(AppError::invalid("note", "say why quotas are allocated (the annual plan, a reorg)"));
    }
    Ok(Inputs { fiscal_year, measure, method, method_name, over_assignment, ramp, note })
}

/// The version of `id` in force on the year's first day it exists.
fn version_in<'a>(positions: &'a [Position], id: &str, year: &Validity) -> Option<&'a Position> {
    positions
        .iter()
        .filter(|p| p.id == id && p.validity.overlaps(year))
        .min_by_key(|p| p.validity.from.max(year.from))
}

/// Seats in the year's tree, parents first, siblings in id order: (position, parent index).
fn tree(data: &Dataset, year: &Validity, fiscal_year: i16) -> AppResult<Vec<(Position, Option<usize>)>> {
    let mut ids: Vec<&str> = data
        .positions
        .iter()
        .filter(|p| {
            p.validity.overlaps(year) && matches!(p.role, Role::Executive | Role::Manager | Role::Rep)
        })
        .map(|p| p.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let seats: Vec<&Position> = ids.iter().filter_map(|id| version_in(&data.positions, id, year)).collect();
    let roots: Vec<&Position> = seats
        .iter()
        .copied()
        .filter(|p| p.reports_to.as_deref().is_none_or(|r| !ids.contains(&r)))
        .filter(|p| p.role == Role::Executive)
        .collect();
    let root = match roots.as_slice() {
        [one] => *one,
        [] => {
            return Err(AppError::invalid(
                "fiscal_year",
                format!("FY{fiscal_year} has no top seat: an executive position that reports to nobody"),
            ));
        }
        many => {
            let names: Vec<&str> = many.iter().map(|p| p.id.as_str()).collect();
            return Err(AppError::invalid(
                "fiscal_year",
                format!(
                    "FY{fiscal_year} has {} top seats ({}): allocation needs one",
                    many.len(),
                    names.join(", ")
                ),
            ));
        }
    };
    let mut out: Vec<(Position, Option<usize>)> = vec![(root.clone(), None)];
    let mut next = 0;
    while next < out.len() {
        let parent_id = out[next].0.id.clone();
        for child in seats.iter().filter(|p| p.reports_to.as_deref() == Some(parent_id.as_str())) {
            if child.role != Role::Executive {
                out.push(((*child).clone(), Some(next)));
            }
        }
        next += 1;
    }
    Ok(out)
}

/// Who holds a seat in the year: (person id, name, hire date, days held within employment).
fn holders<'a>(
    data: &'a Dataset,
    position: &str,
    year: &Validity,
) -> Vec<(&'a str, &'a str, Date, Validity)> {
    let mut out = Vec::new();
    for a in data.assignments.iter().filter(|a| a.position_id == position) {
        let Some(person) = data.people.iter().find(|p| p.id == a.person_id) else { continue };
        let Some(held) = a.validity.intersect(&person.employment()).and_then(|v| v.intersect(year)) else {
            continue;
        };
        out.push((person.id.as_str(), person.name.as_str(), person.hire_date, held));
    }
    out.sort_by_key(|h| h.3.from);
    out
}

/// A seat's capacity over `period`: each holder's ramped days, summed (holders follow one
/// another), at most 1.
fn seat_capacity(held: &[(&str, &str, Date, Validity)], period: Validity, ramp: &Ramp) -> AppResult<Decimal> {
    let mut total = Decimal::ZERO;
    for (_, _, hired, days) in held {
        total += capacity(period, &[*days], *hired, ramp).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(total.min(Decimal::ONE))
}

fn objective(plan: &RevenuePlan, measure: QuotaMeasure) -> Money {
    match measure {
        QuotaMeasure::Revenue => plan.revenue,
        QuotaMeasure::Margin => plan.margin,
        QuotaMeasure::Bookings => plan.bookings,
    }
}

fn figure(a: Option<&OwnerActuals>, measure: QuotaMeasure, currency: Currency) -> Money {
    let Some(a) = a else { return Money::zero(currency) };
    match measure {
        QuotaMeasure::Revenue => a.revenue,
        QuotaMeasure::Margin => a.margin,
        QuotaMeasure::Bookings => a.bookings,
    }
}

/// Each seat's territory potential: the annual revenue of the accounts in the territories it
/// owns on the year's first day (each account where it is that day), in the plan's currency (an account's revenue in another
/// currency at the rate of that day).
fn potentials(
    data: &Dataset,
    seats: &[(Position, Option<usize>)],
    day: Date,
    currency: Currency,
) -> AppResult<Vec<i64>> {
    let base = data.company.first().map(|c| c.base_currency).unwrap_or(currency);
    let mut by_territory: HashMap<&str, Decimal> = HashMap::new();
    // Each account's territory on the day: its dated row, else its own field.
    let placed = super::territories::territories_on(data, day);
    for (account, territory) in data.accounts.iter().zip(placed) {
        let (Some(territory), Some(revenue)) = (territory, account.annual_revenue) else {
            continue;
        };
        let rate = attain_engine::fx::rate(&data.fx_rates, base, revenue.currency(), currency, day)
            .ok_or_else(|| {
                AppError::invalid(
                    "method",
                    format!(
                        "account {}: no rate from {} to {currency} on {day} to weigh its potential",
                        account.id,
                        revenue.currency()
                    ),
                )
            })?;
        *by_territory.entry(territory).or_default() += revenue.amount() * rate;
    }
    Ok(seats
        .iter()
        .map(|(seat, _)| {
            let owned = data
                .territory_owners
                .iter()
                .filter(|o| o.position_id == seat.id && o.validity.contains(day))
                .map(|o| by_territory.get(o.territory_id.as_str()).copied().unwrap_or_default())
                .sum::<Decimal>();
            Money::rounded(owned, currency).map(|m| m.minor()).unwrap_or(i64::MAX)
        })
        .collect())
}

/// A year's amount spread over its months by the season × the seat's capacity in each month
/// (a month nobody holds the seat gets nothing); by the season alone when the seat's capacity
/// is zero all year (a manager's seat vacant over a team that still sells).
fn spread(amount: i64, shares: &[Decimal; 12], capacities: &[Decimal; 12]) -> AppResult<[i64; 12]> {
    let weights: Vec<Decimal> = shares.iter().zip(capacities).map(|(s, c)| s * c).collect();
    let parts = match apportion(amount, &weights) {
        Ok(parts) => parts,
        Err(_) => {
            apportion(amount, shares).map_err(|e| AppError::Internal(format!("spreading a quota: {e}")))?
        }
    };
    parts.try_into().map_err(|_| AppError::Internal("a year has twelve months".into()))
}

impl App {
    /// Computes the allocation `request` asks for, writing nothing: the preview of
    /// [`App::apply_quota_allocation`].
    pub fn quota_allocation(&self, actor: &Actor, request: &AllocationRequest) -> AppResult<Allocation> {
        actor.require(Permission::ManagePlan)?;
        let inputs = read_request(request)?;
        let snapshot = self.snapshot();
        let data = &snapshot.data;
        let calendar: FiscalCalendar = data.company.first().map(|c| c.calendar).unwrap_or_default();
        let fy = inputs.fiscal_year;
        let plan = data
            .revenue_plans
            .iter()
            .filter(|p| p.fiscal_year == fy && p.status == attain_core::domain::PlanStatus::Approved)
            .max_by_key(|p| p.version)
            .ok_or_else(|| {
                AppError::invalid("fiscal_year", format!("FY{fy} has no approved revenue plan to allocate"))
            })?;
        let currency = plan.currency;
        let total = objective(plan, inputs.measure);
        let year = calendar.bounds(Period::Year { fiscal_year: fy });
        let months: [Period; 12] = {
            let mut m = calendar.month_period(year.from);
            std::array::from_fn(|_| {
                let this = m;
                m = m.next_month();
                this
            })
        };
        let seats = tree(data, &year, fy)?;
        let last_year = owners_of_year(&snapshot.facts, fy - 1, currency, &data.fx_rates)
            .map_err(|e| AppError::invalid("method", e.to_string()))?;
        let potential = potentials(data, &seats, year.from, currency)?;
        let mut lines = Vec::with_capacity(seats.len());
        let mut engine_seats = Vec::with_capacity(seats.len());
        let mut month_caps = Vec::with_capacity(seats.len());
        for (i, (seat, parent)) in seats.iter().enumerate() {
            let held = holders(data, &seat.id, &year);
            let annual = seat_capacity(&held, year, &inputs.ramp)?;
            let mut caps = [Decimal::ZERO; 12];
            for (cap, month) in caps.iter_mut().zip(months) {
                *cap = seat_capacity(&held, calendar.bounds(month), &inputs.ramp)?;
            }
            // Last year's result of whoever holds the seat first in the year.
            let last = figure(held.first().and_then(|h| last_year.get(h.0)), inputs.measure, currency);
            engine_seats.push(Seat {
                parent: *parent,
                capacity: annual,
                last_year: last.minor().max(0),
                potential: potential[i],
            });
            month_caps.push(caps);
            let depth = parent.map_or(0, |p: usize| lines.get(p).map_or(0, |l: &SeatLine| l.depth + 1));
            lines.push(SeatLine {
                position_id: seat.id.clone(),
                title: super::quota_sheets::seat_name(seat),
                role: seat.role,
                holders: held.iter().map(|h| h.1.to_string()).collect(),
                parent: *parent,
                depth,
                capacity: annual,
                last_year: last,
                potential: Money::from_minor(potential[i], currency),
                annual: Money::zero(currency),
                months: [Money::zero(currency); 12],
            });
        }
        let amounts = allocate(&engine_seats, total.minor(), &inputs.method, &inputs.over_assignment)
            .map_err(|e| AppError::invalid("method", allocation_message(&e, &lines)))?;
        for ((line, amount), caps) in lines.iter_mut().zip(&amounts).zip(&month_caps) {
            line.annual = Money::from_minor(*amount, currency);
            let spread = spread(*amount, &plan.shares, caps)?;
            line.months = spread.map(|m| Money::from_minor(m, currency));
        }
        let (sheets, quota_lines) = self.sheets_for(actor, &inputs, &lines, &months, total)?;
        Ok(Allocation {
            fiscal_year: fy,
            measure: inputs.measure,
            plan_id: plan.id.clone(),
            total,
            months,
            seats: lines,
            sheets,
            lines: quota_lines,
        })
    }

    /// One sheet per seat with reports: the next version of its chain, or the open draft's
    /// version (overwritten); a chain with a submitted version is refused.
    fn sheets_for(
        &self,
        actor: &Actor,
        inputs: &Inputs,
        seats: &[SeatLine],
        months: &[Period; 12],
        total: Money,
    ) -> AppResult<(Vec<QuotaSheet>, Vec<Quota>)> {
        let snapshot = self.snapshot();
        let stored = &snapshot.data.quota_sheets;
        let mut sheets = Vec::new();
        let mut lines = Vec::new();
        for (i, owner) in seats.iter().enumerate() {
            let children: Vec<&SeatLine> = seats.iter().filter(|s| s.parent == Some(i)).collect();
            if children.is_empty() {
                continue;
            }
            let chain: Vec<&QuotaSheet> = stored
                .iter()
                .filter(|s| s.chain() == (inputs.fiscal_year, inputs.measure, owner.position_id.as_str()))
                .collect();
            if let Some(open) = chain.iter().find(|s| s.status == SheetStatus::Submitted) {
                return Err(AppError::Conflict(format!(
                    "{} ({}) has version {} submitted for approval: approve it or return it first",
                    owner.title, owner.position_id, open.version
                )));
            }
            let version = match chain.iter().find(|s| s.status == SheetStatus::Draft) {
                Some(draft) => draft.version,
                None => chain.iter().map(|s| s.version).max().unwrap_or(0) + 1,
            };
            let envelope = if i == 0 { total } else { owner.annual };
            let sheet = QuotaSheet {
                id: QuotaSheet::id_for(inputs.fiscal_year, inputs.measure, &owner.position_id, version),
                fiscal_year: inputs.fiscal_year,
                measure: inputs.measure,
                owner_position_id: owner.position_id.clone(),
                version,
                status: SheetStatus::Draft,
                envelope,
                over_assignment: inputs
                    .over_assignment
                    .get(owner.depth)
                    .copied()
                    .unwrap_or(Decimal::ONE_HUNDRED),
                method: inputs.method_name,
                note: inputs.note.clone(),
                prepared_by: actor.login.clone(),
                submitted_by: None,
                submitted_at: None,
                approved_by: None,
                approved_at: None,
                review_note: None,
            };
            for child in children {
                for (month, amount) in months.iter().zip(child.months) {
                    lines.push(Quota {
                        id: sheet.line_id(&child.position_id, *month),
                        position_id: child.position_id.clone(),
                        measure: inputs.measure.name().to_string(),
                        period: *month,
                        amount: amount.amount(),
                        currency: Some(amount.currency()),
                        sheet_id: Some(sheet.id.clone()),
                    });
                }
            }
            sheets.push(sheet);
        }
        Ok((sheets, lines))
    }
}

/// An allocation error in the seats' own words.
fn allocation_message(e: &attain_engine::plan::AllocationError, seats: &[SeatLine]) -> String {
    use attain_engine::plan::AllocationError as E;
    let name =
        |i: usize| seats.get(i).map_or(format!("seat {i}"), |s| format!("{} ({})", s.title, s.position_id));
    match e {
        E::CannotSum { seat, method } => format!(
            "cannot divide the target of {}: every report's {method} weight is zero (no one holds \
             the seats, or none sold last year); choose another method or a mix",
            name(*seat)
        ),
        E::Overflow { seat } => format!("the amounts under {} are too large to divide exactly", name(*seat)),
        other => other.to_string(),
    }
}
