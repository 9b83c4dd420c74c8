//! Invalidations over `LISTEN/NOTIFY`: every change that must reach other instances at once
//! sends a small JSON payload on one channel, inside the transaction that made the change,
//! so it is delivered exactly when (and only if) the change commits.

use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use onair_store::{Invalidation, InvalidationStream, StoreError, backend::InvalidationRows};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};

use crate::{PostgresStore, error::map};

/// The channel every instance listens on.
pub const CHANNEL: &str = "onair_invalidations";

/// How long to wait for the listener's connection; the same short bound as the store's pool.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const FIRST_RETRY: Duration = Duration::from_millis(200);
const LAST_RETRY: Duration = Duration::from_secs(5);

#[async_trait]
impl InvalidationRows for PostgresStore {
    /// Queues the invalidation on the channel (NOTIFY payloads are limited to 8000 bytes;
    /// these are tiny); Postgres delivers it when the transaction commits.
    async fn insert_invalidation(
        &self,
        tx: &mut Self::Tx,
        payload: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(payload)
            .execute(&mut **tx)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn subscribe(&self) -> Result<InvalidationStream, StoreError> {
        subscribe(self.options.clone()).await
    }
}

/// A listener on its own connection (a pool of one, which `PgListener` reconnects through).
async fn listen(options: &PgConnectOptions) -> Result<PgListener, StoreError> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(CONNECT_TIMEOUT)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_lazy_with(options.clone());
    let mut listener = PgListener::connect_with(&pool).await.map_err(map)?;
    listener.listen(CHANNEL).await.map_err(map)?;
    Ok(listener)
}

/// Subscribes now (so nothing committed after this returns is missed) and yields
/// invalidations for as long as the stream is kept. When the connection drops, the stream
/// reconnects with backoff and yields [`Invalidation::Resync`] once it listens again:
/// whatever was sent in between is lost, so everything cached may be stale.
async fn subscribe(options: PgConnectOptions) -> Result<InvalidationStream, StoreError> {
    let listener = listen(&options).await?;
    let state = Subscription {
        options,
        listener: Some(listener),
        retry: FIRST_RETRY,
    };
    Ok(futures::stream::unfold(state, |mut state| async move {
        let next = state.next().await;
        Some((next, state))
    })
    .boxed())
}

struct Subscription {
    options: PgConnectOptions,
    listener: Option<PgListener>,
    retry: Duration,
}

impl Subscription {
    async fn next(&mut self) -> Invalidation {
        loop {
            let Some(listener) = self.listener.as_mut() else {
                tokio::time::sleep(self.retry).await;
                match listen(&self.options).await {
                    Ok(listener) => {
                        self.listener = Some(listener);
                        self.retry = FIRST_RETRY;
                        return Invalidation::Resync;
                    }
                    Err(error) => {
                        tracing::warn!(
                            error = error.report(),
                            "cannot listen for invalidations yet"
                        );
                        self.retry = (self.retry * 2).min(LAST_RETRY);
                        continue;
                    }
                }
            };
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    match Invalidation::from_json(notification.payload()) {
                        Ok(invalidation) => return invalidation,
                        // A newer instance may send kinds this one does not know.
                        Err(error) => {
                            tracing::warn!(%error, payload = notification.payload(), "ignoring an unknown invalidation");
                        }
                    }
                }
                // The connection dropped and the listener has already reconnected.
                Ok(None) => {
                    tracing::warn!("the invalidation listener reconnected");
                    return Invalidation::Resync;
                }
                Err(error) => {
                    tracing::warn!(%error, "lost the invalidation listener");
                    self.listener = None;
                }
            }
        }
    }
}
