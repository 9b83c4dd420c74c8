//! Field (de)serialisers for values whose error messages or output need care: secrets
//! (never echoed, accepted whatever their textual shape) and addresses (the expected form
//! spelled out).

use std::{fmt, net::SocketAddr};

use secrecy::SecretString;
use serde::{
    Deserializer, Serializer,
    de::{self, SeqAccess, Visitor},
};

/// Shown in place of a configured secret.
pub const REDACTED: &str = "[redacted]";

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

pub fn deserialize_secret<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<SecretString>, D::Error> {
    d.deserialize_any(SecretVisitor)
}

pub fn serialize_secret<S: Serializer>(
    secret: &Option<SecretString>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match secret {
        Some(_) => s.serialize_some(REDACTED),
        None => s.serialize_none(),
    }
}

/// A list of secrets: a TOML array, or (from the environment) one string of
/// comma-separated keys. Empty entries are dropped.
struct SecretListVisitor;

impl<'de> Visitor<'de> for SecretListVisitor {
    type Value = Vec<SecretString>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of secret strings, or one string of comma-separated secrets")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(SecretString::from)
            .collect())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        self.visit_str(&v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element_seed(SecretSeed)? {
            out.extend(item);
        }
        Ok(out)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
}

struct SecretSeed;

impl<'de> de::DeserializeSeed<'de> for SecretSeed {
    type Value = Option<SecretString>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(SecretVisitor)
    }
}

pub fn deserialize_secret_list<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<SecretString>, D::Error> {
    d.deserialize_any(SecretListVisitor)
}

pub fn serialize_secret_list<S: Serializer>(
    secrets: &[SecretString],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(secrets.iter().map(|_| REDACTED))
}

/// `IP:port`, with the expected form in the error (a host name is not accepted: the
/// server binds, it does not resolve).
pub fn deserialize_socket_addr<'de, D: Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    struct AddrVisitor;
    impl Visitor<'_> for AddrVisitor {
        type Value = SocketAddr;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an IP address and port, e.g. `127.0.0.1:8080` or `[::]:8080`")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            v.trim().parse().map_err(|_| {
                E::custom(format!(
                    "expected an IP address and port such as `127.0.0.1:8080`, `0.0.0.0:8080` or `[::]:8080`, got `{}`",
                    v.escape_debug()
                ))
            })
        }
    }
    d.deserialize_str(AddrVisitor)
}

/// An absolute `http`/`https` URL, with the expected form in the error.
pub fn deserialize_http_url<'de, D: Deserializer<'de>>(d: D) -> Result<url::Url, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(d)?;
    parse_http_url(&text).map_err(de::Error::custom)
}

pub fn deserialize_opt_http_url<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<url::Url>, D::Error> {
    let text = <Option<String> as serde::Deserialize>::deserialize(d)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse_http_url(text).map(Some).map_err(de::Error::custom),
    }
}

fn parse_http_url(text: &str) -> Result<url::Url, String> {
    let expected =
        "expected an absolute http:// or https:// URL such as `https://onair.example.com`";
    let url = url::Url::parse(text.trim())
        .map_err(|e| format!("{expected}, got `{}` ({e})", text.escape_debug()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!("{expected}, got `{}`", text.escape_debug()));
    }
    Ok(url)
}
