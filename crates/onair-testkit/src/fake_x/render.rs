//! Writing response bodies: X's envelope (`data`, `includes`, `errors`, `meta`, each present
//! only when non-empty) around pre-rendered Spaces and users.

use super::fields::{
    SPACE_EXPANSIONS, SPACE_FIELDS, SPACE_RENDER_ORDER, TOPIC_FIELDS, USER_DEFAULT_MASK,
    USER_FIELDS, USER_RENDER_ORDER, mask_of, space_field as sf,
};
use super::model::SeedTopic;
use super::params::Params;
use super::world::{StoredSpace, StoredUser, json_str};

/// A JSON object written member by member.
pub(crate) struct Obj<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> Obj<'a> {
    pub fn open(out: &'a mut String) -> Self {
        out.push('{');
        Self { out, empty: true }
    }

    /// Starts member `key`; the caller writes its value right after.
    pub fn key(&mut self, key: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        self.out
    }

    pub fn raw(&mut self, key: &str, json: &str) {
        self.key(key).push_str(json);
    }

    pub fn close(self) {
        self.out.push('}');
    }
}

/// Writes `[a,b,c]` from items that each write themselves.
pub(crate) fn array<T>(out: &mut String, items: &[T], mut write: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(out, item);
    }
    out.push(']');
}

/// Writes an array of already-rendered JSON values.
pub(crate) fn raw_values(out: &mut String, items: &[String]) {
    array(out, items, |out, v| out.push_str(v));
}

/// What a Space request asked to see.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpaceSelection {
    pub space_mask: u64,
    /// Bits index [`SPACE_EXPANSIONS`].
    pub expansions: u64,
    pub user_mask: u64,
    pub topic_mask: u64,
}

pub(crate) mod expansion {
    pub const CREATOR_ID: usize = 0;
    pub const HOST_IDS: usize = 1;
    pub const INVITED_USER_IDS: usize = 2;
    pub const SPEAKER_IDS: usize = 3;
    pub const TOPIC_IDS: usize = 4;
}

impl SpaceSelection {
    pub fn from_params(params: &Params) -> Self {
        let expansions = mask_of(&SPACE_EXPANSIONS, params.list("expansions"));
        let mut space_mask =
            mask_of(&SPACE_FIELDS, params.list("space.fields")) | (1 << sf::ID) | (1 << sf::STATE);
        // "The ID that represents the expanded data object will be included directly in the
        // Space data object."
        for (bit, field) in [
            (expansion::CREATOR_ID, sf::CREATOR_ID),
            (expansion::HOST_IDS, sf::HOST_IDS),
            (expansion::INVITED_USER_IDS, sf::INVITED_USER_IDS),
            (expansion::SPEAKER_IDS, sf::SPEAKER_IDS),
            (expansion::TOPIC_IDS, sf::TOPIC_IDS),
        ] {
            if expansions & (1 << bit) != 0 {
                space_mask |= 1 << field;
            }
        }
        Self {
            space_mask,
            expansions,
            user_mask: mask_of(&USER_FIELDS, params.list("user.fields"))
                | u64::from(USER_DEFAULT_MASK),
            topic_mask: mask_of(&TOPIC_FIELDS, params.list("topic.fields")),
        }
    }

    pub fn expands(&self, bit: usize) -> bool {
        self.expansions & (1 << bit) != 0
    }
}

/// Writes one Space. `subscriber_count` is shown only to the creator's own user token.
pub(crate) fn space(out: &mut String, space: &StoredSpace, mask: u64, viewer: Option<&str>) {
    let mut obj = Obj::open(out);
    for i in SPACE_RENDER_ORDER {
        if mask & (1 << i) == 0 {
            continue;
        }
        if i == sf::SUBSCRIBER_COUNT
            && (viewer.is_none() || viewer != space.seed.creator_id.as_deref())
        {
            continue;
        }
        if let Some(fragment) = &space.fragments[i] {
            obj.raw(SPACE_FIELDS[i], fragment);
        }
    }
    obj.close();
}

pub(crate) fn user(out: &mut String, user: &StoredUser, mask: u64) {
    let mut obj = Obj::open(out);
    for i in USER_RENDER_ORDER {
        if mask & (1 << i) != 0
            && let Some(fragment) = &user.fragments[i]
        {
            obj.raw(USER_FIELDS[i], fragment);
        }
    }
    obj.close();
}

/// Topics carry `id` and `name` by default; `topic.fields` may add `description`.
pub(crate) fn topic(out: &mut String, topic: &SeedTopic, mask: u64) {
    let mut obj = Obj::open(out);
    obj.raw("id", &json_str(&topic.id));
    obj.raw("name", &json_str(&topic.name));
    if mask & 1 != 0
        && let Some(description) = &topic.description
    {
        obj.raw("description", &json_str(description));
    }
    obj.close();
}
