//! The application's metrics, recorded through the `metrics` facade into whatever recorder
//! the process installed (the server installs Prometheus's):
//!
//! - `onair_space_cache_total`: lookups by `result` (`hit` or `miss`);
//!   `onair_space_fetches_total`: misses that went to a network;
//!   `onair_coalesced_total`: requests served by another request's fetch, by `kind`
//!   (`lookup`, `search`, `by_creator`); `onair_space_stale_served_total`: stale Spaces
//!   served because the network could not be asked.
//! - `onair_upstream_batch_size`: ids per batch call (its `_count` is the batch calls);
//!   `onair_space_lookups_batched_total`: lookups that shared a call with others.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{LazyLock, PoisonError, RwLock},
};

use metrics::{Counter, counter, describe_counter, describe_gauge, describe_histogram, histogram};
use onair_core::NetworkId;

/// Gives each of the application's metrics its `# HELP` line; call once the recorder is in.
pub fn describe() {
    for (name, help) in COUNTERS {
        describe_counter!(*name, *help);
    }
    describe_histogram!(
        "onair_upstream_batch_size",
        "Ids per batched lookup call to a network (its _count is the batch calls)."
    );
    describe_gauge!("onair_space_cache_entries", "Spaces held in the cache.");
}

const COUNTERS: &[(&str, &str)] = &[
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

static NETWORK_COUNTERS: LazyLock<Handles<(&'static str, NetworkId, &'static str), Counter>> =
    LazyLock::new(Handles::new);

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

pub(crate) fn cache_lookup(network: &NetworkId, hit: bool) {
    let result = if hit { "hit" } else { "miss" };
    network_counter("onair_space_cache_total", network, Some(("result", result))).increment(1);
}

pub(crate) fn upstream_fetch(network: &NetworkId) {
    network_counter("onair_space_fetches_total", network, None).increment(1);
}

pub(crate) fn coalesced(network: &NetworkId, kind: &'static str) {
    network_counter("onair_coalesced_total", network, Some(("kind", kind))).increment(1);
}

pub(crate) fn stale_served(network: &NetworkId) {
    network_counter("onair_space_stale_served_total", network, None).increment(1);
}

pub(crate) fn batch_sent(network: &NetworkId, ids: usize) {
    histogram!("onair_upstream_batch_size", "network" => network.to_string()).record(ids as f64);
    if ids > 1 {
        counter!("onair_space_lookups_batched_total", "network" => network.to_string())
            .increment(ids as u64);
    }
}
