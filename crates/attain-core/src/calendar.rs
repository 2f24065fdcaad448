//! The fiscal calendar and its periods. Months are calendar months named `2017-03`; quarters
//! and years are fiscal, named `2017-Q2` and `FY2017` after the fiscal year they belong to.
//!
//! A fiscal year may start in any month. By default it is named after the calendar year in
//! which it *ends* (the usual convention: a year running Feb 2017 – Jan 2018 is FY2018); a
//! company can choose to name it after the year it starts instead.

use std::fmt;
use std::str::FromStr;

use jiff::civil::date;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::{Date, Validity};

/// Which calendar year gives a fiscal year its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FiscalYearNaming {
    /// FY named by the calendar year it ends in (Feb 2017 – Jan 2018 is FY2018).
    #[default]
    EndYear,
    /// FY named by the calendar year it starts in (Feb 2017 – Jan 2018 is FY2017).
    StartYear,
}

impl FiscalYearNaming {
    pub const ALL: [(&'static str, FiscalYearNaming); 2] =
        [("end_year", FiscalYearNaming::EndYear), ("start_year", FiscalYearNaming::StartYear)];
}

/// A company's fiscal calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FiscalCalendar {
    start_month: i8,
    naming: FiscalYearNaming,
}

impl Default for FiscalCalendar {
    fn default() -> Self {
        FiscalCalendar { start_month: 1, naming: FiscalYearNaming::EndYear }
    }
}

/// A reporting period: a calendar month, a fiscal quarter or a fiscal year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    Month { year: i16, month: i8 },
    Quarter { fiscal_year: i16, quarter: i8 },
    Year { fiscal_year: i16 },
}

impl FiscalCalendar {
    pub fn new(start_month: i8, naming: FiscalYearNaming) -> Result<FiscalCalendar> {
        if !(1..=12).contains(&start_month) {
            return Err(DomainError::Invalid(format!(
                "fiscal year start month must be 1 to 12, not {start_month}"
            )));
        }
        Ok(FiscalCalendar { start_month, naming })
    }

    pub fn start_month(&self) -> i8 {
        self.start_month
    }

    pub fn naming(&self) -> FiscalYearNaming {
        self.naming
    }

    /// The fiscal year (its name's number) that a day falls in.
    pub fn fiscal_year_of(&self, day: Date) -> i16 {
        let start_year = if day.month() >= self.start_month { day.year() } else { day.year() - 1 };
        self.name_of_start_year(start_year)
    }

    /// The fiscal quarter (1–4) that a day falls in.
    pub fn quarter_of(&self, day: Date) -> i8 {
        (day.month() - self.start_month).rem_euclid(12) / 3 + 1
    }

    pub fn month_period(&self, day: Date) -> Period {
        Period::Month { year: day.year(), month: day.month() }
    }

    pub fn quarter_period(&self, day: Date) -> Period {
        Period::Quarter { fiscal_year: self.fiscal_year_of(day), quarter: self.quarter_of(day) }
    }

    pub fn year_period(&self, day: Date) -> Period {
        Period::Year { fiscal_year: self.fiscal_year_of(day) }
    }

    /// The first day of the fiscal year with this name.
    pub fn fiscal_year_start(&self, fiscal_year: i16) -> Date {
        let start_year = match self.naming {
            FiscalYearNaming::EndYear if self.start_month > 1 => fiscal_year - 1,
            _ => fiscal_year,
        };
        date(start_year, self.start_month, 1)
    }

    fn name_of_start_year(&self, start_year: i16) -> i16 {
        match self.naming {
            FiscalYearNaming::EndYear if self.start_month > 1 => start_year + 1,
            _ => start_year,
        }
    }

    /// The days a period covers, as `[first day, first day after)`.
    pub fn bounds(&self, period: Period) -> Validity {
        let (first, months) = match period {
            Period::Month { year, month } => (date(year, month, 1), 1),
            Period::Quarter { fiscal_year, quarter } => {
                (add_months(self.fiscal_year_start(fiscal_year), 3 * (i32::from(quarter) - 1)), 3)
            }
            Period::Year { fiscal_year } => (self.fiscal_year_start(fiscal_year), 12),
        };
        Validity { from: first, to: Some(add_months(first, months)) }
    }

