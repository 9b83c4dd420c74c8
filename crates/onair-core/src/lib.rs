//! The onair domain model.
//!
//! Every network maps into these types; nothing here knows HTTP servers, SQL or any one
//! network's wire format. Dependencies point outward from this crate.

mod capabilities;
pub mod config_serde;
mod credential;
mod error;
mod id;
pub mod ids;
mod names;
mod network;
mod problem;
mod provider;
mod registry;
mod space;

pub use capabilities::{Capabilities, NetworkStatus, StatusKind};
pub use credential::{Credential, CredentialSource};
pub use error::{ProviderError, RateLimitScope};
pub use id::{IdError, QualifiedId, RawQualifiedId};
pub use names::{
    ApiKeyName, LabelError, ProfileName, TenantName, TokenError, UpstreamToken, check_label,
};
pub use network::{NetworkId, NetworkIdError};
pub use problem::{ProblemCode, UnknownProblemCode};
pub use provider::{
    CallContext, LiveAudioProvider, LookupOutcome, RateLimitSnapshot, SearchQuery, SearchState,
    SpaceListing, SpaceLookup, SpaceSearch,
};
pub use registry::{ProviderRegistry, RegistryError, ResolvedId};
pub use space::{Space, SpaceState, User};
