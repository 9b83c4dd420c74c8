//! What each route answers, given an authenticated bot: validation first (50035 with every
//! field error), then unknown objects (100xx), access (50001) and permissions (50013), then
//! the state change. Stage instances and scheduled events link and move through their
//! statuses as Discord allows.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::errors::{ApiError, FormErrors};
use super::form::{Field, Form, query_bool, query_int, query_snowflake};
use super::model::{
    ChannelKind, EntityType, EventStatus, ScheduledEvent, SeedChannel, StageInstance, permissions,
};
use super::render;
use super::route::{Matched, Route};
use super::world::{Guild, World};

/// A successful answer.
#[derive(Debug)]
pub(crate) enum Answer {
    Json(Value),
    /// 204, empty body.
    NoContent,
}

/// One authenticated request.
pub(crate) struct Call<'a> {
    pub matched: Matched,
    pub bot: u64,
    pub query: &'a [(String, String)],
    pub body: Option<&'a Value>,
    pub now: DateTime<Utc>,
}

type Answered = Result<Answer, ApiError>;

fn json(v: Value) -> Answered {
    Ok(Answer::Json(v))
}

pub(crate) fn handle(world: &mut World, call: &Call<'_>) -> Answered {
    let major = call.matched.major.unwrap_or_default();
    let minor = call.matched.minor.unwrap_or_default();
    match call.matched.route {
        Route::GetCurrentUser => {
            let user = world
                .users
                .get(&call.bot)
                .ok_or_else(ApiError::unauthorized)?;
            json(render::current_user(user))
        }
        Route::GetCurrentUserGuilds => my_guilds(world, call),
        Route::GetCurrentApplication | Route::GetMyApplication => {
            let bot = world
                .bots
                .get(&call.bot)
                .ok_or_else(ApiError::unauthorized)?;
            json(render::application(world, bot))
        }
        Route::GetGatewayBot => json(render::gateway_bot()),
        Route::GetGuild => {
            let mut errors = FormErrors::default();
            let with_counts = query_bool(call.query, "with_counts", &mut errors);
            errors.into_result()?;
            // Since 2023-01 Discord answers 10004, not 50001, for a guild the bot is not in.
            let guild = world
                .guilds
                .get(&major)
                .filter(|g| world.is_member(g, call.bot))
                .ok_or_else(ApiError::unknown_guild)?;
            json(render::guild(world, guild, with_counts.unwrap_or(false)))
        }
        Route::GetGuildChannels => {
            let guild = member_guild(world, major, call.bot)?;
            let mut channels: Vec<&SeedChannel> = world
                .channels
                .values()
                .filter(|c| c.guild_id == guild.id)
                .collect();
            channels.sort_by_key(|c| (c.position, c.id));
            json(Value::Array(
                channels.into_iter().map(render::channel).collect(),
            ))
        }
        Route::GetGuildRoles => {
            let guild = member_guild(world, major, call.bot)?;
            json(Value::Array(render::roles(guild)))
        }
        Route::GetGuildMember => {
            let guild = member_guild(world, major, call.bot)?;
            let roles = guild
                .members
                .get(&minor)
                .ok_or_else(ApiError::unknown_member)?;
            json(render::member(world, guild, minor, roles))
        }
        Route::GetChannel => {
            let channel = visible_channel(world, major, call.bot)?;
            json(render::channel(channel))
        }
        Route::CreateStageInstance => create_stage(world, call),
        Route::GetStageInstance => {
            visible_channel(world, major, call.bot)?;
            let stage = world
                .stages
                .get(&major)
                .ok_or_else(ApiError::unknown_stage_instance)?;
            json(render::stage_instance(stage))
        }
        Route::UpdateStageInstance => update_stage(world, call, major),
        Route::DeleteStageInstance => {
            let channel = visible_channel(world, major, call.bot)?;
            require(
                world.channel_permissions(channel, call.bot),
                permissions::STAGE_MODERATOR,
            )?;
            world
                .stages
                .remove(&major)
                .ok_or_else(ApiError::unknown_stage_instance)?;
            Ok(Answer::NoContent)
        }
        Route::ListScheduledEvents => {
            let mut errors = FormErrors::default();
            let with_count = query_bool(call.query, "with_user_count", &mut errors);
            errors.into_result()?;
            let guild = member_guild(world, major, call.bot)?;
            let events: Vec<Value> = world
                .events
                .values()
                .filter(|e| e.guild_id == guild.id && can_see_event(world, e, call.bot))
                .map(|e| render::scheduled_event(world, e, with_count.unwrap_or(false)))
                .collect();
            json(Value::Array(events))
        }
        Route::CreateScheduledEvent => create_event(world, call, major),
        Route::GetScheduledEvent => {
            let mut errors = FormErrors::default();
            let with_count = query_bool(call.query, "with_user_count", &mut errors);
            errors.into_result()?;
            member_guild(world, major, call.bot)?;
            let event = guild_event(world, major, minor)?;
            if !can_see_event(world, event, call.bot) {
                return Err(ApiError::missing_access());
            }
            json(render::scheduled_event(
                world,
                event,
                with_count.unwrap_or(false),
            ))
        }
        Route::UpdateScheduledEvent => update_event(world, call, major, minor),
        Route::ListScheduledEventUsers => event_users(world, call, major, minor),
        Route::DeleteScheduledEvent => {
            member_guild(world, major, call.bot)?;
            let event = guild_event(world, major, minor)?.clone();
            require_event_permissions(world, &event, call.bot)?;
            world.events.remove(&minor);
            for stage in world.stages.values_mut() {
                if stage.guild_scheduled_event_id == Some(minor) {
                    stage.guild_scheduled_event_id = None;
                }
            }
            Ok(Answer::NoContent)
        }
    }
}

