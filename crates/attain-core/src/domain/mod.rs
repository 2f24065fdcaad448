//! The sales organisation's records: company settings, people and positions over time,
//! territories, accounts and contacts, products, opportunities and their stage history,
//! activities, and the sales transactions money is computed from.

mod account;
mod activity;
mod company;
mod opportunity;
mod org;
mod product;
mod territory;
mod transaction;

pub use account::{Account, AccountSize, BuyingRole, Contact};
pub use activity::{Activity, ActivityKind};
pub use company::Company;
pub use opportunity::{Channel, DealStatus, DealType, Opportunity, StageChange};
pub use org::{Assignment, Person, Position, Role, days_in_period, holder_of, position_of, position_on};
pub use product::Product;
pub use territory::{Territory, TerritoryOwner};
pub use transaction::{Transaction, TransactionKind};
