//! The application's tunables. The server maps its configuration into this.

use std::time::Duration;

use url::Url;

#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Where clients reach this deployment: the issuer of link tokens and the base of the
    /// links they travel in.
    pub public_url: Url,
    pub cache: CacheConfig,
    /// How long concurrent single lookups wait to be sent together in one batch call.
    pub batch_window: Duration,
    /// Lifetime of profile link tokens (at most 15 minutes).
    pub link_token_ttl: Duration,
}

/// How long looked-up Spaces are kept, by state. Live Spaces change quickly; scheduled ones
/// slowly; ended and canceled ones are kept only briefly, well within X's terms.
#[derive(Debug, Clone, Copy)]
pub struct CacheConfig {
    pub live_ttl: Duration,
    pub scheduled_ttl: Duration,
    pub ended_ttl: Duration,
    pub not_found_ttl: Duration,
    pub max_entries: u64,
}

impl ServiceConfig {
    /// The public URL without a trailing slash.
    pub fn public_base(&self) -> &str {
        self.public_url.as_str().trim_end_matches('/')
    }
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            // A literal URL always parses.
            #[allow(clippy::expect_used)]
            public_url: Url::parse("http://127.0.0.1:8080").expect("valid literal URL"),
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