/// 50013 unless `held` has every bit of `needed`.
fn require(held: u64, needed: u64) -> Result<(), ApiError> {
    if held & needed == needed {
        Ok(())
    } else {
        Err(ApiError::missing_permissions())
    }
}

/// A guild the bot is in: 10004 when there is none, 50001 when the bot is not a member.
fn member_guild(world: &World, guild_id: u64, bot: u64) -> Result<&Guild, ApiError> {
    let guild = world
        .guilds
        .get(&guild_id)
        .ok_or_else(ApiError::unknown_guild)?;
    if world.is_member(guild, bot) {
        Ok(guild)
    } else {
        Err(ApiError::missing_access())
    }
}

/// A channel the bot can see: 10003 unknown, 50001 without the guild or `VIEW_CHANNEL`.
fn visible_channel(world: &World, channel_id: u64, bot: u64) -> Result<&SeedChannel, ApiError> {
    let channel = world
        .channels
        .get(&channel_id)
        .ok_or_else(ApiError::unknown_channel)?;
    let guild = world
        .guilds
        .get(&channel.guild_id)
        .ok_or_else(ApiError::unknown_channel)?;
    if !world.is_member(guild, bot)
        || world.channel_permissions(channel, bot) & permissions::VIEW_CHANNEL == 0
    {
        return Err(ApiError::missing_access());
    }
    Ok(channel)
}

fn guild_event(world: &World, guild_id: u64, event_id: u64) -> Result<&ScheduledEvent, ApiError> {
    world
        .events
        .get(&event_id)
        .filter(|e| e.guild_id == guild_id)
        .ok_or_else(ApiError::unknown_event)
}

/// Stage and voice events need `VIEW_CHANNEL` on their channel to be seen.
fn can_see_event(world: &World, event: &ScheduledEvent, bot: u64) -> bool {
    match event.channel_id.and_then(|c| world.channels.get(&c)) {
        Some(channel) => world.channel_permissions(channel, bot) & permissions::VIEW_CHANNEL != 0,
        None => true,
    }
}

fn my_guilds(world: &World, call: &Call<'_>) -> Answered {
    let mut errors = FormErrors::default();
    let limit = query_int(call.query, "limit", 1, 200, &mut errors).unwrap_or(200) as usize;
    let before = query_snowflake(call.query, "before", &mut errors);
    let after = query_snowflake(call.query, "after", &mut errors);
    let with_counts = query_bool(call.query, "with_counts", &mut errors).unwrap_or(false);
    errors.into_result()?;
    let mine: Vec<&Guild> = world
        .guilds
        .values()
        .filter(|g| world.is_member(g, call.bot))
        .collect();
    let page: Vec<&Guild> = if let Some(before) = before {
        let earlier: Vec<&Guild> = mine.into_iter().filter(|g| g.id < before).collect();
        let skip = earlier.len().saturating_sub(limit);
        earlier.into_iter().skip(skip).collect()
    } else {
        let after = after.unwrap_or(0);
        mine.into_iter()
            .filter(|g| g.id > after)
            .take(limit)
            .collect()
    };
    json(Value::Array(
        page.into_iter()
            .map(|g| render::my_guild(world, g, call.bot, with_counts))
            .collect(),
    ))
}

