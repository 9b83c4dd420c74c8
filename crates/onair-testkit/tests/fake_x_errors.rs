//! The fake X's whole-request errors over real HTTP: every validation failure with X's exact
//! 400 body, authentication failures (and no rate-limit headers on 401), rate limits with
//! their headers and resets, the one-per-second limit of `by/creator_ids`, unknown routes, and
//! the record of calls.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use onair_core::{Credential, CredentialSource};
use onair_testkit::fake_x::{
    Endpoint, FakeX, FakeXConfig, ProblemHost, Seed, TokenKind, seed, token_fingerprint,
};
use serde_json::{Value, json};

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    fn rate_limit(&self) -> Option<(u32, u32, u64)> {
        Some((
            self.header("x-rate-limit-limit")?.parse().unwrap(),
            self.header("x-rate-limit-remaining")?.parse().unwrap(),
            self.header("x-rate-limit-reset")?.parse().unwrap(),
        ))
    }
}

async fn send(
    x: &FakeX,
    method: reqwest::Method,
    path_and_query: &str,
    authorization: Option<&str>,
) -> Reply {
    let mut request =
        reqwest::Client::new().request(method, format!("{}{path_and_query}", x.base_url()));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.expect("request to the fake");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
    Reply {
        status,
        headers,
        text,
    }
}

async fn get(x: &FakeX, path_and_query: &str) -> Reply {
    send(
        x,
        reqwest::Method::GET,
        path_and_query,
        Some(&format!("Bearer {}", x.app_token())),
    )
    .await
}

