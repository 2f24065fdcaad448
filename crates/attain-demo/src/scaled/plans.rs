//! The scaled company's compensation inputs: its plan files (rep, manager, sales engineer and
//! the crediting rules, in `plans-scaled/` with the year filled in), who is on which plan, and
//! one fiscal-year revenue quota per rep and manager seat, sized from what the transactions are
//! expected to book so a typical rep lands near 100% (the plans themselves do not read quotas).

use attain_core::domain::{PlanAssignment, Quota};
use attain_core::{Currency, Decimal, FiscalCalendar, Validity};

use super::org::{DIRECTORS, MANAGERS, Org, VPS, director_id, manager_position_id, rep_position_id, vp_id};
use super::{ScaledConfig, Year};
use crate::rng::{Dice, Stream};

const TEMPLATES: [(&str, &str); 4] = [
    ("crediting.toml", include_str!("../../plans-scaled/crediting.toml")),
    ("manager.toml", include_str!("../../plans-scaled/manager.toml")),
    ("rep.toml", include_str!("../../plans-scaled/rep.toml")),
    ("se.toml", include_str!("../../plans-scaled/se.toml")),
];

/// The average booking in cents: 100.00 plus the span times the mean of a product of three
/// uniform fractions (1/8); see `rows::amount`.
const MEAN_BOOKING_CENTS: u64 = 10_000 + 4_990_001 / 8;
/// Percent of transactions that are bookings, less the percent that cancel one.
const NET_BOOKING_PERCENT: u64 = 72 - 3;

pub(crate) fn plan_files(year: i16) -> Vec<(String, String)> {
    TEMPLATES
        .iter()
        .map(|(name, text)| {
            let text =
                text.replace("{{YEAR}}", &year.to_string()).replace("{{NEXT}}", &(year + 1).to_string());
            (name.to_string(), text)
        })
        .collect()
}

fn all_year(year: &Year) -> Validity {
    Validity { from: year.first(), to: Some(year.end()) }
}

/// Every position's plan, in position order: the four leader levels on `manager`, reps on
/// `rep`, sales engineers on `se`.
pub(crate) fn plan_assignments(year: &Year, org: &Org) -> Vec<PlanAssignment> {
    let engineers: usize = org.engineers.iter().map(Vec::len).sum();
    let leaders = std::iter::once("pos-head".to_string())
        .chain((0..VPS).map(vp_id))
        .chain((0..DIRECTORS).map(director_id))
        .chain((0..MANAGERS).map(manager_position_id))
        .map(|id| (id, "manager"));
    let reps = (0..org.reps() as u32).map(|r| (rep_position_id(r), "rep"));
    let ses = (0..engineers).map(|s| (format!("pos-se-{:04}", s + 1), "se"));
    leaders
        .chain(reps)
        .chain(ses)
        .map(|(position, plan)| PlanAssignment {
            id: format!("pa-{position}"),
            position_id: position,
            plan_id: plan.to_string(),
            validity: all_year(year),
        })
        .collect()
}

/// One `FY` revenue quota per rep seat (what a seat is expected to book, times 85–115%, in
/// whole hundreds of dollars) and per leader seat (the sum of the seats reporting to it on
/// 1 January).
pub(crate) fn quotas(config: &ScaledConfig, year: &Year, org: &Org) -> Vec<Quota> {
    let mut dice = Dice::new(config.seed, Stream::ScaledQuotas);
    let period = FiscalCalendar::default().year_period(year.first());
    let reps = org.reps() as u64;
    let expected_cents = config.transactions * NET_BOOKING_PERCENT / 100 * MEAN_BOOKING_CENTS / reps;
    let quota = |position: String, dollars: u64| Quota {
        id: format!("quota-{position}-{period}"),
        position_id: position,
        measure: "revenue".to_string(),
        period,
        amount: Decimal::from(dollars),
        currency: Some(Currency::USD),
        sheet_id: None,
    };
    let mut out = Vec::with_capacity(org.reps() + super::LEADERS);
    let mut managers = vec![0_u64; MANAGERS];
    for (r, seat) in org.seats.iter().enumerate() {
        let factor = dice.between(85, 115) as u64;
        let dollars = expected_cents * factor / 100 / 10_000 * 100;
        managers[seat.manager as usize] += dollars;
        out.push(quota(rep_position_id(r as u32), dollars));
    }
    let mut directors = [0_u64; DIRECTORS];
    for (m, dollars) in managers.iter().enumerate() {
        directors[org.directors[m]] += dollars;
        out.push(quota(manager_position_id(m), *dollars));
    }
    let mut vps = [0_u64; VPS];
    for (d, dollars) in directors.iter().enumerate() {
        vps[d * VPS / DIRECTORS] += dollars;
        out.push(quota(director_id(d), *dollars));
    }
    for (v, dollars) in vps.iter().enumerate() {
        out.push(quota(vp_id(v), *dollars));
    }
    out.push(quota("pos-head".to_string(), vps.iter().sum()));
    out
}
