//! The adapter over real HTTP against the fake X of `onair-testkit`, which is strict like X
//! (unknown or repeated parameters, bad field or expansion names are refused with 400), so a
//! passing test also shows the adapter sends queries X accepts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use onair_core::{
    CallContext, Credential, CredentialSource, LiveAudioProvider, ProviderError, RateLimitScope,
    SearchQuery, SearchState, SpaceListing, SpaceLookup, SpaceSearch, SpaceState, StatusKind,
};
use onair_provider_x::{XConfig, XProvider};
use onair_testkit::fake_x::{
    Endpoint, FakeX, FakeXConfig, Fault, FaultKind, ProblemHost, RecordedCall, SeedSpace,
    TokenKind, seed, token_fingerprint,
};
use url::Url;

const SPACE_FIELDS: [&str; 17] = [
    "created_at",
    "creator_id",
    "ended_at",
    "host_ids",
    "id",
    "invited_user_ids",
    "is_ticketed",
    "lang",
    "participant_count",
    "scheduled_start",
    "speaker_ids",
    "started_at",
    "state",
    "subscriber_count",
    "title",
    "topic_ids",
    "updated_at",
];

fn config(x: &FakeX) -> XConfig {
    XConfig {
        enabled: true,
        base_url: Url::parse(&x.base_url()).unwrap(),
        bearer_token: Some(x.app_token().into()),
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(5),
        creator_ids_min_interval: Duration::from_millis(50),
    }
}

fn provider(x: &FakeX) -> XProvider {
    XProvider::new(config(x)).unwrap()
}

/// A fake without the app-wide one-a-second limit on `by/creator_ids`, for tests that are
/// not about pacing and use a short interval to stay fast.
async fn fake() -> FakeX {
    FakeX::start_with(FakeXConfig {
        creator_ids_per_second: 0,
        ..FakeXConfig::default()
    })
    .await
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn tenant(token: &str) -> CallContext {
    CallContext::with_credential(Credential::new(token, CredentialSource::Tenant))
}

fn search(query: &str, state: SearchState, limit: u32) -> SearchQuery {
    SearchQuery {
        query: query.to_owned(),
        state,
        limit,
    }
}

fn param_names(call: &RecordedCall) -> Vec<&str> {
    call.query.iter().map(|(k, _)| k.as_str()).collect()
}

/// The field selection every call must carry, exactly as X spells it.
fn assert_field_selection(call: &RecordedCall) {
    let fields: HashSet<&str> = call.param("space.fields").unwrap().split(',').collect();
    assert_eq!(fields, SPACE_FIELDS.into_iter().collect::<HashSet<_>>());
    assert_eq!(
        call.param("expansions"),
        Some("creator_id,host_ids,speaker_ids,invited_user_ids,topic_ids")
    );
    assert_eq!(call.param("user.fields"), Some("id,name,username"));
    assert_eq!(call.param("topic.fields"), Some("id,name,description"));
}

// ---------------------------------------------------------------------------------------
// Endpoints and the queries they send

#[tokio::test]
async fn lookup_maps_a_full_space_and_sends_the_documented_query() {
    let x = fake().await;
    let p = provider(&x);
    let space = p
        .lookup(&CallContext::default(), seed::LIVE_SPACE)
        .await
        .unwrap();

    assert_eq!(space.network.as_str(), "x");
    assert_eq!(space.native_id, seed::LIVE_SPACE);
    assert_eq!(space.state, SpaceState::Live);
    assert_eq!(space.title.as_deref(), Some("hello world 👋"));
    assert_eq!(
        space.url.as_deref(),
        Some("https://x.com/i/spaces/1DXxyRYNejbKM")
    );
    assert_eq!(space.creator_id.as_deref(), Some(seed::TWITTER_DEV));
    let creator = space.creator.as_ref().unwrap();
    assert_eq!(
        (creator.username.as_deref(), creator.name.as_deref()),
        (Some("TwitterDev"), Some("Twitter Dev"))
    );
    assert_eq!(space.host_ids, [seed::TWITTER_DEV, seed::TWITTER_API]);
    let host_names: Vec<_> = space
        .hosts
        .iter()
        .map(|u| u.username.as_deref().unwrap())
        .collect();
    assert_eq!(host_names, ["TwitterDev", "TwitterAPI"]);
    assert_eq!(space.speakers.len(), 3);
    assert_eq!(space.invited_user_ids, [seed::TWITTER_API]);
    assert_eq!(space.topic_ids, [seed::TOPIC_TECHNOLOGY]);
    assert_eq!(space.participant_count, Some(420));
    assert_eq!(space.lang.as_deref(), Some("en"));
    assert_eq!(space.is_ticketed, Some(false));
    // An app token does not see the reminder count.
    assert_eq!(space.subscriber_count, None);
    let started = space.started_at.unwrap();
    assert!(started < Utc::now() && space.created_at.unwrap() < started);
    assert!(space.ended_at.is_none());

    let calls = x.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.endpoint, Some(Endpoint::SpaceById));
    assert_eq!(call.method, "GET");
    assert_eq!(call.path, "/2/spaces/1DXxyRYNejbKM");
    assert_eq!(
        param_names(call),
        ["space.fields", "expansions", "user.fields", "topic.fields"]
    );
    assert_field_selection(call);
    assert_eq!(
        call.bearer_fingerprint.as_deref(),
        Some(token_fingerprint(&x.app_token()).as_str())
    );
    assert_eq!(call.status, 200);
}

