//! Persistence for onair: the [`Store`] every backend implements, one trait per resource
//! ([`Tenants`], [`ApiKeys`], [`Profiles`], [`Credentials`], [`LinkTokens`], [`Audit`],
//! [`Invalidations`], [`Maintenance`]), its rows and errors, and the secret handling all
//! backends share (API-key tokens and their keyed hashes, envelope encryption of upstream
//! credentials).
//!
//! Every tenant-owned call takes the tenant id first, so no query can forget the tenant;
//! a row of another tenant answers [`StoreError::NotFound`], exactly like a missing one.
//!
//! Each resource's file holds three things: the trait callers use, the SQL primitives a
//! backend implements for it (`TenantRows`, `ApiKeyRows`, …, gathered in [`backend`]), and
//! the blanket implementation of the first over the second, where the rules that are not
//! SQL live once: the audit entry in the same transaction, sealing and opening secrets,
//! publishing invalidations, revoking once. Adding a store method touches one file here,
//! the file of the same name in each backend, and one chapter of the conformance story.

mod api_keys;
mod audit;
#[cfg(feature = "conformance")]
pub mod conformance;
mod credentials;
mod error;
mod invalidations;
mod link_tokens;
mod profiles;
mod rows;
pub mod secrets;
mod store;
mod tenants;

pub use api_keys::ApiKeys;
pub use audit::Audit;
pub use credentials::Credentials;
pub use error::{BoxError, ErrorContext, StoreError, StoreResultExt};
pub use invalidations::{InvalidationStream, Invalidations};
pub use link_tokens::{LinkTokens, UsedLinkToken};
pub use onair_core::ids::{
    ApiKeyId, AuditEventId, CredentialId, IdParseError, ProfileId, TenantId,
};
pub use profiles::Profiles;
pub use rows::{
    Actor, ApiKey, AuditEvent, CredentialInfo, Invalidation, NewApiKey, NewAuditEvent, Profile,
    StoredCredential, Tenant,
};
pub use store::{BoxedStore, Maintenance, Store};
pub use tenants::Tenants;

/// Every store trait, for `use onair_store::prelude::*;` wherever store methods are called.
pub mod prelude {
    pub use crate::{
        ApiKeys, Audit, Credentials, Invalidations, LinkTokens, Maintenance, Profiles, Store,
        StoreResultExt, Tenants,
    };
}

/// What a backend implements: write transactions and, per resource, the SQL primitives the
/// shared rules run (in the backend's file of the same name as the resource's here).
pub mod backend {
    pub use crate::{
        api_keys::ApiKeyRows,
        audit::AuditRows,
        credentials::{CredentialRows, CredentialScope},
        invalidations::InvalidationRows,
        link_tokens::LinkTokenRows,
        profiles::ProfileRows,
        store::Transactions,
        tenants::TenantRows,
    };

    use crate::{ErrorContext, IdParseError, StoreError};

    /// An id as the database holds it; a malformed one is [`StoreError::Other`].
    pub fn parse_id<T: std::str::FromStr<Err = IdParseError>>(text: &str) -> Result<T, StoreError> {
        text.parse().map_err(|e| {
            StoreError::other(ErrorContext::new("the database holds a malformed id", e))
        })
    }

    pub fn parse_opt_id<T: std::str::FromStr<Err = IdParseError>>(
        text: Option<String>,
    ) -> Result<Option<T>, StoreError> {
        text.as_deref().map(parse_id).transpose()
    }

    /// Maps every row to the store's type, failing on the first that does not map.
    pub fn collect<R, T: TryFrom<R, Error = StoreError>>(
        rows: Vec<R>,
    ) -> Result<Vec<T>, StoreError> {
        rows.into_iter().map(T::try_from).collect()
    }
}
