//! Territories: which territory each account belongs in by the assignment rules (`assign`),
//! and how evenly the territories are loaded, with moves that even them out (`balance`).
//! docs/territories.md says each rule in words.

pub mod assign;
pub mod balance;

pub use assign::{AccountFields, Claim, Conflict, Placement, RuleBook, first_claim, place_all};
pub use balance::{AccountLoad, Balance, BalanceMeasure, Move, TerritoryLoad, balance, suggest};
