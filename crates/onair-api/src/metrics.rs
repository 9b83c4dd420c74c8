//! Prometheus metrics: one recorder per process, rendered at `GET /metrics`.
//!
//! - `onair_http_requests_total`, `onair_http_request_duration_seconds`: by method, route
//!   template and status.
//! - `onair_upstream_calls_total`: calls that reached a network, by network, endpoint and
//!   the status it answered (`none` when it never answered); counted by the providers.
//!   `onair_upstream_calls_held_total`: calls a provider refused to send (budget spent).
//! - `onair_space_cache_total`: lookups by `result` (`hit` or `miss`);
//!   `onair_space_fetches_total`: misses that went to a network;
//!   `onair_coalesced_total`: requests served by another request's fetch, by `kind`
//!   (`lookup`, `search`, `by_creator`); `onair_space_stale_served_total`: stale Spaces
//!   served because the network could not be asked.
//! - `onair_upstream_batch_size`: ids per batch call (its `_count` is the batch calls);
//!   `onair_space_lookups_batched_total`: lookups that shared a call with others.
//! - Gauges read at scrape time: `onair_upstream_budget_remaining` (by network, endpoint
//!   and credential fingerprint) and `onair_space_cache_entries`.

use std::{sync::OnceLock, time::Duration};

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use onair_core::NetworkId;

use crate::state::AppState;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder on first use. Another recorder installed first (by
/// an embedding program) wins, and `/metrics` then says so.
fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("duration_seconds".into()),
                    &[
                        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                        5.0, 10.0,
                    ],
                )
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full("onair_upstream_batch_size".into()),
                        &[1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0],
                    )
                });
            match builder.map(PrometheusBuilder::install_recorder) {
                Ok(Ok(handle)) => Some(handle),
                Ok(Err(e)) | Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

/// Makes sure the recorder exists before the first request is counted.
pub fn init() {
    let _ = handle();
}

pub fn record_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    counter!("onair_http_requests_total", &labels).increment(1);
    histogram!("onair_http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
}

pub fn cache_lookup(network: &NetworkId, hit: bool) {
    let result = if hit { "hit" } else { "miss" };
    counter!("onair_space_cache_total", "network" => network.to_string(), "result" => result)
        .increment(1);
}

pub fn upstream_fetch(network: &NetworkId) {
    counter!("onair_space_fetches_total", "network" => network.to_string()).increment(1);
}

pub fn coalesced(network: &NetworkId, kind: &'static str) {
    counter!("onair_coalesced_total", "network" => network.to_string(), "kind" => kind)
        .increment(1);
}

pub fn stale_served(network: &NetworkId) {
    counter!("onair_space_stale_served_total", "network" => network.to_string()).increment(1);
}

pub fn batch_sent(network: &NetworkId, ids: usize) {
    histogram!("onair_upstream_batch_size", "network" => network.to_string()).record(ids as f64);
    if ids > 1 {
        counter!("onair_space_lookups_batched_total", "network" => network.to_string())
            .increment(ids as u64);
    }
}

/// The text exposition, with gauges read at scrape time.
pub async fn render(state: &AppState) -> Option<String> {
    let handle = handle()?;
    // The cache counts its entries as its maintenance runs; run it so the gauge is current.
    state.spaces.settle().await;
    for provider in state.registry.iter() {
        for snapshot in provider.rate_limits() {
            if let Some(remaining) = snapshot.remaining {
                gauge!(
                    "onair_upstream_budget_remaining",
                    "network" => provider.id().to_string(),
                    "endpoint" => snapshot.endpoint.clone(),
                    "credential" => snapshot.credential.clone(),
                )
                .set(f64::from(remaining));
            }
        }
    }
    gauge!("onair_space_cache_entries").set(state.spaces.cached_spaces() as f64);
    Some(handle.render())
}
