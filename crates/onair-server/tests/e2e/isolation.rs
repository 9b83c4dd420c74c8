//! Cross-tenant isolation: tenant B naming tenant A's objects gets 404 (never 403, never the
//! data), A's `Profile-Key` under B's API key is a 401, and A's upstream credentials are
//! never used for B. The operations come from the served `/openapi.json`: a new `/v1`
//! operation fails this test until it has a case in [`CASES`].

use std::collections::BTreeSet;

use onair_testkit::fake_x::{Endpoint, FakeX, TokenKind, seed, token_fingerprint};
use serde_json::{Value, json as j};

use crate::support::{
    BACKENDS, FreshSpaces, Profile, Server, Tenant, json, openapi_operations, problem,
};

/// Every `/v1` operation, and how B tries to reach A's objects through it.
const CASES: &[(&str, &str, &str)] = &[
    ("GET", "/v1/api-keys", "B's list holds none of A's keys"),
    ("POST", "/v1/api-keys", "a key B creates is invisible to A"),
    ("GET", "/v1/api-keys/{id}", "B reads A's key id: 404"),
    (
        "DELETE",
        "/v1/api-keys/{id}",
        "B revokes A's key id: 404, A's key still works",
    ),
    ("GET", "/v1/profiles", "B's list holds none of A's profiles"),
    (
        "POST",
        "/v1/profiles",
        "a profile B creates is invisible to A",
    ),
    ("GET", "/v1/profiles/{id}", "B reads A's profile id: 404"),
    (
        "DELETE",
        "/v1/profiles/{id}",
        "B deletes A's profile id: 404, A's profile intact",
    ),
    (
        "POST",
        "/v1/profiles/{id}/link-token",
        "B asks a link token for A's profile: 404",
    ),
    (
        "GET",
        "/v1/networks",
        "B does not see A's credentials; A's Profile-Key: 401",
    ),
    (
        "GET",
        "/v1/networks/{network}/credentials",
        "B reads credentials A stored: 404",
    ),
    (
        "PUT",
        "/v1/networks/{network}/credentials",
        "B writes with A's Profile-Key: 401; B's own leave A's alone",
    ),
    (
        "DELETE",
        "/v1/networks/{network}/credentials",
        "B deletes credentials A stored: 404, they stay",
    ),
    (
        "GET",
        "/v1/spaces/{network}/{id}",
        "B's lookup never uses A's token; A's Profile-Key: 401",
    ),
    (
        "GET",
        "/v1/spaces",
        "B's lookups never use A's token; A's Profile-Key: 401",
    ),
    (
        "GET",
        "/v1/spaces/by-creator",
        "B's listing never uses A's token; A's Profile-Key: 401",
    ),
    (
        "GET",
        "/v1/spaces/search",
        "B's search never uses A's token; A's Profile-Key: 401",
    ),
];

const A_KEY_NAME: &str = "acme-secret-key-name";
const A_PROFILE_NAME: &str = "acme-secret-profile-name";

struct World<'x> {
    server: Server,
    x: &'x FakeX,
    a: Tenant,
    b: Tenant,
    /// A second key of A, named [`A_KEY_NAME`].
    a_key_id: String,
    a_key: String,
    /// A's profile, named [`A_PROFILE_NAME`], with its own X token.
    pa: Profile,
    a_fingerprint: String,
    pa_fingerprint: String,
    operator: String,
    fresh: FreshSpaces,
}

