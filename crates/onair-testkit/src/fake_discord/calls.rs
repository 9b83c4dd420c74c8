//! The record of every request the fake received: per-route counts, statuses, and the
//! requests themselves with their headers.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::SystemTime;

use http::HeaderMap;

use super::route::Route;

/// One request as the fake saw it, and what it answered.
#[derive(Debug, Clone)]
pub struct RecordedCall {
    /// `None` for a path or method Discord does not serve.
    pub route: Option<Route>,
    pub method: String,
    /// The path as sent (still percent-encoded).
    pub path: String,
    /// The query string as sent, without `?`.
    pub query: String,
    /// Every request header as sent (including `Authorization`).
    pub headers: HeaderMap,
    /// The request body as text (empty when there was none).
    pub body: String,
    /// The bot the token authenticated, if it did.
    pub bot_id: Option<u64>,
    /// Whether `User-Agent` had Discord's `DiscordBot (url, version)` form.
    pub user_agent_ok: bool,
    pub status: u16,
    pub at: SystemTime,
}

impl RecordedCall {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn user_agent(&self) -> Option<&str> {
        self.header("user-agent")
    }

    /// The `X-Audit-Log-Reason` header, percent-decoded.
    pub fn audit_log_reason(&self) -> Option<String> {
        self.header("x-audit-log-reason").map(|v| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    }
}

#[derive(Debug, Default)]
struct Tally {
    total: usize,
    per_route: HashMap<Route, usize>,
    per_status: HashMap<u16, usize>,
}

#[derive(Debug)]
pub(crate) struct Recorder {
    keep: bool,
    tally: Mutex<Tally>,
    calls: Mutex<Vec<RecordedCall>>,
    last: Mutex<Option<RecordedCall>>,
}

impl Recorder {
    pub fn new(keep: bool) -> Self {
        Self {
            keep,
            tally: Mutex::default(),
            calls: Mutex::default(),
            last: Mutex::default(),
        }
    }

    pub fn record(&self, call: RecordedCall) {
        {
            let mut tally = self.tally.lock().unwrap_or_else(|e| e.into_inner());
            tally.total += 1;
            if let Some(route) = call.route {
                *tally.per_route.entry(route).or_default() += 1;
            }
            *tally.per_status.entry(call.status).or_default() += 1;
        }
        if self.keep {
            self.calls
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(call.clone());
        }
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(call);
    }

    pub fn calls(&self) -> Vec<RecordedCall> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn last(&self) -> Option<RecordedCall> {
        self.last.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn total(&self) -> usize {
        self.tally.lock().unwrap_or_else(|e| e.into_inner()).total
    }

    pub fn to(&self, route: Route) -> usize {
        let tally = self.tally.lock().unwrap_or_else(|e| e.into_inner());
        tally.per_route.get(&route).copied().unwrap_or(0)
    }

    pub fn with_status(&self, status: u16) -> usize {
        let tally = self.tally.lock().unwrap_or_else(|e| e.into_inner());
        tally.per_status.get(&status).copied().unwrap_or(0)
    }

    pub fn reset(&self) {
        *self.tally.lock().unwrap_or_else(|e| e.into_inner()) = Tally::default();
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clear();
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
