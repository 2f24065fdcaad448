//! A company's plans: every version of every plan, plus the crediting rules, checked as a set
//! (versions of one plan must not overlap in time or share a number).

use attain_core::Date;

use super::load::PlanError;
use super::model::{CreditRules, Plan};

#[derive(Debug, Clone, Default)]
pub struct PlanBook {
    /// Sorted by plan id, then version.
    plans: Vec<Plan>,
    pub rules: CreditRules,
}

impl PlanBook {
    pub fn new(mut plans: Vec<Plan>, rules: CreditRules) -> Result<PlanBook, PlanError> {
        plans.sort_by(|a, b| a.id.cmp(&b.id).then(a.version.cmp(&b.version)));
        for pair in plans.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if a.id != b.id {
                continue;
            }
            let clash = |message: String| PlanError {
                file: b.file.clone(),
                line: 0,
                field: "version".into(),
                message,
            };
            if a.version == b.version {
                return Err(clash(format!(
                    "plan `{}` version {} is also defined in {}",
                    b.id, b.version, a.file
                )));
            }
            if a.validity.overlaps(&b.validity) {
                return Err(clash(format!(
                    "plan `{}` version {} ({}) overlaps version {} ({}) in {}: versions of a plan must follow each other",
                    b.id, b.version, b.validity, a.version, a.validity, a.file
                )));
            }
        }
        Ok(PlanBook { plans, rules })
    }

    pub fn plans(&self) -> &[Plan] {
        &self.plans
    }

    /// The version of plan `id` in force on `day`.
    pub fn version_on(&self, id: &str, day: Date) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id && p.validity.contains(day))
    }

    pub fn knows(&self, id: &str) -> bool {
        self.plans.iter().any(|p| p.id == id)
    }
}
