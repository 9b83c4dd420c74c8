//! The API's one error type and its RFC 9457 `application/problem+json` rendering.
//!
//! Handlers return [`ApiError`]; it becomes a response carrying a [`Problem`] in its
//! extensions, and the outermost middleware ([`crate::middleware::observe`])
//! serialises it with the request id. That middleware also turns every other error
//! response (axum's rejections, unknown routes, oversized bodies) into a problem, so no
//! error ever leaves as text/plain.

use std::time::Duration;

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use onair_core::{CredentialSource, IdError, ProblemCode, ProviderError, RateLimitScope};
use onair_service::ServiceError;
use onair_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// One item of a problem's `errors` list: which input was wrong and why.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The parameter, header or body field (`ids`, `query`, `Profile-Key`, `name`).
    pub field: String,
    /// The offending value, shortened, where echoing it helps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    pub detail: String,
}

/// An RFC 9457 problem document, as every onair error is sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type: `<public url>/problems/<code>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, snake_case: what clients should branch on.
    pub code: String,
    /// The id of this request, also sent as the `x-request-id` header; quote it in support requests.
    pub request_id: String,
    /// The individual input errors, when several were found at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// A problem before the request id and base URL are filled in.
#[derive(Debug, Clone)]
pub struct PendingProblem {
    pub status: StatusCode,
    pub code: ProblemCode,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    Invalid {
        code: ProblemCode,
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A framework rejection with its own status (e.g. 413 for an oversized body).
    #[error("{1}")]
    Rejected(StatusCode, String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{detail}")]
    InvalidProfileKey { detail: String },
    #[error("{0}")]
    LinkToken(#[from] onair_service::LinkError),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    SpaceNotFound(String),
    #[error("{0}")]
    NetworkNotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("rate limit exceeded")]
    RateLimited { retry_after: Duration },
    #[error("{error}")]
    Upstream {
        error: ProviderError,
        /// Whose credentials the failed call used: a tenant's own problem is the tenant's
        /// to fix (4xx), the operator's is the deployment's (5xx).
        credentials: Option<CredentialSource>,
    },
    #[error("the database is unavailable")]
    StoreUnavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn invalid_field(code: ProblemCode, field: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        Self::Invalid {
            code,
            errors: vec![FieldError {
                field: field.to_owned(),
                value: None,
                detail: detail.clone(),
            }],
            detail,
        }
    }

    pub fn upstream(error: ProviderError, credentials: Option<CredentialSource>) -> Self {
        Self::Upstream { error, credentials }
    }

    /// How this error reads to a client, and `Retry-After` if it has one.
    pub fn to_problem(&self) -> (PendingProblem, Option<Duration>) {
        use StatusCode as S;
        let p = |status, code, title, detail: String| PendingProblem {
            status,
            code,
            title,
            detail,
            errors: Vec::new(),
        };
        match self {
            Self::Invalid {
                code,
                detail,
                errors,
            } => (
                PendingProblem {
                    status: S::BAD_REQUEST,
                    code: *code,
                    title: "Invalid request",
                    detail: detail.clone(),
                    errors: errors.clone(),
                },
                None,
            ),
            Self::Rejected(status, text) => (generic_problem(*status, text.clone()), None),
            Self::UnsupportedMediaType(detail) => (
                p(
                    S::UNSUPPORTED_MEDIA_TYPE,
                    ProblemCode::UnsupportedMediaType,
                    "Unsupported media type",
                    detail.clone(),
                ),
                None,
            ),
            Self::Unauthenticated(detail) => (
                p(S::UNAUTHORIZED, ProblemCode::Unauthorized, "Unauthorized", detail.clone()),
                None,
            ),
            Self::InvalidProfileKey { detail } => (
                p(S::UNAUTHORIZED, ProblemCode::InvalidProfileKey, "Invalid Profile-Key", detail.clone()),
                None,
            ),
            Self::LinkToken(e) => {
                let code = match e {
                    onair_service::LinkError::Expired => ProblemCode::LinkTokenExpired,
                    onair_service::LinkError::Invalid(_) => ProblemCode::InvalidLinkToken,
                    onair_service::LinkError::Used => ProblemCode::LinkTokenUsed,
                };
                (p(S::UNAUTHORIZED, code, "Invalid link token", e.to_string()), None)
            }
            Self::NotFound(detail) => (p(S::NOT_FOUND, ProblemCode::NotFound, "Not found", detail.clone()), None),
            Self::SpaceNotFound(detail) => (
                p(S::NOT_FOUND, ProblemCode::SpaceNotFound, "Space not found", detail.clone()),
                None,
            ),
            Self::NetworkNotFound(detail) => (
                p(S::NOT_FOUND, ProblemCode::NetworkNotFound, "Network not found", detail.clone()),
                None,
            ),
            Self::Conflict(detail) => (p(S::CONFLICT, ProblemCode::Conflict, "Conflict", detail.clone()), None),
            Self::RateLimited { retry_after } => (
                p(
                    S::TOO_MANY_REQUESTS,
                    ProblemCode::RateLimited,
                    "Too many requests",
                    format!(
                        "this tenant's request rate limit is spent; retry in {} s",
                        retry_after.as_secs().max(1)
                    ),
                ),
                Some(*retry_after),
            ),
            Self::Upstream { error, credentials } => upstream_problem(error, *credentials),
            Self::StoreUnavailable => (
                p(
                    S::SERVICE_UNAVAILABLE,
                    ProblemCode::ServiceUnavailable,
                    "Service unavailable",
                    "onair cannot reach its database right now; retry shortly".into(),
                ),
                Some(Duration::from_secs(2)),
            ),
            Self::Internal(_) => (
                p(
                    S::INTERNAL_SERVER_ERROR,
                    ProblemCode::InternalError,
                    "Internal error",
                    "onair failed to handle this request; the details are in its log under this request id".into(),
                ),
                None,
            ),
        }
    }
}

/// Maps a network failure to a problem. This is the only place that decides which
/// upstream failures are the client's to fix (4xx) and which are onair's or the
/// network's (5xx).
pub fn upstream_problem(
    error: &ProviderError,
    source: Option<CredentialSource>,
) -> (PendingProblem, Option<Duration>) {
    use StatusCode as S;
    let tenant_owned = matches!(
        source,
        Some(CredentialSource::Tenant | CredentialSource::Profile)
    );
    let whose = if tenant_owned {
        "your stored credentials for this network"
    } else {
        "the deployment's credentials for this network"
    };
    let (status, title, detail, retry) = match error {
        ProviderError::NotFound { .. } => (
            S::NOT_FOUND,
            "Not found on the network",
            error.to_string(),
            None,
        ),
        ProviderError::InvalidInput { detail } => (
            S::BAD_REQUEST,
            "Rejected by the network",
            format!("the network rejected the request: {detail}"),
            None,
        ),
        ProviderError::Rejected { .. } => (
            S::BAD_GATEWAY,
            "Network refused onair's request",
            error.to_string(),
            None,
        ),
        ProviderError::Withheld { .. } => (
            S::FORBIDDEN,
            "Withheld by the network",
            error.to_string(),
            None,
        ),
        ProviderError::Unauthorized { .. } | ProviderError::Forbidden { .. } => {
            let status = if tenant_owned {
                S::UNPROCESSABLE_ENTITY
            } else {
                S::BAD_GATEWAY
            };
            (
                status,
                "Credentials rejected by the network",
                format!("the network refused {whose}: {error}"),
                None,
            )
        }
        ProviderError::PaymentRequired { .. } => {
            let status = if tenant_owned {
                S::PAYMENT_REQUIRED
            } else {
                S::BAD_GATEWAY
            };
            (
                status,
                "Network account out of credits",
                format!("{error} (using {whose})"),
                None,
            )
        }
        ProviderError::RateLimited { scope, reset_at } => {
            let retry = reset_at
                .and_then(|at| (at - chrono::Utc::now()).to_std().ok())
                .map(|d| d.max(Duration::from_secs(1)))
                .or(Some(Duration::from_secs(60)));
            let what = match scope {
                RateLimitScope::UsageCap => "the network account's usage cap is spent",
                RateLimitScope::Window | RateLimitScope::Budget => {
                    "the network's rate limit for these credentials is spent"
                }
            };
            (
                S::SERVICE_UNAVAILABLE,
                "Network rate limit reached",
                format!("{what}; onair holds calls back until it resets"),
                retry,
            )
        }
        ProviderError::Unavailable { .. } => (
            S::BAD_GATEWAY,
            "Network unavailable",
            error.to_string(),
            None,
        ),
        ProviderError::Timeout => (
            S::GATEWAY_TIMEOUT,
            "Network timed out",
            error.to_string(),
            None,
        ),
        ProviderError::MalformedResponse { .. } => (
            S::BAD_GATEWAY,
            "Unreadable network response",
            error.to_string(),
            None,
        ),
        ProviderError::Unsupported { .. } => (
            S::UNPROCESSABLE_ENTITY,
            "Not supported by the network",
            error.to_string(),
            None,
        ),
        ProviderError::NotConfigured { .. } => (
            S::UNPROCESSABLE_ENTITY,
            "Network not configured",
            error.to_string(),
            None,
        ),
    };
    let code = match error {
        ProviderError::NotFound { .. } => ProblemCode::SpaceNotFound,
        other => other.problem_code(),
    };
    (
        PendingProblem {
            status,
            code,
            title,
            detail,
            errors: Vec::new(),
        },
        retry,
    )
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound("no such object".into()),
            StoreError::Conflict { constraint } => {
                Self::Conflict(format!("conflicts with an existing object ({constraint})"))
            }
            StoreError::Unavailable(_) => Self::StoreUnavailable,
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(f) => {
                Self::invalid_field(ProblemCode::InvalidBody, f.field, f.detail)
            }
            ServiceError::Unauthenticated(detail) => Self::Unauthenticated(detail),
            ServiceError::InvalidProfileKey(detail) => Self::InvalidProfileKey { detail },
            ServiceError::LinkToken(e) => Self::LinkToken(e),
            ServiceError::NotFound(detail) => Self::NotFound(detail),
            ServiceError::NetworkNotFound(detail) => Self::NetworkNotFound(detail),
            ServiceError::CredentialsNotAccepted(detail) => {
                Self::invalid(ProblemCode::CredentialsNotAccepted, detail)
            }
            ServiceError::Conflict(detail) => Self::Conflict(detail),
            ServiceError::Upstream { error, credentials } => Self::Upstream { error, credentials },
            ServiceError::StoreUnavailable(_) => Self::StoreUnavailable,
            ServiceError::Internal(source) => Self::Internal(error_chain(source.as_ref())),
        }
    }
}

