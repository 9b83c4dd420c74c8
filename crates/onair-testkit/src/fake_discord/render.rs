//! Discord's JSON objects, with every field the spec marks as required (`UserResponse`,
//! `UserPIIResponse`, `PrivateApplicationResponse`, `GuildResponse`, `MyGuildResponse`,
//! `GuildRoleResponse`, `GuildChannelResponse`, `GuildMemberResponse`,
//! `StageInstanceResponse`, `*ScheduledEventResponse`, `GatewayBotResponse`). Ids are strings,
//! timestamps `+00:00` with microseconds, as Discord emits them.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::model::{
    ChannelKind, OverwriteKind, ScheduledEvent, SeedChannel, SeedUser, StageInstance,
};
use super::world::{Bot, DISCORD_EPOCH_MS, Guild, World};

/// Discord's timestamp form: `2021-01-01T01:01:01.010000+00:00`.
pub fn timestamp(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

fn id(n: u64) -> Value {
    Value::String(n.to_string())
}

fn opt_id(n: Option<u64>) -> Value {
    n.map_or(Value::Null, id)
}

/// When a snowflake was made.
pub fn snowflake_time(snowflake: u64) -> DateTime<Utc> {
    let ms = (snowflake >> 22) + DISCORD_EPOCH_MS;
    DateTime::from_timestamp_millis(ms as i64).unwrap_or_default()
}

pub fn user(u: &SeedUser) -> Value {
    json!({
        "id": id(u.id),
        "username": u.username,
        "avatar": null,
        "discriminator": "0",
        "public_flags": 0,
        "flags": 0,
        "bot": u.bot,
        "banner": null,
        "accent_color": null,
        "global_name": u.global_name,
        "avatar_decoration_data": null,
        "collectibles": null,
        "primary_guild": null,
    })
}

/// `GET /users/@me` of a bot: the user with its private fields.
pub fn current_user(u: &SeedUser) -> Value {
    let mut v = user(u);
    if let Value::Object(map) = &mut v {
        map.insert("mfa_enabled".into(), json!(false));
        map.insert("locale".into(), json!("en-US"));
        map.insert("premium_type".into(), json!(0));
        map.insert("email".into(), Value::Null);
        map.insert("verified".into(), json!(true));
    }
    v
}

fn unknown_user(user_id: u64) -> SeedUser {
    SeedUser {
        id: user_id,
        username: format!("user{user_id}"),
        global_name: None,
        bot: false,
    }
}

pub fn user_by_id(world: &World, user_id: u64) -> Value {
    match world.users.get(&user_id) {
        Some(u) => user(u),
        None => user(&unknown_user(user_id)),
    }
}

/// `GET /oauth2/applications/@me` (composed from the spec's required fields).
pub fn application(world: &World, bot: &Bot) -> Value {
    let bot_user = user_by_id(world, bot.user_id);
    json!({
        "id": id(bot.user_id),
        "name": bot.application_name,
        "icon": null,
        "description": bot.application_description,
        "summary": "",
        "type": null,
        "cover_image": null,
        "bot": bot_user,
        "bot_public": true,
        "bot_require_code_grant": false,
        "rpc_origins": [],
        "verify_key": format!("{:064x}", u128::from(bot.user_id)),
        "flags": 0,
        "flags_new": "0",
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "role_connections_verification_url": null,
        "owner": user_by_id(world, bot.owner_id),
        "team": null,
        "approximate_guild_count": world.guilds.values().filter(|g| g.members.contains_key(&bot.user_id)).count(),
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "explicit_content_filter": 0,
        "eligible_oauth2_scopes": [],
        "integration_types_config": {"0": {}},
        "hook": true,
        "is_monetized": false,
        "storefront_available": false,
    })
}

pub fn role(r: &super::model::SeedRole) -> Value {
    json!({
        "id": id(r.id),
        "name": r.name,
        "description": null,
        "permissions": r.permissions.to_string(),
        "position": r.position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false,
        "managed": false,
        "mentionable": false,
        "icon": null,
        "unicode_emoji": null,
        "flags": 0,
    })
}

pub fn roles(g: &Guild) -> Vec<Value> {
    let mut roles: Vec<_> = g.roles.values().collect();
    roles.sort_by_key(|r| (r.position, r.id));
    roles.into_iter().map(role).collect()
}

/// `GET /guilds/{guild_id}`.
pub fn guild(world: &World, g: &Guild, with_counts: bool) -> Value {
    let mut v = json!({
        "id": id(g.id),
        "name": g.name,
        "icon": null,
        "description": null,
        "home_header": null,
        "splash": null,
        "discovery_splash": null,
        "features": [],
        "banner": null,
        "owner_id": id(g.owner_id),
        "application_id": null,
        "region": "deprecated",
        "afk_channel_id": null,
        "afk_timeout": 300,
        "system_channel_id": null,
        "system_channel_flags": 0,
        "widget_enabled": false,
        "widget_channel_id": null,
        "verification_level": 0,
        "roles": roles(g),
        "default_message_notifications": 0,
        "mfa_level": 0,
        "explicit_content_filter": 0,
        "max_presences": null,
        "max_members": 500000,
        "max_stage_video_channel_users": 50,
        "max_video_channel_users": 25,
        "vanity_url_code": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "rules_channel_id": null,
        "safety_alerts_channel_id": null,
        "public_updates_channel_id": null,
        "premium_progress_bar_enabled": false,
        "nsfw": false,
        "nsfw_level": 0,
        "emojis": [],
        "stickers": [],
        "incidents_data": null,
    });
    if with_counts && let Value::Object(map) = &mut v {
        map.insert("approximate_member_count".into(), json!(g.members.len()));
        map.insert("approximate_presence_count".into(), json!(0));
    }
    let _ = world;
    v
}

/// An element of `GET /users/@me/guilds`.
pub fn my_guild(world: &World, g: &Guild, user_id: u64, with_counts: bool) -> Value {
    let mut v = json!({
        "id": id(g.id),
        "name": g.name,
        "icon": null,
        "banner": null,
        "owner": g.owner_id == user_id,
        "permissions": world.base_permissions(g, user_id).to_string(),
        "features": [],
    });
    if with_counts && let Value::Object(map) = &mut v {
        map.insert("approximate_member_count".into(), json!(g.members.len()));
        map.insert("approximate_presence_count".into(), json!(0));
    }
    v
}

pub fn channel(c: &SeedChannel) -> Value {
    let overwrites: Vec<Value> = c
        .overwrites
        .iter()
        .map(|o| {
            json!({
                "id": id(o.id),
                "type": match o.kind { OverwriteKind::Role => 0, OverwriteKind::Member => 1 },
                "allow": o.allow.to_string(),
                "deny": o.deny.to_string(),
            })
        })
        .collect();
    let mut v = json!({
        "id": id(c.id),
        "type": c.kind.wire(),
        "guild_id": id(c.guild_id),
        "name": c.name,
        "position": c.position,
        "parent_id": opt_id(c.parent_id),
        "permission_overwrites": overwrites,
        "flags": 0,
    });
    let Value::Object(map) = &mut v else {
        return v;
    };
    match c.kind {
        ChannelKind::Text => {
            map.insert("topic".into(), json!(c.topic));
            map.insert("nsfw".into(), json!(false));
            map.insert("last_message_id".into(), Value::Null);
            map.insert("rate_limit_per_user".into(), json!(0));
        }
        ChannelKind::Voice | ChannelKind::Stage => {
            let stage = c.kind == ChannelKind::Stage;
            map.insert("topic".into(), json!(c.topic));
            map.insert("nsfw".into(), json!(false));
            map.insert("last_message_id".into(), Value::Null);
            map.insert("rate_limit_per_user".into(), json!(0));
            map.insert("bitrate".into(), json!(64000));
            map.insert("user_limit".into(), json!(if stage { 10000 } else { 0 }));
            map.insert("rtc_region".into(), Value::Null);
            if !stage {
                map.insert("video_quality_mode".into(), json!(1));
            }
        }
        ChannelKind::Category => {}
    }
    v
}

/// `GET /guilds/{guild_id}/members/{user_id}`; `joined_at` is the guild's creation time
/// (composed: the fake keeps no join times).
pub fn member(world: &World, g: &Guild, user_id: u64, roles: &[u64]) -> Value {
    json!({
        "user": user_by_id(world, user_id),
        "nick": null,
        "avatar": null,
        "avatar_decoration_data": null,
        "banner": null,
        "collectibles": null,
        "roles": roles.iter().map(|r| id(*r)).collect::<Vec<_>>(),
        "joined_at": timestamp(&snowflake_time(g.id)),
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "communication_disabled_until": null,
    })
}

pub fn stage_instance(s: &StageInstance) -> Value {
    json!({
        "id": id(s.id),
        "guild_id": id(s.guild_id),
        "channel_id": id(s.channel_id),
        "topic": s.topic,
        "privacy_level": s.privacy_level,
        "discoverable_disabled": false,
        "guild_scheduled_event_id": opt_id(s.guild_scheduled_event_id),
    })
}

/// A guild scheduled event: the spec's required fields, `creator`, the observed `sku_ids`,
/// and `user_count` only when asked for.
pub fn scheduled_event(world: &World, e: &ScheduledEvent, with_user_count: bool) -> Value {
    let mut v = json!({
        "id": id(e.id),
        "guild_id": id(e.guild_id),
        "channel_id": opt_id(e.channel_id),
        "creator_id": opt_id(e.creator_id),
        "name": e.name,
        "description": e.description,
        "image": null,
        "scheduled_start_time": timestamp(&e.scheduled_start_time),
        "scheduled_end_time": e.scheduled_end_time.as_ref().map(timestamp),
        "status": e.status.wire(),
        "entity_type": e.entity_type.wire(),
        "entity_id": null,
        "entity_metadata": e.location.as_ref().map(|l| json!({"location": l})),
        "recurrence_rule": null,
        "privacy_level": 2,
        "guild_scheduled_event_exceptions": [],
        "sku_ids": [],
    });
    let Value::Object(map) = &mut v else {
        return v;
    };
    if let Some(creator) = e.creator_id {
        map.insert("creator".into(), user_by_id(world, creator));
    }
    if with_user_count {
        map.insert("user_count".into(), json!(e.user_count));
    }
    v
}

/// An element of `GET …/scheduled-events/{event_id}/users`: the union of the documented
/// `{guild_scheduled_event_id, user, member?}` and the spec's `user_id` and `response`
/// (composed, as the contract advises).
pub fn event_user(
    world: &World,
    g: &Guild,
    e: &ScheduledEvent,
    user_id: u64,
    with_member: bool,
) -> Value {
    let mut v = json!({
        "guild_scheduled_event_id": id(e.id),
        "user_id": id(user_id),
        "user": user_by_id(world, user_id),
        "response": 1,
    });
    if with_member
        && let Some(roles) = g.members.get(&user_id)
        && let Value::Object(map) = &mut v
    {
        // Discord leaves `user` out of members only in message events; twilight needs it.
        map.insert("member".into(), member(world, g, user_id, roles));
    }
    v
}

/// `GET /gateway/bot` (the documented example's values; nothing listens there).
pub fn gateway_bot() -> Value {
    json!({
        "url": "wss://gateway.discord.gg",
        "shards": 1,
        "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1},
    })
}
