//! Individual objectives for the demo's sellers, as a sales manager sets them: every rep is
//! asked for prospecting calls each week and new opportunities each month. From the current
//! fiscal year the call objective went up (20 a week, 15 before), so each rep's history shows
//! the earlier objective ended the day the new one began.

use attain_core::domain::{Cadence, Objective, ObjectiveMeasure, Role};
use attain_core::{Decimal, FiscalCalendar, Period};

use crate::dates::Window;
use crate::org::Org;

/// Who set the demo's objectives.
const SET_BY: &str = "comp.admin";

fn objective(
    position: &str,
    measure: ObjectiveMeasure,
    cadence: Cadence,
    target: i64,
    span: (attain_core::Date, Option<attain_core::Date>),
    note: &str,
) -> Objective {
    Objective {
        id: Objective::id_for(position, measure, span.0),
        position_id: position.to_string(),
        measure,
        cadence,
        target: Decimal::from(target),
        currency: None,
        valid_from: span.0,
        valid_to: span.1,
        note: Some(note.to_string()),
        set_by: Some(SET_BY.to_string()),
    }
}

pub(crate) fn build(calendar: &FiscalCalendar, window: &Window, org: &Org) -> Vec<Objective> {
    let this_year = calendar.bounds(Period::Year { fiscal_year: calendar.fiscal_year_of(window.as_of) }).from;
    let mut out = Vec::new();
    for p in org.positions.iter().filter(|p| p.role == Role::Rep) {
        let (from, to) = (p.validity.from.max(window.start), p.validity.to);
        if to.is_some_and(|to| to <= from) {
            continue;
        }
        let before = from < this_year && to.is_none_or(|to| to > this_year);
        let raised_from = if before { this_year } else { from };
        if before {
            out.push(objective(
                &p.id,
                ObjectiveMeasure::Calls,
                Cadence::Week,
                15,
                (from, Some(this_year)),
                "Prospecting calls to new accounts",
            ));
        }
        if to.is_none_or(|to| to > raised_from) {
            out.push(objective(
                &p.id,
                ObjectiveMeasure::Calls,
                Cadence::Week,
                20,
                (raised_from, to),
                "Prospecting calls to new accounts; raised for the new year",
            ));
        }
        out.push(objective(
            &p.id,
            ObjectiveMeasure::NewOpportunities,
            Cadence::Month,
            8,
            (from, to),
            "Qualified opportunities entered in the CRM",
        ));
    }
    out
}
