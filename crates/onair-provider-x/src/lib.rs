//! The X Spaces adapter for onair: `GET /2/spaces/{id}`, `/2/spaces?ids=`,
//! `/2/spaces/by/creator_ids` and `/2/spaces/search` behind [`onair_core::LiveAudioProvider`].
//!
//! Layout, from the wire inwards:
//! - `endpoint`: the four endpoints and the one field selection they all send;
//! - `wire`: X's JSON (private, tolerant), `mapping`: wire objects to core `Space`s;
//! - `classify`: the one function that turns every failure into a `ProviderError`;
//! - `budget`: rate-limit tracking per credential × endpoint, and refusing calls whose known
//!   budget is spent, so onair never drives X into 429 by itself;
//! - `pacing`: the one-call-a-second spacing of `by/creator_ids`;
//! - `ids`: X's id rules; `config`: [`XConfig`]; `provider`: [`XProvider`];
//! - `fuzzing` (hidden): the provider's reading of an answer, without a network, for `fuzz/`.
//!
//! Choices worth knowing:
//! - A timestamp (or any other member) X sends in a form onair cannot read is dropped from
//!   that Space with a `warn` event; the Space and the rest of the response are kept.
//! - `subscriber_count` is always asked for; only a creator's user token gets it.
//! - Answers made with app-only tokens and the operator's token are shareable between
//!   tenants; anything that does not look like an app-only token is cache-partitioned
//!   (see [`XProvider`]'s `cache_partition`).
//! - Tokens never reach logs: traces name a credential by its fingerprint.

mod budget;
mod classify;
mod config;
mod endpoint;
#[doc(hidden)]
pub mod fuzzing;
mod ids;
mod mapping;
mod pacing;
mod provider;
mod wire;

pub use config::{XConfig, XConfigError};
pub use provider::XProvider;
