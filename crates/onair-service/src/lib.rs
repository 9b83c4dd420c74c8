//! The onair application, apart from any transport: the upstream-frugal Spaces service
//! (cache, coalescing, batching, stale serving), credential resolution, authentication by
//! key, API keys, profiles and link tokens, and the background work they own. The HTTP API,
//! the CLI and the background jobs all call it, so each rule lives here once.
//!
//! [`Service::new`] builds it from a store, the networks and a keyring; every task it
//! starts runs on the [`Tasks`] it is handed, which the runner stops at shutdown.

pub mod auth;
pub mod config;
pub mod credentials;
pub mod error;
pub mod invalidation;
pub mod keys;
pub mod links;
pub mod metrics;
pub mod profiles;
pub mod spaces;
pub mod tasks;

use std::{ops::Deref, sync::Arc};

use onair_core::ProviderRegistry;
use onair_store::{BoxedStore, secrets::Keyring};

pub use self::{
    auth::{Authenticator, Caller, ProfileRef},
    config::{CacheConfig, ServiceConfig},
    credentials::{CredentialScope, Credentials, ResolvedContext},
    error::{InvalidField, OrNotFound, ServiceError},
    invalidation::LocalCaches,
    keys::{ApiKeys, IssuedKey},
    links::{LinkError, LinkTokens, Links, VerifiedLink},
    profiles::{CreatedProfile, Profiles},
    spaces::{RenderedSpace, SpaceService},
    tasks::Tasks,
};

/// What the application needs from the outside world; the server builds it.
pub struct ServiceDeps {
    pub store: BoxedStore,
    pub registry: ProviderRegistry,
    pub keyring: Arc<Keyring>,
    pub config: ServiceConfig,
    pub tasks: Tasks,
}

/// The application: cheap to clone, shared by every request and task.
#[derive(Clone)]
pub struct Service(Arc<Parts>);

pub struct Parts {
    pub store: BoxedStore,
    pub registry: Arc<ProviderRegistry>,
    pub keyring: Arc<Keyring>,
    pub config: ServiceConfig,
    pub auth: Authenticator,
    pub credentials: Credentials,
    pub spaces: SpaceService,
    pub keys: ApiKeys,
    pub profiles: Profiles,
    pub links: Links,
    pub caches: LocalCaches,
    pub tasks: Tasks,
}

impl Deref for Service {
    type Target = Parts;
    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl Service {
    pub fn new(deps: ServiceDeps) -> Self {
        let ServiceDeps {
            store,
            registry,
            keyring,
            config,
            tasks,
        } = deps;
        let registry = Arc::new(registry);
        let auth = Authenticator::new(store.clone(), keyring.clone(), tasks.clone());
        let credentials = Credentials::new(store.clone(), registry.clone());
        let caches = LocalCaches::new(auth.clone(), credentials.clone());
        let link_tokens =
            LinkTokens::new(keyring.clone(), config.public_base(), config.link_token_ttl);
        Self(Arc::new(Parts {
            spaces: SpaceService::new(&config, tasks.clone()),
            keys: ApiKeys::new(store.clone(), keyring.clone(), caches.clone()),
            profiles: Profiles::new(store.clone(), keyring.clone(), caches.clone()),
            links: Links::new(link_tokens, store.clone(), credentials.clone()),
            auth,
            credentials,
            caches,
            store,
            registry,
            keyring,
            config,
            tasks,
        }))
    }

    /// Starts the work that runs for the life of the process: following the store's
    /// invalidations. It stops when [`Tasks`] shuts down.
    pub fn start_background(&self) {
        self.tasks.spawn(invalidation::follow(
            self.store.clone(),
            self.caches.clone(),
            self.tasks.clone(),
        ));
    }
}
