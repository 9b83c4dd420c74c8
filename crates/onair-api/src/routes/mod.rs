//! The HTTP surface: one router per resource, the public routes, and the layers around them.

pub mod api_keys;
mod health;
mod link_page;
pub mod networks;
pub mod profiles;
pub mod spaces;
pub(crate) mod validate;

use std::time::Duration;

use axum::{
    Router,
    extract::{DefaultBodyLimit, State},
    http::{HeaderValue, StatusCode, header},
    middleware::{from_fn, from_fn_with_state},
    response::{IntoResponse, Response},
    routing::get,
};
use tower_http::{catch_panic::CatchPanicLayer, timeout::TimeoutLayer};
use utoipa::OpenApi as _;
use utoipa_axum::{router::OpenApiRouter, routes};
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    auth::require_tenant,
    error::{ApiError, PendingProblem, pending_response},
    metrics,
    middleware::{observe, record_route},
    openapi::ApiDoc,
    state::AppState,
};
use onair_core::ProblemCode;

/// Routes that need an API key.
fn protected() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(networks::router())
        .merge(spaces::router())
        .merge(api_keys::router())
        .merge(profiles::router())
}

/// Routes open to anyone (documented ones; the rest are added in [`router`]).
fn public() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
}

/// The OpenAPI document, from the same routers that serve the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = protected().split_for_parts();
    let (_, public_doc) = public().split_for_parts();
    doc.merge(public_doc);
    crate::openapi::apply_v1_conventions(&mut doc);
    doc
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (protected, mut doc) = protected().split_for_parts();
    let (public, public_doc) = public().split_for_parts();
    doc.merge(public_doc);
    crate::openapi::apply_v1_conventions(&mut doc);
    let protected = protected.route_layer(from_fn_with_state(state.clone(), require_tenant));
    let docs = SwaggerUi::new("/docs").url("/openapi.json", doc).config(
        utoipa_swagger_ui::Config::default()
            // Never call out to the public validator: the page must work offline.
            .validator_url("none")
            .try_it_out_enabled(true)
            .persist_authorization(false),
    );
    Router::new()
        .merge(protected)
        .merge(public)
        .merge(docs)
        .route("/metrics", get(metrics_page))
        .route("/link", get(link_page::show).post(link_page::submit))
        .route("/problems/{code}", get(problem_type))
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(from_fn(record_route))
        .layer(DefaultBodyLimit::max(state.config.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            state.config.request_timeout,
        ))
        .layer(CatchPanicLayer::new())
        .layer(from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

async fn route_not_found(req: axum::extract::Request) -> ApiError {
    let path = req.uri().path().chars().take(200).collect::<String>();
    ApiError::Rejected(
        StatusCode::NOT_FOUND,
        format!(
            "no route {} {}; see /openapi.json for the API",
            req.method(),
            path.escape_debug()
        ),
    )
}

async fn method_not_allowed(req: axum::extract::Request) -> ApiError {
    ApiError::Rejected(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} is not allowed on this route", req.method()),
    )
}

async fn metrics_page(State(state): State<AppState>) -> Response {
    match metrics::render(&state).await {
        Some(text) => {
            let mut r = text.into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            r
        }
        None => pending_response(
            PendingProblem {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: ProblemCode::MetricsUnavailable,
                title: "Metrics unavailable",
                detail: "another metrics recorder was installed in this process".into(),
                errors: Vec::new(),
            },
            Some(Duration::from_secs(60)),
        ),
    }
}

/// `GET /problems/{code}`: what a problem type means, so `type` URIs resolve.
async fn problem_type(crate::extract::Path(code): crate::extract::Path<String>) -> Response {
    match crate::problems::describe(&code) {
        Some(text) => {
            axum::Json(serde_json::json!({"code": code, "description": text})).into_response()
        }
        None => {
            ApiError::NotFound(format!("no problem type `{}`", code.escape_debug())).into_response()
        }
    }
}