    /// The calendar months a period is made of, in order.
    pub fn months_of(&self, period: Period) -> Vec<Period> {
        let bounds = self.bounds(period);
        let mut months = Vec::new();
        let mut day = bounds.from;
        while bounds.contains(day) {
            months.push(self.month_period(day));
            day = add_months(day, 1);
        }
        months
    }

    /// The quarter and year a month belongs to, smallest first.
    pub fn enclosing(&self, month: Period) -> [Period; 2] {
        let first = self.bounds(month).from;
        [self.quarter_period(first), self.year_period(first)]
    }
}

/// First-of-month arithmetic (the only month arithmetic periods need).
fn add_months(first_of_month: Date, months: i32) -> Date {
    let index = i32::from(first_of_month.year()) * 12 + i32::from(first_of_month.month()) - 1 + months;
    // Periods live well inside jiff's year range (-9999..=9999), so the casts cannot truncate.
    date((index.div_euclid(12)) as i16, (index.rem_euclid(12) + 1) as i8, 1)
}

impl Period {
    /// The month after a month (months are calendar months, whatever the fiscal year); a
    /// quarter or year is returned as it is.
    pub fn next_month(self) -> Period {
        match self {
            Period::Month { year, month: 12 } => Period::Month { year: year + 1, month: 1 },
            Period::Month { year, month } => Period::Month { year, month: month + 1 },
            other => other,
        }
    }

    pub fn parse(text: &str) -> Result<Period> {
        let t = text.trim();
        let bad = || DomainError::InvalidPeriod(text.to_string());
        let number = |s: &str| -> Result<i16> {
            if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        if let Some(year) = t.strip_prefix("FY") {
            let fiscal_year = number(year)?;
            return Ok(Period::Year { fiscal_year });
        }
        let (year, rest) = t.split_once('-').ok_or_else(bad)?;
        let year = number(year)?;
        if let Some(q) = rest.strip_prefix('Q') {
            let quarter: i8 = match q {
                "1" | "2" | "3" | "4" => q.parse().map_err(|_| bad())?,
                _ => return Err(bad()),
            };
            return Ok(Period::Quarter { fiscal_year: year, quarter });
        }
        if rest.len() != 2 || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let month: i8 = rest.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Period::Month { year, month })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::Quarter { fiscal_year, quarter } => write!(f, "{fiscal_year:04}-Q{quarter}"),
            Period::Year { fiscal_year } => write!(f, "FY{fiscal_year:04}"),
        }
    }
}

impl FromStr for Period {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self> {
        Period::parse(s)
    }
}

impl TryFrom<String> for Period {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self> {
        Period::parse(&s)
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_after_december_is_january_of_the_next_year() {
        let next = |y, m| Period::Month { year: y, month: m }.next_month().to_string();
        assert_eq!(next(2017, 12), "2018-01");
        assert_eq!(next(2017, 3), "2017-04");
        let q = Period::Quarter { fiscal_year: 2017, quarter: 4 };
        assert_eq!(q.next_month(), q);
    }

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn cal(start: i8) -> FiscalCalendar {
        FiscalCalendar::new(start, FiscalYearNaming::EndYear).unwrap()
    }

    #[test]
    fn calendar_year_periods() {
        let c = cal(1);
        assert_eq!(c.bounds(p("2017-Q2")), Validity { from: date(2017, 4, 1), to: Some(date(2017, 7, 1)) });
        assert_eq!(c.bounds(p("FY2017")), Validity { from: date(2017, 1, 1), to: Some(date(2018, 1, 1)) });
        assert_eq!(c.bounds(p("2017-12")), Validity { from: date(2017, 12, 1), to: Some(date(2018, 1, 1)) });
        assert_eq!(c.quarter_period(date(2017, 3, 31)), p("2017-Q1"));
        assert_eq!(c.quarter_period(date(2017, 4, 1)), p("2017-Q2"));
    }

