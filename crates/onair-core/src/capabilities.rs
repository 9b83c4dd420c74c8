use serde::{Deserialize, Serialize};

/// What a network can do through onair, as `GET /v1/networks` shows it: derived from the
/// capability traits a provider implements (see `LiveAudioProvider::capabilities`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Capabilities {
    /// Look up one Space by id.
    pub lookup: bool,
    /// Most ids one upstream call can look up at once (0: no batch lookup).
    pub max_lookup_batch: usize,
    /// Live and scheduled Spaces of given creators.
    pub by_creator: bool,
    /// Most creators one upstream call can take.
    pub max_creator_batch: usize,
    /// Keyword search.
    pub search: bool,
    /// Most results one search can return.
    pub max_search_results: u32,
    /// Whether calls need upstream credentials (an operator's or the tenant's own).
    pub needs_credentials: bool,
}

impl Capabilities {
    pub const NONE: Self = Self {
        lookup: false,
        max_lookup_batch: 0,
        by_creator: false,
        max_creator_batch: 0,
        search: false,
        max_search_results: 0,
        needs_credentials: false,
    };
}

/// Whether a network can be used, as reported by `GET /v1/networks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    /// Works now.
    Available,
    /// Works once credentials are configured (by the operator or the tenant).
    Unconfigured,
    /// The network exists but offers no usable public API.
    Unsupported,
    /// The network closed the product.
    Discontinued,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkStatus {
    pub kind: StatusKind,
    /// Why, in a sentence, for anything but `available`.
    pub reason: Option<String>,
    /// When the status began (`2023-04`, `2024-12-31`), where it is known.
    pub since: Option<String>,
}

impl NetworkStatus {
    pub fn available() -> Self {
        Self {
            kind: StatusKind::Available,
            reason: None,
            since: None,
        }
    }

    pub fn unconfigured(reason: impl Into<String>) -> Self {
        Self {
            kind: StatusKind::Unconfigured,
            reason: Some(reason.into()),
            since: None,
        }
    }
}
