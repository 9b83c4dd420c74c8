//! The ids of what onair stores for its tenants (tenants, API keys, profiles, credentials,
//! audit entries): typed, prefixed strings that say what they name and refuse malformed
//! input at the edge. `onair-store` re-exports them.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// Why a textual id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid {kind} id (expected `{prefix}_` followed by {len} characters)")]
pub struct IdParseError {
    pub kind: &'static str,
    pub prefix: &'static str,
    pub len: usize,
    pub input: String,
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $kind:literal) => {
        $(#[$doc])*
        ///
        /// Shown as the prefix, `_`, then a UUIDv7 in 32 lower-case hex digits, so ids sort by
        /// creation time and say what they name.
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            pub fn generate() -> Self {
                Self(format!("{}_{}", $prefix, uuid::Uuid::now_v7().simple()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let ok = s
                    .strip_prefix(concat!($prefix, "_"))
                    .is_some_and(|rest| rest.len() == 32 && rest.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
                if ok {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(IdParseError { kind: $kind, prefix: $prefix, len: 32, input: shorten(s) })
                }
            }
        }

        id_common!($name);
    };
}

macro_rules! id_common {
    ($name:ident) => {
        impl TryFrom<String> for $name {
            type Error = IdParseError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

uuid_id!(
    /// A tenant: one customer of the onair deployment.
    TenantId, "ten", "tenant"
);
uuid_id!(
    /// An end-user profile of a tenant.
    ProfileId, "prof", "profile"
);
uuid_id!(
    /// A stored upstream credential.
    CredentialId, "cred", "credential"
);
uuid_id!(
    /// One audit-log entry.
    AuditEventId, "aud", "audit event"
);

/// An API key's public id, `key_` + 12 base62 characters. The same 12 characters are part
/// of the key itself (`onair_store::secrets::Token`), so a presented key names its row.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ApiKeyId(String);

impl ApiKeyId {
    pub const PREFIX: &'static str = "key";
    pub const PUBLIC_LEN: usize = 12;

    /// The id for the public part carried inside a key.
    pub fn from_public(public: &str) -> Result<Self, IdParseError> {
        format!("key_{public}").parse()
    }

    /// The 12 characters after `key_`.
    pub fn public_part(&self) -> &str {
        &self.0[4..]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ApiKeyId {
    type Err = IdParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = s.strip_prefix("key_").is_some_and(|rest| {
            rest.len() == Self::PUBLIC_LEN && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(IdParseError {
                kind: "API key",
                prefix: "key",
                len: Self::PUBLIC_LEN,
                input: shorten(s),
            })
        }
    }
}

id_common!(ApiKeyId);

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(64).flat_map(char::escape_debug).collect();
    if s.chars().count() > 64 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back() {
        let t = TenantId::generate();
        assert!(t.as_str().starts_with("ten_"));
        assert_eq!(t.as_str().parse::<TenantId>().unwrap(), t);
        assert!(
            t.as_str().parse::<ProfileId>().is_err(),
            "prefix is checked"
        );
    }

    #[test]
    fn refuses_malformed_ids() {
        for bad in [
            "",
            "ten_",
            "ten_XYZ",
            "prof_0193",
            "ten_0193c5e0a1b27c3d8e9f00112233445G",
        ] {
            assert!(bad.parse::<TenantId>().is_err(), "{bad}");
        }
        assert!("key_abcDEF123456".parse::<ApiKeyId>().is_ok());
        assert!("key_abc".parse::<ApiKeyId>().is_err());
        assert!("key_abcDEF12345!".parse::<ApiKeyId>().is_err());
    }
}