/// An error and its sources, for the log line of an internal error.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl From<IdError> for ApiError {
    fn from(e: IdError) -> Self {
        match e {
            IdError::UnknownNetwork(_) => Self::NetworkNotFound(e.to_string()),
            other => Self::invalid(ProblemCode::InvalidId, other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (problem, retry_after) = self.to_problem();
        if problem.status.is_server_error() {
            tracing::error!(error = %self, code = problem.code.as_str(), "request failed");
        } else {
            tracing::debug!(error = %self, code = problem.code.as_str(), "request refused");
        }
        let challenge = matches!(self, Self::Unauthenticated(_));
        let mut response = pending_response(problem, retry_after);
        if challenge {
            // RFC 6750 §3: a 401 names the scheme a client should use.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"onair\""),
            );
        }
        response
    }
}

/// A response that the problem middleware will render.
pub fn pending_response(problem: PendingProblem, retry_after: Option<Duration>) -> Response {
    let mut response = problem.status.into_response();
    if let Some(after) = retry_after {
        let secs = after.as_secs() + u64::from(after.subsec_nanos() > 0);
        if let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    response.extensions_mut().insert(problem);
    response
}

/// The problem for an error response that carries only a status and maybe a short text.
pub fn generic_problem(status: StatusCode, text: String) -> PendingProblem {
    use StatusCode as S;
    let (code, title, fallback) = match status {
        S::BAD_REQUEST => (
            ProblemCode::InvalidRequest,
            "Invalid request",
            "the request is malformed",
        ),
        S::UNAUTHORIZED => (
            ProblemCode::Unauthorized,
            "Unauthorized",
            "authentication is required",
        ),
        S::NOT_FOUND => (
            ProblemCode::RouteNotFound,
            "Not found",
            "no such route; see /openapi.json for the API",
        ),
        S::METHOD_NOT_ALLOWED => (
            ProblemCode::MethodNotAllowed,
            "Method not allowed",
            "this route does not accept that method",
        ),
        S::REQUEST_TIMEOUT => (
            ProblemCode::RequestTimeout,
            "Request timeout",
            "the request took too long to arrive",
        ),
        S::PAYLOAD_TOO_LARGE => (
            ProblemCode::PayloadTooLarge,
            "Payload too large",
            "the request body is larger than this server accepts",
        ),
        S::UNSUPPORTED_MEDIA_TYPE => (
            ProblemCode::UnsupportedMediaType,
            "Unsupported media type",
            "send the body as application/json",
        ),
        S::UNPROCESSABLE_ENTITY => (
            ProblemCode::InvalidBody,
            "Invalid body",
            "the request body does not match the expected shape",
        ),
        S::TOO_MANY_REQUESTS => (ProblemCode::RateLimited, "Too many requests", "slow down"),
        S::SERVICE_UNAVAILABLE => (
            ProblemCode::ServiceUnavailable,
            "Service unavailable",
            "retry shortly",
        ),
        S::GATEWAY_TIMEOUT => (
            ProblemCode::Timeout,
            "Timeout",
            "the request took too long to handle",
        ),
        s if s.is_server_error() => (
            ProblemCode::InternalError,
            "Internal error",
            "onair failed to handle this request; the details are in its log under this request id",
        ),
        _ => (
            ProblemCode::ClientError,
            "Client error",
            "the request cannot be served",
        ),
    };
    // Server errors never show what went wrong inside; the log has it.
    let detail = if status.is_client_error() && !text.is_empty() && !text.starts_with('<') {
        text
    } else {
        if status.is_server_error() && !text.is_empty() {
            tracing::error!(status = status.as_u16(), body = %text, "error response from an inner layer");
        }
        fallback.to_owned()
    };
    PendingProblem {
        status,
        code,
        title,
        detail,
        errors: Vec::new(),
    }
}