#[tokio::test]
async fn the_creators_user_token_sees_the_subscriber_count() {
    let x = fake().await;
    let p = provider(&x);
    let ctx = CallContext::with_credential(Credential::new(
        x.user_token(seed::TWITTER_DEV),
        CredentialSource::Profile,
    ));
    let space = p.lookup(&ctx, seed::LIVE_SPACE).await.unwrap();
    assert_eq!(space.subscriber_count, Some(12));
    // What a user token sees is not shared with other tenants.
    assert!(p.cache_partition(&ctx).is_some());
    let app = tenant(&x.app_token());
    assert_eq!(p.cache_partition(&app), None);
}

#[tokio::test]
async fn every_state_is_returned_by_id() {
    let x = fake().await;
    let p = provider(&x);
    let ctx = CallContext::default();
    for (id, state) in [
        (seed::SCHEDULED_SPACE, SpaceState::Scheduled),
        (seed::ENDED_SPACE, SpaceState::Ended),
        (seed::CANCELED_SPACE, SpaceState::Canceled),
    ] {
        assert_eq!(p.lookup(&ctx, id).await.unwrap().state, state, "{id}");
    }
    let ended = p.lookup(&ctx, seed::ENDED_SPACE).await.unwrap();
    assert!(ended.ended_at.is_some());
    let scheduled = p.lookup(&ctx, seed::SCHEDULED_SPACE).await.unwrap();
    assert!(scheduled.scheduled_start.unwrap() > Utc::now());

    x.upsert_space(SeedSpace::new(
        "1AbCdEfGhIjKL",
        onair_testkit::fake_x::SpaceState::Other("paused".into()),
    ));
    let odd = p.lookup(&ctx, "1AbCdEfGhIjKL").await.unwrap();
    assert_eq!(odd.state, SpaceState::Other("paused".into()));
    let bare = p.lookup(&ctx, seed::BARE_SPACE).await.unwrap();
    assert!(bare.title.is_none() && bare.hosts.is_empty() && bare.creator.is_none());
}

#[tokio::test]
async fn unicode_titles_and_names_come_through_unchanged() {
    let x = fake().await;
    let p = provider(&x);
    let ctx = CallContext::default();
    for (id, title) in [
        (seed::EMOJI_SPACE, seed::EMOJI_TITLE),
        (seed::CJK_SPACE, seed::CJK_TITLE),
        (seed::RTL_SPACE, seed::RTL_TITLE),
        (seed::COMBINING_SPACE, seed::COMBINING_TITLE),
    ] {
        let space = p.lookup(&ctx, id).await.unwrap();
        assert_eq!(space.title.as_deref(), Some(title), "{id}");
    }
    let cjk = p.lookup(&ctx, seed::CJK_SPACE).await.unwrap();
    assert_eq!(
        cjk.creator.unwrap().name.as_deref(),
        Some("東京オーディオ 🎧")
    );
}

#[tokio::test]
async fn a_missing_space_is_not_found_whatever_the_problem_host() {
    for host in [ProblemHost::ApiX, ProblemHost::ApiTwitter] {
        let x = FakeX::start_with(FakeXConfig {
            problem_host: host,
            ..FakeXConfig::default()
        })
        .await;
        let p = provider(&x);
        let e = p
            .lookup(&CallContext::default(), seed::MISSING_SPACE)
            .await
            .unwrap_err();
        assert_eq!(
            e,
            ProviderError::NotFound {
                id: seed::MISSING_SPACE.into()
            },
            "{host:?}"
        );
        assert_eq!(x.calls()[0].status, 200);
    }
}

