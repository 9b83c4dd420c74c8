//! Profile link tokens (HS256 JWTs) as they arrive at `/link?token=`: arbitrary text, and
//! tokens with arbitrary headers and claims signed with the real key, a wrong key or none.
#![no_main]

use std::{
    sync::{Arc, LazyLock},
    time::Duration,
};

use arbitrary::Arbitrary;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use onair_service::links::{AUDIENCE, LinkTokens};
use onair_store::secrets::Keyring;
use secrecy::SecretString;
use serde_json::{Map, Value, json};

const ISSUER: &str = "https://onair.example";

struct Fixture {
    links: LinkTokens,
    kid: String,
    key: Vec<u8>,
    previous_kid: String,
    previous_key: Vec<u8>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let current = SecretString::from("c".repeat(40));
    let previous = SecretString::from("p".repeat(40));
    let keyring = Arc::new(Keyring::new(&current, std::slice::from_ref(&previous)).unwrap());
    let old = Keyring::new(&previous, &[]).unwrap();
    let (kid, key) = keyring.signing_key();
    let (previous_kid, previous_key) = old.signing_key();
    Fixture {
        kid: kid.to_string(),
        key: key.to_vec(),
        previous_kid: previous_kid.to_string(),
        previous_key: previous_key.to_vec(),
        links: LinkTokens::new(keyring.clone(), ISSUER, Duration::from_secs(600)),
    }
});

#[derive(Arbitrary, Debug)]
enum Input {
    Text(String),
    Built(Box<Built>),
}

#[derive(Arbitrary, Debug)]
struct Built {
    alg: Choice,
    kid: Kid,
    typ: Option<Claim>,
    iss: Claim,
    aud: Claim,
    sub: Claim,
    tid: Claim,
    iat: Claim,
    exp: Exp,
    jti: Claim,
    nbf: Option<Claim>,
    extra: Vec<(String, Claim)>,
    signature: Signature,
    /// Raw bytes in place of the encoded header or claims.
    raw_header: Option<Vec<u8>>,
    raw_claims: Option<Vec<u8>>,
}

#[derive(Arbitrary, Debug)]
enum Choice {
    Good,
    Named(u8),
    Other(Claim),
}

#[derive(Arbitrary, Debug)]
enum Kid {
    Good,
    Previous,
    Absent,
    Other(Claim),
}

#[derive(Arbitrary, Debug)]
enum Exp {
    /// Seconds from now.
    In(i32),
    Other(Claim),
    Absent,
}

#[derive(Arbitrary, Debug, Clone)]
enum Claim {
    Good,
    Absent,
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<String>),
}

#[derive(Arbitrary, Debug)]
enum Signature {
    Good,
    PreviousKey,
    WrongKey(Vec<u8>),
    Raw(String),
    Empty,
}

const ALGS: &[&str] = &[
    "HS256", "HS384", "HS512", "none", "RS256", "ES256", "hs256", "EdDSA",
];

