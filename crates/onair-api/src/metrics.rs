//! The HTTP layer's metrics, and `GET /metrics` rendered from the recorder the server
//! installed (the application's own metrics are described in `onair_service::metrics`):
//!
//! - `onair_http_requests_total`, `onair_http_request_duration_seconds`: by method, route
//!   template and status; `onair_http_requests_in_flight`: requests being served now.
//! - `onair_upstream_calls_total`: calls that reached a network, by network, endpoint and
//!   the status it answered (`none` when it never answered); counted by the providers.
//!   `onair_upstream_calls_held_total`: calls a provider refused to send (budget spent).
//! - Gauges read at scrape time: `onair_upstream_budget_remaining` (by network, endpoint
//!   and credential fingerprint) and `onair_space_cache_entries`.

use std::{
    collections::HashMap,
    sync::{LazyLock, PoisonError, RwLock},
    time::Duration,
};

use axum::http::Method;

use metrics::{
    Counter, Gauge, Histogram, Unit, counter, describe_counter, describe_gauge, describe_histogram,
    gauge, histogram,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};

use crate::state::AppState;

/// The Prometheus recorder's settings for onair's histograms; the server installs it.
pub fn prometheus_builder() -> PrometheusBuilder {
    let builder = PrometheusBuilder::new();
    let with_buckets = builder
        .set_buckets_for_metric(
            Matcher::Suffix("duration_seconds".into()),
            &[
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                10.0,
            ],
        )
        .and_then(|b| {
            b.set_buckets_for_metric(
                Matcher::Full("onair_upstream_batch_size".into()),
                &[1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0],
            )
        });
    // The bucket lists above are literals and never empty, so this is always `Ok`.
    with_buckets.unwrap_or_else(|_| PrometheusBuilder::new())
}

/// Gives each metric of the HTTP layer and the providers its `# HELP` line; the server
/// calls it once its recorder is installed.
pub fn describe() {
    for (name, help) in COUNTERS {
        describe_counter!(*name, *help);
    }
    for (name, help) in GAUGES {
        describe_gauge!(*name, *help);
    }
    describe_histogram!(
        "onair_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer a request, by method, route template and status."
    );
}

const COUNTERS: &[(&str, &str)] = &[
    (
        "onair_http_requests_total",
        "Requests answered, by method, route template and status.",
    ),
    (
        "onair_upstream_calls_total",
        "Calls that reached a network, by network, endpoint and the status it answered.",
    ),
    (
        "onair_upstream_calls_held_total",
        "Calls a provider did not send because the network's known budget is spent.",
    ),
];

const GAUGES: &[(&str, &str)] = &[
    (
        "onair_http_requests_in_flight",
        "Requests being served now.",
    ),
    (
        "onair_upstream_budget_remaining",
        "Calls left in the network's current rate window, by network, endpoint and credential fingerprint.",
    ),
];

/// Request metrics by route, then by method and status (route first, so a borrowed route
/// finds its entry without building a key).
type RequestHandles = HashMap<Box<str>, HashMap<(&'static str, u16), (Counter, Histogram)>>;
static REQUESTS: LazyLock<RwLock<RequestHandles>> = LazyLock::new(Default::default);
/// Methods by name; anything else is `other`, so clients cannot mint label values.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

static IN_FLIGHT: LazyLock<Gauge> = LazyLock::new(|| gauge!("onair_http_requests_in_flight"));

/// Counts one request as in flight until dropped, also when its client goes away first.
pub struct InFlight(());

impl InFlight {
    pub fn start() -> Self {
        IN_FLIGHT.increment(1.0);
        Self(())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.decrement(1.0);
    }
}

pub fn record_request(method: &Method, route: &str, status: u16, elapsed: Duration) {
    let method = method_label(method);
    let found = REQUESTS
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(route)
        .and_then(|by| by.get(&(method, status)).cloned());
    let (requests, duration) = found.unwrap_or_else(|| {
        let labels = [
            ("method", method.to_owned()),
            ("route", route.to_owned()),
            ("status", status.to_string()),
        ];
        let handles = (
            counter!("onair_http_requests_total", &labels),
            histogram!("onair_http_request_duration_seconds", &labels),
        );
        REQUESTS
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(route.into())
            .or_default()
            .entry((method, status))
            .or_insert(handles)
            .clone()
    });
    requests.increment(1);
    duration.record(elapsed.as_secs_f64());
}

/// The text exposition, with gauges read at scrape time.
pub async fn render(state: &AppState) -> Option<String> {
    let handle = state.metrics.as_ref()?;
    // The cache counts its entries as its maintenance runs; run it so the gauge is current.
    state.service.spaces.settle().await;
    for provider in state.service.registry.iter() {
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
    gauge!("onair_space_cache_entries").set(state.service.spaces.cached_spaces() as f64);
    Some(handle.render())
}
