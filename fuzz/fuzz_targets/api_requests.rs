//! The REST API in process: arbitrary methods, paths, query strings, headers and bodies sent
//! through the real router (every real network, an in-memory SQLite store), a few requests
//! at a time for a fresh tenant. Every answer must be a success or a problem+json 4xx; the
//! only 5xx allowed is an upstream network's failure (X is pointed at a closed port).
#![no_main]

use std::{
    net::TcpListener,
    sync::{Arc, LazyLock, Mutex},
    time::Duration,
};

use arbitrary::Arbitrary;
use axum::{Router, body::Body};
use http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use onair_api::{ApiConfig, App, CacheConfig, RateLimitConfig};
use onair_service::{Service, ServiceConfig, ServiceDeps, Tasks};
use onair_core::ProviderRegistry;
use onair_store::{
    Actor, BoxedStore, NewApiKey,
    secrets::{Keyring, Token, TokenKind, generate_secret_key},
};
use onair_store_sqlite::SqliteStore;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Map, Value, json};
use tower::ServiceExt;

const PUBLIC_URL: &str = "http://onair.test";
/// A fresh database and application after this many inputs, so memory stays bounded.
const INPUTS_PER_APP: usize = 20_000;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
});

static STATE: Mutex<Option<(Fixture, usize)>> = Mutex::new(None);

/// One application and the tenant whose resources other tenants must never reach.
struct Fixture {
    app: App,
    router: Router,
    store: BoxedStore,
    keyring: Arc<Keyring>,
    other: Caller,
}

/// A tenant with a key and a profile, as the requests of one input act.
#[derive(Clone)]
struct Caller {
    key: String,
    key_id: String,
    profile_id: String,
    profile_key: String,
    link_token: String,
}

impl Fixture {
    async fn new() -> Self {
        let keyring = Arc::new(Keyring::new(&generate_secret_key(), &[]).unwrap());
        let store: BoxedStore = Arc::new(
            SqliteStore::connect("sqlite::memory:", keyring.clone())
                .await
                .unwrap(),
        );
        store.migrate().await.unwrap();
        // X at a port nothing listens on: tenant-stored X tokens reach a refused connection.
        let closed = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let x = onair_provider_x::XProvider::new(onair_provider_x::XConfig {
            base_url: format!("http://{closed}/").parse().unwrap(),
            bearer_token: None,
            timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(1),
            creator_ids_min_interval: Duration::from_millis(1),
        })
        .unwrap();
        let mut registry = ProviderRegistry::new();
        registry.register(Arc::new(x)).unwrap();
        registry
            .register(Arc::new(onair_provider_sandbox::SandboxProvider::new()))
            .unwrap();
        for stub in onair_provider_stubs::all() {
            registry.register(stub).unwrap();
        }
        let config = ApiConfig {
            public_url: PUBLIC_URL.parse().unwrap(),
            rate_limit: RateLimitConfig {
                per_minute: 1_000_000,
                burst: 1_000_000,
            },
            search_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            ..ApiConfig::default()
        };
        let service_config = ServiceConfig {
            public_url: config.public_url.clone(),
            cache: CacheConfig::default(),
            batch_window: Duration::ZERO,
            ..ServiceConfig::default()
        };
        let service = Service::new(ServiceDeps {
            store: store.clone(),
            registry,
            keyring: keyring.clone(),
            config: service_config,
            tasks: Tasks::new(),
        });
        service.start_background();
        let app = App::new(service, config, None);
        let router = app.router();
        let mut fixture = Self {
            app,
            router,
            store,
            keyring,
            other: Caller {
                key: String::new(),
                key_id: String::new(),
                profile_id: String::new(),
                profile_key: String::new(),
                link_token: String::new(),
            },
        };
        fixture.other = fixture.caller("other").await;
        fixture
    }