fn create_stage(world: &mut World, call: &Call<'_>) -> Answered {
    let mut form = Form::new(call.body)?;
    let channel_id = form.snowflake("channel_id");
    let topic = form.string("topic", 1, 120);
    let privacy = form.choice("privacy_level", &[1, 2]);
    form.boolean("send_start_notification");
    let event_id = form.snowflake("guild_scheduled_event_id");
    if !form.has("channel_id") || matches!(channel_id, Field::Null) {
        form.errors.required(&["channel_id"]);
    }
    if !form.has("topic") || matches!(topic, Field::Null) {
        form.errors.required(&["topic"]);
    }
    form.finish()?;
    let (Some(channel_id), Some(topic)) = (channel_id.set(), topic.set()) else {
        return Err(FormErrors::default().into_error());
    };
    let channel = visible_channel(world, channel_id, call.bot)?;
    if channel.kind != ChannelKind::Stage {
        return Err(ApiError::wrong_channel_type());
    }
    require(
        world.channel_permissions(channel, call.bot),
        permissions::STAGE_MODERATOR,
    )?;
    let guild_id = channel.guild_id;
    if world.stages.contains_key(&channel_id) {
        return Err(ApiError::stage_already_open());
    }
    let linked = match event_id.set() {
        Some(event_id) => {
            let event = guild_event(world, guild_id, event_id)?;
            if event.entity_type != EntityType::StageInstance
                || event.channel_id != Some(channel_id)
            {
                return Err(ApiError::entity_type_mismatch());
            }
            if event.status.is_finished() {
                return Err(ApiError::event_finished());
            }
            Some(event_id)
        }
        // A stage opened in a channel whose stage event is running belongs to that event.
        None => world
            .events
            .values()
            .find(|e| {
                e.channel_id == Some(channel_id)
                    && e.entity_type == EntityType::StageInstance
                    && e.status == EventStatus::Active
            })
            .map(|e| e.id),
    };
    // Inferred from 50091 ("the entity you are trying to start"): opening a stage for a
    // scheduled event starts that event.
    if let Some(event) = linked.and_then(|id| world.events.get_mut(&id))
        && event.status == EventStatus::Scheduled
    {
        event.status = EventStatus::Active;
    }
    let stage = StageInstance {
        id: world.next_id(),
        guild_id,
        channel_id,
        topic,
        privacy_level: privacy.set().map_or(2, |p| p as u8),
        guild_scheduled_event_id: linked,
    };
    let body = render::stage_instance(&stage);
    world.stages.insert(channel_id, stage);
    json(body)
}

fn update_stage(world: &mut World, call: &Call<'_>, channel_id: u64) -> Answered {
    let mut form = Form::new(call.body)?;
    let topic = form.string("topic", 1, 120);
    let privacy = form.choice("privacy_level", &[1, 2]);
    form.finish()?;
    let channel = visible_channel(world, channel_id, call.bot)?;
    require(
        world.channel_permissions(channel, call.bot),
        permissions::STAGE_MODERATOR,
    )?;
    let stage = world
        .stages
        .get_mut(&channel_id)
        .ok_or_else(ApiError::unknown_stage_instance)?;
    if let Some(topic) = topic.set() {
        stage.topic = topic;
    }
    if let Some(privacy) = privacy.set() {
        stage.privacy_level = privacy as u8;
    }
    json(render::stage_instance(stage))
}

/// The fields of a create or update body, read and checked on their own.
struct EventForm {
    name: Field<String>,
    description: Field<String>,
    start: Field<DateTime<Utc>>,
    end: Field<DateTime<Utc>>,
    entity_type: Field<u64>,
    channel_id: Field<u64>,
    location: Field<String>,
    metadata_given: bool,
    status: Field<u64>,
}

