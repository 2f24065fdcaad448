//! The Plan operations and schemas: the revenue plan (`revenue.rs`), quota allocation with
//! its sheets (`quotas.rs`), individual objectives (`objectives.rs`), capacity
//! (`capacity.rs`) and territory design (`territories.rs`).

mod capacity;
mod objectives;
mod quotas;
mod revenue;
mod territories;

use serde_json::{Map, Value};

/// Adds the plan operations to `paths`.
pub(super) fn paths(paths: &mut Map<String, Value>) {
    revenue::paths(paths);
    quotas::paths(paths);
    objectives::paths(paths);
    capacity::paths(paths);
    territories::paths(paths);
}

/// The plan schemas.
pub(super) fn schemas(schemas: &mut Map<String, Value>) {
    revenue::schemas(schemas);
    quotas::schemas(schemas);
    objectives::schemas(schemas);
    capacity::schemas(schemas);
    territories::schemas(schemas);
}
