//! Spacing of calls per credential, for `by/creator_ids`, which X allows once a second.
//!
//! Each caller reserves the next free slot under a lock and then sleeps until it, so calls
//! wait their turn in the order they asked instead of failing. A caller dropped while it
//! waits leaves its slot unused: later callers wait one interval longer than needed, which
//! is the safe side.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug)]
pub(crate) struct Pacer {
    interval: Duration,
    next_free: Mutex<HashMap<String, Instant>>,
}

impl Pacer {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            next_free: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until `credential` (a fingerprint) may make its next call.
    pub async fn wait_turn(&self, credential: &str) {
        if self.interval.is_zero() {
            return;
        }
        let slot = {
            let mut next_free = self
                .next_free
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            // Slots in the past are spent; forget them so the map stays small.
            next_free.retain(|_, at| *at > now);
            let slot = next_free.get(credential).copied().unwrap_or(now).max(now);
            next_free.insert(credential.to_owned(), slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn calls_of_one_credential_are_spaced() {
        let pacer = Pacer::new(Duration::from_secs(1));
        let start = Instant::now();
        let waits = futures::future::join_all((0..4).map(|_| async {
            pacer.wait_turn("a").await;
            start.elapsed()
        }))
        .await;
        assert_eq!(
            waits,
            [0, 1, 2, 3].map(Duration::from_secs).to_vec(),
            "each call waits one more interval"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn credentials_do_not_wait_for_each_other_and_idle_time_counts() {
        let pacer = Pacer::new(Duration::from_secs(1));
        let start = Instant::now();
        pacer.wait_turn("a").await;
        pacer.wait_turn("b").await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        tokio::time::sleep(Duration::from_secs(5)).await;
        let before = Instant::now();
        pacer.wait_turn("a").await;
        assert_eq!(before.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_zero_interval_never_waits() {
        let pacer = Pacer::new(Duration::ZERO);
        let start = Instant::now();
        for _ in 0..10 {
            pacer.wait_turn("a").await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
