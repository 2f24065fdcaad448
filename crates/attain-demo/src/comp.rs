//! The compensation inputs: monthly revenue quotas sized from what each region really books
//! (so a typical rep lands between 70% and 130% of quota over a year), quarterly deal-count
//! quotas, managers' quotas as the sum of their reps', plan assignments per role, crediting
//! overlays for sales engineers who ran a demo and a few 60/40 splits between reps, some
//! manual adjustments, and managers' quarterly objective (MBO) scores.

use std::collections::{BTreeMap, BTreeSet};

use attain_core::domain::{
    Activity, ActivityKind, Adjustment, CreditRole, CreditSplit, DealStatus, ObjectiveScore, PlanAssignment,
    Quota, Role,
};
use attain_core::{Currency, Date, Decimal, FiscalCalendar, Period, Validity};

use crate::accounts::Book;
use crate::catalog::usd;
use crate::dates::Window;
use crate::org::{Org, REGIONS};
use crate::pipeline::{Pipeline, opp_id};
use crate::rng::{Dice, Stream};

/// Who enters the demo's manual adjustments.
const ADJUSTER: &str = "comp.admin";

/// Reasons for manual adjustments, with the range of the amount in whole dollars.
const ADJUSTMENTS: [(&str, i64, i64); 6] = [
    ("Correction: missed deal credit", 800, 4_500),
    ("Relocation bonus", 2_000, 5_000),
    ("Clawback: customer cancelled after payout", -3_000, -400),
    ("SPIF: Security Suite launch", 500, 1_500),
    ("Correction: duplicate credit reversed", -2_500, -300),
    ("Referral bonus", 250, 1_000),
];

/// The management objectives every manager is scored on each quarter.
const OBJECTIVES: [&str; 2] = ["pipeline_hygiene", "team_development"];

#[derive(Debug, Default)]
pub(crate) struct Comp {
    pub quotas: Vec<Quota>,
    pub plan_assignments: Vec<PlanAssignment>,
    pub credit_splits: Vec<CreditSplit>,
    pub adjustments: Vec<Adjustment>,
    pub objective_scores: Vec<ObjectiveScore>,
}

/// The periods of one kind (months or quarters) that overlap the window, in order.
fn periods(calendar: &FiscalCalendar, window: &Window, next: impl Fn(Date) -> Period) -> Vec<Period> {
    let mut out = Vec::new();
    let mut period = next(window.start);
    loop {
        let bounds = calendar.bounds(period);
        if bounds.from >= window.as_of {
            return out;
        }
        out.push(period);
        let Some(after) = bounds.to else { return out };
        period = next(after);
    }
}

fn region_of(org: &Org, position: usize) -> Option<usize> {
    let name = org.positions[position].region.as_deref()?;
    REGIONS.iter().position(|r| r.name == name)
}

/// Rounds to whole hundreds (half to even), as quota letters state them.
fn hundreds(amount: Decimal) -> Decimal {
    (amount / Decimal::ONE_HUNDRED).round() * Decimal::ONE_HUNDRED
}

fn quota(
    position: &str,
    measure: &str,
    period: Period,
    amount: Decimal,
    currency: Option<Currency>,
) -> Quota {
    Quota {
        id: format!("quota-{position}-{period}-{measure}"),
        position_id: position.to_string(),
        measure: measure.to_string(),
        period,
        amount,
        currency,
        sheet_id: None,
    }
}

/// Per region: what a typical rep seat books in a month and wins in a quarter, from what the
/// seats really booked over the window (deals credited to the seat whose patch they came from,
/// over the days the seat existed). Deal sizes are skewed, a few large platform deals make a
/// rep's year, so the typical seat is the median one: sizing on the mean would put most reps
/// below quota.
fn regional_norms(window: &Window, org: &Org, book: &Book, pipeline: &Pipeline) -> Vec<(Decimal, Decimal)> {
    let span = Validity { from: window.start, to: Some(window.as_of) };
    let mut booked = vec![Decimal::ZERO; org.positions.len()];
    let mut won = vec![0_i64; org.positions.len()];
    for deal in pipeline.deals.iter().filter(|d| d.status == DealStatus::Won) {
        let patch = &org.patches[book.info[deal.account].patch];
        if let Some((_, seat)) = patch.owners.iter().find(|(v, _)| v.contains(deal.created)) {
            booked[*seat] += deal.amount.amount();
            won[*seat] += 1;
        }
    }
    let mut rates: Vec<Vec<(Decimal, Decimal)>> = vec![Vec::new(); REGIONS.len()];
    for (i, p) in org.positions.iter().enumerate().filter(|(_, p)| p.role == Role::Rep) {
        let days = p.validity.intersect(&span).and_then(|v| v.days()).unwrap_or(0);
        // A seat open for a few weeks says little about a year.
        if let (Some(region), true) = (region_of(org, i), days >= 90) {
            let years = Decimal::from(days) / Decimal::from(365);
            rates[region].push((
                booked[i] / (years * Decimal::from(12)),
                Decimal::from(won[i]) / (years * Decimal::from(4)),
            ));
        }
    }
    rates
        .into_iter()
        .map(|mut seats| {
            let median = |values: &mut Vec<Decimal>| {
                values.sort();
                values.get(values.len() / 2).copied().unwrap_or_default()
            };
            let mut money: Vec<Decimal> = seats.iter().map(|s| s.0).collect();
            let mut deals: Vec<Decimal> = seats.drain(..).map(|s| s.1).collect();
            (median(&mut money), median(&mut deals))
        })
        .collect()
}

