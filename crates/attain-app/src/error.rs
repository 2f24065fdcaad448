//! The app layer's one error type. The web layer maps it to HTTP in one place; the CLI prints
//! it. A record outside the actor's scope is [`AppError::NotFound`], never a distinct error.

use attain_store::StoreError;
use thiserror::Error;

use crate::import::ImportError;

#[derive(Debug, Error)]
pub enum AppError {
    /// Missing, or outside the actor's scope: the two are indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    #[error("sign-in required")]
    Unauthenticated,
    /// The actor's role may not do this at all (not a matter of which record).
    #[error("your role may not do this")]
    Forbidden,
    #[error("{message}")]
    Invalid { field: Option<String>, message: String },
    /// Someone else changed the record since the caller read it, or a name is taken.
    #[error("{0}")]
    Conflict(String),
    #[error("too many failed sign-ins; try again in {retry_after_secs} seconds")]
    Throttled { retry_after_secs: u64 },
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A fault of ours, not the caller's.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Invalid { field: Some(field.into()), message: message.into() }
    }
}

pub type AppResult<T> = Result<T, AppError>;
