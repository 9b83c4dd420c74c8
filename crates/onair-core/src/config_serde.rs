//! Field (de)serialisers shared by the crates' configuration sections, so that each crate
//! declares its settings once, with the file and environment names operators use:
//! durations as whole seconds (`_secs`) or milliseconds (`_ms`), secrets that are never
//! echoed, and `http(s)` URLs whose errors spell out the expected form.
//!
//! Use them with `#[serde(with = "...")]` or `deserialize_with`/`serialize_with`.

use std::fmt;

use secrecy::SecretString;
use serde::{
    Deserialize, Deserializer, Serializer,
    de::{self, Visitor},
};
use url::Url;

/// Shown in place of a configured secret.
pub const REDACTED: &str = "[redacted]";

/// A [`std::time::Duration`] written as a whole number of seconds.
pub mod duration_secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}

/// A [`std::time::Duration`] written as a whole number of milliseconds.
pub mod duration_millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

/// Accepts any scalar as the secret's text (an all-digit key is still a key), never puts
/// the value in an error, and treats an empty value as unset.
struct SecretVisitor;

impl<'de> Visitor<'de> for SecretVisitor {
    type Value = Option<SecretString>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a secret string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let v = v.trim();
        Ok((!v.is_empty()).then(|| SecretString::from(v)))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        self.visit_str(&v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// An optional secret; empty text means unset.
pub fn deserialize_secret<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<SecretString>, D::Error> {
    d.deserialize_any(SecretVisitor)
}

/// A set secret as [`REDACTED`], an unset one as nothing.
pub fn serialize_secret<S: Serializer>(
    secret: &Option<SecretString>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match secret {
        Some(_) => s.serialize_some(REDACTED),
        None => s.serialize_none(),
    }
}

/// An absolute `http`/`https` URL, with the expected form in the error.
pub fn deserialize_http_url<'de, D: Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
    let text = String::deserialize(d)?;
    parse_http_url(&text).map_err(de::Error::custom)
}

/// As [`deserialize_http_url`], with empty text meaning unset.
pub fn deserialize_opt_http_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    let text = Option::<String>::deserialize(d)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse_http_url(text).map(Some).map_err(de::Error::custom),
    }
}

fn parse_http_url(text: &str) -> Result<Url, String> {
    let expected =
        "expected an absolute http:// or https:// URL such as `https://onair.example.com`";
    let url = Url::parse(text.trim())
        .map_err(|e| format!("{expected}, got `{}` ({e})", text.escape_debug()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!("{expected}, got `{}`", text.escape_debug()));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use secrecy::ExposeSecret;
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Debug, Deserialize, Serialize)]
    struct Section {
        #[serde(with = "duration_secs")]
        timeout_secs: Duration,
        #[serde(with = "duration_millis")]
        window_ms: Duration,
        #[serde(
            default,
            deserialize_with = "deserialize_secret",
            serialize_with = "serialize_secret"
        )]
        token: Option<SecretString>,
        #[serde(deserialize_with = "deserialize_http_url")]
        url: Url,
    }

    #[test]
    fn durations_secrets_and_urls_round_trip_in_operator_units() {
        let section: Section = serde_json::from_str(
            r#"{"timeout_secs": 7, "window_ms": 5, "token": 1234, "url": "http://x.test"}"#,
        )
        .unwrap();
        assert_eq!(section.timeout_secs, Duration::from_secs(7));
        assert_eq!(section.window_ms, Duration::from_millis(5));
        assert_eq!(section.token.as_ref().unwrap().expose_secret(), "1234");
        let shown = serde_json::to_value(&section).unwrap();
        assert_eq!(shown["timeout_secs"], 7);
        assert_eq!(shown["window_ms"], 5);
        assert_eq!(shown["token"], REDACTED);
    }

    #[test]
    fn bad_values_are_refused_without_echoing_secrets() {
        let err = serde_json::from_str::<Section>(
            r#"{"timeout_secs": "soon", "window_ms": 5, "url": "http://x.test"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("u64"), "{err}");
        let err = serde_json::from_str::<Section>(
            r#"{"timeout_secs": 1, "window_ms": 5, "url": "x.test"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("http:// or https://"), "{err}");
        let section: Section = serde_json::from_str(
            r#"{"timeout_secs": 1, "window_ms": 5, "token": "  ", "url": "https://x.test"}"#,
        )
        .unwrap();
        assert!(section.token.is_none());
    }
}
