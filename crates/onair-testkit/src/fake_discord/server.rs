//! The HTTP side: an axum server whose one fallback handler runs Discord's pipeline in order:
//! faults, `User-Agent`, route, `Authorization: Bot`, rate limits, path snowflakes, body,
//! then the route's answer; every answer to a known route carries `X-RateLimit-*` headers.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use http::header::{AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::calls::{RecordedCall, Recorder};
use super::errors::{ApiError, FormErrors};
use super::faults::{FaultKind, FaultQueue, RateLimitScope};
use super::handlers::{self, Answer, Call};
use super::ratelimit::{Admission, Budget, Limits};
use super::route::{Matched, NoRoute, route};
use super::world::World;

/// Everything a request can touch. Locks are held only in synchronous code.
pub(crate) struct Shared {
    pub world: Mutex<World>,
    pub limits: Limits,
    pub faults: FaultQueue,
    pub recorder: Recorder,
    pub require_user_agent: bool,
}

/// Largest body read (Discord's own limit for JSON bodies is far above what these routes take).
const MAX_BODY: usize = 1 << 20;

pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>, cancel: CancellationToken) {
    let router = Router::new().fallback(dispatch).with_state(shared);
    let _ = axum::serve(listener, router)
        .with_graceful_shutdown(cancel.cancelled_owned())
        .await;
}

/// What the pipeline decided, before it becomes an HTTP response.
struct Reply {
    status: u16,
    /// `None` for 204.
    body: Option<String>,
    content_type: &'static str,
    budget: Option<Budget>,
    headers: Vec<(&'static str, String)>,
}

impl Reply {
    fn json(status: u16, body: &Value, budget: Option<Budget>) -> Self {
        Self {
            status,
            body: Some(body.to_string()),
            content_type: "application/json",
            budget,
            headers: Vec::new(),
        }
    }

    fn error(e: ApiError, budget: Option<Budget>) -> Self {
        Self::json(e.status, &e.body, budget)
    }

    /// 429 with Discord's body and headers for `scope`.
    fn rate_limited(retry_after: f64, scope: RateLimitScope, budget: Option<Budget>) -> Self {
        let (message, global, scope_name) = match scope {
            RateLimitScope::User => ("You are being rate limited.", false, "user"),
            RateLimitScope::Global => ("You are being rate limited.", true, "global"),
            RateLimitScope::Shared => ("The resource is being rate limited.", false, "shared"),
        };
        let mut reply = Self::json(
            429,
            &json!({"message": message, "retry_after": retry_after, "global": global}),
            budget.map(|b| Budget {
                remaining: if scope == RateLimitScope::Shared {
                    b.remaining
                } else {
                    0
                },
                reset_after: if scope == RateLimitScope::Global {
                    b.reset_after
                } else {
                    retry_after
                },
                ..b
            }),
        );
        reply.headers.push((
            "retry-after",
            format!("{}", retry_after.ceil().max(1.0) as u64),
        ));
        reply
            .headers
            .push(("x-ratelimit-scope", scope_name.to_owned()));
        if global {
            reply
                .headers
                .push(("x-ratelimit-global", "true".to_owned()));
        }
        // discord.py takes a 429 without `Via` for a Cloudflare ban; Discord's come through
        // Google's load balancer.
        reply.headers.push(("via", "1.1 google".to_owned()));
        reply
    }

    fn into_response(self) -> Response {
        let mut response = match self.body {
            Some(body) => {
                let mut r = Response::new(Body::from(body));
                r.headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
                r
            }
            None => Response::new(Body::empty()),
        };
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        if let Some(b) = self.budget {
            let mut put = |name: &'static str, value: String| {
                if let Ok(v) = HeaderValue::from_str(&value) {
                    headers.insert(HeaderName::from_static(name), v);
                }
            };
            put("x-ratelimit-limit", b.limit.to_string());
            put("x-ratelimit-remaining", b.remaining.to_string());
            put("x-ratelimit-reset", format!("{:.3}", b.reset));
            put("x-ratelimit-reset-after", format!("{:.3}", b.reset_after));
            put("x-ratelimit-bucket", b.bucket);
            // twilight learns a bucket only from responses with a `user` or `shared` scope.
            put("x-ratelimit-scope", "user".to_owned());
        }
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), v);
            }
        }
        response
    }
}

/// `DiscordBot ($url, $versionNumber)`, extra text allowed after it. discord.py sends the
/// URL and version separated by a space only (`DiscordBot (https://… 2.7.1)`), and Discord
/// takes it, so either separator passes.
pub(crate) fn user_agent_ok(headers: &HeaderMap) -> bool {
    let Some(ua) = headers.get(USER_AGENT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(rest) = ua.strip_prefix("DiscordBot (") else {
        return false;
    };
    let Some((inside, _)) = rest.split_once(')') else {
        return false;
    };
    let Some((url, version)) = inside.split_once(", ").or_else(|| inside.rsplit_once(' ')) else {
        return false;
    };
    url.starts_with("http") && !version.trim().is_empty()
}

fn bot_of(shared: &Shared, headers: &HeaderMap) -> Option<u64> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bot ")?;
    let world = shared.world.lock().unwrap_or_else(|e| e.into_inner());
    world.tokens.get(token.trim()).copied()
}

