//! An onair API served over loopback on port 0, on a fresh SQLite store, for in-process tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use onair_api::{ApiConfig, App};
use onair_core::{LiveAudioProvider, ProviderRegistry};
use onair_provider_sandbox::SandboxProvider;
use onair_service::{Service, ServiceConfig, ServiceDeps, Tasks};
use onair_store::{
    Actor, BoxedStore, NewApiKey, TenantId,
    secrets::{Keyring, Token, TokenKind, generate_secret_key},
};
use onair_store_sqlite::SqliteStore;
use reqwest::{Client, RequestBuilder};
use tempfile::TempDir;

/// The test binary's one Prometheus recorder, installed on first use as the server does.
fn metrics() -> Option<PrometheusHandle> {
    static HANDLE: std::sync::OnceLock<Option<PrometheusHandle>> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            onair_api::metrics::prometheus_builder()
                .install_recorder()
                .ok()
        })
        .clone()
}

/// The API's and the application's settings for one test app; either converts into it,
/// the other keeping its defaults.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub api: ApiConfig,
    pub service: ServiceConfig,
}

impl From<ApiConfig> for Settings {
    fn from(api: ApiConfig) -> Self {
        Self {
            api,
            ..Self::default()
        }
    }
}

impl From<ServiceConfig> for Settings {
    fn from(service: ServiceConfig) -> Self {
        Self {
            service,
            ..Self::default()
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub store: BoxedStore,
    pub keyring: Arc<Keyring>,
    pub app: App,
    _dir: TempDir,
    server: tokio::task::JoinHandle<()>,
}

pub struct Tenant {
    pub id: TenantId,
    pub key: String,
}

impl TestApp {
    pub async fn start() -> Self {
        Self::start_with(Settings::default(), Vec::new()).await
    }

    /// Sandbox and stub networks, plus `extra` providers, over a fresh SQLite store.
    pub async fn start_with(
        settings: impl Into<Settings>,
        extra: Vec<Arc<dyn LiveAudioProvider>>,
    ) -> Self {
        let Settings {
            api: mut config,
            service: mut service_config,
        } = settings.into();
        let dir = tempfile::tempdir().unwrap();
        let keyring = Arc::new(Keyring::new(&generate_secret_key(), &[]).unwrap());
        let url = format!("sqlite://{}", dir.path().join("onair.db").display());
        let store: BoxedStore =
            Arc::new(SqliteStore::connect(&url, keyring.clone()).await.unwrap());
        store.migrate().await.unwrap();
        let mut registry = ProviderRegistry::new();
        for p in extra {
            registry.register(p).unwrap();
        }
        registry.register(Arc::new(SandboxProvider::new())).unwrap();
        for stub in onair_provider_stubs::all() {
            registry.register(stub).unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        config.public_url = base.parse().unwrap();
        service_config.public_url = config.public_url.clone();
        let service = Service::new(ServiceDeps {
            store: store.clone(),
            registry,
            keyring: keyring.clone(),
            config: service_config,
            tasks: Tasks::new(),
        });
        service.start_background();
        let app = App::new(service, config, metrics());
        let router = app.router();
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self {
            base,
            client: Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .unwrap(),
            store,
            keyring,
            app,
            _dir: dir,
            server,
        }
    }

    /// A tenant and its first key, made the way the operator CLI makes them.
    pub async fn tenant(&self, name: &str) -> Tenant {
        let tenant = self
            .store
            .create_tenant(&Actor::Operator, name)
            .await
            .unwrap();
        let token = Token::generate(TokenKind::ApiKey);
        self.store
            .create_api_key(
                &tenant.id,
                &Actor::Operator,
                NewApiKey {
                    id: token.api_key_id(),
                    name: "first".into(),
                    hash: self.keyring.hash_token(&token),
                    expires_at: None,
                },
            )
            .await
            .unwrap();
        Tenant {
            id: tenant.id,
            key: token.expose().to_owned(),
        }
    }

    /// The sandbox, the stubs and X served by `fake` (its app token as the operator's).
    pub async fn with_fake_x(
        settings: impl Into<Settings>,
        fake: &onair_testkit::fake_x::FakeX,
    ) -> Self {
        let x = onair_provider_x::XProvider::new(onair_provider_x::XConfig {
            base_url: fake.base_url().parse().unwrap(),
            bearer_token: Some(fake.app_token().into()),
            ..onair_provider_x::XConfig::default()
        })
        .unwrap();
        Self::start_with(settings, vec![Arc::new(x)]).await
    }

    pub fn get(&self, path: &str, key: &str) -> RequestBuilder {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(key)
    }

    pub fn post(&self, path: &str, key: &str) -> RequestBuilder {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(key)
    }

    pub fn put(&self, path: &str, key: &str) -> RequestBuilder {
        self.client
            .put(format!("{}{path}", self.base))
            .bearer_auth(key)
    }

    pub fn delete(&self, path: &str, key: &str) -> RequestBuilder {
        self.client
            .delete(format!("{}{path}", self.base))
            .bearer_auth(key)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        self.app.service().tasks.token().cancel();
    }
}

/// Asserts a problem+json answer with this status and code, and returns its body.
pub async fn problem(response: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    let request_id = response
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.ends_with(&format!("/problems/{code}"))),
        "{body}"
    );
    assert_eq!(body["request_id"].as_str(), request_id.as_deref(), "{body}");
    body
}
