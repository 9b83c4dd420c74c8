//! Per-tenant request rate limits (GCRA, from governor), reported in the IETF
//! `RateLimit-*` headers and answered with 429 + `Retry-After` when spent.

use std::{num::NonZeroU32, time::Duration};

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use governor::{
    Quota, RateLimiter,
    clock::{Clock, DefaultClock},
    middleware::StateInformationMiddleware,
    state::keyed::DefaultKeyedStateStore,
};
use onair_store::TenantId;

use crate::config::RateLimitConfig;

type Limiter = RateLimiter<
    TenantId,
    DefaultKeyedStateStore<TenantId>,
    DefaultClock,
    StateInformationMiddleware,
>;

pub struct TenantLimiter {
    limiter: Limiter,
    clock: DefaultClock,
    burst: u32,
    /// Time for one request's worth of budget to come back.
    per_request: Duration,
    /// Header values for small numbers, made once: every response carries three of them.
    numbers: Vec<HeaderValue>,
}

/// The outcome of one check, with what the headers should say.
pub struct Verdict {
    limit: HeaderValue,
    remaining: HeaderValue,
    reset: HeaderValue,
    retry_after: Option<Duration>,
}

/// Numbers up to this have their header value made once; larger ones are made per use.
const PRECOMPUTED: u32 = 1024;

static LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
static REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
static RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

impl TenantLimiter {
    pub fn new(config: RateLimitConfig) -> Self {
        let per_minute = NonZeroU32::new(config.per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(config.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        Self {
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            clock: DefaultClock::default(),
            burst: burst.get(),
            per_request: Duration::from_secs(60) / per_minute.get(),
            numbers: (0..=burst.get().min(PRECOMPUTED))
                .map(HeaderValue::from)
                .collect(),
        }
    }

    fn number(&self, n: u64) -> HeaderValue {
        usize::try_from(n)
            .ok()
            .and_then(|i| self.numbers.get(i).cloned())
            .unwrap_or_else(|| HeaderValue::from(n))
    }

    fn seconds(&self, d: Duration) -> HeaderValue {
        self.number(d.as_secs() + u64::from(d.subsec_nanos() > 0))
    }

    pub fn check(&self, tenant: &TenantId) -> Verdict {
        match self.limiter.check_key(tenant) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                Verdict {
                    limit: self.number(self.burst.into()),
                    remaining: self.number(remaining.into()),
                    reset: self
                        .seconds(self.per_request * (self.burst - remaining.min(self.burst))),
                    retry_after: None,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Verdict {
                    limit: self.number(self.burst.into()),
                    remaining: self.number(0),
                    reset: self.seconds(wait),
                    retry_after: Some(wait.max(Duration::from_secs(1))),
                }
            }
        }
    }
}

impl Verdict {
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Adds the `RateLimit-*` headers to a response's.
    pub fn write_headers(&self, h: &mut HeaderMap) {
        h.insert(LIMIT.clone(), self.limit.clone());
        h.insert(REMAINING.clone(), self.remaining.clone());
        h.insert(RESET.clone(), self.reset.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_then_refuses_with_a_retry_time() {
        let limiter = TenantLimiter::new(RateLimitConfig {
            per_minute: 60,
            burst: 3,
        });
        let tenant = TenantId::generate();
        let remaining: Vec<u32> = (0..3)
            .map(|_| {
                limiter
                    .check(&tenant)
                    .remaining
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect();
        assert_eq!(remaining, [2, 1, 0]);
        let refused = limiter.check(&tenant);
        let retry = refused.retry_after().expect("fourth request refused");
        assert!(
            retry >= Duration::from_secs(1) && retry <= Duration::from_secs(2),
            "{retry:?}"
        );
        assert!(
            limiter.check(&TenantId::generate()).retry_after().is_none(),
            "tenants are separate"
        );
    }
}