fn read_event_form(form: &mut Form<'_>) -> EventForm {
    let name = form.string("name", 1, 100);
    let description = form.string("description", 0, 1000);
    let start = form.time("scheduled_start_time");
    let end = form.time("scheduled_end_time");
    let entity_type = form.choice("entity_type", &[1, 2, 3]);
    let channel_id = form.snowflake("channel_id");
    form.choice("privacy_level", &[2]);
    let status = form.choice("status", &[1, 2, 3, 4]);
    let metadata = form.object("entity_metadata");
    let metadata_given = matches!(metadata, Field::Set(_));
    let location = match metadata {
        Field::Set(map) => match map.get("location") {
            None | Some(Value::Null) => Field::Absent,
            Some(Value::String(s)) if (1..=100).contains(&s.chars().count()) => {
                Field::Set(s.clone())
            }
            Some(Value::String(_)) => {
                form.errors
                    .bad_length(&["entity_metadata", "location"], 1, 100);
                Field::Absent
            }
            Some(_) => {
                form.errors.wrong_type(
                    &["entity_metadata", "location"],
                    "STRING_TYPE_CONVERT",
                    "a string",
                );
                Field::Absent
            }
        },
        _ => Field::Absent,
    };
    EventForm {
        name,
        description,
        start,
        end,
        entity_type,
        channel_id,
        location,
        metadata_given,
        status,
    }
}

/// Composed codes: Discord's texts for these rules are not captured in the contract.
fn check_times(errors: &mut FormErrors, start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) {
    if let (Some(start), Some(end)) = (start, end)
        && end <= start
    {
        errors.add(
            &["scheduled_end_time"],
            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
            "Cannot schedule event to end before starting.",
        );
    }
}

fn past_start(errors: &mut FormErrors) {
    errors.add(
        &["scheduled_start_time"],
        "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
        "Cannot schedule event in the past.",
    );
}

/// The per-entity rules: STAGE_INSTANCE and VOICE need a channel; EXTERNAL needs no
/// channel, a location and an end time.
fn check_entity(
    errors: &mut FormErrors,
    kind: EntityType,
    channel: Option<u64>,
    location: Option<&str>,
    end: Option<DateTime<Utc>>,
) {
    match kind {
        EntityType::StageInstance | EntityType::Voice => {
            if channel.is_none() {
                errors.required(&["channel_id"]);
            }
        }
        EntityType::External => {
            if channel.is_some() {
                // Composed.
                errors.add(
                    &["channel_id"],
                    "GUILD_SCHEDULED_EVENT_CHANNEL_NOT_ALLOWED",
                    "Channel must be null for external events.",
                );
            }
            if location.is_none() {
                errors.required(&["entity_metadata", "location"]);
            }
            if end.is_none() {
                errors.required(&["scheduled_end_time"]);
            }
        }
    }
}

/// The channel an event uses: in the guild (10003 otherwise), of the entity's type (50024).
fn event_channel(
    world: &World,
    guild_id: u64,
    kind: EntityType,
    channel_id: Option<u64>,
) -> Result<Option<SeedChannel>, ApiError> {
    let Some(channel_id) = channel_id else {
        return Ok(None);
    };
    let channel = world
        .channels
        .get(&channel_id)
        .filter(|c| c.guild_id == guild_id)
        .ok_or_else(ApiError::unknown_channel)?;
    let fits = match kind {
        EntityType::StageInstance => channel.kind == ChannelKind::Stage,
        EntityType::Voice => channel.kind == ChannelKind::Voice,
        EntityType::External => true,
    };
    if fits {
        Ok(Some(channel.clone()))
    } else {
        Err(ApiError::wrong_channel_type())
    }
}

/// The entity part of an event's permissions: stage moderator for stage events,
/// `VIEW_CHANNEL` + `CONNECT` for voice events, nothing more for external ones.
fn entity_permissions(
    world: &World,
    kind: EntityType,
    channel: Option<&SeedChannel>,
    bot: u64,
    event_bits: u64,
) -> Result<(), ApiError> {
    match (kind, channel) {
        (EntityType::StageInstance, Some(c)) => {
            let held = world.channel_permissions(c, bot);
            if held & permissions::VIEW_CHANNEL == 0 {
                return Err(ApiError::missing_access());
            }
            require(held, event_bits | permissions::STAGE_MODERATOR)
        }
        (EntityType::Voice, Some(c)) => {
            let held = world.channel_permissions(c, bot);
            if held & permissions::VIEW_CHANNEL == 0 {
                return Err(ApiError::missing_access());
            }
            require(held, event_bits | permissions::CONNECT)
        }
        _ => Ok(()),
    }
}

