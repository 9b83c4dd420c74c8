//! Every injected fault over real HTTP: X's bodies and headers for each failure, latency,
//! corrupt bodies, dropped connections, and the order in which faults are consumed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use onair_testkit::fake_x::{Endpoint, FakeX, FakeXConfig, Fault, FaultKind, ProblemHost, seed};
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

    fn remaining(&self) -> Option<u32> {
        self.headers
            .get("x-rate-limit-remaining")
            .map(|v| v.to_str().unwrap().parse().unwrap())
    }
}

async fn try_get(x: &FakeX, path_and_query: &str) -> reqwest::Result<Reply> {
    let response = reqwest::Client::new()
        .get(format!("{}{path_and_query}", x.base_url()))
        .bearer_auth(x.app_token())
        .send()
        .await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await?;
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
    Ok(Reply {
        status,
        headers,
        text,
    })
}

async fn get(x: &FakeX, path_and_query: &str) -> Reply {
    try_get(x, path_and_query)
        .await
        .expect("request to the fake")
}

fn live() -> String {
    format!("/2/spaces/{}", seed::LIVE_SPACE)
}

#[tokio::test]
async fn status_faults_answer_with_xs_about_blank_bodies() {
    let x = FakeX::start().await;
    let cases = [
        (
            401,
            json!({"title": "Unauthorized", "detail": "Unauthorized", "type": "about:blank", "status": 401}),
        ),
        (
            403,
            json!({"detail": "You are not permitted to perform this action.", "type": "about:blank", "title": "Forbidden", "status": 403}),
        ),
        (
            500,
            json!({"title": "Internal Server Error", "detail": "Something is broken. This is usually a temporary error, for example in a high load situation or if an endpoint is temporarily having issues. Check in the developer forums in case others are having similar issues, or try again later. ", "type": "about:blank", "status": 500}),
        ),
        (
            502,
            json!({"title": "Bad Gateway", "detail": "Bad Gateway", "type": "about:blank", "status": 502}),
        ),
        (
            503,
            json!({"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503}),
        ),
        (
            504,
            json!({"title": "Gateway Timeout", "detail": "Gateway Timeout", "type": "about:blank", "status": 504}),
        ),
    ];
    for (served, (status, body)) in cases.into_iter().enumerate() {
        x.inject(Fault::once(FaultKind::Status(status)));
        let r = get(&x, &live()).await;
        assert_eq!((r.status, r.json()), (status, body));
        // Every answer but a 401 carries the token's budget, untouched by the fault.
        let untouched = 300 - served as u32;
        assert_eq!(
            r.remaining(),
            (status != 401).then_some(untouched),
            "{status}"
        );
        // Consumed: the next request is answered normally.
        assert_eq!(get(&x, &live()).await.status, 200);
    }
    assert_eq!(
        x.calls().iter().map(|c| c.status).collect::<Vec<_>>(),
        [401, 200, 403, 200, 500, 200, 502, 200, 503, 200, 504, 200]
    );
}

#[tokio::test]
async fn rate_limited_is_a_429_with_no_remaining_and_a_future_reset() {
    let x = FakeX::start().await;
    x.inject(Fault::once(FaultKind::RateLimited));
    let r = get(&x, &live()).await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.text,
        r#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#
    );
    assert_eq!(r.remaining(), Some(0));
    assert_eq!(r.headers["x-rate-limit-limit"], "300");
    let reset: u64 = r.headers["x-rate-limit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        reset
            > SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs()
    );
    assert_eq!(x.responses_with_status(429), 1);
    // The injected 429 spent nothing of the real budget.
    assert_eq!(get(&x, &live()).await.remaining(), Some(299));
}

#[tokio::test]
async fn billing_and_access_faults_have_their_own_problem_bodies() {
    let x = FakeX::start_with(FakeXConfig {
        problem_host: ProblemHost::ApiTwitter,
        ..Default::default()
    })
    .await;
    x.inject(Fault::once(FaultKind::UsageCapped));
    let r = get(&x, &live()).await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.json(),
        json!({"account_id": 1587330174u64, "product_name": "standard-basic", "title": "UsageCapExceeded", "period": "Monthly",
               "scope": "Product", "detail": "Usage cap exceeded: Monthly product cap",
               "type": "https://api.twitter.com/2/problems/usage-capped"})
    );

    x.inject(Fault::once(FaultKind::CreditsDepleted));
    let r = get(&x, &live()).await;
    assert_eq!(r.status, 402);
    assert_eq!(r.json()["title"], "CreditsDepleted");
    assert_eq!(
        r.json()["detail"],
        "Your enrolled account [1587330174] does not have any credits to fulfill this request."
    );
    assert_eq!(
        r.json()["type"],
        "https://api.twitter.com/2/problems/credits"
    );

    x.inject(Fault::once(FaultKind::ClientForbidden));
    let r = get(&x, &live()).await;
    assert_eq!(r.status, 403);
    let body = r.json();
    assert_eq!(body["reason"], "client-not-enrolled");
    assert_eq!(body["title"], "Client Forbidden");
    assert_eq!(
        body["type"],
        "https://api.twitter.com/2/problems/client-forbidden"
    );
    assert!(body.get("errors").is_none() && body.get("status").is_none());
    assert!(r.remaining().is_some());

    x.inject(Fault::once(FaultKind::UnsupportedAuthentication));
    let r = get(&x, &live()).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json()["type"],
        "https://api.twitter.com/2/problems/unsupported-authentication"
    );
    assert_eq!(r.json()["status"], 403);
}

