//! Rate limits and faults: `X-RateLimit-*` headers, buckets per route and guild, real 429s
//! when a bucket or the global limit is spent, and injected 429s, 5xx and delays.

use std::time::{Duration, Instant};

use onair_testkit::fake_discord::{
    FakeDiscord, FakeDiscordConfig, Fault, FaultKind, RateLimitScope, Route, seed,
};
use serde_json::json;

use crate::common::{Reply, get};

fn number(reply: &Reply, name: &str) -> f64 {
    reply
        .header(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .parse()
        .unwrap()
}

async fn small(limit: u32, window: Duration) -> FakeDiscord {
    FakeDiscord::start_with(FakeDiscordConfig {
        rate_limit: limit,
        window,
        ..FakeDiscordConfig::default()
    })
    .await
}

#[tokio::test]
async fn every_answer_carries_bucket_headers() {
    let fake = small(3, Duration::from_secs(30)).await;
    let first = get(&fake, &format!("/guilds/{}", seed::GUILD_ID)).await;
    assert_eq!(first.header("x-ratelimit-limit"), Some("3"));
    assert_eq!(first.header("x-ratelimit-remaining"), Some("2"));
    let reset_after = number(&first, "x-ratelimit-reset-after");
    assert!(reset_after > 29.0 && reset_after <= 30.0, "{reset_after}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let reset = number(&first, "x-ratelimit-reset");
    assert!(
        (reset - (now + reset_after)).abs() < 2.0,
        "{reset} vs {now}"
    );
    let bucket = first.header("x-ratelimit-bucket").unwrap().to_owned();
    // Errors count too, and share the route's bucket.
    let missing = get(&fake, "/guilds/1191000000000009999").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("x-ratelimit-bucket"), Some(bucket.as_str()));
    let second = get(&fake, &format!("/guilds/{}", seed::GUILD_ID)).await;
    assert_eq!(second.header("x-ratelimit-remaining"), Some("1"));
    let other_route = get(&fake, &format!("/guilds/{}/roles", seed::GUILD_ID)).await;
    assert_ne!(
        other_route.header("x-ratelimit-bucket"),
        Some(bucket.as_str())
    );
    assert_eq!(other_route.header("x-ratelimit-remaining"), Some("2"));
}

#[tokio::test]
async fn a_spent_bucket_answers_429_until_it_resets() {
    let fake = small(2, Duration::from_millis(600)).await;
    let path = format!("/guilds/{}/scheduled-events", seed::GUILD_ID);
    assert_eq!(get(&fake, &path).await.status, 200);
    assert_eq!(get(&fake, &path).await.status, 200);
    let limited = get(&fake, &path).await;
    assert_eq!(limited.status, 429);
    let body = limited.json();
    assert_eq!(body["message"], "You are being rate limited.");
    assert_eq!(body["global"], false);
    let retry_after = body["retry_after"].as_f64().unwrap();
    assert!(retry_after > 0.0 && retry_after <= 0.6, "{retry_after}");
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(limited.header("x-ratelimit-scope"), Some("user"));
    assert_eq!(limited.header("retry-after"), Some("1"));
    assert!(limited.header("via").is_some());
    assert!(limited.header("x-ratelimit-global").is_none());
    // Another guild's events, and another route, have buckets of their own.
    let other_guild = format!("/guilds/{}/scheduled-events", seed::READONLY_GUILD_ID);
    assert_eq!(get(&fake, &other_guild).await.status, 200);
    assert_eq!(get(&fake, "/users/@me").await.status, 200);
    tokio::time::sleep(Duration::from_secs_f64(retry_after + 0.05)).await;
    assert_eq!(get(&fake, &path).await.status, 200);
    assert_eq!(fake.responses_with_status(429), 1);
}

#[tokio::test]
async fn route_limits_can_differ() {
    let fake = FakeDiscord::start().await;
    fake.set_route_rate_limit(Route::GetStageInstance, 1, Duration::from_secs(60));
    let path = format!("/stage-instances/{}", seed::LIVE_STAGE_CHANNEL_ID);
    assert_eq!(get(&fake, &path).await.status, 200);
    let limited = get(&fake, &path).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("60"));
    assert_eq!(limited.header("x-ratelimit-limit"), Some("1"));
    // The channel is the bucket's resource: another stage is not limited.
    let idle = get(
        &fake,
        &format!("/stage-instances/{}", seed::IDLE_STAGE_CHANNEL_ID),
    )
    .await;
    assert_eq!(idle.status, 404);
    assert_eq!(
        get(&fake, "/users/@me").await.header("x-ratelimit-limit"),
        Some("10")
    );
}

