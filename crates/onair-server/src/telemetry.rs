//! Logging: tracing to standard error (standard output stays for command results), as
//! text or JSON lines, filtered by `RUST_LOG` when set, else by `log_level`. Metrics: the
//! process's Prometheus recorder.

use std::{
    io::{BufWriter, IsTerminal as _},
    sync::OnceLock,
};

use metrics_exporter_prometheus::PrometheusHandle;

use anyhow::Context as _;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// The filter in force: `RUST_LOG` if set and non-empty, else `directive`.
pub fn filter(directive: &str) -> anyhow::Result<EnvFilter> {
    match std::env::var("RUST_LOG") {
        Ok(rust_log) if !rust_log.trim().is_empty() => EnvFilter::try_new(&rust_log)
            .with_context(|| "RUST_LOG is not a valid tracing filter directive"),
        _ => EnvFilter::try_new(directive)
            .with_context(|| format!("`log_level` (ONAIR_LOG_LEVEL) `{directive}` is not a valid tracing filter directive")),
    }
}

/// Installs the global subscriber. Call once, before anything logs, and keep the returned
/// guard until the program ends: dropping it flushes what is still buffered.
///
/// Lines are written by a background thread through a buffer, so a request never waits on
/// a write to standard error (one system call per line would cost more than a cached
/// lookup itself). Nothing is dropped: when the queue is full, logging waits.
pub fn init(format: LogFormat, directive: &str) -> anyhow::Result<WorkerGuard> {
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("onair-log")
        .finish(BufWriter::with_capacity(64 * 1024, std::io::stderr()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(directive)?)
        .with_writer(writer);
    let installed = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        // Every span from the root, so that a line logged deep inside a request (an
        // upstream call's span, say) still carries the request's id.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .try_init(),
    };
    installed.map_err(|err| anyhow::anyhow!("could not install the log subscriber: {err}"))?;
    Ok(guard)
}

/// Installs the process's Prometheus recorder and describes every metric onair records.
/// Another recorder installed first (by an embedding program) wins: `/metrics` then says
/// it has none, and the program keeps running.
pub fn install_metrics() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(
            || match onair_api::metrics::prometheus_builder().install_recorder() {
                Ok(handle) => {
                    onair_api::metrics::describe();
                    onair_service::metrics::describe();
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed");
                    None
                }
            },
        )
        .clone()
}
