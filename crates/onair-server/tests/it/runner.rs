//! The runner serves on the listener it is given, and on cancellation drains requests and
//! stops its background work before returning.

use std::time::Duration;

use onair_server::{
    Config,
    config::DatabaseUrl,
    serve::{Roles, run},
};
use onair_store::secrets::generate_secret_key;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

fn config(dir: &tempfile::TempDir) -> Config {
    let db = dir.path().join("onair.db");
    Config {
        database_url: DatabaseUrl::parse(&format!("sqlite://{}", db.display())).unwrap(),
        secret_key: Some(generate_secret_key()),
        shutdown_grace_secs: 10,
        ..Config::default()
    }
}

#[tokio::test]
async fn run_serves_on_the_given_listener_and_returns_once_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(run(
        config(&dir),
        Roles::ALL,
        Some(listener),
        shutdown.clone(),
    ));
    let client = reqwest::Client::new();
    let mut ready = None;
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
            ready = Some(r.status());
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(ready, Some(reqwest::StatusCode::OK));
    let unauthenticated = client
        .get(format!("{base}/v1/spaces/sandbox/live1"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
    assert_eq!(
        unauthenticated.headers()["content-type"],
        "application/problem+json"
    );

    shutdown.cancel();
    // Readiness turns 503 at once, while the listener still accepts for a moment.
    let mut draining = None;
    for _ in 0..20 {
        let status = client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status();
        if status == 503 {
            draining = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(draining, Some(reqwest::StatusCode::SERVICE_UNAVAILABLE));
    let result = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("run returns within the grace period")
        .unwrap();
    assert!(result.is_ok(), "{result:?}");
    assert!(
        client.get(format!("{base}/readyz")).send().await.is_err(),
        "nothing listens once run has returned"
    );
}

#[tokio::test]
async fn a_worker_needs_no_listener_and_an_api_needs_one() {
    let dir = tempfile::tempdir().unwrap();
    let shutdown = CancellationToken::new();
    let worker = Roles {
        api: false,
        worker: true,
    };
    let running = tokio::spawn(run(config(&dir), worker, None, shutdown.clone()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!running.is_finished(), "a worker runs until cancelled");
    shutdown.cancel();
    let result = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .unwrap()
        .unwrap();
    assert!(result.is_ok(), "{result:?}");

    let refused = run(config(&dir), Roles::ALL, None, CancellationToken::new()).await;
    assert!(
        refused.is_err(),
        "the API role without a listener is refused"
    );
}
