//! Liveness and readiness.

use std::time::Duration;

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    error::{PendingProblem, Problem, pending_response},
    state::AppState,
};
use onair_core::ProblemCode;

#[derive(Serialize, ToSchema)]
pub struct HealthDto {
    /// `ok`.
    pub status: &'static str,
    /// The store backend (`sqlite` or `postgres`), for readiness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// Liveness: the process is up and serving HTTP.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "Alive", body = HealthDto)))]
pub async fn healthz() -> Json<HealthDto> {
    Json(HealthDto {
        status: "ok",
        database: None,
    })
}

/// Readiness: 503 (a problem, code `not_ready`) while the database is unreachable or the
/// server is shutting down.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "Ready for traffic", body = HealthDto),
        (status = 503, description = "Not ready: the database is unreachable or the server is draining", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let not_ready = |detail: &str| {
        let problem = PendingProblem {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: ProblemCode::NotReady,
            title: "Not ready",
            detail: detail.to_owned(),
            errors: Vec::new(),
        };
        pending_response(problem, Some(Duration::from_secs(1)))
    };
    if state.health.is_draining() {
        return not_ready("the server is shutting down");
    }
    match tokio::time::timeout(Duration::from_secs(2), state.service.store.ping()).await {
        Ok(Ok(())) => Json(HealthDto {
            status: "ok",
            database: Some(state.service.store.backend()),
        })
        .into_response(),
        _ => not_ready("the database is unreachable"),
    }
}