#[tokio::test]
async fn a_space_whose_creator_x_cannot_expand_is_still_returned() {
    let x = fake().await;
    let p = provider(&x);
    let many = p
        .lookup_many(
            &CallContext::default(),
            &ids(&[seed::ORPHAN_SPACE, seed::LIVE_SPACE]),
        )
        .await
        .unwrap();
    let orphan = many[0].as_ref().unwrap();
    assert_eq!(orphan.creator_id.as_deref(), Some(seed::GHOST_CREATOR));
    assert!(orphan.creator.is_none());
    assert!(many[1].is_ok());
    let single = p
        .lookup(&CallContext::default(), seed::ORPHAN_SPACE)
        .await
        .unwrap();
    assert!(single.creator.is_none());
}

#[tokio::test]
async fn lookup_many_keeps_request_order_and_reports_each_id() {
    let x = fake().await;
    let p = provider(&x);
    let asked = ids(&[
        seed::SCHEDULED_SPACE,
        seed::MISSING_SPACE,
        "bad-id",
        seed::LIVE_SPACE,
        seed::SCHEDULED_SPACE,
    ]);
    let got = p
        .lookup_many(&CallContext::default(), &asked)
        .await
        .unwrap();
    assert_eq!(got.len(), 5);
    assert_eq!(got[0].as_ref().unwrap().native_id, seed::SCHEDULED_SPACE);
    assert_eq!(
        got[1],
        Err(ProviderError::NotFound {
            id: seed::MISSING_SPACE.into()
        })
    );
    assert!(
        matches!(&got[2], Err(ProviderError::InvalidInput { detail }) if detail.contains("`-`"))
    );
    assert_eq!(got[3].as_ref().unwrap().native_id, seed::LIVE_SPACE);
    assert_eq!(got[4], got[0]);

    // One call, each valid id once, the invalid one never sent.
    let calls = x.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].endpoint, Some(Endpoint::SpacesByIds));
    assert_eq!(calls[0].path, "/2/spaces");
    assert_eq!(
        param_names(&calls[0]),
        [
            "ids",
            "space.fields",
            "expansions",
            "user.fields",
            "topic.fields"
        ]
    );
    assert_eq!(
        calls[0].param("ids"),
        Some("1nAJELYEEPvGL,1OwxWzlwbrnJQ,1DXxyRYNejbKM")
    );
    assert_field_selection(&calls[0]);
}

#[tokio::test]
async fn a_space_removed_upstream_is_not_found() {
    let x = fake().await;
    let p = provider(&x);
    x.remove_space(seed::LIVE_SPACE);
    let got = p
        .lookup_many(
            &CallContext::default(),
            &ids(&[seed::LIVE_SPACE, seed::ENDED_SPACE]),
        )
        .await
        .unwrap();
    assert_eq!(
        got[0],
        Err(ProviderError::NotFound {
            id: seed::LIVE_SPACE.into()
        })
    );
    assert!(got[1].is_ok());
}

#[tokio::test]
async fn two_hundred_fifty_ids_take_three_calls_and_keep_their_order() {
    let x = fake().await;
    let p = provider(&x);
    let mut asked: Vec<String> = seed::all_space_ids().into_iter().take(250).collect();
    asked.reverse();
    let got = p
        .lookup_many(&CallContext::default(), &asked)
        .await
        .unwrap();
    assert_eq!(got.len(), 250);
    for (id, outcome) in asked.iter().zip(&got) {
        assert_eq!(&outcome.as_ref().unwrap().native_id, id);
    }
    let calls = x.calls();
    assert_eq!(calls.len(), 3);
    let mut sent: Vec<String> = Vec::new();
    for call in &calls {
        assert_eq!(call.endpoint, Some(Endpoint::SpacesByIds));
        assert_eq!(call.status, 200);
        let chunk: Vec<&str> = call.param("ids").unwrap().split(',').collect();
        assert!(chunk.len() <= 100);
        sent.extend(chunk.into_iter().map(String::from));
    }
    sent.sort();
    let mut expected = asked.clone();
    expected.sort();
    assert_eq!(sent, expected, "every id sent exactly once");
}

