//! Upstream frugality, counted on the fake X: batching, coalescing, the cache and its
//! partitions, and the X rate budget. The API runs in-process over loopback with the real X
//! adapter; every upstream call is a real HTTP call to the fake, which counts them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::{collections::HashSet, time::Duration};

use futures::{StreamExt, stream};
use onair_api::{ApiConfig, CacheConfig, RateLimitConfig};
use onair_service::ServiceConfig;
use onair_testkit::fake_x::{
    Endpoint, FakeX, FakeXConfig, Fault, FaultKind, TokenKind, seed, token_fingerprint,
};
use serde_json::{Value, json};
use support::{TestApp, problem};

fn generated(n: usize) -> Vec<String> {
    (0..n).map(seed::generated_space_id).collect()
}

/// The ids of every `/2/spaces?ids=` call the fake received, call by call.
fn batch_calls(x: &FakeX) -> Vec<Vec<String>> {
    x.calls()
        .iter()
        .filter(|c| c.endpoint == Some(Endpoint::SpacesByIds))
        .map(|c| {
            c.param("ids")
                .unwrap()
                .split(',')
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

async fn get_json(app: &TestApp, path: &str, key: &str) -> (u16, Value) {
    let r = app.get(path, key).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn a_hundred_distinct_cold_lookups_leave_in_at_most_two_batch_calls() {
    let x = FakeX::start().await;
    let app = TestApp::with_fake_x(ApiConfig::default(), &x).await;
    let t = app.tenant("acme").await;
    // The key is looked up once, so the lookups below arrive together.
    assert_eq!(get_json(&app, "/v1/networks", &t.key).await.0, 200);
    // X answers in about 100-300 ms; a slow first answer stands for that here, so that the
    // lookups still arriving meet a call in flight, however slowly this machine sends them.
    x.inject(
        Fault::times(FaultKind::Latency(Duration::from_millis(1500)), 2).on(Endpoint::SpacesByIds),
    );
    let ids = generated(100);
    let answers: Vec<(String, u16, Value)> = stream::iter(ids.clone())
        .map(|id| {
            let app = &app;
            let key = t.key.clone();
            async move {
                let (status, body) = get_json(app, &format!("/v1/spaces/x/{id}"), &key).await;
                (id, status, body)
            }
        })
        .buffer_unordered(100)
        .collect()
        .await;
    for (id, status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body["data"]["id"], format!("x:{id}"));
    }
    let calls = batch_calls(&x);
    assert!(
        (1..=2).contains(&calls.len()),
        "{} batch calls: {calls:?}",
        calls.len()
    );
    assert_eq!(x.call_count(), calls.len(), "only batch calls were made");
    let sent: Vec<&String> = calls.iter().flatten().collect();
    assert!(calls.iter().all(|c| c.len() <= 100));
    assert_eq!(sent.len(), 100, "each id sent once");
    assert_eq!(
        sent.into_iter().cloned().collect::<HashSet<_>>(),
        ids.into_iter().collect::<HashSet<_>>()
    );
}

#[tokio::test]
async fn a_missing_space_in_a_batch_is_a_not_found_for_it_alone() {
    let x = FakeX::start().await;
    let app = TestApp::with_fake_x(ApiConfig::default(), &x).await;
    let t = app.tenant("acme").await;
    // Alone: still the batch endpoint, and X's partial error becomes a 404 problem.
    let r = app
        .get(&format!("/v1/spaces/x/{}", seed::MISSING_SPACE), &t.key)
        .send()
        .await
        .unwrap();
    let body = problem(r, 404, "space_not_found").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains(seed::MISSING_SPACE),
        "{body}"
    );
    assert_eq!(x.calls_to(Endpoint::SpacesByIds), 1);
    assert_eq!(x.calls_to(Endpoint::SpaceById), 0);

    // Together with found ones, in one call: the others are answered, in order.
    x.reset_calls();
    let other_missing = "1OwxWzlwbrnJR";
    let path = format!(
        "/v1/spaces?ids=x:{},x:{other_missing},x:{}",
        seed::LIVE_SPACE,
        seed::ENDED_SPACE
    );
    let (status, body) = get_json(&app, &path, &t.key).await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            format!("x:{}", seed::LIVE_SPACE),
            format!("x:{}", seed::ENDED_SPACE)
        ]
    );
    assert_eq!(body["errors"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body["errors"][0]["id"], format!("x:{other_missing}"));
    assert_eq!(body["errors"][0]["code"], "space_not_found");
    assert_eq!(body["errors"][0]["status"], 404);
    assert_eq!(batch_calls(&x).len(), 1);
}

#[tokio::test]
async fn identical_concurrent_requests_share_one_call() {
    let x = FakeX::start().await;
    let app = TestApp::with_fake_x(ApiConfig::default(), &x).await;
    let t = app.tenant("acme").await;
    assert_eq!(get_json(&app, "/v1/networks", &t.key).await.0, 200);
    // Slow answers keep every request in flight while the first call runs.
    x.inject(Fault::always(FaultKind::Latency(Duration::from_millis(
        800,
    ))));

    let paths = [
        format!("/v1/spaces/x/{}", seed::LIVE_SPACE),
        format!(
            "/v1/spaces/search?query={}&networks=x&state=live",
            seed::BROAD_QUERY
        ),
        format!("/v1/spaces/by-creator?creator_ids=x:{}", seed::TWITTER_DEV),
    ];
    for (path, endpoint) in paths.iter().zip([
        Endpoint::SpacesByIds,
        Endpoint::Search,
        Endpoint::ByCreatorIds,
    ]) {
        let answers: Vec<(u16, Value)> = stream::iter(0..50)
            .map(|_| get_json(&app, path, &t.key))
            .buffer_unordered(50)
            .collect()
            .await;
        let first = &answers[0].1;
        for (status, body) in &answers {
            assert_eq!(*status, 200, "{path}: {body}");
            assert_eq!(
                body["data"], first["data"],
                "{path}: every answer is the same"
            );
        }
        assert!(
            first["data"].as_object().is_some() || !first["data"].as_array().unwrap().is_empty(),
            "{path}: {first}"
        );
        assert_eq!(x.calls_to(endpoint), 1, "{path}: one upstream call");
    }
    assert_eq!(x.call_count(), 3);
}

/// Tenants' own rate limits out of the way: these tests are about X's.
fn generous_tenant_limits() -> ApiConfig {
    ApiConfig {
        rate_limit: RateLimitConfig {
            per_minute: 100_000,
            burst: 10_000,
        },
        ..ApiConfig::default()
    }
}

fn short_lived() -> ServiceConfig {
    ServiceConfig {
        cache: CacheConfig {
            live_ttl: Duration::from_secs(1),
            scheduled_ttl: Duration::from_secs(600),
            ended_ttl: Duration::from_secs(1),
            not_found_ttl: Duration::from_secs(1),
            max_entries: 10_000,
        },
        ..ServiceConfig::default()
    }
}

#[tokio::test]
async fn the_cache_answers_repeats_and_its_lifetimes_follow_the_state() {
    let x = FakeX::start().await;
    let app = TestApp::with_fake_x(short_lived(), &x).await;
    let t = app.tenant("acme").await;
    let ids = [
        seed::LIVE_SPACE,
        seed::SCHEDULED_SPACE,
        seed::ENDED_SPACE,
        seed::MISSING_SPACE,
    ];
    let path = format!(
        "/v1/spaces?ids={}",
        ids.map(|id| format!("x:{id}")).join(",")
    );
    let (status, body) = get_json(&app, &path, &t.key).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"].as_array().unwrap().len(), 3, "{body}");
    assert_eq!(body["errors"][0]["code"], "space_not_found", "{body}");
    assert_eq!(x.call_count(), 1);

    // Within every lifetime: repeats, one by one and as a list, cost nothing.
    for id in ids {
        app.get(&format!("/v1/spaces/x/{id}"), &t.key)
            .send()
            .await
            .unwrap();
    }
    let (_, again) = get_json(&app, &path, &t.key).await;
    assert_eq!(again["data"], body["data"]);
    assert_eq!(x.call_count(), 1, "repeats within the lifetime are cached");

    // Past the live, ended and not-found lifetimes (1 s), within the scheduled one (600 s).
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (_, later) = get_json(&app, &path, &t.key).await;
    assert_eq!(later["data"].as_array().unwrap().len(), 3, "{later}");
    let calls = batch_calls(&x);
    assert_eq!(calls.len(), 2, "{calls:?}");
    let refreshed: HashSet<&str> = calls[1].iter().map(String::as_str).collect();
    assert_eq!(
        refreshed,
        HashSet::from([seed::LIVE_SPACE, seed::ENDED_SPACE, seed::MISSING_SPACE]),
        "the scheduled Space is still fresh; the others were asked again"
    );
}

#[tokio::test]
async fn the_cache_is_shared_only_between_credentials_that_see_the_same() {
    let x = FakeX::start().await;
    let app = TestApp::with_fake_x(ApiConfig::default(), &x).await;
    let (a, b) = (app.tenant("a").await, app.tenant("b").await);
    let live = format!("/v1/spaces/x/{}", seed::LIVE_SPACE);

    // Two tenants on the operator's app token: one call.
    assert_eq!(get_json(&app, &live, &a.key).await.0, 200);
    assert_eq!(get_json(&app, &live, &b.key).await.0, 200);
    assert_eq!(x.call_count(), 1);

    // A tenant with its own app-only token sees what the public sees: still one call.
    let app_token = format!("AAAAAAAAAAAAAAAAAAAAA{}", "tenantapp0123456789");
    x.add_token(&app_token, TokenKind::App);
    let c = app.tenant("c").await;
    let put = |key: &str, token: &str| {
        app.put("/v1/networks/x/credentials", key)
            .json(&json!({ "token": token }))
            .send()
    };
    assert_eq!(put(&c.key, &app_token).await.unwrap().status(), 200);
    assert_eq!(get_json(&app, &live, &c.key).await.0, 200);
    assert_eq!(x.call_count(), 1, "an app token shares the public cache");

    // A tenant with a user token may see more (its own Spaces' subscriber counts): its
    // lookups are its own, and nobody else is served them.
    let user_token = x.user_token(seed::TWITTER_DEV);
    let d = app.tenant("d").await;
    assert_eq!(put(&d.key, &user_token).await.unwrap().status(), 200);
    assert_eq!(get_json(&app, &live, &d.key).await.0, 200);
    assert_eq!(x.call_count(), 2);
    let last = x.calls().pop().unwrap();
    assert_eq!(
        last.bearer_fingerprint.as_deref(),
        Some(token_fingerprint(&user_token).as_str())
    );
    assert_eq!(get_json(&app, &live, &d.key).await.0, 200);
    assert_eq!(x.call_count(), 2, "the user token's own entry is cached");

    let cjk = format!("/v1/spaces/x/{}", seed::CJK_SPACE);
    assert_eq!(get_json(&app, &cjk, &d.key).await.0, 200);
    assert_eq!(x.call_count(), 3);
    assert_eq!(get_json(&app, &cjk, &a.key).await.0, 200);
    assert_eq!(
        x.call_count(),
        4,
        "what a user token fetched is not served to others"
    );
    let last = x.calls().pop().unwrap();
    assert_eq!(
        last.bearer_fingerprint.as_deref(),
        Some(token_fingerprint(&x.app_token()).as_str())
    );
}

/// Sends `paths` with `concurrency` requests in flight; returns each status, body and
/// `Retry-After`.
async fn burst(
    app: &TestApp,
    key: &str,
    paths: Vec<String>,
    concurrency: usize,
) -> Vec<(u16, Value, Option<u64>)> {
    stream::iter(paths)
        .map(|path| async move {
            let r = app.get(&path, key).send().await.unwrap();
            let status = r.status().as_u16();
            let retry_after = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
            (status, r.json().await.unwrap(), retry_after)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await
}

#[tokio::test]
async fn a_spent_budget_answers_503_and_nothing_goes_upstream_until_the_reset() {
    const LIMIT: u32 = 20;
    const WINDOW: Duration = Duration::from_secs(6);
    let x = FakeX::start_with(FakeXConfig {
        rate_limit: LIMIT,
        window: WINDOW,
        ..FakeXConfig::default()
    })
    .await;
    let app = TestApp::with_fake_x(generous_tenant_limits(), &x).await;
    let t = app.tenant("acme").await;
    let started = std::time::Instant::now();

    // Ten times the budget in distinct searches, 40 at once: more than the budget is in
    // flight before onair has heard anything of it.
    let searches: Vec<String> = (0..10 * LIMIT)
        .map(|i| format!("/v1/spaces/search?networks=x&query=weekly%20{i}"))
        .collect();
    // And distinct lookups, a few at a time, so that they need far more than 20 calls.
    let lookups: Vec<String> = generated(400)
        .into_iter()
        .map(|id| format!("/v1/spaces/x/{id}"))
        .collect();
    let (searched, looked_up) = tokio::join!(
        burst(&app, &t.key, searches, 40),
        burst(&app, &t.key, lookups, 2),
    );
    let windows = started.elapsed().as_secs_f64() / WINDOW.as_secs_f64();
    let windows = windows.ceil() as usize + 1;

    assert_eq!(
        x.responses_with_status(429),
        0,
        "X was never driven into 429"
    );
    for endpoint in [Endpoint::Search, Endpoint::SpacesByIds] {
        let calls = x.calls_to(endpoint);
        assert!(
            calls >= 1 && calls <= LIMIT as usize * windows,
            "{endpoint:?}: {calls}"
        );
    }
    // A lookup is refused with 503 + Retry-After.
    let mut last_retry = 0;
    for (status, body, retry_after) in &looked_up {
        match status {
            200 => {}
            503 => {
                assert_eq!(body["code"], "upstream_rate_limited", "{body}");
                let retry = retry_after.expect("503 carries Retry-After");
                assert!((1..=WINDOW.as_secs() + 2).contains(&retry), "{retry}");
                last_retry = last_retry.max(retry);
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(last_retry > 0, "lookups were refused, not sent");
    // A search reports the network's refusal in `errors`, as it does every network failure.
    let mut refused_searches = 0;
    for (status, body, _) in &searched {
        assert_eq!(*status, 200, "{body}");
        if let Some(error) = body["errors"].as_array().unwrap().first() {
            assert_eq!(error["network"], "x", "{body}");
            assert_eq!(error["status"], 503, "{body}");
            assert_eq!(error["code"], "upstream_rate_limited", "{body}");
            refused_searches += 1;
        }
    }
    assert!(refused_searches > 0, "searches were refused, not sent");

    // After the reset, calls flow again.
    tokio::time::sleep(Duration::from_secs(last_retry) + Duration::from_millis(500)).await;
    let before = x.call_count();
    let (status, body) = get_json(
        &app,
        "/v1/spaces/search?networks=x&query=after%20the%20reset",
        &t.key,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) =
        get_json(&app, &format!("/v1/spaces/x/{}", seed::LIVE_SPACE), &t.key).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(x.call_count(), before + 2);
    assert_eq!(x.responses_with_status(429), 0);
}

#[tokio::test]
async fn a_stale_live_space_is_served_briefly_when_x_cannot_be_asked() {
    let x = FakeX::start().await;
    let ttl = Duration::from_secs(3);
    let config = ServiceConfig {
        cache: CacheConfig {
            live_ttl: ttl,
            ended_ttl: ttl,
            ..short_lived().cache
        },
        ..ServiceConfig::default()
    };
    let app = TestApp::with_fake_x(config, &x).await;
    let t = app.tenant("acme").await;
    let live = format!("/v1/spaces/x/{}", seed::LIVE_SPACE);
    let ended = format!("/v1/spaces/x/{}", seed::ENDED_SPACE);
    let path = format!(
        "/v1/spaces?ids=x:{},x:{}",
        seed::LIVE_SPACE,
        seed::ENDED_SPACE
    );
    let (status, first) = get_json(&app, &path, &t.key).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(x.call_count(), 1);

    // X goes down. Past the lifetime (3 s) but within the grace (3 s more)...
    x.inject(Fault::always(FaultKind::Status(503)));
    tokio::time::sleep(ttl + Duration::from_secs(1)).await;
    let (status, body) = get_json(&app, &live, &t.key).await;
    assert_eq!(status, 200, "the live Space is served stale: {body}");
    assert_eq!(body["data"], first["data"][0]);
    assert_eq!(x.call_count(), 2, "X was asked first");
    // ...and is not asked again at once for it.
    assert_eq!(get_json(&app, &live, &t.key).await.0, 200);
    assert_eq!(x.call_count(), 2);
    // An ended Space has no grace.
    let r = app.get(&ended, &t.key).send().await.unwrap();
    problem(r, 502, "upstream_unavailable").await;

    // Past the grace, the live Space is not served either.
    tokio::time::sleep(ttl).await;
    let r = app.get(&live, &t.key).send().await.unwrap();
    problem(r, 502, "upstream_unavailable").await;

    // X is back: fresh answers again.
    x.clear_faults();
    let (status, body) = get_json(&app, &live, &t.key).await;
    assert_eq!(status, 200, "{body}");
}
