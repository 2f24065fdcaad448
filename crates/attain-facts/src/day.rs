//! Day numbers: a date as the count of days since 1970-01-01, so the hot loops compare and
//! subtract `i32`s instead of calendar structs. The conversion is the civil-from-days
//! arithmetic (proleptic Gregorian), exact for every date `jiff` can hold.

use attain_core::Date;

/// "Open-ended" as a day number: after every real date.
pub const OPEN: i32 = i32::MAX;

/// The day number of `date`.
pub fn day_of(date: Date) -> i32 {
    let (y, m, d) = (i32::from(date.year()), i32::from(date.month()), i32::from(date.day()));
    // Years start in March so the leap day is the year's last: February's length stops mattering.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (m + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of day number `n` (the inverse of [`day_of`]).
pub fn date_of(n: i32) -> Date {
    let z = n + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let d = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let m = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let y = year_of_era + era * 400 + i32::from(m <= 2);
    // Every i32 day number a store holds came from a real date, so this stays in jiff's range.
    Date::new(y as i16, m as i8, d as i8).unwrap_or(Date::MIN)
}

/// The day number of an optional end date, `OPEN` when there is none.
pub fn end_of(date: Option<Date>) -> i32 {
    date.map_or(OPEN, day_of)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_days() {
        assert_eq!(day_of(Date::new(1970, 1, 1).unwrap()), 0);
        assert_eq!(day_of(Date::new(2000, 3, 1).unwrap()), 11_017);
        assert_eq!(day_of(Date::new(1969, 12, 31).unwrap()), -1);
    }

    proptest! {
        #[test]
        fn matches_jiff_both_ways(n in -700_000i32..2_900_000) {
            let epoch = Date::new(1970, 1, 1).unwrap();
            let date = epoch.checked_add(jiff::Span::new().days(i64::from(n))).unwrap();
            prop_assert_eq!(day_of(date), n);
            prop_assert_eq!(date_of(n), date);
        }
    }
}