#[tokio::test]
async fn the_global_limit_spans_routes() {
    let fake = FakeDiscord::start_with(FakeDiscordConfig {
        global_per_second: 3,
        ..FakeDiscordConfig::default()
    })
    .await;
    for path in ["/users/@me", "/users/@me/guilds", "/gateway/bot"] {
        assert_eq!(get(&fake, path).await.status, 200);
    }
    let limited = get(&fake, "/oauth2/applications/@me").await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json()["global"], true);
    assert_eq!(limited.header("x-ratelimit-global"), Some("true"));
    assert_eq!(limited.header("x-ratelimit-scope"), Some("global"));
}

#[tokio::test]
async fn injected_rate_limits_have_discords_shape() {
    let fake = FakeDiscord::start().await;
    fake.inject(
        Fault::once(FaultKind::RateLimited {
            retry_after: Duration::from_millis(64_570),
            scope: RateLimitScope::Global,
        })
        .on(Route::GetGuild),
    );
    fake.inject(Fault::once(FaultKind::RateLimited {
        retry_after: Duration::from_millis(1_336_570),
        scope: RateLimitScope::Shared,
    }));
    let shared = get(&fake, "/users/@me").await;
    assert_eq!(shared.status, 429);
    assert_eq!(
        shared.json(),
        json!({"message": "The resource is being rate limited.", "retry_after": 1336.57, "global": false})
    );
    assert_eq!(shared.header("retry-after"), Some("1337"));
    assert_eq!(shared.header("x-ratelimit-scope"), Some("shared"));
    let global = get(&fake, &format!("/guilds/{}", seed::GUILD_ID)).await;
    assert_eq!(
        global.json(),
        json!({"message": "You are being rate limited.", "retry_after": 64.57, "global": true})
    );
    assert_eq!(global.header("retry-after"), Some("65"));
    assert_eq!(global.header("x-ratelimit-global"), Some("true"));
    assert_eq!(get(&fake, "/users/@me").await.status, 200);
}

#[tokio::test]
async fn injected_errors_and_delays() {
    let fake = FakeDiscord::start().await;
    fake.inject(Fault::times(FaultKind::Status(502), 2).on(Route::ListScheduledEvents));
    fake.inject(
        Fault::once(FaultKind::Delay(Duration::from_millis(300))).on(Route::GetCurrentUser),
    );
    let path = format!("/guilds/{}/scheduled-events", seed::GUILD_ID);
    let first = get(&fake, &path).await;
    assert_eq!(first.status, 502);
    assert_eq!(
        first.json(),
        json!({"message": "502: Bad Gateway", "code": 0})
    );
    assert!(first.header("x-ratelimit-bucket").is_some());
    assert_eq!(get(&fake, &path).await.status, 502);
    assert_eq!(get(&fake, &path).await.status, 200);
    let started = Instant::now();
    assert_eq!(get(&fake, "/users/@me").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    fake.inject(Fault::always(FaultKind::Status(500)));
    assert_eq!(get(&fake, "/gateway/bot").await.status, 500);
    fake.clear_faults();
    assert_eq!(get(&fake, "/gateway/bot").await.status, 200);
    assert_eq!(fake.calls_to(Route::ListScheduledEvents), 3);
}
