//! The upstream-frugal Spaces service: every Space lookup goes through one cache with
//! state-aware lifetimes; identical concurrent lookups share one fetch (coalescing); and
//! concurrent fetches for one network and credential are sent together as batch calls
//! (batching). Searches and by-creator listings are coalesced and briefly cached too, and
//! the Spaces they return warm the lookup cache.

mod batcher;
mod expiry;

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    sync::Arc,
    time::Duration,
};

use futures::future::join_all;
use moka::future::Cache;
use onair_core::{
    CallContext, LiveAudioProvider, NetworkId, ProviderError, ProviderRegistry, QualifiedId,
    ResolvedId, SearchQuery, Space,
};

use self::{batcher::Batchers, expiry::StateAwareExpiry};
use crate::{config::ApiConfig, metrics};

/// Who may be served a cached answer: the network's public view (`None`) or one
/// credential's private view.
type Partition = Option<Arc<str>>;

#[derive(Clone, PartialEq, Eq, Hash)]
struct SpaceKey {
    partition: Partition,
    id: QualifiedId,
}

/// A cached lookup: the Space, or the network's word that it has none.
#[derive(Clone)]
pub(crate) enum Cached {
    Found(Arc<Space>),
    Missing,
}

#[derive(Clone, PartialEq, Eq)]
enum QueryKind {
    ByCreators(Vec<String>),
    Search(SearchQuery),
}

#[derive(Clone, PartialEq, Eq)]
struct QueryKey {
    partition: Partition,
    credential: Option<Arc<str>>,
    network: NetworkId,
    kind: QueryKind,
}

impl Hash for QueryKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.partition.hash(state);
        self.credential.hash(state);
        self.network.hash(state);
        match &self.kind {
            QueryKind::ByCreators(ids) => ids.hash(state),
            QueryKind::Search(q) => q.hash(state),
        }
    }
}

pub struct SpaceService {
    spaces: Cache<SpaceKey, Cached>,
    queries: Cache<QueryKey, Arc<Vec<Arc<Space>>>>,
    batchers: Batchers,
}

impl SpaceService {
    pub fn new(_registry: Arc<ProviderRegistry>, config: &ApiConfig) -> Self {
        let cache = config.cache;
        Self {
            spaces: Cache::builder()
                .max_capacity(cache.max_entries)
                .expire_after(StateAwareExpiry(cache))
                .build(),
            queries: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(cache.live_ttl.min(Duration::from_secs(30)))
                .build(),
            batchers: Batchers::new(config.batch_window),
        }
    }

    /// One Space, from the cache or the network.
    pub async fn lookup(
        &self,
        ctx: &CallContext,
        id: &ResolvedId,
    ) -> Result<Arc<Space>, ProviderError> {
        let key = SpaceKey {
            partition: id.provider.cache_partition(ctx).map(Arc::from),
            id: id.id.clone(),
        };
        let cached = match self.spaces.get(&key).await {
            Some(hit) => {
                metrics::cache_lookup(id.id.network(), true);
                hit
            }
            None => {
                metrics::cache_lookup(id.id.network(), false);
                let fetch = self.fetch(ctx, id);
                self.spaces
                    .try_get_with(key, fetch)
                    .await
                    .map_err(|e: Arc<ProviderError>| (*e).clone())?
            }
        };
        match cached {
            Cached::Found(space) => Ok(space),
            Cached::Missing => Err(ProviderError::NotFound {
                id: id.id.native().to_owned(),
            }),
        }
    }

    /// Several Spaces, in the order asked; each is looked up as above, so they share the
    /// cache, coalesce with other requests and leave in as few batch calls as possible.
    pub async fn lookup_many(
        &self,
        items: &[(ResolvedId, CallContext)],
    ) -> Vec<Result<Arc<Space>, ProviderError>> {
        join_all(items.iter().map(|(id, ctx)| self.lookup(ctx, id))).await
    }

