//! twilight-http, an independent Discord client, against the fake: every route through its
//! typed models, Discord's errors as twilight's API errors, and 429s as rate limits.

use std::time::{Duration, Instant};

use onair_testkit::fake_discord::{
    FakeDiscord, FakeDiscordConfig, Fault, FaultKind, RateLimitScope, Route, seed,
};
use twilight_http::Client;
use twilight_http::api_error::ApiError;
use twilight_http::error::ErrorType;
use twilight_model::channel::ChannelType;
use twilight_model::guild::scheduled_event::{EntityType, PrivacyLevel, Status};
use twilight_model::id::Id;
use twilight_model::util::Timestamp;

/// A twilight client aimed at the fake, with or without its own rate limiter.
fn client(fake: &FakeDiscord, ratelimiter: bool) -> Client {
    let builder = Client::builder()
        .token(fake.bot_token())
        .proxy(fake.local_addr().to_string(), true);
    let builder = if ratelimiter {
        builder
    } else {
        builder.ratelimiter(None)
    };
    builder.build()
}

/// The status and Discord code of a failed twilight request.
fn api_error(error: &twilight_http::Error) -> (u16, Option<u64>) {
    match error.kind() {
        ErrorType::Response { status, error, .. } => (
            status.get(),
            match error {
                ApiError::General(general) => Some(general.code),
                _ => None,
            },
        ),
        other => panic!("not a response error: {other:?}"),
    }
}

fn in_a_day() -> Timestamp {
    Timestamp::from_secs(chrono::Utc::now().timestamp() + 86_400).unwrap()
}

#[tokio::test]
async fn every_read_route_parses_as_twilight_models() {
    let fake = FakeDiscord::start().await;
    let http = client(&fake, false);
    let guild_id = Id::new(seed::GUILD_ID);

    let me = http.current_user().await.unwrap().model().await.unwrap();
    assert_eq!(me.id.get(), seed::BOT_ID);
    assert!(me.bot);
    let guilds = http
        .current_user_guilds()
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    assert_eq!(guilds.len(), 2);
    assert_eq!(guilds[0].id, guild_id);
    let app = http
        .current_user_application()
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(app.id.get(), seed::BOT_ID);
    let gateway = http
        .gateway()
        .authed()
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(gateway.shards, 1);

    let guild = http
        .guild(guild_id)
        .with_counts(true)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(guild.name, "onair community");
    assert_eq!(guild.owner_id.get(), seed::OWNER_ID);
    assert_eq!(guild.approximate_member_count, Some(3));
    let channels = http
        .guild_channels(guild_id)
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    let stages = channels
        .iter()
        .filter(|c| c.kind == ChannelType::GuildStageVoice)
        .count();
    assert_eq!(stages, 4);
    let channel = http
        .channel(Id::new(seed::LOCKED_STAGE_CHANNEL_ID))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(channel.permission_overwrites.unwrap().len(), 1);
    let roles = http.roles(guild_id).await.unwrap().models().await.unwrap();
    assert_eq!(roles.len(), 2);
    let member = http
        .guild_member(guild_id, Id::new(seed::BOT_ID))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(member.roles, [Id::new(seed::MODERATOR_ROLE_ID)]);

    let live = http
        .stage_instance(Id::new(seed::LIVE_STAGE_CHANNEL_ID))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(live.topic, seed::LIVE_TOPIC);
    assert_eq!(
        live.guild_scheduled_event_id,
        Some(Id::new(seed::ACTIVE_EVENT_ID))
    );
    let events = http
        .guild_scheduled_events(guild_id)
        .with_user_count(true)
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    assert_eq!(events.len(), 6);
    let active = events
        .iter()
        .find(|e| e.id.get() == seed::ACTIVE_EVENT_ID)
        .unwrap();
    assert_eq!(active.status, Status::Active);
    assert_eq!(active.user_count, Some(42));
    let external = http
        .guild_scheduled_event(guild_id, Id::new(seed::EXTERNAL_EVENT_ID))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(external.entity_type, EntityType::External);
    assert_eq!(
        external.entity_metadata.unwrap().location.as_deref(),
        Some("Community hall, Berlin")
    );
    let interested = http
        .guild_scheduled_event_users(guild_id, Id::new(seed::ACTIVE_EVENT_ID))
        .with_member(true)
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    assert_eq!(interested.len(), 3);
    assert_eq!(interested[0].user.id.get(), seed::BOT_ID);
    assert!(interested[0].member.is_some());
    // twilight's User-Agent has Discord's form.
    assert!(fake.calls().iter().all(|c| c.user_agent_ok));
}

