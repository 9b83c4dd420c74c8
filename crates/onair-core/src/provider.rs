use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Capabilities, Credential, NetworkId, NetworkStatus, ProviderError, Space, StatusKind};

/// What a single call carries besides its arguments: whose upstream credential to use.
///
/// Credentials travel with each call (not with the provider) so that one provider instance
/// serves every tenant, each with its own X app if it brought one.
#[derive(Debug, Clone, Default)]
pub struct CallContext {
    pub credential: Option<Credential>,
}

impl CallContext {
    pub fn with_credential(credential: Credential) -> Self {
        Self {
            credential: Some(credential),
        }
    }
}

/// Which Spaces a search returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchState {
    Live,
    Scheduled,
    #[default]
    All,
}

impl SearchState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Scheduled => "scheduled",
            Self::All => "all",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    /// The keywords, already checked by the caller to be non-blank.
    pub query: String,
    pub state: SearchState,
    /// Most results wanted; a provider returns at most this many.
    pub limit: u32,
}

/// One id's result in a batch lookup: the Space, or why there is none
/// (usually [`ProviderError::NotFound`]).
pub type LookupOutcome = Result<Space, ProviderError>;

/// The last rate-limit budget a network reported for one endpoint and credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateLimitSnapshot {
    pub endpoint: String,
    /// The credential's fingerprint, never the credential.
    pub credential: String,
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    pub reset_at: Option<DateTime<Utc>>,
}

/// A live-audio network, as onair sees it.
///
/// To add a network, implement this in a new `onair-provider-<net>` crate and register it
/// in the server; nothing in the core or the API changes. What a network can do is the
/// capability traits it implements ([`SpaceLookup`], [`SpaceListing`], [`SpaceSearch`]),
/// handed out by the accessors below; its [`Capabilities`] are derived from them, so the
/// two cannot disagree.
#[async_trait]
pub trait LiveAudioProvider: Send + Sync {
    /// The canonical network id (`x`).
    fn id(&self) -> &NetworkId;

    /// A human name (`X Spaces`).
    fn display_name(&self) -> &str;

    /// Other names clients may use for this network (`twitter`).
    fn aliases(&self) -> &[&'static str] {
        &[]
    }

    /// Whether calls need upstream credentials (an operator's or the tenant's own).
    fn needs_credentials(&self) -> bool {
        false
    }

    /// Looking Spaces up by id, if the network can.
    fn lookups(&self) -> Option<&dyn SpaceLookup> {
        None
    }

    /// Listing the live and scheduled Spaces of creators, if the network can.
    fn listings(&self) -> Option<&dyn SpaceListing> {
        None
    }

    /// Keyword search, if the network can.
    fn searches(&self) -> Option<&dyn SpaceSearch> {
        None
    }

    /// The network's status with the operator's configuration alone; a tenant that brings
    /// its own credentials may turn `unconfigured` into `available`.
    fn status(&self) -> NetworkStatus;

    /// Checks a native Space id before any upstream call; the error says what is wrong.
    fn validate_space_id(&self, native: &str) -> Result<(), String>;

    /// Checks a native user id before any upstream call.
    fn validate_user_id(&self, native: &str) -> Result<(), String>;

    /// Who may share a cached answer made with this context's credential: `None` when the
    /// answer is the network's public view (any tenant may be served it), or a partition key
    /// when the credential sees more than the public (e.g. an X user token sees
    /// `subscriber_count` of its own Spaces).
    fn cache_partition(&self, ctx: &CallContext) -> Option<String> {
        let _ = ctx;
        None
    }

    /// The upstream budgets last seen, for metrics and for callers deciding whether to wait.
    fn rate_limits(&self) -> Vec<RateLimitSnapshot> {
        Vec::new()
    }
}

impl dyn LiveAudioProvider + '_ {
    /// What the network can do, read off the capability traits it implements.
    pub fn capabilities(&self) -> Capabilities {
        let lookups = self.lookups();
        let listings = self.listings();
        let searches = self.searches();
        Capabilities {
            lookup: lookups.is_some(),
            max_lookup_batch: lookups.map_or(0, |l| l.max_batch()),
            by_creator: listings.is_some(),
            max_creator_batch: listings.map_or(0, |l| l.max_creators()),
            search: searches.is_some(),
            max_search_results: searches.map_or(0, |s| s.max_results()),
            needs_credentials: self.needs_credentials(),
        }
    }

    /// The network's lookups, or the error that says it has none.
    pub fn lookup_capability(&self) -> Result<&dyn SpaceLookup, ProviderError> {
        self.lookups()
            .ok_or_else(|| self.unsupported("looking up Spaces"))
    }

    /// The network's listings by creator, or the error that says it has none.
    pub fn listing_capability(&self) -> Result<&dyn SpaceListing, ProviderError> {
        self.listings()
            .ok_or_else(|| self.unsupported("Spaces by creator"))
    }

    /// The network's search, or the error that says it has none.
    pub fn search_capability(&self) -> Result<&dyn SpaceSearch, ProviderError> {
        self.searches().ok_or_else(|| self.unsupported("search"))
    }

    /// Why the network cannot do `what`: for a network without a usable API, its status
    /// says why it can do nothing at all.
    fn unsupported(&self, what: &str) -> ProviderError {
        let status = self.status();
        let verb = match status.kind {
            StatusKind::Discontinued => "was discontinued",
            StatusKind::Unsupported => "cannot be used",
            _ => return ProviderError::unsupported(what, self.id()),
        };
        match status.reason {
            Some(reason) => ProviderError::Unsupported {
                detail: format!("{} {verb}: {reason}", self.display_name()),
            },
            None => ProviderError::unsupported(what, self.id()),
        }
    }
}

/// Looking Spaces up by native id.
#[async_trait]
pub trait SpaceLookup: Send + Sync {
    /// Most ids one upstream call can look up at once (1: no batch call).
    fn max_batch(&self) -> usize {
        1
    }

    /// One Space by native id.
    async fn lookup(&self, ctx: &CallContext, id: &str) -> Result<Space, ProviderError>;

    /// Several Spaces by native id: one outcome per id, in the order asked. An `Err` for the
    /// whole call means no id could be looked up.
    async fn lookup_many(
        &self,
        ctx: &CallContext,
        ids: &[String],
    ) -> Result<Vec<LookupOutcome>, ProviderError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            match self.lookup(ctx, id).await {
                Err(e) if !matches!(e, ProviderError::NotFound { .. }) => return Err(e),
                other => out.push(other),
            }
        }
        Ok(out)
    }
}

/// The live and scheduled Spaces of given creators.
#[async_trait]
pub trait SpaceListing: Send + Sync {
    /// Most creators one upstream call can take.
    fn max_creators(&self) -> usize;

    /// Live and scheduled Spaces created by these users (native ids).
    async fn by_creators(
        &self,
        ctx: &CallContext,
        user_ids: &[String],
    ) -> Result<Vec<Space>, ProviderError>;
}

/// Keyword search over a network's Spaces.
#[async_trait]
pub trait SpaceSearch: Send + Sync {
    /// Most results one search can return.
    fn max_results(&self) -> u32;

    async fn search(
        &self,
        ctx: &CallContext,
        query: &SearchQuery,
    ) -> Result<Vec<Space>, ProviderError>;
}
