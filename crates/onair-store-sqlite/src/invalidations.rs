//! Invalidations between processes sharing one SQLite file (the server, and the operator's
//! CLI revoking a key while it runs): each change appends its invalidation to
//! `invalidation_log` in its own transaction, and every subscriber polls for rows past the
//! last one it saw. Rows older than an hour are pruned as new ones are written.

use std::{collections::VecDeque, time::Duration};

use async_trait::async_trait;
use chrono::{TimeDelta, Utc};
use futures::StreamExt;
use onair_store::{Invalidation, InvalidationStream, StoreError, backend::InvalidationRows};
use sqlx::SqlitePool;

use crate::{SqliteStore, error::map, rows::time_text};

/// How often subscribers look for new rows: the longest a change takes to reach another
/// process. The query reads only rows past an index position, so polling often is cheap.
const POLL_EVERY: Duration = Duration::from_millis(100);
const KEEP_FOR: TimeDelta = TimeDelta::hours(1);

#[async_trait]
impl InvalidationRows for SqliteStore {
    /// Appends the invalidation inside the caller's transaction, so it is seen exactly when
    /// the change commits.
    async fn insert_invalidation(
        &self,
        tx: &mut Self::Tx,
        payload: &str,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        sqlx::query("DELETE FROM invalidation_log WHERE at < ?")
            .bind(time_text(now - KEEP_FOR))
            .execute(&mut **tx)
            .await
            .map_err(map)?;
        sqlx::query("INSERT INTO invalidation_log (payload, at) VALUES (?, ?)")
            .bind(payload)
            .bind(time_text(now))
            .execute(&mut **tx)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn subscribe(&self) -> Result<InvalidationStream, StoreError> {
        subscribe(self.pool.clone()).await
    }
}

struct Poller {
    pool: SqlitePool,
    last_seq: i64,
    ready: VecDeque<Invalidation>,
    failing: bool,
}

/// Invalidations written after this call, by this process or any other.
async fn subscribe(pool: SqlitePool) -> Result<InvalidationStream, StoreError> {
    let (last_seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM invalidation_log")
        .fetch_one(&pool)
        .await
        .map_err(map)?;
    let poller = Poller {
        pool,
        last_seq,
        ready: VecDeque::new(),
        failing: false,
    };
    Ok(futures::stream::unfold(poller, |mut p| async move {
        loop {
            if let Some(next) = p.ready.pop_front() {
                return Some((next, p));
            }
            tokio::time::sleep(POLL_EVERY).await;
            let rows: Result<Vec<(i64, String)>, _> = sqlx::query_as(
                "SELECT seq, payload FROM invalidation_log WHERE seq > ? ORDER BY seq",
            )
            .bind(p.last_seq)
            .fetch_all(&p.pool)
            .await;
            match rows {
                Ok(rows) => {
                    if std::mem::take(&mut p.failing) {
                        // Rows pruned while we could not read are lost: start afresh.
                        p.ready.push_back(Invalidation::Resync);
                    }
                    for (seq, payload) in rows {
                        p.last_seq = seq;
                        match Invalidation::from_json(&payload) {
                            Ok(inv) => p.ready.push_back(inv),
                            // A newer version may log kinds this one does not know.
                            Err(error) => {
                                tracing::warn!(%error, payload, "ignoring an unknown invalidation")
                            }
                        }
                    }
                }
                Err(error) => {
                    if !p.failing {
                        tracing::warn!(
                            error = map(error).report(),
                            "cannot read the invalidation log; retrying"
                        );
                    }
                    p.failing = true;
                }
            }
        }
    })
    .boxed())
}
