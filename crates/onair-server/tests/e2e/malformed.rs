//! Malformed input of every kind, generated: ids, lists, queries, bodies and headers. Every
//! answer is a 4xx `application/problem+json` (or a success, where the input happens to be
//! valid), never a 5xx; where the contract is exact (too many ids, unknown parameters, an
//! unusable body, a bad key) the status and code are too; malformed X ids never reach X;
//! and the servers are healthy afterwards. One server per backend serves a whole property.
//! Also: methods a route does not take (405) and routes that do not exist (404).

use std::{future::Future, pin::Pin};

use onair_testkit::fake_x::{FakeX, FakeXConfig};
use proptest::{
    prelude::*,
    test_runner::{Config, TestCaseError, TestRunner},
};
use reqwest::{
    Method, Response,
    header::{HeaderName, HeaderValue},
};
use serde_json::Value;

use crate::support::{BACKENDS, Backend, Profile, Server, Tenant, client_problem, problem};

/// Cases per property: each is one request to each backend's server.
const CASES: u32 = 128;

struct Target {
    backend: Backend,
    server: Server,
    tenant: Tenant,
    profile: Profile,
}

/// A fake X and one server per available backend, kept for a whole property.
struct Rig {
    rt: tokio::runtime::Runtime,
    x: FakeX,
    targets: Vec<Target>,
}

type Check<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + 'a>>;

impl Rig {
    fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        // Budgets and X's one-a-second creator limit off: the properties test input handling,
        // and a valid-looking id may reach X.
        let x = rt.block_on(FakeX::start_with(FakeXConfig {
            rate_limit: 1_000_000,
            creator_ids_per_second: 0,
            ..FakeXConfig::default()
        }));
        let targets = rt.block_on(async {
            let mut targets = Vec::new();
            for backend in BACKENDS {
                let Some(server) = Server::start_with(
                    backend,
                    Some(&x),
                    &[("ONAIR_PROVIDERS__X__CREATOR_IDS_MIN_INTERVAL_MS", "0")],
                )
                .await
                else {
                    continue;
                };
                let tenant = server.tenant("acme");
                let profile = server.profile(&tenant.key, "customer").await;
                targets.push(Target {
                    backend,
                    server,
                    tenant,
                    profile,
                });
            }
            targets
        });
        Self { rt, x, targets }
    }

    /// Runs `check` for every generated case on every server, then checks their health.
    fn run<S: Strategy>(
        &self,
        strategy: S,
        check: impl for<'a> Fn(&'a Target, &'a FakeX, &'a S::Value) -> Check<'a>,
    ) where
        S::Value: std::fmt::Debug,
    {
        let mut runner = TestRunner::new(Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&strategy, |case| {
            self.rt.block_on(async {
                for t in &self.targets {
                    check(t, &self.x, &case)
                        .await
                        .map_err(|e| TestCaseError::fail(format!("{:?}: {e}", t.backend)))?;
                }
                Ok(())
            })
        });
        if let Err(e) = result {
            panic!("{e}");
        }
        self.rt.block_on(async {
            for t in &self.targets {
                t.server.assert_healthy().await;
                let logs = t.server.logs();
                assert!(
                    !logs.contains("panicked"),
                    "{:?} panicked:\n{logs}",
                    t.backend
                );
            }
        });
    }
}

/// Any answer: a success, or a well-formed 4xx problem; never a 5xx.
async fn not_5xx(r: Response) -> Result<Option<(u16, Value)>, String> {
    if r.status().is_success() {
        let text = r.text().await.map_err(|e| e.to_string())?;
        if !text.is_empty() {
            serde_json::from_str::<Value>(&text).map_err(|e| format!("200 but not JSON ({e})"))?;
        }
        return Ok(None);
    }
    client_problem(r).await.map(Some)
}

/// A well-formed 4xx problem with exactly this status and code.
async fn exactly(r: Response, status: u16, code: &str) -> Result<Value, String> {
    let (got, body) = client_problem(r).await?;
    if got != status || body["code"] != code {
        return Err(format!("expected {status} {code}, got {got} {body}"));
    }
    Ok(body)
}

/// Percent-encodes everything but letters, digits, `-`, `_` and `~`.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// RFC 3986 percent-decoding: `%XX` is a byte, anything else stays as it is.
fn decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