/// What modifying or deleting `event` needs: `CREATE_EVENTS` or `MANAGE_EVENTS` for the
/// bot's own events, `MANAGE_EVENTS` for others', plus the entity's permissions.
fn require_event_permissions(
    world: &World,
    event: &ScheduledEvent,
    bot: u64,
) -> Result<(), ApiError> {
    let guild = member_guild(world, event.guild_id, bot)?;
    let channel = event.channel_id.and_then(|c| world.channels.get(&c));
    let held = match channel {
        Some(c) => world.channel_permissions(c, bot),
        None => world.base_permissions(guild, bot),
    };
    let own = event.creator_id == Some(bot);
    let event_ok =
        held & permissions::MANAGE_EVENTS != 0 || (own && held & permissions::CREATE_EVENTS != 0);
    if !event_ok {
        if channel.is_some() && held & permissions::VIEW_CHANNEL == 0 {
            return Err(ApiError::missing_access());
        }
        return Err(ApiError::missing_permissions());
    }
    entity_permissions(world, event.entity_type, channel, bot, 0)
}

fn create_event(world: &mut World, call: &Call<'_>, guild_id: u64) -> Answered {
    let mut form = Form::new(call.body)?;
    let f = read_event_form(&mut form);
    for key in [
        "name",
        "privacy_level",
        "scheduled_start_time",
        "entity_type",
    ] {
        if !form.has(key) || form_null(call.body, key) {
            form.errors.required(&[key]);
        }
    }
    let start = f.start.clone().set();
    if start.is_some_and(|s| s <= call.now) {
        past_start(&mut form.errors);
    }
    check_times(&mut form.errors, start, f.end.clone().set());
    let kind = f.entity_type.clone().set().and_then(EntityType::from_wire);
    if let Some(kind) = kind {
        check_entity(
            &mut form.errors,
            kind,
            f.channel_id.clone().set(),
            f.location.clone().set().as_deref(),
            f.end.clone().set(),
        );
    }
    form.finish()?;
    let (Some(name), Some(start), Some(kind)) = (f.name.set(), start, kind) else {
        return Err(FormErrors::default().into_error());
    };
    let guild = member_guild(world, guild_id, call.bot)?;
    let channel = event_channel(world, guild_id, kind, f.channel_id.clone().set())?;
    match kind {
        EntityType::External => require(
            world.base_permissions(guild, call.bot),
            permissions::CREATE_EVENTS,
        )?,
        _ => entity_permissions(
            world,
            kind,
            channel.as_ref(),
            call.bot,
            permissions::CREATE_EVENTS,
        )?,
    }
    if world.uncompleted_events(guild_id) >= 100 {
        return Err(ApiError::too_many_events());
    }
    let event = ScheduledEvent {
        id: world.next_id(),
        guild_id,
        channel_id: channel.map(|c| c.id),
        creator_id: Some(call.bot),
        name,
        description: f.description.set(),
        scheduled_start_time: start,
        scheduled_end_time: f.end.set(),
        status: EventStatus::Scheduled,
        entity_type: kind,
        location: if kind == EntityType::External {
            f.location.set()
        } else {
            None
        },
        user_count: 0,
        interested: Vec::new(),
    };
    let body = render::scheduled_event(world, &event, false);
    world.events.insert(event.id, event);
    json(body)
}

fn form_null(body: Option<&Value>, key: &str) -> bool {
    body.and_then(|b| b.get(key)).is_some_and(Value::is_null)
}

