use async_trait::async_trait;
use futures::stream::BoxStream;

use crate::{Invalidation, StoreError, store::Transactions};

pub type InvalidationStream = BoxStream<'static, Invalidation>;

/// Change notifications: what other instances must hear of at once, to drop what they cached.
/// The resources publish them inside the transaction of the change, so an invalidation is
/// seen exactly when (and only if) its change commits.
#[async_trait]
pub trait Invalidations: Send + Sync {
    /// Invalidations published by any instance sharing this database (this one included).
    /// A backend without cross-instance notification (SQLite: one instance per file) returns
    /// a stream of this process's own invalidations.
    async fn subscribe_invalidations(&self) -> Result<InvalidationStream, StoreError>;
}

/// How a backend carries invalidations between processes (Postgres `NOTIFY`, SQLite's
/// polled log).
#[async_trait]
pub trait InvalidationRows: Transactions {
    /// Sends `payload` ([`Invalidation::to_json`]) when `tx` commits.
    async fn insert_invalidation(&self, tx: &mut Self::Tx, payload: &str)
    -> Result<(), StoreError>;
    async fn subscribe(&self) -> Result<InvalidationStream, StoreError>;
}

#[async_trait]
impl<S: InvalidationRows> Invalidations for S {
    async fn subscribe_invalidations(&self) -> Result<InvalidationStream, StoreError> {
        self.subscribe().await
    }
}

/// Publishes `invalidation` inside `tx`; [`Invalidation::Resync`] is local and sends nothing.
pub(crate) async fn publish<S: InvalidationRows + ?Sized>(
    store: &S,
    tx: &mut S::Tx,
    invalidation: &Invalidation,
) -> Result<(), StoreError> {
    match invalidation.to_json() {
        Some(payload) => store.insert_invalidation(tx, &payload).await,
        None => Ok(()),
    }
}