    #[test]
    fn february_start_names_and_bounds_quarters_right() {
        let c = cal(2);
        // FY2018 runs 2017-02-01 .. 2018-02-01.
        assert_eq!(c.fiscal_year_of(date(2017, 2, 1)), 2018);
        assert_eq!(c.fiscal_year_of(date(2018, 1, 31)), 2018);
        assert_eq!(c.fiscal_year_of(date(2017, 1, 31)), 2017);
        assert_eq!(c.bounds(p("FY2018")), Validity { from: date(2017, 2, 1), to: Some(date(2018, 2, 1)) });
        assert_eq!(c.bounds(p("2018-Q1")), Validity { from: date(2017, 2, 1), to: Some(date(2017, 5, 1)) });
        assert_eq!(c.bounds(p("2018-Q4")), Validity { from: date(2017, 11, 1), to: Some(date(2018, 2, 1)) });
        assert_eq!(c.quarter_period(date(2018, 1, 31)), p("2018-Q4"));
        assert_eq!(c.quarter_period(date(2017, 4, 30)), p("2018-Q1"));
        assert_eq!(c.quarter_period(date(2017, 5, 1)), p("2018-Q2"));
        assert_eq!(c.months_of(p("2018-Q4")), vec![p("2017-11"), p("2017-12"), p("2018-01")]);
    }

    #[test]
    fn start_year_naming() {
        let c = FiscalCalendar::new(2, FiscalYearNaming::StartYear).unwrap();
        assert_eq!(c.fiscal_year_of(date(2017, 2, 1)), 2017);
        assert_eq!(c.bounds(p("FY2017")).from, date(2017, 2, 1));
        assert_eq!(c.bounds(p("2017-Q4")), Validity { from: date(2017, 11, 1), to: Some(date(2018, 2, 1)) });
    }

    #[test]
    fn july_start_crosses_the_calendar_year() {
        let c = cal(7);
        assert_eq!(c.year_period(date(2017, 6, 30)), p("FY2017"));
        assert_eq!(c.year_period(date(2017, 7, 1)), p("FY2018"));
        assert_eq!(c.bounds(p("2018-Q2")), Validity { from: date(2017, 10, 1), to: Some(date(2018, 1, 1)) });
        assert_eq!(c.months_of(p("FY2018")).len(), 12);
    }

    #[test]
    fn leap_years() {
        let c = cal(1);
        assert_eq!(c.bounds(p("2016-02")).days(), Some(29));
        assert_eq!(c.bounds(p("2017-02")).days(), Some(28));
        assert_eq!(c.bounds(p("2000-02")).days(), Some(29));
        assert_eq!(c.bounds(p("1900-02")).days(), Some(28));
        assert_eq!(c.bounds(p("FY2016")).days(), Some(366));
        assert_eq!(c.bounds(p("2016-Q1")).days(), Some(91));
        // A March-start year that holds 29 February 2016 is FY2016 (Mar 2015 – Feb 2016).
        assert_eq!(cal(3).bounds(p("FY2016")).days(), Some(366));
        assert_eq!(cal(3).year_period(date(2016, 2, 29)), p("FY2016"));
    }

    #[test]
    fn period_boundaries_are_exclusive_at_the_end() {
        let c = cal(1);
        let q1 = c.bounds(p("2017-Q1"));
        assert!(q1.contains(date(2017, 3, 31)));
        assert!(!q1.contains(date(2017, 4, 1)));
    }

    #[test]
    fn period_names_round_trip_and_bad_names_fail() {
        for name in ["2017-03", "2017-Q2", "FY2017", "0999-01"] {
            assert_eq!(p(name).to_string(), name);
        }
        for bad in ["2017-13", "2017-Q5", "FY17", "2017-3", "Q2-2017", "2017", "2017-00", ""] {
            assert!(Period::parse(bad).is_err(), "{bad:?} must be refused");
        }
        assert!(FiscalCalendar::new(13, FiscalYearNaming::EndYear).is_err());
    }

    #[test]
    fn enclosing_periods_of_a_month() {
        assert_eq!(cal(2).enclosing(p("2017-01")), [p("2017-Q4"), p("FY2017")]);
        assert_eq!(cal(1).enclosing(p("2017-01")), [p("2017-Q1"), p("FY2017")]);
    }
}
