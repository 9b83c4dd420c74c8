//! The one state every handler shares.

use std::{
    ops::Deref,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use metrics_exporter_prometheus::PrometheusHandle;
use onair_service::Service;

use crate::{config::ApiConfig, rate_limit::TenantLimiter};

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    /// The application: every rule and cache the handlers use.
    pub service: Service,
    pub config: ApiConfig,
    pub limiter: TenantLimiter,
    pub health: Health,
    /// The process's Prometheus recorder, rendered at `/metrics`; `None` when the
    /// embedding program installed none.
    pub metrics: Option<PrometheusHandle>,
    public_base: String,
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(service: Service, config: ApiConfig, metrics: Option<PrometheusHandle>) -> Self {
        let public_base = config.public_url.as_str().trim_end_matches('/').to_owned();
        Self(Arc::new(Shared {
            limiter: TenantLimiter::new(config.rate_limit),
            health: Health::default(),
            service,
            config,
            metrics,
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