#[tokio::test]
async fn by_creators_returns_live_and_scheduled_spaces_of_the_creators() {
    let x = fake().await;
    let p = provider(&x);
    let got = p
        .by_creators(
            &CallContext::default(),
            &ids(&[seed::TWITTER_DEV, seed::MISSING_USER, seed::TWITTER_DEV]),
        )
        .await
        .unwrap();
    let found: HashSet<&str> = got.iter().map(|s| s.native_id.as_str()).collect();
    assert_eq!(
        found,
        HashSet::from([seed::LIVE_SPACE, seed::DEV_SCHEDULED_SPACE])
    );
    assert!(
        got.iter()
            .all(|s| s.creator.as_ref().unwrap().username.as_deref() == Some("TwitterDev"))
    );

    let calls = x.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].path, "/2/spaces/by/creator_ids");
    assert_eq!(
        param_names(&calls[0]),
        [
            "user_ids",
            "space.fields",
            "expansions",
            "user.fields",
            "topic.fields"
        ]
    );
    assert_eq!(
        calls[0].param("user_ids"),
        Some("2244994945,1999999999999999999")
    );
    assert_field_selection(&calls[0]);

    let e = p
        .by_creators(&CallContext::default(), &ids(&["TwitterDev"]))
        .await
        .unwrap_err();
    assert!(matches!(e, ProviderError::InvalidInput { detail } if detail.contains("numbers")));
    assert_eq!(x.call_count(), 1, "an invalid id makes no call");
}

/// 250 creators: the 40 generated creators (300 live or scheduled Spaces) and 210 without any.
fn many_creators() -> Vec<String> {
    let mut creators: Vec<String> = (0..40).map(seed::generated_user_id).collect();
    creators.extend((0..210u64).map(|i| (3_000_000_000 + i).to_string()));
    creators
}

fn expected_generated_discoverable() -> HashSet<String> {
    (0..seed::GENERATED_SPACES)
        .filter(|i| {
            matches!(
                seed::generated_space_state(*i),
                onair_testkit::fake_x::SpaceState::Live
                    | onair_testkit::fake_x::SpaceState::Scheduled
            )
        })
        .map(seed::generated_space_id)
        .collect()
}

#[tokio::test]
async fn by_creators_splits_and_paces_its_calls() {
    let x = fake().await;
    let interval = Duration::from_millis(300);
    let p = XProvider::new(XConfig {
        creator_ids_min_interval: interval,
        ..config(&x)
    })
    .unwrap();
    let started = Instant::now();
    let got = p
        .by_creators(&CallContext::default(), &many_creators())
        .await
        .unwrap();
    assert!(started.elapsed() >= interval * 2, "{:?}", started.elapsed());

    let found: HashSet<String> = got.iter().map(|s| s.native_id.clone()).collect();
    assert_eq!(found.len(), got.len(), "no Space twice");
    assert_eq!(found, expected_generated_discoverable());

    let calls = x.calls();
    assert_eq!(calls.len(), 3);
    for pair in calls.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at).unwrap();
        assert!(gap >= interval, "calls {gap:?} apart");
    }
    let sizes: Vec<usize> = calls
        .iter()
        .map(|c| c.param("user_ids").unwrap().split(',').count())
        .collect();
    assert_eq!(sizes.iter().sum::<usize>(), 250);
    assert!(sizes.iter().all(|n| *n <= 100));
}

#[tokio::test]
async fn by_creators_never_trips_xs_one_call_a_second() {
    // X's own limit in the fake, X's own interval in the adapter.
    let x = FakeX::start().await;
    let p = XProvider::new(XConfig {
        creator_ids_min_interval: Duration::from_secs(1),
        ..config(&x)
    })
    .unwrap();
    let started = Instant::now();
    let got = p
        .by_creators(&CallContext::default(), &many_creators())
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_eq!(got.len(), expected_generated_discoverable().len());
    assert_eq!(x.calls_to(Endpoint::ByCreatorIds), 3);
    assert_eq!(x.responses_with_status(429), 0);
}

#[tokio::test]
async fn search_sends_query_state_and_clamped_max_results() {
    let x = fake().await;
    let p = provider(&x);
    let ctx = CallContext::default();

    let live = p
        .search(&ctx, &search(seed::BROAD_QUERY, SearchState::Live, 5))
        .await
        .unwrap();
    assert_eq!(live.len(), 5);
    assert!(live.iter().all(|s| s.state == SpaceState::Live));
    assert!(live.iter().all(|s| {
        s.title
            .as_deref()
            .unwrap()
            .to_lowercase()
            .contains(seed::BROAD_QUERY)
    }));

    let all = p
        .search(&ctx, &search(seed::BROAD_QUERY, SearchState::All, 500))
        .await
        .unwrap();
    assert_eq!(all.len(), 100);
    assert!(
        all.iter()
            .all(|s| matches!(s.state, SpaceState::Live | SpaceState::Scheduled))
    );

    let none = p
        .search(
            &ctx,
            &search(seed::NO_MATCH_QUERY, SearchState::Scheduled, 10),
        )
        .await
        .unwrap();
    assert!(none.is_empty());

    let calls = x.calls();
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0].path, "/2/spaces/search");
    assert_eq!(
        param_names(&calls[0]),
        [
            "query",
            "state",
            "max_results",
            "space.fields",
            "expansions",
            "user.fields",
            "topic.fields"
        ]
    );
    let sent: Vec<(Option<&str>, Option<&str>, Option<&str>)> = calls
        .iter()
        .map(|c| (c.param("query"), c.param("state"), c.param("max_results")))
        .collect();
    assert_eq!(
        sent,
        [
            (Some("weekly"), Some("live"), Some("5")),
            (Some("weekly"), Some("all"), Some("100")),
            (Some("zzzznotatitle"), Some("scheduled"), Some("10")),
        ]
    );
    assert_field_selection(&calls[0]);
}

