use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::{
    Actor, AuditEvent, CredentialId, CredentialInfo, Invalidation, ProfileId, StoreError,
    StoredCredential, TenantId,
    audit::{AuditRows, entry},
    invalidations::{InvalidationRows, publish},
    secrets::{Sealed, credential_aad, open_credential},
    store::now,
};

/// Upstream credentials of a tenant or of one of its profiles, sealed at rest.
#[async_trait]
pub trait Credentials: Send + Sync {
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
    /// The decrypted credential for exactly this tenant/profile and network (no fallback
    /// from a profile to its tenant: the caller decides). A sealed value that fails to open
    /// answers [`StoreError::Integrity`].
    async fn get_credential(
        &self,
        tenant: &TenantId,
        profile: Option<&ProfileId>,
        network: &str,
    ) -> Result<StoredCredential, StoreError>;
    async fn list_credentials(&self, tenant: &TenantId) -> Result<Vec<CredentialInfo>, StoreError>;
    /// Publishes [`Invalidation::CredentialsChanged`].
    async fn delete_credential(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        profile: Option<&ProfileId>,
        network: &str,
    ) -> Result<(), StoreError>;
    /// Re-wraps every data key under the keyring's current key (after a secret-key
    /// rotation) without re-encrypting the credentials. Returns how many rows changed; a row
    /// no key of the keyring opens answers [`StoreError::Integrity`] and changes nothing.
    async fn rewrap_credentials(&self) -> Result<usize, StoreError>;
}

/// Which credential: a tenant's own (`profile` `None`) or one profile's, for one network.
#[derive(Debug, Clone, Copy)]
pub struct CredentialScope<'a> {
    pub tenant: &'a TenantId,
    pub profile: Option<&'a ProfileId>,
    pub network: &'a str,
}

/// The SQL behind [`Credentials`].
#[async_trait]
pub trait CredentialRows: AuditRows + InvalidationRows {
    /// Holds the profile until `tx` ends, so it cannot be deleted under a put; `NotFound`
    /// when the tenant has no such profile.
    async fn lock_credential_profile(
        &self,
        tx: &mut Self::Tx,
        tenant: &TenantId,
        profile: &ProfileId,
    ) -> Result<(), StoreError>;
    /// The id and creation time of the scope's credential, locked until `tx` ends.
    async fn lock_credential(
        &self,
        tx: &mut Self::Tx,
        scope: CredentialScope<'_>,
    ) -> Result<Option<(CredentialId, DateTime<Utc>)>, StoreError>;
    /// Inserts the row unless the scope has one already (a concurrent put got there first):
    /// whether it inserted.
    async fn insert_credential(
        &self,
        tx: &mut Self::Tx,
        info: &CredentialInfo,
        sealed: &Sealed,
    ) -> Result<bool, StoreError>;
    async fn update_credential_secret(
        &self,
        tx: &mut Self::Tx,
        id: &CredentialId,
        sealed: &Sealed,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn select_credential(
        &self,
        scope: CredentialScope<'_>,
    ) -> Result<(CredentialInfo, Sealed), StoreError>;
    /// Oldest first.
    async fn select_credentials(
        &self,
        tenant: &TenantId,
    ) -> Result<Vec<CredentialInfo>, StoreError>;
    async fn delete_credential_row(
        &self,
        tx: &mut Self::Tx,
        id: &CredentialId,
    ) -> Result<(), StoreError>;
    /// Every credential whose data key is wrapped under another key than `key_id`, by id,
    /// locked until `tx` ends.
    async fn lock_credentials_not_under(
        &self,
        tx: &mut Self::Tx,
        key_id: &str,
    ) -> Result<Vec<(CredentialId, TenantId, Sealed)>, StoreError>;
    /// Replaces the wrapped data key (and its key id); the ciphertext stays.
    async fn update_credential_key(
        &self,
        tx: &mut Self::Tx,
        id: &CredentialId,
        sealed: &Sealed,
    ) -> Result<(), StoreError>;
}

#[async_trait]
impl<S: CredentialRows> Credentials for S {
    async fn put_credential(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        profile: Option<&ProfileId>,
        network: &str,
        secret: &SecretString,
    ) -> Result<CredentialInfo, StoreError> {
        let scope = CredentialScope {
            tenant,
            profile,
            network,
        };
        let mut tx = self.begin().await?;
        let info = put(self, &mut tx, actor, scope, secret).await?;
        self.commit(tx).await?;
        Ok(info)
    }

    async fn get_credential(
        &self,
        tenant: &TenantId,
        profile: Option<&ProfileId>,
        network: &str,
    ) -> Result<StoredCredential, StoreError> {
        let scope = CredentialScope {
            tenant,
            profile,
            network,
        };
        let (info, sealed) = self.select_credential(scope).await?;
        let secret = open_credential(self.keyring(), &info.tenant_id, &info.id, &sealed)?;
        Ok(StoredCredential { info, secret })
    }

