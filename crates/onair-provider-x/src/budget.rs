//! X's rate-limit budgets, per credential × endpoint, and the rule that keeps onair from
//! driving X into 429 by itself.
//!
//! - Every response carrying `x-rate-limit-remaining` and `x-rate-limit-reset` updates its
//!   bucket. A response without them (X omits them on 401) changes nothing: a missing header
//!   is never read as "exhausted".
//! - Before a call, calls already in flight are subtracted from `remaining`; when nothing is
//!   left and the reset is still ahead, the call is refused with `RateLimitScope::Budget`
//!   instead of being sent. A burst of concurrent calls therefore cannot overshoot.
//! - A bucket never heard of lets one call through at a time (a probe); the others wait for
//!   its answer, which tells the budget. Once a window's reset has passed, the next window
//!   is taken to start full (`limit` calls, in flight included), as X's windows do. So even
//!   the first burst after a start or a reset cannot overshoot.
//! - An upstream 429 holds the bucket until its reset. One exception:
//!   a 429 from `by/creator_ids` while its window still has budget is X's one-a-second
//!   limit (another instance or another token of the same app got there first), so it holds
//!   the bucket for a second, not for the window.
//! - A usage cap (X's daily or monthly account cap) holds every endpoint of that credential,
//!   and one call is let through every [`USAGE_CAP_PROBE`] to see whether it lifted.
//!
//! Times are passed in, so the rules are tested without waiting for real windows.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use onair_core::{ProviderError, RateLimitScope, RateLimitSnapshot};
use reqwest::header::HeaderMap;

use crate::endpoint::Endpoint;

/// How long a usage-capped credential waits before one call probes whether the cap lifted.
pub(crate) const USAGE_CAP_PROBE: TimeDelta = TimeDelta::seconds(60);

/// How long a 429 without `x-rate-limit-reset` holds its bucket.
const HOLD_WITHOUT_RESET: TimeDelta = TimeDelta::seconds(60);

/// The shortest hold after a 429, for a reset that is already past by our clock (skew),
/// and the hold after `by/creator_ids`' one-a-second limit.
const MIN_HOLD: TimeDelta = TimeDelta::seconds(1);

/// How often a call waiting for a probe's answer looks again, whatever happened meanwhile.
const RECHECK: Duration = Duration::from_millis(500);

/// `x-rate-limit-reset`: the absolute Unix second at which the window refills.
pub(crate) fn reset_at(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(header(headers, "x-rate-limit-reset")?, 0)
}

fn header<T: FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// What one response said about its bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Observed {
    pub limit: Option<u32>,
    pub remaining: u32,
    pub reset_at: DateTime<Utc>,
}

impl Observed {
    /// `None` unless both `remaining` and a readable `reset` are present.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        Some(Self {
            limit: header(headers, "x-rate-limit-limit"),
            remaining: header(headers, "x-rate-limit-remaining")?,
            reset_at: reset_at(headers)?,
        })
    }
}

type Key = (String, Endpoint);

#[derive(Debug, Default)]
struct Bucket {
    limit: Option<u32>,
    remaining: Option<u32>,
    reset_at: Option<DateTime<Utc>>,
    /// After an upstream 429: no call before this, whatever the headers said.
    held_until: Option<DateTime<Utc>>,
    in_flight: u32,
}

impl Bucket {
    fn seen(&self) -> bool {
        self.remaining.is_some()
    }

    /// Whether one more call may be sent now.
    fn admission(&self, now: DateTime<Utc>) -> Admission {
        if let Some(held) = self.held_until.filter(|h| *h > now) {
            return Admission::Spent(held);
        }
        if let (Some(reset), Some(remaining)) = (self.reset_at.filter(|r| *r > now), self.remaining)
        {
            return if i64::from(remaining) - i64::from(self.in_flight) <= 0 {
                Admission::Spent(reset)
            } else {
                Admission::Send
            };
        }
        // No current window is known: a new one starts full if its size is known, else
        // one probe asks. A window of no calls (`x-rate-limit-limit: 0`) cannot be right
        // and would hold every call forever: it is probed like an unknown one.
        let room = self.limit.unwrap_or(1).max(1);
        if self.in_flight < room {
            Admission::Send
        } else {
            Admission::Wait
        }
    }

