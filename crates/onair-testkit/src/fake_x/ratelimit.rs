//! X's rate limits: a budget per endpoint and token over a fixed window, and the extra
//! per-second limit of `by/creator_ids` shared by the whole app.

use std::collections::VecDeque;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What the `x-rate-limit-*` headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budget {
    pub limit: u32,
    pub remaining: u32,
    /// Unix epoch seconds at which the window ends.
    pub reset: u64,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct EndpointLimit {
    pub limit: u32,
    pub window: Duration,
    /// Bumped when a test changes the limit, which restarts every bucket of the endpoint.
    pub generation: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Bucket {
    generation: u64,
    window_end: Option<Instant>,
    reset: u64,
    used: u32,
}

#[derive(Debug)]
pub(crate) struct Limits {
    per_endpoint: RwLock<[EndpointLimit; 6]>,
}

fn epoch_seconds_ceil(at: SystemTime) -> u64 {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    since.as_secs() + u64::from(since.subsec_nanos() > 0)
}

impl Limits {
    pub fn new(limit: u32, window: Duration) -> Self {
        let each = EndpointLimit {
            limit,
            window,
            generation: 0,
        };
        Self {
            per_endpoint: RwLock::new([each; 6]),
        }
    }

    pub fn get(&self, endpoint: usize) -> EndpointLimit {
        self.per_endpoint.read().unwrap_or_else(|e| e.into_inner())[endpoint]
    }

    pub fn set(&self, endpoint: usize, limit: u32, window: Duration) {
        let mut all = self.per_endpoint.write().unwrap_or_else(|e| e.into_inner());
        let generation = all[endpoint].generation + 1;
        all[endpoint] = EndpointLimit {
            limit,
            window,
            generation,
        };
    }
}

impl Bucket {
    fn current(&mut self, limit: EndpointLimit, now: Instant, wall: SystemTime) {
        let expired = self.window_end.is_none_or(|end| now >= end);
        if expired || self.generation != limit.generation {
            self.generation = limit.generation;
            self.window_end = Some(now + limit.window);
            self.reset = epoch_seconds_ceil(wall + limit.window);
            self.used = 0;
        }
    }

    /// Counts one request; `Err` when the window's budget is already spent.
    pub fn consume(&mut self, limit: EndpointLimit) -> Result<Budget, Budget> {
        self.current(limit, Instant::now(), SystemTime::now());
        if self.used >= limit.limit {
            return Err(Budget {
                limit: limit.limit,
                remaining: 0,
                reset: self.reset,
            });
        }
        self.used += 1;
        Ok(self.budget(limit))
    }

    /// The budget as it stands, without counting a request.
    pub fn peek(&mut self, limit: EndpointLimit) -> Budget {
        self.current(limit, Instant::now(), SystemTime::now());
        self.budget(limit)
    }

    fn budget(&self, limit: EndpointLimit) -> Budget {
        Budget {
            limit: limit.limit,
            remaining: limit.limit.saturating_sub(self.used),
            reset: self.reset,
        }
    }
}

/// `by/creator_ids`: "Shared rate limit: 1 per second among all users of your app".
#[derive(Debug)]
pub(crate) struct PerSecond {
    per_second: u32,
    recent: Mutex<VecDeque<Instant>>,
}

impl PerSecond {
    pub fn new(per_second: u32) -> Self {
        Self {
            per_second,
            recent: Mutex::new(VecDeque::new()),
        }
    }

    /// Admits a call unless `per_second` calls were admitted in the last second.
    pub fn admit(&self) -> bool {
        if self.per_second == 0 {
            return true;
        }
        let now = Instant::now();
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            recent.pop_front();
        }
        if recent.len() >= self.per_second as usize {
            return false;
        }
        recent.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_counts_down_and_refuses_when_spent() {
        let limits = Limits::new(2, Duration::from_secs(900));
        let mut bucket = Bucket::default();
        let first = bucket.consume(limits.get(0)).unwrap();
        assert_eq!((first.limit, first.remaining), (2, 1));
        let now = epoch_seconds_ceil(SystemTime::now());
        assert!(
            first.reset >= now + 899 && first.reset <= now + 901,
            "{first:?}"
        );
        assert_eq!(bucket.consume(limits.get(0)).unwrap().remaining, 0);
        let refused = bucket.consume(limits.get(0)).unwrap_err();
        assert_eq!((refused.remaining, refused.reset), (0, first.reset));
        assert_eq!(bucket.peek(limits.get(0)).remaining, 0);
        limits.set(0, 5, Duration::from_secs(60));
        assert_eq!(bucket.consume(limits.get(0)).unwrap().remaining, 4);
    }

    #[test]
    fn zero_window_restarts_every_time() {
        let limits = Limits::new(1, Duration::ZERO);
        let mut bucket = Bucket::default();
        for _ in 0..3 {
            assert!(bucket.consume(limits.get(1)).is_ok());
        }
    }

    #[test]
    fn per_second_admits_the_configured_number() {
        let gate = PerSecond::new(2);
        assert!(gate.admit());
        assert!(gate.admit());
        assert!(!gate.admit());
        assert!(PerSecond::new(0).admit());
    }
}
