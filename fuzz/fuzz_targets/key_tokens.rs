//! API keys and Profile-Keys as clients send them (`onair_sk_…`, `onair_pk_…`), and the
//! store's textual ids that arrive in paths (`key_…`, `ten_…`, `prof_…`).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use onair_store::{
    ApiKeyId, ProfileId, TenantId,
    secrets::{Token, TokenError, TokenKind},
};

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    /// Any text where a key is expected.
    text: &'a str,
    /// The 42 characters of a well-formed key body before its checksum, as raw bytes.
    body: [u8; 42],
    profile: bool,
    /// A one-character typo to make in the well-formed key.
    typo_at: u8,
    typo: u8,
}

/// The checksum as documented on `Token`: CRC32 of everything before it, as 6 base62 digits.
fn checksum(signed: &str) -> String {
    let mut n = crc32fast::hash(signed.as_bytes());
    let mut digits = [b'0'; 6];
    for d in digits.iter_mut().rev() {
        *d = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(digits.to_vec()).unwrap()
}

fn check_parsed(kind: TokenKind, text: &str) {
    match Token::parse(kind, text) {
        Ok(token) => {
            assert_eq!(token.expose(), text);
            assert_eq!(token.kind(), kind);
            assert_eq!(token.public_id().len(), ApiKeyId::PUBLIC_LEN);
            if kind == TokenKind::ApiKey {
                let id = token.api_key_id();
                assert_eq!(id.public_part(), token.public_id());
            }
            // Debug never shows the secret part.
            let shown = format!("{token:?}");
            assert!(!shown.contains(&text[text.len() - 10..]), "{shown}");
        }
        Err(TokenError::Prefix(p)) => assert!(!text.starts_with(p)),
        Err(_) => assert!(text.starts_with(kind.prefix())),
    }
}

fn check_id<T>(text: &str)
where
    T: std::str::FromStr
        + std::fmt::Display
        + serde::de::DeserializeOwned
        + PartialEq
        + std::fmt::Debug,
{
    if let Ok(id) = text.parse::<T>() {
        assert_eq!(id.to_string(), text);
        let json = serde_json::to_string(text).unwrap();
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), id);
    }
}

fuzz_target!(|input: Input<'_>| {
    for kind in [TokenKind::ApiKey, TokenKind::ProfileKey] {
        check_parsed(kind, input.text);
    }
    check_id::<ApiKeyId>(input.text);
    check_id::<TenantId>(input.text);
    check_id::<ProfileId>(input.text);

    // A well-formed key always parses, as its own kind only.
    let kind = if input.profile {
        TokenKind::ProfileKey
    } else {
        TokenKind::ApiKey
    };
    let mut text = kind.prefix().to_owned();
    text.extend(
        input
            .body
            .iter()
            .map(|b| char::from(BASE62[usize::from(*b) % 62])),
    );
    text.push_str(&checksum(&text));
    check_parsed(kind, &text);
    let token = Token::parse(kind, &text).expect("a well-formed key is refused");
    let other = match kind {
        TokenKind::ApiKey => TokenKind::ProfileKey,
        TokenKind::ProfileKey => TokenKind::ApiKey,
    };
    assert!(Token::parse(other, &text).is_err());
    assert_eq!(&token.public_id(), &&text[kind.prefix().len()..][..12]);

    // Any one changed character after the prefix is caught, without a database.
    let at = kind.prefix().len() + usize::from(input.typo_at) % 48;
    let replacement = char::from(input.typo);
    let mut typo = text.clone();
    typo.replace_range(at..at + 1, replacement.encode_utf8(&mut [0; 4]));
    if typo != text {
        assert!(
            Token::parse(kind, &typo).is_err(),
            "a typo at {at} passed: {typo:?}"
        );
    }
});
