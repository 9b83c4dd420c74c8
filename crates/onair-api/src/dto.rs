//! The JSON shapes of the v1 API. Every field of a Space is always present: unknown values
//! are `null`, lists are empty, and ids are qualified (`x:2244994945`).

use chrono::{DateTime, Utc};
use onair_core::{Capabilities, StatusKind};
pub use onair_service::{
    CredentialScope,
    spaces::{RenderedSpace, SpaceDto, UserDto},
};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

/// `{"data": …}`, the envelope of every successful answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Data<T> {
    pub data: T,
}

/// The wire form of [`SpaceList`]: the same JSON, from pre-rendered Spaces.
#[derive(Serialize)]
pub struct RenderedSpaceList<'a> {
    pub data: Vec<&'a RawValue>,
    pub errors: Vec<ItemError>,
}

/// One failed item of a multi-item answer (an id, a creator, a network).
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemError {
    /// The qualified id the error is about (for per-id errors; absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub id: Option<String>,
    /// The network the error is about (for per-network errors; absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub network: Option<String>,
    /// The HTTP status this error would have had on its own.
    pub status: u16,
    pub code: String,
    pub title: String,
    pub detail: String,
}

/// Spaces together with what could not be answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpaceList {
    pub data: Vec<SpaceDto>,
    pub errors: Vec<ItemError>,
}

/// What a network can do through onair.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapabilitiesDto {
    pub lookup: bool,
    /// Most ids one upstream batch call can take (0: none).
    pub max_lookup_batch: usize,
    pub by_creator: bool,
    pub search: bool,
    pub max_search_results: u32,
    /// Whether calls need upstream credentials (the operator's, or your own).
    pub needs_credentials: bool,
}

impl From<Capabilities> for CapabilitiesDto {
    fn from(c: Capabilities) -> Self {
        Self {
            lookup: c.lookup,
            max_lookup_batch: c.max_lookup_batch,
            by_creator: c.by_creator,
            search: c.search,
            max_search_results: c.max_search_results,
            needs_credentials: c.needs_credentials,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NetworkStatusDto {
    Available,
    Unconfigured,
    Unsupported,
    Discontinued,
}

impl From<StatusKind> for NetworkStatusDto {
    fn from(k: StatusKind) -> Self {
        match k {
            StatusKind::Available => Self::Available,
            StatusKind::Unconfigured => Self::Unconfigured,
            StatusKind::Unsupported => Self::Unsupported,
            StatusKind::Discontinued => Self::Discontinued,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkDto {
    #[schema(example = "x")]
    pub id: String,
    #[schema(example = "X Spaces")]
    pub name: String,
    /// Other names accepted in ids and parameters.
    pub aliases: Vec<String>,
    pub status: NetworkStatusDto,
    /// Why, for anything but `available`.
    pub reason: Option<String>,
    /// Since when the status holds (e.g. `2023-04`), where known.
    pub since: Option<String>,
    pub capabilities: CapabilitiesDto,
    pub credentials: CredentialScope,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyDto {
    #[schema(example = "key_3kTMd9ZqLw0a")]
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<onair_store::ApiKey> for ApiKeyDto {
    fn from(k: onair_store::ApiKey) -> Self {
        Self {
            id: k.id.to_string(),
            name: k.name,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            expires_at: k.expires_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A new API key. `key` is shown this once; only a hash of it is stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub api_key: ApiKeyDto,
    #[schema(example = "onair_sk_3kTMd9ZqLw0aq8Jf2XbV7nRtY1cE5gHs9KpLmNoPqRsTuV4eQ2Lm")]
    pub key: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKeyBody {
    #[schema(schema_with = crate::routes::validate::api_key_name_schema)]
    pub name: Option<String>,
    /// When the key stops working (RFC 3339, in the future).
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileDto {
    #[schema(example = "prof_0193c5e0a1b27c3d8e9f001122334455")]
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<onair_store::Profile> for ProfileDto {
    fn from(p: onair_store::Profile) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name,
            created_at: p.created_at,
        }
    }
}

/// A new profile. `profile_key` is shown this once; send it as the `Profile-Key` header to
/// act for this profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedProfile {
    #[serde(flatten)]
    pub profile: ProfileDto,
    pub profile_key: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProfileBody {
    #[schema(schema_with = crate::routes::validate::profile_name_schema)]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkTokenDto {
    /// A signed JWT (HS256), valid until `expires_at` (at most 15 minutes).
    pub token: String,
    /// The profile's account-linking page, carrying the token.
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialBody {
    #[schema(schema_with = crate::routes::validate::token_schema)]
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialDto {
    pub network: String,
    /// `tenant`, or `profile` when set with a `Profile-Key`.
    pub scope: CredentialScope,
    pub profile_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<onair_store::CredentialInfo> for CredentialDto {
    fn from(c: onair_store::CredentialInfo) -> Self {
        Self {
            network: c.network,
            scope: if c.profile_id.is_some() {
                CredentialScope::Profile
            } else {
                CredentialScope::Tenant
            },
            profile_id: c.profile_id.map(|p| p.to_string()),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}