#[tokio::test]
async fn search_sends_unicode_and_reserved_characters_intact() {
    let x = fake().await;
    let p = provider(&x);
    let got = p
        .search(
            &CallContext::default(),
            &search("東京から", SearchState::All, 10),
        )
        .await
        .unwrap();
    let ids: Vec<&str> = got.iter().map(|s| s.native_id.as_str()).collect();
    assert_eq!(ids, [seed::CJK_SPACE]);
    let odd = "a&b=c+d #e,f";
    p.search(&CallContext::default(), &search(odd, SearchState::All, 1))
        .await
        .unwrap();
    assert_eq!(x.calls()[1].param("query"), Some(odd));
}

#[tokio::test]
async fn bad_search_input_is_refused_without_a_call() {
    let x = fake().await;
    let p = provider(&x);
    let ctx = CallContext::default();
    for bad in ["", "   ", &"é".repeat(2049)] {
        let e = p
            .search(&ctx, &search(bad, SearchState::All, 10))
            .await
            .unwrap_err();
        assert!(matches!(e, ProviderError::InvalidInput { .. }), "{e:?}");
    }
    // 2048 characters is the most X takes, and it is sent.
    p.search(&ctx, &search(&"é".repeat(2048), SearchState::All, 10))
        .await
        .unwrap();
    assert_eq!(
        p.search(&ctx, &search("hello", SearchState::All, 0)).await,
        Ok(vec![])
    );
    assert_eq!(x.call_count(), 1);
}

// ---------------------------------------------------------------------------------------
// Credentials

#[tokio::test]
async fn the_calls_credential_wins_over_the_operators() {
    let x = fake().await;
    let p = provider(&x);
    let tenant_token = "AAAAAAAAAAAAAAAAAAAAAtenant0app0token0for0tests";
    x.add_token(tenant_token, TokenKind::App);
    p.lookup(&tenant(tenant_token), seed::LIVE_SPACE)
        .await
        .unwrap();
    p.lookup(&CallContext::default(), seed::LIVE_SPACE)
        .await
        .unwrap();
    let fingerprints: Vec<String> = x
        .calls()
        .into_iter()
        .map(|c| c.bearer_fingerprint.unwrap())
        .collect();
    assert_eq!(
        fingerprints,
        [
            token_fingerprint(tenant_token),
            token_fingerprint(&x.app_token())
        ]
    );
}

#[tokio::test]
async fn without_any_credential_nothing_is_sent() {
    let x = fake().await;
    let p = XProvider::new(XConfig {
        bearer_token: None,
        ..config(&x)
    })
    .unwrap();
    assert_eq!(p.status().kind, StatusKind::Unconfigured);
    let ctx = CallContext::default();
    let not_configured = |e: ProviderError| match e {
        ProviderError::NotConfigured { detail } => {
            assert!(
                detail.contains("ONAIR_PROVIDERS__X__BEARER_TOKEN"),
                "{detail}"
            );
            assert!(
                detail.contains("PUT /v1/networks/x/credentials"),
                "{detail}"
            );
        }
        other => panic!("expected NotConfigured, got {other:?}"),
    };
    not_configured(p.lookup(&ctx, seed::LIVE_SPACE).await.unwrap_err());
    not_configured(
        p.lookup_many(&ctx, &ids(&[seed::LIVE_SPACE]))
            .await
            .unwrap_err(),
    );
    not_configured(
        p.by_creators(&ctx, &ids(&[seed::TWITTER_DEV]))
            .await
            .unwrap_err(),
    );
    not_configured(
        p.search(&ctx, &search("hello", SearchState::All, 5))
            .await
            .unwrap_err(),
    );
    assert_eq!(x.call_count(), 0);
    // A tenant's own token makes it work.
    p.lookup(&tenant(&x.app_token()), seed::LIVE_SPACE)
        .await
        .unwrap();
    assert_eq!(x.call_count(), 1);
    assert_eq!(provider(&x).status().kind, StatusKind::Available);
}

