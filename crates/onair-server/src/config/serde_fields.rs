//! Field (de)serialisers for the server's own settings whose error messages or output need
//! care: lists of secrets (never echoed) and addresses (the expected form spelled out).
//! Those the crates' sections share are in `onair_core::config_serde`.

use std::{fmt, net::SocketAddr};

use onair_core::config_serde::{REDACTED, deserialize_secret};
use secrecy::SecretString;
use serde::{
    Deserializer, Serializer,
    de::{self, SeqAccess, Visitor},
};

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
        deserialize_secret(d)
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
