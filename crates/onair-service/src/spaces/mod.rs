//! The upstream-frugal Spaces service: every Space lookup goes through one cache with
//! state-aware lifetimes; identical concurrent lookups share one fetch (coalescing); and
//! concurrent fetches for one network and credential are sent together as batch calls
//! (batching). Searches and by-creator listings are coalesced and briefly cached too, and
//! the Spaces they return warm the lookup cache.
//!
//! A live or scheduled Space past its lifetime stays a short grace period (see `expiry`) in
//! which it is served only when the network cannot be asked right now (its rate budget is
//! spent, it is down or timing out): the client gets the last known Space rather than an
//! error, and the network is not asked again for that Space for a moment. Ended and canceled
//! Spaces, and not-found answers, are never served past their lifetime.

mod batcher;
mod expiry;
mod render;

use std::{
    hash::{Hash, Hasher},
    sync::Arc,
    time::{Duration, Instant},
};

use futures::future::join_all;
use moka::future::Cache;
use onair_core::{
    CallContext, LiveAudioProvider, NetworkId, ProviderError, QualifiedId, ResolvedId, SearchQuery,
    Space,
};

pub use self::render::{RenderedSpace, SpaceDto, UserDto};
use self::{
    batcher::Batchers,
    expiry::{Lifetimes, UntilStale},
};
use crate::{config::ServiceConfig, metrics, tasks::Tasks};

/// After a failed refresh, how long a stale Space is served without asking the network again.
const STALE_RETRY_PAUSE: Duration = Duration::from_secs(1);

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
    Found(Arc<RenderedSpace>),
    Missing,
}

/// A cached lookup and how long it may be served.
#[derive(Clone)]
pub(crate) struct Entry {
    cached: Cached,
    /// Served as is until then.
    fresh_until: Instant,
    /// Between `fresh_until` and this, served only when the network cannot be asked.
    stale_until: Instant,
}

impl Entry {
    fn is_fresh(&self, now: Instant) -> bool {
        now < self.fresh_until
    }

