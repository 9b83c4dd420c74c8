//! The rules for text a caller chooses: names of keys, profiles and tenants, and upstream
//! tokens. Every caller (the API, the CLI, the linking page) parses through these types, so
//! the rules cannot drift apart; each caller words the refusal for its own reader.

use std::fmt;

use secrecy::SecretString;

/// Why a text is not a valid label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("it is empty")]
    Empty,
    #[error("it is longer than {max} characters")]
    TooLong { max: usize },
    #[error("it contains a control character")]
    ControlCharacter,
}

/// The rule for human text (names, search keywords): trimmed, 1 to `max` characters, no
/// control characters. Returns the trimmed text.
pub fn check_label(value: &str, max: usize) -> Result<&str, LabelError> {
    let value = value.trim();
    let count = value.chars().count();
    if count == 0 {
        Err(LabelError::Empty)
    } else if count > max {
        Err(LabelError::TooLong { max })
    } else if value.chars().any(char::is_control) {
        Err(LabelError::ControlCharacter)
    } else {
        Ok(value)
    }
}

macro_rules! label_type {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Longest accepted, in characters.
            pub const MAX_CHARS: usize = $max;

            /// Trims `value` and checks it against the label rule.
            pub fn parse(value: &str) -> Result<Self, LabelError> {
                check_label(value, Self::MAX_CHARS).map(|v| Self(v.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

label_type!(
    /// The name of an API key.
    ApiKeyName,
    100
);
label_type!(
    /// The name of a profile (one of a tenant's end users).
    ProfileName,
    200
);
label_type!(
    /// The name of a tenant.
    TenantName,
    200
);

/// Why a text is not a usable upstream token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("it is empty")]
    Empty,
    #[error("it is {len} characters long; at most {max} are accepted", max = UpstreamToken::MAX_LEN)]
    TooLong { len: usize },
    #[error("it contains characters other than visible ASCII")]
    NotVisibleAscii,
}

/// An upstream credential as a caller hands it to onair (an access or bot token): trimmed,
/// 1 to [`UpstreamToken::MAX_LEN`] visible ASCII characters. Its `Debug` hides it.
#[derive(Clone)]
pub struct UpstreamToken(SecretString);

impl UpstreamToken {
    /// Longest accepted, in (ASCII) characters; X's tokens are about 100.
    pub const MAX_LEN: usize = 4096;

    pub fn parse(value: &str) -> Result<Self, TokenError> {
        let token = value.trim();
        if token.is_empty() {
            Err(TokenError::Empty)
        } else if token.len() > Self::MAX_LEN {
            Err(TokenError::TooLong { len: token.len() })
        } else if !token.bytes().all(|b| b.is_ascii_graphic()) {
            Err(TokenError::NotVisibleAscii)
        } else {
            Ok(Self(SecretString::from(token.to_owned())))
        }
    }

    pub fn secret(&self) -> &SecretString {
        &self.0
    }
}

impl fmt::Debug for UpstreamToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UpstreamToken(..)")
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn labels_are_trimmed_bounded_in_characters_and_free_of_controls() {
        assert_eq!(ApiKeyName::parse("  ci  ").unwrap().as_str(), "ci");
        assert_eq!(ApiKeyName::parse("   "), Err(LabelError::Empty));
        assert_eq!(
            ApiKeyName::parse("a\u{7}b"),
            Err(LabelError::ControlCharacter)
        );
        assert!(ApiKeyName::parse(&"é".repeat(100)).is_ok());
        assert_eq!(
            ApiKeyName::parse(&"é".repeat(101)),
            Err(LabelError::TooLong { max: 100 })
        );
        assert!(ProfileName::parse(&"x".repeat(200)).is_ok());
        assert!(ProfileName::parse(&"x".repeat(201)).is_err());
        assert!(TenantName::parse(&"x".repeat(201)).is_err());
    }

    #[test]
    fn upstream_tokens_are_visible_ascii_and_bounded() {
        let t = UpstreamToken::parse(" AAAA%2Fb ").unwrap();
        assert_eq!(t.secret().expose_secret(), "AAAA%2Fb");
        assert!(!format!("{t:?}").contains("AAAA"));
        assert_eq!(UpstreamToken::parse(" ").unwrap_err(), TokenError::Empty);
        assert_eq!(
            UpstreamToken::parse("a b").unwrap_err(),
            TokenError::NotVisibleAscii
        );
        assert_eq!(
            UpstreamToken::parse("é").unwrap_err(),
            TokenError::NotVisibleAscii
        );
        assert!(UpstreamToken::parse(&"a".repeat(4096)).is_ok());
        assert_eq!(
            UpstreamToken::parse(&"a".repeat(4097)).unwrap_err(),
            TokenError::TooLong { len: 4097 }
        );
    }
}
