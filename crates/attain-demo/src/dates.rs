//! Calendar helpers for the generator: the history window, day arithmetic, weekdays and
//! business-hours instants in the company's time zone.

use attain_core::Date;
use jiff::Span;
use jiff::civil::{Weekday, date};
use jiff::tz::TimeZone;

/// The company's zone, as a POSIX rule rather than a lookup in the system's zone database:
/// the generator must give the same instants on a machine without `/usr/share/zoneinfo`.
/// The rule is New York's since 2007, which is all the demo's history needs.
const NEW_YORK_RULE: &str = "EST5EDT,M3.2.0,M11.1.0";

/// The days the demo has history for: the two full calendar years before `as_of`'s year and
/// that year to date, `[start, as_of)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub start: Date,
    pub as_of: Date,
}

impl Window {
    pub fn new(as_of: Date) -> Window {
        Window { start: date(as_of.year() - 2, 1, 1), as_of }
    }

    /// The first calendar year of the window.
    pub fn first_year(&self) -> i16 {
        self.start.year()
    }

    /// The last day with history (the day before `as_of`).
    pub fn last_day(&self) -> Date {
        add_days(self.as_of, -1)
    }
}

pub(crate) fn add_days(day: Date, days: i64) -> Date {
    // The demo stays within a few years of `as_of`, far inside jiff's range.
    day.checked_add(Span::new().days(days)).expect("demo dates stay inside jiff's range")
}

pub(crate) fn days_between(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days())
}

/// The day itself if it is a weekday, else the following Monday.
pub(crate) fn weekday_on_or_after(day: Date) -> Date {
    match day.weekday() {
        Weekday::Saturday => add_days(day, 2),
        Weekday::Sunday => add_days(day, 1),
        _ => day,
    }
}

/// The day itself if it is a weekday, else the Friday before.
pub(crate) fn weekday_on_or_before(day: Date) -> Date {
    match day.weekday() {
        Weekday::Saturday => add_days(day, -1),
        Weekday::Sunday => add_days(day, -2),
        _ => day,
    }
}

/// The first day of calendar quarter `quarter` (1–4) of `year` (the demo's fiscal year is
/// the calendar year).
pub(crate) fn quarter_start(year: i16, quarter: i8) -> Date {
    date(year, 3 * quarter - 2, 1)
}

/// The company's time zone, built without the system zone database.
pub(crate) fn company_zone() -> TimeZone {
    TimeZone::posix(NEW_YORK_RULE).expect("the New York POSIX rule is well formed")
}

/// The instant `minute_of_day` minutes after local midnight of `day` in `zone`.
pub(crate) fn local_instant(zone: &TimeZone, day: Date, minute_of_day: i64) -> jiff::Timestamp {
    // Business hours never fall in a daylight-saving gap (those are at 2 a.m.), so the local
    // time always exists and the conversion cannot fail.
    let hour = i8::try_from(minute_of_day / 60).expect("a minute of the day has an hour below 24");
    let minute = i8::try_from(minute_of_day % 60).expect("minutes are below 60");
    zone.to_timestamp(day.at(hour, minute, 0, 0)).expect("business hours exist on every day")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_spans_two_full_years_and_the_year_to_date() {
        let w = Window::new(date(2018, 1, 15));
        assert_eq!(w.start, date(2016, 1, 1));
        assert_eq!(w.last_day(), date(2018, 1, 14));
    }

    #[test]
    fn weekends_snap_to_the_nearest_weekday_in_the_asked_direction() {
        // 2017-07-01 was a Saturday.
        assert_eq!(weekday_on_or_after(date(2017, 7, 1)), date(2017, 7, 3));
        assert_eq!(weekday_on_or_before(date(2017, 7, 2)), date(2017, 6, 30));
        assert_eq!(weekday_on_or_after(date(2017, 7, 4)), date(2017, 7, 4));
    }

    #[test]
    fn local_instants_follow_new_york_daylight_saving() {
        let zone = company_zone();
        assert_eq!(local_instant(&zone, date(2017, 1, 10), 9 * 60).to_string(), "2017-01-10T14:00:00Z");
        assert_eq!(local_instant(&zone, date(2017, 7, 10), 9 * 60).to_string(), "2017-07-10T13:00:00Z");
    }
}
