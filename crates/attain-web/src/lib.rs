//! Attain's web platform: the JSON API under `/api/v1` with its OpenAPI document, and the
//! server-rendered browser UI, from one axum router. Handlers are thin: extract, make one
//! `attain_app::App` call with the acting user's context, map the result. Who may see and do
//! what is decided in attain-app, so the UI and the API cannot disagree.

mod api;
mod assets;
mod auth;
mod error;
mod head_limits;
mod no_store;
mod openapi;
mod server;
mod ui;
mod upload;

pub use head_limits::{MAX_HEADER_BYTES, MAX_HEADERS, MAX_TARGET_BYTES};
pub use openapi::document as openapi_document;
pub use server::{Server, ServerConfig};
