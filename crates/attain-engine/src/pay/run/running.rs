//! Running window totals: what a person's measure summed to over a window so far, kept so
//! that next month's year-to-date (or quarter-to-date) window adds only its own buckets
//! instead of summing the whole window again. Months run in order, so a year's twelve
//! statements read each bucket once rather than 78 times between them.
//!
//! A total is kept only after it was summed without error, and its additions are the same
//! ones in the same order as a sum from the window's start, so reading on from it gives the
//! same `Decimal`, digit for digit. Any change to the sums forgets every total
//! (`Running::forget`, called when a resident run is updated in place).

use std::sync::Mutex;

use attain_core::Currency;
use rust_decimal::Decimal;

/// What a kept total is of: plan version (index in the book), measure, the payee's currency
/// and the window's first day.
pub(crate) type Key = (usize, usize, Currency, i32);

/// Per person, the totals read so far. A person's months run on one thread at a time, so
/// each lock is uncontended; it is there because a server may run months of the same
/// prepared run from two requests at once.
#[derive(Debug, Default)]
pub(crate) struct Running(Vec<Mutex<Vec<(Key, i32, Decimal)>>>);

impl Running {
    pub fn new(people: usize) -> Running {
        Running((0..people).map(|_| Mutex::new(Vec::new())).collect())
    }

    /// The total kept for `key` up to a day no later than `to`: (that day, the total).
    pub fn before(&self, person: usize, key: Key, to: i32) -> Option<(i32, Decimal)> {
        let kept = self.0.get(person)?.lock().ok()?;
        kept.iter().find(|(k, upto, _)| *k == key && *upto <= to).map(|(_, upto, total)| (*upto, *total))
    }

    /// Keeps `total` as the sum for `key` up to `to` (the day after the window so far).
    pub fn keep(&self, person: usize, key: Key, to: i32, total: Decimal) {
        let Some(Ok(mut kept)) = self.0.get(person).map(|m| m.lock()) else { return };
        match kept.iter_mut().find(|(k, ..)| *k == key) {
            Some(entry) => *entry = (key, to, total),
            None => kept.push((key, to, total)),
        }
    }

    /// Forgets every kept total: the sums under them changed.
    pub fn forget(&mut self) {
        for kept in &mut self.0 {
            if let Ok(list) = kept.get_mut() {
                list.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_total_is_found_for_its_key_up_to_a_later_day_only() {
        let mut running = Running::new(2);
        let key = (0, 0, Currency::USD, 100);
        assert_eq!(running.before(0, key, 200), None);
        running.keep(0, key, 131, Decimal::new(1250, 2));
        assert_eq!(running.before(0, key, 159), Some((131, Decimal::new(1250, 2))));
        assert_eq!(running.before(0, key, 131), Some((131, Decimal::new(1250, 2))));
        assert_eq!(running.before(0, key, 130), None, "a shorter window sums from its start");
        assert_eq!(running.before(1, key, 159), None, "another person's total is their own");
        assert_eq!(running.before(0, (0, 1, Currency::USD, 100), 159), None);
        running.keep(0, key, 159, Decimal::new(2000, 2));
        assert_eq!(running.before(0, key, 200), Some((159, Decimal::new(2000, 2))));
        running.forget();
        assert_eq!(running.before(0, key, 200), None);
        assert_eq!(running.before(7, key, 200), None, "no such person");
    }
}
