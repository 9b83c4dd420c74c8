//! Spacing of calls per credential, for `by/creator_ids`, which X allows once a second.
//!
//! Calls with one credential take turns, in the order they asked (a fair lock), and a turn
//! starts no sooner than `interval` after the previous call *ended*. Measuring from the end
//! rather than the start is what makes the spacing hold where X counts it, on arrival:
//! X received the previous request before it answered, so the next one reaches X at least
//! `interval` later whatever the network's jitter. Callers wait their turn; none fails.
//! A caller dropped while it waits simply leaves the queue.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use tokio::time::Instant;

/// When the last call of a credential ended; `None` before its first call.
type Lane = Arc<AsyncMutex<Option<Instant>>>;

#[derive(Debug)]
pub(crate) struct Pacer {
    interval: Duration,
    lanes: Mutex<HashMap<String, Lane>>,
}

/// The right to make one call; the call's end is recorded when this is dropped.
#[derive(Debug)]
pub(crate) struct Turn {
    last_end: OwnedMutexGuard<Option<Instant>>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        *self.last_end = Some(Instant::now());
    }
}

impl Pacer {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            lanes: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until `credential` (a fingerprint) may make its next call; hold the turn until
    /// the call has its answer. `None` when no spacing is configured.
    pub async fn turn(&self, credential: &str) -> Option<Turn> {
        if self.interval.is_zero() {
            return None;
        }
        let lane = {
            let mut lanes = self.lanes.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            // Forget lanes nobody holds whose spacing has run out, so the map stays small.
            lanes.retain(|_, lane| {
                Arc::strong_count(lane) > 1
                    || lane.try_lock().map_or(true, |last| {
                        last.is_some_and(|end| end + self.interval > now)
                    })
            });
            lanes.entry(credential.to_owned()).or_default().clone()
        };
        let last_end = lane.lock_owned().await;
        if let Some(end) = *last_end {
            tokio::time::sleep_until(end + self.interval).await;
        }
        Some(Turn { last_end })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Makes `calls` concurrent calls of `duration` each; returns when each started.
    async fn starts(
        pacer: &Pacer,
        credential: &str,
        calls: usize,
        duration: Duration,
    ) -> Vec<Duration> {
        let origin = Instant::now();
        futures::future::join_all((0..calls).map(|_| async move {
            let _turn = pacer.turn(credential).await;
            let started = origin.elapsed();
            tokio::time::sleep(duration).await;
            started
        }))
        .await
    }

    #[tokio::test(start_paused = true)]
    async fn calls_of_one_credential_are_spaced_in_order() {
        let pacer = Pacer::new(Duration::from_secs(1));
        let got = starts(&pacer, "a", 4, Duration::ZERO).await;
        assert_eq!(got, [0, 1, 2, 3].map(Duration::from_secs).to_vec());
    }

    #[tokio::test(start_paused = true)]
    async fn spacing_counts_from_the_end_of_the_previous_call() {
        let pacer = Pacer::new(Duration::from_secs(1));
        let got = starts(&pacer, "a", 3, Duration::from_millis(500)).await;
        assert_eq!(got, [0, 1500, 3000].map(Duration::from_millis).to_vec());
    }

    #[tokio::test(start_paused = true)]
    async fn credentials_do_not_wait_for_each_other_and_idle_time_counts() {
        let pacer = Pacer::new(Duration::from_secs(1));
        let start = Instant::now();
        drop(pacer.turn("a").await);
        drop(pacer.turn("b").await);
        assert_eq!(start.elapsed(), Duration::ZERO);
        tokio::time::sleep(Duration::from_secs(5)).await;
        let before = Instant::now();
        drop(pacer.turn("a").await);
        assert_eq!(before.elapsed(), Duration::ZERO);
        // Both idle lanes were forgotten, and the one just used is kept.
        assert_eq!(pacer.lanes.lock().unwrap().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_caller_that_gives_up_leaves_the_queue() {
        let pacer = Pacer::new(Duration::from_secs(1));
        let first = pacer.turn("a").await;
        let gave_up = tokio::time::timeout(Duration::from_millis(100), pacer.turn("a")).await;
        assert!(gave_up.is_err());
        drop(first);
        let before = Instant::now();
        drop(pacer.turn("a").await);
        assert_eq!(before.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_zero_interval_never_waits() {
        let pacer = Pacer::new(Duration::ZERO);
        let start = Instant::now();
        for _ in 0..10 {
            assert!(pacer.turn("a").await.is_none());
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
