//! Postgres goes away under load and comes back: cached authenticated reads keep working,
//! writes and readiness answer 503 quickly, and the server recovers by itself.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use onair_testkit::fake_x::{FakeX, seed};
use serde_json::json;

use crate::support::{Backend, Server, problem};

/// Polls `check` every 100 ms until it holds or `within` passes; returns how long it took.
async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{what} did not happen within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_postgres_outage_keeps_cached_reads_answers_503_for_the_rest_and_recovers() {
    let x = FakeX::start().await;
    let Some(server) = Server::start(Backend::Postgres, Some(&x)).await else {
        return;
    };
    let db = server.db.postgres().unwrap();
    let t = server.tenant("acme");
    let live = format!("/v1/spaces/x/{}", seed::LIVE_SPACE);
    // The key has been used and the Space is cached.
    assert_eq!(
        server.get(&live, &t.key).send().await.unwrap().status(),
        200
    );

    // A small client loop reads the cached Space across the outage.
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::<u16>::new()));
    let reader = {
        let (stop, seen) = (stop.clone(), seen.clone());
        let client = server.client.clone();
        let url = server.url(&live);
        let key = t.key.clone();
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let status = client
                    .get(&url)
                    .bearer_auth(&key)
                    .send()
                    .await
                    .map_or(0, |r| r.status().as_u16());
                seen.lock().unwrap().push(status);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };

    db.set_accepting_connections(false).await;
    db.terminate_connections().await;

    let readiness = eventually(Duration::from_secs(15), "readiness 503", || async {
        server
            .client
            .get(server.url("/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 503)
    })
    .await;
    println!("readiness turned 503 {readiness:?} after the outage began");

    // Cached, authenticated reads still work.
    for _ in 0..5 {
        assert_eq!(
            server.get(&live, &t.key).send().await.unwrap().status(),
            200
        );
    }
    // A write fails quickly, with a 503 problem.
    let started = Instant::now();
    let r = server
        .post("/v1/profiles", &t.key)
        .json(&json!({"name": "during the outage"}))
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(r.headers().contains_key("retry-after"), "{:?}", r.headers());
    problem(r, 503, "service_unavailable").await;
    assert!(
        took < Duration::from_secs(5),
        "the write took {took:?} to fail"
    );

    // The database comes back: the server recovers without help.
    db.set_accepting_connections(true).await;
    let recovery = eventually(Duration::from_secs(30), "recovery", || async {
        let ready = server
            .client
            .get(server.url("/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200);
        ready
            && server
                .post("/v1/profiles", &t.key)
                .json(&json!({"name": "after the outage"}))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
    })
    .await;
    println!("recovered {recovery:?} after the database returned");
    // Reads keep working after the recovery too (the key cache was resynchronised).
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        server.get(&live, &t.key).send().await.unwrap().status(),
        200
    );

    stop.store(true, Ordering::Relaxed);
    reader.await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() > 10, "the loop ran: {seen:?}");
    assert!(
        seen.iter().all(|s| *s == 200 || *s == 503),
        "only 200 and 503 during the outage: {seen:?}"
    );
    assert_eq!(seen.last(), Some(&200), "{seen:?}");
}