impl World<'_> {
    /// B's request, optionally carrying A's Profile-Key.
    fn b(&self, method: &str, path: &str, a_profile_key: bool) -> reqwest::RequestBuilder {
        let r = self
            .server
            .client
            .request(method.parse().unwrap(), self.server.url(path))
            .bearer_auth(&self.b.key);
        if a_profile_key {
            r.header("Profile-Key", &self.pa.key)
        } else {
            r
        }
    }

    /// A 404 that reveals nothing of A's object.
    async fn not_found(&self, response: reqwest::Response) {
        let body = problem(response, 404, "not_found").await;
        let text = body.to_string();
        for secret in [A_KEY_NAME, A_PROFILE_NAME, &self.a.id] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    async fn refused_profile_key(&self, response: reqwest::Response) {
        problem(response, 401, "invalid_profile_key").await;
    }

    fn fresh_space(&self) -> String {
        self.fresh.next()
    }

    /// The bearer fingerprints of the fake's calls since `from`.
    fn fingerprints_since(&self, from: usize, endpoint: Endpoint) -> BTreeSet<String> {
        self.x.calls()[from..]
            .iter()
            .filter(|c| c.endpoint == Some(endpoint))
            .map(|c| c.bearer_fingerprint.clone().unwrap())
            .collect()
    }

    /// A's own view of its credentials, unchanged by anything B did.
    async fn a_credentials_intact(&self) {
        let tenant = json(
            self.server
                .get("/v1/networks/x/credentials", &self.a.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(tenant["data"]["scope"], "tenant");
        let profile = json(
            self.server
                .get("/v1/networks/x/credentials", &self.a.key)
                .header("Profile-Key", &self.pa.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(profile["data"]["scope"], "profile");
        let id = self.fresh_space();
        let from = self.x.calls().len();
        json(
            self.server
                .get(&format!("/v1/spaces/x/{id}"), &self.a.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(
            self.fingerprints_since(from, Endpoint::SpacesByIds),
            BTreeSet::from([self.a_fingerprint.clone()])
        );
    }

    async fn a_objects_intact(&self) {
        json(
            self.server
                .get(&format!("/v1/profiles/{}", self.pa.id), &self.a.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        json(
            self.server
                .get("/v1/networks", &self.a.key)
                .header("Profile-Key", &self.pa.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        json(
            self.server
                .get("/v1/networks", &self.a_key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
    }

    async fn exercise(&self, method: &str, path: &str) {
        let a_key_path = format!("/v1/api-keys/{}", self.a_key_id);
        let a_profile_path = format!("/v1/profiles/{}", self.pa.id);
        match (method, path) {
            ("GET", "/v1/api-keys") => {
                let list = json(self.b("GET", path, false).send().await.unwrap(), 200).await;
                let ids: BTreeSet<&str> = list["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k["id"].as_str().unwrap())
                    .collect();
                assert_eq!(ids, BTreeSet::from([self.b.key_id.as_str()]), "{list}");
                self.refused_profile_key(self.b("GET", path, true).send().await.unwrap())
                    .await;
            }
            ("POST", "/v1/api-keys") => {
                let created = json(self.b("POST", path, false).send().await.unwrap(), 201).await;
                let id = created["data"]["id"].as_str().unwrap();
                self.not_found(
                    self.server
                        .get(&format!("/v1/api-keys/{id}"), &self.a.key)
                        .send()
                        .await
                        .unwrap(),
                )
                .await;
                let list = json(
                    self.server
                        .get("/v1/api-keys", &self.a.key)
                        .send()
                        .await
                        .unwrap(),
                    200,
                )
                .await;
                assert!(!list.to_string().contains(id), "{list}");
                self.refused_profile_key(self.b("POST", path, true).send().await.unwrap())
                    .await;
            }
            ("GET", "/v1/api-keys/{id}") => {
                self.not_found(self.b("GET", &a_key_path, false).send().await.unwrap())
                    .await;
                self.refused_profile_key(self.b("GET", &a_key_path, true).send().await.unwrap())
                    .await;
            }
            ("DELETE", "/v1/api-keys/{id}") => {
                self.not_found(self.b("DELETE", &a_key_path, false).send().await.unwrap())
                    .await;
                self.refused_profile_key(self.b("DELETE", &a_key_path, true).send().await.unwrap())
                    .await;
                let key = json(
                    self.server
                        .get(&a_key_path, &self.a.key)
                        .send()
                        .await
                        .unwrap(),
                    200,
                )
                .await;
                assert_eq!(key["data"]["revoked_at"], Value::Null);
                self.a_objects_intact().await;
            }
            ("GET", "/v1/profiles") => {
                let list = json(self.b("GET", path, false).send().await.unwrap(), 200).await;
                assert!(!list.to_string().contains(&self.pa.id), "{list}");
                assert!(!list.to_string().contains(A_PROFILE_NAME), "{list}");
                self.refused_profile_key(self.b("GET", path, true).send().await.unwrap())
                    .await;
            }
            ("POST", "/v1/profiles") => {
                let created = json(
                    self.b("POST", path, false)
                        .json(&j!({"name": "b-made"}))
                        .send()
                        .await
                        .unwrap(),
                    201,
                )
                .await;
                let id = created["data"]["id"].as_str().unwrap();
                self.not_found(
                    self.server
                        .get(&format!("/v1/profiles/{id}"), &self.a.key)
                        .send()
                        .await
                        .unwrap(),
                )
                .await;
                // Its key does not work under A's API key either.
                let pk = created["data"]["profile_key"].as_str().unwrap();
                problem(
                    self.server
                        .get("/v1/networks", &self.a.key)
                        .header("Profile-Key", pk)
                        .send()
                        .await
                        .unwrap(),
                    401,
                    "invalid_profile_key",
                )
                .await;
                self.refused_profile_key(
                    self.b("POST", path, true)
                        .json(&j!({"name": "x"}))
                        .send()
                        .await
                        .unwrap(),
                )
                .await;
            }
            ("GET", "/v1/profiles/{id}") => {
                self.not_found(self.b("GET", &a_profile_path, false).send().await.unwrap())
                    .await;
                self.refused_profile_key(
                    self.b("GET", &a_profile_path, true).send().await.unwrap(),
                )
                .await;
            }
            ("DELETE", "/v1/profiles/{id}") => {
                self.not_found(
                    self.b("DELETE", &a_profile_path, false)
                        .send()
                        .await
                        .unwrap(),
                )
                .await;
                self.refused_profile_key(
                    self.b("DELETE", &a_profile_path, true)
                        .send()
                        .await
                        .unwrap(),
                )
                .await;
                self.a_objects_intact().await;
                self.a_credentials_intact().await;
            }
            ("POST", "/v1/profiles/{id}/link-token") => {
                let p = format!("{a_profile_path}/link-token");
                let r = self.b("POST", &p, false).send().await.unwrap();
                self.not_found(r).await;
                self.refused_profile_key(self.b("POST", &p, true).send().await.unwrap())
                    .await;
            }
            ("GET", "/v1/networks") => {
                let list = json(self.b("GET", path, false).send().await.unwrap(), 200).await;
                let x = list["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|n| n["id"] == "x")
                    .unwrap();
                assert_eq!(x["credentials"], "operator", "{x}");
                self.refused_profile_key(self.b("GET", path, true).send().await.unwrap())
                    .await;
            }
            ("GET", "/v1/networks/{network}/credentials") => {
                let p = path.replace("{network}", "x");
                self.not_found(self.b("GET", &p, false).send().await.unwrap())
                    .await;
                self.refused_profile_key(self.b("GET", &p, true).send().await.unwrap())
                    .await;
            }
            ("PUT", "/v1/networks/{network}/credentials") => {
                let p = path.replace("{network}", "x");
                let body = j!({"token": self.x.app_token()});
                self.refused_profile_key(self.b("PUT", &p, true).json(&body).send().await.unwrap())
                    .await;
                // B's own credentials are B's alone.
                let stored = json(
                    self.b("PUT", &p, false).json(&body).send().await.unwrap(),
                    200,
                )
                .await;
                assert_eq!(stored["data"]["scope"], "tenant");
                self.a_credentials_intact().await;
                let r = self.b("DELETE", &p, false).send().await.unwrap();
                assert_eq!(r.status(), 204);
                self.a_credentials_intact().await;
            }
            ("DELETE", "/v1/networks/{network}/credentials") => {
                let p = path.replace("{network}", "x");
                self.not_found(self.b("DELETE", &p, false).send().await.unwrap())
                    .await;
                self.refused_profile_key(self.b("DELETE", &p, true).send().await.unwrap())
                    .await;
                self.a_credentials_intact().await;
            }
            ("GET", "/v1/spaces/{network}/{id}") => {
                let p = format!("/v1/spaces/x/{}", self.fresh_space());
                self.refused_profile_key(self.b("GET", &p, true).send().await.unwrap())
                    .await;
                let from = self.x.calls().len();
                json(self.b("GET", &p, false).send().await.unwrap(), 200).await;
                assert_eq!(
                    self.fingerprints_since(from, Endpoint::SpacesByIds),
                    BTreeSet::from([self.operator.clone()])
                );
            }
            ("GET", "/v1/spaces") => {
                let p = format!(
                    "/v1/spaces?ids=x:{},x:{}",
                    self.fresh_space(),
                    self.fresh_space()
                );
                self.refused_profile_key(self.b("GET", &p, true).send().await.unwrap())
                    .await;
                let from = self.x.calls().len();
                let body = json(self.b("GET", &p, false).send().await.unwrap(), 200).await;
                assert_eq!(body["data"].as_array().unwrap().len(), 2, "{body}");
                assert_eq!(
                    self.fingerprints_since(from, Endpoint::SpacesByIds),
                    BTreeSet::from([self.operator.clone()])
                );
            }
            ("GET", "/v1/spaces/by-creator") => {
                let p = format!("/v1/spaces/by-creator?creator_ids=x:{}", seed::TWITTER_API);
                self.refused_profile_key(self.b("GET", &p, true).send().await.unwrap())
                    .await;
                let from = self.x.calls().len();
                json(self.b("GET", &p, false).send().await.unwrap(), 200).await;
                assert_eq!(
                    self.fingerprints_since(from, Endpoint::ByCreatorIds),
                    BTreeSet::from([self.operator.clone()])
                );
            }
            ("GET", "/v1/spaces/search") => {
                let p = "/v1/spaces/search?query=roundup&networks=x";
                self.refused_profile_key(self.b("GET", p, true).send().await.unwrap())
                    .await;
                let from = self.x.calls().len();
                json(self.b("GET", p, false).send().await.unwrap(), 200).await;
                assert_eq!(
                    self.fingerprints_since(from, Endpoint::Search),
                    BTreeSet::from([self.operator.clone()])
                );
            }
            other => panic!("no cross-tenant case for {other:?}: add one to CASES and exercise()"),
        }
    }
}

#[tokio::test]
async fn tenants_never_reach_each_others_objects() {
    let x = FakeX::start().await;
    let a_token = "AAAAAAAAAAAAAAAAAAAAAacme-own-app-token";
    x.add_token(a_token, TokenKind::App);
    let pa_token = x.user_token(seed::TWITTER_DEV);
    for (n, backend) in BACKENDS.into_iter().enumerate() {
        let Some(server) = Server::start(backend, Some(&x)).await else {
            continue;
        };
        let a = server.tenant("acme");
        let b = server.tenant("globex");
        let created = json(
            server
                .post("/v1/api-keys", &a.key)
                .json(&j!({"name": A_KEY_NAME}))
                .send()
                .await
                .unwrap(),
            201,
        )
        .await;
        let pa = server.profile(&a.key, A_PROFILE_NAME).await;
        server.store_x_token(&a.key, None, a_token).await;
        server.store_x_token(&a.key, Some(&pa.key), &pa_token).await;
        server.profile(&b.key, "globex-customer").await;
        let world = World {
            a_key_id: created["data"]["id"].as_str().unwrap().to_owned(),
            a_key: created["data"]["key"].as_str().unwrap().to_owned(),
            a_fingerprint: token_fingerprint(a_token),
            pa_fingerprint: token_fingerprint(&pa_token),
            operator: token_fingerprint(&x.app_token()),
            fresh: FreshSpaces::from(n * 50),
            server,
            x: &x,
            a,
            b,
            pa,
        };

        let documented: BTreeSet<(String, String)> = openapi_operations(&world.server)
            .await
            .into_iter()
            .filter(|(_, path)| path.starts_with("/v1/"))
            .collect();
        let covered: BTreeSet<(String, String)> = CASES
            .iter()
            .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        let missing: Vec<_> = documented.difference(&covered).collect();
        assert!(
            missing.is_empty(),
            "/v1 operations without a cross-tenant case: {missing:?}"
        );
        let stale: Vec<_> = covered.difference(&documented).collect();
        assert!(
            stale.is_empty(),
            "cases for operations that no longer exist: {stale:?}"
        );

        // A's profile really uses its own token (the baseline the cases compare against).
        let id = world.fresh_space();
        let from = world.x.calls().len();
        json(
            world
                .server
                .get(&format!("/v1/spaces/x/{id}"), &world.a.key)
                .header("Profile-Key", &world.pa.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(
            world.fingerprints_since(from, Endpoint::SpacesByIds),
            BTreeSet::from([world.pa_fingerprint.clone()])
        );

        for (method, path, what) in CASES {
            eprintln!("{backend:?}: {method} {path}: {what}");
            world.exercise(method, path).await;
        }
        world.a_objects_intact().await;
        world.a_credentials_intact().await;
    }
}