#[tokio::test]
async fn a_token_that_cannot_be_sent_is_refused_locally() {
    let x = fake().await;
    let p = provider(&x);
    let e = p
        .lookup(&tenant("AAAA\r\nX-Injected: 1"), seed::LIVE_SPACE)
        .await
        .unwrap_err();
    assert!(matches!(e, ProviderError::Unauthorized { .. }), "{e:?}");
    assert_eq!(x.call_count(), 0);
}

// ---------------------------------------------------------------------------------------
// Every failure class

async fn fail_with(host: ProblemHost, kind: FaultKind) -> (ProviderError, FakeX) {
    let x = FakeX::start_with(FakeXConfig {
        problem_host: host,
        ..FakeXConfig::default()
    })
    .await;
    let p = XProvider::new(XConfig {
        timeout: Duration::from_millis(500),
        ..config(&x)
    })
    .unwrap();
    x.inject(Fault::once(kind).on(Endpoint::SpacesByIds));
    let e = p
        .lookup_many(&CallContext::default(), &ids(&[seed::LIVE_SPACE]))
        .await
        .unwrap_err();
    (e, x)
}

#[tokio::test]
async fn every_upstream_failure_is_classified() {
    for host in [ProblemHost::ApiX, ProblemHost::ApiTwitter] {
        let check = async |kind: FaultKind| fail_with(host, kind).await.0;

        // A 400 that does not blame the caller's values is X refusing onair's request.
        assert!(matches!(
            check(FaultKind::Status(400)).await,
            ProviderError::Rejected {
                status: Some(400),
                ..
            }
        ));
        assert!(matches!(
            check(FaultKind::Status(401)).await,
            ProviderError::Unauthorized { .. }
        ));
        assert!(matches!(
            check(FaultKind::CreditsDepleted).await,
            ProviderError::PaymentRequired { detail } if detail.contains("credits")
        ));
        assert_eq!(
            check(FaultKind::ClientForbidden).await,
            ProviderError::Forbidden {
                reason: Some("client-not-enrolled".into()),
                detail: "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.".into(),
            }
        );
        assert!(matches!(
            check(FaultKind::UnsupportedAuthentication).await,
            ProviderError::Forbidden { reason: Some(r), .. } if r == "unsupported-authentication"
        ));
        assert!(matches!(
            check(FaultKind::Status(403)).await,
            ProviderError::Forbidden { reason: None, detail } if detail.contains("not permitted")
        ));
        assert_eq!(
            check(FaultKind::UsageCapped).await,
            ProviderError::RateLimited {
                scope: RateLimitScope::UsageCap,
                reset_at: None
            }
        );
        assert!(matches!(
            check(FaultKind::RateLimited).await,
            ProviderError::RateLimited {
                scope: RateLimitScope::Window,
                reset_at: Some(_)
            }
        ));
        for status in [500, 502, 503, 504] {
            assert!(matches!(
                check(FaultKind::Status(status)).await,
                ProviderError::Unavailable { status: Some(s), .. } if s == status
            ));
        }
        assert_eq!(
            check(FaultKind::Latency(Duration::from_secs(3))).await,
            ProviderError::Timeout
        );
        assert!(matches!(
            check(FaultKind::MalformedBody).await,
            ProviderError::MalformedResponse { .. }
        ));
        assert!(matches!(
            check(FaultKind::TruncatedBody).await,
            ProviderError::MalformedResponse { detail } if detail.contains("ends early")
        ));
        assert!(matches!(
            check(FaultKind::DropConnection).await,
            ProviderError::Unavailable { status: None, .. }
        ));
    }
}

#[tokio::test]
async fn a_404_on_a_single_lookup_is_not_found() {
    let x = fake().await;
    let p = provider(&x);
    x.inject(Fault::once(FaultKind::Status(404)).on(Endpoint::SpaceById));
    let e = p
        .lookup(&CallContext::default(), seed::LIVE_SPACE)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ProviderError::NotFound {
            id: seed::LIVE_SPACE.into()
        }
    );
}

#[tokio::test]
async fn a_refused_connection_is_unavailable() {
    // A port that was just free: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let p = XProvider::new(XConfig {
        base_url: Url::parse(&format!("http://127.0.0.1:{port}")).unwrap(),
        bearer_token: Some("AAAAAAAAAAAAAAAAAAAAAoperator".into()),
        ..XConfig::default()
    })
    .unwrap();
    let e = p
        .lookup(&CallContext::default(), seed::LIVE_SPACE)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ProviderError::Unavailable { status: None, detail } if detail.contains("connect")),
        "{e:?}"
    );
    // The cause is readable: the address, not the whole query of field lists.
    let detail = e.to_string();
    assert!(
        detail.contains(&format!("127.0.0.1:{port}/2/spaces")),
        "{detail}"
    );
    assert!(!detail.contains("space.fields"), "{detail}");
}

