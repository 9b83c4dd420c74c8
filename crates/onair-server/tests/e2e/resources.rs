//! The tenant's own resources: API keys, profiles and their `Profile-Key`, upstream
//! credentials (and whose the fake X sees), and profile link tokens with their page.

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use onair_testkit::fake_x::{FakeX, TokenKind, seed, token_fingerprint};
use reqwest::Method;
use serde_json::{Value, json as j};

use crate::support::{BACKENDS, FreshSpaces, Server, json, problem};

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .unwrap_or_else(|| panic!("not a time: {v}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn api_keys_lifecycle() {
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, None).await else {
            continue;
        };
        let t = server.tenant("acme");

        // Without a body: an unnamed key that works at once.
        let before = Utc::now() - Duration::seconds(5);
        let created = json(
            server.post("/v1/api-keys", &t.key).send().await.unwrap(),
            201,
        )
        .await;
        let unnamed = &created["data"];
        let key = unnamed["key"].as_str().unwrap().to_owned();
        assert!(key.starts_with("onair_sk_") && key.len() == 9 + 48, "{key}");
        assert!(unnamed["id"].as_str().unwrap().starts_with("key_"));
        assert_eq!(unnamed["name"], "unnamed");
        assert!(time(&unnamed["created_at"]) >= before);
        for absent in ["last_used_at", "expires_at", "revoked_at"] {
            assert_eq!(unnamed[absent], Value::Null, "{absent}");
        }
        json(server.get("/v1/networks", &key).send().await.unwrap(), 200).await;

        // With a name and an expiry.
        let expires = (Utc::now() + Duration::days(30)).to_rfc3339();
        let named = json(
            server
                .post("/v1/api-keys", &t.key)
                .json(&j!({"name": "  ci runner  ", "expires_at": expires}))
                .send()
                .await
                .unwrap(),
            201,
        )
        .await;
        let named = &named["data"];
        assert_eq!(named["name"], "ci runner");
        assert_eq!(
            time(&named["expires_at"]).timestamp(),
            expires.parse::<DateTime<Utc>>().unwrap().timestamp()
        );
        // An empty JSON object is a body without fields.
        let empty = json(
            server
                .post("/v1/api-keys", &t.key)
                .json(&j!({}))
                .send()
                .await
                .unwrap(),
            201,
        )
        .await;
        assert_eq!(empty["data"]["name"], "unnamed");

        // Far-future expiries are stored and read back as given (or refused), never a 5xx.
        let mut far_keys = 0;
        for at in [
            "9999-12-31T23:59:59Z",
            "2262-04-11T23:47:16.854775Z",
            "3000-01-01T00:00:00+14:00",
            "+10000-01-01T00:00:00Z",
        ] {
            let r = server
                .post("/v1/api-keys", &t.key)
                .json(&j!({"name": "far", "expires_at": at}))
                .send()
                .await
                .unwrap();
            if r.status() == 400 {
                problem(r, 400, "invalid_body").await;
                continue;
            }
            let created = json(r, 201).await;
            far_keys += 1;
            let want: DateTime<Utc> = serde_json::from_value(j!(at)).unwrap();
            assert_eq!(time(&created["data"]["expires_at"]), want, "{at}");
            let id = created["data"]["id"].as_str().unwrap();
            let read = json(
                server
                    .get(&format!("/v1/api-keys/{id}"), &t.key)
                    .send()
                    .await
                    .unwrap(),
                200,
            )
            .await;
            assert_eq!(time(&read["data"]["expires_at"]), want, "{at}");
            let key = created["data"]["key"].as_str().unwrap();
            json(server.get("/v1/networks", key).send().await.unwrap(), 200).await;
            json(
                server
                    .delete(&format!("/v1/api-keys/{id}"), &t.key)
                    .send()
                    .await
                    .unwrap(),
                200,
            )
            .await;
        }

        // Refused bodies.
        let past = (Utc::now() - Duration::minutes(1)).to_rfc3339();
        for (body, field) in [
            (j!({"expires_at": past}), Some("expires_at")),
            (j!({"name": ""}), Some("name")),
            (j!({"name": "a".repeat(101)}), Some("name")),
            (j!({"name": "line\nbreak"}), Some("name")),
            (j!({"name": "x", "scopes": ["all"]}), None),
            (j!({"expires_at": "tomorrow"}), None),
            (j!({"name": 7}), None),
        ] {
            let p = problem(
                server
                    .post("/v1/api-keys", &t.key)
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
                400,
                "invalid_body",
            )
            .await;
            if let Some(field) = field {
                assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
            }
        }

        // The list: every key of the tenant, never a secret.
        let list = json(
            server.get("/v1/api-keys", &t.key).send().await.unwrap(),
            200,
        )
        .await;
        let listed: Vec<&Value> = list["data"].as_array().unwrap().iter().collect();
        let ids: Vec<&str> = listed.iter().map(|k| k["id"].as_str().unwrap()).collect();
        for id in [
            t.key_id.as_str(),
            unnamed["id"].as_str().unwrap(),
            named["id"].as_str().unwrap(),
        ] {
            assert!(ids.contains(&id), "{id} not listed: {list}");
        }
        assert_eq!(listed.len(), 4 + far_keys, "{list}");
        let text = list.to_string();
        assert!(
            !text.contains("onair_sk_") && !text.contains(&key[9..]),
            "{text}"
        );
        for k in &listed {
            assert!(k.get("key").is_none(), "{k}");
        }
        // The CLI's key has been used; the use is recorded off the request path, soon.
        let mut last_used = Value::Null;
        for _ in 0..100 {
            let list = json(
                server.get("/v1/api-keys", &t.key).send().await.unwrap(),
                200,
            )
            .await;
            let cli_key = list["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|k| k["id"] == t.key_id)
                .unwrap()
                .clone();
            last_used = cli_key["last_used_at"].clone();
            if !last_used.is_null() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(time(&last_used) > Utc::now() - Duration::minutes(1));
        let unused = listed.iter().find(|k| k["id"] == named["id"]).unwrap();
        assert_eq!(unused["last_used_at"], Value::Null);

        // One key; unknown and malformed ids.
        let path = format!("/v1/api-keys/{}", named["id"].as_str().unwrap());
        let one = json(server.get(&path, &t.key).send().await.unwrap(), 200).await;
        assert_eq!(one["data"]["name"], "ci runner");
        assert!(one["data"].get("key").is_none());
        problem(
            server
                .get("/v1/api-keys/key_000000000000", &t.key)
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;
        problem(
            server
                .get("/v1/api-keys/not-a-key-id", &t.key)
                .send()
                .await
                .unwrap(),
            400,
            "invalid_id",
        )
        .await;

        // Revoking: answered with the revoked key, refused on the very next request,
        // idempotent, and still listed.
        let path = format!("/v1/api-keys/{}", unnamed["id"].as_str().unwrap());
        let revoked = json(server.delete(&path, &t.key).send().await.unwrap(), 200).await;
        let revoked_at = time(&revoked["data"]["revoked_at"]);
        problem(
            server.get("/v1/networks", &key).send().await.unwrap(),
            401,
            "unauthorized",
        )
        .await;
        let again = json(server.delete(&path, &t.key).send().await.unwrap(), 200).await;
        assert_eq!(time(&again["data"]["revoked_at"]), revoked_at);
        let one = json(server.get(&path, &t.key).send().await.unwrap(), 200).await;
        assert_eq!(time(&one["data"]["revoked_at"]), revoked_at);
        problem(
            server
                .delete("/v1/api-keys/key_000000000000", &t.key)
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;

        // A key can revoke itself; it is then refused.
        let own = json(
            server.post("/v1/api-keys", &t.key).send().await.unwrap(),
            201,
        )
        .await;
        let own_key = own["data"]["key"].as_str().unwrap();
        let own_path = format!("/v1/api-keys/{}", own["data"]["id"].as_str().unwrap());
        json(server.delete(&own_path, own_key).send().await.unwrap(), 200).await;
        problem(
            server.get("/v1/api-keys", own_key).send().await.unwrap(),
            401,
            "unauthorized",
        )
        .await;
        // The tenant's other keys go on working.
        json(
            server.get("/v1/api-keys", &t.key).send().await.unwrap(),
            200,
        )
        .await;
    }
}

#[tokio::test]
async fn profiles_lifecycle() {
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, None).await else {
            continue;
        };
        let t = server.tenant("acme");
        let created = json(
            server
                .post("/v1/profiles", &t.key)
                .json(&j!({"name": "customer-4711"}))
                .send()
                .await
                .unwrap(),
            201,
        )
        .await;
        let p = &created["data"];
        let id = p["id"].as_str().unwrap().to_owned();
        let profile_key = p["profile_key"].as_str().unwrap().to_owned();
        assert!(id.starts_with("prof_"), "{id}");
        assert!(profile_key.starts_with("onair_pk_") && profile_key.len() == 9 + 48);
        assert_eq!(p["name"], "customer-4711");
        time(&p["created_at"]);
        let other = server.profile(&t.key, "客户 ✨ 42").await;

        let list = json(
            server.get("/v1/profiles", &t.key).send().await.unwrap(),
            200,
        )
        .await;
        let names: Vec<&str> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 2);
        assert!(names.contains(&"customer-4711") && names.contains(&"客户 ✨ 42"));
        assert!(
            !list.to_string().contains("onair_pk_"),
            "keys are shown once"
        );
        let one = json(
            server
                .get(&format!("/v1/profiles/{id}"), &t.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(
            one["data"],
            j!({"id": id, "name": "customer-4711", "created_at": p["created_at"]})
        );

        // The Profile-Key acts for the profile: its own (empty) credentials.
        let r = server
            .get("/v1/networks/x/credentials", &t.key)
            .header("Profile-Key", &profile_key)
            .send()
            .await
            .unwrap();
        let body = problem(r, 404, "not_found").await;
        assert!(
            body["detail"].as_str().unwrap().contains("profile"),
            "{body}"
        );
        json(
            server
                .get("/v1/networks", &t.key)
                .header("Profile-Key", &profile_key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;

        // Bad bodies.
        for body in [
            j!({}),
            j!({"name": ""}),
            j!({"name": "   "}),
            j!({"name": "a".repeat(201)}),
            j!({"name": "tab\there"}),
            j!({"name": "ok", "email": "a@b.c"}),
            j!(["customer"]),
        ] {
            let r = server
                .post("/v1/profiles", &t.key)
                .json(&body)
                .send()
                .await
                .unwrap();
            problem(r, 400, "invalid_body").await;
        }

        // Deleting: 204 with no body, gone, its key refused at once, the other untouched.
        let r = server
            .delete(&format!("/v1/profiles/{id}"), &t.key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        assert!(r.bytes().await.unwrap().is_empty());
        problem(
            server
                .get(&format!("/v1/profiles/{id}"), &t.key)
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;
        problem(
            server
                .get("/v1/networks", &t.key)
                .header("Profile-Key", &profile_key)
                .send()
                .await
                .unwrap(),
            401,
            "invalid_profile_key",
        )
        .await;
        problem(
            server
                .delete(&format!("/v1/profiles/{id}"), &t.key)
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;
        json(
            server
                .get("/v1/networks", &t.key)
                .header("Profile-Key", &other.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        let list = json(
            server.get("/v1/profiles", &t.key).send().await.unwrap(),
            200,
        )
        .await;
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
        problem(
            server
                .get("/v1/profiles/prof_nonsense!", &t.key)
                .send()
                .await
                .unwrap(),
            400,
            "invalid_id",
        )
        .await;
    }
}

/// Looks up a Space nobody has asked for yet (so the lookup reaches the fake) and returns
/// the fingerprint of the bearer token the fake saw for it.
async fn fingerprint_of_lookup(
    server: &Server,
    x: &FakeX,
    fresh: &FreshSpaces,
    key: &str,
    profile_key: Option<&str>,
) -> String {
    let id = fresh.next();
    let mut request = server.get(&format!("/v1/spaces/x/{id}"), key);
    if let Some(pk) = profile_key {
        request = request.header("Profile-Key", pk);
    }
    let body = json(request.send().await.unwrap(), 200).await;
    assert_eq!(body["data"]["id"], format!("x:{id}"));
    let calls: Vec<_> = x
        .calls()
        .into_iter()
        .filter(|c| {
            c.param("ids")
                .is_some_and(|ids| ids.split(',').any(|i| i == id))
        })
        .collect();
    assert_eq!(calls.len(), 1, "{calls:?}");
    calls[0].bearer_fingerprint.clone().unwrap()
}

/// Credentials: stored without echoing the secret, and used in order profile → tenant →
/// operator, as the fake X's record of bearer tokens shows.
#[tokio::test]
async fn credentials_and_whose_token_x_sees() {
    let x = FakeX::start().await;
    let tenant_token = "AAAAAAAAAAAAAAAAAAAAAtenant-app-token-for-e2e";
    x.add_token(tenant_token, TokenKind::App);
    let profile_token = x.user_token(seed::TWITTER_DEV);
    let operator = token_fingerprint(&x.app_token());
    let tenant = token_fingerprint(tenant_token);
    let profile = token_fingerprint(&profile_token);
    let next = FreshSpaces::from(0);
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, Some(&x)).await else {
            continue;
        };
        let t = server.tenant("acme");
        let p = server.profile(&t.key, "customer").await;
        // Whose token a lookup uses, as the tenant or as its profile.
        let seen = |as_profile: bool| {
            let (server, x, next, key) = (&server, &x, &next, t.key.clone());
            let pk = as_profile.then(|| p.key.clone());
            async move { fingerprint_of_lookup(server, x, next, &key, pk.as_deref()).await }
        };

        problem(
            server
                .get("/v1/networks/x/credentials", &t.key)
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;
        assert_eq!(seen(false).await, operator);
        assert_eq!(seen(true).await, operator);

        // The tenant's own token.
        let before = Utc::now() - Duration::seconds(5);
        let r = server
            .put("/v1/networks/twitter/credentials", &t.key)
            .json(&j!({"token": tenant_token}))
            .send()
            .await
            .unwrap();
        let text = r.text().await.unwrap();
        assert!(
            !text.contains(tenant_token),
            "the secret is never echoed: {text}"
        );
        let stored: Value = serde_json::from_str(&text).unwrap();
        let d = &stored["data"];
        assert_eq!(d["network"], "x");
        assert_eq!(d["scope"], "tenant");
        assert_eq!(d["profile_id"], Value::Null);
        assert!(time(&d["created_at"]) >= before);
        let got = json(
            server
                .get("/v1/networks/x/credentials", &t.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(got, stored);
        assert_eq!(seen(false).await, tenant);
        // A profile without its own falls back to the tenant's.
        assert_eq!(seen(true).await, tenant);

        // The profile's own token wins for the profile only.
        let r = server
            .put("/v1/networks/x/credentials", &t.key)
            .header("Profile-Key", &p.key)
            .json(&j!({"token": profile_token}))
            .send()
            .await
            .unwrap();
        let stored = json(r, 200).await;
        assert_eq!(stored["data"]["scope"], "profile");
        assert_eq!(stored["data"]["profile_id"], p.id);
        assert_eq!(seen(true).await, profile);
        assert_eq!(seen(false).await, tenant);
        let got = json(
            server
                .get("/v1/networks/x/credentials", &t.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(got["data"]["scope"], "tenant");

        // Replacing keeps the row and moves `updated_at`.
        let replaced = json(
            server
                .put("/v1/networks/x/credentials", &t.key)
                .json(&j!({"token": tenant_token}))
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert!(time(&replaced["data"]["updated_at"]) >= time(&replaced["data"]["created_at"]));

        // Deleting the tenant's: the tenant falls back to the operator, the profile keeps its own.
        let r = server
            .delete("/v1/networks/x/credentials", &t.key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        assert_eq!(seen(false).await, operator);
        assert_eq!(seen(true).await, profile);
        problem(
            server
                .delete("/v1/networks/x/credentials", &t.key)
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;
        let r = server
            .delete("/v1/networks/x/credentials", &t.key)
            .header("Profile-Key", &p.key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        assert_eq!(seen(true).await, operator);

        // Networks that take no credentials, unknown networks, and unusable tokens.
        for network in ["sandbox", "clubhouse"] {
            let p = problem(
                server
                    .put(&format!("/v1/networks/{network}/credentials"), &t.key)
                    .json(&j!({"token": "abc"}))
                    .send()
                    .await
                    .unwrap(),
                400,
                "credentials_not_accepted",
            )
            .await;
            assert!(!p["detail"].as_str().unwrap().is_empty());
            problem(
                server
                    .get(&format!("/v1/networks/{network}/credentials"), &t.key)
                    .send()
                    .await
                    .unwrap(),
                400,
                "credentials_not_accepted",
            )
            .await;
        }
        problem(
            server
                .put("/v1/networks/myspace/credentials", &t.key)
                .json(&j!({"token": "abc"}))
                .send()
                .await
                .unwrap(),
            404,
            "network_not_found",
        )
        .await;
        for body in [
            j!({"token": ""}),
            j!({"token": "has space"}),
            j!({"token": "ünïcödé"}),
            j!({"token": "a".repeat(5000)}),
        ] {
            let p = problem(
                server
                    .put("/v1/networks/x/credentials", &t.key)
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
                400,
                "invalid_body",
            )
            .await;
            assert_eq!(p["errors"][0]["field"], "token");
        }
        for body in [j!({}), j!({"token": 5}), j!({"token": "a", "extra": 1})] {
            problem(
                server
                    .put("/v1/networks/x/credentials", &t.key)
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
                400,
                "invalid_body",
            )
            .await;
        }
        // Nothing of that was stored.
        assert_eq!(seen(false).await, operator);
    }
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Link tokens: issued for at most 15 minutes; their page opens, escapes what the tenant
/// named the profile, and stores the credential the end user submits on the profile.
#[tokio::test]
async fn link_tokens_and_the_linking_page() {
    let x = FakeX::start().await;
    let user_token = x.user_token(seed::TWITTER_API);
    let next = FreshSpaces::from(0);
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, Some(&x)).await else {
            continue;
        };
        let t = server.tenant("acme");
        let hostile = "<script>alert(\"pwned\")</script> & 'friends'";
        let p = server.profile(&t.key, hostile).await;

        let issued_after = Utc::now() - Duration::seconds(2);
        let issued = json(
            server
                .post(&format!("/v1/profiles/{}/link-token", p.id), &t.key)
                .send()
                .await
                .unwrap(),
            201,
        )
        .await;
        let d = &issued["data"];
        let token = d["token"].as_str().unwrap();
        assert_eq!(d["url"], server.url(&format!("/link?token={token}")));
        let expires_at = time(&d["expires_at"]);
        assert!(expires_at > Utc::now(), "{expires_at}");
        assert!(
            expires_at <= issued_after + Duration::minutes(15) + Duration::seconds(5),
            "at most 15 minutes: {expires_at}"
        );
        let c = claims(token);
        assert_eq!(c["sub"], p.id);
        assert_eq!(c["tid"], t.id);
        assert_eq!(c["aud"], "onair-link");
        assert_eq!(c["iss"], server.base);
        assert_eq!(c["exp"], expires_at.timestamp());
        let second = json(
            server
                .post(&format!("/v1/profiles/{}/link-token", p.id), &t.key)
                .send()
                .await
                .unwrap(),
            201,
        )
        .await;
        assert_ne!(second["data"]["token"], d["token"], "each token is unique");

        // The page: HTML, safe headers, the hostile name escaped.
        let r = server
            .anonymous(
                Method::GET,
                d["url"].as_str().unwrap().trim_start_matches(&server.base),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let h = r.headers().clone();
        assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'none'")
        );
        let page = r.text().await.unwrap();
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains(hostile), "{page}");
        assert!(
            page.contains(
                "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#39;friends&#39;"
            ),
            "{page}"
        );
        assert!(page.contains("<form method=\"post\""), "{page}");
        assert!(page.contains("value=\"x\""), "X is offered: {page}");
        assert!(
            !page.contains("value=\"sandbox\""),
            "the sandbox takes no credentials"
        );

        // Submitting the form stores the profile's own credential.
        let submit = |pairs: Vec<(&'static str, String)>| {
            let server = &server;
            async move {
                let pairs: Vec<(&str, &str)> =
                    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                server
                    .anonymous(Method::POST, "/link")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form(&pairs))
                    .send()
                    .await
                    .unwrap()
            }
        };
        for (network, credential) in [
            ("sandbox", user_token.as_str()),
            ("x", "has spaces in it"),
            ("x", ""),
        ] {
            let r = submit(vec![
                ("token", token.to_owned()),
                ("network", network.to_owned()),
                ("credential", credential.to_owned()),
            ])
            .await;
            problem(r, 400, "invalid_body").await;
        }
        // Not a form, or too large a one.
        let r = server
            .anonymous(Method::POST, "/link")
            .json(&j!({"token": token, "network": "x", "credential": user_token}))
            .send()
            .await
            .unwrap();
        problem(r, 415, "unsupported_media_type").await;
        let r = server
            .anonymous(Method::POST, "/link")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("token", token),
                ("credential", &"a".repeat(70 * 1024)),
            ]))
            .send()
            .await
            .unwrap();
        problem(r, 413, "payload_too_large").await;
        let r = submit(vec![
            ("token", token.to_owned()),
            ("network", "x".to_owned()),
            ("credential", user_token.clone()),
        ])
        .await;
        assert_eq!(r.status(), 200);
        let page = r.text().await.unwrap();
        assert!(page.contains("connected"), "{page}");
        assert!(!page.contains("<script"), "{page}");
        let stored = json(
            server
                .get("/v1/networks/x/credentials", &t.key)
                .header("Profile-Key", &p.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(stored["data"]["scope"], "profile");
        assert_eq!(stored["data"]["profile_id"], p.id);
        // The token has done its job: it cannot store another credential.
        let replay = submit(vec![
            ("token", token.to_owned()),
            ("network", "x".to_owned()),
            ("credential", "AAAAAAAAAAAAAAAAAAAAAreplayed".to_owned()),
        ])
        .await;
        problem(replay, 401, "link_token_used").await;
        problem(
            server
                .get("/v1/networks/x/credentials", &t.key)
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;
        assert_eq!(
            fingerprint_of_lookup(&server, &x, &next, &t.key, Some(&p.key)).await,
            token_fingerprint(&user_token)
        );

        problem(
            server
                .post(
                    "/v1/profiles/prof_0193c5e0a1b27c3d8e9f001122334455/link-token",
                    &t.key,
                )
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;

        // Once the profile is deleted, its tokens open nothing.
        let r = server
            .delete(&format!("/v1/profiles/{}", p.id), &t.key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        problem(
            server
                .anonymous(Method::GET, &format!("/link?token={token}"))
                .send()
                .await
                .unwrap(),
            401,
            "invalid_link_token",
        )
        .await;
        let r = submit(vec![
            ("token", token.to_owned()),
            ("network", "x".to_owned()),
            ("credential", user_token.clone()),
        ])
        .await;
        problem(r, 401, "invalid_link_token").await;
    }
}
