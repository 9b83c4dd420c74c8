//! Profiles, a tenant's end users: created with a `Profile-Key` shown once, deleted with
//! their key and credentials.

use std::sync::Arc;

use onair_core::ProfileName;
use onair_store::{
    Actor, BoxedStore, Invalidation, Profile, ProfileId, StoreError, TenantId,
    secrets::{Keyring, Token, TokenKind},
};

use crate::invalidation::LocalCaches;

/// A new profile: `profile_key` is shown this once; only its hash is stored.
pub struct CreatedProfile {
    pub profile: Profile,
    pub profile_key: Token,
}

#[derive(Clone)]
pub struct Profiles {
    store: BoxedStore,
    keyring: Arc<Keyring>,
    caches: LocalCaches,
}

impl Profiles {
    pub fn new(store: BoxedStore, keyring: Arc<Keyring>, caches: LocalCaches) -> Self {
        Self {
            store,
            keyring,
            caches,
        }
    }

    pub async fn create(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        name: &ProfileName,
    ) -> Result<CreatedProfile, StoreError> {
        let token = Token::generate(TokenKind::ProfileKey);
        let profile = self
            .store
            .create_profile(
                tenant,
                actor,
                name.as_str(),
                &self.keyring.hash_token(&token),
            )
            .await?;
        Ok(CreatedProfile {
            profile,
            profile_key: token,
        })
    }

    pub async fn list(&self, tenant: &TenantId) -> Result<Vec<Profile>, StoreError> {
        self.store.list_profiles(tenant).await
    }

    pub async fn get(&self, tenant: &TenantId, id: &ProfileId) -> Result<Profile, StoreError> {
        self.store.get_profile(tenant, id).await
    }

    /// Deletes a profile, its `Profile-Key` and its stored credentials.
    pub async fn delete(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        id: &ProfileId,
    ) -> Result<(), StoreError> {
        self.store.delete_profile(tenant, actor, id).await?;
        self.caches
            .apply(&Invalidation::ProfileDeleted {
                tenant_id: tenant.clone(),
                profile_id: id.clone(),
            })
            .await;
        Ok(())
    }
}
