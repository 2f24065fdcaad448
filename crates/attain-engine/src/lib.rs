//! Attain's engine: pure, deterministic functions over attain-core's types. No I/O, no async,
//! no store: the app gathers the inputs, calls the engine and saves what it returns. One folder
//! per job of the product, beside the shared formula language:
//!
//! - `formula`: the small decimal expression language plans use where fields are not enough;
//! - `plan`: planning — the revenue plan's seasonality, quota allocation, ramp and proration;
//! - `pay`: the compensation engine — rates, crediting, limits, plans as code, period runs.

pub mod formula;
pub mod pay;
pub mod plan;
