//! What an operator watches: JSON log lines that carry the request id, and Prometheus
//! metrics for requests, upstream calls, the cache, coalescing, batching and the X budget.

use std::time::Duration;

use onair_testkit::fake_x::{Endpoint, FakeX, Fault, FaultKind, seed};
use serde_json::Value;

use crate::support::{Backend, Server};

/// The sum of a metric's samples whose labels include all of `labels`.
fn sample(page: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let mut found = None;
    for line in page.lines().filter(|l| !l.starts_with('#')) {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        if !(rest.starts_with('{') || rest.starts_with(' ')) {
            continue;
        }
        if labels
            .iter()
            .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")))
        {
            let value: f64 = rest.rsplit(' ').next()?.parse().ok()?;
            *found.get_or_insert(0.0) += value;
        }
    }
    found
}

async fn scrape(server: &Server) -> String {
    let r = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

#[tokio::test]
async fn metrics_count_requests_upstream_calls_cache_coalescing_batching_and_budget() {
    let x = FakeX::start().await;
    let server = Server::start(Backend::Sqlite, Some(&x)).await.unwrap();
    let t = server.tenant("acme");
    let route = "/v1/spaces/{network}/{id}";
    let get = |path: String| server.get(&path, &t.key).send();

    // A miss, then a hit.
    let live = format!("/v1/spaces/x/{}", seed::LIVE_SPACE);
    assert_eq!(get(live.clone()).await.unwrap().status(), 200);
    let before = scrape(&server).await;
    assert_eq!(get(live.clone()).await.unwrap().status(), 200);
    let after = scrape(&server).await;
    let requests = |page: &str| {
        sample(
            page,
            "onair_http_requests_total",
            &[("method", "GET"), ("route", route), ("status", "200")],
        )
        .unwrap_or(0.0)
    };
    assert_eq!(requests(&before), 1.0, "{before}");
    assert_eq!(requests(&after), 2.0);
    let durations = |page: &str| {
        sample(
            page,
            "onair_http_request_duration_seconds_count",
            &[("route", route), ("status", "200")],
        )
        .unwrap_or(0.0)
    };
    assert_eq!(durations(&after), 2.0, "{after}");
    let hits = |page: &str| {
        sample(
            page,
            "onair_space_cache_total",
            &[("network", "x"), ("result", "hit")],
        )
        .unwrap_or(0.0)
    };
    assert_eq!(hits(&after), hits(&before) + 1.0);
    let calls = |page: &str| {
        sample(
            page,
            "onair_upstream_calls_total",
            &[
                ("network", "x"),
                ("endpoint", "/2/spaces"),
                ("status", "200"),
            ],
        )
        .unwrap_or(0.0)
    };
    assert_eq!(calls(&after), 1.0, "{after}");

    // Ten identical lookups during one slow upstream call: coalesced.
    x.inject(Fault::once(FaultKind::Latency(Duration::from_millis(800))).on(Endpoint::SpacesByIds));
    let emoji = format!("/v1/spaces/x/{}", seed::EMOJI_SPACE);
    let waiting: Vec<_> = (0..10).map(|_| tokio::spawn(get(emoji.clone()))).collect();
    for w in waiting {
        assert_eq!(w.await.unwrap().unwrap().status(), 200);
    }
    // Three Spaces in one list: one batch call of three.
    let list = format!(
        "/v1/spaces?ids=x:{},x:{},x:{}",
        seed::CJK_SPACE,
        seed::RTL_SPACE,
        seed::COMBINING_SPACE
    );
    assert_eq!(get(list).await.unwrap().status(), 200);
    // An upstream failure is counted with its status.
    x.inject(Fault::once(FaultKind::Status(503)).on(Endpoint::SpacesByIds));
    let r = get(format!("/v1/spaces/x/{}", seed::BARE_SPACE))
        .await
        .unwrap();
    assert_eq!(r.status(), 502);

    let page = scrape(&server).await;
    // Every metric explains itself to whoever reads the scrape.
    for name in [
        "onair_http_requests_total",
        "onair_http_request_duration_seconds",
        "onair_http_requests_in_flight",
        "onair_upstream_calls_total",
        "onair_space_cache_total",
        "onair_upstream_budget_remaining",
    ] {
        assert!(page.contains(&format!("# HELP {name} ")), "{name}: {page}");
    }
    assert_eq!(
        calls(&page),
        (x.calls_to(Endpoint::SpacesByIds) - 1) as f64,
        "every successful X call is counted: {page}"
    );
    assert_eq!(
        sample(
            &page,
            "onair_upstream_calls_total",
            &[("endpoint", "/2/spaces"), ("status", "503")]
        ),
        Some(1.0)
    );
    assert!(
        sample(
            &page,
            "onair_coalesced_total",
            &[("network", "x"), ("kind", "lookup")]
        )
        .is_some_and(|n| n >= 1.0),
        "{page}"
    );
    assert!(
        sample(
            &page,
            "onair_space_lookups_batched_total",
            &[("network", "x")]
        )
        .is_some_and(|n| n >= 3.0),
        "{page}"
    );
    assert_eq!(
        sample(
            &page,
            "onair_upstream_batch_size_count",
            &[("network", "x")]
        ),
        Some(x.calls_to(Endpoint::SpacesByIds) as f64)
    );
    // X's own count, as its headers told it (300 a window, each call spends one).
    assert_eq!(
        sample(
            &page,
            "onair_upstream_budget_remaining",
            &[("network", "x"), ("endpoint", "/2/spaces")]
        ),
        // The injected 503 spent nothing.
        Some((300 - (x.calls_to(Endpoint::SpacesByIds) - 1)) as f64),
        "{page}"
    );
    assert!(sample(&page, "onair_space_cache_entries", &[]).is_some_and(|n| n >= 5.0));
}

#[tokio::test]
async fn json_logs_are_one_object_a_line_and_request_logs_carry_the_request_id() {
    let x = FakeX::start().await;
    let server = Server::start_with(
        Backend::Sqlite,
        Some(&x),
        &[("ONAIR_LOG_FORMAT", "json"), ("ONAIR_LOG_LEVEL", "debug")],
    )
    .await
    .unwrap();
    let t = server.tenant("acme");
    let ok = server
        .get(&format!("/v1/spaces/x/{}", seed::LIVE_SPACE), &t.key)
        .header("x-request-id", "ops-log-ok")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    // A search calls X from the request itself; its failure is logged inside the request.
    x.inject(Fault::once(FaultKind::Status(500)).on(Endpoint::Search));
    let failed = server
        .get("/v1/spaces/search?query=jazz&networks=x", &t.key)
        .header("x-request-id", "ops-log-upstream")
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), 200);
    let refused = server
        .get("/v1/spaces/x/not*valid", &t.key)
        .header("x-request-id", "ops-log-400")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let logs = server.logs();
    let lines: Vec<Value> = logs
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    assert!(lines.len() > 3, "{logs}");
    let request_id = |line: &Value| -> Option<String> {
        line["spans"]
            .as_array()?
            .iter()
            .find(|s| s["name"] == "request")?["request_id"]
            .as_str()
            .map(str::to_owned)
    };
    let finished = |id: &str| {
        lines
            .iter()
            .find(|l| l["message"] == "request finished" && request_id(l).as_deref() == Some(id))
    };
    let ok_line = finished("ops-log-ok").unwrap_or_else(|| panic!("{logs}"));
    assert_eq!(ok_line["status"], 200);
    assert_eq!(ok_line["route"], "/v1/spaces/{network}/{id}");
    // Successes are logged at debug (under `onair::access`), failures at info and above.
    assert_eq!(ok_line["level"], "DEBUG");
    assert_eq!(ok_line["target"], "onair::access");
    assert!(ok_line["timestamp"].is_string());
    let refused_line = finished("ops-log-400").unwrap();
    assert_eq!(refused_line["status"], 400);
    assert_eq!(refused_line["level"], "INFO");
    // The X failure, logged inside the search's call span, still names the request.
    let upstream = lines
        .iter()
        .find(|l| l["message"] == "X call failed")
        .unwrap_or_else(|| panic!("{logs}"));
    assert_eq!(request_id(upstream).as_deref(), Some("ops-log-upstream"));
    // Every line logged within a request carries its id.
    for line in &lines {
        if let Some(spans) = line["spans"].as_array()
            && spans.iter().any(|s| s["name"] == "request")
        {
            assert!(request_id(line).is_some_and(|id| !id.is_empty()), "{line}");
        }
    }
}