    async fn caller(&self, name: &str) -> Caller {
        let tenant = self
            .store
            .create_tenant(&Actor::Operator, name)
            .await
            .unwrap();
        let key = Token::generate(TokenKind::ApiKey);
        let key_id = key.api_key_id();
        self.store
            .create_api_key(
                &tenant.id,
                &Actor::Operator,
                NewApiKey {
                    id: key_id.clone(),
                    name: "fuzz".into(),
                    hash: self.keyring.hash_token(&key),
                    expires_at: None,
                },
            )
            .await
            .unwrap();
        let profile_key = Token::generate(TokenKind::ProfileKey);
        let profile = self
            .store
            .create_profile(
                &tenant.id,
                &Actor::Operator,
                "listener",
                &self.keyring.hash_token(&profile_key),
            )
            .await
            .unwrap();
        let link = self
            .app
            .state()
            .links
            .issue(&tenant.id, &profile.id)
            .unwrap();
        Caller {
            key: key.expose().to_owned(),
            key_id: key_id.to_string(),
            profile_id: profile.id.to_string(),
            profile_key: profile_key.expose().to_owned(),
            link_token: link.token,
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    requests: Vec<Req>,
}

#[derive(Arbitrary, Debug)]
struct Req {
    method: MethodChoice,
    path: PathChoice,
    query: QueryChoice,
    auth: Auth,
    profile_key: Auth,
    headers: Vec<(HeaderChoice, Text)>,
    content_type: ContentType,
    body: BodyChoice,
    send_length: bool,
}

#[derive(Arbitrary, Debug)]
enum MethodChoice {
    Get,
    Post,
    Put,
    Delete,
    Patch,
    Head,
    Options,
    Trace,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum PathChoice {
    Route(u8, Vec<Segment>),
    Raw(String),
}

const ROUTES: &[&str] = &[
    "/v1/networks",
    "/v1/networks/{}/credentials",
    "/v1/spaces",
    "/v1/spaces/{}/{}",
    "/v1/spaces/by-creator",
    "/v1/spaces/search",
    "/v1/api-keys",
    "/v1/api-keys/{}",
    "/v1/profiles",
    "/v1/profiles/{}",
    "/v1/profiles/{}/link-token",
    "/healthz",
    "/readyz",
    "/metrics",
    "/link",
    "/problems/{}",
    "/openapi.json",
    "/docs/",
    "/{}",
    "/v1/{}",
    "/v1/spaces/{}",
    "/v1/spaces/sandbox/{}",
    "/v1/spaces/x/{}",
    "/v1/networks/x/credentials",
    "/v1/networks/sandbox/credentials",
];

const NETWORKS: &[&str] = &[
    "x",
    "twitter",
    "X",
    "sandbox",
    "clubhouse",
    "facebook",
    "spotify",
    "Sandbox",
];
/// The sandbox's Spaces in every state, its ids that fail on purpose, and one it lacks.
const SANDBOX_SPACES: &[&str] = &[
    "live-jazz",
    "scheduled-jazz-jam",
    "ended-postmortem",
    "canceled-berlin-meetup",
    "error-rate-limited",
    "error-unavailable",
    "error-timeout",
    "error-unauthorized",
    "nope",
];
const USERS: &[&str] = &["alice", "bob", "chen", "2244994945", "6253282"];
const PROBLEM_CODES: &[&str] = &["invalid_id", "unauthorized", "space_not_found", "nope"];

#[derive(Arbitrary, Debug)]
enum Segment {
    OwnKeyId,
    OwnProfileId,
    OtherKeyId,
    OtherProfileId,
    Network(u8),
    SandboxSpace(u8),
    User(u8),
    XSpace,
    ProblemCode(u8),
    Text(String),
    Raw(String),
}

/// What a path segment may hold unescaped; the rest is percent-encoded.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

#[derive(Arbitrary, Debug)]
enum QueryChoice {
    None,
    Pairs(Vec<(Key, QueryValue)>),
    Raw(String),
}

const KEYS: &[&str] = &[
    "ids",
    "creator_ids",
    "query",
    "state",
    "networks",
    "limit",
    "token",
];

#[derive(Arbitrary, Debug)]
enum Key {
    Known(u8),
    Any(String),
}

#[derive(Arbitrary, Debug)]
enum QueryValue {
    Ids(Vec<IdPart>),
    LinkToken,
    OtherLinkToken,
    Networks(Vec<u8>),
    Number(i64),
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum IdPart {
    Qualified(u8, Segment),
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Auth {
    None,
    Own,
    Other,
    Raw(String),
    Bytes(Vec<u8>),
}

const HEADER_NAMES: &[&str] = &[
    "accept",
    "x-request-id",
    "authorization",
    "profile-key",
    "content-type",
    "content-encoding",
    "accept-encoding",
    "origin",
    "x-forwarded-for",
];

#[derive(Arbitrary, Debug)]
enum HeaderChoice {
    Known(u8),
    Any(String),
}

#[derive(Arbitrary, Debug)]
enum Text {
    Str(String),
    Bytes(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum ContentType {
    None,
    Json,
    JsonCharset,
    Form,
    Plain,
    Any(String),
}

#[derive(Arbitrary, Debug)]
enum BodyChoice {
    Empty,
    Json(Vec<(u8, JsonValue)>),
    JsonOther(JsonValue),
    Form(Vec<(u8, FormValue)>),
    Raw(Vec<u8>),
}

const BODY_FIELDS: &[&str] = &[
    "name",
    "expires_at",
    "token",
    "network",
    "credential",
    "extra",
];

#[derive(Arbitrary, Debug)]
enum JsonValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Time(i64),
    Array(Vec<JsonValue>),
    Object(Vec<(String, JsonValue)>),
}

#[derive(Arbitrary, Debug)]
enum FormValue {
    LinkToken,
    OtherLinkToken,
    Network(u8),
    Text(String),
}

impl JsonValue {
    fn value(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => json!(b),
            Self::Int(n) => json!(n),
            Self::Float(f) => json!(f),
            Self::Text(s) => json!(s),
            Self::Time(secs) => match chrono::DateTime::from_timestamp(*secs, 0) {
                Some(t) => json!(t.to_rfc3339()),
                None => json!(secs.to_string()),
            },
            Self::Array(items) => Value::Array(items.iter().map(Self::value).collect()),
            Self::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value()))
                    .collect(),
            ),
        }
    }
}

fn pick<T: Copy>(from: &[T], i: u8) -> T {
    from[usize::from(i) % from.len()]
}

/// What a request named beyond the plain input.
#[derive(Default)]
struct Named {
    /// Another tenant's key or profile, in a path of the tenant's own resources.
    other_tenant: bool,
    /// The own profile's link token.
    own_link: bool,
}

/// The tenant the requests of one input act as, and what they changed.
struct Ctx<'a> {
    own: &'a Caller,
    other: &'a Caller,
    /// Set once a request revoked the own key or deleted the own profile.
    key_revoked: bool,
    profile_deleted: bool,
}

impl Ctx<'_> {
    fn segment(&self, s: &Segment) -> (String, bool) {
        let other = matches!(s, Segment::OtherKeyId | Segment::OtherProfileId);
        let text = match s {
            Segment::OwnKeyId => self.own.key_id.clone(),
            Segment::OwnProfileId => self.own.profile_id.clone(),
            Segment::OtherKeyId => self.other.key_id.clone(),
            Segment::OtherProfileId => self.other.profile_id.clone(),
            Segment::Network(i) => pick(NETWORKS, *i).to_owned(),
            Segment::SandboxSpace(i) => pick(SANDBOX_SPACES, *i).to_owned(),
            Segment::User(i) => pick(USERS, *i).to_owned(),
            Segment::XSpace => "1DXxyRYNejbKM".to_owned(),
            Segment::ProblemCode(i) => pick(PROBLEM_CODES, *i).to_owned(),
            Segment::Text(t) => utf8_percent_encode(t, SEGMENT).to_string(),
            Segment::Raw(t) => t.clone(),
        };
        (text, other)
    }

