use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use secrecy::SecretString;

use crate::{
    Actor, ApiKey, ApiKeyId, AuditEvent, CredentialInfo, Invalidation, NewApiKey, NewAuditEvent,
    Profile, ProfileId, StoreError, StoredCredential, Tenant, TenantId, secrets::TokenHash,
};

pub type BoxedStore = Arc<dyn Store>;
pub type InvalidationStream = BoxStream<'static, Invalidation>;

/// Everything onair keeps. Implemented by `onair-store-postgres` and `onair-store-sqlite`;
/// one conformance story (`onair_store::conformance_support` and each backend's tests)
/// holds both to the same behaviour.
///
/// Rules every backend keeps:
/// - tenant-owned calls take the tenant id first and treat another tenant's row as absent;
/// - administrative changes write their audit entry in the same transaction;
/// - secrets are stored only as keyed hashes (keys) or sealed ciphertext (credentials);
/// - a lost database answers [`StoreError::Unavailable`] within about a second.
#[async_trait]
pub trait Store: Send + Sync {
    /// `postgres` or `sqlite`.
    fn backend(&self) -> &'static str;

    /// Applies pending migrations; a second run is a no-op. Returns how many were applied.
    async fn migrate(&self) -> Result<usize, StoreError>;

    /// Cheap round trip for readiness checks.
    async fn ping(&self) -> Result<(), StoreError>;

    // --- tenants (operator) ---

    async fn create_tenant(&self, actor: &Actor, name: &str) -> Result<Tenant, StoreError>;
    async fn get_tenant(&self, tenant: &TenantId) -> Result<Tenant, StoreError>;
    async fn list_tenants(&self) -> Result<Vec<Tenant>, StoreError>;

    // --- API keys ---

    async fn create_api_key(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        key: NewApiKey,
    ) -> Result<ApiKey, StoreError>;
    async fn list_api_keys(&self, tenant: &TenantId) -> Result<Vec<ApiKey>, StoreError>;
    async fn get_api_key(&self, tenant: &TenantId, id: &ApiKeyId) -> Result<ApiKey, StoreError>;
    /// Revokes once; revoking again returns the key unchanged. Publishes
    /// [`Invalidation::ApiKeyRevoked`].
    async fn revoke_api_key(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        id: &ApiKeyId,
    ) -> Result<ApiKey, StoreError>;
    /// The operator's revoke, by key id alone (`onair key revoke KEY_ID`).
    async fn revoke_api_key_as_operator(&self, id: &ApiKeyId) -> Result<ApiKey, StoreError>;
    /// The authentication entry point: the key row for a presented key's id and hash, or
    /// `NotFound`. Revoked and expired keys are returned; the caller decides.
    async fn find_api_key(&self, id: &ApiKeyId, hash: &TokenHash) -> Result<ApiKey, StoreError>;
    async fn touch_api_key(
        &self,
        tenant: &TenantId,
        id: &ApiKeyId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    // --- profiles ---

    async fn create_profile(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        name: &str,
        key_hash: &TokenHash,
    ) -> Result<Profile, StoreError>;
    async fn list_profiles(&self, tenant: &TenantId) -> Result<Vec<Profile>, StoreError>;
    async fn get_profile(&self, tenant: &TenantId, id: &ProfileId) -> Result<Profile, StoreError>;
    /// Deletes the profile and its credentials. Publishes [`Invalidation::ProfileDeleted`].
    async fn delete_profile(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        id: &ProfileId,
    ) -> Result<(), StoreError>;
    async fn find_profile_by_key(
        &self,
        tenant: &TenantId,
        key_hash: &TokenHash,
    ) -> Result<Profile, StoreError>;

    // --- upstream credentials (sealed at rest) ---

    /// Stores (or replaces) the credential of the tenant, or of one of its profiles, for a
    /// network. Publishes [`Invalidation::CredentialsChanged`].
    async fn put_credential(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        profile: Option<&ProfileId>,
        network: &str,
        secret: &SecretString,
    ) -> Result<CredentialInfo, StoreError>;
    /// The decrypted credential for exactly this tenant/profile and network.
    async fn get_credential(
        &self,
        tenant: &TenantId,
        profile: Option<&ProfileId>,
        network: &str,
    ) -> Result<StoredCredential, StoreError>;
    async fn list_credentials(&self, tenant: &TenantId) -> Result<Vec<CredentialInfo>, StoreError>;
    async fn delete_credential(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        profile: Option<&ProfileId>,
        network: &str,
    ) -> Result<(), StoreError>;
    /// Re-wraps every data key under the keyring's current key (after a secret-key
    /// rotation) without re-encrypting the credentials. Returns how many rows changed.
    async fn rewrap_credentials(&self) -> Result<usize, StoreError>;

    // --- audit ---

    async fn record_audit(&self, event: NewAuditEvent) -> Result<(), StoreError>;
    /// Newest first. `None` lists operator-level entries (no tenant).
    async fn list_audit(
        &self,
        tenant: Option<&TenantId>,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError>;

    // --- change notifications ---

    /// Invalidations published by any instance sharing this database (this one included).
    /// A backend without cross-instance notification (SQLite: one instance per file) returns
    /// a stream of this process's own invalidations.
    async fn subscribe_invalidations(&self) -> Result<InvalidationStream, StoreError>;
}
