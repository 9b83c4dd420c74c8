//! The application's tunables: the `batch_window_ms`, `link_token_ttl_secs` and `cache`
//! settings of the server's configuration, declared here once with their file keys and
//! defaults.

use std::time::Duration;

use onair_core::config_serde::{duration_millis, duration_secs};
use serde::{Deserialize, Serialize};
use url::Url;

/// Not `deny_unknown_fields`: these settings sit at the top level of the server's
/// configuration beside others; the server refuses keys that no section declares.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct ServiceConfig {
    /// Where clients reach this deployment: the issuer of link tokens and the base of the
    /// links they travel in. Not a setting of its own: the server derives it.
    #[serde(skip, default = "default_public_url")]
    pub public_url: Url,
    pub cache: CacheConfig,
    /// How long concurrent single lookups wait to be sent together in one batch call.
    #[serde(rename = "batch_window_ms", with = "duration_millis")]
    pub batch_window: Duration,
    /// Lifetime of profile link tokens (at most 15 minutes).
    #[serde(rename = "link_token_ttl_secs", with = "duration_secs")]
    pub link_token_ttl: Duration,
}

/// How long looked-up Spaces are kept, by state. Live Spaces change quickly; scheduled ones
/// slowly; ended and canceled ones are kept only briefly, well within X's terms.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    #[serde(rename = "live_ttl_secs", with = "duration_secs")]
    pub live_ttl: Duration,
    #[serde(rename = "scheduled_ttl_secs", with = "duration_secs")]
    pub scheduled_ttl: Duration,
    #[serde(rename = "ended_ttl_secs", with = "duration_secs")]
    pub ended_ttl: Duration,
    #[serde(rename = "not_found_ttl_secs", with = "duration_secs")]
    pub not_found_ttl: Duration,
    pub max_entries: u64,
}

impl ServiceConfig {
    /// The public URL without a trailing slash.
    pub fn public_base(&self) -> &str {
        self.public_url.as_str().trim_end_matches('/')
    }
}

/// The address the server listens on by default.
fn default_public_url() -> Url {
    // A literal URL always parses.
    #[allow(clippy::expect_used)]
    Url::parse("http://127.0.0.1:8080").expect("valid literal URL")
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            public_url: default_public_url(),
            cache: CacheConfig::default(),
            batch_window: Duration::from_millis(5),
            link_token_ttl: Duration::from_secs(10 * 60),
        }
    }
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            live_ttl: Duration::from_secs(15),
            scheduled_ttl: Duration::from_secs(120),
            ended_ttl: Duration::from_secs(60),
            not_found_ttl: Duration::from_secs(10),
            max_entries: 100_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_operator_keys_and_keeps_defaults_for_the_rest() {
        let c: ServiceConfig = serde_json::from_str(
            r#"{"batch_window_ms": 0, "cache": {"live_ttl_secs": 3}, "listen": "elsewhere"}"#,
        )
        .unwrap();
        assert_eq!(c.batch_window, Duration::ZERO);
        assert_eq!(c.cache.live_ttl, Duration::from_secs(3));
        assert_eq!(c.cache.scheduled_ttl, CacheConfig::default().scheduled_ttl);
        assert_eq!(c.link_token_ttl, Duration::from_secs(600));
        let err =
            serde_json::from_str::<ServiceConfig>(r#"{"cache": {"live_ttl": 3}}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let shown = serde_json::to_value(ServiceConfig::default()).unwrap();
        assert_eq!(shown["link_token_ttl_secs"], 600);
        assert_eq!(shown["cache"]["max_entries"], 100_000);
        assert!(shown.get("public_url").is_none());
    }
}
