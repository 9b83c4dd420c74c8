//! Discord's error answers: bad tokens, blocked clients, unknown routes and objects,
//! malformed snowflakes and bodies, missing access.

use onair_testkit::fake_discord::{FakeDiscord, Route, seed};
use reqwest::Method;
use serde_json::json;

use crate::common::{UA, get, post, send_as};

#[tokio::test]
async fn bad_tokens_get_discords_401() {
    let fake = FakeDiscord::start().await;
    let token = fake.bot_token();
    let cases = [
        None,
        Some(format!("Bearer {token}")),
        Some(token.clone()),
        Some("Bot not-a-token".to_owned()),
    ];
    for auth in &cases {
        let reply = send_as(
            &fake,
            Method::GET,
            "/users/@me",
            None,
            auth.as_deref(),
            Some(UA),
        )
        .await;
        assert_eq!(reply.status, 401, "{auth:?}");
        assert_eq!(
            reply.json(),
            json!({"message": "401: Unauthorized", "code": 0})
        );
        assert!(reply.header("x-ratelimit-bucket").is_some());
    }
    assert_eq!(fake.responses_with_status(401), cases.len());

    fake.add_token(seed::BOT_ID, "second-token");
    let ok = send_as(
        &fake,
        Method::GET,
        "/users/@me",
        None,
        Some("Bot second-token"),
        Some(UA),
    )
    .await;
    assert_eq!(ok.status, 200);
    fake.revoke_token("second-token");
    let revoked = send_as(
        &fake,
        Method::GET,
        "/users/@me",
        None,
        Some("Bot second-token"),
        Some(UA),
    )
    .await;
    revoked.assert_error(401, 0);
}

#[tokio::test]
async fn clients_without_a_discordbot_user_agent_are_blocked() {
    let fake = FakeDiscord::start().await;
    let auth = format!("Bot {}", fake.bot_token());
    for ua in [
        None,
        Some("reqwest/0.13"),
        Some("DiscordBot"),
        Some("DiscordBot (no-version)"),
    ] {
        let reply = send_as(&fake, Method::GET, "/users/@me", None, Some(&auth), ua).await;
        assert_eq!(reply.status, 403, "{ua:?}");
        assert_eq!(reply.text, "error code: 1020");
    }
    let calls = fake.calls();
    assert!(calls.iter().all(|c| !c.user_agent_ok));
    // The documented form, and discord.py's (no comma), which Discord takes.
    for ua in [
        "DiscordBot (https://example.com, 2.0) Python/3.12",
        "DiscordBot (https://github.com/Rapptz/discord.py 2.7.1) Python/3.11 aiohttp/3.13",
    ] {
        let ok = send_as(
            &fake,
            Method::GET,
            "/users/@me",
            None,
            Some(&auth),
            Some(ua),
        )
        .await;
        assert_eq!(ok.status, 200, "{ua}");
    }
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let fake = FakeDiscord::start().await;
    let reply = get(&fake, "/guilds/1/bans").await;
    assert_eq!(
        reply.json(),
        json!({"message": "404: Not Found", "code": 0})
    );
    assert_eq!(reply.status, 404);
    let reply = crate::common::send(&fake, Method::PUT, "/stage-instances/1", None).await;
    reply.assert_error(405, 0);
}

#[tokio::test]
async fn path_snowflakes_are_validated_like_discord() {
    let fake = FakeDiscord::start().await;
    let reply = get(&fake, "/guilds/roles/roles").await;
    let body = reply.assert_field_error(&["guild_id"], "NUMBER_TYPE_COERCE");
    assert_eq!(
        body["errors"]["guild_id"]["_errors"][0]["message"],
        "Value \"roles\" is not snowflake."
    );
    let body = get(&fake, "/channels/9223372036854775808")
        .await
        .assert_field_error(&["channel_id"], "NUMBER_TYPE_MAX");
    assert_eq!(
        body["errors"]["channel_id"]["_errors"][0]["message"],
        "snowflake value should be less than or equal to 9223372036854775807."
    );
    get(&fake, "/stage-instances/-4")
        .await
        .assert_field_error(&["channel_id"], "NUMBER_TYPE_MIN");
    get(
        &fake,
        &format!("/guilds/{}/scheduled-events/1e9", seed::GUILD_ID),
    )
    .await
    .assert_field_error(&["guild_scheduled_event_id"], "NUMBER_TYPE_COERCE");
    get(&fake, &format!("/guilds/{}/members/@me2", seed::GUILD_ID))
        .await
        .assert_field_error(&["user_id"], "NUMBER_TYPE_COERCE");
    // Discord accepts 0: it is simply nothing.
    get(&fake, "/guilds/0").await.assert_error(404, 10004);
    get(&fake, "/channels/0").await.assert_error(404, 10003);
    // Still counted under their route.
    assert_eq!(fake.calls_to(Route::GetGuildRoles), 1);
}