fn quotas(
    dice: &mut Dice,
    calendar: &FiscalCalendar,
    window: &Window,
    org: &Org,
    norms: &[(Decimal, Decimal)],
) -> Vec<Quota> {
    let months = periods(calendar, window, |d| calendar.month_period(d));
    let quarters = periods(calendar, window, |d| calendar.quarter_period(d));
    let exists = |i: usize, period: Period| org.positions[i].validity.overlaps(&calendar.bounds(period));
    let mut out = Vec::new();
    // Each manager's monthly quota is the sum of the reps reporting to them that month.
    let mut team_totals: BTreeMap<(usize, Period), Decimal> = BTreeMap::new();
    for (i, p) in org.positions.iter().enumerate().filter(|(_, p)| p.role == Role::Rep) {
        let Some(region) = region_of(org, i) else { continue };
        let (monthly, quarterly) = norms[region];
        // Territories differ: some seats are asked for more than the region's norm.
        let factor = Decimal::from(dice.between(85, 115)) / Decimal::ONE_HUNDRED;
        let revenue = hundreds(monthly * factor);
        let deals = (quarterly * factor).round().max(Decimal::ONE);
        let manager = p.reports_to.as_deref().and_then(|m| org.positions.iter().position(|q| q.id == m));
        for &month in months.iter().filter(|m| exists(i, **m)) {
            out.push(quota(&p.id, "revenue", month, revenue, Some(Currency::USD)));
            if let Some(manager) = manager {
                *team_totals.entry((manager, month)).or_default() += revenue;
            }
        }
        for &quarter in quarters.iter().filter(|q| exists(i, **q)) {
            out.push(quota(&p.id, "deals", quarter, deals, None));
        }
    }
    for (i, p) in org.positions.iter().enumerate().filter(|(_, p)| p.role == Role::Manager) {
        for &month in months.iter().filter(|m| exists(i, **m)) {
            let total = team_totals.get(&(i, month)).copied().unwrap_or_default();
            out.push(quota(&p.id, "revenue", month, total, Some(Currency::USD)));
        }
    }
    out
}

fn plan_assignments(org: &Org) -> Vec<PlanAssignment> {
    org.positions
        .iter()
        .filter_map(|p| {
            let plan = match p.role {
                Role::Rep => "ae",
                Role::Manager => "manager",
                Role::SalesEngineer => "se",
                Role::Executive | Role::Other => return None,
            };
            Some(PlanAssignment {
                id: format!("plan-{}", p.id),
                position_id: p.id.clone(),
                plan_id: plan.to_string(),
                validity: p.validity,
            })
        })
        .collect()
}

fn split(opportunity: &str, n: usize, person: &str, role: CreditRole, percent: i64) -> CreditSplit {
    CreditSplit {
        id: format!("split-{opportunity}-{n}"),
        opportunity_id: opportunity.to_string(),
        person_id: person.to_string(),
        role,
        percent: Decimal::from(percent),
    }
}

/// Overlays for the sales engineers who ran a demo on a won deal, and on about one won deal in
/// 25 a 60/40 split between the owner and another rep of the region who held a seat at close.
fn credit_splits(
    dice: &mut Dice,
    org: &Org,
    book: &Book,
    pipeline: &Pipeline,
    activities: &[Activity],
) -> Vec<CreditSplit> {
    let engineers: BTreeSet<&str> = org.sales_engineers.iter().map(|&p| org.people[p].id.as_str()).collect();
    let mut demos: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for a in
        activities.iter().filter(|a| a.kind == ActivityKind::Demo && engineers.contains(a.owner_id.as_str()))
    {
        if let Some(opp) = &a.opportunity_id {
            demos.entry(opp.as_str()).or_default().insert(a.owner_id.as_str());
        }
    }
    let mut seats: Vec<Vec<usize>> = vec![Vec::new(); REGIONS.len()];
    for i in (0..org.positions.len()).filter(|&i| org.positions[i].role == Role::Rep) {
        if let Some(region) = region_of(org, i) {
            seats[region].push(i);
        }
    }
    let mut out = Vec::new();
    for (i, deal) in pipeline.deals.iter().enumerate().filter(|(_, d)| d.status == DealStatus::Won) {
        let opportunity = opp_id(i);
        let mut n = 0;
        if dice.chance(4) {
            let region = org.patches[book.info[deal.account].patch].region;
            let partners: Vec<usize> = seats[region]
                .iter()
                .filter_map(|&seat| org.holder(seat, deal.close))
                .map(|o| o.person)
                .filter(|&p| p != deal.owner.person)
                .collect();
            if !partners.is_empty() {
                let partner = partners[dice.index(partners.len())];
                for (person, percent) in [(deal.owner.person, 60), (partner, 40)] {
                    n += 1;
                    out.push(split(&opportunity, n, &org.people[person].id, CreditRole::Primary, percent));
                }
            }
        }
        for engineer in demos.get(opportunity.as_str()).into_iter().flatten() {
            n += 1;
            out.push(split(&opportunity, n, engineer, CreditRole::Overlay, 100));
        }
    }
    out
}

