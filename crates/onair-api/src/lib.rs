//! The onair REST API (v1) over HTTP: routers per resource, authentication, problem+json
//! errors and OpenAPI. The application behind it (the Spaces service, credentials, keys,
//! profiles, link tokens) is `onair_service`.
//!
//! The server builds an [`App`] from the application and serves [`App::router`].

pub mod auth;
pub mod config;
pub mod dto;
pub mod error;
mod extract;
pub mod metrics;
pub mod middleware;
mod openapi;
pub mod problems;
mod rate_limit;
pub mod routes;
mod state;

use metrics_exporter_prometheus::PrometheusHandle;
use onair_service::Service;

pub use config::{ApiConfig, CacheConfig, RateLimitConfig};
pub use state::{AppState, Health};

/// The HTTP application: its state and router.
pub struct App {
    state: AppState,
}

impl App {
    /// `metrics` is the recorder the process installed, rendered at `/metrics`.
    pub fn new(service: Service, config: ApiConfig, metrics: Option<PrometheusHandle>) -> Self {
        Self {
            state: AppState::new(service, config, metrics),
        }
    }

    pub fn router(&self) -> axum::Router {
        routes::router(self.state.clone())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn service(&self) -> &Service {
        &self.state.service
    }

    /// Readiness control: call `start_draining` when shutdown begins.
    pub fn health(&self) -> Health {
        self.state.health.clone()
    }
}

/// The OpenAPI document of the v1 API, pretty-printed JSON.
pub fn openapi_json() -> String {
    routes::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
