use std::time::{Duration, Instant};

use moka::Expiry;
use onair_core::SpaceState;

use super::{Cached, SpaceKey};
use crate::config::CacheConfig;

/// Live Spaces change by the second; scheduled ones rarely; ended and canceled ones never,
/// but are kept only briefly (X's terms ask that content not be kept once stale).
pub(super) struct StateAwareExpiry(pub CacheConfig);

impl StateAwareExpiry {
    fn ttl(&self, value: &Cached) -> Duration {
        match value {
            Cached::Missing => self.0.not_found_ttl,
            Cached::Found(space) => match space.state {
                SpaceState::Live => self.0.live_ttl,
                SpaceState::Scheduled => self.0.scheduled_ttl,
                SpaceState::Ended | SpaceState::Canceled => self.0.ended_ttl,
                SpaceState::Other(_) => self.0.live_ttl,
            },
        }
    }
}

impl Expiry<SpaceKey, Cached> for StateAwareExpiry {
    fn expire_after_create(&self, _: &SpaceKey, value: &Cached, _: Instant) -> Option<Duration> {
        Some(self.ttl(value))
    }

    fn expire_after_update(
        &self,
        _: &SpaceKey,
        value: &Cached,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(self.ttl(value))
    }
}
