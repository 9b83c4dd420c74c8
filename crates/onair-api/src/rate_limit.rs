//! Per-tenant request rate limits (GCRA, from governor), reported in the IETF
//! `RateLimit-*` headers and answered with 429 + `Retry-After` when spent.

use std::{num::NonZeroU32, time::Duration};

use axum::http::{HeaderMap, HeaderName};
use governor::{
    Quota, RateLimiter,
    clock::{Clock, DefaultClock},
    middleware::StateInformationMiddleware,
    state::keyed::DefaultKeyedStateStore,
};
use onair_store::TenantId;

use crate::{auth::header_value, config::RateLimitConfig};

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
}

/// The outcome of one check, with what the headers should say.
pub struct Verdict {
    limit: u32,
    remaining: u32,
    reset: Duration,
    retry_after: Option<Duration>,
}

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
        }
    }

    pub fn check(&self, tenant: &TenantId) -> Verdict {
        match self.limiter.check_key(tenant) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                Verdict {
                    limit: self.burst,
                    remaining,
                    reset: self.per_request * (self.burst - remaining.min(self.burst)),
                    retry_after: None,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Verdict {
                    limit: self.burst,
                    remaining: 0,
                    reset: wait,
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

    pub fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::with_capacity(3);
        h.insert(LIMIT.clone(), header_value(self.limit));
        h.insert(REMAINING.clone(), header_value(self.remaining));
        h.insert(
            RESET.clone(),
            header_value(self.reset.as_secs_f64().ceil() as u64),
        );
        h
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
        let remaining: Vec<u32> = (0..3).map(|_| limiter.check(&tenant).remaining).collect();
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
