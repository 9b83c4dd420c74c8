use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::{
    Actor, ApiKey, ApiKeyId, AuditEvent, Invalidation, NewApiKey, StoreError, TenantId,
    audit::{AuditRows, entry},
    invalidations::{InvalidationRows, publish},
    secrets::TokenHash,
    store::{now, truncate},
};

/// A tenant's API keys.
#[async_trait]
pub trait ApiKeys: Send + Sync {
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
    /// Records when the key was last used; the caller throttles. Not audited.
    async fn touch_api_key(
        &self,
        tenant: &TenantId,
        id: &ApiKeyId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// The SQL behind [`ApiKeys`].
#[async_trait]
pub trait ApiKeyRows: AuditRows + InvalidationRows {
    async fn insert_api_key(
        &self,
        tx: &mut Self::Tx,
        key: &ApiKey,
        hash: &TokenHash,
    ) -> Result<(), StoreError>;
    /// Oldest first.
    async fn select_api_keys(&self, tenant: &TenantId) -> Result<Vec<ApiKey>, StoreError>;
    async fn select_api_key(&self, tenant: &TenantId, id: &ApiKeyId) -> Result<ApiKey, StoreError>;
    async fn select_api_key_by_hash(
        &self,
        id: &ApiKeyId,
        hash: &TokenHash,
    ) -> Result<ApiKey, StoreError>;
    /// The key, locked until `tx` ends; of any tenant when `tenant` is `None`.
    async fn lock_api_key(
        &self,
        tx: &mut Self::Tx,
        tenant: Option<&TenantId>,
        id: &ApiKeyId,
    ) -> Result<ApiKey, StoreError>;
    async fn update_api_key_revoked(
        &self,
        tx: &mut Self::Tx,
        id: &ApiKeyId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// How many rows changed (0: no such key for this tenant).
    async fn update_api_key_last_used(
        &self,
        tenant: &TenantId,
        id: &ApiKeyId,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
}

#[async_trait]
impl<S: ApiKeyRows> ApiKeys for S {
    async fn create_api_key(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        key: NewApiKey,
    ) -> Result<ApiKey, StoreError> {
        let created = ApiKey {
            id: key.id,
            tenant_id: tenant.clone(),
            name: key.name,
            created_at: now(),
            last_used_at: None,
            expires_at: key.expires_at.map(truncate),
            revoked_at: None,
        };
        let mut tx = self.begin().await?;
        self.insert_api_key(&mut tx, &created, &key.hash).await?;
        let audit = entry(
            Some(tenant),
            actor,
            AuditEvent::API_KEY_CREATE,
            created.created_at,
        )
        .target(created.id.as_str())
        .detail(json!({ "name": created.name, "expires_at": created.expires_at }));
        self.insert_audit(&mut tx, &audit).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    async fn list_api_keys(&self, tenant: &TenantId) -> Result<Vec<ApiKey>, StoreError> {
        self.select_api_keys(tenant).await
    }

    async fn get_api_key(&self, tenant: &TenantId, id: &ApiKeyId) -> Result<ApiKey, StoreError> {
        self.select_api_key(tenant, id).await
    }

    async fn revoke_api_key(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        id: &ApiKeyId,
    ) -> Result<ApiKey, StoreError> {
        revoke(self, Some(tenant), actor, id).await
    }

    async fn revoke_api_key_as_operator(&self, id: &ApiKeyId) -> Result<ApiKey, StoreError> {
        revoke(self, None, &Actor::Operator, id).await
    }

    async fn find_api_key(&self, id: &ApiKeyId, hash: &TokenHash) -> Result<ApiKey, StoreError> {
        self.select_api_key_by_hash(id, hash).await
    }

    async fn touch_api_key(
        &self,
        tenant: &TenantId,
        id: &ApiKeyId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        match self
            .update_api_key_last_used(tenant, id, truncate(at))
            .await?
        {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }
}

/// Revokes once: a key already revoked is returned unchanged, with no audit entry and no
/// invalidation.
async fn revoke<S: ApiKeyRows>(
    store: &S,
    tenant: Option<&TenantId>,
    actor: &Actor,
    id: &ApiKeyId,
) -> Result<ApiKey, StoreError> {
    let mut tx = store.begin().await?;
    let mut key = store.lock_api_key(&mut tx, tenant, id).await?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let at = now();
    store.update_api_key_revoked(&mut tx, id, at).await?;
    key.revoked_at = Some(at);
    let audit = entry(Some(&key.tenant_id), actor, AuditEvent::API_KEY_REVOKE, at)
        .target(id.as_str())
        .detail(json!({ "name": key.name }));
    store.insert_audit(&mut tx, &audit).await?;
    publish(store, &mut tx, &Invalidation::ApiKeyRevoked(id.clone())).await?;
    store.commit(tx).await?;
    Ok(key)
}