    async fn fetch(&self, ctx: &CallContext, id: &ResolvedId) -> Result<Cached, ProviderError> {
        metrics::upstream_fetch(id.id.network());
        let provider = &id.provider;
        let outcome = if provider.capabilities().max_lookup_batch > 1 {
            self.batchers.submit(provider, ctx, id.id.native()).await
        } else {
            provider.lookup(ctx, id.id.native()).await
        };
        match outcome {
            Ok(space) => Ok(Cached::Found(Arc::new(space))),
            Err(ProviderError::NotFound { .. }) => Ok(Cached::Missing),
            Err(e) => Err(e),
        }
    }

    /// Live and scheduled Spaces of these creators on one network.
    pub async fn by_creators(
        &self,
        provider: &Arc<dyn LiveAudioProvider>,
        ctx: &CallContext,
        user_ids: Vec<String>,
    ) -> Result<Arc<Vec<Arc<Space>>>, ProviderError> {
        let key = self.query_key(provider, ctx, QueryKind::ByCreators(user_ids.clone()));
        let init = async {
            let spaces = provider.by_creators(ctx, &user_ids).await?;
            Ok(self.remember(provider, ctx, spaces).await)
        };
        self.queries
            .try_get_with(key, init)
            .await
            .map_err(|e: Arc<ProviderError>| (*e).clone())
    }

    /// A keyword search on one network.
    pub async fn search(
        &self,
        provider: &Arc<dyn LiveAudioProvider>,
        ctx: &CallContext,
        query: SearchQuery,
    ) -> Result<Arc<Vec<Arc<Space>>>, ProviderError> {
        let key = self.query_key(provider, ctx, QueryKind::Search(query.clone()));
        let init = async {
            let spaces = provider.search(ctx, &query).await?;
            Ok(self.remember(provider, ctx, spaces).await)
        };
        self.queries
            .try_get_with(key, init)
            .await
            .map_err(|e: Arc<ProviderError>| (*e).clone())
    }

    fn query_key(
        &self,
        provider: &Arc<dyn LiveAudioProvider>,
        ctx: &CallContext,
        kind: QueryKind,
    ) -> QueryKey {
        QueryKey {
            partition: provider.cache_partition(ctx).map(Arc::from),
            // Lists are not shared between credentials: what one X app may list, another
            // may not, and each credential spends its own budget.
            credential: ctx.credential.as_ref().map(|c| Arc::from(c.fingerprint())),
            network: provider.id().clone(),
            kind,
        }
    }

    /// Caches the Spaces a listing returned, so following lookups cost nothing.
    async fn remember(
        &self,
        provider: &Arc<dyn LiveAudioProvider>,
        ctx: &CallContext,
        spaces: Vec<Space>,
    ) -> Arc<Vec<Arc<Space>>> {
        let partition: Partition = provider.cache_partition(ctx).map(Arc::from);
        let mut out = Vec::with_capacity(spaces.len());
        for space in spaces {
            let space = Arc::new(space);
            let key = SpaceKey {
                partition: partition.clone(),
                id: space.id(),
            };
            self.spaces.insert(key, Cached::Found(space.clone())).await;
            out.push(space);
        }
        Arc::new(out)
    }

    /// Entries currently cached (approximate), for metrics and benchmarks.
    pub fn cached_spaces(&self) -> u64 {
        self.spaces.entry_count()
    }

    /// Applies pending cache maintenance; tests and benchmarks call it before counting.
    pub async fn settle(&self) {
        self.spaces.run_pending_tasks().await;
        self.queries.run_pending_tasks().await;
    }
}

/// Groups resolved ids by network, keeping each id's position, for per-network work.
pub fn group_by_network(ids: &[ResolvedId]) -> HashMap<NetworkId, Vec<usize>> {
    let mut groups: HashMap<NetworkId, Vec<usize>> = HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        groups.entry(id.id.network().clone()).or_default().push(i);
    }
    groups
}