    fn record(&mut self, seen: Observed) {
        match self.reset_at {
            // A new window: it replaces the old one.
            None => self.replace(seen),
            Some(current) if seen.reset_at > current => self.replace(seen),
            // The same window, answers arriving out of order: the budget only shrinks.
            Some(current) if seen.reset_at == current => {
                self.remaining = Some(
                    self.remaining
                        .map_or(seen.remaining, |r| r.min(seen.remaining)),
                );
                self.limit = seen.limit.or(self.limit);
            }
            // An answer from a window already replaced.
            Some(_) => {}
        }
    }

    fn replace(&mut self, seen: Observed) {
        self.limit = seen.limit.or(self.limit);
        self.remaining = Some(seen.remaining);
        self.reset_at = Some(seen.reset_at);
    }

    fn hold_until(&mut self, until: DateTime<Utc>) {
        self.held_until = Some(self.held_until.map_or(until, |h| h.max(until)));
    }
}

enum Admission {
    Send,
    /// Spent until then.
    Spent(DateTime<Utc>),
    /// Too many calls in flight before anyone knows the budget: wait for an answer.
    Wait,
}

/// Why [`Budgets::try_acquire`] gave no permit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Denied {
    /// Refused: the call must not be sent (budget spent, usage cap).
    Refused(ProviderError),
    /// Not yet: an answer in flight will tell the budget.
    Wait,
}

#[derive(Debug, Default)]
struct State {
    buckets: HashMap<Key, Bucket>,
    /// Usage-capped credentials and when one call may probe again.
    capped: HashMap<String, DateTime<Utc>>,
}

#[derive(Debug, Default)]
pub(crate) struct Budgets {
    state: Mutex<State>,
    /// Woken whenever a call ends, for the calls waiting on a probe.
    answered: tokio::sync::Notify,
}

impl Budgets {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent across a panic elsewhere: every update is one step.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A permit to call `endpoint` with `credential` (a fingerprint), waiting while a probe
    /// finds out the budget, or the refusal to send.
    pub async fn acquire(
        &self,
        credential: &str,
        endpoint: Endpoint,
    ) -> Result<Permit<'_>, ProviderError> {
        loop {
            // Made before looking, so no answer between the look and the wait is missed.
            let answered = self.answered.notified();
            match self.try_acquire(credential, endpoint, Utc::now()) {
                Ok(permit) => return Ok(permit),
                Err(Denied::Refused(e)) => return Err(e),
                Err(Denied::Wait) => {
                    let _ = tokio::time::timeout(RECHECK, answered).await;
                }
            }
        }
    }

    /// A permit to call `endpoint` with `credential` (a fingerprint) now, or why not.
    pub fn try_acquire(
        &self,
        credential: &str,
        endpoint: Endpoint,
        now: DateTime<Utc>,
    ) -> Result<Permit<'_>, Denied> {
        let mut state = self.lock();
        let key = (credential.to_owned(), endpoint);
        match state.buckets.entry(key.clone()).or_default().admission(now) {
            Admission::Send => {}
            Admission::Wait => return Err(Denied::Wait),
            Admission::Spent(reset_at) => {
                return Err(Denied::Refused(ProviderError::RateLimited {
                    scope: RateLimitScope::Budget,
                    reset_at: Some(reset_at),
                }));
            }
        }
        if let Some(probe_at) = state.capped.get_mut(credential) {
            if *probe_at > now {
                return Err(Denied::Refused(ProviderError::RateLimited {
                    scope: RateLimitScope::UsageCap,
                    reset_at: None,
                }));
            }
            // This call is the probe; the next waits for its answer or another interval.
            *probe_at = now + USAGE_CAP_PROBE;
        }
        if let Some(bucket) = state.buckets.get_mut(&key) {
            bucket.in_flight += 1;
        }
        Ok(Permit {
            budgets: self,
            key: Some(key),
        })
    }

    /// The budgets last seen, ordered by credential then endpoint.
    pub fn snapshots(&self) -> Vec<RateLimitSnapshot> {
        let state = self.lock();
        let mut seen: Vec<(&Key, &Bucket)> =
            state.buckets.iter().filter(|(_, b)| b.seen()).collect();
        seen.sort_by(|a, b| a.0.cmp(b.0));
        seen.into_iter()
            .map(|((credential, endpoint), b)| RateLimitSnapshot {
                endpoint: endpoint.as_str().to_owned(),
                credential: credential.clone(),
                limit: b.limit,
                remaining: b.remaining,
                reset_at: b.reset_at,
            })
            .collect()
    }
}

