//! The public routes (health, the spec, the docs, problem types) and `GET /v1/networks`.

use std::collections::BTreeSet;

use onair_testkit::fake_x::{FakeX, TokenKind, seed, token_fingerprint};
use reqwest::Method;
use serde_json::Value;

use crate::support::{BACKENDS, Backend, Server, json, openapi_operations, problem};

/// The operations of the REST contract's table (BRIEF.md), which the spec must document.
const CONTRACT: [(&str, &str); 16] = [
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/v1/networks"),
    ("GET", "/v1/spaces/{network}/{id}"),
    ("GET", "/v1/spaces"),
    ("GET", "/v1/spaces/by-creator"),
    ("GET", "/v1/spaces/search"),
    ("POST", "/v1/api-keys"),
    ("GET", "/v1/api-keys"),
    ("DELETE", "/v1/api-keys/{id}"),
    ("POST", "/v1/profiles"),
    ("GET", "/v1/profiles"),
    ("DELETE", "/v1/profiles/{id}"),
    ("PUT", "/v1/networks/{network}/credentials"),
    ("DELETE", "/v1/networks/{network}/credentials"),
    ("POST", "/v1/profiles/{id}/link-token"),
];

#[tokio::test]
async fn health_spec_docs_and_problem_types() {
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, None).await else {
            continue;
        };
        let health = json(
            server
                .anonymous(Method::GET, "/healthz")
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(health, serde_json::json!({"status": "ok"}));
        let ready = json(
            server
                .anonymous(Method::GET, "/readyz")
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        let database = match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        assert_eq!(
            ready,
            serde_json::json!({"status": "ok", "database": database})
        );

        // The spec: OpenAPI 3.1, documenting every operation of the contract.
        let r = server
            .anonymous(Method::GET, "/openapi.json")
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.headers()["content-type"].to_str().unwrap(),
            "application/json"
        );
        let spec = json(r, 200).await;
        assert!(
            spec["openapi"].as_str().unwrap().starts_with("3.1"),
            "{}",
            spec["openapi"]
        );
        let ops: BTreeSet<(String, String)> =
            openapi_operations(&server).await.into_iter().collect();
        for (method, path) in CONTRACT {
            assert!(
                ops.contains(&(method.to_owned(), path.to_owned())),
                "{method} {path} is not in /openapi.json"
            );
        }
        // Every /v1 operation says how it authenticates and how it fails.
        for (method, path) in ops.iter().filter(|(_, p)| p.starts_with("/v1/")) {
            let op = &spec["paths"][path][method.to_ascii_lowercase()];
            assert!(op["security"].is_array(), "{method} {path}");
            assert!(op["responses"]["401"].is_object(), "{method} {path}");
            assert!(op["responses"]["default"].is_object(), "{method} {path}");
        }

        // The docs: a redirect to the page, the page, and every asset it loads.
        let no_redirects = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = no_redirects.get(server.url("/docs")).send().await.unwrap();
        assert!(r.status().is_redirection(), "{}", r.status());
        assert_eq!(r.headers()["location"], "/docs/");
        let r = server
            .anonymous(Method::GET, "/docs/")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let page = r.text().await.unwrap();
        assert!(page.contains("swagger-ui"), "{page}");
        let assets = linked_assets(&page);
        for needed in [
            "swagger-ui.css",
            "swagger-ui-bundle.js",
            "swagger-initializer.js",
        ] {
            assert!(
                assets.iter().any(|a| a == needed),
                "the page does not load {needed}: {assets:?}"
            );
        }
        for asset in &assets {
            let r = server
                .anonymous(Method::GET, &format!("/docs/{asset}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "/docs/{asset}");
            let content_type = r.headers()["content-type"].to_str().unwrap().to_owned();
            let expected = match asset.rsplit('.').next().unwrap() {
                "css" => "text/css",
                "js" => "javascript",
                "png" => "image/png",
                other => panic!("unexpected asset type {other}"),
            };
            assert!(
                content_type.contains(expected),
                "/docs/{asset}: {content_type}"
            );
            let body = r.bytes().await.unwrap();
            assert!(!body.is_empty(), "/docs/{asset} is empty");
            if asset == "swagger-initializer.js" {
                let text = String::from_utf8_lossy(&body);
                assert!(text.contains("/openapi.json"), "{text}");
            }
        }

        // A problem's `type` resolves to a description of its code.
        let p = problem(
            server
                .anonymous(Method::GET, "/v1/networks")
                .send()
                .await
                .unwrap(),
            401,
            "unauthorized",
        )
        .await;
        let type_uri = p["type"].as_str().unwrap();
        assert_eq!(type_uri, server.url("/problems/unauthorized"));
        let described = json(server.client.get(type_uri).send().await.unwrap(), 200).await;
        assert_eq!(described["code"], "unauthorized");
        assert!(!described["description"].as_str().unwrap().is_empty());
        problem(
            server
                .anonymous(Method::GET, "/problems/no_such_code")
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;
    }
}

/// The relative assets (`./x.css`, `index.css`) a page loads.
fn linked_assets(page: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for piece in page.split(attr).skip(1) {
            let target = piece.split('"').next().unwrap();
            let target = target.strip_prefix("./").unwrap_or(target);
            if !target.contains(':') && !target.starts_with('/') && !target.is_empty() {
                out.push(target.to_owned());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Every operation in the spec is served: with a key, no documented route answers
/// "no such route" or "method not allowed".
#[tokio::test]
async fn every_documented_operation_is_served() {
    let x = FakeX::start().await;
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, Some(&x)).await else {
            continue;
        };
        let t = server.tenant("acme");
        for (method, path) in openapi_operations(&server).await {
            let concrete = path
                .replace("{network}", "x")
                .replace("{id}", seed::LIVE_SPACE);
            let concrete = match concrete.as_str() {
                "/v1/spaces" => format!("/v1/spaces?ids=x:{}", seed::LIVE_SPACE),
                "/v1/spaces/by-creator" => {
                    format!("/v1/spaces/by-creator?creator_ids=x:{}", seed::TWITTER_DEV)
                }
                "/v1/spaces/search" => "/v1/spaces/search?query=hello".to_owned(),
                other => other.to_owned(),
            };
            let r = server
                .client
                .request(method.parse().unwrap(), server.url(&concrete))
                .bearer_auth(&t.key)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let text = r.text().await.unwrap();
            assert!(status < 500, "{method} {concrete}: {status} {text}");
            let code = serde_json::from_str::<Value>(&text)
                .ok()
                .map(|v| v["code"].clone());
            assert!(
                !matches!(
                    code.as_ref().and_then(Value::as_str),
                    Some("route_not_found" | "method_not_allowed")
                ),
                "{method} {path} is documented but not served: {text}"
            );
        }
    }
}

fn network<'a>(list: &'a Value, id: &str) -> &'a Value {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("network {id} not listed: {list}"))
}

/// X available with the operator's token, the sandbox always, and each stub with its status,
/// reason and date.
#[tokio::test]
async fn networks_with_the_operators_token() {
    let x = FakeX::start().await;
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, Some(&x)).await else {
            continue;
        };
        let t = server.tenant("acme");
        let list = json(
            server.get("/v1/networks", &t.key).send().await.unwrap(),
            200,
        )
        .await;
        let ids: Vec<&str> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "x",
                "sandbox",
                "clubhouse",
                "facebook-audio-rooms",
                "spotify-live",
                "reddit-talk",
                "linkedin-audio"
            ]
        );
        for n in list["data"].as_array().unwrap() {
            let keys: BTreeSet<&str> = n.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from([
                    "id",
                    "name",
                    "aliases",
                    "status",
                    "reason",
                    "since",
                    "capabilities",
                    "credentials"
                ]),
                "{n}"
            );
            assert!(!n["name"].as_str().unwrap().is_empty(), "{n}");
        }

        let xn = network(&list, "x");
        assert_eq!(xn["status"], "available");
        assert_eq!(xn["reason"], Value::Null);
        assert_eq!(xn["credentials"], "operator");
        assert_eq!(xn["aliases"], serde_json::json!(["twitter"]));
        assert_eq!(
            xn["capabilities"],
            serde_json::json!({"lookup": true, "max_lookup_batch": 100, "by_creator": true,
                "search": true, "max_search_results": 100, "needs_credentials": true})
        );
        let sandbox = network(&list, "sandbox");
        assert_eq!(sandbox["status"], "available");
        assert_eq!(sandbox["credentials"], "not_needed");
        assert_eq!(sandbox["capabilities"]["needs_credentials"], false);
        assert_eq!(sandbox["capabilities"]["search"], true);

        // The stubs: what the brief says of each, and that they can do nothing.
        for (id, status, since, words) in [
            ("clubhouse", "unsupported", None, "no public API"),
            (
                "facebook-audio-rooms",
                "discontinued",
                Some("2022"),
                "Facebook Live",
            ),
            (
                "spotify-live",
                "discontinued",
                Some("2023-04"),
                "April 2023",
            ),
            ("reddit-talk", "discontinued", Some("2023-03"), "March 2023"),
            (
                "linkedin-audio",
                "discontinued",
                Some("2024-12"),
                "December 2024",
            ),
        ] {
            let n = network(&list, id);
            assert_eq!(n["status"], status, "{n}");
            assert_eq!(n["since"].as_str(), since, "{n}");
            assert!(
                n["reason"].as_str().unwrap().contains(words),
                "{id}: {}",
                n["reason"]
            );
            assert_eq!(n["credentials"], "not_needed", "{n}");
            let caps = n["capabilities"].as_object().unwrap();
            assert!(
                caps.values().all(|v| v == false || v == 0),
                "{id} claims a capability: {n}"
            );
        }
        // Aliases of the stubs resolve to them.
        problem(
            server
                .get("/v1/spaces/spotify/abc", &t.key)
                .send()
                .await
                .unwrap(),
            422,
            "network_unsupported",
        )
        .await;
    }
}