fn form_value(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A path segment as sent (already encoded where it should be).
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_map(|s| encode(&s)),
        "[a-zA-Z0-9]{14,40}".prop_map(|s| encode(&s)),
        "[a-zA-Z0-9]{0,12}[^a-zA-Z0-9][a-zA-Z0-9]{0,12}".prop_map(|s| encode(&s)),
        "\\PC{150,400}".prop_map(|s| encode(&s)),
        prop::collection::vec(prop::char::range('\0', '\u{1f}'), 1..4)
            .prop_map(|c| encode(&c.into_iter().collect::<String>())),
        "[%0-9A-Fa-fGz]{1,12}",
        Just(String::new()),
        // Well-formed X ids: these may reach the fake (and are not found there).
        "[a-zA-Z0-9]{1,13}".prop_map(|s| encode(&s)),
    ]
    .prop_filter("the client normalises dot segments", |s| {
        !matches!(
            s.to_ascii_lowercase().as_str(),
            "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e."
        )
    })
}

fn is_x_space_id(id: &str) -> bool {
    (1..=13).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[test]
fn malformed_space_ids_are_client_errors() {
    let rig = Rig::start();
    let network = prop_oneof![
        Just("x".to_owned()),
        Just("twitter".to_owned()),
        Just("X".to_owned()),
        Just("sandbox".to_owned()),
        Just("clubhouse".to_owned()),
        segment(),
    ];
    rig.run((network, segment()), |t, x, (network, id)| {
        Box::pin(async move {
            let calls = x.call_count();
            let path = format!("/v1/spaces/{network}/{id}");
            let r = t
                .server
                .get(&path, &t.tenant.key)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let decoded = String::from_utf8(decode(id));
            let is_x = matches!(network.to_ascii_lowercase().as_str(), "x" | "twitter");
            match decoded {
                // Not UTF-8 once decoded: the path itself is refused.
                Err(_) if !id.is_empty() && is_x => {
                    exactly(r, 400, "invalid_path").await?;
                }
                Ok(native) if is_x && !native.is_empty() && !is_x_space_id(&native) => {
                    exactly(r, 400, "invalid_id").await?;
                }
                _ => {
                    not_5xx(r).await?;
                }
            }
            let x_valid = decoded_is_x_valid(id);
            if x.call_count() != calls && !(is_x && x_valid) {
                return Err(format!("{path} reached X"));
            }
            Ok(())
        })
    });
}

fn decoded_is_x_valid(id: &str) -> bool {
    String::from_utf8(decode(id)).is_ok_and(|s| is_x_space_id(&s))
}

fn list_item() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("x:1DXxyRYNejbKM".to_owned()),
        Just("x:2244994945".to_owned()),
        Just("twitter:1OwxWzlwbrnJQ".to_owned()),
        Just("sandbox:live-jazz".to_owned()),
        Just("sandbox:alice".to_owned()),
        Just("clubhouse:anything".to_owned()),
        Just(String::new()),
        Just(" ".to_owned()),
        "[a-z]{0,8}:[^,]{0,20}",
        "[a-z]{1,6}",
        any::<String>(),
        "x:[a-zA-Z0-9*]{10,20}",
    ]
}

#[test]
fn malformed_id_lists_are_client_errors() {
    let rig = Rig::start();
    let strategy = (
        prop_oneof![
            Just(("/v1/spaces", "ids")),
            Just(("/v1/spaces/by-creator", "creator_ids"))
        ],
        prop_oneof![
            prop::collection::vec(list_item(), 0..8),
            prop::collection::vec(list_item(), 95..130),
        ],
        prop_oneof![Just(","), Just(",,"), Just(" , "), Just(";"), Just("\t,")],
    );
    rig.run(strategy, |t, _, ((path, param), items, sep)| {
        Box::pin(async move {
            let value = items.join(sep);
            let url = format!("{path}?{param}={}", form_value(&value));
            let r = t
                .server
                .get(&url, &t.tenant.key)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let parts: Vec<&str> = value.split(',').map(str::trim).collect();
            if value.trim().is_empty() {
                exactly(r, 400, "invalid_query").await?;
            } else if parts.len() > 100 {
                exactly(r, 400, "too_many_ids").await?;
            } else if parts.iter().any(|p| p.is_empty()) {
                exactly(r, 400, "invalid_id").await?;
            } else if let Some((_, body)) = not_5xx(r).await?
                && body["code"] == "invalid_id"
            {
                let errors = body["errors"].as_array().ok_or("no `errors`")?;
                if errors.is_empty() || errors.iter().any(|e| e["field"] != *param) {
                    return Err(format!("each bad id names `{param}`: {body}"));
                }
            }
            Ok(())
        })
    });
}

