//! Discord's rate limits: a bucket per route and top-level resource (guild or channel id) for
//! each bot, with `X-RateLimit-*` headers on every answer, and the global per-bot limit of
//! requests per second.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use super::route::Route;

/// What the `X-RateLimit-*` headers of one answer say.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Budget {
    pub limit: u32,
    pub remaining: u32,
    /// Epoch seconds (with milliseconds) at which the bucket refills.
    pub reset: f64,
    /// Seconds until then.
    pub reset_after: f64,
    pub bucket: String,
}

/// The opaque `X-RateLimit-Bucket` of a route: stable, and without the resource id.
pub(crate) fn bucket_hash(route: Route) -> String {
    let digest = Sha256::digest(route.template().as_bytes());
    hex::encode(&digest[..16])
}

#[derive(Debug)]
struct Window {
    start: Instant,
    used: u32,
}

/// A bucket: one bot's requests to one route on one guild or channel.
type BucketKey = (u64, Route, Option<u64>);

/// Every bucket of every bot.
#[derive(Debug)]
pub(crate) struct Limits {
    limit: Mutex<(u32, Duration)>,
    per_route: Mutex<HashMap<Route, (u32, Duration)>>,
    windows: Mutex<HashMap<BucketKey, Window>>,
    global_per_second: u32,
    global: Mutex<HashMap<u64, VecDeque<Instant>>>,
}

/// The answer of the limiter to one request.
#[derive(Debug)]
pub(crate) enum Admission {
    Admitted(Budget),
    /// The route's bucket is spent: 429 with `retry_after` = the time to its reset.
    Route(Budget),
    /// The global limit: 429 with `global: true`.
    Global {
        retry_after: f64,
    },
}

fn epoch_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
}

/// Rounds up to milliseconds, as Discord's headers carry them.
fn millis(seconds: f64) -> f64 {
    (seconds * 1000.0).ceil() / 1000.0
}

impl Limits {
    pub fn new(limit: u32, window: Duration, global_per_second: u32) -> Self {
        Self {
            limit: Mutex::new((limit, window)),
            per_route: Mutex::default(),
            windows: Mutex::default(),
            global_per_second,
            global: Mutex::default(),
        }
    }

    fn limit_of(&self, route: Route) -> (u32, Duration) {
        let per_route = self.per_route.lock().unwrap_or_else(|e| e.into_inner());
        per_route
            .get(&route)
            .copied()
            .unwrap_or_else(|| *self.limit.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Sets the limit of every route without one of its own, and empties every bucket.
    pub fn set_default(&self, limit: u32, window: Duration) {
        *self.limit.lock().unwrap_or_else(|e| e.into_inner()) = (limit, window);
        self.windows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Sets one route's limit, and empties its buckets.
    pub fn set_route(&self, route: Route, limit: u32, window: Duration) {
        self.per_route
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(route, (limit, window));
        self.windows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(_, r, _), _| *r != route);
    }

    fn budget(&self, bot: u64, route: Route, major: Option<u64>, consume: bool) -> (Budget, bool) {
        let (limit, window) = self.limit_of(route);
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let w = windows.entry((bot, route, major)).or_insert(Window {
            start: now,
            used: 0,
        });
        if now.duration_since(w.start) >= window {
            *w = Window {
                start: now,
                used: 0,
            };
        }
        let admitted = w.used < limit;
        if consume && admitted {
            w.used += 1;
        }
        let reset_after =
            millis((window.saturating_sub(now.duration_since(w.start))).as_secs_f64());
        let budget = Budget {
            limit,
            remaining: limit.saturating_sub(w.used),
            reset: millis(epoch_now() + reset_after),
            reset_after,
            bucket: bucket_hash(route),
        };
        (budget, admitted)
    }

    /// The headers of an answer that does not count (401s, injected faults).
    pub fn peek(&self, bot: u64, route: Route, major: Option<u64>) -> Budget {
        self.budget(bot, route, major, false).0
    }

    /// Counts one request of `bot` to `route` on `major`.
    pub fn admit(&self, bot: u64, route: Route, major: Option<u64>) -> Admission {
        if self.global_per_second > 0 {
            let now = Instant::now();
            let mut global = self.global.lock().unwrap_or_else(|e| e.into_inner());
            let recent = global.entry(bot).or_default();
            while recent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
            {
                recent.pop_front();
            }
            if recent.len() >= self.global_per_second as usize {
                let oldest = recent.front().copied().unwrap_or(now);
                let wait = Duration::from_secs(1).saturating_sub(now.duration_since(oldest));
                return Admission::Global {
                    retry_after: millis(wait.as_secs_f64()),
                };
            }
            recent.push_back(now);
        }
        match self.budget(bot, route, major, true) {
            (budget, true) => Admission::Admitted(budget),
            (budget, false) => Admission::Route(budget),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_per_route_and_resource() {
        let limits = Limits::new(2, Duration::from_secs(60), 0);
        let a = |major| limits.admit(1, Route::GetGuild, major);
        assert!(matches!(a(Some(10)), Admission::Admitted(b) if b.remaining == 1));
        assert!(matches!(a(Some(10)), Admission::Admitted(b) if b.remaining == 0));
        assert!(matches!(a(Some(10)), Admission::Route(b) if b.reset_after > 59.0));
        assert!(matches!(a(Some(11)), Admission::Admitted(_)));
        assert!(matches!(
            limits.admit(2, Route::GetGuild, Some(10)),
            Admission::Admitted(_)
        ));
        assert!(matches!(
            limits.admit(1, Route::GetGuildRoles, Some(10)),
            Admission::Admitted(_)
        ));
        assert_ne!(
            bucket_hash(Route::GetGuild),
            bucket_hash(Route::GetGuildRoles)
        );
    }

    #[test]
    fn global_limit_counts_every_route() {
        let limits = Limits::new(100, Duration::from_secs(60), 2);
        assert!(matches!(
            limits.admit(1, Route::GetGuild, Some(1)),
            Admission::Admitted(_)
        ));
        assert!(matches!(
            limits.admit(1, Route::GetChannel, Some(2)),
            Admission::Admitted(_)
        ));
        assert!(matches!(
            limits.admit(1, Route::GetCurrentUser, None),
            Admission::Global { retry_after } if retry_after > 0.0 && retry_after <= 1.0
        ));
    }
}
