//! The API in-process over loopback: the main paths and their errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::{TestApp, problem};

#[tokio::test]
async fn sandbox_lookup_list_and_search() {
    let app = TestApp::start().await;
    let t = app.tenant("acme").await;
    let r = app
        .get("/v1/spaces/sandbox/live-jazz", &t.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["data"]["id"], "sandbox:live-jazz");
    assert_eq!(body["data"]["state"], "live");
    assert_eq!(body["data"]["creator_id"], "sandbox:bob");

    let r = app
        .get(
            "/v1/spaces?ids=sandbox:live-jazz,sandbox:nope,sandbox:live-rust-weekly",
            &t.key,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let ids: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["sandbox:live-jazz", "sandbox:live-rust-weekly"]);
    assert_eq!(body["errors"][0]["id"], "sandbox:nope");
    assert_eq!(body["errors"][0]["code"], "space_not_found");

    let r = app
        .get("/v1/spaces/search?query=jazz&networks=sandbox", &t.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["meta"]["result_count"].as_u64().unwrap() >= 2,
        "{body}"
    );

    let r = app
        .get(
            "/v1/spaces/by-creator?creator_ids=sandbox:alice,clubhouse:someone",
            &t.key,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert!(!body["data"].as_array().unwrap().is_empty());
    assert_eq!(body["errors"][0]["network"], "clubhouse", "{body}");
}

#[tokio::test]
async fn errors_are_problems() {
    let app = TestApp::start().await;
    let t = app.tenant("acme").await;
    problem(
        app.client
            .get(format!("{}/v1/networks", app.base))
            .send()
            .await
            .unwrap(),
        401,
        "unauthorized",
    )
    .await;
    problem(
        app.get("/v1/networks", "onair_sk_nope")
            .send()
            .await
            .unwrap(),
        401,
        "unauthorized",
    )
    .await;
    problem(
        app.get("/nowhere", &t.key).send().await.unwrap(),
        404,
        "route_not_found",
    )
    .await;
    problem(
        app.post("/healthz", &t.key).send().await.unwrap(),
        405,
        "method_not_allowed",
    )
    .await;
    problem(
        app.get("/v1/spaces/sandbox/NOPE!", &t.key)
            .send()
            .await
            .unwrap(),
        400,
        "invalid_id",
    )
    .await;
    problem(
        app.get("/v1/spaces/myspace/abc", &t.key)
            .send()
            .await
            .unwrap(),
        404,
        "network_not_found",
    )
    .await;
    problem(
        app.get("/v1/spaces?ids=", &t.key).send().await.unwrap(),
        400,
        "invalid_query",
    )
    .await;
    problem(
        app.get("/v1/spaces?idz=x", &t.key).send().await.unwrap(),
        400,
        "invalid_query",
    )
    .await;
    problem(
        app.get("/v1/spaces/search?query=a&limit=0", &t.key)
            .send()
            .await
            .unwrap(),
        400,
        "invalid_query",
    )
    .await;
    problem(
        app.post("/v1/profiles", &t.key)
            .body("{}")
            .send()
            .await
            .unwrap(),
        415,
        "unsupported_media_type",
    )
    .await;
    problem(
        app.post("/v1/profiles", &t.key)
            .header("content-type", "application/json")
            .body("{")
            .send()
            .await
            .unwrap(),
        400,
        "invalid_json",
    )
    .await;
    problem(
        app.post("/v1/profiles", &t.key)
            .json(&serde_json::json!({"nam": "x"}))
            .send()
            .await
            .unwrap(),
        400,
        "invalid_body",
    )
    .await;
    let big = "x".repeat(200_000);
    problem(
        app.post("/v1/profiles", &t.key)
            .json(&serde_json::json!({"name": big}))
            .send()
            .await
            .unwrap(),
        413,
        "payload_too_large",
    )
    .await;
    let many: Vec<String> = (0..101).map(|i| format!("sandbox:s{i}")).collect();
    problem(
        app.get(&format!("/v1/spaces?ids={}", many.join(",")), &t.key)
            .send()
            .await
            .unwrap(),
        400,
        "too_many_ids",
    )
    .await;
}

#[tokio::test]
async fn keys_profiles_and_revocation() {
    let app = TestApp::start().await;
    let t = app.tenant("acme").await;
    let other = app.tenant("globex").await;
    let r = app.post("/v1/api-keys", &t.key).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let second = created["data"]["key"].as_str().unwrap().to_owned();
    let second_id = created["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get("/v1/networks", &second)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    problem(
        app.delete(&format!("/v1/api-keys/{second_id}"), &other.key)
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        app.delete(&format!("/v1/api-keys/{second_id}"), &t.key)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    problem(
        app.get("/v1/networks", &second).send().await.unwrap(),
        401,
        "unauthorized",
    )
    .await;

    let r = app
        .post("/v1/profiles", &t.key)
        .json(&serde_json::json!({"name": "customer-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let profile: Value = r.json().await.unwrap();
    let pid = profile["data"]["id"].as_str().unwrap().to_owned();
    let pkey = profile["data"]["profile_key"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get("/v1/networks", &t.key)
            .header("profile-key", &pkey)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    problem(
        app.get("/v1/networks", &other.key)
            .header("profile-key", &pkey)
            .send()
            .await
            .unwrap(),
        401,
        "invalid_profile_key",
    )
    .await;
    problem(
        app.get(&format!("/v1/profiles/{pid}"), &other.key)
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    let r = app
        .post(&format!("/v1/profiles/{pid}/link-token"), &t.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let link: Value = r.json().await.unwrap();
    let page = app
        .client
        .get(link["data"]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("customer-1"));
    assert_eq!(
        app.delete(&format!("/v1/profiles/{pid}"), &t.key)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    problem(
        app.get("/v1/networks", &t.key)
            .header("profile-key", &pkey)
            .send()
            .await
            .unwrap(),
        401,
        "invalid_profile_key",
    )
    .await;
}

#[tokio::test]
async fn networks_report_status_and_openapi_is_served() {
    let app = TestApp::start().await;
    let t = app.tenant("acme").await;
    let body: Value = app
        .get("/v1/networks", &t.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sandbox = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "sandbox")
        .unwrap();
    assert_eq!(sandbox["status"], "available");
    let reddit = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "reddit-talk")
        .unwrap();
    assert_eq!(reddit["status"], "discontinued");
    let spec: Value = app
        .client
        .get(format!("{}/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(spec["paths"]["/v1/spaces/search"].is_object());
    let docs = app
        .client
        .get(format!("{}/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    assert_eq!(
        app.client
            .get(format!("{}/readyz", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("onair_http_requests_total"), "{metrics}");
}

#[tokio::test]
async fn every_problem_code_has_a_page_and_unknown_codes_do_not() {
    let app = TestApp::start().await;
    for code in onair_core::ProblemCode::ALL {
        let page: serde_json::Value = app
            .client
            .get(format!("{}/problems/{code}", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["code"], code.as_str());
        assert_eq!(page["description"], code.description());
    }
    let unknown = app
        .client
        .get(format!("{}/problems/no_such_code", app.base))
        .send()
        .await
        .unwrap();
    problem(unknown, 404, "not_found").await;
}
