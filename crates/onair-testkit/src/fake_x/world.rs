//! The fake's data (Spaces, users, topics, posts), kept with each field pre-rendered as JSON so
//! that answering a lookup is string concatenation.

use std::collections::HashMap;

use super::fields::{SPACE_FIELDS, USER_FIELDS, space_field as sf};
use super::model::{SeedSpace, SeedTopic, SeedTweet, SeedUser, SpaceState};
use chrono::{DateTime, Utc};

/// X's timestamp format: `2026-11-28T10:00:00.000Z`.
pub fn timestamp(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub(crate) fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

fn json_time(at: &DateTime<Utc>) -> String {
    json_str(&timestamp(at))
}

fn json_list(ids: &[String]) -> Option<String> {
    (!ids.is_empty()).then(|| serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned()))
}

#[derive(Debug)]
pub(crate) struct StoredSpace {
    pub seed: SeedSpace,
    /// Each `space.fields` member as JSON, `None` where the Space has no value.
    pub fragments: [Option<Box<str>>; 17],
    /// The title lower-cased once, for search.
    pub title_lower: String,
}

impl StoredSpace {
    pub fn new(seed: SeedSpace) -> Self {
        let mut f: [Option<String>; 17] = Default::default();
        f[sf::ID] = Some(json_str(&seed.id));
        f[sf::STATE] = Some(json_str(seed.state.as_str()));
        f[sf::TITLE] = seed.title.as_deref().map(json_str);
        f[sf::CREATOR_ID] = seed.creator_id.as_deref().map(json_str);
        f[sf::HOST_IDS] = json_list(&seed.host_ids);
        f[sf::SPEAKER_IDS] = json_list(&seed.speaker_ids);
        f[sf::INVITED_USER_IDS] = json_list(&seed.invited_user_ids);
        f[sf::TOPIC_IDS] = json_list(&seed.topic_ids);
        f[sf::LANG] = seed.lang.as_deref().map(json_str);
        f[sf::IS_TICKETED] = seed.is_ticketed.map(|b| b.to_string());
        f[sf::PARTICIPANT_COUNT] = seed.participant_count.map(|n| n.to_string());
        f[sf::SUBSCRIBER_COUNT] = seed.subscriber_count.map(|n| n.to_string());
        f[sf::CREATED_AT] = seed.created_at.as_ref().map(json_time);
        f[sf::UPDATED_AT] = seed.updated_at.as_ref().map(json_time);
        f[sf::SCHEDULED_START] = seed.scheduled_start.as_ref().map(json_time);
        f[sf::STARTED_AT] = seed.started_at.as_ref().map(json_time);
        f[sf::ENDED_AT] = seed.ended_at.as_ref().map(json_time);
        debug_assert_eq!(SPACE_FIELDS[sf::PARTICIPANT_COUNT], "participant_count");
        Self {
            title_lower: seed.title.as_deref().unwrap_or_default().to_lowercase(),
            fragments: f.map(|s| s.map(String::into_boxed_str)),
            seed,
        }
    }

    /// 0 for live, 1 for scheduled: the only states discovery returns, live first.
    pub fn discoverable_rank(&self) -> Option<u8> {
        match self.seed.state {
            SpaceState::Live => Some(0),
            SpaceState::Scheduled => Some(1),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub(crate) struct StoredUser {
    pub seed: SeedUser,
    pub fragments: [Option<Box<str>>; 26],
}

impl StoredUser {
    pub fn new(seed: SeedUser) -> Self {
        let mut f: [Option<String>; 26] = Default::default();
        let mut set = |name: &str, value: Option<String>| {
            if let Some(i) = USER_FIELDS.iter().position(|n| *n == name) {
                f[i] = value;
            }
        };
        for (name, value) in &seed.extra {
            set(name, serde_json::to_string(value).ok());
        }
        set("id", Some(json_str(&seed.id)));
        set("name", Some(json_str(&seed.name)));
        set("username", Some(json_str(&seed.username)));
        set("created_at", seed.created_at.as_ref().map(json_time));
        set("description", seed.description.as_deref().map(json_str));
        set("location", seed.location.as_deref().map(json_str));
        set("url", seed.url.as_deref().map(json_str));
        set(
            "profile_image_url",
            seed.profile_image_url.as_deref().map(json_str),
        );
        set("protected", seed.protected.map(|b| b.to_string()));
        set("verified", seed.verified.map(|b| b.to_string()));
        set("verified_type", seed.verified_type.as_deref().map(json_str));
        set(
            "pinned_tweet_id",
            seed.pinned_tweet_id.as_deref().map(json_str),
        );
        set(
            "most_recent_tweet_id",
            seed.most_recent_tweet_id.as_deref().map(json_str),
        );
        set(
            "public_metrics",
            seed.public_metrics.map(|m| {
                serde_json::json!({
                    "followers_count": m.followers_count,
                    "following_count": m.following_count,
                    "tweet_count": m.tweet_count,
                    "listed_count": m.listed_count,
                    "like_count": m.like_count,
                    "media_count": m.media_count,
                })
                .to_string()
            }),
        );
        Self {
            fragments: f.map(|s| s.map(String::into_boxed_str)),
            seed,
        }
    }
}

/// Everything the fake serves. Lives behind one `RwLock`; handlers read it without awaiting.
#[derive(Debug, Default)]
pub(crate) struct World {
    pub spaces: HashMap<String, StoredSpace>,
    pub users: HashMap<String, StoredUser>,
    pub topics: HashMap<String, SeedTopic>,
    pub tweets: HashMap<String, SeedTweet>,
}

impl World {
    pub fn upsert_space(&mut self, space: SeedSpace) {
        self.spaces
            .insert(space.id.clone(), StoredSpace::new(space));
    }

    pub fn upsert_user(&mut self, user: SeedUser) {
        self.users.insert(user.id.clone(), StoredUser::new(user));
    }

    pub fn upsert_topic(&mut self, topic: SeedTopic) {
        self.topics.insert(topic.id.clone(), topic);
    }

    pub fn upsert_tweet(&mut self, tweet: SeedTweet) {
        self.tweets.insert(tweet.id.clone(), tweet);
    }
}
