//! The onair REST API (v1): routers per resource, authentication, problem+json errors,
//! OpenAPI, and the upstream-frugal Spaces service (cache, coalescing, batching).
//!
//! The server builds an [`App`] from [`AppDeps`] and serves [`App::router`].

pub mod auth;
pub mod config;
pub mod credentials;
pub mod dto;
pub mod error;
mod extract;
pub mod link;
pub mod lookup;
mod metrics;
pub mod middleware;
mod openapi;
pub mod problems;
mod rate_limit;
pub mod routes;
mod state;

use tokio::task::JoinHandle;

pub use config::{ApiConfig, CacheConfig, RateLimitConfig};
pub use state::{AppDeps, AppState, Health};

/// A running application: its state and the background task that follows invalidations.
pub struct App {
    state: AppState,
    follower: JoinHandle<()>,
}

impl App {
    /// Builds the application; must be called inside a Tokio runtime.
    pub fn new(deps: AppDeps) -> Self {
        metrics::init();
        let state = AppState::new(deps);
        let follower = tokio::spawn(auth::follow_invalidations(state.clone()));
        Self { state, follower }
    }

    pub fn router(&self) -> axum::Router {
        routes::router(self.state.clone())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Readiness control: call `start_draining` when shutdown begins.
    pub fn health(&self) -> Health {
        self.state.health.clone()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.follower.abort();
    }
}

/// The OpenAPI document of the v1 API, pretty-printed JSON.
pub fn openapi_json() -> String {
    routes::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