fn now_epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The `errors[]` of a 400, checking the rest of X's invalid-request shape on the way.
fn invalid_request_errors(reply: &Reply, host: &str) -> Vec<Value> {
    assert_eq!(reply.status, 400, "{}", reply.text);
    let body = reply.json();
    let object = body.as_object().unwrap();
    assert_eq!(
        object.keys().collect::<Vec<_>>(),
        ["detail", "errors", "title", "type"]
    );
    assert_eq!(body["title"], "Invalid Request");
    assert_eq!(
        body["detail"],
        "One or more parameters to your request was invalid."
    );
    assert_eq!(body["type"], format!("{host}/2/problems/invalid-request"));
    body["errors"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_bad_id_gets_xs_exact_400_body_with_rate_limit_headers() {
    let x = FakeX::start().await;
    let r = get(&x, "/2/spaces/111111111111111").await;
    assert_eq!(
        r.text,
        r#"{"errors":[{"parameters":{"id":["111111111111111"]},"message":"The `id` query parameter value [111111111111111] does not match ^[a-zA-Z0-9]{1,13}$"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.x.com/2/problems/invalid-request"}"#
    );
    assert_eq!(r.status, 400);
    // A 400 still spends budget and says so.
    assert_eq!(r.rate_limit().map(|(l, rem, _)| (l, rem)), Some((300, 299)));

    let r = get(&x, "/2/spaces/1DX-yRYNejbKM").await;
    let errors = invalid_request_errors(&r, "https://api.x.com");
    assert_eq!(errors[0]["parameters"], json!({"id": ["1DX-yRYNejbKM"]}));
}

#[tokio::test]
async fn the_problem_host_is_configurable() {
    let x = FakeX::start_with(FakeXConfig {
        problem_host: ProblemHost::ApiTwitter,
        ..Default::default()
    })
    .await;
    let r = get(&x, "/2/spaces?ids=bad!").await;
    invalid_request_errors(&r, "https://api.twitter.com");
    let r = get(&x, &format!("/2/spaces/{}", seed::MISSING_SPACE)).await;
    assert_eq!(
        r.json()["errors"][0]["type"],
        "https://api.twitter.com/2/problems/resource-not-found"
    );
    // about:blank stays about:blank.
    let r = send(&x, reqwest::Method::GET, "/2/spaces/1DXxyRYNejbKM", None).await;
    assert_eq!(r.json()["type"], "about:blank");
}

#[tokio::test]
async fn id_lists_are_checked_for_size_and_pattern_with_every_value_echoed() {
    let x = FakeX::start_with(FakeXConfig {
        creator_ids_per_second: 0,
        ..Default::default()
    })
    .await;
    let host = "https://api.x.com";
    let many: Vec<String> = (0..101).map(|i| format!("1Space{i:07}")).collect();
    let errors = invalid_request_errors(
        &get(&x, &format!("/2/spaces?ids={}", many.join(","))).await,
        host,
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0]["message"],
        "The number of values in the `ids` query parameter list [101] is not between 1 and 100"
    );
    assert_eq!(errors[0]["parameters"]["ids"], json!(many));

    let errors = invalid_request_errors(&get(&x, "/2/spaces?ids=").await, host);
    assert_eq!(
        errors,
        [
            json!({"parameters": {"ids": [""]}, "message": "The `ids` query parameter can not be empty"})
        ]
    );
    let errors = invalid_request_errors(&get(&x, "/2/spaces").await, host);
    assert_eq!(
        errors,
        [
            json!({"parameters": {"ids": []}, "message": "The `ids` query parameter can not be empty"})
        ]
    );

    let errors = invalid_request_errors(
        &get(&x, "/2/spaces?ids=1DXxyRYNejbKM,1DXxyRYNejbKMM,a_b").await,
        host,
    );
    assert_eq!(errors.len(), 2);
    assert_eq!(
        errors[0]["message"],
        "The `ids` query parameter value [1DXxyRYNejbKMM] does not match ^[a-zA-Z0-9]{1,13}$"
    );
    assert_eq!(errors[1]["parameters"], json!({"ids": ["a_b"]}));

    let errors = invalid_request_errors(
        &get(
            &x,
            "/2/spaces/by/creator_ids?user_ids=2244994945,abc,12345678901234567890",
        )
        .await,
        host,
    );
    assert_eq!(
        errors
            .iter()
            .map(|e| e["message"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [
            "The `user_ids` query parameter value [abc] does not match ^[0-9]{1,19}$",
            "The `user_ids` query parameter value [12345678901234567890] does not match ^[0-9]{1,19}$",
        ]
    );
    let user_ids: Vec<String> = (0..101).map(|i| (1000 + i).to_string()).collect();
    let errors = invalid_request_errors(
        &get(
            &x,
            &format!("/2/spaces/by/creator_ids?user_ids={}", user_ids.join(",")),
        )
        .await,
        host,
    );
    assert_eq!(
        errors[0]["message"],
        "The number of values in the `user_ids` query parameter list [101] is not between 1 and 100"
    );
    let errors = invalid_request_errors(&get(&x, "/2/spaces/by/creator_ids").await, host);
    assert_eq!(
        errors[0]["message"],
        "The `user_ids` query parameter can not be empty"
    );
}

#[tokio::test]
async fn search_parameters_are_checked() {
    let x = FakeX::start().await;
    let host = "https://api.x.com";
    let message = |r: &Reply| {
        invalid_request_errors(r, host)[0]["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        message(&get(&x, "/2/spaces/search").await),
        "The `query` query parameter can not be empty"
    );
    assert_eq!(
        message(&get(&x, "/2/spaces/search?query=").await),
        "The `query` query parameter can not be empty"
    );
    let long = "a".repeat(2049);
    let r = get(&x, &format!("/2/spaces/search?query={long}")).await;
    assert_eq!(
        message(&r),
        format!(
            "The `query` query parameter value [{long}] is not between 1 and 2048 characters long"
        )
    );
    assert_eq!(
        get(&x, &format!("/2/spaces/search?query={}", "a".repeat(2048)))
            .await
            .status,
        200
    );
    assert_eq!(
        message(&get(&x, "/2/spaces/search?query=a&state=ended").await),
        "The `state` query parameter value [ended] is not one of [live,scheduled,all]"
    );
    for bad in ["0", "101", "ten", "-1"] {
        assert_eq!(
            message(&get(&x, &format!("/2/spaces/search?query=a&max_results={bad}")).await),
            format!("The `max_results` query parameter value [{bad}] is not between 1 and 100")
        );
    }
    for good in ["1", "100"] {
        assert_eq!(
            get(&x, &format!("/2/spaces/search?query=a&max_results={good}"))
                .await
                .status,
            200
        );
    }
}

#[tokio::test]
async fn field_and_expansion_values_come_from_the_2_166_lists() {
    let x = FakeX::start().await;
    let host = "https://api.x.com";
    let base = format!("/2/spaces/{}", seed::LIVE_SPACE);
    let errors = invalid_request_errors(
        &get(&x, &format!("{base}?space.fields=title,topics,bogus")).await,
        host,
    );
    assert_eq!(errors.len(), 2);
    assert_eq!(
        errors[0],
        json!({"parameters": {"space.fields": ["topics"]}, "message": "The `space.fields` query parameter value [topics] is not one of [created_at,creator_id,ended_at,host_ids,id,invited_user_ids,is_ticketed,lang,participant_count,scheduled_start,speaker_ids,started_at,state,subscriber_count,title,topic_ids,updated_at]"})
    );
    assert_eq!(errors[1]["parameters"], json!({"space.fields": ["bogus"]}));

    let errors = invalid_request_errors(
        &get(&x, &format!("{base}?expansions=topics_ids")).await,
        host,
    );
    assert_eq!(
        errors[0]["message"],
        "The `expansions` query parameter value [topics_ids] is not one of [creator_id,host_ids,invited_user_ids,speaker_ids,topic_ids]"
    );
    let errors = invalid_request_errors(&get(&x, &format!("{base}?user.fields=dummy")).await, host);
    assert!(errors[0]["message"].as_str().unwrap().starts_with("The `user.fields` query parameter value [dummy] is not one of [affiliation,confirmed_email,"));
    let errors =
        invalid_request_errors(&get(&x, &format!("{base}?topic.fields=title")).await, host);
    assert_eq!(
        errors[0]["message"],
        "The `topic.fields` query parameter value [title] is not one of [description,id,name]"
    );

    // Every valid value is accepted.
    let ok = get(&x, &format!("{base}?expansions=creator_id,host_ids,invited_user_ids,speaker_ids,topic_ids&topic.fields=description,id,name&user.fields=affiliation,confirmed_email,connection_status,created_at,description,entities,id,is_identity_verified,location,most_recent_tweet_id,name,parody,pinned_tweet_id,profile_banner_url,profile_image_url,protected,public_metrics,receives_your_dm,subscription,subscription_type,url,username,verified,verified_followers_count,verified_type,withheld")).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(
        ok.json()["includes"]["users"][0]["entities"]["url"]["urls"][0]["display_url"],
        "developer.x.com"
    );
}

#[tokio::test]
async fn unknown_and_repeated_parameters_are_rejected_each_with_its_own_item() {
    let x = FakeX::start().await;
    let host = "https://api.x.com";
    let errors = invalid_request_errors(
        &get(
            &x,
            &format!(
                "/2/spaces/{}?tweet.fields=id&space.fields=title&space.fields=lang&id=1DX",
                seed::LIVE_SPACE
            ),
        )
        .await,
        host,
    );
    assert_eq!(
        errors,
        [
            json!({"parameters": {"id": [seed::LIVE_SPACE, "1DX"]}, "message": "Duplicate parameters are not allowed: the `id` query parameter"}),
            json!({"parameters": {"tweet.fields": ["id"]}, "message": "The query parameter [tweet.fields] is not one of [id,space.fields,expansions,user.fields,topic.fields]"}),
            json!({"parameters": {"space.fields": ["title", "lang"]}, "message": "Duplicate parameters are not allowed: the `space.fields` query parameter"}),
        ]
    );
    let errors = invalid_request_errors(
        &get(&x, "/2/spaces?ids=1DXxyRYNejbKM&ids=1nAJELYEEPvGL").await,
        host,
    );
    assert_eq!(
        errors[0]["message"],
        "Duplicate parameters are not allowed: the `ids` query parameter"
    );
    let errors = invalid_request_errors(
        &get(&x, "/2/spaces/search?query=a&next_token=abc").await,
        host,
    );
    assert_eq!(
        errors[0]["message"],
        "The query parameter [next_token] is not one of [query,state,max_results,space.fields,expansions,user.fields,topic.fields]"
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_get_xs_404() {
    let x = FakeX::start().await;
    let auth = format!("Bearer {}", x.app_token());
    for (method, path) in [
        (reqwest::Method::GET, "/2/spaces/"),
        (reqwest::Method::GET, "/2/spaces/1DXxyRYNejbKM/hosts"),
        (reqwest::Method::GET, "/2/users/2244994945"),
        (reqwest::Method::GET, "/"),
        (reqwest::Method::POST, "/2/spaces/1DXxyRYNejbKM"),
        (reqwest::Method::DELETE, "/2/spaces?ids=1DXxyRYNejbKM"),
    ] {
        let r = send(&x, method.clone(), path, Some(&auth)).await;
        assert_eq!(r.status, 404, "{method} {path}");
        assert_eq!(
            r.text,
            r#"{"errors":[{"message":"Sorry, that page does not exist","code":34}]}"#
        );
        assert_eq!(r.rate_limit(), None);
    }
    assert!(
        x.calls()
            .iter()
            .all(|c| c.endpoint.is_none() && c.status == 404)
    );
}

#[tokio::test]
async fn missing_or_unknown_tokens_get_401_without_rate_limit_headers() {
    let x = FakeX::start().await;
    let path = format!("/2/spaces/{}", seed::LIVE_SPACE);
    for authorization in [
        None,
        Some("Bearer not-a-token"),
        Some("Bearer "),
        Some("Basic dXNlcjpwYXNz"),
        Some("bearer"),
    ] {
        let r = send(&x, reqwest::Method::GET, &path, authorization).await;
        assert_eq!(r.status, 401, "{authorization:?}");
        assert_eq!(
            r.text,
            r#"{"title":"Unauthorized","detail":"Unauthorized","type":"about:blank","status":401}"#
        );
        assert_eq!(r.rate_limit(), None, "{authorization:?}");
        assert!(r.header("x-rate-limit-remaining").is_none());
    }
    // A token registered later is accepted at once.
    x.add_token("not-a-token", TokenKind::App);
    assert_eq!(
        send(&x, reqwest::Method::GET, &path, Some("Bearer not-a-token"))
            .await
            .status,
        200
    );
    // Even invalid parameters are not looked at before authentication.
    assert_eq!(
        send(&x, reqwest::Method::GET, "/2/spaces?bogus=1", None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn oauth1_and_app_only_on_buyers_are_unsupported_authentication() {
    let x = FakeX::start().await;
    let oauth1 = r#"OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", oauth_signature="tnnArxj06cWHq44gCs1OSKk%2FjLY%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1318622958", oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0""#;
    let r = send(
        &x,
        reqwest::Method::GET,
        &format!("/2/spaces/{}", seed::LIVE_SPACE),
        Some(oauth1),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json(),
        json!({"title": "Unsupported Authentication",
               "detail": "Authenticating with OAuth 1.0a User Context is forbidden for this endpoint.  Supported authentication types are [OAuth 2.0 Application-Only, OAuth 2.0 User Context].",
               "type": "https://api.x.com/2/problems/unsupported-authentication", "status": 403})
    );

    let buyers = format!("/2/spaces/{}/buyers", seed::TICKETED_SPACE);
    let r = get(&x, &buyers).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json()["detail"],
        "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 2.0 User Context]."
    );
    assert!(r.rate_limit().is_some());
    let r = send(&x, reqwest::Method::GET, &buyers, Some(oauth1)).await;
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .ends_with("Supported authentication types are [OAuth 2.0 User Context].")
    );
}

#[tokio::test]
async fn the_budget_is_per_endpoint_and_token_and_429s_until_the_reset() {
    let x = FakeX::start().await;
    x.set_rate_limit(Endpoint::SpaceById, 2, Duration::from_secs(2));
    let path = format!("/2/spaces/{}", seed::LIVE_SPACE);
    let first = get(&x, &path).await;
    let (limit, remaining, reset) = first.rate_limit().unwrap();
    assert_eq!((limit, remaining), (2, 1));
    assert!(reset > now_epoch() && reset <= now_epoch() + 3, "{reset}");
    assert_eq!(get(&x, &path).await.rate_limit().unwrap().1, 0);

    let refused = get(&x, &path).await;
    assert_eq!(refused.status, 429);
    assert_eq!(
        refused.text,
        r#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#
    );
    assert_eq!(refused.rate_limit(), Some((2, 0, reset)));

    // Other endpoints and other tokens have their own budgets.
    let ids = get(&x, &format!("/2/spaces?ids={}", seed::LIVE_SPACE)).await;
    assert_eq!((ids.status, ids.rate_limit().unwrap().1), (200, 299));
    let user = x.user_token(seed::TWITTER_DEV);
    let as_user = send(
        &x,
        reqwest::Method::GET,
        &path,
        Some(&format!("Bearer {user}")),
    )
    .await;
    assert_eq!((as_user.status, as_user.rate_limit().unwrap().1), (200, 1));
    assert_eq!(x.responses_with_status(429), 1);

    // Once the window has passed, the budget is back.
    while now_epoch() < reset {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let again = get(&x, &path).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.rate_limit().unwrap().1, 1);
}

#[tokio::test]
async fn by_creator_ids_allows_one_call_per_second_for_the_whole_app() {
    let x = FakeX::start().await;
    let path = format!("/2/spaces/by/creator_ids?user_ids={}", seed::TWITTER_DEV);
    let first = get(&x, &path).await;
    assert_eq!(first.status, 200);
    // Another token of the same app shares the per-second limit.
    let user = x.user_token(seed::TWITTER);
    let second = send(
        &x,
        reqwest::Method::GET,
        &path,
        Some(&format!("Bearer {user}")),
    )
    .await;
    assert_eq!(second.status, 429);
    assert_eq!(second.json()["type"], "about:blank");
    assert!(second.rate_limit().is_some());
    assert_eq!(x.responses_with_status(429), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // The rejected call did not spend the user's 15-minute budget.
    let later = send(
        &x,
        reqwest::Method::GET,
        &path,
        Some(&format!("Bearer {user}")),
    )
    .await;
    assert_eq!((later.status, later.rate_limit().unwrap().1), (200, 299));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(get(&x, &path).await.rate_limit().unwrap().1, 298);
}

#[tokio::test]
async fn another_app_has_its_own_per_second_limit() {
    let x = FakeX::start().await;
    x.add_token("AAAAsecond-app", TokenKind::App);
    x.add_same_app_token("AAAAsame-app");
    let path = format!("/2/spaces/by/creator_ids?user_ids={}", seed::TWITTER_DEV);
    let as_token = |token: &'static str| send(&x, reqwest::Method::GET, &path, Some(token));
    assert_eq!(get(&x, &path).await.status, 200);
    assert_eq!(as_token("Bearer AAAAsecond-app").await.status, 200);
    assert_eq!(as_token("Bearer AAAAsame-app").await.status, 429);
}

#[tokio::test]
async fn every_call_is_recorded_with_its_status_and_token_fingerprint() {
    let x = FakeX::start_with(FakeXConfig {
        seed: Seed::Empty,
        ..Default::default()
    })
    .await;
    get(
        &x,
        "/2/spaces/search?query=caf%C3%A9+time&space.fields=title%2Clang",
    )
    .await;
    send(
        &x,
        reqwest::Method::GET,
        "/2/spaces/1DXxyRYNejbKM",
        Some("Bearer stranger"),
    )
    .await;
    send(&x, reqwest::Method::GET, "/nowhere?x=1", None).await;

    let calls = x.calls();
    assert_eq!(calls.len(), 3);
    assert_eq!(x.call_count(), 3);
    let search = &calls[0];
    assert_eq!(search.endpoint, Some(Endpoint::Search));
    assert_eq!(search.method, "GET");
    assert_eq!(search.path, "/2/spaces/search");
    assert_eq!(
        search.raw_query,
        "query=caf%C3%A9+time&space.fields=title%2Clang"
    );
    assert_eq!(
        search.query,
        [
            ("query".to_owned(), "café time".to_owned()),
            ("space.fields".to_owned(), "title,lang".to_owned())
        ]
    );
    assert_eq!(search.param("space.fields"), Some("title,lang"));
    assert_eq!(search.status, 200);
    let expected = Credential::new(x.app_token(), CredentialSource::Operator)
        .fingerprint()
        .to_owned();
    assert_eq!(
        search.bearer_fingerprint.as_deref(),
        Some(expected.as_str())
    );
    assert_eq!(
        calls[1].bearer_fingerprint,
        Some(token_fingerprint("stranger"))
    );
    assert_eq!(
        (calls[1].endpoint, calls[1].status),
        (Some(Endpoint::SpaceById), 401)
    );
    assert_eq!(
        (
            calls[2].endpoint,
            calls[2].status,
            calls[2].bearer_fingerprint.clone()
        ),
        (None, 404, None)
    );
    assert!(calls[0].at <= calls[1].at && calls[1].at <= calls[2].at);
    assert_eq!(
        (
            x.calls_to(Endpoint::Search),
            x.calls_to(Endpoint::SpaceById),
            x.calls_to(Endpoint::Buyers)
        ),
        (1, 1, 0)
    );
    assert_eq!(
        (
            x.responses_with_status(200),
            x.responses_with_status(401),
            x.responses_with_status(404)
        ),
        (1, 1, 1)
    );

    x.reset_calls();
    assert_eq!(
        (
            x.calls().len(),
            x.call_count(),
            x.calls_to(Endpoint::Search),
            x.responses_with_status(200)
        ),
        (0, 0, 0, 0)
    );
}

#[tokio::test]
async fn counters_are_kept_when_calls_are_not_recorded() {
    let x = FakeX::start_with(FakeXConfig {
        record_calls: false,
        ..Default::default()
    })
    .await;
    for _ in 0..3 {
        get(&x, &format!("/2/spaces/{}", seed::LIVE_SPACE)).await;
    }
    assert!(x.calls().is_empty());
    assert_eq!(
        (
            x.call_count(),
            x.calls_to(Endpoint::SpaceById),
            x.responses_with_status(200)
        ),
        (3, 3, 3)
    );
}

#[tokio::test]
async fn a_fixed_app_token_can_be_configured_and_shutdown_stops_serving() {
    let x = FakeX::start_with(FakeXConfig {
        app_token: Some("AAAAfixed".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(x.app_token(), "AAAAfixed");
    let url = format!("{}/2/spaces/{}", x.base_url(), seed::LIVE_SPACE);
    assert_eq!(
        get(&x, &format!("/2/spaces/{}", seed::LIVE_SPACE))
            .await
            .status,
        200
    );
    x.shutdown().await;
    let after = reqwest::Client::new()
        .get(&url)
        .bearer_auth("AAAAfixed")
        .send()
        .await;
    assert!(after.is_err(), "{after:?}");
}

/// Any query on any route gets 200, 400 or 404 with a JSON body, never a server error.
#[test]
fn arbitrary_requests_never_get_a_server_error() {
    use proptest::prelude::*;

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let x = runtime.block_on(FakeX::start_with(FakeXConfig {
        rate_limit: u32::MAX,
        creator_ids_per_second: 0,
        record_calls: false,
        ..Default::default()
    }));
    let client = reqwest::Client::new();
    // Mostly well-formed requests with some noise, so that both answers and every kind of
    // 400 are reached.
    let names = prop_oneof![
        4 => prop::sample::select(vec![
            "space.fields", "expansions", "user.fields", "topic.fields", "max_results", "state",
            "tweet.fields", "post.fields", "pagination_token",
        ])
        .prop_map(String::from),
        1 => "[a-z_.]{0,12}",
    ];
    let value = prop_oneof![
        4 => "(title|host_ids|creator_id|topic_ids|speaker_ids|created_at|description|name|id|author_id|live|all|1|50|,){1,5}",
        1 => "[ -~]{0,30}",
        1 => "\\PC{0,12}",
    ];
    let paths = prop::sample::select(vec![
        ("/2/spaces/{}", ""),
        ("/2/spaces", "ids=1DXxyRYNejbKM,1nAJELYEEPvGL,1OwxWzlwbrnJQ"),
        (
            "/2/spaces/by/creator_ids",
            "user_ids=2244994945,1580000000000000001",
        ),
        ("/2/spaces/search", "query=hello"),
        ("/2/spaces/{}/buyers", ""),
        ("/2/spaces/{}/tweets", ""),
    ]);
    let id = prop_oneof![
        3 => prop::sample::select(vec![seed::LIVE_SPACE, seed::TICKETED_SPACE, seed::MISSING_SPACE]).prop_map(String::from),
        1 => "[ -~]{1,15}",
    ];
    let strategy = (
        paths,
        id,
        any::<bool>(),
        prop::collection::vec((names, value), 0..4),
        any::<bool>(),
    );
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 192,
        ..ProptestConfig::default()
    });
    let user = x.user_token(seed::TWITTER_SPACES);
    let seen = std::cell::RefCell::new(std::collections::BTreeSet::<u16>::new());
    runner
        .run(
            &strategy,
            |((path, required), id, with_required, pairs, as_user)| {
                let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
                let mut query = url::form_urlencoded::Serializer::new(String::new());
                if with_required && !required.is_empty() {
                    let (name, value) = required.split_once('=').unwrap();
                    query.append_pair(name, value);
                }
                for (name, value) in &pairs {
                    query.append_pair(name, value);
                }
                let url = format!(
                    "{}{}?{}",
                    x.base_url(),
                    path.replace("{}", &id),
                    query.finish()
                );
                let token = if as_user { user.clone() } else { x.app_token() };
                let (status, text) = runtime.block_on(async {
                    let response = client.get(&url).bearer_auth(token).send().await.unwrap();
                    (response.status().as_u16(), response.text().await.unwrap())
                });
                prop_assert!(
                    matches!(status, 200 | 400 | 403 | 404),
                    "{status} for {url}: {text}"
                );
                prop_assert!(
                    serde_json::from_str::<Value>(&text).is_ok(),
                    "{url}: {text}"
                );
                seen.borrow_mut().insert(status);
                Ok(())
            },
        )
        .unwrap();
    let seen = seen.into_inner();
    assert!(seen.contains(&200) && seen.contains(&400), "{seen:?}");
}
