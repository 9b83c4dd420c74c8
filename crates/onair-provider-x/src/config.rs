//! How the operator points onair at X: the `providers.x` section of the server's
//! configuration, declared here once with its file keys and defaults.

use std::time::Duration;

use onair_core::config_serde::{
    deserialize_http_url, deserialize_secret, duration_millis, duration_secs, serialize_secret,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

/// Where X is and with what the operator calls it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct XConfig {
    /// Whether the server offers the X network at all. The adapter does not read it.
    pub enabled: bool,
    /// X's API root; tests point it at a fake. Default `https://api.x.com`.
    #[serde(deserialize_with = "deserialize_http_url")]
    pub base_url: Url,
    /// The operator's app-only bearer token: used for calls that bring no credential of
    /// their own. Without it, such calls fail as not configured. Shown redacted.
    #[serde(
        deserialize_with = "deserialize_secret",
        serialize_with = "serialize_secret"
    )]
    pub bearer_token: Option<SecretString>,
    /// The longest a whole call may take, from connecting to the last body byte. Default 10 s.
    #[serde(rename = "timeout_secs", with = "duration_secs")]
    pub timeout: Duration,
    /// The longest connecting may take. Default 3 s.
    #[serde(rename = "connect_timeout_secs", with = "duration_secs")]
    pub connect_timeout: Duration,
    /// The least time between two `by/creator_ids` calls with one credential; X allows one
    /// a second. Default 1 s.
    #[serde(rename = "creator_ids_min_interval_ms", with = "duration_millis")]
    pub creator_ids_min_interval: Duration,
}

pub(crate) const DEFAULT_BASE_URL: &str = "https://api.x.com";

impl Default for XConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            // A literal URL always parses.
            #[allow(clippy::expect_used)]
            base_url: Url::parse(DEFAULT_BASE_URL).expect("the default X base URL parses"),
            bearer_token: None,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
            creator_ids_min_interval: Duration::from_secs(1),
        }
    }
}

/// Why an [`XConfig`] cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum XConfigError {
    #[error("the X base URL `{0}` must use http or https")]
    UnsupportedScheme(String),
    #[error("the X base URL `{0}` must be a plain address without query, fragment or credentials")]
    UnusableBaseUrl(String),
    #[error("the X {0} must be longer than zero")]
    ZeroTimeout(&'static str),
    #[error("the X bearer token is empty; leave it unset instead")]
    EmptyBearerToken,
    #[error("the X bearer token contains characters that cannot be sent in an HTTP header")]
    UnsendableBearerToken,
    #[error("the HTTP client for X cannot be built: {0}")]
    HttpClient(#[source] reqwest::Error),
}

impl XConfig {
    pub(crate) fn check(&self) -> Result<(), XConfigError> {
        let url = &self.base_url;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(XConfigError::UnsupportedScheme(url.to_string()));
        }
        if url.cannot_be_a_base()
            || url.host().is_none()
            || url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(XConfigError::UnusableBaseUrl(url.to_string()));
        }
        if self.timeout.is_zero() {
            return Err(XConfigError::ZeroTimeout("timeout"));
        }
        if self.connect_timeout.is_zero() {
            return Err(XConfigError::ZeroTimeout("connect timeout"));
        }
        if let Some(token) = &self.bearer_token {
            check_token(token.expose_secret())?;
        }
        Ok(())
    }
}

/// A token must survive as `Authorization: Bearer <token>`: visible ASCII only.
pub(crate) fn check_token(token: &str) -> Result<(), XConfigError> {
    if token.trim().is_empty() {
        return Err(XConfigError::EmptyBearerToken);
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(XConfigError::UnsendableBearerToken);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let c = XConfig::default();
        assert_eq!(c.base_url.as_str(), "https://api.x.com/");
        assert_eq!(c.timeout, Duration::from_secs(10));
        assert_eq!(c.creator_ids_min_interval, Duration::from_secs(1));
        assert!(c.bearer_token.is_none());
        assert!(c.check().is_ok());
    }

    #[test]
    fn rejects_what_cannot_work() {
        let with = |f: fn(&mut XConfig)| {
            let mut c = XConfig::default();
            f(&mut c);
            c.check().unwrap_err().to_string()
        };
        assert!(
            with(|c| c.base_url = Url::parse("ftp://x.com").unwrap()).contains("http or https")
        );
        assert!(
            with(|c| c.base_url = Url::parse("https://api.x.com/?a=1").unwrap())
                .contains("plain address")
        );
        assert!(
            with(|c| c.base_url = Url::parse("https://u:p@api.x.com/").unwrap())
                .contains("plain address")
        );
        assert!(with(|c| c.timeout = Duration::ZERO).contains("timeout"));
        assert!(with(|c| c.connect_timeout = Duration::ZERO).contains("connect timeout"));
        assert!(with(|c| c.bearer_token = Some("  ".into())).contains("empty"));
        assert!(with(|c| c.bearer_token = Some("AAAA\nBBBB".into())).contains("HTTP header"));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let c = XConfig {
            bearer_token: Some("AAAAsecret-token-value".into()),
            ..XConfig::default()
        };
        assert!(!format!("{c:?}").contains("secret-token-value"));
        let shown = serde_json::to_string(&c).unwrap();
        assert!(!shown.contains("secret-token-value"), "{shown}");
        assert!(
            shown.contains(onair_core::config_serde::REDACTED),
            "{shown}"
        );
    }

    #[test]
    fn reads_the_operator_keys_in_seconds_and_milliseconds() {
        let c: XConfig = serde_json::from_str(
            r#"{"timeout_secs": 4, "creator_ids_min_interval_ms": 250, "enabled": false}"#,
        )
        .unwrap();
        assert_eq!(c.timeout, Duration::from_secs(4));
        assert_eq!(c.creator_ids_min_interval, Duration::from_millis(250));
        assert_eq!(c.connect_timeout, XConfig::default().connect_timeout);
        assert!(!c.enabled);
        let err = serde_json::from_str::<XConfig>(r#"{"timeout": 4}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }
}