fn update_event(world: &mut World, call: &Call<'_>, guild_id: u64, event_id: u64) -> Answered {
    let mut form = Form::new(call.body)?;
    let f = read_event_form(&mut form);
    form.finish()?;
    member_guild(world, guild_id, call.bot)?;
    let current = guild_event(world, guild_id, event_id)?.clone();
    if current.status.is_finished() {
        return Err(ApiError::event_finished());
    }
    require_event_permissions(world, &current, call.bot)?;

    let mut next = current.clone();
    let mut errors = FormErrors::default();
    if let Some(name) = f.name.clone().set() {
        next.name = name;
    }
    match &f.description {
        Field::Set(d) => next.description = Some(d.clone()),
        Field::Null => next.description = None,
        Field::Absent => {}
    }
    if let Some(kind) = f.entity_type.clone().set().and_then(EntityType::from_wire) {
        next.entity_type = kind;
    }
    match &f.channel_id {
        Field::Set(c) => next.channel_id = Some(*c),
        Field::Null => next.channel_id = None,
        Field::Absent => {}
    }
    if let Some(start) = f.start.clone().set() {
        if next.status == EventStatus::Scheduled && start <= call.now {
            past_start(&mut errors);
        }
        next.scheduled_start_time = start;
    }
    match &f.end {
        Field::Set(end) => next.scheduled_end_time = Some(*end),
        Field::Null => next.scheduled_end_time = None,
        Field::Absent => {}
    }
    // Discord "silently discards entity_metadata for non-EXTERNAL events".
    if next.entity_type == EntityType::External {
        if f.metadata_given {
            next.location = f.location.clone().set();
        }
    } else {
        next.location = None;
    }
    if f.start.is_absent() && f.end.is_absent() {
        // Unchanged times are not re-checked.
    } else {
        check_times(
            &mut errors,
            Some(next.scheduled_start_time),
            next.scheduled_end_time,
        );
    }
    check_entity(
        &mut errors,
        next.entity_type,
        next.channel_id,
        next.location.as_deref(),
        next.scheduled_end_time,
    );
    if let Some(status) = f.status.clone().set().and_then(EventStatus::from_wire) {
        if !current.status.can_become(status) {
            // Composed: the contract lists the allowed transitions, not the refusal's text.
            errors.add(
                &["status"],
                "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
                &format!(
                    "Cannot change the status of an event from {} to {}.",
                    current.status.wire(),
                    status.wire()
                ),
            );
        }
        next.status = status;
    }
    errors.into_result()?;
    if next.channel_id != current.channel_id || next.entity_type != current.entity_type {
        let channel = event_channel(world, guild_id, next.entity_type, next.channel_id)?;
        if next.entity_type != EntityType::External {
            entity_permissions(world, next.entity_type, channel.as_ref(), call.bot, 0)?;
        }
    }
    // A stage already open in the channel of a stage event that starts belongs to it.
    if next.status == EventStatus::Active
        && current.status == EventStatus::Scheduled
        && next.entity_type == EntityType::StageInstance
        && let Some(stage) = next.channel_id.and_then(|c| world.stages.get_mut(&c))
        && stage.guild_scheduled_event_id.is_none()
    {
        stage.guild_scheduled_event_id = Some(event_id);
    }
    let body = render::scheduled_event(world, &next, false);
    world.events.insert(event_id, next);
    json(body)
}

/// `GET …/scheduled-events/{event_id}/users`: interested users ascending by id, `before`
/// winning over `after` when both are given.
fn event_users(world: &World, call: &Call<'_>, guild_id: u64, event_id: u64) -> Answered {
    let mut errors = FormErrors::default();
    let limit = query_int(call.query, "limit", 1, 100, &mut errors).unwrap_or(100) as usize;
    let with_member = query_bool(call.query, "with_member", &mut errors).unwrap_or(false);
    let before = query_snowflake(call.query, "before", &mut errors);
    let after = query_snowflake(call.query, "after", &mut errors);
    errors.into_result()?;
    let guild = member_guild(world, guild_id, call.bot)?;
    let event = guild_event(world, guild_id, event_id)?;
    if !can_see_event(world, event, call.bot) {
        return Err(ApiError::missing_access());
    }
    let mut ids = event.interested.clone();
    ids.sort_unstable();
    ids.dedup();
    let page: Vec<u64> = match (before, after) {
        (Some(before), _) => {
            let earlier: Vec<u64> = ids.into_iter().filter(|id| *id < before).collect();
            let skip = earlier.len().saturating_sub(limit);
            earlier.into_iter().skip(skip).collect()
        }
        (None, after) => ids
            .into_iter()
            .filter(|id| *id > after.unwrap_or(0))
            .take(limit)
            .collect(),
    };
    json(Value::Array(
        page.into_iter()
            .map(|user_id| render::event_user(world, guild, event, user_id, with_member))
            .collect(),
    ))
}
