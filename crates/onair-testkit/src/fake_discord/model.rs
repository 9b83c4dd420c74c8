//! What a test seeds: bots and their applications, users, guilds with roles and members,
//! channels with permission overwrites, scheduled events and live stage instances. Ids are
//! `u64` snowflakes here and decimal strings on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Permission bits the fake computes (Discord's `topics/permissions` table).
pub mod permissions {
    pub const ADMINISTRATOR: u64 = 1 << 3;
    pub const MANAGE_CHANNELS: u64 = 1 << 4;
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const MENTION_EVERYONE: u64 = 1 << 17;
    pub const CONNECT: u64 = 1 << 20;
    pub const MUTE_MEMBERS: u64 = 1 << 22;
    pub const MOVE_MEMBERS: u64 = 1 << 24;
    pub const REQUEST_TO_SPEAK: u64 = 1 << 32;
    pub const MANAGE_EVENTS: u64 = 1 << 33;
    pub const CREATE_EVENTS: u64 = 1 << 44;
    /// What a stage moderator holds in the channel: needed to create, modify and delete a
    /// stage instance, and (with the event permissions) to manage stage events.
    pub const STAGE_MODERATOR: u64 = MANAGE_CHANNELS | MUTE_MEMBERS | MOVE_MEMBERS;
    /// Every bit Discord defines today (what an owner or administrator has).
    pub const ALL: u64 = (1 << 51) - 1;
}

/// A user; bots are users with `bot: true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedUser {
    pub id: u64,
    pub username: String,
    #[serde(default)]
    pub global_name: Option<String>,
    #[serde(default)]
    pub bot: bool,
}

/// A bot: its user and the application it belongs to (Discord gives both the same id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedBot {
    pub user: SeedUser,
    pub application_name: String,
    #[serde(default)]
    pub application_description: String,
    /// The user who owns the application.
    pub owner_id: u64,
    /// Tokens that authenticate as this bot (`Authorization: Bot <token>`).
    pub tokens: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedRole {
    pub id: u64,
    pub name: String,
    pub permissions: u64,
    #[serde(default)]
    pub position: i32,
}

/// A guild. Its `@everyone` role has the guild's id; one is added (with
/// [`SeedGuild::everyone_permissions`]) when `roles` has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedGuild {
    pub id: u64,
    pub name: String,
    pub owner_id: u64,
    #[serde(default = "default_everyone")]
    pub everyone_permissions: u64,
    #[serde(default)]
    pub roles: Vec<SeedRole>,
    /// Members and the ids of their roles (`@everyone` is implied).
    #[serde(default)]
    pub members: Vec<SeedMember>,
}

fn default_everyone() -> u64 {
    permissions::VIEW_CHANNEL | permissions::CONNECT | permissions::REQUEST_TO_SPEAK
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedMember {
    pub user_id: u64,
    #[serde(default)]
    pub roles: Vec<u64>,
}

/// Channel types the fake serves (`type` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// 0 `GUILD_TEXT`
    Text,
    /// 2 `GUILD_VOICE`
    Voice,
    /// 4 `GUILD_CATEGORY`
    Category,
    /// 13 `GUILD_STAGE_VOICE`
    Stage,
}

impl ChannelKind {
    pub fn wire(self) -> u8 {
        match self {
            ChannelKind::Text => 0,
            ChannelKind::Voice => 2,
            ChannelKind::Category => 4,
            ChannelKind::Stage => 13,
        }
    }
}

/// Whom a permission overwrite applies to (`type` 0 role, 1 member).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverwriteKind {
    Role,
    Member,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedOverwrite {
    /// A role id (the guild id for `@everyone`) or a user id.
    pub id: u64,
    pub kind: OverwriteKind,
    #[serde(default)]
    pub allow: u64,
    #[serde(default)]
    pub deny: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedChannel {
    pub id: u64,
    pub guild_id: u64,
    pub kind: ChannelKind,
    pub name: String,
    #[serde(default)]
    pub position: i32,
    #[serde(default)]
    pub parent_id: Option<u64>,
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default)]
    pub overwrites: Vec<SeedOverwrite>,
}

