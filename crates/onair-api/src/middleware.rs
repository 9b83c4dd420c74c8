//! The request path's outer layers: request ids, tracing, metrics, and the rendering of
//! every error response as problem+json.

use std::time::{Duration, Instant};

use axum::{
    body::{Body, to_bytes},
    extract::{MatchedPath, Request, State},
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::Response,
};
use tracing::Instrument;

use crate::{
    error::{PROBLEM_CONTENT_TYPE, PendingProblem, Problem, generic_problem},
    state::AppState,
};

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id: the client's `x-request-id` when it sent a sane one, else a new UUIDv7.
/// Kept as a header value, which the response and logs share without copying.
#[derive(Debug, Clone)]
pub struct RequestId(pub HeaderValue);

impl RequestId {
    pub fn as_str(&self) -> &str {
        // Only visible ASCII is ever stored (checked on the way in, or generated).
        self.0.to_str().unwrap_or_default()
    }
}

/// The route template that served a response, recorded for metrics labels.
#[derive(Debug, Clone)]
struct MatchedRoute(MatchedPath);

fn request_id_from(req: &Request) -> RequestId {
    let sane = |v: &&HeaderValue| {
        let b = v.as_bytes();
        !b.is_empty()
            && b.len() <= 128
            && b.iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
    };
    match req.headers().get(&REQUEST_ID).filter(sane) {
        Some(v) => RequestId(v.clone()),
        None => {
            let mut buf = uuid::Uuid::encode_buffer();
            let text = uuid::Uuid::now_v7().hyphenated().encode_lower(&mut buf);
            // A hyphenated UUID is always a valid header value.
            RequestId(HeaderValue::from_str(text).unwrap_or(HeaderValue::from_static("-")))
        }
    }
}

/// Outermost layer: assigns the request id, opens the request's span, records metrics and
/// renders problems.
pub async fn observe(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let _in_flight = crate::metrics::InFlight::start();
    let id = request_id_from(&req);
    req.extensions_mut().insert(id.clone());
    let method = req.method().clone();
    // Only what every line inside the request needs; the rest goes on the closing line.
    let span = tracing::info_span!(
        "request",
        request_id = id.as_str(),
        tenant_id = tracing::field::Empty
    );
    // Cloning a URI shares its bytes; cheap enough to keep for the closing line.
    let uri = req.uri().clone();
    let response = next.run(req).instrument(span.clone()).await;
    let mut response = finalize_problem(&state, id.as_str(), response).await;
    response.headers_mut().insert(REQUEST_ID.clone(), id.0);
    let route = response.extensions_mut().remove::<MatchedRoute>();
    let route = route.as_ref().map_or("unmatched", |r| r.0.as_str());
    let status = response.status();
    let elapsed = started.elapsed();
    crate::metrics::record_request(&method, route, status.as_u16(), elapsed);
    span.in_scope(|| access_log(&method, uri.path(), status, route, elapsed));
    response
}

/// The closing line of every request, under the target `onair::access`: failures at
/// `info` (client errors) or `warn` (server errors), successes at `debug`. A line per
/// successful request costs more than serving a cached lookup, and a reverse proxy in front
/// usually logs those already; `ONAIR_LOG_LEVEL=info,onair::access=debug` logs them all.
fn access_log(method: &Method, path: &str, status: StatusCode, route: &str, elapsed: Duration) {
    macro_rules! line {
        ($level:ident) => {
            tracing::$level!(
                target: "onair::access",
                method = %method,
                path,
                status = status.as_u16(),
                route,
                latency_ms = elapsed.as_secs_f64() * 1000.0,
                "request finished"
            )
        };
    }
    if status.is_server_error() {
        line!(warn);
    } else if status.is_client_error() {
        line!(info);
    } else {
        line!(debug);
    }
}

/// Inner layer (a route layer, so it sees the matched route): remembers the route template.
pub async fn record_route(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(req).await;
    if let Some(route) = route {
        response.extensions_mut().insert(MatchedRoute(route));
    }
    response
}

/// Marks an error response written for a person in a browser (the linking page's), which
/// stays as it is instead of becoming problem+json.
#[derive(Clone, Copy)]
pub struct PageForPeople;

/// Renders a pending problem, or turns any other error response into one.
async fn finalize_problem(state: &AppState, request_id: &str, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<PageForPeople>().is_some()
    {
        return response;
    }
    if let Some(pending) = response.extensions().get::<PendingProblem>().cloned() {
        return render(state, request_id, pending, response);
    }
    let already_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_CONTENT_TYPE.as_bytes()));
    if already_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    // Framework rejections carry a short text explaining the failure; keep it for 4xx.
    let text = to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let pending = generic_problem(status, text);
    render(
        state,
        request_id,
        pending,
        Response::from_parts(parts, Body::empty()),
    )
}

fn render(state: &AppState, request_id: &str, p: PendingProblem, response: Response) -> Response {
    let problem = Problem {
        type_uri: format!("{}/problems/{}", state.public_base(), p.code),
        title: p.title.to_owned(),
        status: p.status.as_u16(),
        detail: p.detail,
        code: p.code.as_str().to_owned(),
        request_id: request_id.to_owned(),
        errors: p.errors,
    };
    let (mut parts, _) = response.into_parts();
    parts.status = p.status;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
    );
    parts.extensions.remove::<PendingProblem>();
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    Response::from_parts(parts, Body::from(body))
}
