//! A first request on each backend, as the README walks a new user through it.

use onair_testkit::fake_x::{FakeX, seed};

use crate::support::{BACKENDS, Server, json, problem};

#[tokio::test]
async fn first_requests_on_each_backend() {
    let x = FakeX::start().await;
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, Some(&x)).await else {
            continue;
        };
        let t = server.tenant("acme");
        let body = json(
            server
                .get(&format!("/v1/spaces/x/{}", seed::LIVE_SPACE), &t.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(
            body["data"]["id"],
            format!("x:{}", seed::LIVE_SPACE),
            "{backend:?}"
        );
        let body = json(
            server
                .get("/v1/spaces/sandbox/live-jazz", &t.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(body["data"]["state"], "live");
        problem(
            server
                .get("/v1/networks", "onair_sk_bad")
                .send()
                .await
                .unwrap(),
            401,
            "unauthorized",
        )
        .await;
    }
}