async fn dispatch(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let at = SystemTime::now();
    let (parts, body) = request.into_parts();
    let (body, too_large) = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => (bytes, false),
        Err(_) => (axum::body::Bytes::new(), true),
    };
    let matched = route(&parts.method, parts.uri.path());
    let route_of = match &matched {
        Ok(m) => Some(m.route),
        Err(NoRoute::BadSnowflake(r, _)) => Some(*r),
        Err(_) => None,
    };
    let bot = bot_of(&shared, &parts.headers);
    let ua_ok = user_agent_ok(&parts.headers);
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();

    let fault = shared.faults.take(route_of);
    if let Some(FaultKind::Delay(delay)) = &fault {
        tokio::time::sleep(*delay).await;
    }
    let major = match &matched {
        Ok(m) => m.major,
        _ => None,
    };
    let peek = || route_of.map(|r| shared.limits.peek(bot.unwrap_or(0), r, major));
    let reply = match fault {
        Some(FaultKind::RateLimited { retry_after, scope }) => {
            Reply::rate_limited(millis(retry_after), scope, peek())
        }
        Some(FaultKind::Status(status)) => {
            let error = match status {
                401 => ApiError::unauthorized(),
                403 => ApiError::missing_permissions(),
                404 => ApiError::route_not_found(),
                _ => ApiError::server_error(status),
            };
            Reply::error(error, peek())
        }
        Some(FaultKind::Delay(_)) | None => process(
            &shared,
            &parts.method,
            &parts.headers,
            matched,
            bot,
            ua_ok,
            &query,
            (&body, too_large),
        ),
    };

    shared.recorder.record(RecordedCall {
        route: route_of,
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts.headers.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
        bot_id: bot,
        user_agent_ok: ua_ok,
        status: reply.status,
        at,
    });
    reply.into_response()
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

#[allow(clippy::too_many_arguments)]
fn process(
    shared: &Shared,
    method: &Method,
    headers: &HeaderMap,
    matched: Result<Matched, NoRoute>,
    bot: Option<u64>,
    ua_ok: bool,
    query: &[(String, String)],
    (body, too_large): (&[u8], bool),
) -> Reply {
    if shared.require_user_agent && !ua_ok {
        // What Cloudflare answers in front of Discord for a blocked client.
        return Reply {
            status: 403,
            body: Some("error code: 1020".to_owned()),
            content_type: "text/plain; charset=UTF-8",
            budget: None,
            headers: Vec::new(),
        };
    }
    let (route, major, minor, path_error) = match matched {
        Ok(m) => (m.route, m.major, m.minor, None),
        Err(NoRoute::BadSnowflake(route, error)) => (route, None, None, Some(error)),
        Err(NoRoute::NotFound) => return Reply::error(ApiError::route_not_found(), None),
        Err(NoRoute::MethodNotAllowed) => {
            return Reply::error(ApiError::method_not_allowed(), None);
        }
    };
    let Some(bot) = bot else {
        return Reply::error(
            ApiError::unauthorized(),
            Some(shared.limits.peek(0, route, major)),
        );
    };
    let budget = match shared.limits.admit(bot, route, major) {
        Admission::Admitted(budget) => budget,
        Admission::Route(budget) => {
            return Reply::rate_limited(budget.reset_after, RateLimitScope::User, Some(budget));
        }
        Admission::Global { retry_after } => {
            let budget = shared.limits.peek(bot, route, major);
            return Reply::rate_limited(retry_after, RateLimitScope::Global, Some(budget));
        }
    };
    if let Some(error) = path_error {
        return Reply::error(error, Some(budget));
    }
    if too_large {
        return Reply::error(ApiError::too_large(), Some(budget));
    }
    let json_body = match read_body(method, headers, body) {
        Ok(v) => v,
        Err(e) => return Reply::error(e, Some(budget)),
    };
    let call = Call {
        matched: Matched {
            route,
            major,
            minor,
        },
        bot,
        query,
        body: json_body.as_ref(),
        now: chrono::Utc::now(),
    };
    let mut world = shared.world.lock().unwrap_or_else(|e| e.into_inner());
    match handlers::handle(&mut world, &call) {
        Ok(Answer::Json(v)) => Reply::json(200, &v, Some(budget)),
        Ok(Answer::NoContent) => Reply {
            status: 204,
            body: None,
            content_type: "application/json",
            budget: Some(budget),
            headers: Vec::new(),
        },
        Err(e) => Reply::error(e, Some(budget)),
    }
}

/// The JSON body of a POST or PATCH: Content-Type must be JSON (50035 otherwise) and the
/// body must parse (50109 otherwise). An empty body reads as no fields.
fn read_body(method: &Method, headers: &HeaderMap, body: &[u8]) -> Result<Option<Value>, ApiError> {
    if !(method == Method::POST || method == Method::PATCH) || body.is_empty() {
        return Ok(None);
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" {
        let mut errors = FormErrors::default();
        errors.add(
            &[],
            "CONTENT_TYPE_INVALID",
            "Expected \"Content-Type\" header to be one of {'application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'}.",
        );
        return Err(errors.into_error());
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(|_| ApiError::invalid_json())
}
