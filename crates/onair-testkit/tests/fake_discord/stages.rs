//! Stage instances: open, read, retopic, close; their validation, permissions and links to
//! scheduled events.

use onair_testkit::fake_discord::{
    EventStatus, FakeDiscord, OverwriteKind, SeedOverwrite, permissions, seed,
};
use serde_json::json;

use crate::common::{delete, get, patch, post};

#[tokio::test]
async fn a_stage_opens_reads_changes_and_closes() {
    let fake = FakeDiscord::start().await;
    let channel = seed::IDLE_STAGE_CHANNEL_ID.to_string();
    // The idle stage's only event is SCHEDULED, so nothing links.
    let reply = post(
        &fake,
        "/stage-instances",
        json!({"channel_id": channel, "topic": "Office hours", "send_start_notification": false}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let stage = reply.json();
    assert_eq!(stage["channel_id"], channel);
    assert_eq!(stage["guild_id"], seed::GUILD_ID.to_string());
    assert_eq!(stage["topic"], "Office hours");
    assert_eq!(stage["privacy_level"], 2);
    assert_eq!(stage["discoverable_disabled"], false);
    assert!(stage["guild_scheduled_event_id"].is_null());
    let id: u64 = stage["id"].as_str().unwrap().parse().unwrap();
    assert!(id > seed::LIVE_STAGE_INSTANCE_ID, "a fresh snowflake");

    let call = fake.last_call().unwrap();
    assert!(call.body.contains("Office hours"), "{}", call.body);
    assert_eq!(call.header("content-type"), Some("application/json"));

    let read = get(&fake, &format!("/stage-instances/{channel}")).await;
    assert_eq!(read.json(), stage);
    let changed = patch(
        &fake,
        &format!("/stage-instances/{channel}"),
        json!({"topic": "Round two"}),
    )
    .await
    .json();
    assert_eq!(changed["topic"], "Round two");
    assert_eq!(changed["id"], stage["id"]);
    assert_eq!(
        fake.stage_instance(seed::IDLE_STAGE_CHANNEL_ID)
            .unwrap()
            .topic,
        "Round two"
    );

    let closed = delete(&fake, &format!("/stage-instances/{channel}")).await;
    assert_eq!(closed.status, 204);
    assert!(closed.text.is_empty());
    assert!(closed.header("x-ratelimit-bucket").is_some());
    get(&fake, &format!("/stage-instances/{channel}"))
        .await
        .assert_error(404, 10067);
    delete(&fake, &format!("/stage-instances/{channel}"))
        .await
        .assert_error(404, 10067);
    patch(
        &fake,
        &format!("/stage-instances/{channel}"),
        json!({"topic": "x"}),
    )
    .await
    .assert_error(404, 10067);
}

#[tokio::test]
async fn stage_bodies_are_validated() {
    let fake = FakeDiscord::start().await;
    let channel = seed::IDLE_STAGE_CHANNEL_ID.to_string();
    let missing = post(&fake, "/stage-instances", json!({})).await;
    missing.assert_field_error(&["channel_id"], "BASE_TYPE_REQUIRED");
    missing.assert_field_error(&["topic"], "BASE_TYPE_REQUIRED");
    let long = "x".repeat(121);
    let body = post(
        &fake,
        "/stage-instances",
        json!({"channel_id": channel, "topic": long}),
    )
    .await
    .assert_field_error(&["topic"], "BASE_TYPE_BAD_LENGTH");
    assert_eq!(
        body["errors"]["topic"]["_errors"][0]["message"],
        "Must be between 1 and 120 in length."
    );
    // 120 characters, counted as characters, not bytes.
    let emoji = "🎙".repeat(120);
    let ok = post(
        &fake,
        "/stage-instances",
        json!({"channel_id": channel, "topic": emoji}),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    delete(&fake, &format!("/stage-instances/{channel}")).await;
    post(
        &fake,
        "/stage-instances",
        json!({"channel_id": channel, "topic": ""}),
    )
    .await
    .assert_field_error(&["topic"], "BASE_TYPE_BAD_LENGTH");
    post(
        &fake,
        "/stage-instances",
        json!({"channel_id": "abc", "topic": "t"}),
    )
    .await
    .assert_field_error(&["channel_id"], "NUMBER_TYPE_COERCE");
    post(
        &fake,
        "/stage-instances",
        json!({"channel_id": "99999999999999999999", "topic": "t"}),
    )
    .await
    .assert_field_error(&["channel_id"], "NUMBER_TYPE_MAX");
    post(
        &fake,
        "/stage-instances",
        json!({"channel_id": channel, "topic": "t", "privacy_level": 3}),
    )
    .await
    .assert_field_error(&["privacy_level"], "BASE_TYPE_CHOICES");
    patch(
        &fake,
        &format!("/stage-instances/{}", seed::LIVE_STAGE_CHANNEL_ID),
        json!({"topic": long}),
    )
    .await
    .assert_field_error(&["topic"], "BASE_TYPE_BAD_LENGTH");
    assert_eq!(fake.stage_instance(seed::IDLE_STAGE_CHANNEL_ID), None);
}

#[tokio::test]
async fn stages_need_a_stage_channel_that_is_not_open() {
    let fake = FakeDiscord::start().await;
    for channel in [seed::VOICE_CHANNEL_ID, seed::TEXT_CHANNEL_ID] {
        post(
            &fake,
            "/stage-instances",
            json!({"channel_id": channel.to_string(), "topic": "t"}),
        )
        .await
        .assert_error(400, 50024);
    }
    post(
        &fake,
        "/stage-instances",
        json!({"channel_id": "1191000000000009999", "topic": "t"}),
    )
    .await
    .assert_error(404, 10003);
    let open = post(
        &fake,
        "/stage-instances",
        json!({"channel_id": seed::LIVE_STAGE_CHANNEL_ID.to_string(), "topic": "again"}),
    )
    .await;
    let body = open.assert_error(400, 150006);
    assert_eq!(body["message"], "The Stage is already open");
}

#[tokio::test]
async fn moderating_a_stage_needs_the_three_permissions() {
    let fake = FakeDiscord::start().await;
    // The overwrite takes MUTE_MEMBERS away from the bot's role.
    let locked = seed::LOCKED_STAGE_CHANNEL_ID.to_string();
    let body = post(
        &fake,
        "/stage-instances",
        json!({"channel_id": locked, "topic": "t"}),
    )
    .await
    .assert_error(403, 50013);
    assert_eq!(
        body,
        json!({"message": "Missing Permissions", "code": 50013})
    );
    post(
        &fake,
        "/stage-instances",
        json!({"channel_id": seed::READONLY_STAGE_CHANNEL_ID.to_string(), "topic": "t"}),
    )
    .await
    .assert_error(403, 50013);
    post(
        &fake,
        "/stage-instances",
        json!({"channel_id": seed::HIDDEN_STAGE_CHANNEL_ID.to_string(), "topic": "t"}),
    )
    .await
    .assert_error(403, 50001);
    post(
        &fake,
        "/stage-instances",
        json!({"channel_id": seed::FOREIGN_STAGE_CHANNEL_ID.to_string(), "topic": "t"}),
    )
    .await
    .assert_error(403, 50001);

    // A member overwrite giving the bot MUTE_MEMBERS back wins over the role's deny.
    let mut overwrites = vec![
        SeedOverwrite {
            id: seed::MODERATOR_ROLE_ID,
            kind: OverwriteKind::Role,
            allow: 0,
            deny: permissions::MUTE_MEMBERS,
        },
        SeedOverwrite {
            id: seed::BOT_ID,
            kind: OverwriteKind::Member,
            allow: permissions::MUTE_MEMBERS,
            deny: 0,
        },
    ];
    fake.set_overwrites(seed::LOCKED_STAGE_CHANNEL_ID, overwrites.clone());
    let ok = post(
        &fake,
        "/stage-instances",
        json!({"channel_id": locked, "topic": "t"}),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    // Losing MOVE_MEMBERS blocks changing and closing it.
    overwrites[1].deny = permissions::MOVE_MEMBERS;
    fake.set_overwrites(seed::LOCKED_STAGE_CHANNEL_ID, overwrites);
    patch(
        &fake,
        &format!("/stage-instances/{locked}"),
        json!({"topic": "u"}),
    )
    .await
    .assert_error(403, 50013);
    delete(&fake, &format!("/stage-instances/{locked}"))
        .await
        .assert_error(403, 50013);
    // Reading needs only VIEW_CHANNEL.
    assert_eq!(
        get(&fake, &format!("/stage-instances/{locked}"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_stage_opened_during_an_active_stage_event_belongs_to_it() {
    let fake = FakeDiscord::start().await;
    let channel = seed::LIVE_STAGE_CHANNEL_ID;
    let live = get(&fake, &format!("/stage-instances/{channel}"))
        .await
        .json();
    assert_eq!(
        live["guild_scheduled_event_id"],
        seed::ACTIVE_EVENT_ID.to_string()
    );
    fake.close_stage_instance(channel);
    let reopened = post(
        &fake,
        "/stage-instances",
        json!({"channel_id": channel.to_string(), "topic": "Back on"}),
    )
    .await
    .json();
    assert_eq!(
        reopened["guild_scheduled_event_id"],
        seed::ACTIVE_EVENT_ID.to_string()
    );
}

#[tokio::test]
async fn opening_a_stage_for_a_scheduled_event_starts_it() {
    let fake = FakeDiscord::start().await;
    let channel = seed::IDLE_STAGE_CHANNEL_ID.to_string();
    post(
        &fake,
        "/stage-instances",
        json!({"channel_id": channel, "topic": "t", "guild_scheduled_event_id": seed::EXTERNAL_EVENT_ID.to_string()}),
    )
    .await
    .assert_error(400, 50091);
    post(
        &fake,
        "/stage-instances",
        json!({"channel_id": channel, "topic": "t", "guild_scheduled_event_id": "1191000000000009999"}),
    )
    .await
    .assert_error(404, 10070);
    let stage = post(
        &fake,
        "/stage-instances",
        json!({"channel_id": channel, "topic": "Release party", "guild_scheduled_event_id": seed::SCHEDULED_EVENT_ID.to_string()}),
    )
    .await
    .json();
    assert_eq!(
        stage["guild_scheduled_event_id"],
        seed::SCHEDULED_EVENT_ID.to_string()
    );
    assert_eq!(
        fake.scheduled_event(seed::SCHEDULED_EVENT_ID)
            .unwrap()
            .status,
        EventStatus::Active
    );
}

#[tokio::test]
async fn the_audit_log_reason_is_recorded() {
    let fake = FakeDiscord::start().await;
    let reply = reqwest::Client::new()
        .post(format!("{}/stage-instances", fake.api_url()))
        .header("authorization", format!("Bot {}", fake.bot_token()))
        .header("user-agent", crate::common::UA)
        .header("x-audit-log-reason", "onair%20start%20%E2%9C%93")
        .json(&json!({"channel_id": seed::IDLE_STAGE_CHANNEL_ID.to_string(), "topic": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let call = fake.last_call().unwrap();
    assert_eq!(call.audit_log_reason().as_deref(), Some("onair start ✓"));
}
