use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::random_bytes;
use crate::ApiKeyId;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ID_LEN: usize = ApiKeyId::PUBLIC_LEN;
/// 30 base62 characters carry 178 bits.
const SECRET_LEN: usize = 30;
const CHECKSUM_LEN: usize = 6;
const BODY_LEN: usize = ID_LEN + SECRET_LEN + CHECKSUM_LEN;

/// Which kind of key a token is; the prefix says it, so secret scanners can tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A tenant's API key: `onair_sk_…`.
    ApiKey,
    /// A profile's `Profile-Key`: `onair_pk_…`.
    ProfileKey,
}

impl TokenKind {
    pub fn prefix(self) -> &'static str {
        match self {
            Self::ApiKey => "onair_sk_",
            Self::ProfileKey => "onair_pk_",
        }
    }
}

/// A key in the style of GitHub's tokens: prefix, 12-character public id, 30 random
/// characters, and a 6-character CRC32 of everything before it, all base62
/// (e.g. `onair_sk_` + 48 characters). A mistyped key fails its checksum without any
/// database query.
#[derive(Clone)]
pub struct Token {
    kind: TokenKind,
    value: SecretString,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the key does not start with `{0}`")]
    Prefix(&'static str),
    #[error("the key has the wrong length")]
    Length,
    #[error("the key contains characters that are not letters or digits")]
    Alphabet,
    #[error("the key's checksum does not match: it was mistyped or cut short")]
    Checksum,
}

/// The keyed hash (HMAC-SHA256) of a token: all the database ever holds of it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TokenHash(pub [u8; 32]);

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", hex::encode(&self.0[..4]))
    }
}

impl TokenHash {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }
}

fn random_base62(out: &mut String, n: usize) {
    // Rejection sampling keeps every character equally likely (256 = 4·62 + 8).
    let mut buf = [0u8; 64];
    let mut have = 0;
    while have < n {
        random_bytes(&mut buf);
        for &b in &buf {
            if have == n {
                break;
            }
            if b < 248 {
                out.push(BASE62[usize::from(b % 62)] as char);
                have += 1;
            }
        }
    }
}

fn checksum(text: &str) -> [u8; CHECKSUM_LEN] {
    let mut n = crc32fast::hash(text.as_bytes());
    let mut digits = [b'0'; CHECKSUM_LEN];
    for d in digits.iter_mut().rev() {
        *d = BASE62[(n % 62) as usize];
        n /= 62;
    }
    digits
}

impl Token {
    /// A new random token. For API keys the public id is that of `ApiKeyId`.
    pub fn generate(kind: TokenKind) -> Self {
        let mut text = String::with_capacity(kind.prefix().len() + BODY_LEN);
        text.push_str(kind.prefix());
        random_base62(&mut text, ID_LEN + SECRET_LEN);
        let sum = checksum(&text);
        text.extend(sum.iter().map(|&b| char::from(b)));
        Self {
            kind,
            value: SecretString::from(text),
        }
    }

    /// Checks prefix, length, alphabet and checksum; touches no database.
    pub fn parse(kind: TokenKind, text: &str) -> Result<Self, TokenError> {
        let body = text
            .strip_prefix(kind.prefix())
            .ok_or(TokenError::Prefix(kind.prefix()))?;
        if body.len() != BODY_LEN {
            return Err(TokenError::Length);
        }
        if !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TokenError::Alphabet);
        }
        let (signed, sum) = text.split_at(text.len() - CHECKSUM_LEN);
        if checksum(signed) != sum.as_bytes() {
            return Err(TokenError::Checksum);
        }
        Ok(Self {
            kind,
            value: SecretString::from(text.to_owned()),
        })
    }

    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    /// The public id carried in the token (for API keys, the key's row id).
    pub fn public_id(&self) -> &str {
        let start = self.kind.prefix().len();
        &self.expose()[start..start + ID_LEN]
    }

    /// The API key id this token names. Only meaningful for [`TokenKind::ApiKey`].
    pub fn api_key_id(&self) -> ApiKeyId {
        // The public part is 12 base62 characters by construction, always a valid id.
        #[allow(clippy::expect_used)]
        ApiKeyId::from_public(self.public_id()).expect("token public ids are valid key ids")
    }

    /// The whole token, to show its owner once.
    pub fn expose(&self) -> &str {
        self.value.expose_secret()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({}{}…)", self.kind.prefix(), self.public_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_tokens_parse() {
        let t = Token::generate(TokenKind::ApiKey);
        assert_eq!(t.expose().len(), "onair_sk_".len() + 48);
        let parsed = Token::parse(TokenKind::ApiKey, t.expose()).unwrap();
        assert_eq!(parsed.public_id(), t.public_id());
        assert!(t.api_key_id().as_str().starts_with("key_"));
        assert_eq!(
            Token::parse(TokenKind::ProfileKey, t.expose()).unwrap_err(),
            TokenError::Prefix("onair_pk_")
        );
    }

    #[test]
    fn any_single_typo_fails_the_checksum_or_shape() {
        let t = Token::generate(TokenKind::ApiKey);
        let text = t.expose().to_owned();
        for i in "onair_sk_".len()..text.len() {
            let mut bytes = text.clone().into_bytes();
            bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
            let typo = String::from_utf8(bytes).unwrap();
            assert!(
                Token::parse(TokenKind::ApiKey, &typo).is_err(),
                "typo at {i} accepted"
            );
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let t = Token::generate(TokenKind::ProfileKey);
        let shown = format!("{t:?}");
        assert!(!shown.contains(&t.expose()[21..]), "{shown}");
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,80}") {
            let _ = Token::parse(TokenKind::ApiKey, &s);
            let _ = Token::parse(TokenKind::ApiKey, &format!("onair_sk_{s}"));
        }
    }
}