    /// The path and query.
    fn target(&self, path: &PathChoice, query: &QueryChoice, named: &mut Named) -> String {
        let mut target = match path {
            PathChoice::Route(i, segments) => {
                let template = pick(ROUTES, *i);
                let tenant_resource =
                    template.starts_with("/v1/api-keys/") || template.starts_with("/v1/profiles/");
                let mut segments = segments.iter();
                let mut out = String::new();
                for (n, piece) in template.split("{}").enumerate() {
                    if n > 0 {
                        let (text, other) =
                            segments.next().map(|s| self.segment(s)).unwrap_or_default();
                        named.other_tenant |= other && tenant_resource;
                        out.push_str(&text);
                    }
                    out.push_str(piece);
                }
                out
            }
            PathChoice::Raw(raw) => raw.clone(),
        };
        match query {
            QueryChoice::None => {}
            QueryChoice::Raw(raw) => {
                target.push('?');
                target.push_str(raw);
            }
            QueryChoice::Pairs(pairs) => {
                let mut q = url::form_urlencoded::Serializer::new(String::new());
                for (key, value) in pairs.iter().take(6) {
                    let key = match key {
                        Key::Known(i) => pick(KEYS, *i).to_owned(),
                        Key::Any(s) => s.clone(),
                    };
                    let value = match value {
                        QueryValue::Ids(parts) => parts
                            .iter()
                            .take(120)
                            .map(|p| match p {
                                IdPart::Qualified(n, s) => {
                                    format!("{}:{}", pick(NETWORKS, *n), self.segment(s).0)
                                }
                                IdPart::Text(t) => t.clone(),
                            })
                            .collect::<Vec<_>>()
                            .join(","),
                        QueryValue::LinkToken => {
                            named.own_link = true;
                            self.own.link_token.clone()
                        }
                        QueryValue::OtherLinkToken => self.other.link_token.clone(),
                        QueryValue::Networks(picks) => picks
                            .iter()
                            .map(|i| pick(NETWORKS, *i))
                            .collect::<Vec<_>>()
                            .join(","),
                        QueryValue::Number(n) => n.to_string(),
                        QueryValue::Text(t) => t.clone(),
                    };
                    q.append_pair(&key, &value);
                }
                target.push('?');
                target.push_str(&q.finish());
            }
        }
        target
    }

