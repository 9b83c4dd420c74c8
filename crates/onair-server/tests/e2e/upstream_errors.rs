//! X's failures, injected into the fake, become clear problems: the deployment's credential
//! failing is a 5xx (the operator's to fix), the tenant's own a 4xx (the tenant's), and
//! nothing is ever a 500. Malformed X ids are refused before any call leaves.

use onair_testkit::fake_x::{Endpoint, FakeX, Fault, FaultKind, TokenKind, seed};
use serde_json::Value;

use crate::support::{BACKENDS, FreshSpaces, Server, json, problem};

/// A fault and what a single lookup answers with the operator's credentials and with the
/// tenant's own.
struct Case {
    fault: FaultKind,
    operator: (u16, &'static str),
    tenant: (u16, &'static str),
}

fn cases() -> Vec<Case> {
    let case = |fault, operator, tenant| Case {
        fault,
        operator,
        tenant,
    };
    vec![
        case(
            FaultKind::Status(401),
            (502, "upstream_unauthorized"),
            (422, "upstream_unauthorized"),
        ),
        case(
            FaultKind::ClientForbidden,
            (502, "upstream_forbidden"),
            (422, "upstream_forbidden"),
        ),
        case(
            FaultKind::UnsupportedAuthentication,
            (502, "upstream_forbidden"),
            (422, "upstream_forbidden"),
        ),
        case(
            FaultKind::CreditsDepleted,
            (502, "upstream_payment_required"),
            (402, "upstream_payment_required"),
        ),
        case(
            FaultKind::Status(418),
            (502, "upstream_rejected_request"),
            (502, "upstream_rejected_request"),
        ),
        case(
            FaultKind::Status(500),
            (502, "upstream_unavailable"),
            (502, "upstream_unavailable"),
        ),
        case(
            FaultKind::Status(502),
            (502, "upstream_unavailable"),
            (502, "upstream_unavailable"),
        ),
        case(
            FaultKind::Status(503),
            (502, "upstream_unavailable"),
            (502, "upstream_unavailable"),
        ),
        case(
            FaultKind::Status(504),
            (502, "upstream_unavailable"),
            (502, "upstream_unavailable"),
        ),
        case(
            FaultKind::MalformedBody,
            (502, "upstream_malformed_response"),
            (502, "upstream_malformed_response"),
        ),
        case(
            FaultKind::TruncatedBody,
            (502, "upstream_malformed_response"),
            (502, "upstream_malformed_response"),
        ),
        case(
            FaultKind::DropConnection,
            (502, "upstream_unavailable"),
            (502, "upstream_unavailable"),
        ),
    ]
}

/// Looks up a Space nobody asked for, with `fault` injected; checks the problem and that
/// exactly one call reached the fake.
async fn lookup_with_fault(
    server: &Server,
    x: &FakeX,
    fresh: &FreshSpaces,
    (key, profile_key): (&str, Option<&str>),
    fault: &FaultKind,
    (status, code): (u16, &str),
) -> Value {
    let before = x.call_count();
    x.inject(Fault::once(fault.clone()));
    let id = fresh.next();
    let mut request = server.get(&format!("/v1/spaces/x/{id}"), key);
    if let Some(pk) = profile_key {
        request = request.header("Profile-Key", pk);
    }
    let r = request.send().await.unwrap();
    let body = problem(r, status, code).await;
    assert_eq!(
        x.call_count(),
        before + 1,
        "{fault:?}: one call, no retry storm"
    );
    x.clear_faults();
    body
}

fn whose(code: &str) -> Option<&'static str> {
    matches!(
        code,
        "upstream_unauthorized" | "upstream_forbidden" | "upstream_payment_required"
    )
    .then_some("credentials")
}

#[tokio::test]
async fn upstream_failures_map_to_problems() {
    let x = FakeX::start().await;
    let [faults_token, capped_token, limited_token] = [
        "AAAAAAAAAAAAAAAAAAAAAtenant-own-token-faults",
        "AAAAAAAAAAAAAAAAAAAAAtenant-own-token-capped",
        "AAAAAAAAAAAAAAAAAAAAAtenant-own-token-limited",
    ];
    for t in [faults_token, capped_token, limited_token] {
        x.add_token(t, TokenKind::App);
    }
    for (n, backend) in BACKENDS.into_iter().enumerate() {
        let Some(server) = Server::start(backend, Some(&x)).await else {
            continue;
        };
        let fresh = FreshSpaces::from(n * 50);
        let operator = server.tenant("uses-the-operators-token").key;
        let own = server.tenant("own-token").key;
        server.store_x_token(&own, None, faults_token).await;

        // A profile of the first tenant, with its own token: as much the tenant's to fix.
        let profile = server.profile(&operator, "customer").await;
        server
            .store_x_token(&operator, Some(&profile.key), &x.user_token(seed::TWITTER))
            .await;

        for case in cases() {
            for (key, expected, owner) in [
                ((operator.as_str(), None), case.operator, "deployment's"),
                ((own.as_str(), None), case.tenant, "your stored"),
                (
                    (operator.as_str(), Some(profile.key.as_str())),
                    case.tenant,
                    "your stored",
                ),
            ] {
                let p = lookup_with_fault(&server, &x, &fresh, key, &case.fault, expected).await;
                if whose(expected.1).is_some() {
                    let detail = p["detail"].as_str().unwrap();
                    assert!(detail.contains(owner), "{:?}: {detail}", case.fault);
                }
            }
        }

        // The same mapping inside multi-item answers: per-id and per-network errors.
        x.inject(Fault::once(FaultKind::Status(401)));
        let ids = format!("x:{},sandbox:live-jazz", fresh.next());
        let body = json(
            server
                .get(&format!("/v1/spaces?ids={ids}"), &own)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(body["data"][0]["id"], "sandbox:live-jazz");
        assert_eq!(body["errors"][0]["status"], 422, "{body}");
        assert_eq!(body["errors"][0]["code"], "upstream_unauthorized");
        x.inject(Fault::once(FaultKind::CreditsDepleted).on(Endpoint::Search));
        let body = json(
            server
                .get("/v1/spaces/search?query=roundup%20%231", &operator)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(body["errors"][0]["network"], "x", "{body}");
        assert_eq!(body["errors"][0]["status"], 502);
        assert_eq!(body["errors"][0]["code"], "upstream_payment_required");
        x.inject(Fault::once(FaultKind::MalformedBody).on(Endpoint::ByCreatorIds));
        let body = json(
            server
                .get(
                    &format!(
                        "/v1/spaces/by-creator?creator_ids=x:{},sandbox:bob",
                        seed::TWITTER
                    ),
                    &own,
                )
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(body["errors"][0]["network"], "x", "{body}");
        assert_eq!(body["errors"][0]["code"], "upstream_malformed_response");
        assert!(
            !body["data"].as_array().unwrap().is_empty(),
            "the sandbox still answers"
        );
        x.clear_faults();

        // A spent usage cap, and a spent rate limit: 503 with Retry-After, and the
        // credential is held back: the next lookup does not reach X.
        for (token, fault, code) in [
            (
                capped_token,
                FaultKind::UsageCapped,
                "upstream_usage_capped",
            ),
            (
                limited_token,
                FaultKind::RateLimited,
                "upstream_rate_limited",
            ),
        ] {
            let key = server.tenant(code).key;
            server.store_x_token(&key, None, token).await;
            for hold in [false, true] {
                let before = x.call_count();
                if !hold {
                    x.inject(Fault::once(fault.clone()));
                }
                let r = server
                    .get(&format!("/v1/spaces/x/{}", fresh.next()), &key)
                    .send()
                    .await
                    .unwrap();
                let retry_after: u64 = r
                    .headers()
                    .get("retry-after")
                    .unwrap_or_else(|| panic!("{code}: no Retry-After"))
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(
                    (1..=24 * 3600).contains(&retry_after),
                    "{code}: {retry_after}"
                );
                problem(r, 503, code).await;
                let calls = x.call_count() - before;
                assert_eq!(calls, usize::from(!hold), "{code}, held: {hold}");
                x.clear_faults();
            }
            // Other credentials are not held back.
            json(
                server
                    .get(&format!("/v1/spaces/x/{}", fresh.next()), &operator)
                    .send()
                    .await
                    .unwrap(),
                200,
            )
            .await;
        }
        server.assert_healthy().await;
    }
}

/// An X that answers too late is a 504 for a lookup, and a per-network 504 in a search.
#[tokio::test]
async fn slow_upstream_times_out() {
    let x = FakeX::start().await;
    for (n, backend) in BACKENDS.into_iter().enumerate() {
        let Some(server) = Server::start_with(
            backend,
            Some(&x),
            &[("ONAIR_PROVIDERS__X__TIMEOUT_SECS", "1")],
        )
        .await
        else {
            continue;
        };
        let fresh = FreshSpaces::from(n * 50);
        let t = server.tenant("acme");
        x.inject(Fault::once(FaultKind::Latency(
            std::time::Duration::from_secs(4),
        )));
        problem(
            server
                .get(&format!("/v1/spaces/x/{}", fresh.next()), &t.key)
                .send()
                .await
                .unwrap(),
            504,
            "upstream_timeout",
        )
        .await;
        x.inject(
            Fault::once(FaultKind::Latency(std::time::Duration::from_secs(4))).on(Endpoint::Search),
        );
        let body = json(
            server
                .get(&format!("/v1/spaces/search?query=jazz%20{n}"), &t.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(body["errors"][0]["network"], "x", "{body}");
        assert_eq!(body["errors"][0]["status"], 504);
        assert_eq!(body["errors"][0]["code"], "upstream_timeout");
        // X answering in time again is answered again.
        json(
            server
                .get(&format!("/v1/spaces/x/{}", fresh.next()), &t.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
    }
}

/// Malformed X ids are refused with 400 before any call leaves for X.
#[tokio::test]
async fn malformed_x_ids_never_reach_x() {
    let x = FakeX::start().await;
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, Some(&x)).await else {
            continue;
        };
        x.reset_calls();
        let t = server.tenant("acme");
        let fourteen = "1DXxyRYNejbKMa";
        let space_ids = [
            "not*valid",
            fourteen,
            "1DXxyRYNej%20KM",
            "%F0%9F%8E%99",
            "1DXxy-RYNejbK",
            "%00",
            "1DX.yRYNejbKM",
            "1DXxy%0ARYNejbK",
        ];
        for id in space_ids {
            for network in ["x", "twitter"] {
                let body = problem(
                    server
                        .get(&format!("/v1/spaces/{network}/{id}"), &t.key)
                        .send()
                        .await
                        .unwrap(),
                    400,
                    "invalid_id",
                )
                .await;
                assert!(body["detail"].as_str().unwrap().contains("X"), "{body}");
            }
            problem(
                server
                    .get(
                        &format!("/v1/spaces?ids=x:{},x:{}", seed::LIVE_SPACE, id),
                        &t.key,
                    )
                    .send()
                    .await
                    .unwrap(),
                400,
                "invalid_id",
            )
            .await;
        }
        for user in ["abc", "12345678901234567890", "-1", "1e5", "%20"] {
            problem(
                server
                    .get(
                        &format!(
                            "/v1/spaces/by-creator?creator_ids=x:{},x:{user}",
                            seed::TWITTER_DEV
                        ),
                        &t.key,
                    )
                    .send()
                    .await
                    .unwrap(),
                400,
                "invalid_id",
            )
            .await;
        }
        for query in [
            format!("query={}", "a".repeat(2049)),
            "query=%01ctl".to_owned(),
            "query=jazz&state=ended".to_owned(),
            "query=jazz&limit=1000".to_owned(),
        ] {
            problem(
                server
                    .get(&format!("/v1/spaces/search?{query}"), &t.key)
                    .send()
                    .await
                    .unwrap(),
                400,
                "invalid_query",
            )
            .await;
        }
        assert_eq!(x.call_count(), 0, "{:?}", x.calls());
        // A well-formed 13-character id does reach X (the control).
        problem(
            server
                .get(&format!("/v1/spaces/x/{}", seed::MISSING_SPACE), &t.key)
                .send()
                .await
                .unwrap(),
            404,
            "space_not_found",
        )
        .await;
        assert_eq!(x.call_count(), 1);
    }
}
