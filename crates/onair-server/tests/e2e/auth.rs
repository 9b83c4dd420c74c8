//! Authentication failures: every way an API key or a `Profile-Key` can be wrong is a 401
//! problem with the right `code`, and revocation and expiry take effect at once.

use chrono::{DateTime, Duration, Utc};
use onair_store::secrets::{Token, TokenKind};
use reqwest::{Method, header::HeaderValue};

use crate::support::{BACKENDS, Server, json, openapi_operations, problem};

/// The same key with one character of its body changed: the checksum no longer matches.
fn typo(key: &str) -> String {
    let mut bytes = key.as_bytes().to_vec();
    let i = 20;
    bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
    String::from_utf8(bytes).unwrap()
}

/// The same key with a character of its body that no key has.
fn foreign_character(key: &str) -> String {
    let mut bytes = key.as_bytes().to_vec();
    bytes[20] = b'-';
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn every_bad_api_key_is_a_401_problem() {
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, None).await else {
            continue;
        };
        let t = server.tenant("acme");
        let send = |value: Option<HeaderValue>| {
            let server = &server;
            async move {
                let mut r = server.anonymous(Method::GET, "/v1/networks");
                if let Some(v) = value {
                    r = r.header("authorization", v);
                }
                r.send().await.unwrap()
            }
        };
        let text = |s: &str| Some(HeaderValue::from_str(s).unwrap());
        let unknown = Token::generate(TokenKind::ApiKey);
        let profile_shaped = Token::generate(TokenKind::ProfileKey);
        let cases: Vec<(&str, Option<HeaderValue>, &str)> = vec![
            ("no header", None, "Bearer"),
            (
                "wrong scheme",
                text(&format!("Basic {}", t.key)),
                "Bearer scheme",
            ),
            (
                "token scheme",
                text(&format!("Token {}", t.key)),
                "Bearer scheme",
            ),
            ("no scheme", text(&t.key), "Bearer scheme"),
            ("empty bearer", text("Bearer"), "malformed"),
            ("malformed", text("Bearer onair_sk_short"), "malformed"),
            (
                "wrong prefix",
                text(&format!("Bearer {}", profile_shaped.expose())),
                "malformed",
            ),
            (
                "bad characters",
                text(&format!("Bearer {}", foreign_character(&t.key))),
                "malformed",
            ),
            (
                "bad checksum",
                text(&format!("Bearer {}", typo(&t.key))),
                "checksum",
            ),
            (
                "unknown key",
                text(&format!("Bearer {}", unknown.expose())),
                "not valid",
            ),
            (
                "two keys",
                text(&format!("Bearer {} {}", t.key, t.key)),
                "malformed",
            ),
            (
                "not text",
                Some(HeaderValue::from_bytes(b"Bearer onair_sk_\xff\xfe").unwrap()),
                "not valid text",
            ),
            (
                "huge",
                text(&format!("Bearer {}", "a".repeat(16 * 1024))),
                "malformed",
            ),
        ];
        for (what, value, says) in cases {
            let response = send(value).await;
            assert_eq!(
                response.headers()["www-authenticate"],
                "Bearer realm=\"onair\"",
                "{what}: a 401 names the scheme"
            );
            let body = problem(response, 401, "unauthorized").await;
            let detail = body["detail"].as_str().unwrap();
            assert!(detail.contains(says), "{what}: {detail}");
            assert!(!detail.contains(&t.key), "{what}: the key is never echoed");
        }
        // The scheme is case-insensitive, and surrounding spaces do not matter.
        for value in [format!("bearer {}", t.key), format!("BEARER  {} ", t.key)] {
            json(send(text(&value)).await, 200).await;
        }
        // A key that was unknown stays refused (negative cache) and a good one still works.
        problem(
            send(text(&format!("Bearer {}", unknown.expose()))).await,
            401,
            "unauthorized",
        )
        .await;
        json(send(text(&format!("Bearer {}", t.key))).await, 200).await;
    }
}

/// Every `/v1` operation of the spec refuses a request without a key, before anything else
/// (even a malformed request is a 401, not a 400).
#[tokio::test]
async fn every_v1_operation_requires_a_key() {
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, None).await else {
            continue;
        };
        let ops = openapi_operations(&server).await;
        let v1: Vec<_> = ops.iter().filter(|(_, p)| p.starts_with("/v1/")).collect();
        assert!(v1.len() >= 16, "{ops:?}");
        for (method, path) in v1 {
            let path = path.replace("{network}", "x").replace("{id}", "%FF");
            for auth in [None, Some("Bearer nope")] {
                let mut r = server.anonymous(method.parse().unwrap(), &path);
                if let Some(a) = auth {
                    r = r.header("authorization", a);
                }
                let r = r.body("{").header("content-type", "application/json");
                problem(r.send().await.unwrap(), 401, "unauthorized").await;
            }
        }
        // The public routes need none.
        for path in ["/healthz", "/readyz", "/openapi.json", "/docs/"] {
            let r = server.anonymous(Method::GET, path).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
        }
    }
}

