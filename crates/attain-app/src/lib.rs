//! Attain's use-cases, shared by the web server and the CLI: importing data (CSV files, mapped
//! exports, whole sample directories, JSON), exporting it, writing generated benchmark
//! companies, seeding the demo company, signing
//! in, reading and editing records within the acting user's scope, and the audit log.
//!
//! Every operation that acts for someone takes the acting user's context ([`Actor`]) first,
//! checks what that role may do and see, runs in one transaction and appends to the audit log
//! in that same transaction. Everything that writes records goes through [`import::apply`],
//! so every entry point shares the same rules.

pub mod access;
mod app;
pub mod audit;
pub mod backup;
mod batch_write;
mod error;
pub mod export;
pub mod generate;
pub mod import;
pub mod pay;
pub mod plan;
pub mod plans;
pub mod progress;
pub mod records;
pub mod scope;
pub mod seed;
pub mod sheet_csv;
pub mod snapshot;
pub mod statements;

pub use access::{Actor, Permission, Role, Via};
pub use app::{App, Settings, UploadGrant, UploadOptions};
pub use error::{AppError, AppResult};
pub use import::{ImportError, ImportOptions, ImportReport, RowError};
pub use progress::{NoProgress, Progress};
