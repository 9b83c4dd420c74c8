//! The API's tunables, and the application's that the server sets through them. The server
//! maps its configuration file and environment into this.

use std::time::Duration;

pub use onair_service::CacheConfig;
use onair_service::ServiceConfig;
use url::Url;

#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Where clients reach this deployment; used to build absolute URLs (link pages).
    pub public_url: Url,
    pub rate_limit: RateLimitConfig,
    pub cache: CacheConfig,
    /// How long concurrent single lookups wait to be sent together in one batch call.
    pub batch_window: Duration,
    /// How long a search waits for each network before reporting it as timed out.
    pub search_timeout: Duration,
    /// Lifetime of profile link tokens (at most 15 minutes).
    pub link_token_ttl: Duration,
    /// Largest accepted request body.
    pub body_limit_bytes: usize,
    /// Longest a request may take before it is answered with 504.
    pub request_timeout: Duration,
}

/// Per-tenant request rate limits.
#[derive(Debug, Clone, Copy)]
pub struct RateLimitConfig {
    /// Sustained requests per minute for one tenant.
    pub per_minute: u32,
    /// Requests a tenant may send at once above the sustained rate.
    pub burst: u32,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            // A literal URL always parses.
            #[allow(clippy::expect_used)]
            public_url: Url::parse("http://127.0.0.1:8080").expect("valid literal URL"),
            rate_limit: RateLimitConfig::default(),
            cache: CacheConfig::default(),
            batch_window: Duration::from_millis(5),
            search_timeout: Duration::from_secs(8),
            link_token_ttl: Duration::from_secs(10 * 60),
            body_limit_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            per_minute: 1200,
            burst: 200,
        }
    }
}

impl ApiConfig {
    /// The application's part of these settings.
    pub fn service_config(&self) -> ServiceConfig {
        ServiceConfig {
            public_url: self.public_url.clone(),
            cache: self.cache,
            batch_window: self.batch_window,
            link_token_ttl: self.link_token_ttl,
        }
    }
}
