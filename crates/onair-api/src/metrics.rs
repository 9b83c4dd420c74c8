//! Prometheus metrics: one recorder per process, rendered at `GET /metrics`.
//!
//! - `onair_http_requests_total`, `onair_http_request_duration_seconds`: by method, route
//!   template and status; `onair_http_requests_in_flight`: requests being served now.
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

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{LazyLock, OnceLock, PoisonError, RwLock},
    time::Duration,
};

use axum::http::Method;

use metrics::{
    Counter, Gauge, Histogram, Unit, counter, describe_counter, describe_gauge, describe_histogram,
    gauge, histogram,
};
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

/// Makes sure the recorder exists before the first request is counted, and gives every
/// metric its `# HELP` line.
pub fn init() {
    static DESCRIBED: OnceLock<()> = OnceLock::new();
    if handle().is_none() {
        return;
    }
    DESCRIBED.get_or_init(|| {
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
        describe_histogram!(
            "onair_upstream_batch_size",
            "Ids per batched lookup call to a network (its _count is the batch calls)."
        );
    });
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
    (
        "onair_space_cache_total",
        "Space lookups by cache result (hit or miss), by network.",
    ),
    (
        "onair_space_fetches_total",
        "Cache misses that were fetched from a network.",
    ),
    (
        "onair_coalesced_total",
        "Requests served by another identical request's fetch, by kind.",
    ),
    (
        "onair_space_stale_served_total",
        "Stale Spaces served because the network could not be asked.",
    ),
    (
        "onair_space_lookups_batched_total",
        "Lookups that shared one network call with others.",
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
    ("onair_space_cache_entries", "Spaces held in the cache."),
];

/// Handles are looked up once per label set and kept: registering a metric on every
/// request (building label strings, hashing them) costs more than the request's own work.
struct Handles<K, V>(RwLock<HashMap<K, V>>);

impl<K: Hash + Eq + Clone, V: Clone> Handles<K, V> {
    fn new() -> Self {
        Self(RwLock::new(HashMap::new()))
    }

    fn get(&self, key: &K, register: impl FnOnce() -> V) -> V {
        if let Some(v) = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
        {
            return v.clone();
        }
        let mut map = self.0.write().unwrap_or_else(PoisonError::into_inner);
        map.entry(key.clone()).or_insert_with(register).clone()
    }
}

/// Request metrics by route, then by method and status (route first, so a borrowed route
/// finds its entry without building a key).
type RequestHandles = HashMap<Box<str>, HashMap<(&'static str, u16), (Counter, Histogram)>>;
static REQUESTS: LazyLock<RwLock<RequestHandles>> = LazyLock::new(Default::default);
static NETWORK_COUNTERS: LazyLock<Handles<(&'static str, NetworkId, &'static str), Counter>> =
    LazyLock::new(Handles::new);

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

static IN_FLIGHT: LazyLock<Gauge> = LazyLock::new(|| {
    init();
    gauge!("onair_http_requests_in_flight")
});

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

/// A counter labelled by network and, optionally, one more fixed label.
fn network_counter(
    name: &'static str,
    network: &NetworkId,
    extra: Option<(&'static str, &'static str)>,
) -> Counter {
    let (extra_key, extra_value) = extra.unwrap_or(("", ""));
    NETWORK_COUNTERS.get(&(name, network.clone(), extra_value), || {
        let mut labels = vec![("network", network.to_string())];
        if !extra_key.is_empty() {
            labels.push((extra_key, extra_value.to_owned()));
        }
        counter!(name, &labels)
    })
}

pub fn cache_lookup(network: &NetworkId, hit: bool) {
    let result = if hit { "hit" } else { "miss" };
    network_counter("onair_space_cache_total", network, Some(("result", result))).increment(1);
}

pub fn upstream_fetch(network: &NetworkId) {
    network_counter("onair_space_fetches_total", network, None).increment(1);
}

pub fn coalesced(network: &NetworkId, kind: &'static str) {
    network_counter("onair_coalesced_total", network, Some(("kind", kind))).increment(1);
}

pub fn stale_served(network: &NetworkId) {
    network_counter("onair_space_stale_served_total", network, None).increment(1);
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