/// A few adjustments in months that have ended, each to a rep seated that whole month.
fn adjustments(dice: &mut Dice, calendar: &FiscalCalendar, window: &Window, org: &Org) -> Vec<Adjustment> {
    let months: Vec<Period> = periods(calendar, window, |d| calendar.month_period(d))
        .into_iter()
        .filter(|m| calendar.bounds(*m).to.is_some_and(|end| end <= window.as_of))
        .collect();
    let reps: Vec<usize> = (0..org.positions.len()).filter(|&i| org.positions[i].role == Role::Rep).collect();
    let count = 3 + dice.index(4);
    let mut out = Vec::new();
    // A draw can land on a seat that is vacant or changes hands that month; draw again.
    for _ in 0..100 {
        if out.len() == count || months.is_empty() {
            break;
        }
        let month = *dice.pick(&months);
        let bounds = calendar.bounds(month);
        let seat = *dice.pick(&reps);
        let (reason, lo, hi) = *dice.pick(&ADJUSTMENTS);
        let dollars = dice.between(lo / 50, hi / 50) * 50;
        let Some(holder) = org.holder(seat, bounds.from) else { continue };
        if holder.until.is_some_and(|until| bounds.to.is_none_or(|end| until < end)) {
            continue;
        }
        out.push(Adjustment {
            id: format!("adj-{:03}", out.len() + 1),
            person_id: org.people[holder.person].id.clone(),
            period: month,
            currency: Currency::USD,
            amount: usd(Decimal::from(dollars)),
            reason: reason.to_string(),
            entered_by: Some(ADJUSTER.to_string()),
        });
    }
    out
}

/// Each manager's score on each objective for every quarter of the window that has ended.
fn objective_scores(
    dice: &mut Dice,
    calendar: &FiscalCalendar,
    window: &Window,
    org: &Org,
) -> Vec<ObjectiveScore> {
    let quarters: Vec<Period> = periods(calendar, window, |d| calendar.quarter_period(d))
        .into_iter()
        .filter(|q| calendar.bounds(*q).to.is_some_and(|end| end <= window.as_of))
        .collect();
    let mut out = Vec::new();
    for &manager in &org.managers {
        for &quarter in &quarters {
            let Some(holder) = org.holder(manager, calendar.bounds(quarter).from) else { continue };
            let person = &org.people[holder.person].id;
            for objective in OBJECTIVES {
                out.push(ObjectiveScore {
                    id: format!("mbo-{person}-{quarter}-{objective}"),
                    person_id: person.clone(),
                    period: quarter,
                    objective: objective.to_string(),
                    score: Decimal::from(dice.between(12, 24) * 5),
                });
            }
        }
    }
    out
}

pub(crate) fn build(
    seed: u64,
    calendar: &FiscalCalendar,
    window: &Window,
    org: &Org,
    book: &Book,
    pipeline: &Pipeline,
    activities: &[Activity],
) -> Comp {
    let norms = regional_norms(window, org, book, pipeline);
    Comp {
        quotas: quotas(&mut Dice::new(seed, Stream::Quotas), calendar, window, org, &norms),
        plan_assignments: plan_assignments(org),
        credit_splits: credit_splits(
            &mut Dice::new(seed, Stream::CreditSplits),
            org,
            book,
            pipeline,
            activities,
        ),
        adjustments: adjustments(&mut Dice::new(seed, Stream::Adjustments), calendar, window, org),
        objective_scores: objective_scores(&mut Dice::new(seed, Stream::Objectives), calendar, window, org),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn periods_cover_every_month_and_quarter_that_overlaps_the_window() {
        let calendar = FiscalCalendar::default();
        let window = Window::new(date(2018, 1, 15));
        let months = periods(&calendar, &window, |d| calendar.month_period(d));
        assert_eq!(
            (months.len(), months[0].to_string(), months[24].to_string()),
            (25, "2016-01".into(), "2018-01".into())
        );
        let quarters = periods(&calendar, &window, |d| calendar.quarter_period(d));
        assert_eq!(quarters.len(), 9);
        assert_eq!(hundreds(Decimal::new(123_456, 1)), Decimal::from(12_300));
    }
}