const NETWORK_NAMES: [&str; 13] = [
    "x",
    "twitter",
    "sandbox",
    "clubhouse",
    "facebook-audio-rooms",
    "facebook",
    "spotify-live",
    "spotify",
    "greenroom",
    "reddit-talk",
    "reddit",
    "linkedin-audio",
    "linkedin",
];

/// Whether a search query string is one the contract accepts.
fn search_is_valid(pairs: &[(String, String)]) -> bool {
    let known = ["query", "state", "limit", "networks"];
    let mut seen = Vec::new();
    for (k, _) in pairs {
        if !known.contains(&k.as_str()) || seen.contains(&k) {
            return false;
        }
        seen.push(k);
    }
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let query = get("query").map(str::trim).unwrap_or_default();
    if query.is_empty() || query.chars().count() > 2048 || query.chars().any(char::is_control) {
        return false;
    }
    if get("state").is_some_and(|s| !["live", "scheduled", "all"].contains(&s)) {
        return false;
    }
    if get("limit").is_some_and(|l| !l.parse::<u32>().is_ok_and(|n| (1..=100).contains(&n))) {
        return false;
    }
    if let Some(list) = get("networks") {
        let ok = list
            .split(',')
            .map(str::trim)
            .all(|n| !n.is_empty() && NETWORK_NAMES.contains(&n.to_ascii_lowercase().as_str()));
        if !ok {
            return false;
        }
    }
    true
}

#[test]
fn malformed_search_queries_are_client_errors() {
    let rig = Rig::start();
    let key = prop_oneof![
        4 => prop_oneof![Just("query"), Just("state"), Just("limit"), Just("networks")].prop_map(str::to_owned),
        1 => "[a-z_]{1,10}",
    ];
    let value = prop_oneof![
        any::<String>(),
        "\\PC{0,20}",
        Just("live".to_owned()),
        Just("scheduled".to_owned()),
        Just("all".to_owned()),
        Just("ended".to_owned()),
        "[+-]?[0-9]{1,4}",
        "(x|sandbox|clubhouse|twitter|myspace| |)(,(x|SANDBOX|clubhouse|twitter|myspace| |)){0,3}",
        "\\PC{2040,2100}",
        "[a-z ]{8000,20000}",
        Just("jazz".to_owned()),
    ];
    let pairs = prop::collection::vec((key, value), 0..6);
    rig.run(pairs, |t, _, pairs| {
        Box::pin(async move {
            let query: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}={}", form_value(k), form_value(v)))
                .collect();
            let url = format!("/v1/spaces/search?{}", query.join("&"));
            let r = t
                .server
                .get(&url, &t.tenant.key)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if search_is_valid(pairs) {
                let status = r.status();
                let text = r.text().await.map_err(|e| e.to_string())?;
                if status != 200 {
                    return Err(format!("a valid search answered {status}: {text}"));
                }
                let body: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
                let n = body["data"].as_array().ok_or("no data")?.len();
                if body["meta"]["result_count"] != n {
                    return Err(format!("result_count is not the number of results: {body}"));
                }
            } else {
                exactly(r, 400, "invalid_query").await?;
            }
            Ok(())
        })
    });
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,30}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("name".to_owned()),
                    Just("expires_at".to_owned()),
                    Just("token".to_owned()),
                    "[a-z_]{1,8}"
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(any::<u8>(), 1..200),
        arbitrary_json().prop_map(|v| v.to_string().into_bytes()),
        // The expected fields, with values of any type.
        (
            prop_oneof![Just("name"), Just("expires_at"), Just("token")],
            arbitrary_json()
        )
            .prop_map(|(k, v)| serde_json::json!({ k: v }).to_string().into_bytes()),
        // Larger than the 64 KiB body limit.
        (65 * 1024..80 * 1024usize)
            .prop_map(|n| format!("{{\"name\":\"{}\"}}", "a".repeat(n)).into_bytes()),
        "\\PC{0,40}".prop_map(String::into_bytes),
    ]
}

fn is_json_type(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| {
        let essence = c.split(';').next().unwrap_or_default().trim();
        essence == "application/json"
            || (essence.starts_with("application/") && essence.ends_with("+json"))
    })
}

