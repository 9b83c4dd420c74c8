use async_trait::async_trait;
use serde_json::json;

use crate::{
    Actor, AuditEvent, Invalidation, Profile, ProfileId, StoreError, TenantId,
    audit::{AuditRows, entry},
    invalidations::{InvalidationRows, publish},
    secrets::TokenHash,
    store::now,
};

/// A tenant's end-user profiles.
#[async_trait]
pub trait Profiles: Send + Sync {
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
}

/// The SQL behind [`Profiles`].
#[async_trait]
pub trait ProfileRows: AuditRows + InvalidationRows {
    async fn insert_profile(
        &self,
        tx: &mut Self::Tx,
        profile: &Profile,
        key_hash: &TokenHash,
    ) -> Result<(), StoreError>;
    /// Oldest first.
    async fn select_profiles(&self, tenant: &TenantId) -> Result<Vec<Profile>, StoreError>;
    async fn select_profile(
        &self,
        tenant: &TenantId,
        id: &ProfileId,
    ) -> Result<Profile, StoreError>;
    async fn select_profile_by_key(
        &self,
        tenant: &TenantId,
        key_hash: &TokenHash,
    ) -> Result<Profile, StoreError>;
    /// The profile's name, the row locked until `tx` ends.
    async fn lock_profile(
        &self,
        tx: &mut Self::Tx,
        tenant: &TenantId,
        id: &ProfileId,
    ) -> Result<String, StoreError>;
    /// Deletes the profile's credentials, then the profile; returns how many credentials.
    async fn delete_profile_rows(
        &self,
        tx: &mut Self::Tx,
        tenant: &TenantId,
        id: &ProfileId,
    ) -> Result<u64, StoreError>;
}

#[async_trait]
impl<S: ProfileRows> Profiles for S {
    async fn create_profile(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        name: &str,
        key_hash: &TokenHash,
    ) -> Result<Profile, StoreError> {
        let profile = Profile {
            id: ProfileId::generate(),
            tenant_id: tenant.clone(),
            name: name.to_owned(),
            created_at: now(),
        };
        let mut tx = self.begin().await?;
        self.insert_profile(&mut tx, &profile, key_hash).await?;
        let audit = entry(
            Some(tenant),
            actor,
            AuditEvent::PROFILE_CREATE,
            profile.created_at,
        )
        .target(profile.id.as_str())
        .detail(json!({ "name": name }));
        self.insert_audit(&mut tx, &audit).await?;
        self.commit(tx).await?;
        Ok(profile)
    }

    async fn list_profiles(&self, tenant: &TenantId) -> Result<Vec<Profile>, StoreError> {
        self.select_profiles(tenant).await
    }

    async fn get_profile(&self, tenant: &TenantId, id: &ProfileId) -> Result<Profile, StoreError> {
        self.select_profile(tenant, id).await
    }

    async fn delete_profile(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        id: &ProfileId,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let name = self.lock_profile(&mut tx, tenant, id).await?;
        let credentials = self.delete_profile_rows(&mut tx, tenant, id).await?;
        let audit = entry(Some(tenant), actor, AuditEvent::PROFILE_DELETE, now())
            .target(id.as_str())
            .detail(json!({ "name": name, "credentials_deleted": credentials }));
        self.insert_audit(&mut tx, &audit).await?;
        let deleted = Invalidation::ProfileDeleted {
            tenant_id: tenant.clone(),
            profile_id: id.clone(),
        };
        publish(self, &mut tx, &deleted).await?;
        self.commit(tx).await
    }

    async fn find_profile_by_key(
        &self,
        tenant: &TenantId,
        key_hash: &TokenHash,
    ) -> Result<Profile, StoreError> {
        self.select_profile_by_key(tenant, key_hash).await
    }
}
