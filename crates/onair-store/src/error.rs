/// Any error a store passes on as the cause of one of its own: the driver's, an I/O error,
/// or a plain message.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a store call failed. Backends map their driver's errors into these; callers never
/// see SQL. The catch-all variants keep the driver's error as their [`source`], so a log
/// that prints the chain (`{:#}` with anyhow) shows what happened underneath.
///
/// [`source`]: std::error::Error::source
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such row for this tenant (which includes another tenant's row).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; `constraint` names which (`tenants_name`, `api_keys_id`, …).
    #[error("conflicts with an existing {constraint}")]
    Conflict { constraint: String },
    /// The database cannot be reached, or did not answer in time.
    #[error("the database is unavailable")]
    Unavailable(#[source] BoxError),
    /// A stored secret failed to decrypt: wrong key, or a ciphertext moved between rows.
    #[error("a stored secret could not be decrypted: {0}")]
    Integrity(String),
    /// Anything else: shown as its cause is.
    #[error(transparent)]
    Other(BoxError),
}

impl StoreError {
    /// [`StoreError::Unavailable`] caused by `cause`.
    pub fn unavailable(cause: impl Into<BoxError>) -> Self {
        Self::Unavailable(cause.into())
    }

    /// [`StoreError::Other`] caused by `cause` (an error, or a message).
    pub fn other(cause: impl Into<BoxError>) -> Self {
        Self::Other(cause.into())
    }

    /// This error and each of its causes, `: `-separated, for a log line.
    pub fn report(&self) -> String {
        let mut line = self.to_string();
        let mut next = std::error::Error::source(self);
        while let Some(cause) = next {
            let text = cause.to_string();
            // A transparent variant shows its cause's text already.
            if !line.ends_with(&text) {
                line.push_str(": ");
                line.push_str(&text);
            }
            next = cause.source();
        }
        line
    }
}

/// A message that says what was being done, over the error that stopped it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ErrorContext {
    pub message: String,
    #[source]
    pub source: BoxError,
}

impl ErrorContext {
    pub fn new(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self {
            message: message.into(),
            source: source.into(),
        }
    }
}

impl From<crate::secrets::CryptoError> for StoreError {
    fn from(err: crate::secrets::CryptoError) -> Self {
        Self::Integrity(err.to_string())
    }
}

/// Reading a store's results without matching on [`StoreError::NotFound`] by hand.
pub trait StoreResultExt<T> {
    /// `Ok(None)` where the store answered [`StoreError::NotFound`].
    fn optional(self) -> Result<Option<T>, StoreError>;

    /// Replaces [`StoreError::NotFound`] with the caller's own error; every other error is
    /// converted with `From`.
    fn or_not_found<E: From<StoreError>>(self, not_found: impl FnOnce() -> E) -> Result<T, E>;
}

impl<T> StoreResultExt<T> for Result<T, StoreError> {
    fn optional(self) -> Result<Option<T>, StoreError> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(StoreError::NotFound) => Ok(None),
            Err(other) => Err(other),
        }
    }

    fn or_not_found<E: From<StoreError>>(self, not_found: impl FnOnce() -> E) -> Result<T, E> {
        match self {
            Ok(value) => Ok(value),
            Err(StoreError::NotFound) => Err(not_found()),
            Err(other) => Err(E::from(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn catch_alls_keep_their_cause() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let err = StoreError::unavailable(ErrorContext::new("connecting to the database", io));
        assert_eq!(err.to_string(), "the database is unavailable");
        let cause = err.source().expect("a source");
        assert_eq!(cause.to_string(), "connecting to the database");
        assert_eq!(
            cause.source().map(ToString::to_string).as_deref(),
            Some("reset by peer")
        );
        assert_eq!(
            err.report(),
            "the database is unavailable: connecting to the database: reset by peer"
        );

        let other = StoreError::other("the database holds a malformed id");
        assert_eq!(other.to_string(), "the database holds a malformed id");
    }

    #[test]
    fn not_found_can_be_read_as_none_or_as_the_callers_error() {
        assert_eq!(Err::<u8, _>(StoreError::NotFound).optional().unwrap(), None);
        assert_eq!(Ok::<_, StoreError>(3).optional().unwrap(), Some(3));
        assert!(matches!(
            Err::<u8, _>(StoreError::Conflict {
                constraint: "tenants_name".into()
            })
            .optional(),
            Err(StoreError::Conflict { .. })
        ));

        #[derive(Debug, PartialEq)]
        enum Api {
            Missing,
            Store(String),
        }
        impl From<StoreError> for Api {
            fn from(e: StoreError) -> Self {
                Self::Store(e.to_string())
            }
        }
        assert_eq!(
            Err::<u8, _>(StoreError::NotFound).or_not_found(|| Api::Missing),
            Err(Api::Missing)
        );
        assert_eq!(
            Err::<u8, _>(StoreError::other("boom")).or_not_found(|| Api::Missing),
            Err(Api::Store("boom".into()))
        );
    }
}