    fn answer(&self, id: &ResolvedId) -> Result<Arc<RenderedSpace>, ProviderError> {
        match &self.cached {
            Cached::Found(space) => Ok(space.clone()),
            Cached::Missing => Err(ProviderError::NotFound {
                id: id.id.native().to_owned(),
            }),
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
enum QueryKind {
    ByCreators(Vec<String>),
    Search(SearchQuery),
}

impl QueryKind {
    fn label(&self) -> &'static str {
        match self {
            Self::ByCreators(_) => "by_creator",
            Self::Search(_) => "search",
        }
    }
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
    lifetimes: Lifetimes,
    spaces: Cache<SpaceKey, Entry>,
    /// Fetches in progress, by key: callers that miss together wait for one fetch. An entry
    /// lives only from the fetch's end until its caller removes it.
    fetching: Cache<SpaceKey, Entry>,
    queries: Cache<QueryKey, Arc<Vec<Arc<RenderedSpace>>>>,
    batchers: Batchers,
}

impl SpaceService {
    pub fn new(config: &ServiceConfig, tasks: Tasks) -> Self {
        let cache = config.cache;
        Self {
            lifetimes: Lifetimes(cache),
            spaces: Cache::builder()
                .max_capacity(cache.max_entries)
                .expire_after(UntilStale)
                .build(),
            fetching: Cache::builder()
                .max_capacity(cache.max_entries)
                // Only a caller cancelled between the fetch and the removal leaves one behind.
                .time_to_live(Duration::from_secs(1))
                .build(),
            queries: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(cache.live_ttl.min(Duration::from_secs(30)))
                .build(),
            batchers: Batchers::new(config.batch_window, tasks),
        }
    }

    /// One Space, from the cache or the network.
    pub async fn lookup(
        &self,
        ctx: &CallContext,
        id: &ResolvedId,
    ) -> Result<Arc<RenderedSpace>, ProviderError> {
        let key = SpaceKey {
            partition: id.provider.cache_partition(ctx).map(Arc::from),
            id: id.id.clone(),
        };
        let network = id.id.network();
        let stale = match self.spaces.get(&key).await {
            Some(entry) if entry.is_fresh(Instant::now()) => {
                metrics::cache_lookup(network, true);
                return entry.answer(id);
            }
            other => other,
        };
        metrics::cache_lookup(network, false);
        match self.refresh(ctx, id, &key).await {
            Ok(entry) => entry.answer(id),
            Err(e) => {
                let now = Instant::now();
                let Some(stale) = stale.filter(|s| e.is_transient() && now < s.stale_until) else {
                    return Err(e);
                };
                metrics::stale_served(network);
                tracing::debug!(id = %id.id, code = e.code(), "serving a stale Space: the network cannot be asked");
                // Pause the refreshes of this Space for a moment; the grace does not move.
                let paused = Entry {
                    fresh_until: (now + STALE_RETRY_PAUSE).min(stale.stale_until),
                    ..stale.clone()
                };
                self.spaces.insert(key, paused).await;
                stale.answer(id)
            }
        }
    }

    /// Fetches `key` once for every caller that asks while the fetch runs.
    async fn refresh(
        &self,
        ctx: &CallContext,
        id: &ResolvedId,
        key: &SpaceKey,
    ) -> Result<Entry, ProviderError> {
        let init = async {
            // A caller that queued behind a fetch that just finished finds its result here.
            if let Some(entry) = self.spaces.get(key).await
                && entry.is_fresh(Instant::now())
            {
                return Ok(entry);
            }
            let cached = self.fetch(ctx, id).await?;
            let entry = self.lifetimes.entry(cached, Instant::now());
            self.spaces.insert(key.clone(), entry.clone()).await;
            Ok(entry)
        };
        let fetched = self
            .fetching
            .entry(key.clone())
            .or_try_insert_with(init)
            .await
            .map_err(|e: Arc<ProviderError>| (*e).clone())?;
        if fetched.is_fresh() {
            // This caller ran the fetch; the next miss starts a new one.
            self.fetching.invalidate(key).await;
        } else {
            metrics::coalesced(id.id.network(), "lookup");
        }
        Ok(fetched.into_value())
    }

    /// Several Spaces, in the order asked; each is looked up as above, so they share the
    /// cache, coalesce with other requests and leave in as few batch calls as possible.
    pub async fn lookup_many(
        &self,
        items: &[(ResolvedId, CallContext)],
    ) -> Vec<Result<Arc<RenderedSpace>, ProviderError>> {
        join_all(items.iter().map(|(id, ctx)| self.lookup(ctx, id))).await
    }

    async fn fetch(&self, ctx: &CallContext, id: &ResolvedId) -> Result<Cached, ProviderError> {
        metrics::upstream_fetch(id.id.network());
        let provider = &id.provider;
        let outcome = if provider.capabilities().max_lookup_batch > 1 {
            self.batchers.submit(provider, ctx, id.id.native()).await
        } else {
            match provider.lookup_capability() {
                Ok(lookups) => lookups.lookup(ctx, id.id.native()).await,
                Err(e) => Err(e),
            }
        };
        match outcome {
            Ok(space) => Ok(Cached::Found(Arc::new(RenderedSpace::new(space)))),
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
    ) -> Result<Arc<Vec<Arc<RenderedSpace>>>, ProviderError> {
        let key = self.query_key(provider, ctx, QueryKind::ByCreators(user_ids.clone()));
        let init = async {
            let spaces = provider
                .listing_capability()?
                .by_creators(ctx, &user_ids)
                .await?;
            Ok(self.remember(provider, ctx, spaces).await)
        };
        self.query(key, init).await
    }

    /// A keyword search on one network.
    pub async fn search(
        &self,
        provider: &Arc<dyn LiveAudioProvider>,
        ctx: &CallContext,
        query: SearchQuery,
    ) -> Result<Arc<Vec<Arc<RenderedSpace>>>, ProviderError> {
        let key = self.query_key(provider, ctx, QueryKind::Search(query.clone()));
        let init = async {
            let spaces = provider.search_capability()?.search(ctx, &query).await?;
            Ok(self.remember(provider, ctx, spaces).await)
        };
        self.query(key, init).await
    }

    /// A listing from the cache, or from `init`, run once for every caller asking meanwhile.
    async fn query(
        &self,
        key: QueryKey,
        init: impl Future<Output = Result<Arc<Vec<Arc<RenderedSpace>>>, ProviderError>>,
    ) -> Result<Arc<Vec<Arc<RenderedSpace>>>, ProviderError> {
        let (network, kind) = (key.network.clone(), key.kind.label());
        let entry = self
            .queries
            .entry(key)
            .or_try_insert_with(init)
            .await
            .map_err(|e: Arc<ProviderError>| (*e).clone())?;
        if !entry.is_fresh() {
            metrics::coalesced(&network, kind);
        }
        Ok(entry.into_value())
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
    ) -> Arc<Vec<Arc<RenderedSpace>>> {
        let partition: Partition = provider.cache_partition(ctx).map(Arc::from);
        let now = Instant::now();
        let mut out = Vec::with_capacity(spaces.len());
        for space in spaces {
            let space = Arc::new(RenderedSpace::new(space));
            let key = SpaceKey {
                partition: partition.clone(),
                id: space.id(),
            };
            let entry = self.lifetimes.entry(Cached::Found(space.clone()), now);
            self.spaces.insert(key, entry).await;
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
        self.fetching.run_pending_tasks().await;
        self.queries.run_pending_tasks().await;
    }
}
