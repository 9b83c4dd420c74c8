//! Failures a test asks the fake to produce, consumed in the order they were injected.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use super::route::Route;

/// `X-RateLimit-Scope` of a 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitScope {
    /// The bot's own per-route limit.
    User,
    /// The bot's global limit: `global: true` and `X-RateLimit-Global: true`.
    Global,
    /// A per-resource limit shared by every bot ("The resource is being rate limited.").
    Shared,
}

/// What an injected fault does to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// 429 with Discord's body, `Retry-After` and `X-RateLimit-*` headers.
    RateLimited {
        retry_after: Duration,
        scope: RateLimitScope,
    },
    /// Discord's `{"message": "NNN: Reason", "code": 0}` with this status.
    Status(u16),
    /// Answers normally after the delay.
    Delay(Duration),
}

/// One injected failure: what happens, to which route's requests, how many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    /// `None` matches every request, routed or not.
    pub route: Option<Route>,
    /// `None` keeps the fault until [`FakeDiscord::clear_faults`](super::FakeDiscord::clear_faults).
    pub times: Option<u32>,
}

impl Fault {
    pub fn once(kind: FaultKind) -> Self {
        Self::times(kind, 1)
    }

    pub fn times(kind: FaultKind, times: u32) -> Self {
        Self {
            kind,
            route: None,
            times: Some(times),
        }
    }

    pub fn always(kind: FaultKind) -> Self {
        Self {
            kind,
            route: None,
            times: None,
        }
    }

    /// Restricts the fault to one route.
    pub fn on(mut self, route: Route) -> Self {
        self.route = Some(route);
        self
    }
}

/// A fault named on a command line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown fault {0:?}: expected status-NNN, delay-MS, rate-limited-MS, \
     global-rate-limited-MS or shared-rate-limited-MS"
)]
pub struct UnknownFault(String);

impl std::str::FromStr for FaultKind {
    type Err = UnknownFault;

    /// Reads the names `onair-fake-discord --fault` takes (`status-503`, `rate-limited-250`).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let number = |prefix: &str| {
            name.strip_prefix(prefix)
                .and_then(|n| n.parse::<u64>().ok())
        };
        let limited = |scope| {
            move |ms| FaultKind::RateLimited {
                retry_after: Duration::from_millis(ms),
                scope,
            }
        };
        if let Some(status @ 100..=599) = number("status-") {
            return Ok(FaultKind::Status(status as u16));
        }
        number("delay-")
            .map(|ms| FaultKind::Delay(Duration::from_millis(ms)))
            .or_else(|| number("rate-limited-").map(limited(RateLimitScope::User)))
            .or_else(|| number("global-rate-limited-").map(limited(RateLimitScope::Global)))
            .or_else(|| number("shared-rate-limited-").map(limited(RateLimitScope::Shared)))
            .ok_or_else(|| UnknownFault(name.to_owned()))
    }
}

#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    queue: Mutex<VecDeque<Fault>>,
}

impl FaultQueue {
    pub fn push(&self, fault: Fault) {
        if fault.times != Some(0) {
            self.queue
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push_back(fault);
        }
    }

    pub fn clear(&self) {
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Takes one use of the first fault that matches a request to `route`.
    pub fn take(&self, route: Option<Route>) -> Option<FaultKind> {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let index = queue
            .iter()
            .position(|f| f.route.is_none() || f.route == route)?;
        let fault = &mut queue[index];
        let kind = fault.kind.clone();
        if let Some(times) = fault.times.as_mut() {
            *times -= 1;
            if *times == 0 {
                queue.remove(index);
            }
        }
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_names_parse() {
        assert_eq!("status-502".parse(), Ok(FaultKind::Status(502)));
        assert_eq!(
            "delay-20".parse(),
            Ok(FaultKind::Delay(Duration::from_millis(20)))
        );
        assert_eq!(
            "global-rate-limited-1500".parse(),
            Ok(FaultKind::RateLimited {
                retry_after: Duration::from_millis(1500),
                scope: RateLimitScope::Global
            })
        );
        for bad in ["status-42", "delay-", "rate-limited-x", "boom", ""] {
            assert!(bad.parse::<FaultKind>().is_err(), "{bad}");
        }
    }

    #[test]
    fn faults_are_consumed_in_order_and_by_route() {
        let q = FaultQueue::default();
        q.push(Fault::times(FaultKind::Status(500), 2).on(Route::GetGuild));
        q.push(Fault::once(FaultKind::Status(503)));
        assert_eq!(
            q.take(Some(Route::GetChannel)),
            Some(FaultKind::Status(503))
        );
        assert_eq!(q.take(Some(Route::GetChannel)), None);
        assert_eq!(q.take(Some(Route::GetGuild)), Some(FaultKind::Status(500)));
        assert_eq!(q.take(Some(Route::GetGuild)), Some(FaultKind::Status(500)));
        assert_eq!(q.take(Some(Route::GetGuild)), None);
        q.push(Fault::always(FaultKind::Status(502)));
        assert_eq!(q.take(None), Some(FaultKind::Status(502)));
        assert_eq!(q.take(None), Some(FaultKind::Status(502)));
        q.clear();
        assert_eq!(q.take(None), None);
    }
}
