//! attain-core's integration tests: property tests of the calendar and money invariants, and
//! the check that the published column reference matches the code.

mod calendar_props;
mod docs;
mod money_props;
