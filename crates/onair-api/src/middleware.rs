//! The request path's outer layers: request ids, tracing, metrics, and the rendering of
//! every error response as problem+json.

use std::{sync::Arc, time::Instant};

use axum::{
    body::{Body, to_bytes},
    extract::{MatchedPath, Request, State},
    http::{HeaderName, HeaderValue, header},
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
#[derive(Debug, Clone)]
pub struct RequestId(pub Arc<str>);

/// The route template that served a response, recorded for metrics labels.
#[derive(Debug, Clone)]
struct MatchedRoute(Arc<str>);

fn request_id_from(req: &Request) -> Arc<str> {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 128
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(Arc::from)
        .unwrap_or_else(|| Arc::from(uuid::Uuid::now_v7().to_string()))
}

/// Outermost layer: assigns the request id, opens the request's span, records metrics and
/// renders problems.
pub async fn observe(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id_from(&req);
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %method,
        path = %req.uri().path(),
        tenant_id = tracing::field::Empty,
    );
    let response = next.run(req).instrument(span.clone()).await;
    let mut response = finalize_problem(&state, &id, response).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID.clone(), v);
    }
    let route = response
        .extensions()
        .get::<MatchedRoute>()
        .map(|r| r.0.clone())
        .unwrap_or_else(|| Arc::from("unmatched"));
    let status = response.status();
    let elapsed = started.elapsed();
    crate::metrics::record_request(method.as_str(), &route, status.as_u16(), elapsed);
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            route = %route,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "request finished"
        );
    });
    response
}

/// Inner layer (a route layer, so it sees the matched route): remembers the route template.
pub async fn record_route(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| Arc::<str>::from(p.as_str()));
    let mut response = next.run(req).await;
    if let Some(route) = route {
        response.extensions_mut().insert(MatchedRoute(route));
    }
    response
}

/// Renders a pending problem, or turns any other error response into one.
async fn finalize_problem(state: &AppState, request_id: &str, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
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
        code: p.code.to_owned(),
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
