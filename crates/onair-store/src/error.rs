/// Why a store call failed. Backends map their driver's errors into these; callers never
/// see SQL.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such row for this tenant (which includes another tenant's row).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; `constraint` names which (`tenants_name`, `api_keys_id`, …).
    #[error("conflicts with an existing {constraint}")]
    Conflict { constraint: String },
    /// The database cannot be reached, or did not answer in time.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// A stored secret failed to decrypt: wrong key, or a ciphertext moved between rows.
    #[error("a stored secret could not be decrypted: {0}")]
    Integrity(String),
    #[error("{0}")]
    Other(String),
}

impl From<crate::secrets::CryptoError> for StoreError {
    fn from(err: crate::secrets::CryptoError) -> Self {
        Self::Integrity(err.to_string())
    }
}
