//! The HTTP side: an accept loop serving an axum router over hyper connections that a fault
//! can abort, and the request pipeline (route, faults, auth, rate limits, validation, answer).

use std::convert::Infallible;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Method, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use super::auth::{Presented, TokenEntry, TokenKind, TokenRegistry, presented, token_fingerprint};
use super::calls::{RecordedCall, Recorder};
use super::config::{FakeXConfig, ProblemHost};
use super::endpoint::{self, Endpoint, Route};
use super::faults::{FaultKind, FaultQueue};
use super::handlers::{self, Answer, Ctx};
use super::params;
use super::problems;
use super::ratelimit::{Budget, Limits, PerSecond};
use super::world::World;

/// Everything a request can touch. Locks are held only in synchronous code.
pub(crate) struct Shared {
    pub problem_host: ProblemHost,
    pub default_limit: u32,
    pub default_window: Duration,
    pub world: RwLock<World>,
    pub tokens: TokenRegistry,
    pub limits: Limits,
    pub creator_ids_per_second: u32,
    /// The per-second gate of the fake's own app (its app token and every user token).
    pub own_app_gate: Arc<PerSecond>,
    pub faults: FaultQueue,
    pub recorder: Recorder,
}

impl Shared {
    /// Registers a token: an app token is an app of its own; user tokens act for the fake's
    /// own app.
    pub fn add_token(&self, token: &str, kind: TokenKind, own_app: bool) {
        let gate = if own_app || kind != TokenKind::App {
            self.own_app_gate.clone()
        } else {
            Arc::new(PerSecond::new(self.creator_ids_per_second))
        };
        self.tokens.add(token, kind, gate);
    }

    pub fn new(config: &FakeXConfig, world: World) -> Self {
        Self {
            problem_host: config.problem_host,
            default_limit: config.rate_limit,
            default_window: config.window,
            world: RwLock::new(world),
            tokens: TokenRegistry::default(),
            limits: Limits::new(config.rate_limit, config.window),
            creator_ids_per_second: config.creator_ids_per_second,
            own_app_gate: Arc::new(PerSecond::new(config.creator_ids_per_second)),
            faults: FaultQueue::default(),
            recorder: Recorder::new(config.record_calls),
        }
    }
}

const JSON: HeaderValue = HeaderValue::from_static("application/json; charset=utf-8");

/// Marks a response the connection must not deliver.
#[derive(Clone, Copy)]
struct DropConnection;

#[derive(Debug)]
struct ConnectionDropped;

impl std::fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for ConnectionDropped {}

/// Serves `shared` on `listener` until `cancel` fires; every connection ends with it.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    tracker: TaskTracker,
) {
    let router = Router::new().fallback(dispatch).with_state(shared);
    loop {
        let stream = tokio::select! {
            () = cancel.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: back off rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let cancel = cancel.clone();
        tracker.spawn(async move {
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let router = router.clone();
                    async move {
                        let response = router
                            .oneshot(req.map(Body::new))
                            .await
                            .unwrap_or_else(|e: Infallible| match e {});
                        if response.extensions().get::<DropConnection>().is_some() {
                            Err(ConnectionDropped)
                        } else {
                            Ok(response)
                        }
                    }
                });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                () = cancel.cancelled() => {}
            }
        });
    }
}

/// What the pipeline decided, before it becomes an HTTP response.
struct Reply {
    status: u16,
    body: String,
    /// `x-rate-limit-*` values; `None` sends no such headers (as on 401).
    budget: Option<Budget>,
    drop: bool,
}

impl Reply {
    fn json(status: u16, body: String, budget: Option<Budget>) -> Self {
        Self {
            status,
            body,
            budget,
            drop: false,
        }
    }

