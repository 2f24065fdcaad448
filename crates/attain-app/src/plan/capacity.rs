//! Capacity planning (docs/capacity.md): how many reps the year's approved revenue plan needs,
//! hired when, against the current team and its open seats. The model is the engine's
//! (`attain_engine::plan::plan_headcount`, worked through in docs/planning-math.md); this
//! reads its inputs from the data: the plan's quarters (its months by its season), the rep
//! seats held on the year's first day with each holder's tenure, the rep seats open then or
//! opening during the year, and — unless given — a ramped rep's productivity from last year.
//!
//! The plan is company totals: like the revenue plan, only the whole-company roles read it.

use std::collections::{HashMap, HashSet};

use attain_core::domain::{Assignment, Position, Role as SeatRole};
use attain_core::{Currency, Date, Money, Period, Validity};
use attain_engine::plan::{
    HeadcountError, HeadcountInputs, OpenSeats, QuarterNeed, Ramp, Seasonality, plan_headcount,
    tenure_quarter_start,
};
use rust_decimal::Decimal;

use super::quota_sheets::seat_name;
use super::{percent, read_ramp};
use crate::access::Actor;
use crate::app::App;
use crate::error::{AppError, AppResult};

/// What the planner chooses; every field as typed. Empty productivity: last year's.
#[derive(Debug, Clone)]
pub struct CapacityRequest {
    pub fiscal_year: i16,
    pub productivity: Option<String>,
    pub ramp: String,
    pub attrition: String,
    pub lead_quarters: String,
}

impl CapacityRequest {
    /// The defaults a planner starts from: the sales average of 35% attrition a year, a
    /// 25/50/75 ramp and one quarter to fill a seat.
    pub fn defaults(fiscal_year: i16) -> CapacityRequest {
        CapacityRequest {
            fiscal_year,
            productivity: None,
            ramp: "25,50,75".into(),
            attrition: "35".into(),
            lead_quarters: "1".into(),
        }
    }
}

/// A rep seat open on the year's first day or opening during the year.
#[derive(Debug, Clone)]
pub struct OpenSeat {
    pub position_id: String,
    pub name: String,
    pub starts: Period,
}

/// One plan quarter of the answer.
#[derive(Debug, Clone)]
pub struct CapacityQuarter {
    pub period: Period,
    pub need: QuarterNeed,
    /// The quarter the hires' seats must be opened, or `None` when that is before the plan
    /// starts (already late).
    pub open_by: Option<Period>,
}

/// The headcount the plan needs, quarter by quarter.
#[derive(Debug, Clone)]
pub struct CapacityPlan {
    pub fiscal_year: i16,
    /// The revenue plan version read (`rp-2018-v1`).
    pub plan_id: String,
    pub currency: Currency,
    pub productivity: Money,
    /// Last year's revenue per rep-quarter held, when there was any.
    pub suggested: Option<Money>,
    pub ramp: Vec<Decimal>,
    pub attrition: Decimal,
    pub lead_quarters: u32,
    /// The reps in seat on the year's first day, and how many of them are still ramping.
    pub current_reps: usize,
    pub ramping: usize,
    pub open_seats: Vec<OpenSeat>,
    pub quarters: Vec<CapacityQuarter>,
    pub hires: u32,
}

/// Completed tenure quarters on `day` for someone who started on `start`.
fn tenure(start: Date, day: Date) -> u32 {
    let mut k = 0u32;
    while k < 400 && tenure_quarter_start(start, k as usize + 1).is_some_and(|d| d <= day) {
        k += 1;
    }
    k
}

fn headcount_error(e: HeadcountError) -> AppError {
    let field = match e {
        HeadcountError::Productivity(_) | HeadcountError::Overflow => "productivity",
        HeadcountError::Attrition(_) => "attrition",
        HeadcountError::NoDelivery => "ramp",
        HeadcountError::OpenSeatStart { .. } => return AppError::Internal(e.to_string()),
    };
    AppError::invalid(field, e.to_string())
}