#[test]
fn malformed_bodies_are_client_errors() {
    let rig = Rig::start();
    let target = prop_oneof![
        Just((Method::POST, "/v1/profiles")),
        Just((Method::POST, "/v1/api-keys")),
        Just((Method::PUT, "/v1/networks/x/credentials")),
        Just((Method::POST, "/link")),
    ];
    let content_type = prop_oneof![
        Just(None),
        Just(Some("application/json")),
        Just(Some("application/json; charset=utf-8")),
        Just(Some("application/vnd.api+json")),
        Just(Some("text/plain")),
        Just(Some("application/x-www-form-urlencoded")),
        Just(Some("multipart/form-data; boundary=xyz")),
        Just(Some("application/xml")),
        Just(Some("json")),
    ];
    rig.run(
        (target, content_type, body(), any::<bool>()),
        |t, _, (target, ct, body, as_profile)| {
            Box::pin(async move {
                let (method, path) = target;
                let mut r = t
                    .server
                    .client
                    .request(method.clone(), t.server.url(path))
                    .bearer_auth(&t.tenant.key)
                    .body(body.clone());
                if let Some(ct) = ct {
                    r = r.header("content-type", *ct);
                }
                if *as_profile {
                    r = r.header("Profile-Key", &t.profile.key);
                }
                // The server may answer before it has read the whole body (a wrong content type,
                // too large) and close: a client still writing then sees the connection reset.
                // That is HTTP as it is; the same request sent again must be answered.
                let r = match r.try_clone().unwrap().send().await {
                    Ok(r) => r,
                    Err(_) => r.send().await.map_err(|e| e.to_string())?,
                };
                let json_route = *path != "/link";
                let is_form =
                    ct.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
                let is_json = is_json_type(*ct);
                if json_route && !is_json && !body.is_empty() {
                    exactly(r, 415, "unsupported_media_type").await?;
                } else if json_route && is_json && body.len() > 64 * 1024 {
                    exactly(r, 413, "payload_too_large").await?;
                } else if json_route && is_json && serde_json::from_slice::<Value>(body).is_err() {
                    exactly(r, 400, "invalid_json").await?;
                } else if json_route
                    && is_json
                    && !serde_json::from_slice::<Value>(body).is_ok_and(|v| v.is_object())
                {
                    exactly(r, 400, "invalid_body").await?;
                } else if !json_route && !is_form {
                    exactly(r, 415, "unsupported_media_type").await?;
                } else if !json_route && body.len() > 64 * 1024 {
                    exactly(r, 413, "payload_too_large").await?;
                } else {
                    not_5xx(r).await?;
                }
                Ok(())
            })
        },
    );
}

/// Bytes a header value may carry (visible ASCII, space, tab, and obs-text).
fn header_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![8 => 0x20u8..=0x7e, 1 => Just(b'\t'), 2 => 0x80u8..=0xff],
        0..max,
    )
}

#[test]
fn malformed_headers_are_client_errors() {
    let rig = Rig::start();
    let strategy = (
        0..4u8,
        prop_oneof![4 => header_bytes(200), 1 => header_bytes(40_000)],
        "[a-z][a-z0-9-]{0,20}",
    );
    rig.run(strategy, |t, _, (kind, bytes, name)| {
        Box::pin(async move {
            let value = |prefix: &[u8]| {
                let mut v = prefix.to_vec();
                v.extend_from_slice(bytes);
                HeaderValue::from_bytes(&v).map_err(|e| e.to_string())
            };
            let request = t.server.anonymous(Method::GET, "/v1/networks");
            match kind {
                0 => {
                    let r = request.header("authorization", value(b"")?).send().await;
                    exactly(r.map_err(|e| e.to_string())?, 401, "unauthorized").await?;
                }
                1 => {
                    let r = request
                        .header("authorization", value(b"Bearer ")?)
                        .send()
                        .await;
                    exactly(r.map_err(|e| e.to_string())?, 401, "unauthorized").await?;
                }
                2 => {
                    let r = request
                        .bearer_auth(&t.tenant.key)
                        .header("profile-key", value(b"")?)
                        .send()
                        .await;
                    exactly(r.map_err(|e| e.to_string())?, 401, "invalid_profile_key").await?;
                }
                _ => {
                    // Any other header, x-request-id included, changes nothing.
                    let skip = [
                        "authorization",
                        "profile-key",
                        "content-length",
                        "transfer-encoding",
                        "host",
                        "connection",
                        "expect",
                        "upgrade",
                        "te",
                        "keep-alive",
                        "proxy-connection",
                    ];
                    if skip.contains(&name.as_str()) {
                        return Ok(());
                    }
                    let header =
                        HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
                    let r = request
                        .bearer_auth(&t.tenant.key)
                        .header(header, value(b"")?)
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    if r.status() != 200 {
                        return Err(format!("{name}: {}", r.status()));
                    }
                    let id = r.headers().get("x-request-id").ok_or("no x-request-id")?;
                    let id = id.to_str().map_err(|e| e.to_string())?;
                    let sane = !id.is_empty()
                        && id.len() <= 128
                        && id
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
                    if !sane {
                        return Err(format!("echoed an unsafe request id {id:?}"));
                    }
                }
            }
            Ok(())
        })
    });
}

