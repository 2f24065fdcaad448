//! Planning: the pure arithmetic behind the revenue plan and its quotas — apportioning whole
//! units exactly (`apportion`), the year's seasonality (`season`), ramp and proration as a
//! capacity factor (`ramp`), quota allocation down the organisation (`allocate`) and capacity
//! planning: how many reps, hired when (`headcount`); account assignment and territory
//! balance (`territory`). docs/planning-math.md says each rule in
//! words.

pub mod allocate;
pub mod apportion;
pub mod headcount;
pub mod ramp;
pub mod season;
pub mod territory;
mod wide;

pub use allocate::{AllocationError, Method, Seat, allocate};
pub use apportion::{ApportionError, apportion};
pub use headcount::{
    HeadcountError, HeadcountInputs, OpenSeats, QuarterNeed, plan_headcount, quarterly_survival,
};
pub use ramp::{CapacityError, Ramp, RampError, capacity, tenure_quarter_start};
pub use season::{SeasonError, Seasonality};
