//! Attain's compensation engine: pure, deterministic functions over attain-core's types. No
//! I/O, no async, no store: the app gathers the inputs, calls the engine and saves what it
//! returns. So far: rate tables (the arithmetic at the heart of every plan component) the
//! crediting arithmetic (splits, roll-up), proration and limits (floors, caps); measures, period runs and statements build on them
//! (issue B1).

pub mod crediting;
pub mod limits;
pub mod rates;

pub use crediting::{Share, SplitError, roll_up, split};
pub use limits::{Limit, Limited, Limits, held_share, prorate};
pub use rates::{Payout, RateError, RateTable, Step, TierMode};
