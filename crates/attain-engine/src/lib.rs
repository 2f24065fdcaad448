//! Attain's compensation engine: pure, deterministic functions over attain-core's types. No
//! I/O, no async, no store: the app gathers the inputs, calls the engine and saves what it
//! returns. This first part is the rate table, the arithmetic at the heart of every plan
//! component; crediting, measures, period runs and statements build on it (issue B1).

pub mod rates;

pub use rates::{Payout, RateError, RateTable, Step, TierMode};