    fn problem(status: u16, body: String, budget: Option<Budget>) -> Self {
        Self::json(status, body, budget)
    }

    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, JSON);
        if let Some(b) = self.budget {
            headers.insert("x-rate-limit-limit", HeaderValue::from(b.limit));
            headers.insert("x-rate-limit-remaining", HeaderValue::from(b.remaining));
            headers.insert("x-rate-limit-reset", HeaderValue::from(b.reset));
        }
        if self.drop {
            response.extensions_mut().insert(DropConnection);
        }
        response
    }
}

async fn dispatch(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let at = SystemTime::now();
    let (parts, _body) = request.into_parts();
    let raw_query = parts.uri.query().unwrap_or_default();
    let query: Vec<(String, String)> = url::form_urlencoded::parse(raw_query.as_bytes())
        .into_owned()
        .collect();
    let route = if parts.method == Method::GET {
        endpoint::route(parts.uri.path())
    } else {
        None
    };
    let endpoint = route.as_ref().map(|r| r.endpoint);
    let credentials = presented(parts.headers.get(AUTHORIZATION));
    let token = match credentials {
        Presented::Bearer(t) => shared.tokens.get(t),
        _ => None,
    };

    let reply = match shared.faults.take(endpoint) {
        None => process(
            &shared,
            route.as_ref(),
            &query,
            &credentials,
            token.as_deref(),
        ),
        Some(FaultKind::Latency(delay)) => {
            tokio::time::sleep(delay).await;
            process(
                &shared,
                route.as_ref(),
                &query,
                &credentials,
                token.as_deref(),
            )
        }
        Some(FaultKind::MalformedBody) => {
            let mut reply = process(
                &shared,
                route.as_ref(),
                &query,
                &credentials,
                token.as_deref(),
            );
            reply.status = 200;
            reply.body = "<!DOCTYPE html><html><head><title>Twitter / Over capacity</title></head><body><h1>Something is technically wrong.</h1></body></html>".to_owned();
            reply
        }
        Some(FaultKind::TruncatedBody) => {
            let mut reply = process(
                &shared,
                route.as_ref(),
                &query,
                &credentials,
                token.as_deref(),
            );
            reply.status = 200;
            let mut cut = reply.body.len() / 2;
            while !reply.body.is_char_boundary(cut) {
                cut -= 1;
            }
            reply.body.truncate(cut.max(1));
            reply
        }
        Some(kind) => fault_reply(&shared, kind, endpoint, token.as_deref()),
    };

    let status = if reply.drop { 0 } else { reply.status };
    shared.recorder.record(
        || RecordedCall {
            endpoint,
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            raw_query: raw_query.to_owned(),
            query: query.clone(),
            bearer_fingerprint: match credentials {
                Presented::Bearer(t) => Some(
                    token
                        .as_ref()
                        .map_or_else(|| token_fingerprint(t), |e| e.fingerprint.clone()),
                ),
                _ => None,
            },
            status,
            at,
        },
        endpoint,
        status,
    );
    reply.into_response()
}

fn peek(shared: &Shared, entry: Option<&TokenEntry>, endpoint: Option<Endpoint>) -> Option<Budget> {
    let (entry, endpoint) = (entry?, endpoint?);
    let limit = shared.limits.get(endpoint.index());
    let mut bucket = entry.buckets[endpoint.index()]
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    Some(bucket.peek(limit))
}