    fn body(&self, body: &BodyChoice, named: &mut Named) -> Vec<u8> {
        match body {
            BodyChoice::Empty => Vec::new(),
            BodyChoice::Json(fields) => {
                let object: Map<String, Value> = fields
                    .iter()
                    .map(|(i, v)| (pick(BODY_FIELDS, *i).to_owned(), v.value()))
                    .collect();
                serde_json::to_vec(&object).unwrap()
            }
            BodyChoice::JsonOther(v) => serde_json::to_vec(&v.value()).unwrap(),
            BodyChoice::Form(fields) => {
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                for (i, v) in fields {
                    let value = match v {
                        FormValue::LinkToken => {
                            named.own_link = true;
                            self.own.link_token.clone()
                        }
                        FormValue::OtherLinkToken => self.other.link_token.clone(),
                        FormValue::Network(n) => pick(NETWORKS, *n).to_owned(),
                        FormValue::Text(t) => t.clone(),
                    };
                    form.append_pair(pick(BODY_FIELDS, *i), &value);
                }
                form.finish().into_bytes()
            }
            BodyChoice::Raw(bytes) => bytes.clone(),
        }
    }

    /// The `Authorization` header: the own key (`Other` spells its scheme in lower case).
    fn authorization(&self, auth: &Auth) -> Option<HeaderValue> {
        let text = match auth {
            Auth::None => return None,
            Auth::Own => format!("Bearer {}", self.own.key),
            Auth::Other => format!("bearer  {} ", self.own.key),
            Auth::Raw(text) => return HeaderValue::from_str(text).ok(),
            Auth::Bytes(bytes) => return HeaderValue::from_bytes(bytes).ok(),
        };
        HeaderValue::from_str(&text).ok()
    }