impl App {
    /// The capacity plan for the request's year, from the approved plan in force.
    pub fn capacity_plan(&self, actor: &Actor, request: &CapacityRequest) -> AppResult<CapacityPlan> {
        let fiscal_year = request.fiscal_year;
        // Reads the plan as the revenue plan's readers do: 404 for anyone else, or no plan.
        let year = self.revenue_year(actor, fiscal_year)?;
        let plan = year.in_force().ok_or_else(|| {
            AppError::invalid(
                "fiscal_year",
                format!("FY{fiscal_year} has no approved revenue plan to plan capacity for"),
            )
        })?;
        let ramp: Ramp = read_ramp(&request.ramp)?;
        let attrition = percent("attrition", &request.attrition)?;
        let lead_quarters =
            request.lead_quarters.trim().parse::<u32>().ok().filter(|l| *l <= 8).ok_or_else(|| {
                AppError::invalid(
                    "lead_quarters",
                    format!(
                        "'{}' is not a whole number of quarters from 0 to 8",
                        request.lead_quarters.trim()
                    ),
                )
            })?;
        // The plan's revenue over its months by its season (as plan against actual spreads
        // it), three months a quarter; the year's actuals are not needed.
        let season = Seasonality::from_shares(plan.shares)
            .map_err(|e| AppError::Internal(format!("a stored plan's shares: {e}")))?;
        let quarter_plan: Vec<i64> =
            season.spread(plan.revenue.minor()).chunks(3).map(|q| q.iter().sum()).collect();

        let snapshot = self.snapshot();
        let data = &snapshot.data;
        let calendar = data.company.first().map(|c| c.calendar).unwrap_or_default();
        let first = calendar.fiscal_year_start(fiscal_year);
        let year_span: Validity = calendar.bounds(Period::Year { fiscal_year });
        let quarters: Vec<Period> = {
            let mut q = calendar.quarter_period(first);
            let mut out = Vec::new();
            for _ in 0..4 {
                out.push(q);
                q = calendar.quarter_period(calendar.bounds(q).to.unwrap_or(first));
            }
            out
        };
        let rep_seat = |p: &Position| p.role == SeatRole::Rep;
        // Each seat's assignments and each person's hire date, indexed once: an org of ten
        // thousand seats is not scanned once per seat.
        let mut held: HashMap<&str, Vec<&Assignment>> = HashMap::new();
        for a in &data.assignments {
            held.entry(a.position_id.as_str()).or_default().push(a);
        }
        let hired: HashMap<&str, Date> = data.people.iter().map(|p| (p.id.as_str(), p.hire_date)).collect();
        // The holder of a seat on a day (the first, as `holder_of` reads a shared seat).
        let holder = |seat: &str, day: Date| {
            held.get(seat)?.iter().find(|a| a.validity.contains(day)).map(|a| a.person_id.as_str())
        };
        // The team on the first day: each rep seat's holder and their tenure then.
        let mut tenures = Vec::new();
        for p in data.positions.iter().filter(|p| rep_seat(p) && p.validity.contains(first)) {
            if let Some(hire_date) = holder(&p.id, first).and_then(|person| hired.get(person)) {
                tenures.push(tenure(*hire_date, first));
            }
        }
        // Open seats: rep seats with nobody in them on their first day in the year.
        let mut open_seats = Vec::new();
        let mut counted = HashSet::new();
        for p in data.positions.iter().filter(|p| rep_seat(p) && p.validity.overlaps(&year_span)) {
            let opens = p.validity.from.max(first);
            if counted.contains(p.id.as_str()) || holder(&p.id, opens).is_some() {
                continue;
            }
            counted.insert(p.id.as_str());
            open_seats.push(OpenSeat {
                position_id: p.id.clone(),
                name: seat_name(p),
                starts: calendar.quarter_period(opens),
            });
        }
        let open: Vec<OpenSeats> = quarters
            .iter()
            .enumerate()
            .map(|(i, q)| OpenSeats {
                count: open_seats.iter().filter(|o| o.starts == *q).count() as u32,
                start: i,
            })
            .filter(|o| o.count > 0)
            .collect();

        let suggested = self.rep_productivity(fiscal_year - 1, plan.currency);
        let productivity = match request.productivity.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => Money::parse(text, plan.currency)
                .map_err(|e| AppError::invalid("productivity", format!("'{text}': {e}")))?,
            None => suggested.ok_or_else(|| {
                AppError::invalid(
                    "productivity",
                    "last year has no rep revenue to learn from: enter what a ramped rep delivers a quarter",
                )
            })?,
        };
        let needs = plan_headcount(&HeadcountInputs {
            plan: &quarter_plan,
            productivity: productivity.minor(),
            ramp: &ramp,
            annual_attrition: attrition,
            tenures: &tenures,
            open_seats: &open,
            lead_quarters,
        })
        .map_err(headcount_error)?;
        let quarters: Vec<CapacityQuarter> = needs
            .into_iter()
            .zip(&quarters)
            .map(|(need, period)| {
                let mut open_by = Some(*period);
                for _ in 0..lead_quarters {
                    open_by = open_by.and_then(|q| {
                        let before = calendar.bounds(q).from.yesterday().ok()?;
                        (before >= first).then(|| calendar.quarter_period(before))
                    });
                }
                CapacityQuarter { period: *period, open_by, need }
            })
            .collect();
        let steps = ramp.steps().len() as u32;
        Ok(CapacityPlan {
            fiscal_year,
            plan_id: plan.id.clone(),
            currency: plan.currency,
            productivity,
            suggested,
            ramp: ramp.steps().to_vec(),
            attrition,
            lead_quarters,
            current_reps: tenures.len(),
            ramping: tenures.iter().filter(|t| **t < steps).count(),
            open_seats,
            hires: quarters.iter().map(|q| q.need.hires).sum(),
            quarters,
        })
    }

    /// Last year's company revenue per rep-quarter in seat (rep seats' held days ÷ a quarter's
    /// days), rounded to the currency; `None` with no revenue or no rep in seat.
    fn rep_productivity(&self, fiscal_year: i16, currency: Currency) -> Option<Money> {
        let snapshot = self.snapshot();
        let data = &snapshot.data;
        let calendar = data.company.first().map(|c| c.calendar).unwrap_or_default();
        let year: Validity = calendar.bounds(Period::Year { fiscal_year });
        let year_days = Decimal::from(year.days()?);
        let actuals = snapshot.company_actuals(fiscal_year, currency).ok()?;
        let revenue: i64 = actuals.iter().map(|m| m.revenue.minor()).sum();
        let reps: HashSet<&str> =
            data.positions.iter().filter(|p| p.role == SeatRole::Rep).map(|p| p.id.as_str()).collect();
        let held_days: i64 = data
            .assignments
            .iter()
            .filter(|a| reps.contains(a.position_id.as_str()))
            .filter_map(|a| a.validity.intersect(&year).and_then(|v| v.days()))
            .map(i64::from)
            .sum();
        if revenue <= 0 || held_days <= 0 {
            return None;
        }
        let rep_quarters = Decimal::from(held_days) * Decimal::from(4) / year_days;
        let per = Money::from_minor(revenue, currency).amount() / rep_quarters;
        Money::rounded(per, currency).ok()
    }
}
