//! How long a looked-up Space is served: fresh for its state's lifetime, then, for live and
//! scheduled Spaces only, a grace period in which it is served only when the network cannot
//! be asked (budget spent, network down).

use std::time::{Duration, Instant};

use moka::Expiry;
use onair_core::SpaceState;

use super::{Cached, Entry, SpaceKey};
use crate::config::CacheConfig;

/// The longest a stale Space is served past its lifetime, whatever that lifetime is.
pub(super) const MAX_STALE_GRACE: Duration = Duration::from_secs(300);

/// Live Spaces change by the second; scheduled ones rarely; ended and canceled ones never,
/// but are kept only briefly (X's terms ask that content not be kept once stale), and
/// never served past that. Nor is a not-found.
#[derive(Clone, Copy)]
pub(super) struct Lifetimes(pub CacheConfig);

impl Lifetimes {
    /// How long `cached` is fresh, and how much longer it may be served stale.
    fn of(&self, cached: &Cached) -> (Duration, Duration) {
        let c = &self.0;
        match cached {
            Cached::Missing => (c.not_found_ttl, Duration::ZERO),
            Cached::Found(space) => match space.state {
                SpaceState::Ended | SpaceState::Canceled => (c.ended_ttl, Duration::ZERO),
                SpaceState::Scheduled => (c.scheduled_ttl, c.scheduled_ttl.min(MAX_STALE_GRACE)),
                SpaceState::Live | SpaceState::Other(_) => {
                    (c.live_ttl, c.live_ttl.min(MAX_STALE_GRACE))
                }
            },
        }
    }

    /// A cache entry for what the network just answered.
    pub fn entry(&self, cached: Cached, now: Instant) -> Entry {
        let (fresh, grace) = self.of(&cached);
        let fresh_until = now + fresh;
        Entry {
            cached,
            fresh_until,
            stale_until: fresh_until + grace,
        }
    }
}

/// Entries leave the cache when they may no longer be served at all.
pub(super) struct UntilStale;

impl UntilStale {
    fn remaining(value: &Entry, now: Instant) -> Option<Duration> {
        Some(value.stale_until.saturating_duration_since(now))
    }
}

impl Expiry<SpaceKey, Entry> for UntilStale {
    fn expire_after_create(&self, _: &SpaceKey, value: &Entry, now: Instant) -> Option<Duration> {
        Self::remaining(value, now)
    }

    fn expire_after_update(
        &self,
        _: &SpaceKey,
        value: &Entry,
        now: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Self::remaining(value, now)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use onair_core::{NetworkId, Space};

    use super::*;

    fn config() -> CacheConfig {
        CacheConfig {
            live_ttl: Duration::from_secs(15),
            scheduled_ttl: Duration::from_secs(120),
            ended_ttl: Duration::from_secs(60),
            not_found_ttl: Duration::from_secs(10),
            max_entries: 10,
        }
    }

    fn found(state: SpaceState) -> Cached {
        Cached::Found(Arc::new(super::super::RenderedSpace::new(Space::new(
            NetworkId::from_static("x"),
            "1",
            state,
        ))))
    }

    #[test]
    fn lifetimes_follow_the_state_and_only_live_or_scheduled_go_stale() {
        let now = Instant::now();
        let l = Lifetimes(config());
        let spans = |cached| {
            let e = l.entry(cached, now);
            (e.fresh_until - now, e.stale_until - e.fresh_until)
        };
        let s = Duration::from_secs;
        assert_eq!(spans(found(SpaceState::Live)), (s(15), s(15)));
        assert_eq!(spans(found(SpaceState::Scheduled)), (s(120), s(120)));
        assert_eq!(spans(found(SpaceState::Ended)), (s(60), s(0)));
        assert_eq!(spans(found(SpaceState::Canceled)), (s(60), s(0)));
        assert_eq!(spans(Cached::Missing), (s(10), s(0)));
        let long = Lifetimes(CacheConfig {
            scheduled_ttl: s(3600),
            ..config()
        });
        let e = long.entry(found(SpaceState::Scheduled), now);
        assert_eq!(e.stale_until - e.fresh_until, MAX_STALE_GRACE);
    }

    #[test]
    fn entries_expire_when_they_can_no_longer_be_served() {
        let now = Instant::now();
        let e = Lifetimes(config()).entry(found(SpaceState::Live), now);
        assert_eq!(
            UntilStale::remaining(&e, now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            UntilStale::remaining(&e, now + Duration::from_secs(40)),
            Some(Duration::ZERO)
        );
    }
}
