//! Upstream credentials: which one a caller's calls to a network use (the profile's own,
//! else the tenant's, else the operator's configured one, which the network's provider
//! holds), the network's status for that caller, and the writes that store or delete a
//! tenant's or profile's own. Resolved credentials are cached briefly and dropped when
//! they change, on this instance at once and on others through the store's invalidations.

use std::{sync::Arc, time::Duration};

use moka::future::Cache;
use onair_core::{
    CallContext, Credential, CredentialSource, LiveAudioProvider, NetworkId, ProviderRegistry,
    StatusKind, UpstreamToken,
};
use onair_store::{BoxedStore, CredentialInfo, Invalidation, ProfileId, StoreError, TenantId};
use secrecy::ExposeSecret;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::Caller,
    error::{OrNotFound, ServiceError},
};

type Key = (TenantId, Option<ProfileId>, NetworkId);

/// Whose upstream credentials calls to a network use for this caller.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CredentialScope {
    /// The calling profile's own (set with a `Profile-Key`).
    Profile,
    /// The tenant's own.
    Tenant,
    /// The deployment's configured credentials.
    Operator,
    /// None are configured anywhere.
    None,
    /// The network needs none.
    NotNeeded,
}

#[derive(Clone)]
pub struct Credentials {
    store: BoxedStore,
    registry: Arc<ProviderRegistry>,
    cache: Cache<Key, Option<Credential>>,
}

/// The context for calls to one network, and whose credential it carries.
#[derive(Debug, Clone)]
pub struct ResolvedContext {
    pub ctx: CallContext,
    pub source: Option<CredentialSource>,
}

