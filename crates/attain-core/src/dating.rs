//! Effective dating: every fact that changes over time holds over a half-open date range
//! `[from, to)`. `to` is exclusive, so consecutive ranges meet without overlapping and a move
//! "on the 1st" means the old range ends on the 1st and the new one starts on it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Date;
use crate::error::{DomainError, Result};

/// A half-open date range `[from, to)`; `to = None` means open-ended ("until further notice").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Validity {
    pub from: Date,
    pub to: Option<Date>,
}

impl Validity {
    /// A range that must hold at least one day.
    pub fn new(from: Date, to: Option<Date>) -> Result<Validity> {
        if let Some(to) = to
            && to <= from
        {
            return Err(DomainError::EmptyRange { from: from.to_string(), to: to.to_string() });
        }
        Ok(Validity { from, to })
    }

    pub fn open_from(from: Date) -> Validity {
        Validity { from, to: None }
    }

    pub fn contains(&self, day: Date) -> bool {
        day >= self.from && self.to.is_none_or(|to| day < to)
    }

    pub fn overlaps(&self, other: &Validity) -> bool {
        let starts_before_other_ends = other.to.is_none_or(|to| self.from < to);
        let other_starts_before_self_ends = self.to.is_none_or(|to| other.from < to);
        starts_before_other_ends && other_starts_before_self_ends
    }

    /// The days both ranges share, if any.
    pub fn intersect(&self, other: &Validity) -> Option<Validity> {
        let from = self.from.max(other.from);
        let to = match (self.to, other.to) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Validity::new(from, to).ok()
    }

    /// Number of days in the range, if it is bounded.
    pub fn days(&self) -> Option<i32> {
        self.to.map(|to| (to - self.from).get_days())
    }
}

impl fmt::Display for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to {
            Some(to) => write!(f, "[{}, {})", self.from, to),
            None => write!(f, "[{}, …)", self.from),
        }
    }
}

/// Parses a strict ISO date `YYYY-MM-DD`; `2017-02-30` and `2017-2-3` are refused.
pub fn parse_date(text: &str) -> Result<Date> {
    let t = text.trim();
    let shaped = t.len() == 10
        && t.as_bytes()[4] == b'-'
        && t.as_bytes()[7] == b'-'
        && t.bytes().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(DomainError::InvalidDate(text.to_string()));
    }
    t.parse::<Date>().map_err(|_| DomainError::InvalidDate(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn ranges_are_half_open() {
        let v = Validity::new(date(2017, 1, 1), Some(date(2017, 4, 1))).unwrap();
        assert!(v.contains(date(2017, 1, 1)));
        assert!(v.contains(date(2017, 3, 31)));
        assert!(!v.contains(date(2017, 4, 1)));
        assert!(!v.contains(date(2016, 12, 31)));
        assert_eq!(v.days(), Some(90));
    }

    #[test]
    fn consecutive_ranges_meet_without_overlap() {
        let a = Validity::new(date(2017, 1, 1), Some(date(2017, 3, 31))).unwrap();
        let b = Validity::open_from(date(2017, 3, 31));
        assert!(!a.overlaps(&b));
        assert!(!b.overlaps(&a));
        assert_eq!(a.intersect(&b), None);
        let c = Validity::open_from(date(2017, 3, 30));
        assert!(a.overlaps(&c));
        assert_eq!(a.intersect(&c).unwrap().days(), Some(1));
    }

    #[test]
    fn empty_or_inverted_ranges_are_refused() {
        assert!(Validity::new(date(2017, 1, 1), Some(date(2017, 1, 1))).is_err());
        assert!(Validity::new(date(2017, 1, 2), Some(date(2017, 1, 1))).is_err());
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(parse_date("2016-02-29").unwrap(), date(2016, 2, 29));
        for bad in ["2017-02-30", "2017-02-29", "2017-2-3", "17-02-03", "2017/02/03", "", "2017-13-01"] {
            assert!(parse_date(bad).is_err(), "{bad:?} must be refused");
        }
    }
}
