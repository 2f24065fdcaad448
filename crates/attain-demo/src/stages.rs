//! The sales funnel: stage names, when in a deal's cycle each stage begins, and the win
//! probability each stage stands for.

use attain_core::Date;

use crate::dates::{add_days, days_between};

pub const OPEN_STAGES: [&str; 5] = ["Prospecting", "Qualification", "Discovery", "Proposal", "Negotiation"];
pub const CLOSED_WON: &str = "Closed Won";
pub const CLOSED_LOST: &str = "Closed Lost";

/// Percent of the cycle elapsed when each open stage begins (the sixth entry closes the cycle):
/// early stages pass quickly, proposals and negotiation take the longest.
const STARTS: [i64; 6] = [0, 15, 30, 50, 75, 100];

/// Win probability in percent of a deal sitting in each open stage.
pub(crate) const PROBABILITY: [i64; 5] = [10, 20, 40, 60, 80];

/// The day a deal created on `created` and ending on `end` entered open stage `stage`, when
/// `through` is the last open stage it reaches: the stages it reached share the cycle in the
/// funnel's proportions.
pub(crate) fn entered(created: Date, end: Date, stage: usize, through: usize) -> Date {
    let cycle = days_between(created, end);
    add_days(created, cycle * STARTS[stage] / STARTS[through + 1])
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn stages_are_entered_in_order_and_within_the_cycle() {
        let (created, end) = (date(2017, 1, 2), date(2017, 4, 3));
        for through in 0..OPEN_STAGES.len() {
            let days: Vec<Date> = (0..=through).map(|s| entered(created, end, s, through)).collect();
            assert_eq!(days[0], created);
            assert!(days.windows(2).all(|w| w[0] <= w[1]));
            assert!(days[through] < end);
        }
    }
}