    /// The `Profile-Key` header: the own profile's key, or another tenant's profile's.
    fn profile_key(&self, auth: &Auth) -> Option<HeaderValue> {
        let text = match auth {
            Auth::None => return None,
            Auth::Own => self.own.profile_key.clone(),
            Auth::Other => self.other.profile_key.clone(),
            Auth::Raw(text) => return HeaderValue::from_str(text).ok(),
            Auth::Bytes(bytes) => return HeaderValue::from_bytes(bytes).ok(),
        };
        HeaderValue::from_str(&text).ok()
    }
}

fn method(m: &MethodChoice) -> Option<Method> {
    Some(match m {
        MethodChoice::Get => Method::GET,
        MethodChoice::Post => Method::POST,
        MethodChoice::Put => Method::PUT,
        MethodChoice::Delete => Method::DELETE,
        MethodChoice::Patch => Method::PATCH,
        MethodChoice::Head => Method::HEAD,
        MethodChoice::Options => Method::OPTIONS,
        MethodChoice::Trace => Method::TRACE,
        MethodChoice::Other(s) => Method::from_bytes(s.as_bytes()).ok()?,
    })
}

/// The upstream failures that may answer 5xx: the network's, not onair's.
fn upstream_failure(status: StatusCode, code: &str) -> bool {
    matches!(status.as_u16(), 502..=504) && code.starts_with("upstream_")
}

fn check_problem(status: StatusCode, headers: &http::HeaderMap, body: &[u8], head: bool) -> String {
    assert_eq!(
        headers.get(header::CONTENT_TYPE).map(HeaderValue::as_bytes),
        Some(&b"application/problem+json"[..]),
        "a {status} that is not problem+json"
    );
    if head {
        return String::new();
    }
    let problem: Value = serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("a {status} problem that is not JSON ({e}): {body:?}"));
    let code = problem["code"].as_str().unwrap_or_default().to_owned();
    assert!(!code.is_empty(), "{problem}");
    assert_eq!(problem["status"], status.as_u16(), "{problem}");
    assert!(
        problem["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{problem}"
    );
    assert!(
        problem["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "{problem}"
    );
    assert_eq!(
        problem["type"].as_str(),
        Some(format!("{PUBLIC_URL}/problems/{code}").as_str()),
        "{problem}"
    );
    let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok());
    assert_eq!(problem["request_id"].as_str(), request_id, "{problem}");
    code
}