fn fault_reply(
    shared: &Shared,
    kind: FaultKind,
    endpoint: Option<Endpoint>,
    entry: Option<&TokenEntry>,
) -> Reply {
    let host = shared.problem_host;
    let budget = || peek(shared, entry, endpoint);
    match kind {
        FaultKind::Status(status) => {
            let budget = if status == 401 { None } else { budget() };
            Reply::problem(status, problems::for_status(status), budget)
        }
        FaultKind::RateLimited => {
            let budget = budget().unwrap_or_else(|| {
                let reset = SystemTime::now() + shared.default_window;
                Budget {
                    limit: shared.default_limit,
                    remaining: 0,
                    reset: reset
                        .duration_since(UNIX_EPOCH)
                        .unwrap_or_default()
                        .as_secs()
                        + 1,
                }
            });
            Reply::problem(
                429,
                problems::too_many_requests(),
                Some(Budget {
                    remaining: 0,
                    ..budget
                }),
            )
        }
        FaultKind::UsageCapped => Reply::problem(429, problems::usage_capped(host), budget()),
        FaultKind::CreditsDepleted => {
            Reply::problem(402, problems::credits_depleted(host), budget())
        }
        FaultKind::ClientForbidden => {
            Reply::problem(403, problems::client_forbidden(host), budget())
        }
        FaultKind::UnsupportedAuthentication => {
            let supported = supported_methods(endpoint.unwrap_or(Endpoint::SpaceById));
            let body =
                problems::unsupported_authentication(host, "OAuth 1.0a User Context", supported);
            Reply::problem(403, body, None)
        }
        FaultKind::DropConnection => Reply {
            status: 0,
            body: String::new(),
            budget: None,
            drop: true,
        },
        // Handled in `dispatch`, which can await or needs the normal answer.
        FaultKind::Latency(_) | FaultKind::MalformedBody | FaultKind::TruncatedBody => {
            Reply::problem(500, problems::for_status(500), None)
        }
    }
}

fn supported_methods(endpoint: Endpoint) -> &'static str {
    if endpoint == Endpoint::Buyers {
        problems::USER_ONLY
    } else {
        problems::APP_AND_USER
    }
}

/// The normal path of a request, with no fault in play.
fn process(
    shared: &Shared,
    route: Option<&Route>,
    query: &[(String, String)],
    credentials: &Presented<'_>,
    entry: Option<&TokenEntry>,
) -> Reply {
    let host = shared.problem_host;
    let Some(route) = route else {
        return Reply::problem(404, problems::page_not_found(), None);
    };
    let endpoint = route.endpoint;
    let entry = match (credentials, entry) {
        (Presented::OAuth1, _) => {
            let body = problems::unsupported_authentication(
                host,
                "OAuth 1.0a User Context",
                supported_methods(endpoint),
            );
            return Reply::problem(403, body, None);
        }
        (Presented::Bearer(_), Some(entry)) => entry,
        _ => return Reply::problem(401, problems::unauthorized(), None),
    };
    let limit = shared.limits.get(endpoint.index());
    let mut bucket = entry.buckets[endpoint.index()]
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if endpoint == Endpoint::Buyers && entry.kind == TokenKind::App {
        let body = problems::unsupported_authentication(
            host,
            "OAuth 2.0 Application-Only",
            problems::USER_ONLY,
        );
        return Reply::problem(403, body, Some(bucket.peek(limit)));
    }
    let before = bucket.peek(limit);
    if before.remaining == 0 {
        return Reply::problem(429, problems::too_many_requests(), Some(before));
    }
    if endpoint == Endpoint::ByCreatorIds && !entry.app_gate.admit() {
        return Reply::problem(429, problems::too_many_requests(), Some(before));
    }
    let budget = bucket.consume(limit).unwrap_or(before);
    drop(bucket);

    let params = match params::parse(endpoint, route.path_id.as_deref(), query) {
        Ok(params) => params,
        Err(invalid) => {
            return Reply::problem(400, problems::invalid_request(host, &invalid), Some(budget));
        }
    };
    let viewer = match &entry.kind {
        TokenKind::User { user_id } => Some(user_id.as_str()),
        TokenKind::App => None,
    };
    let world = shared.world.read().unwrap_or_else(|e| e.into_inner());
    let ctx = Ctx {
        world: &world,
        host,
        viewer,
    };
    match handlers::answer(endpoint, &params, &ctx) {
        Answer::Ok(body) => Reply::json(200, body, Some(budget)),
        Answer::Invalid(invalid) => {
            Reply::problem(400, problems::invalid_request(host, &invalid), Some(budget))
        }
    }
}