#[tokio::test]
async fn latency_delays_a_normal_answer() {
    let x = FakeX::start().await;
    x.inject(Fault::once(FaultKind::Latency(Duration::from_millis(300))));
    let started = Instant::now();
    let r = get(&x, &live()).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.text, r#"{"data":{"id":"1DXxyRYNejbKM","state":"live"}}"#);
}

#[tokio::test]
async fn malformed_and_truncated_bodies_are_200s_that_do_not_parse() {
    let x = FakeX::start().await;
    let path = format!(
        "/2/spaces?ids={},{}&space.fields=title",
        seed::LIVE_SPACE,
        seed::CJK_SPACE
    );
    let whole = get(&x, &path).await.text;

    x.inject(Fault::once(FaultKind::MalformedBody));
    let r = get(&x, &path).await;
    assert_eq!(r.status, 200);
    assert!(
        serde_json::from_str::<Value>(&r.text).is_err(),
        "{}",
        r.text
    );

    x.inject(Fault::once(FaultKind::TruncatedBody));
    let r = get(&x, &path).await;
    assert_eq!(r.status, 200);
    assert!(!r.text.is_empty() && r.text.len() < whole.len());
    assert!(whole.starts_with(&r.text));
    assert!(
        serde_json::from_str::<Value>(&r.text).is_err(),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn drop_connection_closes_without_a_response() {
    let x = FakeX::start().await;
    x.inject(Fault::once(FaultKind::DropConnection));
    let result = try_get(&x, &live()).await;
    let error = result.err().expect("no response expected");
    assert!(
        error.is_request() || error.is_connect() || error.is_body(),
        "{error:?}"
    );
    assert_eq!(x.calls()[0].status, 0);
    assert_eq!(x.responses_with_status(0), 1);
    assert_eq!(get(&x, &live()).await.status, 200);
}

#[tokio::test]
async fn faults_target_endpoints_repeat_and_are_consumed_in_order() {
    let x = FakeX::start().await;
    x.inject(Fault::times(FaultKind::Status(503), 2).on(Endpoint::Search));
    x.inject(Fault::once(FaultKind::Status(500)));
    // The by-id lookup skips the search-only fault and takes the next one.
    assert_eq!(get(&x, &live()).await.status, 500);
    assert_eq!(get(&x, &live()).await.status, 200);
    assert_eq!(get(&x, "/2/spaces/search?query=hello").await.status, 503);
    assert_eq!(get(&x, "/2/spaces/search?query=hello").await.status, 503);
    assert_eq!(get(&x, "/2/spaces/search?query=hello").await.status, 200);

    x.inject(Fault {
        kind: FaultKind::Status(502),
        endpoint: None,
        times: None,
    });
    for _ in 0..4 {
        assert_eq!(get(&x, &live()).await.status, 502);
    }
    x.clear_faults();
    assert_eq!(get(&x, &live()).await.status, 200);
}
