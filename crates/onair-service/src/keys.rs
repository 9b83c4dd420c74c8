//! API keys: issued (the token shown once, its keyed hash stored) and revoked, for the API
//! and the operator's CLI alike.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use onair_core::ApiKeyName;
use onair_store::{
    Actor, ApiKey, ApiKeyId, BoxedStore, Invalidation, NewApiKey, StoreError, TenantId,
    secrets::{Keyring, Token, TokenKind},
};

use crate::invalidation::LocalCaches;

/// A new key: `token` is shown this once; only its hash is stored.
pub struct IssuedKey {
    pub token: Token,
    pub key: ApiKey,
}

#[derive(Clone)]
pub struct ApiKeys {
    store: BoxedStore,
    keyring: Arc<Keyring>,
    caches: LocalCaches,
}

impl ApiKeys {
    pub fn new(store: BoxedStore, keyring: Arc<Keyring>, caches: LocalCaches) -> Self {
        Self {
            store,
            keyring,
            caches,
        }
    }

    pub async fn issue(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        name: &ApiKeyName,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<IssuedKey, StoreError> {
        let token = Token::generate(TokenKind::ApiKey);
        let key = self
            .store
            .create_api_key(
                tenant,
                actor,
                NewApiKey {
                    id: token.api_key_id(),
                    name: name.as_str().to_owned(),
                    hash: self.keyring.hash_token(&token),
                    expires_at,
                },
            )
            .await?;
        Ok(IssuedKey { token, key })
    }

    pub async fn list(&self, tenant: &TenantId) -> Result<Vec<ApiKey>, StoreError> {
        self.store.list_api_keys(tenant).await
    }

    pub async fn get(&self, tenant: &TenantId, id: &ApiKeyId) -> Result<ApiKey, StoreError> {
        self.store.get_api_key(tenant, id).await
    }

    /// Revokes a tenant's key; it stops working at once here, and on other instances as
    /// soon as they hear of it.
    pub async fn revoke(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        id: &ApiKeyId,
    ) -> Result<ApiKey, StoreError> {
        let key = self.store.revoke_api_key(tenant, actor, id).await?;
        self.revoked(id).await;
        Ok(key)
    }

    /// Revokes any tenant's key, for the operator.
    pub async fn revoke_as_operator(&self, id: &ApiKeyId) -> Result<ApiKey, StoreError> {
        let key = self.store.revoke_api_key_as_operator(id).await?;
        self.revoked(id).await;
        Ok(key)
    }

    async fn revoked(&self, id: &ApiKeyId) {
        self.caches
            .apply(&Invalidation::ApiKeyRevoked(id.clone()))
            .await;
    }
}
