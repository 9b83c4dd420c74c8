//! The HTTP server.

use crate::config::Config;

/// Runs the API server until shutdown. Telemetry is already installed by the caller.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let _ = config;
    anyhow::bail!("serve is not wired yet")
}
