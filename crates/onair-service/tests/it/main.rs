//! The application in process, over a real SQLite store: the rules every caller (API, CLI,
//! jobs) gets from `onair-service`, and the background work it owns.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod network;
mod services;
mod shutdown;

use std::sync::Arc;

use onair_core::{LiveAudioProvider, ProviderRegistry};
use onair_service::{Service, ServiceConfig, ServiceDeps, Tasks};
use onair_store::{
    Actor, BoxedStore, TenantId,
    secrets::{Keyring, generate_secret_key},
};
use onair_store_sqlite::SqliteStore;
use tempfile::TempDir;

pub struct Fixture {
    pub service: Service,
    pub store: BoxedStore,
    pub tenant: TenantId,
    _dir: TempDir,
}

impl Fixture {
    pub async fn new(providers: Vec<Arc<dyn LiveAudioProvider>>) -> Self {
        Self::with_config(providers, ServiceConfig::default()).await
    }

    pub async fn with_config(
        providers: Vec<Arc<dyn LiveAudioProvider>>,
        config: ServiceConfig,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Arc::new(Keyring::new(&generate_secret_key(), &[]).unwrap());
        let url = format!("sqlite://{}", dir.path().join("onair.db").display());
        let store: BoxedStore =
            Arc::new(SqliteStore::connect(&url, keyring.clone()).await.unwrap());
        store.migrate().await.unwrap();
        let mut registry = ProviderRegistry::new();
        for p in providers {
            registry.register(p).unwrap();
        }
        let service = Service::new(ServiceDeps {
            store: store.clone(),
            registry,
            keyring,
            config,
            tasks: Tasks::new(),
        });
        let tenant = store
            .create_tenant(&Actor::Operator, "acme")
            .await
            .unwrap()
            .id;
        Self {
            service,
            store,
            tenant,
            _dir: dir,
        }
    }
}
