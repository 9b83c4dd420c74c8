//! A small network for these tests: it needs credentials, answers every id with a live
//! Space, records which credential each call carried, and can hold its calls until
//! released.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use onair_core::{
    CallContext, LiveAudioProvider, LookupOutcome, NetworkId, NetworkStatus, ProviderError, Space,
    SpaceLookup, SpaceState,
};
use tokio::sync::Semaphore;

pub struct Gated {
    id: NetworkId,
    /// Each call takes a permit; none are given until the test releases them.
    permits: Semaphore,
    pub calls: Mutex<Vec<(Vec<String>, Option<String>)>>,
}

impl Gated {
    pub fn open() -> Arc<Self> {
        Self::with_permits(Semaphore::MAX_PERMITS)
    }

    pub fn closed() -> Arc<Self> {
        Self::with_permits(0)
    }

    fn with_permits(n: usize) -> Arc<Self> {
        Arc::new(Self {
            id: NetworkId::from_static("gated"),
            permits: Semaphore::new(n),
            calls: Mutex::new(Vec::new()),
        })
    }

    pub fn release(&self) {
        self.permits.add_permits(Semaphore::MAX_PERMITS / 2);
    }

    pub fn credentials_used(&self) -> Vec<Option<String>> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .map(|(_, c)| c.clone())
            .collect()
    }
}

#[async_trait]
impl LiveAudioProvider for Gated {
    fn id(&self) -> &NetworkId {
        &self.id
    }

    fn display_name(&self) -> &str {
        "Gated"
    }

    fn needs_credentials(&self) -> bool {
        true
    }

    fn lookups(&self) -> Option<&dyn SpaceLookup> {
        Some(self)
    }

    fn status(&self) -> NetworkStatus {
        NetworkStatus::available()
    }

    fn validate_space_id(&self, _: &str) -> Result<(), String> {
        Ok(())
    }

    fn validate_user_id(&self, _: &str) -> Result<(), String> {
        Ok(())
    }
}

#[async_trait]
impl SpaceLookup for Gated {
    fn max_batch(&self) -> usize {
        100
    }

    async fn lookup(&self, ctx: &CallContext, id: &str) -> Result<Space, ProviderError> {
        let mut all = self.lookup_many(ctx, &[id.to_owned()]).await?;
        all.pop()
            .unwrap_or_else(|| Err(ProviderError::NotFound { id: id.to_owned() }))
    }

    async fn lookup_many(
        &self,
        ctx: &CallContext,
        ids: &[String],
    ) -> Result<Vec<LookupOutcome>, ProviderError> {
        let _permit = self.permits.acquire().await.unwrap();
        self.calls.lock().unwrap().push((
            ids.to_vec(),
            ctx.credential.as_ref().map(|c| c.expose().to_owned()),
        ));
        Ok(ids
            .iter()
            .map(|id| Ok(Space::new(self.id.clone(), id, SpaceState::Live)))
            .collect())
    }
}
