//! What a tenant stores survives a restart of the server, on both backends.

use crate::support::{BACKENDS, Server, json};

#[tokio::test]
async fn keys_profiles_and_credentials_survive_a_restart() {
    for backend in BACKENDS {
        let Some(mut server) = Server::start(backend, None).await else {
            continue;
        };
        let t = server.tenant("durable");
        let created = json(
            server
                .post("/v1/api-keys", &t.key)
                .json(&serde_json::json!({"name": "second"}))
                .send()
                .await
                .unwrap(),
            201,
        )
        .await;
        let second = created["data"]["key"].as_str().unwrap().to_owned();
        let profile = json(
            server
                .post("/v1/profiles", &t.key)
                .json(&serde_json::json!({"name": "customer-1"}))
                .send()
                .await
                .unwrap(),
            201,
        )
        .await;
        let profile_id = profile["data"]["id"].as_str().unwrap().to_owned();
        let profile_key = profile["data"]["profile_key"].as_str().unwrap().to_owned();
        let put = server
            .put("/v1/networks/x/credentials", &t.key)
            .header("profile-key", &profile_key)
            .json(&serde_json::json!({"token": "AAAAAAAAAAAAAAAAAAAAAdurable"}))
            .send()
            .await
            .unwrap();
        json(put, 200).await;

        server.stop().await;
        server.spawn().await;

        for key in [&t.key, &second] {
            json(server.get("/v1/networks", key).send().await.unwrap(), 200).await;
        }
        let got = json(
            server
                .get(&format!("/v1/profiles/{profile_id}"), &t.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(got["data"]["name"], "customer-1", "{backend:?}");
        let cred = server
            .get("/v1/networks/x/credentials", &t.key)
            .header("profile-key", &profile_key)
            .send()
            .await
            .unwrap();
        let cred = json(cred, 200).await;
        assert_eq!(cred["data"]["scope"], "profile", "{backend:?}");
        let networks = json(
            server
                .get("/v1/networks", &t.key)
                .header("profile-key", &profile_key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        let x = networks["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == "x")
            .unwrap();
        assert_eq!(x["credentials"], "profile", "{backend:?}: {x}");
    }
}
