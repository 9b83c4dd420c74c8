//! The record of every request the fake received, for tests to assert on upstream traffic.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use super::endpoint::Endpoint;

/// One request as the fake saw it, and what it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCall {
    /// `None` for a path X does not serve.
    pub endpoint: Option<Endpoint>,
    pub method: String,
    /// The path as sent (still percent-encoded).
    pub path: String,
    /// The query string as sent, without `?`.
    pub raw_query: String,
    /// The decoded query pairs, in order, repeats kept.
    pub query: Vec<(String, String)>,
    /// [`token_fingerprint`](super::token_fingerprint) of the bearer token, if one was sent.
    pub bearer_fingerprint: Option<String>,
    /// The status answered; 0 when the connection was dropped without a response.
    pub status: u16,
    pub at: SystemTime,
}

impl RecordedCall {
    /// The decoded value of query parameter `name` (the first, if repeated).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

const STATUSES: usize = 600;

#[derive(Debug)]
pub(crate) struct Recorder {
    keep: bool,
    calls: Mutex<Vec<RecordedCall>>,
    total: AtomicUsize,
    per_endpoint: [AtomicUsize; 6],
    per_status: Box<[AtomicUsize]>,
}

impl Recorder {
    pub fn new(keep: bool) -> Self {
        Self {
            keep,
            calls: Mutex::new(Vec::new()),
            total: AtomicUsize::new(0),
            per_endpoint: Default::default(),
            per_status: (0..STATUSES).map(|_| AtomicUsize::new(0)).collect(),
        }
    }

    pub fn record(
        &self,
        call: impl FnOnce() -> RecordedCall,
        endpoint: Option<Endpoint>,
        status: u16,
    ) {
        self.total.fetch_add(1, Ordering::Relaxed);
        if let Some(endpoint) = endpoint {
            self.per_endpoint[endpoint.index()].fetch_add(1, Ordering::Relaxed);
        }
        if let Some(count) = self.per_status.get(usize::from(status)) {
            count.fetch_add(1, Ordering::Relaxed);
        }
        if self.keep {
            let call = call();
            self.calls
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(call);
        }
    }

    pub fn calls(&self) -> Vec<RecordedCall> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn total(&self) -> usize {
        self.total.load(Ordering::Relaxed)
    }

    pub fn to(&self, endpoint: Endpoint) -> usize {
        self.per_endpoint[endpoint.index()].load(Ordering::Relaxed)
    }

    pub fn with_status(&self, status: u16) -> usize {
        self.per_status
            .get(usize::from(status))
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    pub fn reset(&self) {
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        calls.clear();
        self.total.store(0, Ordering::Relaxed);
        for counter in self.per_endpoint.iter().chain(self.per_status.iter()) {
            counter.store(0, Ordering::Relaxed);
        }
    }
}
