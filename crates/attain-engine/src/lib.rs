//! Attain's engine: pure, deterministic functions over attain-core's types. No I/O, no async,
//! no store: the app gathers the inputs, calls the engine and saves what it returns. One folder
//! per job of the product, beside the shared platform:
//!
//! - `formula`: the small decimal expression language plans use where fields are not enough;
//! - `fx`: currency conversion, shared by every job;
//! - `plan`: planning — apportioning exactly, the revenue plan's seasonality, quota allocation,
//!   ramp and proration, headcount (capacity) planning;
//! - `track`: actuals from the fact store (plan vs actual, attainment, KPIs);
//! - `pay`: the compensation engine — rates, crediting, limits, plans as code, period runs.

pub mod formula;
pub mod fx;
pub mod pay;
pub mod plan;
pub mod track;
