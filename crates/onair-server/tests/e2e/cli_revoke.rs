//! `onair key revoke` runs in its own process while the server runs: the key must stop
//! working on the server within about a second, on either backend.

use std::time::{Duration, Instant};

use crate::support::{BACKENDS, Server, json, problem};

#[tokio::test]
async fn a_key_revoked_by_the_cli_stops_working_on_the_running_server() {
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, None).await else {
            continue;
        };
        let t = server.tenant("acme");
        // Used once, so the server has it cached.
        json(
            server.get("/v1/networks", &t.key).send().await.unwrap(),
            200,
        )
        .await;
        server.cli(&["key", "revoke", &t.key_id]);
        let revoked_at = Instant::now();
        loop {
            let r = server.get("/v1/networks", &t.key).send().await.unwrap();
            if r.status() == 401 {
                problem(r, 401, "unauthorized").await;
                break;
            }
            assert!(
                revoked_at.elapsed() < Duration::from_secs(10),
                "{backend:?}: the revoked key still works after 10 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        eprintln!(
            "{backend:?}: refused {:?} after the CLI revoked it",
            revoked_at.elapsed()
        );
    }
}
