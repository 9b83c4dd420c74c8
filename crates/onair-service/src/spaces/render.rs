//! The JSON of a Space, as the API answers it and as webhooks will carry it. Every field is
//! always present: unknown values are `null`, lists are empty, and ids are qualified
//! (`x:2244994945`). A Space is rendered once and its bytes reused by every answer.

use std::{ops::Deref, sync::OnceLock};

use chrono::{DateTime, Utc};
use onair_core::{NetworkId, Space, User};
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

/// A person on a network.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    /// Qualified user id, e.g. `x:2244994945`.
    #[schema(example = "x:2244994945")]
    pub id: String,
    /// The network's own id.
    pub network_id: String,
    pub username: Option<String>,
    pub name: Option<String>,
}

/// A live-audio room on some network. Every member is always present: a value the
/// network did not give is `null`, an empty list `[]`. `hosts` and `speakers` hold the
/// users the network expanded, which may be fewer than `host_ids` and `speaker_ids`:
/// match them by `id`, not by position.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpaceDto {
    /// Qualified id: `network:native_id`.
    #[schema(example = "x:1DXxyRYNejbKM")]
    pub id: String,
    #[schema(example = "x")]
    pub network: String,
    /// The network's own id for the Space.
    #[schema(example = "1DXxyRYNejbKM")]
    pub network_id: String,
    /// `scheduled`, `live`, `ended` or `canceled` (networks may add more).
    #[schema(example = "live")]
    pub state: String,
    #[schema(required = true)]
    pub title: Option<String>,
    /// Qualified id of the creator.
    #[schema(required = true)]
    pub creator_id: Option<String>,
    pub host_ids: Vec<String>,
    pub speaker_ids: Vec<String>,
    pub invited_user_ids: Vec<String>,
    /// The network's topic ids, as the network gave them.
    pub topic_ids: Vec<String>,
    #[schema(required = true)]
    pub participant_count: Option<u64>,
    /// People who set a reminder; X shows it only to the creator's own credentials.
    #[schema(required = true)]
    pub subscriber_count: Option<u64>,
    /// BCP 47 language tag.
    #[schema(required = true)]
    pub lang: Option<String>,
    #[schema(required = true)]
    pub is_ticketed: Option<bool>,
    #[schema(required = true)]
    pub scheduled_start: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub started_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub ended_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub created_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub updated_at: Option<DateTime<Utc>>,
    /// A link a person can open to listen.
    #[schema(required = true)]
    pub url: Option<String>,
    /// The creator, where the network expanded it.
    #[schema(required = true)]
    pub creator: Option<UserDto>,
    pub hosts: Vec<UserDto>,
    pub speakers: Vec<UserDto>,
}

/// A Space together with its JSON, rendered once and reused by every answer that carries
/// it: cached Spaces are served without building or serialising anything per request.
pub struct RenderedSpace {
    space: Space,
    json: OnceLock<Box<RawValue>>,
}

impl RenderedSpace {
    pub fn new(space: Space) -> Self {
        Self {
            space,
            json: OnceLock::new(),
        }
    }

    /// The Space as the API shows it (a [`SpaceDto`]).
    pub fn json(&self) -> &RawValue {
        self.json.get_or_init(|| {
            // A SpaceDto is plain data: serialising it cannot fail.
            serde_json::value::to_raw_value(&SpaceDto::from(&self.space))
                .unwrap_or_else(|_| RawValue::NULL.to_owned())
        })
    }
}

impl Deref for RenderedSpace {
    type Target = Space;
    fn deref(&self) -> &Space {
        &self.space
    }
}

impl std::fmt::Debug for RenderedSpace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.space.fmt(f)
    }
}

fn qualify(network: &NetworkId, native: &str) -> String {
    format!("{network}:{native}")
}

fn user(network: &NetworkId, u: &User) -> UserDto {
    UserDto {
        id: qualify(network, &u.native_id),
        network_id: u.native_id.clone(),
        username: u.username.clone(),
        name: u.name.clone(),
    }
}

impl From<&Space> for SpaceDto {
    fn from(s: &Space) -> Self {
        let n = &s.network;
        let q = |ids: &[String]| ids.iter().map(|i| qualify(n, i)).collect();
        Self {
            id: qualify(n, &s.native_id),
            network: n.to_string(),
            network_id: s.native_id.clone(),
            state: s.state.to_string(),
            title: s.title.clone(),
            creator_id: s.creator_id.as_deref().map(|c| qualify(n, c)),
            host_ids: q(&s.host_ids),
            speaker_ids: q(&s.speaker_ids),
            invited_user_ids: q(&s.invited_user_ids),
            topic_ids: s.topic_ids.clone(),
            participant_count: s.participant_count,
            subscriber_count: s.subscriber_count,
            lang: s.lang.clone(),
            is_ticketed: s.is_ticketed,
            scheduled_start: s.scheduled_start,
            started_at: s.started_at,
            ended_at: s.ended_at,
            created_at: s.created_at,
            updated_at: s.updated_at,
            url: s.url.clone(),
            creator: s.creator.as_ref().map(|u| user(n, u)),
            hosts: s.hosts.iter().map(|u| user(n, u)).collect(),
            speakers: s.speakers.iter().map(|u| user(n, u)).collect(),
        }
    }
}