#[tokio::test]
async fn when_one_chunk_fails_only_its_ids_carry_the_failure() {
    let x = fake().await;
    let p = provider(&x);
    x.inject(Fault::once(FaultKind::Status(503)).on(Endpoint::SpacesByIds));
    let asked: Vec<String> = seed::all_space_ids().into_iter().take(150).collect();
    let got = p
        .lookup_many(&CallContext::default(), &asked)
        .await
        .unwrap();
    let failed = got
        .iter()
        .filter(|o| {
            matches!(
                o,
                Err(ProviderError::Unavailable {
                    status: Some(503),
                    ..
                })
            )
        })
        .count();
    let found = got.iter().filter(|o| o.is_ok()).count();
    assert!(
        (failed, found) == (100, 50) || (failed, found) == (50, 100),
        "{failed} failed, {found} found"
    );
    // All chunks failing fails the call.
    x.inject(Fault::times(FaultKind::Status(503), 2).on(Endpoint::SpacesByIds));
    let e = p
        .lookup_many(&CallContext::default(), &asked)
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        ProviderError::Unavailable {
            status: Some(503),
            ..
        }
    ));
}

// ---------------------------------------------------------------------------------------
// Rate limits and the budget

#[tokio::test]
async fn rate_limit_headers_are_tracked_per_credential_and_endpoint() {
    let x = fake().await;
    x.set_rate_limit(Endpoint::SpaceById, 5, Duration::from_secs(120));
    let p = provider(&x);
    assert!(p.rate_limits().is_empty());
    let ctx = CallContext::default();
    p.lookup(&ctx, seed::LIVE_SPACE).await.unwrap();
    p.lookup(&ctx, seed::ENDED_SPACE).await.unwrap();
    p.search(&ctx, &search("hello", SearchState::All, 3))
        .await
        .unwrap();

    let snapshots = p.rate_limits();
    let fingerprint = token_fingerprint(&x.app_token());
    let by_id = snapshots
        .iter()
        .find(|s| s.endpoint == "/2/spaces/:id")
        .unwrap();
    assert_eq!(by_id.credential, fingerprint);
    assert_eq!((by_id.limit, by_id.remaining), (Some(5), Some(3)));
    let reset = by_id.reset_at.unwrap();
    let ahead = reset - Utc::now();
    assert!(
        ahead > chrono::TimeDelta::seconds(100) && ahead <= chrono::TimeDelta::seconds(122),
        "{ahead:?}"
    );
    let search_bucket = snapshots
        .iter()
        .find(|s| s.endpoint == "/2/spaces/search")
        .unwrap();
    assert_eq!(
        (search_bucket.limit, search_bucket.remaining),
        (Some(300), Some(299))
    );
    assert_eq!(snapshots.len(), 2);
    // The token itself appears nowhere.
    assert!(!format!("{snapshots:?}").contains(&x.app_token()));
}

#[tokio::test]
async fn a_401_without_headers_does_not_exhaust_the_budget() {
    let x = fake().await;
    x.set_rate_limit(Endpoint::SpaceById, 3, Duration::from_secs(120));
    let p = provider(&x);
    let ctx = CallContext::default();
    p.lookup(&ctx, seed::LIVE_SPACE).await.unwrap();
    let before = p.rate_limits();
    x.inject(Fault::times(FaultKind::Status(401), 3).on(Endpoint::SpaceById));
    for _ in 0..3 {
        assert!(matches!(
            p.lookup(&ctx, seed::LIVE_SPACE).await,
            Err(ProviderError::Unauthorized { .. })
        ));
    }
    assert_eq!(p.rate_limits(), before);
    // An unknown token is X's own 401, also without headers.
    let stranger = tenant("AAAAAAAAAAAAAAAAAAAAAnot0registered0anywhere");
    for _ in 0..3 {
        assert!(matches!(
            p.lookup(&stranger, seed::LIVE_SPACE).await,
            Err(ProviderError::Unauthorized { .. })
        ));
    }
    assert!(
        p.rate_limits()
            .iter()
            .all(|s| s.credential != stranger.credential.as_ref().unwrap().fingerprint())
    );
    assert_eq!(x.calls_to(Endpoint::SpaceById), 7, "every call was sent");
    p.lookup(&ctx, seed::LIVE_SPACE).await.unwrap();
}

