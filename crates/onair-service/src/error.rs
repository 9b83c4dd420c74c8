//! The application's one error type. The API maps it to problems; the CLI prints it.

use std::sync::Arc;

use onair_core::{CredentialSource, ProviderError};
use onair_store::StoreError;

use crate::links::LinkError;

/// Which input was wrong and why, for errors that name a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidField {
    pub field: &'static str,
    pub detail: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// An input broke a rule; `detail` says which, in words for the caller.
    #[error("{}", .0.detail)]
    Invalid(InvalidField),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    InvalidProfileKey(String),
    #[error(transparent)]
    LinkToken(#[from] LinkError),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    NetworkNotFound(String),
    /// Credentials were sent for a network that takes none.
    #[error("{0}")]
    CredentialsNotAccepted(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{error}")]
    Upstream {
        error: ProviderError,
        /// Whose credentials the failed call used: a tenant's own problem is the tenant's
        /// to fix, the operator's is the deployment's.
        credentials: Option<CredentialSource>,
    },
    #[error("the database is unavailable")]
    StoreUnavailable(#[source] Arc<StoreError>),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ServiceError {
    pub fn invalid(field: &'static str, detail: impl Into<String>) -> Self {
        Self::Invalid(InvalidField {
            field,
            detail: detail.into(),
        })
    }

    pub fn internal(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(e.into())
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        Arc::new(e).into()
    }
}

impl From<Arc<StoreError>> for ServiceError {
    /// Also for errors shared by every caller of one cache load.
    fn from(e: Arc<StoreError>) -> Self {
        match e.as_ref() {
            StoreError::NotFound => Self::NotFound("no such object".into()),
            StoreError::Conflict { constraint } => {
                Self::Conflict(format!("conflicts with an existing object ({constraint})"))
            }
            StoreError::Unavailable(_) => Self::StoreUnavailable(e),
            _ => Self::Internal(Box::new(e)),
        }
    }
}

/// `Err(StoreError::NotFound)` as a caller-specific not-found.
pub trait OrNotFound<T> {
    fn or_not_found(self, what: impl FnOnce() -> String) -> Result<T, ServiceError>;
}

impl<T> OrNotFound<T> for Result<T, StoreError> {
    fn or_not_found(self, what: impl FnOnce() -> String) -> Result<T, ServiceError> {
        self.map_err(|e| match e {
            StoreError::NotFound => ServiceError::NotFound(what()),
            other => other.into(),
        })
    }
}
