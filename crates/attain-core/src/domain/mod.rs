//! The sales organisation's records: company settings, people and positions over time,
//! territories, accounts and contacts, products, opportunities and their stage history,
//! activities, the sales transactions money is computed from, and the compensation inputs
//! (quotas, plan assignments, credit splits, adjustments, objective scores), the revenue
//! plan's versions, the quota sheets that divide it down the organisation, and each seat's
//! individual objectives (activity counts, period targets).

mod account;
mod activity;
mod comp;
mod company;
mod objective;
mod opportunity;
mod org;
mod product;
mod quota_sheet;
mod revenue_plan;
mod territory;
mod transaction;

pub use account::{Account, AccountSize, BuyingRole, Contact};
pub use activity::{Activity, ActivityKind};
pub use comp::{Adjustment, CreditRole, CreditSplit, ObjectiveScore, PlanAssignment, Quota};
pub use company::Company;
pub use objective::{Cadence, Objective, ObjectiveMeasure};
pub use opportunity::{Channel, DealStatus, DealType, Opportunity, StageChange};
pub use org::{Assignment, Person, Position, Role, days_in_period, holder_of, position_of, position_on};
pub use product::Product;
pub use quota_sheet::{
    AllocationMethod, OVER_ASSIGNMENT, QuotaMeasure, QuotaSheet, SheetStatus, quotas_in_force,
    sheets_in_force,
};
pub use revenue_plan::{
    MONTH_COLUMNS, PLAN_YEARS, PlanStatus, RevenuePlan, SeasonSource, check_shares, parse_fiscal_year,
};
pub use territory::{AccountTerritory, RuleBasis, Territory, TerritoryOwner, TerritoryRule, normalise};
pub use transaction::{Transaction, TransactionKind, TransactionRef, column as transaction_column};
