//! Calendar invariants over every start month, both naming conventions and many days.

use attain_core::{FiscalCalendar, FiscalYearNaming, Period};
use jiff::civil::{Date, date};
use proptest::prelude::*;

fn calendars() -> impl Strategy<Value = FiscalCalendar> {
    (1i8..=12, prop::bool::ANY).prop_map(|(month, end)| {
        let naming = if end { FiscalYearNaming::EndYear } else { FiscalYearNaming::StartYear };
        FiscalCalendar::new(month, naming).unwrap()
    })
}

fn days() -> impl Strategy<Value = Date> {
    (0i32..(365 * 60)).prop_map(|n| date(1990, 1, 1).checked_add(jiff::Span::new().days(n)).unwrap())
}

proptest! {
    #[test]
    fn every_day_lies_in_its_own_periods(cal in calendars(), day in days()) {
        for period in [cal.month_period(day), cal.quarter_period(day), cal.year_period(day)] {
            prop_assert!(cal.bounds(period).contains(day), "{period} does not contain {day}");
            prop_assert_eq!(Period::parse(&period.to_string()).unwrap(), period);
        }
    }

    #[test]
    fn quarters_partition_the_year_and_months_the_quarters(cal in calendars(), day in days()) {
        let Period::Year { fiscal_year } = cal.year_period(day) else { unreachable!() };
        let year = cal.bounds(Period::Year { fiscal_year });
        let mut from = year.from;
        let mut months = Vec::new();
        for quarter in 1..=4 {
            let q = Period::Quarter { fiscal_year, quarter };
            let bounds = cal.bounds(q);
            prop_assert_eq!(bounds.from, from, "quarters must meet without gaps");
            from = bounds.to.unwrap();
            prop_assert_eq!(cal.months_of(q).len(), 3);
            months.extend(cal.months_of(q));
        }
        prop_assert_eq!(Some(from), year.to);
        prop_assert_eq!(months, cal.months_of(Period::Year { fiscal_year }));
        let days = year.days().unwrap();
        prop_assert!(days == 365 || days == 366);
    }

    #[test]
    fn the_day_after_a_period_starts_the_next(cal in calendars(), day in days()) {
        let quarter = cal.bounds(cal.quarter_period(day));
        let next = quarter.to.unwrap();
        prop_assert_ne!(cal.quarter_period(next), cal.quarter_period(day));
        let last = next.yesterday().unwrap();
        prop_assert_eq!(cal.quarter_period(last), cal.quarter_period(day));
    }
}