impl Credentials {
    pub fn new(store: BoxedStore, registry: Arc<ProviderRegistry>) -> Self {
        Self {
            store,
            registry,
            cache: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(300))
                .support_invalidation_closures()
                .build(),
        }
    }

    /// The call context for this caller on this network. Networks that need no
    /// credentials cost nothing here.
    pub async fn context_for(
        &self,
        caller: &Caller,
        provider: &Arc<dyn LiveAudioProvider>,
    ) -> Result<ResolvedContext, ServiceError> {
        if !provider.capabilities().needs_credentials {
            return Ok(ResolvedContext {
                ctx: CallContext::default(),
                source: None,
            });
        }
        let network = provider.id();
        let profile_credential = match &caller.profile {
            Some(profile) => {
                self.lookup(&caller.tenant_id, Some(&profile.id), network)
                    .await?
            }
            None => None,
        };
        if let Some(c) = profile_credential {
            return Ok(ResolvedContext {
                source: Some(c.source()),
                ctx: CallContext::with_credential(c),
            });
        }
        if let Some(c) = self.lookup(&caller.tenant_id, None, network).await? {
            return Ok(ResolvedContext {
                source: Some(c.source()),
                ctx: CallContext::with_credential(c),
            });
        }
        Ok(ResolvedContext {
            ctx: CallContext::default(),
            source: Some(CredentialSource::Operator),
        })
    }

    /// The network's status for this caller, and whose credentials its calls would use.
    pub async fn status_for(
        &self,
        caller: &Caller,
        provider: &Arc<dyn LiveAudioProvider>,
    ) -> Result<(StatusKind, CredentialScope), ServiceError> {
        let base = provider.status().kind;
        if !provider.capabilities().needs_credentials {
            return Ok((base, CredentialScope::NotNeeded));
        }
        if matches!(base, StatusKind::Unsupported | StatusKind::Discontinued) {
            return Ok((base, CredentialScope::None));
        }
        let rc = self.context_for(caller, provider).await?;
        Ok(match rc.source {
            Some(CredentialSource::Profile) => (StatusKind::Available, CredentialScope::Profile),
            Some(CredentialSource::Tenant) => (StatusKind::Available, CredentialScope::Tenant),
            _ if base == StatusKind::Available => (base, CredentialScope::Operator),
            _ => (StatusKind::Unconfigured, CredentialScope::None),
        })
    }

    /// Whether this caller can use the network now (for default search targets).
    pub async fn usable_by(
        &self,
        caller: &Caller,
        provider: &Arc<dyn LiveAudioProvider>,
    ) -> Result<bool, ServiceError> {
        Ok(self.status_for(caller, provider).await?.0 == StatusKind::Available)
    }

    /// A network that takes stored credentials, by id or alias.
    pub fn network(&self, network: &str) -> Result<Arc<dyn LiveAudioProvider>, ServiceError> {
        let provider = self.registry.get(network).ok_or_else(|| {
            ServiceError::NetworkNotFound(format!(
                "no network `{}`; GET /v1/networks lists them",
                network.escape_debug()
            ))
        })?;
        if !provider.capabilities().needs_credentials {
            let why = provider
                .status()
                .reason
                .unwrap_or_else(|| "it needs none".to_owned());
            return Err(ServiceError::CredentialsNotAccepted(format!(
                "{} takes no credentials: {why}",
                provider.display_name()
            )));
        }
        Ok(provider.clone())
    }

    /// The caller's own stored credentials for a network (never the secret).
    pub async fn get(
        &self,
        caller: &Caller,
        provider: &Arc<dyn LiveAudioProvider>,
    ) -> Result<CredentialInfo, ServiceError> {
        let profile = caller.profile.as_ref().map(|p| &p.id);
        self.store
            .get_credential(&caller.tenant_id, profile, provider.id().as_str())
            .await
            .map(|stored| stored.info)
            .or_not_found(|| none_stored(caller, provider))
    }

    /// Stores (or replaces) the caller's own credentials for a network.
    pub async fn put(
        &self,
        caller: &Caller,
        provider: &Arc<dyn LiveAudioProvider>,
        token: &UpstreamToken,
    ) -> Result<CredentialInfo, ServiceError> {
        let profile = caller.profile.as_ref().map(|p| &p.id);
        let info = self
            .store
            .put_credential(
                &caller.tenant_id,
                &caller.actor(),
                profile,
                provider.id().as_str(),
                token.secret(),
            )
            .await?;
        self.changed(&caller.tenant_id).await;
        Ok(info)
    }

    /// Deletes the caller's own credentials for a network; calls fall back to the
    /// tenant's (for a profile) or the operator's.
    pub async fn delete(
        &self,
        caller: &Caller,
        provider: &Arc<dyn LiveAudioProvider>,
    ) -> Result<(), ServiceError> {
        let profile = caller.profile.as_ref().map(|p| &p.id);
        self.store
            .delete_credential(
                &caller.tenant_id,
                &caller.actor(),
                profile,
                provider.id().as_str(),
            )
            .await
            .or_not_found(|| none_stored(caller, provider))?;
        self.changed(&caller.tenant_id).await;
        Ok(())
    }

    /// Drops this instance's cached credentials of a tenant after it changed them, so the
    /// next call reads its own write (the store tells the other instances).
    pub(crate) async fn changed(&self, tenant_id: &TenantId) {
        self.apply(&Invalidation::CredentialsChanged {
            tenant_id: tenant_id.clone(),
        })
        .await;
    }

    async fn lookup(
        &self,
        tenant: &TenantId,
        profile: Option<&ProfileId>,
        network: &NetworkId,
    ) -> Result<Option<Credential>, ServiceError> {
        let key = (tenant.clone(), profile.cloned(), network.clone());
        self.cache
            .try_get_with(key, async {
                match self
                    .store
                    .get_credential(tenant, profile, network.as_str())
                    .await
                {
                    Ok(stored) => {
                        let source = if profile.is_some() {
                            CredentialSource::Profile
                        } else {
                            CredentialSource::Tenant
                        };
                        Ok(Some(Credential::new(stored.secret.expose_secret(), source)))
                    }
                    Err(StoreError::NotFound) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await
            .map_err(ServiceError::from)
    }

    pub async fn apply(&self, invalidation: &Invalidation) {
        match invalidation {
            Invalidation::CredentialsChanged { tenant_id } => {
                let tenant_id = tenant_id.clone();
                let _ = self
                    .cache
                    .invalidate_entries_if(move |k, _| k.0 == tenant_id);
            }
            Invalidation::ProfileDeleted { profile_id, .. } => {
                let profile_id = profile_id.clone();
                let _ = self
                    .cache
                    .invalidate_entries_if(move |k, _| k.1.as_ref() == Some(&profile_id));
            }
            Invalidation::Resync => self.cache.invalidate_all(),
            Invalidation::ApiKeyRevoked(_) => {}
        }
    }
}

fn none_stored(caller: &Caller, provider: &Arc<dyn LiveAudioProvider>) -> String {
    let whose = if caller.profile.is_some() {
        "this profile"
    } else {
        "this tenant"
    };
    format!(
        "no credentials for {} are stored for {whose}",
        provider.id()
    )
}