/// Headers beyond what the HTTP layer accepts are refused there (a bare 431 before any
/// route runs), and the server goes on serving.
#[tokio::test]
async fn oversized_headers_are_refused_and_the_server_survives() {
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, None).await else {
            continue;
        };
        let t = server.tenant("acme");
        let r = server
            .get("/v1/networks", &t.key)
            .header("x-padding", "a".repeat(600 * 1024))
            .send()
            .await;
        if let Ok(r) = r {
            assert_eq!(r.status(), 431);
        }
        let mut many = server.get("/v1/networks", &t.key);
        for i in 0..200 {
            many = many.header(format!("x-h{i}"), "v");
        }
        if let Ok(r) = many.send().await {
            assert!(r.status().is_client_error(), "{}", r.status());
        }
        server.assert_healthy().await;
        json_ok(&server, &t.key).await;
    }
}

async fn json_ok(server: &Server, key: &str) {
    crate::support::json(server.get("/v1/networks", key).send().await.unwrap(), 200).await;
}

/// Methods a route does not take are 405 problems naming the allowed ones; unknown routes
/// are 404 problems.
#[tokio::test]
async fn wrong_methods_and_unknown_routes() {
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, None).await else {
            continue;
        };
        let t = server.tenant("acme");
        let ops = crate::support::openapi_operations(&server).await;
        let mut paths: Vec<&str> = ops.iter().map(|(_, p)| p.as_str()).collect();
        paths.dedup();
        for path in paths {
            let allowed: Vec<&str> = ops
                .iter()
                .filter(|(_, p)| p == path)
                .map(|(m, _)| m.as_str())
                .collect();
            let concrete = path
                .replace("{network}", "x")
                .replace("{id}", "1DXxyRYNejbKM");
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"] {
                if allowed.contains(&method) {
                    continue;
                }
                let r = server
                    .client
                    .request(method.parse().unwrap(), server.url(&concrete))
                    .bearer_auth(&t.key)
                    .send()
                    .await
                    .unwrap();
                let allow = r
                    .headers()
                    .get("allow")
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_default();
                problem(r, 405, "method_not_allowed").await;
                for m in &allowed {
                    assert!(
                        allow.contains(m),
                        "{method} {path}: Allow `{allow}` lacks {m}"
                    );
                }
            }
        }
        for path in [
            "/",
            "/v1",
            "/v1/",
            "/v2/spaces",
            "/v1/spacez",
            "/v1/spaces/x/1DXxyRYNejbKM/extra",
            "/v1/spaces/x/",
            "/v1/networks/x/credentials/extra",
            "/v1/api-keys/a/b",
            "/%FF%FE",
            "/v1/profiles/p/link-token/x",
            "/.env",
            "/admin",
        ] {
            for key in [Some(t.key.as_str()), None] {
                let mut r = server.anonymous(Method::GET, path);
                if let Some(k) = key {
                    r = r.bearer_auth(k);
                }
                let body = problem(r.send().await.unwrap(), 404, "route_not_found").await;
                assert!(
                    body["detail"].as_str().unwrap().contains("/openapi.json"),
                    "{body}"
                );
            }
        }
        // An empty network segment is no network at all.
        problem(
            server
                .get("/v1/spaces//1DXxyRYNejbKM", &t.key)
                .send()
                .await
                .unwrap(),
            404,
            "network_not_found",
        )
        .await;
        server.assert_healthy().await;
    }
}