#[tokio::test]
async fn an_upstream_429_is_honoured_until_its_reset() {
    let x = FakeX::start_with(FakeXConfig {
        window: Duration::from_secs(2),
        ..FakeXConfig::default()
    })
    .await;
    let p = provider(&x);
    let ctx = CallContext::default();
    x.inject(Fault::once(FaultKind::RateLimited).on(Endpoint::SpaceById));
    let reset_at = match p.lookup(&ctx, seed::LIVE_SPACE).await {
        Err(ProviderError::RateLimited {
            scope: RateLimitScope::Window,
            reset_at: Some(reset_at),
        }) => reset_at,
        other => panic!("expected a 429, got {other:?}"),
    };
    assert!(reset_at > Utc::now());

    // Held back: no call reaches X before the reset.
    for _ in 0..5 {
        assert_eq!(
            p.lookup(&ctx, seed::LIVE_SPACE).await,
            Err(ProviderError::RateLimited {
                scope: RateLimitScope::Budget,
                reset_at: Some(reset_at)
            })
        );
    }
    assert_eq!(x.calls_to(Endpoint::SpaceById), 1);
    // Other endpoints have their own budget.
    p.lookup_many(&ctx, &ids(&[seed::LIVE_SPACE]))
        .await
        .unwrap();

    let wait = (reset_at - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(50)).await;
    p.lookup(&ctx, seed::LIVE_SPACE).await.unwrap();
    assert_eq!(x.calls_to(Endpoint::SpaceById), 2);
    assert_eq!(x.responses_with_status(429), 1);
}

#[tokio::test]
async fn a_burst_larger_than_the_budget_never_reaches_a_429() {
    let x = fake().await;
    x.set_rate_limit(Endpoint::Search, 8, Duration::from_secs(300));
    let p = Arc::new(provider(&x));
    let ctx = CallContext::default();
    // One call teaches the adapter the budget: 7 left.
    p.search(&ctx, &search("hello", SearchState::All, 5))
        .await
        .unwrap();

    let burst = futures::future::join_all((0..30).map(|_| {
        let p = p.clone();
        async move {
            p.search(
                &CallContext::default(),
                &search("hello", SearchState::All, 5),
            )
            .await
        }
    }))
    .await;
    let sent = burst.iter().filter(|r| r.is_ok()).count();
    let held: Vec<_> = burst.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(sent, 7);
    assert_eq!(held.len(), 23);
    for e in held {
        assert!(
            matches!(e, ProviderError::RateLimited { scope: RateLimitScope::Budget, reset_at: Some(r) } if *r > Utc::now()),
            "{e:?}"
        );
    }
    assert_eq!(x.calls_to(Endpoint::Search), 8);
    assert_eq!(x.responses_with_status(429), 0);
    let bucket = p
        .rate_limits()
        .into_iter()
        .find(|s| s.endpoint == "/2/spaces/search")
        .unwrap();
    assert_eq!(bucket.remaining, Some(0));
}

#[tokio::test]
async fn budgets_of_different_credentials_are_separate() {
    let x = fake().await;
    x.set_rate_limit(Endpoint::SpaceById, 1, Duration::from_secs(300));
    let p = provider(&x);
    let other = "AAAAAAAAAAAAAAAAAAAAAsecond0app0token0for0tests";
    x.add_token(other, TokenKind::App);
    p.lookup(&CallContext::default(), seed::LIVE_SPACE)
        .await
        .unwrap();
    assert!(matches!(
        p.lookup(&CallContext::default(), seed::LIVE_SPACE).await,
        Err(ProviderError::RateLimited {
            scope: RateLimitScope::Budget,
            ..
        })
    ));
    p.lookup(&tenant(other), seed::LIVE_SPACE).await.unwrap();
    assert_eq!(x.responses_with_status(429), 0);
}

#[tokio::test]
async fn a_usage_cap_stops_calls_with_that_credential() {
    let x = fake().await;
    let p = provider(&x);
    let ctx = CallContext::default();
    x.inject(Fault::once(FaultKind::UsageCapped).on(Endpoint::Search));
    assert!(matches!(
        p.search(&ctx, &search("hello", SearchState::All, 5)).await,
        Err(ProviderError::RateLimited {
            scope: RateLimitScope::UsageCap,
            ..
        })
    ));
    assert!(matches!(
        p.lookup(&ctx, seed::LIVE_SPACE).await,
        Err(ProviderError::RateLimited {
            scope: RateLimitScope::UsageCap,
            ..
        })
    ));
    assert_eq!(x.call_count(), 1);
}
