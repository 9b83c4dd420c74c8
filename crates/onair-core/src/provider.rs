use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Capabilities, Credential, NetworkId, NetworkStatus, ProviderError, Space};

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
/// in the server; nothing in the core or the API changes. Methods a network cannot serve
/// keep their default body, which answers [`ProviderError::Unsupported`], and its
/// [`Capabilities`] say so.
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

    fn capabilities(&self) -> Capabilities;

    /// The network's status with the operator's configuration alone; a tenant that brings
    /// its own credentials may turn `unconfigured` into `available`.
    fn status(&self) -> NetworkStatus;

    /// Checks a native Space id before any upstream call; the error says what is wrong.
    fn validate_space_id(&self, native: &str) -> Result<(), String>;

    /// Checks a native user id before any upstream call.
    fn validate_user_id(&self, native: &str) -> Result<(), String>;

    /// One Space by native id.
    async fn lookup(&self, ctx: &CallContext, id: &str) -> Result<Space, ProviderError> {
        let _ = (ctx, id);
        Err(ProviderError::unsupported("looking up Spaces", self.id()))
    }

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

    /// Live and scheduled Spaces created by these users (native ids).
    async fn by_creators(
        &self,
        ctx: &CallContext,
        user_ids: &[String],
    ) -> Result<Vec<Space>, ProviderError> {
        let _ = (ctx, user_ids);
        Err(ProviderError::unsupported("Spaces by creator", self.id()))
    }

    /// Keyword search.
    async fn search(
        &self,
        ctx: &CallContext,
        query: &SearchQuery,
    ) -> Result<Vec<Space>, ProviderError> {
        let _ = (ctx, query);
        Err(ProviderError::unsupported("search", self.id()))
    }

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
