//! Which upstream credential a request's calls use: the profile's own, else the tenant's,
//! else none (the network's provider then falls back to the operator's configured one).
//! Resolved credentials are cached briefly and dropped when they change.

use std::{sync::Arc, time::Duration};

use moka::future::Cache;
use onair_core::{CallContext, Credential, CredentialSource, LiveAudioProvider, NetworkId};
use onair_store::{BoxedStore, Invalidation, ProfileId, StoreError, TenantId};
use secrecy::ExposeSecret;

use crate::{auth::TenantContext, error::ApiError};

type Key = (TenantId, Option<ProfileId>, NetworkId);

#[derive(Clone)]
pub struct CredentialResolver {
    store: BoxedStore,
    cache: Cache<Key, Option<Credential>>,
}

/// The context for calls to one network, and whose credential it carries.
#[derive(Debug, Clone)]
pub struct ResolvedContext {
    pub ctx: CallContext,
    pub source: Option<CredentialSource>,
}

impl CredentialResolver {
    pub fn new(store: BoxedStore) -> Self {
        Self {
            store,
            cache: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(300))
                .support_invalidation_closures()
                .build(),
        }
    }

    /// The call context for this tenant (and profile) on this network. Networks that need
    /// no credentials cost nothing here.
    pub async fn context_for(
        &self,
        tenant: &TenantContext,
        provider: &Arc<dyn LiveAudioProvider>,
    ) -> Result<ResolvedContext, ApiError> {
        if !provider.capabilities().needs_credentials {
            return Ok(ResolvedContext {
                ctx: CallContext::default(),
                source: None,
            });
        }
        let network = provider.id();
        let profile_credential = match &tenant.profile {
            Some(profile) => {
                self.lookup(&tenant.tenant_id, Some(&profile.id), network)
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
        if let Some(c) = self.lookup(&tenant.tenant_id, None, network).await? {
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

    async fn lookup(
        &self,
        tenant: &TenantId,
        profile: Option<&ProfileId>,
        network: &NetworkId,
    ) -> Result<Option<Credential>, ApiError> {
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
            .map_err(|e: Arc<StoreError>| match e.as_ref() {
                StoreError::Unavailable(_) => ApiError::StoreUnavailable,
                other => ApiError::Internal(other.to_string()),
            })
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
