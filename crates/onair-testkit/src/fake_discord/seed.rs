//! The demo data set: one bot in two guilds (a third it is not in), stage channels that are
//! live, idle, locked by an overwrite and hidden from the bot, a voice channel, and scheduled
//! events in every status. Times are relative to the moment the fake starts.

use chrono::{DateTime, Duration, Utc};

use super::model::{
    ChannelKind, EntityType, EventStatus, OverwriteKind, ScheduledEvent, Seed, SeedBot,
    SeedChannel, SeedGuild, SeedMember, SeedOverwrite, SeedRole, SeedUser, StageInstance,
    permissions,
};

/// The bot (and its application: Discord gives both the same id).
pub const BOT_ID: u64 = 1_191_000_000_000_000_001;
/// The token the demo bot answers to unless a config names another.
pub const BOT_TOKEN: &str = "MTE5MTAwMDAwMDAwMDAwMDAwMQ.fake.discord-demo-bot-token";
/// The human who owns the guilds and the application.
pub const OWNER_ID: u64 = 1_191_000_000_000_000_002;
/// A member without roles.
pub const LISTENER_ID: u64 = 1_191_000_000_000_000_003;

/// A guild where the bot is a stage moderator and may create and manage events.
pub const GUILD_ID: u64 = 1_191_000_000_000_000_100;
/// The role that gives the bot its permissions in [`GUILD_ID`].
pub const MODERATOR_ROLE_ID: u64 = 1_191_000_000_000_000_101;
/// A text channel.
pub const TEXT_CHANNEL_ID: u64 = 1_191_000_000_000_000_110;
/// A live stage ([`LIVE_STAGE_INSTANCE_ID`]) belonging to [`ACTIVE_EVENT_ID`].
pub const LIVE_STAGE_CHANNEL_ID: u64 = 1_191_000_000_000_000_111;
/// A stage that is not live; [`SCHEDULED_EVENT_ID`] is planned in it.
pub const IDLE_STAGE_CHANNEL_ID: u64 = 1_191_000_000_000_000_112;
/// A voice channel.
pub const VOICE_CHANNEL_ID: u64 = 1_191_000_000_000_000_113;
/// A stage whose overwrite denies the moderator role `MUTE_MEMBERS` (so 50013).
pub const LOCKED_STAGE_CHANNEL_ID: u64 = 1_191_000_000_000_000_114;
/// A stage hidden from everyone but its owner (`VIEW_CHANNEL` denied, so 50001).
pub const HIDDEN_STAGE_CHANNEL_ID: u64 = 1_191_000_000_000_000_115;
/// A category holding the stages.
pub const CATEGORY_ID: u64 = 1_191_000_000_000_000_116;
pub const LIVE_STAGE_INSTANCE_ID: u64 = 1_191_000_000_000_000_130;
/// ACTIVE stage event in [`LIVE_STAGE_CHANNEL_ID`], 42 interested (three of them listed:
/// the bot, the owner and the listener).
pub const ACTIVE_EVENT_ID: u64 = 1_191_000_000_000_000_120;
/// SCHEDULED stage event in [`IDLE_STAGE_CHANNEL_ID`], a day after start, 7 interested.
pub const SCHEDULED_EVENT_ID: u64 = 1_191_000_000_000_000_121;
/// SCHEDULED EXTERNAL event (not a stage).
pub const EXTERNAL_EVENT_ID: u64 = 1_191_000_000_000_000_122;
/// COMPLETED stage event.
pub const COMPLETED_EVENT_ID: u64 = 1_191_000_000_000_000_123;
/// CANCELED stage event.
pub const CANCELED_EVENT_ID: u64 = 1_191_000_000_000_000_124;
/// SCHEDULED voice event in [`VOICE_CHANNEL_ID`].
pub const VOICE_EVENT_ID: u64 = 1_191_000_000_000_000_125;

/// A guild where the bot has only `@everyone`'s permissions (it can look, not act: 50013).
pub const READONLY_GUILD_ID: u64 = 1_191_000_000_000_000_200;
pub const READONLY_STAGE_CHANNEL_ID: u64 = 1_191_000_000_000_000_211;

/// A guild the bot is not in (10004 for the guild, 50001 for what is in it).
pub const FOREIGN_GUILD_ID: u64 = 1_191_000_000_000_000_300;
pub const FOREIGN_STAGE_CHANNEL_ID: u64 = 1_191_000_000_000_000_311;

/// The topic of the live stage.
pub const LIVE_TOPIC: &str = "Weekly AMA: ask the maintainers";

fn stage(id: u64, guild_id: u64, name: &str, position: i32) -> SeedChannel {
    SeedChannel {
        id,
        guild_id,
        kind: ChannelKind::Stage,
        name: name.to_owned(),
        position,
        parent_id: None,
        topic: None,
        overwrites: Vec::new(),
    }
}

