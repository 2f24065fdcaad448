//! The Plan operations and schemas: the revenue plan (`revenue.rs`), quota allocation with
//! its sheets (`quotas.rs`), individual objectives (`objectives.rs`) and capacity
//! (`capacity.rs`).

mod capacity;
mod objectives;
mod quotas;
mod revenue;

use serde_json::{Map, Value};

/// Adds the plan operations to `paths`.
pub(super) fn paths(paths: &mut Map<String, Value>) {
    revenue::paths(paths);
    quotas::paths(paths);
    objectives::paths(paths);
    capacity::paths(paths);
}

/// The plan schemas.
pub(super) fn schemas(schemas: &mut Map<String, Value>) {
    revenue::schemas(schemas);
    quotas::schemas(schemas);
    objectives::schemas(schemas);
    capacity::schemas(schemas);
}
