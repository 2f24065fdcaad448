//! Attain's compensation engine: pure, deterministic functions over attain-core's types. No
//! I/O, no async, no store: the app gathers the inputs, calls the engine and saves what it
//! returns.
//!
//! - `rates`, `crediting`, `limits`: the arithmetic (rate tables, splits and roll-up,
//!   proration and caps);
//! - `formula`: the small decimal expression language plans use where fields are not enough;
//! - `plan`: plans as code — the model, the text format's loader, the plan book;
//! - `run`: period runs — credits, measures, attainment, earnings, statements.

pub mod crediting;
pub mod formula;
pub mod limits;
pub mod plan;
pub mod rates;
pub mod run;

pub use crediting::{Share, SplitError, roll_up, split};
pub use limits::{Limit, Limited, Limits, held_share, prorate};
pub use rates::{Payout, RateError, RateTable, Step, TierMode};
