//! Guild scheduled events: listing with user counts, creating each entity type, the status
//! transitions Discord allows, validation and permissions.

use onair_testkit::fake_discord::{
    EventStatus, FakeDiscord, ScheduledEvent, SeedRole, permissions, seed,
};
use serde_json::{Value, json};

use crate::common::{delete, get, in_hours, patch, post};

fn events_path(guild: u64) -> String {
    format!("/guilds/{guild}/scheduled-events")
}

fn stage_event_body(channel: u64) -> Value {
    json!({
        "channel_id": channel.to_string(),
        "entity_type": 1,
        "privacy_level": 2,
        "name": "Weekly AMA",
        "description": "Ask us anything",
        "scheduled_start_time": in_hours(24),
    })
}

#[tokio::test]
async fn events_list_with_and_without_user_counts() {
    let fake = FakeDiscord::start().await;
    let plain = get(&fake, &events_path(seed::GUILD_ID)).await.json();
    let events = plain.as_array().unwrap();
    assert_eq!(events.len(), 6);
    assert!(events.iter().all(|e| e.get("user_count").is_none()));
    let counted = get(
        &fake,
        &format!("{}?with_user_count=true", events_path(seed::GUILD_ID)),
    )
    .await
    .json();
    let active = counted
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"].as_str() == Some(seed::ACTIVE_EVENT_ID.to_string().as_str()))
        .unwrap();
    assert_eq!(active["user_count"], 42);
    assert_eq!(active["status"], 2);
    assert_eq!(active["entity_type"], 1);
    assert_eq!(active["creator"]["id"], seed::OWNER_ID.to_string());
    assert_eq!(active["guild_scheduled_event_exceptions"], json!([]));
    assert!(active["entity_metadata"].is_null());
    let start = active["scheduled_start_time"].as_str().unwrap();
    assert!(start.ends_with("+00:00") && start.len() == 32, "{start}");
    // discord.py sends 1/0.
    let one = get(
        &fake,
        &format!("{}?with_user_count=1", events_path(seed::GUILD_ID)),
    )
    .await;
    assert!(one.json()[0].get("user_count").is_some());
    get(
        &fake,
        &format!("{}?with_user_count=yes", events_path(seed::GUILD_ID)),
    )
    .await
    .assert_field_error(&["with_user_count"], "BOOLEAN_TYPE_COERCE");
    let external = get(
        &fake,
        &format!(
            "{}/{}?with_user_count=true",
            events_path(seed::GUILD_ID),
            seed::EXTERNAL_EVENT_ID
        ),
    )
    .await
    .json();
    assert_eq!(
        external["entity_metadata"]["location"],
        "Community hall, Berlin"
    );
    assert!(external["channel_id"].is_null());
    assert_eq!(external["user_count"], 3);
    // Events in channels the bot cannot see are not listed.
    fake.set_overwrites(
        seed::LIVE_STAGE_CHANNEL_ID,
        vec![onair_testkit::fake_discord::SeedOverwrite {
            id: seed::GUILD_ID,
            kind: onair_testkit::fake_discord::OverwriteKind::Role,
            allow: 0,
            deny: permissions::VIEW_CHANNEL,
        }],
    );
    let visible = get(&fake, &events_path(seed::GUILD_ID)).await.json();
    assert_eq!(visible.as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn a_stage_event_is_created_started_and_ended() {
    let fake = FakeDiscord::start().await;
    let channel = seed::IDLE_STAGE_CHANNEL_ID;
    let created = post(
        &fake,
        &events_path(seed::GUILD_ID),
        stage_event_body(channel),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let event = created.json();
    assert_eq!(event["status"], 1);
    assert_eq!(event["creator_id"], seed::BOT_ID.to_string());
    assert_eq!(event["creator"]["bot"], true);
    assert_eq!(event["channel_id"], channel.to_string());
    assert_eq!(event["privacy_level"], 2);
    assert_eq!(event["description"], "Ask us anything");
    assert!(event["scheduled_end_time"].is_null());
    let id = event["id"].as_str().unwrap().to_owned();
    let path = format!("{}/{id}", events_path(seed::GUILD_ID));
    assert_eq!(get(&fake, &path).await.json()["name"], "Weekly AMA");

    // A stage opened before the event starts is linked when it starts.
    post(
        &fake,
        "/stage-instances",
        json!({"channel_id": channel.to_string(), "topic": "Weekly AMA"}),
    )
    .await;
    let started = patch(&fake, &path, json!({"status": 2})).await.json();
    assert_eq!(started["status"], 2);
    assert_eq!(
        fake.stage_instance(channel)
            .unwrap()
            .guild_scheduled_event_id,
        Some(id.parse().unwrap())
    );
    // ACTIVE cannot go back, nor be canceled.
    for status in [1, 4] {
        patch(&fake, &path, json!({"status": status}))
            .await
            .assert_field_error(
                &["status"],
                "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
            );
    }
    let ended = patch(&fake, &path, json!({"status": 3})).await.json();
    assert_eq!(ended["status"], 3);
    let body = patch(&fake, &path, json!({"name": "Again"}))
        .await
        .assert_error(400, 180000);
    assert_eq!(body["message"], "Cannot update a finished event");
    patch(&fake, &path, json!({"status": 2}))
        .await
        .assert_error(400, 180000);
    let gone = delete(&fake, &path).await;
    assert_eq!(gone.status, 204);
    get(&fake, &path).await.assert_error(404, 10070);
}

#[tokio::test]
async fn scheduled_events_can_be_canceled_but_not_completed() {
    let fake = FakeDiscord::start().await;
    let path = format!(
        "{}/{}",
        events_path(seed::GUILD_ID),
        seed::SCHEDULED_EVENT_ID
    );
    patch(&fake, &path, json!({"status": 3}))
        .await
        .assert_field_error(
            &["status"],
            "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
        );
    patch(&fake, &path, json!({"status": 7}))
        .await
        .assert_field_error(&["status"], "BASE_TYPE_CHOICES");
    let renamed = patch(
        &fake,
        &path,
        json!({"name": "Release party v2", "description": null}),
    )
    .await
    .json();
    assert_eq!(renamed["name"], "Release party v2");
    assert!(renamed["description"].is_null());
    let canceled = patch(&fake, &path, json!({"status": 4})).await.json();
    assert_eq!(canceled["status"], 4);
    assert_eq!(
        fake.scheduled_event(seed::SCHEDULED_EVENT_ID)
            .unwrap()
            .status,
        EventStatus::Canceled
    );
    let completed = format!(
        "{}/{}",
        events_path(seed::GUILD_ID),
        seed::COMPLETED_EVENT_ID
    );
    patch(&fake, &completed, json!({"status": 2}))
        .await
        .assert_error(400, 180000);
}

#[tokio::test]
async fn event_bodies_are_validated() {
    let fake = FakeDiscord::start().await;
    let path = events_path(seed::GUILD_ID);
    let empty = post(&fake, &path, json!({})).await;
    for field in [
        "name",
        "privacy_level",
        "scheduled_start_time",
        "entity_type",
    ] {
        empty.assert_field_error(&[field], "BASE_TYPE_REQUIRED");
    }
    let mut past = stage_event_body(seed::IDLE_STAGE_CHANNEL_ID);
    past["scheduled_start_time"] = json!(in_hours(-1));
    post(&fake, &path, past).await.assert_field_error(
        &["scheduled_start_time"],
        "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
    );
    let mut bad = stage_event_body(seed::IDLE_STAGE_CHANNEL_ID);
    bad["name"] = json!("n".repeat(101));
    bad["privacy_level"] = json!(1);
    bad["scheduled_start_time"] = json!("next tuesday");
    bad["description"] = json!("d".repeat(1001));
    let reply = post(&fake, &path, bad).await;
    reply.assert_field_error(&["name"], "BASE_TYPE_BAD_LENGTH");
    reply.assert_field_error(&["privacy_level"], "BASE_TYPE_CHOICES");
    reply.assert_field_error(&["scheduled_start_time"], "DATE_TIME_TYPE_PARSE");
    reply.assert_field_error(&["description"], "BASE_TYPE_BAD_LENGTH");
    let mut no_channel = stage_event_body(seed::IDLE_STAGE_CHANNEL_ID);
    no_channel.as_object_mut().unwrap().remove("channel_id");
    post(&fake, &path, no_channel)
        .await
        .assert_field_error(&["channel_id"], "BASE_TYPE_REQUIRED");
    post(&fake, &path, json!({"entity_type": 9, "name": "n", "privacy_level": 2, "scheduled_start_time": in_hours(1)}))
        .await
        .assert_field_error(&["entity_type"], "BASE_TYPE_CHOICES");
    // A stage event needs a stage channel, a voice event a voice channel.
    post(&fake, &path, stage_event_body(seed::VOICE_CHANNEL_ID))
        .await
        .assert_error(400, 50024);
    let mut voice = stage_event_body(seed::VOICE_CHANNEL_ID);
    voice["entity_type"] = json!(2);
    assert_eq!(post(&fake, &path, voice).await.status, 200);
    post(&fake, &path, stage_event_body(1_191_000_000_000_009_999))
        .await
        .assert_error(404, 10003);
    // A channel of another guild is unknown here.
    post(
        &fake,
        &path,
        stage_event_body(seed::READONLY_STAGE_CHANNEL_ID),
    )
    .await
    .assert_error(404, 10003);
}

#[tokio::test]
async fn external_events_need_a_location_and_an_end() {
    let fake = FakeDiscord::start().await;
    let path = events_path(seed::GUILD_ID);
    let base = json!({"entity_type": 3, "name": "Meetup", "privacy_level": 2, "scheduled_start_time": in_hours(2)});
    let reply = post(&fake, &path, base.clone()).await;
    reply.assert_field_error(&["entity_metadata", "location"], "BASE_TYPE_REQUIRED");
    reply.assert_field_error(&["scheduled_end_time"], "BASE_TYPE_REQUIRED");
    let mut early_end = base.clone();
    early_end["entity_metadata"] = json!({"location": "Berlin"});
    early_end["scheduled_end_time"] = json!(in_hours(1));
    post(&fake, &path, early_end).await.assert_field_error(
        &["scheduled_end_time"],
        "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
    );
    let mut ok = base;
    ok["entity_metadata"] = json!({"location": "Berlin"});
    ok["scheduled_end_time"] = json!(in_hours(4));
    let created = post(&fake, &path, ok).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let event = created.json();
    assert_eq!(event["entity_metadata"]["location"], "Berlin");
    assert!(event["channel_id"].is_null());
    // Making a stage event external without a location fails; entity_metadata sent to a
    // stage event is dropped.
    let stage_path = format!("{path}/{}", seed::SCHEDULED_EVENT_ID);
    patch(
        &fake,
        &stage_path,
        json!({"entity_type": 3, "channel_id": null}),
    )
    .await
    .assert_field_error(&["entity_metadata", "location"], "BASE_TYPE_REQUIRED");
    let kept = patch(
        &fake,
        &stage_path,
        json!({"entity_metadata": {"location": "x"}}),
    )
    .await
    .json();
    assert!(kept["entity_metadata"].is_null());
}

#[tokio::test]
async fn event_permissions_follow_discords_rules() {
    let fake = FakeDiscord::start().await;
    // No CREATE_EVENTS in the read-only guild.
    let readonly = events_path(seed::READONLY_GUILD_ID);
    post(
        &fake,
        &readonly,
        stage_event_body(seed::READONLY_STAGE_CHANNEL_ID),
    )
    .await
    .assert_error(403, 50013);
    post(
        &fake,
        &events_path(seed::FOREIGN_GUILD_ID),
        stage_event_body(seed::FOREIGN_STAGE_CHANNEL_ID),
    )
    .await
    .assert_error(403, 50001);
    get(&fake, &events_path(seed::FOREIGN_GUILD_ID))
        .await
        .assert_error(403, 50001);

    // With CREATE_EVENTS but not MANAGE_EVENTS, the bot may change its own events only.
    fake.upsert_role(
        seed::GUILD_ID,
        SeedRole {
            id: seed::MODERATOR_ROLE_ID,
            name: "Stage Moderator".into(),
            permissions: permissions::STAGE_MODERATOR
                | permissions::CREATE_EVENTS
                | permissions::VIEW_CHANNEL
                | permissions::CONNECT,
            position: 1,
        },
    );
    let own = post(
        &fake,
        &events_path(seed::GUILD_ID),
        stage_event_body(seed::IDLE_STAGE_CHANNEL_ID),
    )
    .await
    .json();
    let own_path = format!(
        "{}/{}",
        events_path(seed::GUILD_ID),
        own["id"].as_str().unwrap()
    );
    assert_eq!(
        patch(&fake, &own_path, json!({"status": 2})).await.status,
        200
    );
    let others = format!(
        "{}/{}",
        events_path(seed::GUILD_ID),
        seed::SCHEDULED_EVENT_ID
    );
    patch(&fake, &others, json!({"status": 2}))
        .await
        .assert_error(403, 50013);
    delete(&fake, &others).await.assert_error(403, 50013);
    // Stage events also need the stage moderator permissions.
    post(
        &fake,
        &events_path(seed::GUILD_ID),
        stage_event_body(seed::LOCKED_STAGE_CHANNEL_ID),
    )
    .await
    .assert_error(403, 50013);
    post(
        &fake,
        &events_path(seed::GUILD_ID),
        stage_event_body(seed::HIDDEN_STAGE_CHANNEL_ID),
    )
    .await
    .assert_error(403, 50001);
}

#[tokio::test]
async fn a_guild_holds_at_most_a_hundred_uncompleted_events() {
    let fake = FakeDiscord::start().await;
    let path = events_path(seed::GUILD_ID);
    // The seed has four uncompleted events; add 96 more.
    let template = fake.scheduled_event(seed::SCHEDULED_EVENT_ID).unwrap();
    for i in 0..96u64 {
        fake.upsert_scheduled_event(ScheduledEvent {
            id: 1_191_000_000_000_100_000 + i,
            ..template.clone()
        });
    }
    let body = post(&fake, &path, stage_event_body(seed::IDLE_STAGE_CHANNEL_ID))
        .await
        .assert_error(400, 30038);
    assert!(body["message"].as_str().unwrap().contains("100"));
    fake.set_event_status(1_191_000_000_000_100_000, EventStatus::Completed);
    assert_eq!(
        post(&fake, &path, stage_event_body(seed::IDLE_STAGE_CHANNEL_ID))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn interested_users_are_listed_and_paged() {
    let fake = FakeDiscord::start().await;
    let path = format!(
        "{}/{}/users",
        events_path(seed::GUILD_ID),
        seed::ACTIVE_EVENT_ID
    );
    let users = get(&fake, &path).await.json();
    let ids: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    let (bot, owner, listener) = (
        seed::BOT_ID.to_string(),
        seed::OWNER_ID.to_string(),
        seed::LISTENER_ID.to_string(),
    );
    assert_eq!(
        ids,
        [bot.as_str(), owner.as_str(), listener.as_str()],
        "ascending"
    );
    assert_eq!(
        users[0]["guild_scheduled_event_id"],
        seed::ACTIVE_EVENT_ID.to_string()
    );
    assert_eq!(users[0]["user"]["id"], bot);
    assert_eq!(users[0]["response"], 1);
    assert!(users[0].get("member").is_none());

    let page = get(
        &fake,
        &format!("{path}?limit=1&after={bot}&with_member=true"),
    )
    .await
    .json();
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert_eq!(page[0]["user_id"], owner);
    assert!(page[0]["member"]["roles"].is_array());
    assert_eq!(page[0]["member"]["user"]["id"], owner);
    // `before` wins over `after`.
    let before = get(&fake, &format!("{path}?before={listener}&after={owner}"))
        .await
        .json();
    assert_eq!(before.as_array().unwrap().len(), 2);
    get(&fake, &format!("{path}?limit=101"))
        .await
        .assert_field_error(&["limit"], "NUMBER_TYPE_MAX");
    get(
        &fake,
        &format!("{}/1191000000000009999/users", events_path(seed::GUILD_ID)),
    )
    .await
    .assert_error(404, 10070);
    fake.set_event_interested(seed::ACTIVE_EVENT_ID, vec![]);
    assert_eq!(get(&fake, &path).await.json(), json!([]));
}