#[tokio::test]
async fn revoked_and_expired_keys_stop_working() {
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, None).await else {
            continue;
        };
        let t = server.tenant("acme");

        // Revoked by the API: refused on the very next request, for every route.
        let created = json(
            server.post("/v1/api-keys", &t.key).send().await.unwrap(),
            201,
        )
        .await;
        let key = created["data"]["key"].as_str().unwrap().to_owned();
        let id = created["data"]["id"].as_str().unwrap().to_owned();
        json(server.get("/v1/profiles", &key).send().await.unwrap(), 200).await;
        json(
            server
                .delete(&format!("/v1/api-keys/{id}"), &t.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        for path in [
            "/v1/profiles",
            "/v1/networks",
            "/v1/spaces/sandbox/live-jazz",
        ] {
            let body = problem(
                server.get(path, &key).send().await.unwrap(),
                401,
                "unauthorized",
            )
            .await;
            assert!(
                body["detail"].as_str().unwrap().contains("revoked"),
                "{body}"
            );
        }

        // Revoked by the operator CLI while the server runs (another process, the same
        // database): refused without a restart once the server hears of it.
        let created = json(
            server.post("/v1/api-keys", &t.key).send().await.unwrap(),
            201,
        )
        .await;
        let key = created["data"]["key"].as_str().unwrap().to_owned();
        let id = created["data"]["id"].as_str().unwrap().to_owned();
        json(server.get("/v1/networks", &key).send().await.unwrap(), 200).await;
        server.cli(&["key", "revoke", &id]);
        // Postgres carries the revocation to running instances (LISTEN/NOTIFY); SQLite's
        // invalidations stay inside one process, so there the server's key cache decides.
        if backend == crate::support::Backend::Postgres {
            let mut refused = false;
            for _ in 0..100 {
                if server
                    .get("/v1/networks", &key)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    == 401
                {
                    refused = true;
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            assert!(refused, "a key revoked by the CLI still works after 5 s");
        }

        // Expiring: works until `expires_at`, refused after it.
        let expires_at = Utc::now() + Duration::seconds(3);
        let created = json(
            server
                .post("/v1/api-keys", &t.key)
                .json(&serde_json::json!({"name": "short-lived", "expires_at": expires_at}))
                .send()
                .await
                .unwrap(),
            201,
        )
        .await;
        let key = created["data"]["key"].as_str().unwrap().to_owned();
        let expires_at: DateTime<Utc> = created["data"]["expires_at"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let status = server
            .get("/v1/networks", &key)
            .send()
            .await
            .unwrap()
            .status();
        if Utc::now() < expires_at - Duration::milliseconds(500) {
            assert_eq!(status, 200, "the key works before it expires");
        }
        let wait = (expires_at - Utc::now() + Duration::milliseconds(1200))
            .to_std()
            .unwrap_or_default();
        tokio::time::sleep(wait).await;
        let body = problem(
            server.get("/v1/networks", &key).send().await.unwrap(),
            401,
            "unauthorized",
        )
        .await;
        assert!(
            body["detail"].as_str().unwrap().contains("expired"),
            "{body}"
        );
        // The tenant's other key is not affected.
        json(
            server.get("/v1/networks", &t.key).send().await.unwrap(),
            200,
        )
        .await;
    }
}

#[tokio::test]
async fn every_bad_profile_key_is_a_401_problem() {
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, None).await else {
            continue;
        };
        let a = server.tenant("acme");
        let b = server.tenant("globex");
        let pa = server.profile(&a.key, "a-customer").await;
        let pb = server.profile(&b.key, "b-customer").await;
        let with = |key: &str, value: HeaderValue| {
            server
                .get("/v1/networks", key)
                .header("Profile-Key", value)
                .send()
        };
        let text = |s: &str| HeaderValue::from_str(s).unwrap();
        let unknown = Token::generate(TokenKind::ProfileKey);
        let cases: Vec<(&str, HeaderValue)> = vec![
            ("empty", text("")),
            ("malformed", text("onair_pk_short")),
            ("an API key", text(&a.key)),
            ("bad checksum", text(&typo(&pa.key))),
            ("unknown", text(unknown.expose())),
            ("another tenant's", text(&pb.key)),
            (
                "not text",
                HeaderValue::from_bytes(b"onair_pk_\xff").unwrap(),
            ),
        ];
        for (what, value) in cases {
            let body = problem(
                with(&a.key, value).await.unwrap(),
                401,
                "invalid_profile_key",
            )
            .await;
            assert!(!body["detail"].as_str().unwrap().is_empty(), "{what}");
        }
        json(with(&a.key, text(&pa.key)).await.unwrap(), 200).await;
        json(with(&b.key, text(&pb.key)).await.unwrap(), 200).await;
        // A bad API key is reported before the Profile-Key is looked at.
        problem(
            with("onair_sk_nope", text(&pa.key)).await.unwrap(),
            401,
            "unauthorized",
        )
        .await;

        // A deleted profile's key is refused on the next request.
        let r = server
            .delete(&format!("/v1/profiles/{}", pa.id), &a.key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        problem(
            with(&a.key, text(&pa.key)).await.unwrap(),
            401,
            "invalid_profile_key",
        )
        .await;
    }
}