/// One call counted in flight against its bucket until it is finished or dropped.
#[must_use = "a permit counts a call in flight until it is finished"]
pub(crate) struct Permit<'a> {
    budgets: &'a Budgets,
    key: Option<Key>,
}

impl Permit<'_> {
    /// Records what X answered: its rate-limit headers (if it answered at all) and how the
    /// call failed (if it did).
    pub fn finish(
        mut self,
        headers: Option<&HeaderMap>,
        error: Option<&ProviderError>,
        now: DateTime<Utc>,
    ) {
        let Some(key) = self.key.take() else { return };
        let mut state = self.budgets.lock();
        let observed = headers.and_then(Observed::from_headers);
        match error {
            Some(ProviderError::RateLimited {
                scope: RateLimitScope::UsageCap,
                ..
            }) => {
                state.capped.insert(key.0.clone(), now + USAGE_CAP_PROBE);
            }
            // Any answer other than a usage cap means the cap (if there was one) has lifted.
            _ if headers.is_some() => {
                state.capped.remove(&key.0);
            }
            _ => {}
        }
        let endpoint = key.1;
        let bucket = state.buckets.entry(key).or_default();
        bucket.in_flight = bucket.in_flight.saturating_sub(1);
        if let Some(seen) = observed {
            bucket.record(seen);
        }
        if let Some(ProviderError::RateLimited {
            scope: RateLimitScope::Window,
            reset_at,
        }) = error
        {
            let per_second = endpoint == Endpoint::SpacesByCreatorIds
                && observed.is_some_and(|seen| seen.remaining > 0);
            let until = if per_second {
                now + MIN_HOLD
            } else {
                reset_at
                    .unwrap_or(now + HOLD_WITHOUT_RESET)
                    .max(now + MIN_HOLD)
            };
            bucket.hold_until(until);
        }
        drop(state);
        self.budgets.answered.notify_waiters();
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        // A call abandoned mid-way (its future dropped) is no longer in flight.
        if let Some(key) = self.key.take() {
            let mut state = self.budgets.lock();
            if let Some(bucket) = state.buckets.get_mut(&key) {
                bucket.in_flight = bucket.in_flight.saturating_sub(1);
            }
            drop(state);
            self.budgets.answered.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use reqwest::header::HeaderValue;

    const FP: &str = "0123456789abcdef";
    const OTHER: &str = "fedcba9876543210";

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
    }

    fn headers(limit: u32, remaining: u32, reset: DateTime<Utc>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-limit", limit.into());
        h.insert("x-rate-limit-remaining", remaining.into());
        h.insert("x-rate-limit-reset", reset.timestamp().into());
        h
    }

    fn spent(e: Denied) -> Option<DateTime<Utc>> {
        match e {
            Denied::Refused(ProviderError::RateLimited {
                scope: RateLimitScope::Budget,
                reset_at,
            }) => reset_at,
            other => panic!("expected a budget refusal, got {other:?}"),
        }
    }

    #[test]
    fn an_unknown_budget_is_probed_by_one_call_at_a_time() {
        let b = Budgets::default();
        let probe = b.try_acquire(FP, Endpoint::SpacesByIds, t(0)).unwrap();
        for _ in 0..5 {
            assert_eq!(
                b.try_acquire(FP, Endpoint::SpacesByIds, t(0)).err(),
                Some(Denied::Wait)
            );
        }
        // Another endpoint or credential has its own probe.
        assert!(b.try_acquire(FP, Endpoint::SpaceById, t(0)).is_ok());
        assert!(b.try_acquire(OTHER, Endpoint::SpacesByIds, t(0)).is_ok());
        assert!(b.snapshots().is_empty());
        probe.finish(Some(&headers(300, 40, t(600))), None, t(0));
        let permits: Vec<_> = (0..50)
            .filter_map(|_| b.try_acquire(FP, Endpoint::SpacesByIds, t(1)).ok())
            .collect();
        assert_eq!(permits.len(), 40);
    }

    #[test]
    fn a_window_of_no_calls_is_probed_once_it_resets() {
        // Found by fuzzing: after `x-rate-limit-limit: 0`, every later call waited forever.
        let b = Budgets::default();
        b.try_acquire(FP, Endpoint::SpacesByIds, t(0))
            .unwrap()
            .finish(Some(&headers(0, 5, t(600))), None, t(0));
        let probe = b.try_acquire(FP, Endpoint::SpacesByIds, t(601)).unwrap();
        assert_eq!(
            b.try_acquire(FP, Endpoint::SpacesByIds, t(601)).err(),
            Some(Denied::Wait)
        );
        drop(probe);
        assert!(b.try_acquire(FP, Endpoint::SpacesByIds, t(602)).is_ok());
    }

    #[test]
    fn a_dropped_probe_lets_the_next_call_probe() {
        let b = Budgets::default();
        let probe = b.try_acquire(FP, Endpoint::SpacesSearch, t(0)).unwrap();
        assert!(b.try_acquire(FP, Endpoint::SpacesSearch, t(0)).is_err());
        drop(probe);
        assert!(b.try_acquire(FP, Endpoint::SpacesSearch, t(0)).is_ok());
    }

    #[tokio::test]
    async fn waiting_calls_go_when_the_probe_answers() {
        let b = std::sync::Arc::new(Budgets::default());
        let probe = b
            .try_acquire(FP, Endpoint::SpacesSearch, Utc::now())
            .unwrap();
        let waiting = {
            let b = b.clone();
            tokio::spawn(async move {
                let permit = b.acquire(FP, Endpoint::SpacesSearch).await;
                permit.map(drop).is_ok()
            })
        };
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        let later = Utc::now() + TimeDelta::seconds(600);
        probe.finish(Some(&headers(300, 10, later)), None, Utc::now());
        assert!(waiting.await.unwrap());
        // Spent: no wait, a refusal.
        b.try_acquire(FP, Endpoint::SpacesSearch, Utc::now())
            .unwrap()
            .finish(Some(&headers(300, 0, later)), None, Utc::now());
        assert!(matches!(
            b.acquire(FP, Endpoint::SpacesSearch).await.err(),
            Some(ProviderError::RateLimited {
                scope: RateLimitScope::Budget,
                ..
            })
        ));
    }

    #[test]
    fn in_flight_calls_count_against_remaining() {
        let b = Budgets::default();
        b.try_acquire(FP, Endpoint::SpacesSearch, t(0))
            .unwrap()
            .finish(Some(&headers(300, 3, t(600))), None, t(0));
        let burst: Vec<_> = (0..10)
            .map(|_| b.try_acquire(FP, Endpoint::SpacesSearch, t(1)))
            .collect();
        let sent = burst.iter().filter(|r| r.is_ok()).count();
        assert_eq!(sent, 3);
        for refused in burst.into_iter().filter_map(Result::err) {
            assert_eq!(spent(refused), Some(t(600)));
        }
        // Other endpoints and other credentials have their own buckets.
        assert!(b.try_acquire(FP, Endpoint::SpaceById, t(1)).is_ok());
        assert!(b.try_acquire(OTHER, Endpoint::SpacesSearch, t(1)).is_ok());
    }

    #[test]
    fn finished_and_dropped_permits_free_their_slot() {
        let b = Budgets::default();
        b.try_acquire(FP, Endpoint::SpaceById, t(0))
            .unwrap()
            .finish(Some(&headers(300, 2, t(600))), None, t(0));
        let first = b.try_acquire(FP, Endpoint::SpaceById, t(1)).unwrap();
        let second = b.try_acquire(FP, Endpoint::SpaceById, t(1)).unwrap();
        assert!(b.try_acquire(FP, Endpoint::SpaceById, t(1)).is_err());
        drop(second);
        let third = b.try_acquire(FP, Endpoint::SpaceById, t(1)).unwrap();
        // X reports 1 left after `first`: with `third` still in flight, nothing is left.
        first.finish(Some(&headers(300, 1, t(600))), None, t(2));
        assert!(b.try_acquire(FP, Endpoint::SpaceById, t(2)).is_err());
        third.finish(Some(&headers(300, 0, t(600))), None, t(2));
        assert_eq!(
            spent(b.try_acquire(FP, Endpoint::SpaceById, t(3)).err().unwrap()),
            Some(t(600))
        );
    }

    #[test]
    fn a_new_window_starts_full() {
        let b = Budgets::default();
        b.try_acquire(FP, Endpoint::SpaceById, t(0))
            .unwrap()
            .finish(Some(&headers(3, 0, t(10))), None, t(0));
        assert!(b.try_acquire(FP, Endpoint::SpaceById, t(9)).is_err());
        let permits: Vec<_> = (0..5)
            .filter_map(|_| b.try_acquire(FP, Endpoint::SpaceById, t(10)).ok())
            .collect();
        assert_eq!(permits.len(), 3, "the window's size, in flight included");
        assert_eq!(
            b.try_acquire(FP, Endpoint::SpaceById, t(10)).err(),
            Some(Denied::Wait)
        );
    }

    #[test]
    fn answers_without_headers_change_nothing() {
        let b = Budgets::default();
        let unauthorized = ProviderError::Unauthorized {
            detail: "no".into(),
        };
        b.try_acquire(FP, Endpoint::SpaceById, t(0))
            .unwrap()
            .finish(Some(&HeaderMap::new()), Some(&unauthorized), t(0));
        assert!(b.snapshots().is_empty());
        b.try_acquire(FP, Endpoint::SpaceById, t(0))
            .unwrap()
            .finish(Some(&headers(300, 5, t(600))), None, t(0));
        b.try_acquire(FP, Endpoint::SpaceById, t(1))
            .unwrap()
            .finish(Some(&HeaderMap::new()), Some(&unauthorized), t(1));
        assert_eq!(b.snapshots()[0].remaining, Some(5));
        assert!(b.try_acquire(FP, Endpoint::SpaceById, t(1)).is_ok());
    }

    #[test]
    fn late_answers_from_the_same_window_never_raise_the_budget() {
        let b = Budgets::default();
        for remaining in [5, 9, 2] {
            b.try_acquire(FP, Endpoint::SpacesByIds, t(0))
                .unwrap()
                .finish(Some(&headers(300, remaining, t(600))), None, t(0));
        }
        assert_eq!(b.snapshots()[0].remaining, Some(2));
        // An answer from an older window is ignored; a newer window replaces.
        b.try_acquire(FP, Endpoint::SpacesByIds, t(1))
            .unwrap()
            .finish(Some(&headers(300, 299, t(300))), None, t(1));
        assert_eq!(b.snapshots()[0].remaining, Some(2));
        b.try_acquire(FP, Endpoint::SpacesByIds, t(1))
            .unwrap()
            .finish(Some(&headers(300, 299, t(1500))), None, t(1));
        let snap = &b.snapshots()[0];
        assert_eq!(
            (snap.remaining, snap.reset_at, snap.limit),
            (Some(299), Some(t(1500)), Some(300))
        );
        assert_eq!(snap.endpoint, "/2/spaces");
        assert_eq!(snap.credential, FP);
    }

    #[test]
    fn an_upstream_429_holds_the_bucket_until_its_reset() {
        let b = Budgets::default();
        let limited = ProviderError::RateLimited {
            scope: RateLimitScope::Window,
            reset_at: Some(t(30)),
        };
        // Headers still said 7 left (another instance spent them): the 429 wins.
        b.try_acquire(FP, Endpoint::SpacesSearch, t(0))
            .unwrap()
            .finish(Some(&headers(300, 7, t(30))), Some(&limited), t(0));
        assert_eq!(
            spent(
                b.try_acquire(FP, Endpoint::SpacesSearch, t(29))
                    .err()
                    .unwrap()
            ),
            Some(t(30))
        );
        assert!(b.try_acquire(FP, Endpoint::SpacesSearch, t(30)).is_ok());
    }

    #[test]
    fn a_per_second_429_of_creator_lookups_holds_for_a_second() {
        let b = Budgets::default();
        let limited = ProviderError::RateLimited {
            scope: RateLimitScope::Window,
            reset_at: Some(t(900)),
        };
        b.try_acquire(FP, Endpoint::SpacesByCreatorIds, t(0))
            .unwrap()
            .finish(Some(&headers(300, 250, t(900))), Some(&limited), t(0));
        assert_eq!(
            spent(
                b.try_acquire(FP, Endpoint::SpacesByCreatorIds, t(0))
                    .err()
                    .unwrap()
            ),
            Some(t(1))
        );
        assert!(
            b.try_acquire(FP, Endpoint::SpacesByCreatorIds, t(1))
                .is_ok()
        );
        // Spent: the window holds, as on every endpoint.
        b.try_acquire(FP, Endpoint::SpacesByCreatorIds, t(2))
            .unwrap()
            .finish(Some(&headers(300, 0, t(900))), Some(&limited), t(2));
        assert!(
            b.try_acquire(FP, Endpoint::SpacesByCreatorIds, t(899))
                .is_err()
        );
    }

    #[test]
    fn a_429_without_a_reset_holds_for_a_while() {
        let b = Budgets::default();
        let limited = ProviderError::RateLimited {
            scope: RateLimitScope::Window,
            reset_at: None,
        };
        b.try_acquire(FP, Endpoint::SpaceById, t(0))
            .unwrap()
            .finish(Some(&HeaderMap::new()), Some(&limited), t(0));
        assert_eq!(
            spent(b.try_acquire(FP, Endpoint::SpaceById, t(59)).err().unwrap()),
            Some(t(60))
        );
        assert!(b.try_acquire(FP, Endpoint::SpaceById, t(60)).is_ok());
    }

    #[test]
    fn a_usage_cap_holds_the_credential_and_probes() {
        let b = Budgets::default();
        let capped = ProviderError::RateLimited {
            scope: RateLimitScope::UsageCap,
            reset_at: None,
        };
        b.try_acquire(FP, Endpoint::SpacesSearch, t(0))
            .unwrap()
            .finish(Some(&HeaderMap::new()), Some(&capped), t(0));
        for endpoint in [Endpoint::SpaceById, Endpoint::SpacesByCreatorIds] {
            assert_eq!(
                b.try_acquire(FP, endpoint, t(10)).err(),
                Some(Denied::Refused(capped.clone()))
            );
        }
        assert!(b.try_acquire(OTHER, Endpoint::SpaceById, t(10)).is_ok());
        // One probe after the interval; others wait for its answer.
        let probe = b.try_acquire(FP, Endpoint::SpaceById, t(60)).unwrap();
        assert!(b.try_acquire(FP, Endpoint::SpaceById, t(61)).is_err());
        probe.finish(Some(&headers(300, 100, t(600))), None, t(61));
        assert!(b.try_acquire(FP, Endpoint::SpacesSearch, t(61)).is_ok());
    }

    #[test]
    fn unreadable_headers_are_ignored() {
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-remaining", HeaderValue::from_static("-1"));
        h.insert("x-rate-limit-reset", HeaderValue::from_static("soon"));
        assert_eq!(Observed::from_headers(&h), None);
        h.insert("x-rate-limit-remaining", HeaderValue::from_static(" 12 "));
        h.insert("x-rate-limit-reset", HeaderValue::from_static("1633364979"));
        assert_eq!(
            Observed::from_headers(&h),
            Some(Observed {
                limit: None,
                remaining: 12,
                reset_at: Utc.timestamp_opt(1_633_364_979, 0).unwrap()
            })
        );
        h.insert(
            "x-rate-limit-reset",
            HeaderValue::from_static("99999999999999999"),
        );
        assert_eq!(reset_at(&h), None);
    }

    proptest! {
        #[test]
        fn no_sequence_of_answers_lets_a_burst_overshoot(
            answers in proptest::collection::vec((0u32..20, 0i64..120), 1..20),
            burst in 1usize..40,
        ) {
            let b = Budgets::default();
            for (remaining, reset) in &answers {
                b.try_acquire(FP, Endpoint::SpacesByIds, t(0))
                    .map(|p| p.finish(Some(&headers(300, *remaining, t(*reset))), None, t(0)))
                    .ok();
            }
            let snap = b.snapshots();
            let known = snap.first().filter(|s| s.reset_at.unwrap() > t(0)).and_then(|s| s.remaining);
            let permits: Vec<_> = (0..burst)
                .filter_map(|_| b.try_acquire(FP, Endpoint::SpacesByIds, t(0)).ok())
                .collect();
            match known {
                Some(remaining) => prop_assert_eq!(permits.len(), burst.min(remaining as usize)),
                None => prop_assert_eq!(permits.len(), burst),
            }
        }
    }
}