    async fn list_credentials(&self, tenant: &TenantId) -> Result<Vec<CredentialInfo>, StoreError> {
        self.select_credentials(tenant).await
    }

    async fn delete_credential(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        profile: Option<&ProfileId>,
        network: &str,
    ) -> Result<(), StoreError> {
        let scope = CredentialScope {
            tenant,
            profile,
            network,
        };
        let mut tx = self.begin().await?;
        let (id, _) = self
            .lock_credential(&mut tx, scope)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.delete_credential_row(&mut tx, &id).await?;
        let audit = entry(Some(tenant), actor, AuditEvent::CREDENTIAL_DELETE, now())
            .target(id.as_str())
            .detail(json!({ "network": network, "profile_id": profile }));
        self.insert_audit(&mut tx, &audit).await?;
        let changed = Invalidation::CredentialsChanged {
            tenant_id: tenant.clone(),
        };
        publish(self, &mut tx, &changed).await?;
        self.commit(tx).await
    }

    async fn rewrap_credentials(&self) -> Result<usize, StoreError> {
        let keyring = self.keyring();
        let current = keyring.current_id().as_str().to_owned();
        let mut tx = self.begin().await?;
        let rows = self.lock_credentials_not_under(&mut tx, &current).await?;
        let mut changed = 0usize;
        for (id, tenant, sealed) in rows {
            let Some(rewrapped) = keyring
                .rewrap(&credential_aad(&tenant, &id), &sealed)
                .map_err(|e| StoreError::Integrity(format!("credential {id}: {e}")))?
            else {
                continue;
            };
            self.update_credential_key(&mut tx, &id, &rewrapped).await?;
            changed += 1;
        }
        if changed > 0 {
            let audit = entry(None, &Actor::System, AuditEvent::CREDENTIALS_REWRAP, now())
                .detail(json!({ "count": changed, "key_id": current }));
            self.insert_audit(&mut tx, &audit).await?;
        }
        self.commit(tx).await?;
        Ok(changed)
    }
}

/// Stores (or replaces) the scope's credential inside `tx`, with its audit entry and its
/// invalidation: the whole of a put but the commit.
pub(crate) async fn put<S: CredentialRows + ?Sized>(
    store: &S,
    tx: &mut S::Tx,
    actor: &Actor,
    scope: CredentialScope<'_>,
    secret: &SecretString,
) -> Result<CredentialInfo, StoreError> {
    let at = now();
    if let Some(profile) = scope.profile {
        store
            .lock_credential_profile(tx, scope.tenant, profile)
            .await?;
    }
    let seal = |id: &CredentialId| {
        store.keyring().seal(
            &credential_aad(scope.tenant, id),
            secret.expose_secret().as_bytes(),
        )
    };
    let mut info = CredentialInfo {
        id: CredentialId::generate(),
        tenant_id: scope.tenant.clone(),
        profile_id: scope.profile.cloned(),
        network: scope.network.to_owned(),
        created_at: at,
        updated_at: at,
    };
    let mut existing = store.lock_credential(tx, scope).await?;
    let replaced = existing.is_some();
    if !replaced {
        if store.insert_credential(tx, &info, &seal(&info.id)).await? {
            return finish_put(store, tx, actor, scope, info, false).await;
        }
        // A concurrent put created the row first: replace that one.
        existing = store.lock_credential(tx, scope).await?;
    }
    let (id, created_at) = existing
        .ok_or_else(|| StoreError::other("the credential vanished while it was being replaced"))?;
    store
        .update_credential_secret(tx, &id, &seal(&id), at)
        .await?;
    info.id = id;
    info.created_at = created_at;
    finish_put(store, tx, actor, scope, info, true).await
}

/// The end of every put: audit and invalidation.
async fn finish_put<S: CredentialRows + ?Sized>(
    store: &S,
    tx: &mut S::Tx,
    actor: &Actor,
    scope: CredentialScope<'_>,
    info: CredentialInfo,
    replaced: bool,
) -> Result<CredentialInfo, StoreError> {
    let audit = entry(
        Some(scope.tenant),
        actor,
        AuditEvent::CREDENTIAL_PUT,
        info.updated_at,
    )
    .target(info.id.as_str())
    .detail(json!({
        "network": scope.network,
        "profile_id": scope.profile,
        "replaced": replaced,
    }));
    store.insert_audit(tx, &audit).await?;
    let changed = Invalidation::CredentialsChanged {
        tenant_id: scope.tenant.clone(),
    };
    publish(store, tx, &changed).await?;
    Ok(info)
}