/// `status` of a guild scheduled event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Scheduled,
    Active,
    Completed,
    Canceled,
}

impl EventStatus {
    pub fn wire(self) -> u8 {
        match self {
            EventStatus::Scheduled => 1,
            EventStatus::Active => 2,
            EventStatus::Completed => 3,
            EventStatus::Canceled => 4,
        }
    }

    pub fn from_wire(n: u64) -> Option<Self> {
        Some(match n {
            1 => EventStatus::Scheduled,
            2 => EventStatus::Active,
            3 => EventStatus::Completed,
            4 => EventStatus::Canceled,
            _ => return None,
        })
    }

    /// COMPLETED and CANCELED are final.
    pub fn is_finished(self) -> bool {
        matches!(self, EventStatus::Completed | EventStatus::Canceled)
    }

    /// The transitions Discord allows: SCHEDULED→ACTIVE, ACTIVE→COMPLETED, SCHEDULED→CANCELED.
    pub fn can_become(self, next: EventStatus) -> bool {
        self == next
            || matches!(
                (self, next),
                (EventStatus::Scheduled, EventStatus::Active)
                    | (EventStatus::Active, EventStatus::Completed)
                    | (EventStatus::Scheduled, EventStatus::Canceled)
            )
    }
}

/// `entity_type` of a guild scheduled event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    StageInstance,
    Voice,
    External,
}

impl EntityType {
    pub fn wire(self) -> u8 {
        match self {
            EntityType::StageInstance => 1,
            EntityType::Voice => 2,
            EntityType::External => 3,
        }
    }

    pub fn from_wire(n: u64) -> Option<Self> {
        Some(match n {
            1 => EntityType::StageInstance,
            2 => EntityType::Voice,
            3 => EntityType::External,
            _ => return None,
        })
    }
}

/// A guild scheduled event, as seeded and as the fake keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledEvent {
    pub id: u64,
    pub guild_id: u64,
    /// `None` for EXTERNAL events.
    pub channel_id: Option<u64>,
    pub creator_id: Option<u64>,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub scheduled_start_time: DateTime<Utc>,
    #[serde(default)]
    pub scheduled_end_time: Option<DateTime<Utc>>,
    pub status: EventStatus,
    pub entity_type: EntityType,
    /// `entity_metadata.location` of EXTERNAL events.
    #[serde(default)]
    pub location: Option<String>,
    /// How many users are interested (`user_count` with `with_user_count=true`).
    #[serde(default)]
    pub user_count: u32,
    /// Ids of interested users that `GET …/scheduled-events/{id}/users` lists (Discord's
    /// count may be larger than the users a bot is shown).
    #[serde(default)]
    pub interested: Vec<u64>,
}

/// A live stage: a stage instance in a `GUILD_STAGE_VOICE` channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageInstance {
    pub id: u64,
    pub guild_id: u64,
    pub channel_id: u64,
    pub topic: String,
    /// 2 GUILD_ONLY (1 PUBLIC is deprecated but still accepted).
    #[serde(default = "guild_only")]
    pub privacy_level: u8,
    #[serde(default)]
    pub guild_scheduled_event_id: Option<u64>,
}

fn guild_only() -> u8 {
    2
}

/// A whole data set: what `onair-fake-discord --seed FILE` reads (JSON, ids as numbers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seed {
    #[serde(default)]
    pub bots: Vec<SeedBot>,
    #[serde(default)]
    pub users: Vec<SeedUser>,
    #[serde(default)]
    pub guilds: Vec<SeedGuild>,
    #[serde(default)]
    pub channels: Vec<SeedChannel>,
    #[serde(default)]
    pub scheduled_events: Vec<ScheduledEvent>,
    #[serde(default)]
    pub stage_instances: Vec<StageInstance>,
}