#[tokio::test]
async fn writes_go_through_twilight() {
    let fake = FakeDiscord::start().await;
    let http = client(&fake, false);
    let guild_id = Id::new(seed::GUILD_ID);
    let channel_id = Id::new(seed::IDLE_STAGE_CHANNEL_ID);

    let start = in_a_day();
    let event = http
        .create_guild_scheduled_event(guild_id, PrivacyLevel::GuildOnly)
        .stage_instance(channel_id, "Launch", &start)
        .description("Going live")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(event.status, Status::Scheduled);
    assert_eq!(event.creator_id.map(Id::get), Some(seed::BOT_ID));

    let stage = http
        .create_stage_instance(channel_id, "Launch")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(stage.channel_id, channel_id);
    let started = http
        .update_guild_scheduled_event(guild_id, event.id)
        .status(Status::Active)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(started.status, Status::Active);
    let renamed = http
        .update_stage_instance(channel_id)
        .topic("Launch, part two")
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(renamed.guild_scheduled_event_id, Some(event.id));
    assert_eq!(renamed.topic, "Launch, part two");
    let deleted = http.delete_stage_instance(channel_id).await.unwrap();
    assert_eq!(deleted.status().get(), 204);
    let ended = http
        .update_guild_scheduled_event(guild_id, event.id)
        .status(Status::Completed)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(ended.status, Status::Completed);
    http.delete_guild_scheduled_event(guild_id, event.id)
        .await
        .unwrap();

    let end = Timestamp::from_secs(start.as_secs() + 3600).unwrap();
    let external = http
        .create_guild_scheduled_event(guild_id, PrivacyLevel::GuildOnly)
        .external("Meetup", "Berlin", &start, &end)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(external.entity_type, EntityType::External);
    let canceled = http
        .update_guild_scheduled_event(guild_id, external.id)
        .status(Status::Cancelled)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(canceled.status, Status::Cancelled);
}

#[tokio::test]
async fn discords_errors_surface_as_twilight_api_errors() {
    let fake = FakeDiscord::start().await;
    let http = client(&fake, false);
    let not_live = http
        .stage_instance(Id::new(seed::IDLE_STAGE_CHANNEL_ID))
        .await
        .unwrap_err();
    assert_eq!(api_error(&not_live), (404, Some(10067)));
    let locked = http
        .create_stage_instance(Id::new(seed::LOCKED_STAGE_CHANNEL_ID), "t")
        .await
        .unwrap_err();
    assert_eq!(api_error(&locked), (403, Some(50013)));
    let foreign = http
        .guild_channels(Id::new(seed::FOREIGN_GUILD_ID))
        .await
        .unwrap_err();
    assert_eq!(api_error(&foreign), (403, Some(50001)));
    let finished = http
        .update_guild_scheduled_event(Id::new(seed::GUILD_ID), Id::new(seed::COMPLETED_EVENT_ID))
        .status(Status::Active)
        .await
        .unwrap_err();
    assert_eq!(api_error(&finished), (400, Some(180000)));
    let transition = http
        .update_guild_scheduled_event(Id::new(seed::GUILD_ID), Id::new(seed::SCHEDULED_EVENT_ID))
        .status(Status::Completed)
        .await
        .unwrap_err();
    assert_eq!(api_error(&transition), (400, Some(50035)));

    fake.revoke_token(&fake.bot_token());
    let unauthorized = http.current_user().await.unwrap_err();
    assert_eq!(api_error(&unauthorized), (401, Some(0)));
    // twilight then refuses to send anything more with that token.
    let refused = http.current_user().await.unwrap_err();
    assert!(matches!(refused.kind(), ErrorType::Unauthorized));
    assert_eq!(fake.calls_to(Route::GetCurrentUser), 1);
}

#[tokio::test]
async fn a_429_is_retried_as_a_rate_limit() {
    let fake = FakeDiscord::start().await;
    // With its limiter, twilight learns from the 429's headers and waits before retrying.
    let http = client(&fake, true);
    fake.inject(Fault::once(FaultKind::RateLimited {
        retry_after: Duration::from_millis(400),
        scope: RateLimitScope::User,
    }));
    let started = Instant::now();
    let me = http.current_user().await.unwrap().model().await.unwrap();
    assert_eq!(me.id.get(), seed::BOT_ID);
    assert!(
        started.elapsed() >= Duration::from_millis(350),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fake.responses_with_status(429), 1);
    assert_eq!(fake.calls_to(Route::GetCurrentUser), 2);

    // Without one it retries at once; a global 429 is retried the same way.
    let bare = client(&fake, false);
    fake.inject(Fault::times(
        FaultKind::RateLimited {
            retry_after: Duration::from_millis(100),
            scope: RateLimitScope::Global,
        },
        2,
    ));
    bare.guild(Id::new(seed::GUILD_ID)).await.unwrap();
    assert_eq!(fake.responses_with_status(429), 3);
    assert_eq!(fake.calls_to(Route::GetGuild), 3);
}

#[tokio::test]
async fn twilights_rate_limiter_waits_on_the_fakes_headers() {
    let fake = FakeDiscord::start_with(FakeDiscordConfig {
        rate_limit: 1,
        window: Duration::from_millis(400),
        ..FakeDiscordConfig::default()
    })
    .await;
    let http = client(&fake, true);
    let started = Instant::now();
    for _ in 0..3 {
        http.stage_instance(Id::new(seed::LIVE_STAGE_CHANNEL_ID))
            .await
            .unwrap()
            .model()
            .await
            .unwrap();
    }
    // Each call after the first waited for the bucket's reset instead of meeting a 429.
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fake.responses_with_status(429), 0);
    assert_eq!(fake.calls_to(Route::GetStageInstance), 3);
}
