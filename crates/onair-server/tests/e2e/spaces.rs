//! `/v1/spaces`: one Space, many by id, by creator, and search, on X (the fake) and the
//! sandbox. Expected values come from the fake's own records and the sandbox's catalogue.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use onair_provider_sandbox::SandboxProvider;
use onair_testkit::fake_x::{Endpoint, FakeX, Fault, FaultKind, SpaceState, seed};
use serde_json::Value;

use crate::support::{BACKENDS, Server, json, problem};

/// The property names of a schema in the served spec.
async fn schema_keys(server: &Server, schema: &str) -> BTreeSet<String> {
    let spec = json(
        server
            .client
            .get(server.url("/openapi.json"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let props = spec["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("no schema {schema}"));
    props.keys().cloned().collect()
}

struct Shapes {
    space: BTreeSet<String>,
    user: BTreeSet<String>,
}

impl Shapes {
    async fn of(server: &Server) -> Self {
        Self {
            space: schema_keys(server, "SpaceDto").await,
            user: schema_keys(server, "UserDto").await,
        }
    }

    /// Every documented field is present (absent values are null or []), and no other.
    fn check(&self, space: &Value) {
        let keys: BTreeSet<String> = space.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, self.space, "{space}");
        for documented in [
            "id",
            "network",
            "network_id",
            "state",
            "title",
            "creator_id",
            "host_ids",
            "speaker_ids",
            "participant_count",
            "subscriber_count",
            "lang",
            "is_ticketed",
            "scheduled_start",
            "started_at",
            "ended_at",
            "created_at",
            "updated_at",
            "url",
            "creator",
            "hosts",
            "speakers",
        ] {
            assert!(keys.contains(documented), "`{documented}` missing: {space}");
        }
        for list in [
            "host_ids",
            "speaker_ids",
            "invited_user_ids",
            "topic_ids",
            "hosts",
            "speakers",
        ] {
            assert!(space[list].is_array(), "`{list}` is not a list: {space}");
        }
        let users = space["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .chain(space["speakers"].as_array().unwrap())
            .chain(space["creator"].as_object().map(|_| &space["creator"]));
        for user in users {
            let keys: BTreeSet<String> = user.as_object().unwrap().keys().cloned().collect();
            assert_eq!(keys, self.user, "{user}");
        }
        // Qualified ids everywhere.
        let network = space["network"].as_str().unwrap();
        let prefix = format!("{network}:");
        assert_eq!(
            space["id"].as_str().unwrap(),
            format!("{prefix}{}", space["network_id"].as_str().unwrap())
        );
        let ids = space["host_ids"]
            .as_array()
            .unwrap()
            .iter()
            .chain(space["speaker_ids"].as_array().unwrap())
            .chain(space["invited_user_ids"].as_array().unwrap())
            .chain(std::iter::once(&space["creator_id"]).filter(|c| !c.is_null()));
        for id in ids {
            assert!(id.as_str().unwrap().starts_with(&prefix), "{id} in {space}");
        }
    }
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str().map(|s| s.parse().unwrap())
}

fn qualified(ids: &[String]) -> Value {
    ids.iter().map(|i| format!("x:{i}")).collect()
}

/// The expanded user the fake would give for `id`, or nothing when it has no record.
fn x_user(x: &FakeX, id: &str) -> Option<Value> {
    x.user(id).map(|u| {
        serde_json::json!({"id": format!("x:{id}"), "network_id": id, "username": u.username, "name": u.name})
    })
}

/// Compares an X Space answered by onair with the fake's record of it, field by field.
/// The operator's app token does not see `subscriber_count` (only the creator's own does).
fn assert_x_space(x: &FakeX, got: &Value) {
    let id = got["network_id"].as_str().unwrap();
    let s = x
        .space(id)
        .unwrap_or_else(|| panic!("the fake has no {id}"));
    assert_eq!(got["id"], format!("x:{id}"));
    assert_eq!(got["network"], "x");
    assert_eq!(got["state"], s.state.as_str(), "{got}");
    // Byte-exact titles: no normalisation, no escaping.
    assert_eq!(got["title"].as_str(), s.title.as_deref(), "{got}");
    assert_eq!(
        got["creator_id"].as_str(),
        s.creator_id.as_ref().map(|c| format!("x:{c}")).as_deref()
    );
    assert_eq!(got["host_ids"], qualified(&s.host_ids), "{got}");
    assert_eq!(got["speaker_ids"], qualified(&s.speaker_ids), "{got}");
    assert_eq!(
        got["invited_user_ids"],
        qualified(&s.invited_user_ids),
        "{got}"
    );
    assert_eq!(got["topic_ids"], serde_json::json!(s.topic_ids), "{got}");
    assert_eq!(
        got["participant_count"].as_u64(),
        s.participant_count.map(u64::from),
        "{got}"
    );
    assert_eq!(got["subscriber_count"], Value::Null, "{got}");
    assert_eq!(got["lang"].as_str(), s.lang.as_deref());
    assert_eq!(got["is_ticketed"].as_bool(), s.is_ticketed);
    assert_eq!(time(&got["scheduled_start"]), s.scheduled_start, "{got}");
    assert_eq!(time(&got["started_at"]), s.started_at, "{got}");
    assert_eq!(time(&got["ended_at"]), s.ended_at, "{got}");
    assert_eq!(time(&got["created_at"]), s.created_at, "{got}");
    assert_eq!(time(&got["updated_at"]), s.updated_at, "{got}");
    assert_eq!(got["url"], format!("https://x.com/i/spaces/{id}"));
    let creator = s.creator_id.as_deref().and_then(|c| x_user(x, c));
    assert_eq!(got["creator"], creator.unwrap_or(Value::Null), "{got}");
    let expanded = |ids: &[String]| -> Value { ids.iter().filter_map(|i| x_user(x, i)).collect() };
    assert_eq!(got["hosts"], expanded(&s.host_ids), "{got}");
    assert_eq!(got["speakers"], expanded(&s.speaker_ids), "{got}");
}

/// Compares a sandbox Space with the catalogue (times only by presence: the catalogue is
/// anchored to the hour the server started).
fn assert_sandbox_space(got: &Value) {
    let sandbox = SandboxProvider::new();
    let id = got["network_id"].as_str().unwrap();
    let s = sandbox
        .spaces()
        .iter()
        .find(|s| s.native_id == id)
        .unwrap_or_else(|| panic!("no sandbox Space {id}"));
    assert_eq!(got["id"], format!("sandbox:{id}"));
    assert_eq!(got["network"], "sandbox");
    assert_eq!(got["state"], s.state.to_string());
    assert_eq!(got["title"].as_str(), s.title.as_deref());
    assert_eq!(
        got["creator_id"].as_str(),
        s.creator_id
            .as_ref()
            .map(|c| format!("sandbox:{c}"))
            .as_deref()
    );
    let q = |ids: &[String]| -> Value { ids.iter().map(|i| format!("sandbox:{i}")).collect() };
    assert_eq!(got["host_ids"], q(&s.host_ids));
    assert_eq!(got["speaker_ids"], q(&s.speaker_ids));
    assert_eq!(got["participant_count"].as_u64(), s.participant_count);
    assert_eq!(got["is_ticketed"].as_bool(), s.is_ticketed);
    assert_eq!(got["lang"].as_str(), s.lang.as_deref());
    for (field, present) in [
        ("scheduled_start", s.scheduled_start.is_some()),
        ("started_at", s.started_at.is_some()),
        ("ended_at", s.ended_at.is_some()),
    ] {
        assert_eq!(!got[field].is_null(), present, "{field}: {got}");
    }
    let user = |u: &onair_core::User| {
        serde_json::json!({"id": format!("sandbox:{}", u.native_id), "network_id": u.native_id,
            "username": u.username, "name": u.name})
    };
    assert_eq!(got["creator"], s.creator.as_ref().map_or(Value::Null, user));
    assert_eq!(got["hosts"], s.hosts.iter().map(user).collect::<Value>());
    assert_eq!(
        got["speakers"],
        s.speakers.iter().map(user).collect::<Value>()
    );
}

#[tokio::test]
async fn one_space_on_x_and_the_sandbox() {
    let x = FakeX::start().await;
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, Some(&x)).await else {
            continue;
        };
        let shapes = Shapes::of(&server).await;
        let t = server.tenant("acme");
        let mut states = HashSet::new();
        for id in seed::HAND_WRITTEN_SPACES {
            let r = server
                .get(&format!("/v1/spaces/x/{id}"), &t.key)
                .send()
                .await
                .unwrap();
            let raw = r.bytes().await.unwrap();
            let body: Value = serde_json::from_slice(&raw).unwrap();
            let space = &body["data"];
            shapes.check(space);
            assert_x_space(&x, space);
            states.insert(space["state"].as_str().unwrap().to_owned());
            // Titles travel as their own UTF-8 bytes, not as escapes.
            if let Some(title) = x.space(id).unwrap().title {
                let title_json = serde_json::to_string(&title).unwrap();
                assert!(
                    raw.windows(title_json.len())
                        .any(|w| w == title_json.as_bytes()),
                    "{title:?} is not in the body byte for byte"
                );
            }
        }
        assert_eq!(states.len(), 4, "every state: {states:?}");
        for (id, title) in [
            (seed::EMOJI_SPACE, seed::EMOJI_TITLE),
            (seed::CJK_SPACE, seed::CJK_TITLE),
            (seed::RTL_SPACE, seed::RTL_TITLE),
            (seed::COMBINING_SPACE, seed::COMBINING_TITLE),
        ] {
            let body = json(
                server
                    .get(&format!("/v1/spaces/x/{id}"), &t.key)
                    .send()
                    .await
                    .unwrap(),
                200,
            )
            .await;
            assert_eq!(
                body["data"]["title"].as_str().unwrap().as_bytes(),
                title.as_bytes()
            );
        }
        // A Space with nothing but id and state: every other field null or [].
        let bare = json(
            server
                .get(&format!("/v1/spaces/x/{}", seed::BARE_SPACE), &t.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        for (k, v) in bare["data"].as_object().unwrap() {
            match k.as_str() {
                "id" | "network" | "network_id" | "state" | "url" => assert!(v.is_string()),
                _ => assert!(
                    v.is_null() || v.as_array().is_some_and(Vec::is_empty),
                    "{k}: {v}"
                ),
            }
        }
        // A creator without a user record: no expanded creator, the other users still there.
        let orphan = json(
            server
                .get(&format!("/v1/spaces/x/{}", seed::ORPHAN_SPACE), &t.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(orphan["data"]["creator"], Value::Null);
        assert_eq!(
            orphan["data"]["hosts"][0]["id"],
            format!("x:{}", seed::TWITTER_DEV)
        );

        // The `twitter` alias (any case) answers with `x` ids.
        for network in ["twitter", "TWITTER", "X"] {
            let body = json(
                server
                    .get(
                        &format!("/v1/spaces/{network}/{}", seed::LIVE_SPACE),
                        &t.key,
                    )
                    .send()
                    .await
                    .unwrap(),
                200,
            )
            .await;
            assert_eq!(
                body["data"]["id"],
                format!("x:{}", seed::LIVE_SPACE),
                "{network}"
            );
            assert_eq!(body["data"]["network"], "x");
        }
        let missing = problem(
            server
                .get(&format!("/v1/spaces/x/{}", seed::MISSING_SPACE), &t.key)
                .send()
                .await
                .unwrap(),
            404,
            "space_not_found",
        )
        .await;
        assert!(
            missing["detail"]
                .as_str()
                .unwrap()
                .contains(seed::MISSING_SPACE),
            "{missing}"
        );
        problem(
            server
                .get("/v1/spaces/myspace/abc", &t.key)
                .send()
                .await
                .unwrap(),
            404,
            "network_not_found",
        )
        .await;
        problem(
            server
                .get("/v1/spaces/clubhouse/abc", &t.key)
                .send()
                .await
                .unwrap(),
            422,
            "network_unsupported",
        )
        .await;

        // The sandbox: every state, and its failing ids.
        let sandbox = SandboxProvider::new();
        let mut states = HashSet::new();
        for s in sandbox.spaces() {
            let body = json(
                server
                    .get(&format!("/v1/spaces/sandbox/{}", s.native_id), &t.key)
                    .send()
                    .await
                    .unwrap(),
                200,
            )
            .await;
            shapes.check(&body["data"]);
            assert_sandbox_space(&body["data"]);
            states.insert(s.state.to_string());
        }
        assert_eq!(states.len(), 4, "{states:?}");
        problem(
            server
                .get("/v1/spaces/sandbox/nope", &t.key)
                .send()
                .await
                .unwrap(),
            404,
            "space_not_found",
        )
        .await;
        for (id, status, code) in [
            ("error-unavailable", 502, "upstream_unavailable"),
            ("error-timeout", 504, "upstream_timeout"),
            ("error-unauthorized", 502, "upstream_unauthorized"),
            ("error-rate-limited", 503, "upstream_rate_limited"),
        ] {
            let r = server
                .get(&format!("/v1/spaces/sandbox/{id}"), &t.key)
                .send()
                .await
                .unwrap();
            let retry_after = r.headers().get("retry-after").cloned();
            problem(r, status, code).await;
            if status == 503 {
                let secs: u64 = retry_after.unwrap().to_str().unwrap().parse().unwrap();
                assert!((1..=61).contains(&secs), "{secs}");
            }
        }
    }
}

#[tokio::test]
async fn spaces_by_ids() {
    let x = FakeX::start().await;
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, Some(&x)).await else {
            continue;
        };
        let shapes = Shapes::of(&server).await;
        let t = server.tenant("acme");
        x.reset_calls();
        let asked = [
            format!("x:{}", seed::LIVE_SPACE),
            "sandbox:live-jazz".to_owned(),
            format!("twitter:{}", seed::SCHEDULED_SPACE),
            format!("x:{}", seed::MISSING_SPACE),
            "sandbox:nope".to_owned(),
            format!("x:{}", seed::LIVE_SPACE),
            "sandbox:error-unavailable".to_owned(),
            "clubhouse:abc".to_owned(),
            format!("x:{}", seed::ENDED_SPACE),
        ];
        let body = json(
            server
                .get(&format!("/v1/spaces?ids={}", asked.join(",")), &t.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        let ids: Vec<&str> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        let live = format!("x:{}", seed::LIVE_SPACE);
        let scheduled = format!("x:{}", seed::SCHEDULED_SPACE);
        let ended = format!("x:{}", seed::ENDED_SPACE);
        assert_eq!(
            ids,
            [&live, "sandbox:live-jazz", &scheduled, &live, &ended],
            "request order kept, repeats answered where asked"
        );
        for s in body["data"].as_array().unwrap() {
            shapes.check(s);
            if s["network"] == "x" {
                assert_x_space(&x, s);
            } else {
                assert_sandbox_space(s);
            }
        }
        let errors = body["errors"].as_array().unwrap();
        let expected = [
            (format!("x:{}", seed::MISSING_SPACE), 404, "space_not_found"),
            ("sandbox:nope".to_owned(), 404, "space_not_found"),
            (
                "sandbox:error-unavailable".to_owned(),
                502,
                "upstream_unavailable",
            ),
            ("clubhouse:abc".to_owned(), 422, "network_unsupported"),
        ];
        assert_eq!(errors.len(), expected.len(), "{body}");
        for (e, (id, status, code)) in errors.iter().zip(&expected) {
            let keys: BTreeSet<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from(["id", "status", "code", "title", "detail"]),
                "{e}"
            );
            assert_eq!(e["id"], *id);
            assert_eq!(e["status"], *status, "{e}");
            assert_eq!(e["code"], *code, "{e}");
            assert!(!e["title"].as_str().unwrap().is_empty());
            assert!(!e["detail"].as_str().unwrap().is_empty());
        }
        // X was asked for each distinct id once, in batch calls.
        let calls = x.calls();
        assert!(
            calls
                .iter()
                .all(|c| c.endpoint == Some(Endpoint::SpacesByIds)),
            "{calls:?}"
        );
        let mut sent: Vec<String> = calls
            .iter()
            .flat_map(|c| {
                c.param("ids")
                    .unwrap()
                    .split(',')
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
        sent.sort();
        let mut distinct = vec![
            seed::LIVE_SPACE.to_owned(),
            seed::SCHEDULED_SPACE.to_owned(),
            seed::MISSING_SPACE.to_owned(),
            seed::ENDED_SPACE.to_owned(),
        ];
        distinct.sort();
        assert_eq!(sent, distinct);

        // Only unanswerable ids: 200 with everything in `errors`.
        let body = json(
            server
                .get(&format!("/v1/spaces?ids=x:{}", seed::MISSING_SPACE), &t.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(body["data"], serde_json::json!([]));
        assert_eq!(body["errors"][0]["code"], "space_not_found");

        // 100 ids are fine; 101 are refused before any upstream call.
        let hundred: Vec<String> = seed::all_space_ids()
            .into_iter()
            .take(100)
            .map(|i| format!("x:{i}"))
            .collect();
        let body = json(
            server
                .get(&format!("/v1/spaces?ids={}", hundred.join(",")), &t.key)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        let got: Vec<String> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(got, hundred, "{}", body["errors"]);
        let calls = x.call_count();
        let mut many = hundred.clone();
        many.push("sandbox:live-jazz".to_owned());
        let p = problem(
            server
                .get(&format!("/v1/spaces?ids={}", many.join(",")), &t.key)
                .send()
                .await
                .unwrap(),
            400,
            "too_many_ids",
        )
        .await;
        assert!(p["detail"].as_str().unwrap().contains("101"), "{p}");
        assert_eq!(x.call_count(), calls);

        // Malformed ids fail the request, each one named.
        let p = problem(
            server
                .get(
                    &format!(
                        "/v1/spaces?ids=x:{},x:not*valid,sandbox:Bad,x:",
                        seed::LIVE_SPACE
                    ),
                    &t.key,
                )
                .send()
                .await
                .unwrap(),
            400,
            "invalid_id",
        )
        .await;
        let values: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                assert_eq!(e["field"], "ids");
                e["value"].as_str().unwrap()
            })
            .collect();
        assert_eq!(values, ["x:not*valid", "sandbox:Bad", "x:"]);
        assert_eq!(x.call_count(), calls);
    }
}

#[tokio::test]
async fn spaces_by_creator() {
    let x = FakeX::start().await;
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, Some(&x)).await else {
            continue;
        };
        let shapes = Shapes::of(&server).await;
        let t = server.tenant("acme");
        let creators = [
            format!("x:{}", seed::TWITTER_DEV),
            "sandbox:alice".to_owned(),
            "clubhouse:someone".to_owned(),
            format!("twitter:{}", seed::TWITTER_SPACES),
            format!("x:{}", seed::MISSING_USER),
        ];
        let body = json(
            server
                .get(
                    &format!("/v1/spaces/by-creator?creator_ids={}", creators.join(",")),
                    &t.key,
                )
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        for s in body["data"].as_array().unwrap() {
            shapes.check(s);
            assert!(
                s["state"] == "live" || s["state"] == "scheduled",
                "only live and scheduled: {s}"
            );
        }
        let got_x: BTreeSet<String> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["network"] == "x")
            .inspect(|s| assert_x_space(&x, s))
            .map(|s| s["network_id"].as_str().unwrap().to_owned())
            .collect();
        let want_x: BTreeSet<String> = seed::all_space_ids()
            .into_iter()
            .filter(|id| {
                let s = x.space(id).unwrap();
                matches!(s.state, SpaceState::Live | SpaceState::Scheduled)
                    && [seed::TWITTER_DEV, seed::TWITTER_SPACES, seed::MISSING_USER]
                        .contains(&s.creator_id.as_deref().unwrap_or_default())
            })
            .collect();
        assert!(want_x.contains(seed::LIVE_SPACE) && !want_x.contains(seed::ENDED_SPACE));
        assert_eq!(got_x, want_x);
        let got_sandbox: BTreeSet<String> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["network"] == "sandbox")
            .inspect(|s| assert_sandbox_space(s))
            .map(|s| s["network_id"].as_str().unwrap().to_owned())
            .collect();
        let want_sandbox: BTreeSet<String> = SandboxProvider::new()
            .spaces()
            .iter()
            .filter(|s| s.creator_id.as_deref() == Some("alice") && !s.state.is_final())
            .map(|s| s.native_id.clone())
            .collect();
        assert!(!want_sandbox.is_empty());
        assert_eq!(got_sandbox, want_sandbox);
        let errors = body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{body}");
        assert_eq!(errors[0]["network"], "clubhouse");
        assert_eq!(errors[0]["status"], 422);
        assert_eq!(errors[0]["code"], "network_unsupported");
        assert!(
            errors[0]["detail"]
                .as_str()
                .unwrap()
                .contains("no public API")
        );
        assert!(errors[0].get("id").is_none(), "{}", errors[0]);

        problem(
            server
                .get("/v1/spaces/by-creator?creator_ids=x:abc", &t.key)
                .send()
                .await
                .unwrap(),
            400,
            "invalid_id",
        )
        .await;
        problem(
            server
                .get("/v1/spaces/by-creator", &t.key)
                .send()
                .await
                .unwrap(),
            400,
            "invalid_query",
        )
        .await;
    }
}

fn ids_of(body: &Value, network: &str) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["network"] == network)
        .map(|s| s["network_id"].as_str().unwrap().to_owned())
        .collect()
}

/// The fake's Spaces whose titles contain `query`, in `states`.
fn x_matches(x: &FakeX, query: &str, states: &[SpaceState]) -> BTreeSet<String> {
    seed::all_space_ids()
        .into_iter()
        .filter(|id| {
            let s = x.space(id).unwrap();
            states.contains(&s.state)
                && s.title
                    .as_deref()
                    .is_some_and(|t| t.to_lowercase().contains(&query.to_lowercase()))
        })
        .collect()
}

#[tokio::test]
async fn search_across_networks() {
    let x = FakeX::start().await;
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, Some(&x)).await else {
            continue;
        };
        let shapes = Shapes::of(&server).await;
        let t = server.tenant("acme");
        let search = |q: String| {
            let server = &server;
            let key = t.key.clone();
            async move {
                json(
                    server
                        .get(&format!("/v1/spaces/search?{q}"), &key)
                        .send()
                        .await
                        .unwrap(),
                    200,
                )
                .await
            }
        };

        // Default networks: every network that can search and is usable (not the stubs).
        let body = search("query=hello".into()).await;
        assert_eq!(
            body["meta"]["networks"],
            serde_json::json!(["x", "sandbox"])
        );
        assert_eq!(body["errors"], serde_json::json!([]));
        let states = [SpaceState::Live, SpaceState::Scheduled];
        let found: BTreeSet<String> = ids_of(&body, "x").into_iter().collect();
        assert_eq!(found, x_matches(&x, "hello", &states));
        assert_eq!(
            body["meta"]["result_count"],
            body["data"].as_array().unwrap().len()
        );
        for s in body["data"].as_array().unwrap() {
            shapes.check(s);
            assert!(
                s["title"]
                    .as_str()
                    .unwrap()
                    .to_lowercase()
                    .contains("hello")
            );
            if s["network"] == "x" {
                assert_x_space(&x, s);
            }
        }

        // State filter, live first.
        for (state, wanted) in [
            ("live", vec![SpaceState::Live]),
            ("scheduled", vec![SpaceState::Scheduled]),
            ("all", states.to_vec()),
        ] {
            let body = search(format!("query=hello&state={state}&networks=x")).await;
            let found: BTreeSet<String> = ids_of(&body, "x").into_iter().collect();
            assert_eq!(found, x_matches(&x, "hello", &wanted), "state={state}");
        }
        let body = search("query=weekly&limit=100&networks=sandbox,x".into()).await;
        let order: Vec<&str> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["state"].as_str().unwrap())
            .collect();
        assert_eq!(order.len(), 100);
        let first_scheduled = order
            .iter()
            .position(|s| *s != "live")
            .unwrap_or(order.len());
        assert!(first_scheduled > 0, "{order:?}");
        assert!(
            order[first_scheduled..].iter().all(|s| *s == "scheduled"),
            "live first, then scheduled: {order:?}"
        );
        assert!(ids_of(&body, "sandbox").contains(&"live-rust-weekly".to_owned()));

        // `limit`, and the networks asked for, in the order asked, without repeats.
        let body = search("query=weekly&limit=7&networks=sandbox,x,twitter".into()).await;
        assert_eq!(body["data"].as_array().unwrap().len(), 7);
        assert_eq!(body["meta"]["result_count"], 7);
        assert_eq!(
            body["meta"]["networks"],
            serde_json::json!(["sandbox", "x"])
        );
        // Networks take turns within the limit: X's many matches do not crowd sandbox's
        // one live match out, whichever network is asked first.
        for networks in ["x,sandbox", "sandbox,x"] {
            let body = search(format!("query=weekly&limit=5&networks={networks}")).await;
            assert_eq!(body["data"].as_array().unwrap().len(), 5, "{networks}");
            assert!(
                ids_of(&body, "sandbox").contains(&"live-rust-weekly".to_owned()),
                "{networks}: {body}"
            );
            assert!(!ids_of(&body, "x").is_empty(), "{networks}: {body}");
        }
        let body = search("query=jazz&networks=sandbox".into()).await;
        assert!(ids_of(&body, "x").is_empty());
        assert!(ids_of(&body, "sandbox").contains(&"live-jazz".to_owned()));
        let body = search(format!("query={}", seed::NO_MATCH_QUERY)).await;
        assert_eq!(body["data"], serde_json::json!([]));
        assert_eq!(body["meta"]["result_count"], 0);

        // A network that cannot search is reported, the others still answer.
        let body = search("query=jazz&networks=sandbox,clubhouse".into()).await;
        assert!(!ids_of(&body, "sandbox").is_empty());
        assert_eq!(body["errors"][0]["network"], "clubhouse");
        assert_eq!(body["errors"][0]["status"], 422);

        // X failing never fails the request: the sandbox's results, and an error for X.
        x.inject(Fault::once(FaultKind::Status(503)).on(Endpoint::Search));
        let body = search("query=jazz%20weekly".into()).await;
        let errors = body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{body}");
        assert_eq!(errors[0]["network"], "x");
        assert_eq!(errors[0]["status"], 502);
        assert_eq!(errors[0]["code"], "upstream_unavailable");
        let expected = ids_of(
            &search("query=jazz&state=live&networks=sandbox".into()).await,
            "sandbox",
        );
        assert!(!expected.is_empty());
        x.inject(Fault::once(FaultKind::DropConnection).on(Endpoint::Search));
        let failing = search("query=JAZZ&state=live".into()).await;
        assert_eq!(failing["errors"][0]["network"], "x");
        assert_eq!(failing["errors"][0]["code"], "upstream_unavailable");
        assert_eq!(ids_of(&failing, "sandbox"), expected);
        assert_eq!(
            failing["meta"]["networks"],
            serde_json::json!(["x", "sandbox"])
        );

        for bad in [
            "",
            "query=",
            "query=%20%20",
            "query=jazz&state=ended",
            "query=jazz&limit=0",
            "query=jazz&limit=101",
            "query=jazz&limit=ten",
            "query=jazz&networks=myspace",
            "query=jazz&networks=x,,sandbox",
        ] {
            let p = problem(
                server
                    .get(&format!("/v1/spaces/search?{bad}"), &t.key)
                    .send()
                    .await
                    .unwrap(),
                400,
                "invalid_query",
            )
            .await;
            assert!(!p["errors"].as_array().unwrap().is_empty(), "{bad}: {p}");
        }
    }
}
