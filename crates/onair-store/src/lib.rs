//! Persistence for onair: the [`Store`] trait every backend implements, its rows and
//! errors, and the secret handling all backends share (API-key tokens and their keyed
//! hashes, envelope encryption of upstream credentials).
//!
//! Every tenant-owned call takes the tenant id first, so no query can forget the tenant;
//! a row of another tenant answers [`StoreError::NotFound`], exactly like a missing one.

#[cfg(feature = "conformance")]
pub mod conformance;
mod error;
mod rows;
pub mod secrets;
mod store;

pub use error::{BoxError, ErrorContext, StoreError, StoreResultExt};
pub use onair_core::ids::{
    ApiKeyId, AuditEventId, CredentialId, IdParseError, ProfileId, TenantId,
};
pub use rows::{
    Actor, ApiKey, AuditEvent, CredentialInfo, Invalidation, NewApiKey, NewAuditEvent, Profile,
    StoredCredential, Tenant,
};
pub use store::{BoxedStore, InvalidationStream, Store};
