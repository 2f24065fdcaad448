//! Plans as code: the plan model, its text format and loader, and the set of plan versions a
//! company runs (its plan book).

mod book;
mod cases;
mod load;
mod model;
mod read;
pub mod schema;

pub use book::PlanBook;
pub use cases::{CaseOutcome, PlanCase};
pub use load::{PlanError, load_plan, load_rules};
pub use model::*;
