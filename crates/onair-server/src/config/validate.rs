//! Checks that need more than a type: ranges, lengths, relations between settings.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tracing_subscriber::EnvFilter;

use super::{Config, ConfigError, ConfigProblem};

/// Shortest accepted secret key, in characters (as the keyring requires).
pub const MIN_SECRET_KEY_LEN: usize = 32;

struct Checks(Vec<ConfigProblem>);

impl Checks {
    fn range(&mut self, key: &str, value: u64, min: u64, max: u64, unit: &str) {
        if value < min || value > max {
            self.0.push(ConfigProblem::new(
                key,
                format!("must be a whole number from {min} to {max} ({unit}), got {value}"),
            ));
        }
    }

    fn secret(&mut self, key: &str, secret: &SecretString) {
        let len = secret.expose_secret().chars().count();
        if len < MIN_SECRET_KEY_LEN {
            self.0.push(ConfigProblem::new(
                key,
                format!(
                    "must be at least {MIN_SECRET_KEY_LEN} characters, got {len} (generate one with `onair secret generate`)"
                ),
            ));
        }
    }
}

impl Config {
    /// Every problem at once, each naming its setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut c = Checks(Vec::new());

        if let Some(secret) = &self.secret_key {
            c.secret("secret_key", secret);
        }
        for (i, previous) in self.previous_secret_keys.iter().enumerate() {
            let before = c.0.len();
            c.secret("previous_secret_keys", previous);
            if let Some(problem) = c.0.get_mut(before) {
                problem.message = format!("entry {} {}", i + 1, problem.message);
            }
        }
        let mut all: Vec<&str> = self
            .secret_key
            .iter()
            .chain(&self.previous_secret_keys)
            .map(|s| s.expose_secret())
            .collect();
        all.sort_unstable();
        if all.windows(2).any(|w| w[0] == w[1]) {
            c.0.push(ConfigProblem::new(
                "previous_secret_keys",
                "must not repeat a key (or the current `secret_key`)",
            ));
        }
        if let Err(err) = EnvFilter::try_new(&self.log_level) {
            c.0.push(ConfigProblem::new(
                "log_level",
                format!(
                    "must be a tracing filter directive such as `info` or `info,onair_api=debug` ({err})"
                ),
            ));
        }

        c.range(
            "shutdown_grace_secs",
            self.shutdown_grace_secs,
            0,
            3600,
            "seconds",
        );
        c.range(
            "request_timeout_secs",
            self.api.request_timeout.as_secs(),
            1,
            3600,
            "seconds",
        );
        c.range(
            "body_limit_bytes",
            self.api.body_limit_bytes as u64,
            1024,
            64 * 1024 * 1024,
            "bytes",
        );
        c.range(
            "batch_window_ms",
            millis(self.service.batch_window),
            0,
            1000,
            "milliseconds",
        );
        c.range(
            "search_timeout_ms",
            millis(self.api.search_timeout),
            1,
            120_000,
            "milliseconds",
        );
        c.range(
            "link_token_ttl_secs",
            self.service.link_token_ttl.as_secs(),
            1,
            900,
            "seconds",
        );

        c.range(
            "rate_limit.per_minute",
            self.api.rate_limit.per_minute.into(),
            1,
            u32::MAX.into(),
            "requests",
        );
        c.range(
            "rate_limit.burst",
            self.api.rate_limit.burst.into(),
            1,
            u32::MAX.into(),
            "requests",
        );

        const DAY: u64 = 24 * 60 * 60;
        c.range(
            "cache.live_ttl_secs",
            self.service.cache.live_ttl.as_secs(),
            0,
            DAY,
            "seconds",
        );
        c.range(
            "cache.scheduled_ttl_secs",
            self.service.cache.scheduled_ttl.as_secs(),
            0,
            DAY,
            "seconds",
        );
        c.range(
            "cache.ended_ttl_secs",
            self.service.cache.ended_ttl.as_secs(),
            0,
            DAY,
            "seconds",
        );
        c.range(
            "cache.not_found_ttl_secs",
            self.service.cache.not_found_ttl.as_secs(),
            0,
            DAY,
            "seconds",
        );
        c.range(
            "cache.max_entries",
            self.service.cache.max_entries,
            1,
            u64::MAX,
            "entries",
        );

        let x = &self.providers.x;
        c.range(
            "providers.x.timeout_secs",
            x.timeout.as_secs(),
            1,
            300,
            "seconds",
        );
        c.range(
            "providers.x.connect_timeout_secs",
            x.connect_timeout.as_secs(),
            1,
            300,
            "seconds",
        );
        c.range(
            "providers.x.creator_ids_min_interval_ms",
            millis(x.creator_ids_min_interval),
            0,
            60_000,
            "milliseconds",
        );

        if !x.base_url.username().is_empty()
            || x.base_url.password().is_some()
            || x.base_url.query().is_some()
            || x.base_url.fragment().is_some()
        {
            c.0.push(ConfigProblem::new(
                "providers.x.base_url",
                "must be a plain http(s) address without credentials, query or fragment",
            ));
        }
        if let Some(token) = &x.bearer_token {
            // It travels in an `Authorization` header: visible ASCII only.
            if !token.expose_secret().bytes().all(|b| b.is_ascii_graphic()) {
                c.0.push(ConfigProblem::new(
                    "providers.x.bearer_token",
                    "contains characters that cannot be sent in an HTTP header (spaces, control or non-ASCII characters)",
                ));
            }
        }

        if let Some(url) = &self.public_url
            && (url.query().is_some() || url.fragment().is_some())
        {
            c.0.push(ConfigProblem::new(
                "public_url",
                format!("must not have a query or fragment, got `{url}`"),
            ));
        }

        if c.0.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(c.0))
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
