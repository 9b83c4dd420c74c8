use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{NetworkId, QualifiedId};

/// Where a Space is in its life: scheduled → live → ended, or scheduled → canceled.
///
/// Networks add states without notice (X added `canceled` after its docs listed only
/// `live` and `scheduled`), so an unknown value is kept, not refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SpaceState {
    Scheduled,
    Live,
    Ended,
    Canceled,
    Other(String),
}

impl SpaceState {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Live => "live",
            Self::Ended => "ended",
            Self::Canceled => "canceled",
            Self::Other(s) => s,
        }
    }

    /// Ended and canceled Spaces will not change again.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Ended | Self::Canceled)
    }
}

impl From<&str> for SpaceState {
    fn from(s: &str) -> Self {
        match s {
            "scheduled" => Self::Scheduled,
            "live" => Self::Live,
            "ended" => Self::Ended,
            // X spells it `canceled`; accept the British spelling from other networks.
            "canceled" | "cancelled" => Self::Canceled,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for SpaceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SpaceState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SpaceState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(Self::from(s.as_ref()))
    }
}

/// A person on a network, as far as the network told us.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The network's own id for the user.
    pub native_id: String,
    pub username: Option<String>,
    pub name: Option<String>,
}

/// A live-audio room on some network. Ids inside (`creator_id`, `host_ids`, …) are the
/// network's native ids; the API qualifies them on the way out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Space {
    pub network: NetworkId,
    pub native_id: String,
    pub state: SpaceState,
    pub title: Option<String>,
    pub creator_id: Option<String>,
    pub host_ids: Vec<String>,
    pub speaker_ids: Vec<String>,
    pub invited_user_ids: Vec<String>,
    pub topic_ids: Vec<String>,
    pub participant_count: Option<u64>,
    pub subscriber_count: Option<u64>,
    pub lang: Option<String>,
    pub is_ticketed: Option<bool>,
    pub scheduled_start: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// A link a person can open to listen.
    pub url: Option<String>,
    /// Expanded users, where the network gave them.
    pub creator: Option<User>,
    pub hosts: Vec<User>,
    pub speakers: Vec<User>,
}

impl Space {
    /// A Space with only its identity and state set; networks fill in what they know.
    pub fn new(network: NetworkId, native_id: impl Into<String>, state: SpaceState) -> Self {
        Self {
            network,
            native_id: native_id.into(),
            state,
            title: None,
            creator_id: None,
            host_ids: Vec::new(),
            speaker_ids: Vec::new(),
            invited_user_ids: Vec::new(),
            topic_ids: Vec::new(),
            participant_count: None,
            subscriber_count: None,
            lang: None,
            is_ticketed: None,
            scheduled_start: None,
            started_at: None,
            ended_at: None,
            created_at: None,
            updated_at: None,
            url: None,
            creator: None,
            hosts: Vec::new(),
            speakers: Vec::new(),
        }
    }

    pub fn id(&self) -> QualifiedId {
        QualifiedId::new(self.network.clone(), self.native_id.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_states_are_kept() {
        let s: SpaceState = serde_json::from_str("\"paused\"").unwrap();
        assert_eq!(s, SpaceState::Other("paused".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"paused\"");
        let c: SpaceState = serde_json::from_str("\"canceled\"").unwrap();
        assert_eq!(c, SpaceState::Canceled);
        assert!(c.is_final() && !SpaceState::Live.is_final());
    }
}