/// Without an operator token X is `unconfigured` with a reason, until a tenant (or a
/// profile) stores its own; then it is `available` for that tenant only, with its token.
#[tokio::test]
async fn networks_without_the_operators_token() {
    let x = FakeX::start().await;
    let tenant_token = "AAAAAAAAAAAAAAAAAAAAAtenant-own-app-token-e2e";
    x.add_token(tenant_token, TokenKind::App);
    let profile_token = x.user_token(seed::TWITTER_API);
    for backend in BACKENDS {
        let Some(server) = Server::start_configured(
            backend,
            Some(&x),
            &[],
            &["ONAIR_PROVIDERS__X__BEARER_TOKEN"],
        )
        .await
        else {
            continue;
        };
        let a = server.tenant("acme");
        let b = server.tenant("globex");
        let list = json(
            server.get("/v1/networks", &a.key).send().await.unwrap(),
            200,
        )
        .await;
        let xn = network(&list, "x");
        assert_eq!(xn["status"], "unconfigured");
        assert_eq!(xn["credentials"], "none");
        assert!(
            xn["reason"]
                .as_str()
                .unwrap()
                .contains("/v1/networks/x/credentials"),
            "the reason says how to fix it: {xn}"
        );
        assert_eq!(network(&list, "sandbox")["status"], "available");
        let body = problem(
            server
                .get(&format!("/v1/spaces/x/{}", seed::LIVE_SPACE), &a.key)
                .send()
                .await
                .unwrap(),
            422,
            "network_unconfigured",
        )
        .await;
        assert!(
            body["detail"].as_str().unwrap().contains("credentials"),
            "{body}"
        );
        // Default search targets leave out what cannot be used.
        let found = json(
            server
                .get("/v1/spaces/search?query=jazz", &a.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(found["meta"]["networks"], serde_json::json!(["sandbox"]));

        x.reset_calls();
        server.store_x_token(&a.key, None, tenant_token).await;
        let list = json(
            server.get("/v1/networks", &a.key).send().await.unwrap(),
            200,
        )
        .await;
        let xn = network(&list, "x");
        assert_eq!(xn["status"], "available");
        assert_eq!(xn["credentials"], "tenant");
        assert_eq!(xn["reason"], Value::Null);
        let space = json(
            server
                .get(&format!("/v1/spaces/x/{}", seed::LIVE_SPACE), &a.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(space["data"]["id"], format!("x:{}", seed::LIVE_SPACE));
        let calls = x.calls();
        assert!(!calls.is_empty());
        assert!(
            calls
                .iter()
                .all(|c| c.bearer_fingerprint.as_deref() == Some(&token_fingerprint(tenant_token))),
            "{calls:?}"
        );
        let found = json(
            server
                .get("/v1/spaces/search?query=jazz", &a.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(
            found["meta"]["networks"],
            serde_json::json!(["x", "sandbox"])
        );

        // Another tenant is not helped by it.
        let list = json(
            server.get("/v1/networks", &b.key).send().await.unwrap(),
            200,
        )
        .await;
        assert_eq!(network(&list, "x")["status"], "unconfigured");

        // A profile of b with its own token makes X available to that profile only.
        let p = server.profile(&b.key, "customer-1").await;
        server
            .store_x_token(&b.key, Some(&p.key), &profile_token)
            .await;
        let list = json(
            server
                .get("/v1/networks", &b.key)
                .header("Profile-Key", &p.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(network(&list, "x")["status"], "available");
        assert_eq!(network(&list, "x")["credentials"], "profile");
        let list = json(
            server.get("/v1/networks", &b.key).send().await.unwrap(),
            200,
        )
        .await;
        assert_eq!(network(&list, "x")["status"], "unconfigured");

        // Deleting the tenant's credentials makes X unconfigured again, at once.
        let r = server
            .delete("/v1/networks/x/credentials", &a.key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let list = json(
            server.get("/v1/networks", &a.key).send().await.unwrap(),
            200,
        )
        .await;
        assert_eq!(network(&list, "x")["status"], "unconfigured");
    }
}