impl Claim {
    /// The value, or `None` when the claim is left out.
    fn value(&self, good: Value) -> Option<Value> {
        Some(match self {
            Self::Good => good,
            Self::Absent => return None,
            Self::Null => Value::Null,
            Self::Bool(b) => json!(b),
            Self::Int(n) => json!(n),
            Self::Float(f) => json!(f),
            Self::Text(s) => json!(s),
            Self::List(items) => json!(items),
        })
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn hs256(key: &[u8], input: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(input.as_bytes());
    b64(&mac.finalize().into_bytes())
}

/// A token, whether it is signed with the key its header names, and whether every part of
/// it is as onair issues it (so it must verify).
fn build(b: &Built, now: i64) -> (String, bool, bool) {
    let f = &*FIXTURE;
    let mut header = Map::new();
    let alg = match &b.alg {
        Choice::Good => Some(json!("HS256")),
        Choice::Named(i) => Some(json!(ALGS[usize::from(*i) % ALGS.len()])),
        Choice::Other(c) => c.value(json!("HS256")),
    };
    if let Some(alg) = alg {
        header.insert("alg".into(), alg);
    }
    let kid = match &b.kid {
        Kid::Good => Some(json!(f.kid)),
        Kid::Previous => Some(json!(f.previous_kid)),
        Kid::Absent => None,
        Kid::Other(c) => c.value(json!(f.kid)),
    };
    let key_matches = match (&kid, &b.signature) {
        (Some(kid), Signature::Good) => *kid == json!(f.kid),
        (Some(kid), Signature::PreviousKey) => *kid == json!(f.previous_kid),
        _ => false,
    } && b.raw_header.is_none();
    if let Some(kid) = kid {
        header.insert("kid".into(), kid);
    }
    if let Some(typ) = b.typ.as_ref().and_then(|t| t.value(json!("JWT"))) {
        header.insert("typ".into(), typ);
    }
    let mut claims = Map::new();
    for (name, value) in &b.extra {
        if let Some(v) = value.value(json!(name)) {
            claims.insert(name.clone(), v);
        }
    }
    let exp = match &b.exp {
        Exp::In(secs) => Some(json!(now + i64::from(*secs))),
        Exp::Other(c) => c.value(json!(now + 300)),
        Exp::Absent => None,
    };
    let standard = [
        ("iss", b.iss.value(json!(ISSUER))),
        ("aud", b.aud.value(json!(AUDIENCE))),
        (
            "sub",
            b.sub.value(json!("prof_0193c5e0a1b27c3d8e9f001122334455")),
        ),
        (
            "tid",
            b.tid.value(json!("ten_0193c5e0a1b27c3d8e9f001122334455")),
        ),
        ("iat", b.iat.value(json!(now))),
        (
            "jti",
            b.jti.value(json!("0193c5e0a1b27c3d8e9f001122334455")),
        ),
        ("exp", exp),
        ("nbf", b.nbf.as_ref().and_then(|c| c.value(json!(now - 10)))),
    ];
    for (name, value) in standard {
        match value {
            Some(v) => claims.insert(name.into(), v),
            None => claims.remove(name),
        };
    }
    let header_part = match &b.raw_header {
        Some(raw) => b64(raw),
        None => b64(&serde_json::to_vec(&header).unwrap()),
    };
    let claims_part = match &b.raw_claims {
        Some(raw) => b64(raw),
        None => b64(&serde_json::to_vec(&claims).unwrap()),
    };
    let signing_input = format!("{header_part}.{claims_part}");
    let signature = match &b.signature {
        Signature::Good => hs256(&f.key, &signing_input),
        Signature::PreviousKey => hs256(&f.previous_key, &signing_input),
        Signature::WrongKey(key) => hs256(key, &signing_input),
        Signature::Raw(s) => s.clone(),
        Signature::Empty => String::new(),
    };
    let as_issued = matches!(b.alg, Choice::Good)
        && key_matches
        && b.raw_header.is_none()
        && b.raw_claims.is_none()
        && b.typ
            .as_ref()
            .is_none_or(|t| matches!(t, Claim::Good | Claim::Absent))
        && [&b.iss, &b.aud, &b.sub, &b.tid, &b.iat, &b.jti]
            .iter()
            .all(|c| matches!(c, Claim::Good))
        && matches!(b.exp, Exp::In(secs) if secs > 10)
        && b.nbf.is_none()
        && b.extra.is_empty();
    (
        format!("{signing_input}.{signature}"),
        key_matches,
        as_issued,
    )
}

fuzz_target!(|input: Input| {
    let f = &*FIXTURE;
    let now = chrono::Utc::now().timestamp();
    let (token, signed, as_issued) = match &input {
        Input::Text(text) => (text.clone(), false, false),
        Input::Built(b) => build(b, now),
    };
    match f.links.verify(&token) {
        Ok(claims) => {
            assert!(
                signed,
                "a token not signed with onair's key verified: {token}"
            );
            assert_eq!(claims.iss, ISSUER);
            assert_eq!(claims.aud, AUDIENCE);
            assert!(
                claims.exp >= now - 5 - 1,
                "an expired token verified: {token}"
            );
            let header = token.split('.').next().unwrap();
            let header: Value = serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(header)
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(header["alg"], "HS256", "{token}");
        }
        Err(e) => {
            assert!(
                !as_issued,
                "a token as onair issues it was refused: {e} ({token})"
            );
            assert!(!e.to_string().is_empty());
        }
    }
});
