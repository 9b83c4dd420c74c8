//! The read routes: what each answers for the demo seed, and what the fake records.

use onair_testkit::fake_discord::{FakeDiscord, Route, seed};

use crate::common::{UA, get};

#[tokio::test]
async fn current_user_application_and_gateway() {
    let fake = FakeDiscord::start().await;
    let me = get(&fake, "/users/@me").await;
    assert_eq!(me.status, 200);
    let me = me.json();
    assert_eq!(me["id"], seed::BOT_ID.to_string());
    assert_eq!(me["bot"], true);
    assert_eq!(me["discriminator"], "0");
    assert_eq!(me["mfa_enabled"], false);

    let app = get(&fake, "/oauth2/applications/@me").await.json();
    assert_eq!(app["id"], seed::BOT_ID.to_string());
    assert_eq!(app["owner"]["id"], seed::OWNER_ID.to_string());
    assert_eq!(app["bot"]["id"], seed::BOT_ID.to_string());
    assert_eq!(app["approximate_guild_count"], 2);

    let gateway = get(&fake, "/gateway/bot").await.json();
    assert_eq!(gateway["url"], "wss://gateway.discord.gg");
    assert_eq!(gateway["session_start_limit"]["max_concurrency"], 1);
}

#[tokio::test]
async fn my_guilds_lists_only_guilds_the_bot_is_in_and_pages() {
    let fake = FakeDiscord::start().await;
    let guilds = get(&fake, "/users/@me/guilds").await.json();
    let ids: Vec<&str> = guilds
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    let (main, readonly) = (
        seed::GUILD_ID.to_string(),
        seed::READONLY_GUILD_ID.to_string(),
    );
    assert_eq!(ids, [main.as_str(), readonly.as_str()]);
    assert_eq!(guilds[0]["owner"], false);
    let perms: u64 = guilds[0]["permissions"].as_str().unwrap().parse().unwrap();
    assert_ne!(
        perms & (1 << 44),
        0,
        "CREATE_EVENTS from the moderator role"
    );

    let page = get(&fake, "/users/@me/guilds?limit=1").await.json();
    assert_eq!(page.as_array().unwrap().len(), 1);
    let after = get(&fake, &format!("/users/@me/guilds?after={main}"))
        .await
        .json();
    assert_eq!(after[0]["id"], readonly);
    let before = get(
        &fake,
        &format!("/users/@me/guilds?before={readonly}&with_counts=true"),
    )
    .await
    .json();
    assert_eq!(before.as_array().unwrap().len(), 1);
    assert_eq!(before[0]["approximate_member_count"], 3);

    get(&fake, "/users/@me/guilds?limit=0")
        .await
        .assert_field_error(&["limit"], "NUMBER_TYPE_MIN");
    get(&fake, "/users/@me/guilds?limit=201")
        .await
        .assert_field_error(&["limit"], "NUMBER_TYPE_MAX");
    get(&fake, "/users/@me/guilds?after=soon")
        .await
        .assert_field_error(&["after"], "NUMBER_TYPE_COERCE");
}

#[tokio::test]
async fn guild_channels_roles_and_member() {
    let fake = FakeDiscord::start().await;
    let g = seed::GUILD_ID;
    let guild = get(&fake, &format!("/guilds/{g}")).await.json();
    assert_eq!(guild["name"], "onair community");
    assert_eq!(guild["owner_id"], seed::OWNER_ID.to_string());
    assert!(guild.get("approximate_member_count").is_none());
    assert_eq!(guild["roles"].as_array().unwrap().len(), 2);
    let counted = get(&fake, &format!("/guilds/{g}?with_counts=true"))
        .await
        .json();
    assert_eq!(counted["approximate_member_count"], 3);

    let channels = get(&fake, &format!("/guilds/{g}/channels")).await.json();
    let stages: Vec<&str> = channels
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == 13)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["Town Hall", "Studio B", "Backstage", "Green Room"]);
    let town_hall = channels
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"].as_str() == Some(seed::LIVE_STAGE_CHANNEL_ID.to_string().as_str()))
        .unwrap();
    assert_eq!(town_hall["user_limit"], 10000);
    assert_eq!(town_hall["parent_id"], seed::CATEGORY_ID.to_string());
    assert_eq!(town_hall["guild_id"], g.to_string());

    let roles = get(&fake, &format!("/guilds/{g}/roles")).await.json();
    assert_eq!(roles[0]["id"], g.to_string(), "@everyone first");
    assert_eq!(roles[0]["name"], "@everyone");
    assert!(roles[1]["permissions"].is_string());

    let member = get(&fake, &format!("/guilds/{g}/members/{}", seed::BOT_ID)).await;
    assert_eq!(member.status, 200);
    let member = member.json();
    assert_eq!(member["user"]["id"], seed::BOT_ID.to_string());
    assert_eq!(member["roles"][0], seed::MODERATOR_ROLE_ID.to_string());
    assert!(member["joined_at"].as_str().unwrap().ends_with("+00:00"));

    let locked = get(
        &fake,
        &format!("/channels/{}", seed::LOCKED_STAGE_CHANNEL_ID),
    )
    .await
    .json();
    assert_eq!(locked["type"], 13);
    assert_eq!(locked["permission_overwrites"][0]["type"], 0);
    assert_eq!(
        locked["permission_overwrites"][0]["deny"],
        (1u64 << 22).to_string()
    );
}

#[tokio::test]
async fn every_call_is_counted_and_its_headers_kept() {
    let fake = FakeDiscord::start().await;
    for _ in 0..3 {
        get(&fake, "/users/@me").await;
    }
    get(&fake, &format!("/guilds/{}", seed::GUILD_ID)).await;
    get(&fake, "/nothing/here").await;
    assert_eq!(fake.calls_to(Route::GetCurrentUser), 3);
    assert_eq!(fake.calls_to(Route::GetGuild), 1);
    assert_eq!(fake.call_count(), 5);
    assert_eq!(fake.responses_with_status(404), 1);
    let calls = fake.calls();
    assert_eq!(calls.len(), 5);
    let first = &calls[0];
    assert_eq!(first.route, Some(Route::GetCurrentUser));
    assert_eq!(first.bot_id, Some(seed::BOT_ID));
    assert!(first.user_agent_ok);
    assert_eq!(first.user_agent(), Some(UA));
    assert_eq!(
        first.header("authorization"),
        Some(format!("Bot {}", fake.bot_token()).as_str())
    );
    let last = fake.last_request_headers().unwrap();
    assert_eq!(last["user-agent"], UA);
    fake.reset_calls();
    assert_eq!(fake.call_count(), 0);
    assert!(fake.calls().is_empty());
}
