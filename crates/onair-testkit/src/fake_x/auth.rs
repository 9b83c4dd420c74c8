//! Who is calling: the token registry, and what an `Authorization` header says.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use sha2::{Digest, Sha256};

use super::ratelimit::{Bucket, PerSecond};

/// What a registered bearer token stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// OAuth 2.0 app-only bearer token.
    App,
    /// OAuth 2.0 user-context token (scopes `tweet.read users.read space.read`).
    User { user_id: String },
}

/// A stable, non-reversible name for a token: 16 hex digits of its SHA-256, the same as
/// `onair_core::Credential::fingerprint`.
pub fn token_fingerprint(token: &str) -> String {
    hex::encode(&Sha256::digest(token.as_bytes())[..8])
}

#[derive(Debug)]
pub(crate) struct TokenEntry {
    pub kind: TokenKind,
    pub fingerprint: String,
    /// One rate-limit bucket per endpoint, so tokens never contend with each other.
    pub buckets: [Mutex<Bucket>; 6],
    /// The per-second limit of `by/creator_ids`, shared by every token of the same app.
    pub app_gate: Arc<PerSecond>,
}

#[derive(Debug, Default)]
pub(crate) struct TokenRegistry {
    tokens: RwLock<HashMap<String, Arc<TokenEntry>>>,
}

impl TokenRegistry {
    pub fn add(&self, token: &str, kind: TokenKind, app_gate: Arc<PerSecond>) {
        let entry = Arc::new(TokenEntry {
            kind,
            fingerprint: token_fingerprint(token),
            buckets: Default::default(),
            app_gate,
        });
        self.tokens
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.to_owned(), entry);
    }

    pub fn get(&self, token: &str) -> Option<Arc<TokenEntry>> {
        self.tokens
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned()
    }

    /// The token already registered for `user_id`, if any.
    pub fn token_of_user(&self, user_id: &str) -> Option<String> {
        let tokens = self.tokens.read().unwrap_or_else(|e| e.into_inner());
        let mut found: Vec<&String> = tokens
            .iter()
            .filter(|(_, e)| matches!(&e.kind, TokenKind::User { user_id: u } if u == user_id))
            .map(|(t, _)| t)
            .collect();
        found.sort();
        found.first().map(|t| (*t).clone())
    }
}

/// The credentials a request presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Presented<'a> {
    None,
    Bearer(&'a str),
    /// `Authorization: OAuth oauth_consumer_key=...` (OAuth 1.0a user context).
    OAuth1,
    /// Any other scheme, or a header that is not text.
    Other,
}

pub(crate) fn presented(header: Option<&http::HeaderValue>) -> Presented<'_> {
    let Some(value) = header else {
        return Presented::None;
    };
    let Ok(value) = value.to_str() else {
        return Presented::Other;
    };
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if scheme.eq_ignore_ascii_case("bearer") {
        let token = rest.trim();
        if token.is_empty() {
            Presented::Other
        } else {
            Presented::Bearer(token)
        }
    } else if scheme.eq_ignore_ascii_case("oauth") {
        Presented::OAuth1
    } else {
        Presented::Other
    }
}

/// A token in X's style: app-only tokens start with a run of `A`s; user tokens are opaque.
pub(crate) fn new_token(kind: &TokenKind) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut random: String = (0..2)
        .flat_map(|_| {
            let mut n: u128 = rand::random();
            (0..21).map(move |_| {
                let c = ALPHABET[(n % 62) as usize] as char;
                n /= 62;
                c
            })
        })
        .collect();
    match kind {
        TokenKind::App => format!("AAAAAAAAAAAAAAAAAAAAA{random}"),
        TokenKind::User { .. } => {
            random.push_str("OjE6YXQ");
            random
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn reads_authorization_schemes() {
        let p = |s: &'static str| format!("{:?}", presented(Some(&HeaderValue::from_static(s))));
        assert_eq!(presented(None), Presented::None);
        assert_eq!(p("Bearer abc"), "Bearer(\"abc\")");
        assert_eq!(p("bearer   abc "), "Bearer(\"abc\")");
        assert_eq!(p("Bearer"), "Other");
        assert_eq!(p("Basic dXNlcjpwYXNz"), "Other");
        assert_eq!(
            p("OAuth oauth_consumer_key=\"x\", oauth_signature=\"y\""),
            "OAuth1"
        );
    }

    #[test]
    fn tokens_are_fresh_and_shaped() {
        let a = new_token(&TokenKind::App);
        assert!(a.starts_with("AAAAAAAAAAAAAAAAAAAAA") && a.len() > 40);
        assert_ne!(a, new_token(&TokenKind::App));
        assert_eq!(token_fingerprint("x").len(), 16);
    }
}
