//! Graceful shutdown of the real process: SIGTERM while 200 slow requests are in flight.

use std::time::{Duration, Instant};

use onair_testkit::fake_x::{Endpoint, FakeX, Fault, FaultKind, seed};

use crate::support::{Backend, Server};

#[tokio::test]
async fn sigterm_lets_two_hundred_in_flight_requests_finish_then_exits_cleanly() {
    let x = FakeX::start().await;
    // Every X answer takes 2 s, so the requests below are still running at SIGTERM.
    x.inject(Fault::always(FaultKind::Latency(Duration::from_secs(2))).on(Endpoint::SpacesByIds));
    let mut server = Server::start(Backend::Sqlite, Some(&x)).await.unwrap();
    let t = server.tenant("acme");
    // Four Spaces, fifty requests each: every request waits on an upstream call (the same
    // Space's requests share theirs), so all 200 are in flight together.
    let ids: Vec<String> = (0..4).map(seed::generated_space_id).collect();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let requests = (0..200).map(|i| {
        let request = client
            .get(server.url(&format!("/v1/spaces/x/{}", ids[i % ids.len()])))
            .bearer_auth(&t.key);
        tokio::spawn(async move {
            let r = request.send().await.map_err(|e| e.to_string())?;
            let status = r.status().as_u16();
            let body: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
            Ok::<_, String>((status, body))
        })
    });
    let requests: Vec<_> = requests.collect();

    // Wait until the server holds all 200 (the scrape itself is one more in flight).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let metrics = client
            .get(server.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let in_flight = metrics
            .lines()
            .find_map(|l| l.strip_prefix("onair_http_requests_in_flight "))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(0.0);
        if in_flight >= 201.0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {in_flight} requests in flight"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let signalled = Instant::now();
    server.terminate();
    // While the listener still accepts, readiness says 503, never 200.
    let mut readiness = Vec::new();
    while signalled.elapsed() < Duration::from_secs(5) {
        match client.get(server.url("/readyz")).send().await {
            Ok(r) => readiness.push(r.status().as_u16()),
            Err(_) => break,
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!readiness.is_empty(), "the listener closed at once");
    assert!(
        readiness.iter().all(|s| *s == 503),
        "readiness after SIGTERM: {readiness:?}"
    );

    let mut answers = Vec::new();
    for request in requests {
        answers.push(request.await);
    }
    let status = server.wait_exit(Duration::from_secs(15)).await;
    let took = signalled.elapsed();
    let mut completed = 0;
    for answer in answers {
        let (status, body) = answer
            .unwrap()
            .unwrap_or_else(|e| panic!("a request in flight failed: {e}\n{}", server.logs()));
        assert_eq!(status, 200, "{body}");
        assert!(
            ids.iter().any(|id| body["data"]["id"] == format!("x:{id}")),
            "{body}"
        );
        completed += 1;
    }
    assert_eq!(completed, 200);
    assert!(x.call_count() > 0, "the requests were answered through X");
    assert!(status.success(), "exit status {status}:\n{}", server.logs());
    assert!(
        took < Duration::from_secs(10),
        "exited {took:?} after SIGTERM"
    );
    let logs = server.logs();
    assert!(logs.contains("onair stopped"), "{logs}");
}
