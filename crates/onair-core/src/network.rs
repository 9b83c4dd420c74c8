use std::{borrow::Cow, fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// The canonical, lower-case name of a network (`x`, `sandbox`, `clubhouse`).
///
/// Aliases (`twitter` for `x`) are resolved by the [`crate::ProviderRegistry`], never here:
/// a `NetworkId` is always the canonical spelling.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NetworkId(Cow<'static, str>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("network names are 1 to 32 characters of a-z, 0-9, '-' or '_', starting with a letter")]
pub struct NetworkIdError;

impl NetworkId {
    pub const MAX_LEN: usize = 32;

    /// For providers naming themselves; panics on an invalid constant, which is a programming error.
    pub const fn from_static(name: &'static str) -> Self {
        assert!(is_valid(name.as_bytes()), "invalid static network id");
        Self(Cow::Borrowed(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

const fn is_valid(b: &[u8]) -> bool {
    if b.is_empty() || b.len() > NetworkId::MAX_LEN || !b[0].is_ascii_lowercase() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_') {
            return false;
        }
        i += 1;
    }
    true
}

impl FromStr for NetworkId {
    type Err = NetworkIdError;

    /// Accepts any case and normalises to lower case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        if is_valid(lower.as_bytes()) {
            Ok(Self(Cow::Owned(lower)))
        } else {
            Err(NetworkIdError)
        }
    }
}

impl TryFrom<String> for NetworkId {
    type Error = NetworkIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<NetworkId> for String {
    fn from(n: NetworkId) -> Self {
        n.0.into_owned()
    }
}

impl AsRef<str> for NetworkId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NetworkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for NetworkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NetworkId({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_lowercases() {
        assert_eq!("X".parse::<NetworkId>().unwrap().as_str(), "x");
        assert_eq!(
            "sand_box-2".parse::<NetworkId>().unwrap().as_str(),
            "sand_box-2"
        );
    }

    #[test]
    fn rejects_bad_names() {
        for bad in ["", "1x", "-x", "x y", "x:y", "é", &"a".repeat(33)] {
            assert!(bad.parse::<NetworkId>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn serde_validates() {
        assert!(serde_json::from_str::<NetworkId>("\"x\"").is_ok());
        assert!(serde_json::from_str::<NetworkId>("\"no way\"").is_err());
    }
}
