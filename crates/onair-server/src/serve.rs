//! `onair serve`, and [`run`], which runs onair on a given listener until a given token is
//! cancelled: the store, the networks, the application and its background tasks, and the
//! API. `onair serve` binds the configured address and cancels on a signal; tests call
//! [`run`] in process on port 0.
//!
//! When shutdown begins, readiness turns 503 at once; the listener keeps accepting for a
//! moment ([`READINESS_NOTICE`]) so that load balancers polling `/readyz` see it and stop
//! sending, then stops accepting; in-flight requests complete, then the background tasks
//! are stopped and waited for, and the process exits. If all that is still running
//! `shutdown_grace_secs` after the signal, it exits anyway.

use std::{sync::Arc, time::Duration};

use anyhow::Context as _;
use onair_api::{ApiConfig, App};
use onair_core::ProviderRegistry;
use onair_provider_sandbox::SandboxProvider;
use onair_provider_x::XProvider;
use onair_service::{Service, ServiceConfig, ServiceDeps, Tasks};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{config::Config, load_keyring, open_migrated_store, telemetry};

/// How long, after the signal, new requests are still accepted while `/readyz` says 503.
pub const READINESS_NOTICE: Duration = Duration::from_secs(1);

/// Which parts of onair a process runs. Every instance runs the application's own upkeep
/// (following the store's invalidations); `api` serves HTTP, `worker` runs the background
/// jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    pub api: bool,
    pub worker: bool,
}

impl Roles {
    pub const ALL: Self = Self {
        api: true,
        worker: true,
    };
}

/// `onair serve`: listens on the configured address and runs until SIGTERM or SIGINT.
pub async fn serve(config: Config, roles: Roles) -> anyhow::Result<()> {
    let listener = if roles.api {
        Some(TcpListener::bind(config.listen).await.with_context(|| {
            format!(
                "could not listen on {} (`listen`, ONAIR_LISTEN)",
                config.listen
            )
        })?)
    } else {
        None
    };
    let shutdown = CancellationToken::new();
    let on_signal = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        on_signal.cancel();
    });
    run(config, roles, listener, shutdown).await
}

/// Runs onair until `shutdown` is cancelled, then shuts down gracefully; the API, when
/// `roles.api`, on `listener`. Telemetry is already installed by the caller.
pub async fn run(
    config: Config,
    roles: Roles,
    listener: Option<TcpListener>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let listener = match (roles.api, listener) {
        (true, Some(listener)) => Some(listener),
        (true, None) => anyhow::bail!("the API role needs a listener"),
        (false, _) => None,
    };
    let keyring = load_keyring(&config)?;
    let (store, _) = open_migrated_store(&config, keyring.clone()).await?;
    if !config.previous_secret_keys.is_empty() {
        // After a secret-key rotation, move every data key under the new key.
        let rewrapped = store
            .rewrap_credentials()
            .await
            .context("could not re-wrap stored credentials under the current secret key")?;
        tracing::info!(
            rewrapped,
            "credentials re-wrapped under the current secret key"
        );
    }
    let registry = registry(&config)?;
    let networks: Vec<String> = registry.iter().map(|p| p.id().to_string()).collect();
    // Both derive the public URL from `listen` unless it is set.
    let public_url = config.public_url();
    let api_config = ApiConfig {
        public_url: public_url.clone(),
        ..config.api.clone()
    };
    let service_config = ServiceConfig {
        public_url,
        ..config.service.clone()
    };
    let tasks = Tasks::new();
    let service = Service::new(ServiceDeps {
        store: store.clone(),
        registry,
        keyring,
        config: service_config,
        tasks: tasks.clone(),
    });
    service.start_background();
    let app = App::new(service, api_config, telemetry::install_metrics());
    let address = match &listener {
        Some(l) => Some(l.local_addr().context("the listener has no address")?),
        None => None,
    };
    tracing::info!(
        address = %address.map_or_else(|| "none".to_owned(), |a| a.to_string()),
        public_url = %config.public_url(),
        database = store.backend(),
        networks = %networks.join(","),
        api = roles.api,
        worker = roles.worker,
        "onair is listening"
    );

    let grace = config.shutdown_grace();
    let stop_accepting = CancellationToken::new();
    let health = app.health();
    let on_shutdown = {
        let (shutdown, stop_accepting) = (shutdown.clone(), stop_accepting.clone());
        async move {
            shutdown.cancelled().await;
            tracing::info!("shutting down: readiness is now 503, finishing in-flight requests");
            health.start_draining();
            tokio::time::sleep(READINESS_NOTICE.min(grace / 2)).await;
            tracing::info!("no longer accepting connections");
            stop_accepting.cancel();
        }
    };
    tokio::spawn(on_shutdown);
    let until_stopped = async {
        match listener {
            Some(listener) => axum::serve(listener, app.router())
                .with_graceful_shutdown(stop_accepting.clone().cancelled_owned())
                .await
                .context("the server failed")?,
            None => stop_accepting.cancelled().await,
        }
        // Requests are done; now the background work finishes what it holds.
        tasks.shutdown().await;
        anyhow::Ok(())
    };
    tokio::select! {
        result = until_stopped => result?,
        () = async { shutdown.cancelled().await; tokio::time::sleep(grace).await } => {
            tracing::warn!(grace_secs = grace.as_secs(), running = tasks.running(), "still running after the grace period; exiting anyway");
        }
    }
    tracing::info!("onair stopped");
    Ok(())
}

/// Every network this deployment serves: X (unless disabled), the sandbox (unless
/// disabled), and the stubs for networks without a usable API.
fn registry(config: &Config) -> anyhow::Result<ProviderRegistry> {
    let mut registry = ProviderRegistry::new();
    if let Some(x) = config.enabled_x() {
        let provider = XProvider::new(x.clone()).context("`providers.x` is not usable")?;
        registry.register(Arc::new(provider))?;
    }
    if config.sandbox_enabled() {
        registry.register(Arc::new(SandboxProvider::new()))?;
    }
    for stub in onair_provider_stubs::all() {
        registry.register(stub)?;
    }
    Ok(registry)
}

async fn wait_for_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
