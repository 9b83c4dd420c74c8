//! Failures a test asks the fake to produce, consumed in the order they were injected.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::endpoint::Endpoint;

/// One injected failure: what happens, to which endpoint's requests, how many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    /// `None` matches every request, routed or not.
    pub endpoint: Option<Endpoint>,
    /// `None` keeps the fault until [`FakeX::clear_faults`](super::FakeX::clear_faults).
    pub times: Option<u32>,
}

impl Fault {
    /// The fault once, on any endpoint.
    pub fn once(kind: FaultKind) -> Self {
        Self {
            kind,
            endpoint: None,
            times: Some(1),
        }
    }

    /// The fault `times` times, on any endpoint.
    pub fn times(kind: FaultKind, times: u32) -> Self {
        Self {
            kind,
            endpoint: None,
            times: Some(times),
        }
    }

    /// The fault on every request until cleared.
    pub fn always(kind: FaultKind) -> Self {
        Self {
            kind,
            endpoint: None,
            times: None,
        }
    }

    /// Restricts the fault to one endpoint.
    pub fn on(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }
}

/// What an injected fault does to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// X's own body for that status (401, 403 generic, 500, 502, 503, 504; `about:blank`).
    Status(u16),
    /// 429 `about:blank` with `x-rate-limit-remaining: 0` and a reset in the future.
    RateLimited,
    /// 429 `UsageCapExceeded` (`/2/problems/usage-capped`).
    UsageCapped,
    /// 402 `CreditsDepleted` (`/2/problems/credits`).
    CreditsDepleted,
    /// 403 `client-forbidden`, reason `client-not-enrolled`.
    ClientForbidden,
    /// 403 `unsupported-authentication`.
    UnsupportedAuthentication,
    /// Answers normally after the delay.
    Latency(Duration),
    /// 200 with a body that is not JSON.
    MalformedBody,
    /// 200 with the normal JSON body cut in the middle.
    TruncatedBody,
    /// Closes the connection without any response.
    DropConnection,
}

/// A fault named on a command line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown fault {0:?}: expected status-NNN, rate-limited, usage-capped, credits-depleted, \
     client-forbidden, unsupported-authentication, latency-MS, malformed-body, truncated-body \
     or drop-connection"
)]
pub struct UnknownFault(String);

impl std::str::FromStr for FaultKind {
    type Err = UnknownFault;

    /// Reads the kebab-case names `onair-fake-x --fault` takes (`status-503`, `latency-250`).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownFault(name.to_owned());
        let number = |prefix: &str| name.strip_prefix(prefix).map(str::parse::<u64>);
        Ok(match name {
            "rate-limited" => FaultKind::RateLimited,
            "usage-capped" => FaultKind::UsageCapped,
            "credits-depleted" => FaultKind::CreditsDepleted,
            "client-forbidden" => FaultKind::ClientForbidden,
            "unsupported-authentication" => FaultKind::UnsupportedAuthentication,
            "malformed-body" => FaultKind::MalformedBody,
            "truncated-body" => FaultKind::TruncatedBody,
            "drop-connection" => FaultKind::DropConnection,
            _ => match (number("status-"), number("latency-")) {
                (Some(Ok(status @ 100..=599)), _) => FaultKind::Status(status as u16),
                (_, Some(Ok(ms))) => FaultKind::Latency(Duration::from_millis(ms)),
                _ => return Err(unknown()),
            },
        })
    }
}

#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    any: AtomicBool,
    queue: Mutex<VecDeque<Fault>>,
}

impl FaultQueue {
    pub fn push(&self, fault: Fault) {
        if fault.times == Some(0) {
            return;
        }
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        queue.push_back(fault);
        self.any.store(true, Ordering::Release);
    }

    pub fn clear(&self) {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        queue.clear();
        self.any.store(false, Ordering::Release);
    }

    /// Takes one use of the first fault that matches a request to `endpoint`.
    pub fn take(&self, endpoint: Option<Endpoint>) -> Option<FaultKind> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let index = queue
            .iter()
            .position(|f| f.endpoint.is_none() || f.endpoint == endpoint)?;
        let fault = &mut queue[index];
        let kind = fault.kind.clone();
        if let Some(times) = fault.times.as_mut() {
            *times -= 1;
            if *times == 0 {
                queue.remove(index);
            }
        }
        if queue.is_empty() {
            self.any.store(false, Ordering::Release);
        }
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_names_parse() {
        assert_eq!("status-503".parse(), Ok(FaultKind::Status(503)));
        assert_eq!(
            "latency-250".parse(),
            Ok(FaultKind::Latency(Duration::from_millis(250)))
        );
        assert_eq!("drop-connection".parse(), Ok(FaultKind::DropConnection));
        for bad in ["status-42", "status-", "latency-x", "explode", ""] {
            assert!(bad.parse::<FaultKind>().is_err(), "{bad}");
        }
    }

    #[test]
    fn faults_are_consumed_in_order_and_by_endpoint() {
        let q = FaultQueue::default();
        q.push(Fault::times(FaultKind::Status(503), 2).on(Endpoint::Search));
        q.push(Fault::once(FaultKind::MalformedBody));
        assert_eq!(
            q.take(Some(Endpoint::SpaceById)),
            Some(FaultKind::MalformedBody)
        );
        assert_eq!(q.take(Some(Endpoint::SpaceById)), None);
        assert_eq!(q.take(Some(Endpoint::Search)), Some(FaultKind::Status(503)));
        assert_eq!(q.take(Some(Endpoint::Search)), Some(FaultKind::Status(503)));
        assert_eq!(q.take(Some(Endpoint::Search)), None);
        q.push(Fault::always(FaultKind::RateLimited));
        for _ in 0..5 {
            assert_eq!(q.take(None), Some(FaultKind::RateLimited));
        }
        q.clear();
        assert_eq!(q.take(None), None);
        q.push(Fault::times(FaultKind::RateLimited, 0));
        assert_eq!(q.take(None), None);
    }
}
