//! Attain's use-cases: importing data (CSV files, mapped exports, whole sample directories,
//! JSON), exporting it (JSON and a workspace of CSV files), and seeding the demo company.
//!
//! Everything that writes goes through [`import::apply`], which checks a whole batch first and
//! then writes it in one database transaction, so every entry point shares the same rules.

pub mod export;
pub mod import;
pub mod progress;
pub mod seed;

pub use import::{ImportError, ImportOptions, ImportReport, RowError};
pub use progress::{NoProgress, Progress};
