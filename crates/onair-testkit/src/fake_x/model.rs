//! The records the fake serves: Spaces, users, topics and posts, as tests seed and change them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

/// A Space's `state` on the wire. X documents `live`, `scheduled` and `ended`, and also sends
/// `canceled`; `Other` lets a test feed a client a state it has never seen.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SpaceState {
    Live,
    Scheduled,
    Ended,
    Canceled,
    Other(String),
}

impl SpaceState {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Live => "live",
            Self::Scheduled => "scheduled",
            Self::Ended => "ended",
            Self::Canceled => "canceled",
            Self::Other(other) => other,
        }
    }
}

/// One Space with every field X has (§6 of the contract). `None` and empty lists are omitted
/// from responses, as X omits absent members.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedSpace {
    pub id: String,
    pub state: SpaceState,
    pub title: Option<String>,
    pub creator_id: Option<String>,
    pub host_ids: Vec<String>,
    pub speaker_ids: Vec<String>,
    pub invited_user_ids: Vec<String>,
    pub topic_ids: Vec<String>,
    pub lang: Option<String>,
    pub is_ticketed: Option<bool>,
    pub participant_count: Option<u32>,
    /// Only shown to the creator's own user token, as on X.
    pub subscriber_count: Option<u32>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub scheduled_start: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Who bought a ticket (served by `/2/spaces/{id}/buyers`, not a Space field).
    pub buyer_ids: Vec<String>,
}

impl SeedSpace {
    pub fn new(id: impl Into<String>, state: SpaceState) -> Self {
        Self {
            id: id.into(),
            state,
            title: None,
            creator_id: None,
            host_ids: Vec::new(),
            speaker_ids: Vec::new(),
            invited_user_ids: Vec::new(),
            topic_ids: Vec::new(),
            lang: None,
            is_ticketed: None,
            participant_count: None,
            subscriber_count: None,
            created_at: None,
            updated_at: None,
            scheduled_start: None,
            started_at: None,
            ended_at: None,
            buyer_ids: Vec::new(),
        }
    }

    pub fn state(mut self, state: SpaceState) -> Self {
        self.state = state;
        self
    }
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
    pub fn creator_id(mut self, id: impl Into<String>) -> Self {
        self.creator_id = Some(id.into());
        self
    }
    pub fn host_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.host_ids = ids.into_iter().map(Into::into).collect();
        self
    }
    pub fn speaker_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.speaker_ids = ids.into_iter().map(Into::into).collect();
        self
    }
    pub fn invited_user_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.invited_user_ids = ids.into_iter().map(Into::into).collect();
        self
    }
    pub fn topic_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.topic_ids = ids.into_iter().map(Into::into).collect();
        self
    }
    pub fn buyer_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.buyer_ids = ids.into_iter().map(Into::into).collect();
        self
    }
    pub fn lang(mut self, lang: impl Into<String>) -> Self {
        self.lang = Some(lang.into());
        self
    }
    pub fn is_ticketed(mut self, ticketed: bool) -> Self {
        self.is_ticketed = Some(ticketed);
        self
    }
    pub fn participant_count(mut self, count: u32) -> Self {
        self.participant_count = Some(count);
        self
    }
    pub fn subscriber_count(mut self, count: u32) -> Self {
        self.subscriber_count = Some(count);
        self
    }
    pub fn created_at(mut self, at: DateTime<Utc>) -> Self {
        self.created_at = Some(at);
        self
    }
    pub fn updated_at(mut self, at: DateTime<Utc>) -> Self {
        self.updated_at = Some(at);
        self
    }
    pub fn scheduled_start(mut self, at: DateTime<Utc>) -> Self {
        self.scheduled_start = Some(at);
        self
    }
    pub fn started_at(mut self, at: DateTime<Utc>) -> Self {
        self.started_at = Some(at);
        self
    }
    pub fn ended_at(mut self, at: DateTime<Utc>) -> Self {
        self.ended_at = Some(at);
        self
    }
}

/// A user's `public_metrics` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UserPublicMetrics {
    pub followers_count: u64,
    pub following_count: u64,
    pub tweet_count: u64,
    pub listed_count: u64,
    pub like_count: u64,
    pub media_count: u64,
}

/// A user as `includes.users` and `/buyers` show it: `id`, `name`, `username` by default, the
/// rest on request through `user.fields`.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedUser {
    pub id: String,
    pub username: String,
    pub name: String,
    pub created_at: Option<DateTime<Utc>>,
    pub description: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub profile_image_url: Option<String>,
    pub protected: Option<bool>,
    pub verified: Option<bool>,
    pub verified_type: Option<String>,
    pub pinned_tweet_id: Option<String>,
    pub most_recent_tweet_id: Option<String>,
    pub public_metrics: Option<UserPublicMetrics>,
    /// Any other `user.fields` member (e.g. `entities`, `affiliation`), sent as given when
    /// requested. Keys that are not 2.166 `user.fields` values are never sent.
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl SeedUser {
    pub fn new(
        id: impl Into<String>,
        username: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            username: username.into(),
            name: name.into(),
            created_at: None,
            description: None,
            location: None,
            url: None,
            profile_image_url: None,
            protected: None,
            verified: None,
            verified_type: None,
            pinned_tweet_id: None,
            most_recent_tweet_id: None,
            public_metrics: None,
            extra: BTreeMap::new(),
        }
    }
}

/// A topic a creator attached to a Space (`includes.topics`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedTopic {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
}

impl SeedTopic {
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            description: None,
        }
    }

    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// A post: one shared in a Space (`/2/spaces/{id}/tweets`) or a user's pinned post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedTweet {
    pub id: String,
    pub text: String,
    pub author_id: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub lang: Option<String>,
    /// The Space it was shared in, if any.
    pub space_id: Option<String>,
}

impl SeedTweet {
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            text: text.into(),
            author_id: None,
            created_at: None,
            lang: None,
            space_id: None,
        }
    }

    pub fn author_id(mut self, id: impl Into<String>) -> Self {
        self.author_id = Some(id.into());
        self
    }

    pub fn created_at(mut self, at: DateTime<Utc>) -> Self {
        self.created_at = Some(at);
        self
    }

    pub fn lang(mut self, lang: impl Into<String>) -> Self {
        self.lang = Some(lang.into());
        self
    }

    pub fn shared_in(mut self, space_id: impl Into<String>) -> Self {
        self.space_id = Some(space_id.into());
        self
    }
}