fn stage_event(
    id: u64,
    channel: u64,
    name: &str,
    start: DateTime<Utc>,
    status: EventStatus,
    user_count: u32,
) -> ScheduledEvent {
    ScheduledEvent {
        id,
        guild_id: GUILD_ID,
        channel_id: Some(channel),
        creator_id: Some(OWNER_ID),
        name: name.to_owned(),
        description: Some(format!("{name}, on stage")),
        scheduled_start_time: start,
        scheduled_end_time: None,
        status,
        entity_type: EntityType::StageInstance,
        location: None,
        user_count,
        interested: Vec::new(),
    }
}

/// The demo data, with `bot_token` for the bot.
pub fn demo(bot_token: &str) -> Seed {
    let now = Utc::now();
    let hour = Duration::hours(1);
    let moderator = permissions::STAGE_MODERATOR
        | permissions::CREATE_EVENTS
        | permissions::MANAGE_EVENTS
        | permissions::VIEW_CHANNEL
        | permissions::CONNECT;
    let mut live = stage(LIVE_STAGE_CHANNEL_ID, GUILD_ID, "Town Hall", 2);
    live.parent_id = Some(CATEGORY_ID);
    live.topic = Some("Where the weekly AMA happens".to_owned());
    let mut idle = stage(IDLE_STAGE_CHANNEL_ID, GUILD_ID, "Studio B", 3);
    idle.parent_id = Some(CATEGORY_ID);
    let mut locked = stage(LOCKED_STAGE_CHANNEL_ID, GUILD_ID, "Backstage", 4);
    locked.overwrites.push(SeedOverwrite {
        id: MODERATOR_ROLE_ID,
        kind: OverwriteKind::Role,
        allow: 0,
        deny: permissions::MUTE_MEMBERS,
    });
    let mut hidden = stage(HIDDEN_STAGE_CHANNEL_ID, GUILD_ID, "Green Room", 5);
    hidden.overwrites.push(SeedOverwrite {
        id: GUILD_ID,
        kind: OverwriteKind::Role,
        allow: 0,
        deny: permissions::VIEW_CHANNEL,
    });
    Seed {
        bots: vec![SeedBot {
            user: SeedUser {
                id: BOT_ID,
                username: "onair-bot".to_owned(),
                global_name: None,
                bot: true,
            },
            application_name: "onair".to_owned(),
            application_description: "Live audio rooms for every network".to_owned(),
            owner_id: OWNER_ID,
            tokens: vec![bot_token.to_owned()],
        }],
        users: vec![
            SeedUser {
                id: OWNER_ID,
                username: "maintainer".to_owned(),
                global_name: Some("The Maintainer".to_owned()),
                bot: false,
            },
            SeedUser {
                id: LISTENER_ID,
                username: "listener".to_owned(),
                global_name: None,
                bot: false,
            },
        ],
        guilds: vec![
            SeedGuild {
                id: GUILD_ID,
                name: "onair community".to_owned(),
                owner_id: OWNER_ID,
                everyone_permissions: permissions::VIEW_CHANNEL
                    | permissions::CONNECT
                    | permissions::REQUEST_TO_SPEAK,
                roles: vec![SeedRole {
                    id: MODERATOR_ROLE_ID,
                    name: "Stage Moderator".to_owned(),
                    permissions: moderator,
                    position: 1,
                }],
                members: vec![
                    SeedMember {
                        user_id: BOT_ID,
                        roles: vec![MODERATOR_ROLE_ID],
                    },
                    SeedMember {
                        user_id: LISTENER_ID,
                        roles: Vec::new(),
                    },
                ],
            },
            SeedGuild {
                id: READONLY_GUILD_ID,
                name: "read-only guild".to_owned(),
                owner_id: OWNER_ID,
                everyone_permissions: permissions::VIEW_CHANNEL | permissions::CONNECT,
                roles: Vec::new(),
                members: vec![SeedMember {
                    user_id: BOT_ID,
                    roles: Vec::new(),
                }],
            },
            SeedGuild {
                id: FOREIGN_GUILD_ID,
                name: "somebody else's guild".to_owned(),
                owner_id: OWNER_ID,
                everyone_permissions: permissions::VIEW_CHANNEL | permissions::CONNECT,
                roles: Vec::new(),
                members: Vec::new(),
            },
        ],
        channels: vec![
            SeedChannel {
                id: TEXT_CHANNEL_ID,
                guild_id: GUILD_ID,
                kind: ChannelKind::Text,
                name: "general".to_owned(),
                position: 0,
                parent_id: None,
                topic: Some("Say hello".to_owned()),
                overwrites: Vec::new(),
            },
            SeedChannel {
                id: CATEGORY_ID,
                guild_id: GUILD_ID,
                kind: ChannelKind::Category,
                name: "Stages".to_owned(),
                position: 1,
                parent_id: None,
                topic: None,
                overwrites: Vec::new(),
            },
            live,
            idle,
            locked,
            hidden,
            SeedChannel {
                id: VOICE_CHANNEL_ID,
                guild_id: GUILD_ID,
                kind: ChannelKind::Voice,
                name: "Lounge".to_owned(),
                position: 6,
                parent_id: None,
                topic: None,
                overwrites: Vec::new(),
            },
            stage(
                READONLY_STAGE_CHANNEL_ID,
                READONLY_GUILD_ID,
                "Auditorium",
                0,
            ),
            stage(FOREIGN_STAGE_CHANNEL_ID, FOREIGN_GUILD_ID, "Elsewhere", 0),
        ],
        scheduled_events: vec![
            ScheduledEvent {
                interested: vec![LISTENER_ID, OWNER_ID, BOT_ID],
                ..stage_event(
                    ACTIVE_EVENT_ID,
                    LIVE_STAGE_CHANNEL_ID,
                    "Weekly AMA",
                    now - hour,
                    EventStatus::Active,
                    42,
                )
            },
            stage_event(
                SCHEDULED_EVENT_ID,
                IDLE_STAGE_CHANNEL_ID,
                "Release party",
                now + Duration::days(1),
                EventStatus::Scheduled,
                7,
            ),
            ScheduledEvent {
                id: EXTERNAL_EVENT_ID,
                guild_id: GUILD_ID,
                channel_id: None,
                creator_id: Some(OWNER_ID),
                name: "Meetup".to_owned(),
                description: None,
                scheduled_start_time: now + Duration::days(2),
                scheduled_end_time: Some(now + Duration::days(2) + hour * 3),
                status: EventStatus::Scheduled,
                entity_type: EntityType::External,
                location: Some("Community hall, Berlin".to_owned()),
                user_count: 3,
                interested: vec![OWNER_ID, LISTENER_ID],
            },
            stage_event(
                COMPLETED_EVENT_ID,
                IDLE_STAGE_CHANNEL_ID,
                "Last week's AMA",
                now - Duration::days(7),
                EventStatus::Completed,
                30,
            ),
            stage_event(
                CANCELED_EVENT_ID,
                IDLE_STAGE_CHANNEL_ID,
                "Postponed talk",
                now - Duration::days(3),
                EventStatus::Canceled,
                2,
            ),
            ScheduledEvent {
                entity_type: EntityType::Voice,
                ..stage_event(
                    VOICE_EVENT_ID,
                    VOICE_CHANNEL_ID,
                    "Hangout",
                    now + hour * 5,
                    EventStatus::Scheduled,
                    1,
                )
            },
        ],
        stage_instances: vec![StageInstance {
            id: LIVE_STAGE_INSTANCE_ID,
            guild_id: GUILD_ID,
            channel_id: LIVE_STAGE_CHANNEL_ID,
            topic: LIVE_TOPIC.to_owned(),
            privacy_level: 2,
            guild_scheduled_event_id: Some(ACTIVE_EVENT_ID),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_seed_round_trips_through_a_seed_file() {
        let seed = demo("token");
        let text = serde_json::to_string_pretty(&seed).unwrap();
        let read: Seed = serde_json::from_str(&text).unwrap();
        assert_eq!(read, seed);
        // A hand-written file may leave out everything that has a default.
        let minimal: Seed = serde_json::from_str(
            r#"{"guilds": [{"id": 5, "name": "g", "owner_id": 6}],
                "channels": [{"id": 7, "guild_id": 5, "kind": "stage", "name": "s"}]}"#,
        )
        .unwrap();
        assert_eq!(
            minimal.guilds[0].everyone_permissions & permissions::VIEW_CHANNEL,
            permissions::VIEW_CHANNEL
        );
        assert_eq!(minimal.channels[0].kind, ChannelKind::Stage);
    }

    #[test]
    fn demo_ids_are_unique_non_zero_snowflakes() {
        let seed = demo("token");
        let mut ids: Vec<u64> = seed.guilds.iter().map(|g| g.id).collect();
        ids.extend(seed.channels.iter().map(|c| c.id));
        ids.extend(seed.scheduled_events.iter().map(|e| e.id));
        ids.extend(seed.stage_instances.iter().map(|s| s.id));
        ids.extend(seed.users.iter().map(|u| u.id));
        ids.extend(
            seed.guilds
                .iter()
                .flat_map(|g| g.roles.iter().map(|r| r.id)),
        );
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count);
        assert!(ids.iter().all(|id| *id > 0 && *id <= i64::MAX as u64));
    }
}
