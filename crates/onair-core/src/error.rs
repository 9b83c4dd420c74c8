use chrono::{DateTime, Utc};

use crate::ProblemCode;

/// Which budget ran out when a network refuses for rate reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitScope {
    /// The network's rolling window (X: 15 minutes) is spent; it refills at `reset_at`.
    Window,
    /// The account's usage cap (X: daily or monthly) is spent.
    UsageCap,
    /// onair held the call back itself because the known budget is spent.
    Budget,
}

/// Every way a network call can fail, whatever the network. Each adapter classifies its
/// upstream's failures into these in one place.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    #[error("no Space or user `{id}` on this network")]
    NotFound { id: String },
    /// The caller's own input (an id, a query) is not acceptable to the network.
    #[error("the network refused the request as invalid: {detail}")]
    InvalidInput { detail: String },
    /// The network refused a request for reasons that are not the caller's input: a field
    /// onair asks for, or a status onair does not expect. A gateway fault, not a client one.
    #[error("the network refused onair's request: {detail}")]
    Rejected { status: Option<u16>, detail: String },
    /// The network withholds one item from these credentials (X: `not-authorized-for-resource`);
    /// other items of the same request are unaffected.
    #[error("the network withholds `{id}` from these credentials: {detail}")]
    Withheld { id: String, detail: String },
    #[error("the network rejected the credentials: {detail}")]
    Unauthorized { detail: String },
    #[error("the network forbids this request: {detail}")]
    Forbidden {
        /// The network's machine-readable reason, e.g. `client-not-enrolled`.
        reason: Option<String>,
        detail: String,
    },
    #[error("the network account has no credits left: {detail}")]
    PaymentRequired { detail: String },
    #[error("rate limited by the network")]
    RateLimited {
        scope: RateLimitScope,
        /// When the budget refills, where known.
        reset_at: Option<DateTime<Utc>>,
    },
    #[error("the network is unavailable: {detail}")]
    Unavailable { status: Option<u16>, detail: String },
    #[error("the network did not answer in time")]
    Timeout,
    #[error("the network sent a response onair cannot read: {detail}")]
    MalformedResponse { detail: String },
    #[error("{detail}")]
    Unsupported { detail: String },
    #[error("{detail}")]
    NotConfigured { detail: String },
}

impl ProviderError {
    /// A stable snake_case code, the same in every API response that reports this error.
    pub fn code(&self) -> &'static str {
        self.problem_code().as_str()
    }

    /// The problem code of this error.
    pub fn problem_code(&self) -> ProblemCode {
        match self {
            Self::NotFound { .. } => ProblemCode::NotFound,
            Self::InvalidInput { .. } => ProblemCode::UpstreamInvalidRequest,
            Self::Rejected { .. } => ProblemCode::UpstreamRejectedRequest,
            Self::Withheld { .. } => ProblemCode::UpstreamWithheld,
            Self::Unauthorized { .. } => ProblemCode::UpstreamUnauthorized,
            Self::Forbidden { .. } => ProblemCode::UpstreamForbidden,
            Self::PaymentRequired { .. } => ProblemCode::UpstreamPaymentRequired,
            Self::RateLimited {
                scope: RateLimitScope::UsageCap,
                ..
            } => ProblemCode::UpstreamUsageCapped,
            Self::RateLimited { .. } => ProblemCode::UpstreamRateLimited,
            Self::Unavailable { .. } => ProblemCode::UpstreamUnavailable,
            Self::Timeout => ProblemCode::UpstreamTimeout,
            Self::MalformedResponse { .. } => ProblemCode::UpstreamMalformedResponse,
            Self::Unsupported { .. } => ProblemCode::NetworkUnsupported,
            Self::NotConfigured { .. } => ProblemCode::NetworkUnconfigured,
        }
    }

    /// Whether trying again later may succeed without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Unavailable { .. } | Self::Timeout
        )
    }

    pub fn unsupported(what: &str, network: &crate::NetworkId) -> Self {
        Self::Unsupported {
            detail: format!("{network} does not support {what}"),
        }
    }
}
