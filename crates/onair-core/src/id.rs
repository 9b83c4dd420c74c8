use std::fmt;

use serde::{Serialize, Serializer};

use crate::NetworkId;

/// The longest native id any network may use; longer input is refused before any lookup.
pub const MAX_NATIVE_LEN: usize = 128;

/// `network:native_id` as written by a client, split but not yet checked against a network.
///
/// Parsing only checks the shape; the [`crate::ProviderRegistry`] resolves the network
/// (aliases included) and asks that network's provider whether the native part is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawQualifiedId<'a> {
    pub network: &'a str,
    pub native: &'a str,
}

/// A checked, canonical qualified id (`x:1DXxyRYNejbKM`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualifiedId {
    network: NetworkId,
    native: String,
}

/// Why an id was refused. The messages are shown to API clients, so they say what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("the id is empty")]
    Empty,
    #[error("`{0}` is not a qualified id: write it as `network:id`, e.g. `x:1DXxyRYNejbKM`")]
    MissingNetwork(String),
    #[error("`{0}` has an empty network before the `:`")]
    EmptyNetwork(String),
    #[error("`{0}` has an empty id after the `:`")]
    EmptyNative(String),
    #[error("the id is longer than {MAX_NATIVE_LEN} characters")]
    TooLong,
    #[error("`{0}` is not a known network; GET /v1/networks lists them")]
    UnknownNetwork(String),
    #[error("`{id}` is not a valid {network} id: {reason}")]
    InvalidNative {
        network: NetworkId,
        id: String,
        reason: String,
    },
}

impl<'a> RawQualifiedId<'a> {
    pub fn parse(input: &'a str) -> Result<Self, IdError> {
        if input.is_empty() {
            return Err(IdError::Empty);
        }
        if input.len() > MAX_NATIVE_LEN + NetworkId::MAX_LEN + 1 {
            return Err(IdError::TooLong);
        }
        let Some((network, native)) = input.split_once(':') else {
            return Err(IdError::MissingNetwork(printable(input)));
        };
        if network.is_empty() {
            return Err(IdError::EmptyNetwork(printable(input)));
        }
        if native.is_empty() {
            return Err(IdError::EmptyNative(printable(input)));
        }
        if native.len() > MAX_NATIVE_LEN {
            return Err(IdError::TooLong);
        }
        Ok(Self { network, native })
    }
}

/// Input echoed in error messages, with control characters escaped so a problem body
/// never carries raw control bytes back to the client or into logs.
pub(crate) fn printable(s: &str) -> String {
    const MAX: usize = 80;
    let mut out: String = s.chars().take(MAX).flat_map(char::escape_debug).collect();
    if s.chars().count() > MAX {
        out.push('…');
    }
    out
}

impl QualifiedId {
    /// Builds an id whose native part the network has already validated.
    pub fn new(network: NetworkId, native: impl Into<String>) -> Self {
        Self {
            network,
            native: native.into(),
        }
    }

    pub fn network(&self) -> &NetworkId {
        &self.network
    }

    pub fn native(&self) -> &str {
        &self.native
    }
}

impl fmt::Display for QualifiedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.network, self.native)
    }
}

impl fmt::Debug for QualifiedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QualifiedId({self})")
    }
}

impl Serialize for QualifiedId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_at_the_first_colon() {
        let raw = RawQualifiedId::parse("x:1DXxyRYNejbKM").unwrap();
        assert_eq!((raw.network, raw.native), ("x", "1DXxyRYNejbKM"));
        let raw = RawQualifiedId::parse("sandbox:a:b").unwrap();
        assert_eq!((raw.network, raw.native), ("sandbox", "a:b"));
    }

    #[test]
    fn names_what_is_wrong() {
        assert_eq!(RawQualifiedId::parse(""), Err(IdError::Empty));
        assert!(matches!(
            RawQualifiedId::parse("1DXxyRYNejbKM"),
            Err(IdError::MissingNetwork(_))
        ));
        assert!(matches!(
            RawQualifiedId::parse(":abc"),
            Err(IdError::EmptyNetwork(_))
        ));
        assert!(matches!(
            RawQualifiedId::parse("x:"),
            Err(IdError::EmptyNative(_))
        ));
        assert_eq!(
            RawQualifiedId::parse(&format!("x:{}", "a".repeat(200))),
            Err(IdError::TooLong)
        );
    }

    #[test]
    fn error_text_escapes_control_characters() {
        let err = RawQualifiedId::parse("abc\u{0}\n").unwrap_err();
        let text = err.to_string();
        assert!(!text.contains('\u{0}') && !text.contains('\n'), "{text:?}");
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_round_trips(s in "\\PC{0,300}") {
            if let Ok(raw) = RawQualifiedId::parse(&s) {
                prop_assert_eq!(format!("{}:{}", raw.network, raw.native), s);
            }
        }
    }
}