#[tokio::test]
async fn unknown_objects_have_their_codes() {
    let fake = FakeDiscord::start().await;
    let g = seed::GUILD_ID;
    let nowhere = 1_191_000_000_000_009_999u64;
    let body = get(&fake, &format!("/guilds/{nowhere}"))
        .await
        .assert_error(404, 10004);
    assert_eq!(body, json!({"message": "Unknown Guild", "code": 10004}));
    get(&fake, &format!("/guilds/{nowhere}/channels"))
        .await
        .assert_error(404, 10004);
    get(&fake, &format!("/channels/{nowhere}"))
        .await
        .assert_error(404, 10003);
    get(&fake, &format!("/stage-instances/{nowhere}"))
        .await
        .assert_error(404, 10003);
    get(
        &fake,
        &format!("/stage-instances/{}", seed::IDLE_STAGE_CHANNEL_ID),
    )
    .await
    .assert_error(404, 10067);
    get(&fake, &format!("/guilds/{g}/scheduled-events/{nowhere}"))
        .await
        .assert_error(404, 10070);
    get(&fake, &format!("/guilds/{g}/members/{nowhere}"))
        .await
        .assert_error(404, 10007);
    // An event of another guild is unknown in this one.
    get(
        &fake,
        &format!(
            "/guilds/{}/scheduled-events/{}",
            seed::READONLY_GUILD_ID,
            seed::ACTIVE_EVENT_ID
        ),
    )
    .await
    .assert_error(404, 10070);
}

#[tokio::test]
async fn guilds_and_channels_out_of_reach_are_missing_access() {
    let fake = FakeDiscord::start().await;
    let foreign = seed::FOREIGN_GUILD_ID;
    // Since 2023 the guild itself is "Unknown Guild" to a bot that is not in it.
    get(&fake, &format!("/guilds/{foreign}"))
        .await
        .assert_error(404, 10004);
    for path in [
        format!("/guilds/{foreign}/channels"),
        format!("/guilds/{foreign}/roles"),
        format!("/guilds/{foreign}/scheduled-events"),
        format!("/guilds/{foreign}/members/{}", seed::OWNER_ID),
        format!("/channels/{}", seed::FOREIGN_STAGE_CHANNEL_ID),
        format!("/stage-instances/{}", seed::FOREIGN_STAGE_CHANNEL_ID),
        format!("/channels/{}", seed::HIDDEN_STAGE_CHANNEL_ID),
    ] {
        let body = get(&fake, &path).await.assert_error(403, 50001);
        assert_eq!(
            body,
            json!({"message": "Missing Access", "code": 50001}),
            "{path}"
        );
    }
    // A bot kicked from a guild loses it at once.
    fake.remove_member(seed::GUILD_ID, seed::BOT_ID);
    get(&fake, &format!("/guilds/{}/channels", seed::GUILD_ID))
        .await
        .assert_error(403, 50001);
    let guilds = get(&fake, "/users/@me/guilds").await.json();
    assert_eq!(guilds.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bodies_must_be_json_objects() {
    let fake = FakeDiscord::start().await;
    let auth = format!("Bot {}", fake.bot_token());
    let url = format!("{}/stage-instances", fake.api_url());
    let form = reqwest::Client::new()
        .post(&url)
        .header("authorization", &auth)
        .header("user-agent", UA)
        .header("content-type", "text/plain")
        .body("channel_id=1")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 400);
    let body: serde_json::Value = form.json().await.unwrap();
    assert_eq!(body["code"], 50035);
    assert_eq!(body["errors"]["_errors"][0]["code"], "CONTENT_TYPE_INVALID");

    let broken = reqwest::Client::new()
        .post(&url)
        .header("authorization", &auth)
        .header("user-agent", UA)
        .header("content-type", "application/json")
        .body("{\"channel_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
    let body: serde_json::Value = broken.json().await.unwrap();
    assert_eq!(body["code"], 50109);

    let array = post(&fake, "/stage-instances", json!([1, 2])).await;
    array.assert_field_error(&[], "DICT_TYPE_CONVERT");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let fake = FakeDiscord::start().await;
    let topic = "x".repeat(2 << 20);
    let reply = post(
        &fake,
        "/stage-instances",
        json!({"channel_id": seed::IDLE_STAGE_CHANNEL_ID.to_string(), "topic": topic}),
    )
    .await;
    reply.assert_error(413, 40005);
    assert_eq!(fake.stage_instance(seed::IDLE_STAGE_CHANNEL_ID), None);
}