async fn send(router: &Router, ctx: &mut Ctx<'_>, req: &Req) {
    let Some(method) = method(&req.method) else {
        return;
    };
    let mut named = Named::default();
    let target = ctx.target(&req.path, &req.query, &mut named);
    let body = ctx.body(&req.body, &mut named);
    let mut builder = Request::builder()
        .method(method.clone())
        .uri(target.as_str());
    if let Some(v) = ctx.authorization(&req.auth) {
        builder = builder.header(header::AUTHORIZATION, v);
    }
    if let Some(v) = ctx.profile_key(&req.profile_key) {
        builder = builder.header("profile-key", v);
    }
    let content_type = match &req.content_type {
        ContentType::None => None,
        ContentType::Json => Some("application/json".to_owned()),
        ContentType::JsonCharset => Some("application/json; charset=utf-8".to_owned()),
        ContentType::Form => Some("application/x-www-form-urlencoded".to_owned()),
        ContentType::Plain => Some("text/plain".to_owned()),
        ContentType::Any(s) => Some(s.clone()),
    };
    if let Some(v) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        builder = builder.header(header::CONTENT_TYPE, v);
    }
    for (name, value) in req.headers.iter().take(6) {
        let name = match name {
            HeaderChoice::Known(i) => HeaderName::from_static(pick(HEADER_NAMES, *i)),
            HeaderChoice::Any(s) => match HeaderName::from_bytes(s.as_bytes()) {
                // Framing headers are the HTTP server's business, set below as a client would.
                Ok(n) if n != header::CONTENT_LENGTH && n != header::TRANSFER_ENCODING => n,
                _ => continue,
            },
        };
        let value = match value {
            Text::Str(s) => HeaderValue::from_str(s),
            Text::Bytes(b) => HeaderValue::from_bytes(b),
        };
        if let Ok(value) = value {
            builder = builder.header(name, value);
        }
    }
    if req.send_length || !body.is_empty() {
        builder = builder.header(header::CONTENT_LENGTH, body.len());
    }
    // Only requests an HTTP server could hand on: a URI it can parse.
    let Ok(request) = builder.body(Body::from(body)) else {
        return;
    };
    let headers_sent = request.headers().clone();
    let response = router.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    let status = parts.status;
    let head = method == Method::HEAD;

    assert!(
        parts.headers.contains_key("x-request-id"),
        "{status} without x-request-id"
    );
    if status.is_client_error() || status.is_server_error() {
        let code = check_problem(status, &parts.headers, &body, head);
        assert!(
            !status.is_server_error() || upstream_failure(status, &code),
            "{method} {target} answered {status} {code}: {}",
            String::from_utf8_lossy(&body)
        );
    } else if !head
        && parts
            .headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
    {
        serde_json::from_slice::<Value>(&body)
            .unwrap_or_else(|e| panic!("a {status} JSON answer that is not JSON ({e})"));
    }

    // Who may see what.
    let path = target.split('?').next().unwrap_or_default();
    if !status.is_success() {
        return;
    }
    if path == "/link" {
        assert!(
            !(named.own_link && ctx.profile_deleted),
            "a deleted profile's link token still works: {method} {target}"
        );
    }
    if !path.starts_with("/v1/") {
        return;
    }
    let own_key = [&Auth::Own, &Auth::Other].map(|a| ctx.authorization(a));
    let authorization = headers_sent.get(header::AUTHORIZATION);
    assert!(
        authorization.is_some() && own_key.iter().any(|k| k.as_ref() == authorization),
        "{method} {target} answered {status} without a valid key"
    );
    assert!(
        !ctx.key_revoked,
        "a revoked key still works: {method} {target} answered {status}"
    );
    if let Some(sent) = headers_sent.get("profile-key") {
        assert_eq!(
            Some(sent),
            ctx.profile_key(&Auth::Own).as_ref(),
            "{method} {target} answered {status} with another tenant's or no valid Profile-Key"
        );
        assert!(
            !ctx.profile_deleted,
            "a deleted profile's key still works: {method} {target} answered {status}"
        );
    }
    assert!(
        !named.other_tenant,
        "{method} {target} reached another tenant's resource: {status}"
    );
    if method == Method::DELETE {
        if path == format!("/v1/api-keys/{}", ctx.own.key_id) {
            ctx.key_revoked = true;
        }
        if path == format!("/v1/profiles/{}", ctx.own.profile_id) {
            ctx.profile_deleted = true;
        }
    }
}

fuzz_target!(|input: Input| {
    let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
    if state
        .as_ref()
        .is_none_or(|(_, used)| *used >= INPUTS_PER_APP)
    {
        *state = None;
        *state = Some((RUNTIME.block_on(Fixture::new()), 0));
    }
    let (fixture, used) = state.as_mut().unwrap();
    *used += 1;
    RUNTIME.block_on(async {
        // Tenant names are unique.
        let own = fixture.caller(&format!("own-{used}")).await;
        let mut ctx = Ctx {
            own: &own,
            other: &fixture.other,
            key_revoked: false,
            profile_deleted: false,
        };
        for req in input.requests.iter().take(4) {
            send(&fixture.router, &mut ctx, req).await;
        }
    });
});
