//! The variables formulas may read, by where they are used: per transaction (custom measures
//! and `where` filters) or per period (bonus conditions and modifiers). The order here is the
//! slot order the engine fills values in.

use crate::formula::{Schema, Type};

use super::model::Measure;

/// Per-transaction variables, in slot order. Missing numbers read as 0, missing texts as "".
pub const TRANSACTION: &[(&str, Type)] = &[
    ("amount", Type::Number),
    ("cost", Type::Number),
    ("margin", Type::Number),
    ("quantity", Type::Number),
    ("kind", Type::Text),
    ("product", Type::Text),
    ("family", Type::Text),
    ("deal_type", Type::Text),
    ("channel", Type::Text),
    ("account.industry", Type::Text),
    ("account.country", Type::Text),
    ("account.region", Type::Text),
    ("account.size", Type::Text),
];

pub fn transaction() -> Schema {
    TRANSACTION.iter().fold(Schema::new(), |s, (name, ty)| s.with(name, *ty))
}

/// The three numbers each measure offers per period, in slot order after `target_incentive`.
pub const PER_MEASURE: [&str; 3] = ["total", "quota", "attainment"];

/// Per-period variables for a plan: `target_incentive`, then for each measure (in plan order)
/// `<measure>.total`, `<measure>.quota` and `<measure>.attainment`.
pub fn period(measures: &[Measure]) -> Schema {
    let mut schema = Schema::new().with("target_incentive", Type::Number);
    for m in measures {
        for part in PER_MEASURE {
            schema = schema.with(&format!("{}.{part}", m.id), Type::Number);
        }
    }
    schema
}
