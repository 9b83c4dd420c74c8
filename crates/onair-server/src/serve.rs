//! `onair serve`: wires the store, the networks and the API, serves until a signal, then
//! shuts down gracefully.
//!
//! On SIGTERM or SIGINT, readiness turns 503 at once; the listener keeps accepting for a
//! moment ([`READINESS_NOTICE`]) so that load balancers polling `/readyz` see it and stop
//! sending, then stops accepting; in-flight requests complete and the process exits. If
//! requests are still running `shutdown_grace_secs` after the signal, it exits anyway.

use std::{sync::Arc, time::Duration};

use anyhow::Context as _;
use onair_api::{App, AppDeps};
use onair_core::ProviderRegistry;
use onair_provider_sandbox::SandboxProvider;
use onair_provider_x::XProvider;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{config::Config, load_keyring, open_migrated_store};

/// How long, after the signal, new requests are still accepted while `/readyz` says 503.
pub const READINESS_NOTICE: Duration = Duration::from_secs(1);

/// Runs the API server until shutdown. Telemetry is already installed by the caller.
pub async fn run(config: Config) -> anyhow::Result<()> {
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
    let app = App::new(AppDeps {
        store: store.clone(),
        registry,
        keyring,
        config: config.api_config(),
    });
    let listener = TcpListener::bind(config.listen).await.with_context(|| {
        format!(
            "could not listen on {} (`listen`, ONAIR_LISTEN)",
            config.listen
        )
    })?;
    let address = listener
        .local_addr()
        .context("the listener has no address")?;
    tracing::info!(
        %address,
        public_url = %config.public_url(),
        database = store.backend(),
        networks = %networks.join(","),
        "onair is listening"
    );

    let signalled = CancellationToken::new();
    let stop = CancellationToken::new();
    let grace = config.shutdown_grace();
    let health = app.health();
    let on_signal = {
        let (signalled, stop) = (signalled.clone(), stop.clone());
        async move {
            wait_for_signal().await;
            tracing::info!("shutting down: readiness is now 503, finishing in-flight requests");
            health.start_draining();
            signalled.cancel();
            tokio::time::sleep(READINESS_NOTICE.min(grace / 2)).await;
            tracing::info!("no longer accepting connections");
            stop.cancel();
        }
    };
    let server = axum::serve(listener, app.router())
        .with_graceful_shutdown(stop.clone().cancelled_owned())
        .into_future();
    tokio::spawn(on_signal);
    tokio::select! {
        result = server => result.context("the server failed")?,
        () = async { signalled.cancelled().await; tokio::time::sleep(grace).await } => {
            tracing::warn!(grace_secs = grace.as_secs(), "requests still running after the grace period; exiting anyway");
        }
    }
    tracing::info!("onair stopped");
    Ok(())
}

/// Every network this deployment serves: X (unless disabled), the sandbox (unless
/// disabled), and the stubs for networks without a usable API.
fn registry(config: &Config) -> anyhow::Result<ProviderRegistry> {
    let mut registry = ProviderRegistry::new();
    if let Some(x) = config.x_config() {
        let provider = XProvider::new(x).context("`providers.x` is not usable")?;
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
