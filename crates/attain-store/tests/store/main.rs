//! The store contract: every test here runs on SQLite and on PostgreSQL.

mod bulk;
mod contract;
mod platform;
mod schema;

pub(crate) use attain_testkit::on_both;
