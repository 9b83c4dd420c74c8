//! The API's tunables: the `request_timeout_secs`, `body_limit_bytes`, `search_timeout_ms`
//! and `rate_limit` settings of the server's configuration, declared here once with their
//! file keys and defaults. The application's own settings are
//! `onair_service::ServiceConfig`.

use std::time::Duration;

use onair_core::config_serde::{duration_millis, duration_secs};
pub use onair_service::CacheConfig;
use serde::{Deserialize, Serialize};
use url::Url;

/// Not `deny_unknown_fields`: these settings sit at the top level of the server's
/// configuration beside others; the server refuses keys that no section declares.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct ApiConfig {
    /// Where clients reach this deployment; used to build absolute URLs (link pages). Not
    /// a setting of its own: the server derives it.
    #[serde(skip, default = "default_public_url")]
    pub public_url: Url,
    pub rate_limit: RateLimitConfig,
    /// How long a search waits for each network before reporting it as timed out.
    #[serde(rename = "search_timeout_ms", with = "duration_millis")]
    pub search_timeout: Duration,
    /// Largest accepted request body.
    pub body_limit_bytes: usize,
    /// Longest a request may take before it is answered with 504.
    #[serde(rename = "request_timeout_secs", with = "duration_secs")]
    pub request_timeout: Duration,
}

/// Per-tenant request rate limits.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Sustained requests per minute for one tenant.
    pub per_minute: u32,
    /// Requests a tenant may send at once above the sustained rate.
    pub burst: u32,
}

/// The address the server listens on by default.
fn default_public_url() -> Url {
    // A literal URL always parses.
    #[allow(clippy::expect_used)]
    Url::parse("http://127.0.0.1:8080").expect("valid literal URL")
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            public_url: default_public_url(),
            rate_limit: RateLimitConfig::default(),
            search_timeout: Duration::from_secs(8),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_operator_keys_and_keeps_defaults_for_the_rest() {
        let c: ApiConfig = serde_json::from_str(
            r#"{"search_timeout_ms": 250, "rate_limit": {"burst": 5}, "listen": "elsewhere"}"#,
        )
        .unwrap();
        assert_eq!(c.search_timeout, Duration::from_millis(250));
        assert_eq!(c.rate_limit.burst, 5);
        assert_eq!(c.rate_limit.per_minute, 1200);
        assert_eq!(c.request_timeout, Duration::from_secs(30));
        let err = serde_json::from_str::<ApiConfig>(r#"{"rate_limit": {"brust": 5}}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let shown = serde_json::to_value(ApiConfig::default()).unwrap();
        assert_eq!(shown["request_timeout_secs"], 30);
        assert_eq!(shown["body_limit_bytes"], 65_536);
        assert!(shown.get("public_url").is_none());
    }
}
