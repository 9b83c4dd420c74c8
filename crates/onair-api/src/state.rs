//! The one state every handler shares.

use std::{
    ops::Deref,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use onair_core::ProviderRegistry;
use onair_store::{BoxedStore, secrets::Keyring};

use crate::{
    auth::Authenticator, config::ApiConfig, credentials::CredentialResolver, link::LinkTokens,
    lookup::SpaceService, rate_limit::TenantLimiter,
};

/// What the API needs from the outside world; the server builds it.
pub struct AppDeps {
    pub store: BoxedStore,
    pub registry: ProviderRegistry,
    pub keyring: Arc<Keyring>,
    pub config: ApiConfig,
}

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub store: BoxedStore,
    pub registry: Arc<ProviderRegistry>,
    pub keyring: Arc<Keyring>,
    pub config: ApiConfig,
    pub auth: Authenticator,
    pub credentials: CredentialResolver,
    pub spaces: SpaceService,
    pub limiter: TenantLimiter,
    pub links: LinkTokens,
    pub health: Health,
    public_base: String,
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(deps: AppDeps) -> Self {
        let AppDeps {
            store,
            registry,
            keyring,
            config,
        } = deps;
        let registry = Arc::new(registry);
        let public_base = config.public_url.as_str().trim_end_matches('/').to_owned();
        Self(Arc::new(Shared {
            auth: Authenticator::new(store.clone(), keyring.clone()),
            credentials: CredentialResolver::new(store.clone()),
            spaces: SpaceService::new(registry.clone(), &config),
            limiter: TenantLimiter::new(config.rate_limit),
            links: LinkTokens::new(keyring.clone(), &public_base, config.link_token_ttl),
            health: Health::default(),
            store,
            registry,
            keyring,
            config,
            public_base,
        }))
    }

    /// The public URL without a trailing slash.
    pub fn public_base(&self) -> &str {
        &self.public_base
    }
}

/// Readiness beyond the database: set to draining when shutdown begins, so load balancers
/// stop sending new requests while in-flight ones finish.
#[derive(Clone, Default)]
pub struct Health {
    draining: Arc<AtomicBool>,
}

impl Health {
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }
}
