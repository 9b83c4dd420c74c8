//! What this process keeps in memory about stored objects (keys, profiles, credentials),
//! and how it forgets it: a write made here is applied to the local caches at once by the
//! service that made it (so the writer reads its own write), and every write, here or on
//! another instance, arrives again through the store's invalidation stream, which
//! [`follow`] applies until shutdown.

use std::time::Duration;

use futures::StreamExt;
use onair_store::{BoxedStore, Invalidation};

use crate::{auth::Authenticator, credentials::Credentials, tasks::Tasks};

/// The caches a write may make stale. A process without caches (the CLI) uses the default.
#[derive(Clone, Default)]
pub struct LocalCaches {
    auth: Option<Authenticator>,
    credentials: Option<Credentials>,
}

impl LocalCaches {
    pub fn new(auth: Authenticator, credentials: Credentials) -> Self {
        Self {
            auth: Some(auth),
            credentials: Some(credentials),
        }
    }

    pub async fn apply(&self, invalidation: &Invalidation) {
        if let Some(auth) = &self.auth {
            auth.apply(invalidation).await;
        }
        if let Some(credentials) = &self.credentials {
            credentials.apply(invalidation).await;
        }
    }
}

/// Follows the store's invalidations until shutdown, reconnecting with backoff.
pub async fn follow(store: BoxedStore, caches: LocalCaches, tasks: Tasks) {
    let mut backoff = Duration::from_millis(200);
    loop {
        let subscribed = tokio::select! {
            s = store.subscribe_invalidations() => s,
            () = tasks.cancelled() => return,
        };
        match subscribed {
            Ok(mut stream) => {
                backoff = Duration::from_millis(200);
                // Anything may have changed while we were not listening.
                caches.apply(&Invalidation::Resync).await;
                loop {
                    let next = tokio::select! {
                        next = stream.next() => next,
                        () = tasks.cancelled() => return,
                    };
                    match next {
                        Some(inv) => caches.apply(&inv).await,
                        None => break,
                    }
                }
                tracing::warn!("the invalidation stream ended; resubscribing");
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot subscribe to invalidations; retrying");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = tasks.cancelled() => return,
        }
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}
