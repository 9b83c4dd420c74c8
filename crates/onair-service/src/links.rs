//! Profile link tokens: short-lived HS256 JWTs that open a profile's account-linking page,
//! and [`Links`], which issues them for a profile and redeems one for one credential.
//!
//! The algorithm is pinned (a token claiming any other, `none` included, is refused); `iss`,
//! `aud`, `exp` and `sub` are required; the header's `kid` names the signing key so that
//! tokens signed before a secret-key rotation still verify until they expire.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, TimeZone, Utc};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
    errors::ErrorKind,
};
use onair_core::{LiveAudioProvider, UpstreamToken};
use onair_store::{
    Actor, BoxedStore, CredentialInfo, ProfileId, StoreError, TenantId, UsedLinkToken,
    secrets::Keyring,
};
use serde::{Deserialize, Serialize};

use crate::{
    credentials::Credentials,
    error::{OrNotFound, ServiceError},
};

/// The audience every link token is issued for.
pub const AUDIENCE: &str = "onair-link";
/// Tokens never live longer than this, whatever the configuration says.
pub const MAX_TTL: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LinkClaims {
    pub iss: String,
    pub aud: String,
    /// The profile id.
    pub sub: String,
    /// The tenant id.
    pub tid: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

pub struct IssuedLink {
    pub token: String,
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LinkError {
    #[error("the link token is invalid: {0}")]
    Invalid(String),
    #[error("the link token has expired; ask for a new link")]
    Expired,
    #[error("the link token has already been used; ask for a new link")]
    Used,
}

pub struct LinkTokens {
    keyring: Arc<Keyring>,
    issuer: String,
    ttl: Duration,
}

impl LinkTokens {
    pub fn new(keyring: Arc<Keyring>, public_base: &str, ttl: Duration) -> Self {
        Self {
            keyring,
            issuer: public_base.to_owned(),
            ttl: ttl.min(MAX_TTL),
        }
    }

    pub fn issue(&self, tenant: &TenantId, profile: &ProfileId) -> Result<IssuedLink, String> {
        let now = Utc::now();
        let expires_at = now + self.ttl;
        let claims = LinkClaims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            sub: profile.to_string(),
            tid: tenant.to_string(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            jti: uuid::Uuid::now_v7().simple().to_string(),
        };
        let (kid, key) = self.keyring.signing_key();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid.to_string());
        let token =
            encode(&header, &claims, &EncodingKey::from_secret(key)).map_err(|e| e.to_string())?;
        let url = format!("{}/link?token={token}", self.issuer);
        Ok(IssuedLink {
            token,
            url,
            expires_at: Utc
                .timestamp_opt(claims.exp, 0)
                .single()
                .unwrap_or(expires_at),
        })
    }

    pub fn verify(&self, token: &str) -> Result<LinkClaims, LinkError> {
        let header = decode_header(token).map_err(|e| {
            LinkError::Invalid(match e.kind() {
                // serde's words for an `alg` it has no variant for (`none`, say).
                ErrorKind::Json(_) => "its header cannot be read as an HS256 JWT header".into(),
                _ => in_plain_words(&e),
            })
        })?;
        if header.alg != Algorithm::HS256 {
            return Err(LinkError::Invalid(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        }
        let kid = header
            .kid
            .ok_or_else(|| LinkError::Invalid("the token names no key (`kid`)".into()))?;
        let key = self
            .keyring
            .signing_key_by_id(&kid)
            .ok_or_else(|| LinkError::Invalid("the token was signed with an unknown key".into()))?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        decode::<LinkClaims>(token, &DecodingKey::from_secret(key), &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => LinkError::Expired,
                _ => LinkError::Invalid(in_plain_words(&e)),
            })
    }
}

/// A verified link token whose profile still exists.
#[derive(Debug, Clone)]
pub struct VerifiedLink {
    pub tenant: TenantId,
    pub profile: ProfileId,
    pub profile_name: String,
    pub jti: String,
    pub expires_at: DateTime<Utc>,
}

/// Link tokens for profiles: issued for an existing profile, verified against the
/// profile's existence, and redeemed once for one credential.
#[derive(Clone)]
pub struct Links {
    tokens: Arc<LinkTokens>,
    store: BoxedStore,
    credentials: Credentials,
}

impl Links {
    pub fn new(tokens: LinkTokens, store: BoxedStore, credentials: Credentials) -> Self {
        Self {
            tokens: Arc::new(tokens),
            store,
            credentials,
        }
    }

    pub fn tokens(&self) -> &LinkTokens {
        &self.tokens
    }

    /// A link token for one of the tenant's profiles.
    pub async fn issue(
        &self,
        tenant: &TenantId,
        profile: &ProfileId,
    ) -> Result<IssuedLink, ServiceError> {
        let profile = self
            .store
            .get_profile(tenant, profile)
            .await
            .or_not_found(|| format!("no profile `{profile}`"))?;
        self.tokens
            .issue(tenant, &profile.id)
            .map_err(ServiceError::internal)
    }

    /// A token's claims, checked, with its profile (a profile deleted since the token was
    /// issued makes the token useless).
    pub async fn verify(&self, token: &str) -> Result<VerifiedLink, ServiceError> {
        let claims = self.tokens.verify(token)?;
        let invalid =
            || ServiceError::LinkToken(LinkError::Invalid("the token names no profile".into()));
        let tenant: TenantId = claims.tid.parse().map_err(|_| invalid())?;
        let profile: ProfileId = claims.sub.parse().map_err(|_| invalid())?;
        let found = self
            .store
            .get_profile(&tenant, &profile)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => invalid(),
                other => other.into(),
            })?;
        Ok(VerifiedLink {
            tenant,
            profile,
            profile_name: found.name,
            expires_at: DateTime::from_timestamp(claims.exp, 0).unwrap_or_else(Utc::now),
            jti: claims.jti,
        })
    }

    /// Stores `credential` on the link's profile for `provider`, spending the token in the
    /// same transaction (both happen or neither does): one
    /// credential per token, so a link that leaks after use (browser history, a shared
    /// screen) cannot overwrite the credential later.
    pub async fn redeem(
        &self,
        link: &VerifiedLink,
        provider: &Arc<dyn LiveAudioProvider>,
        credential: &UpstreamToken,
    ) -> Result<CredentialInfo, ServiceError> {
        let stored = self
            .store
            .put_credential_with_link_token(
                &link.tenant,
                &Actor::Profile(link.profile.clone()),
                Some(&link.profile),
                provider.id().as_str(),
                credential.secret(),
                &UsedLinkToken {
                    jti: link.jti.clone(),
                    expires_at: link.expires_at,
                },
            )
            .await;
        let info = stored.map_err(|e| match e {
            StoreError::Conflict { .. } => ServiceError::LinkToken(LinkError::Used),
            other => other.into(),
        })?;
        self.credentials.changed(&link.tenant).await;
        Ok(info)
    }
}

/// Why a token was refused, in words for the person holding the link rather than the
/// library's variant names.
fn in_plain_words(e: &jsonwebtoken::errors::Error) -> String {
    match e.kind() {
        ErrorKind::InvalidToken => "it is not a JWT (three dot-separated parts)".into(),
        ErrorKind::InvalidSignature => "its signature does not match".into(),
        ErrorKind::InvalidAudience => "it was not issued for account linking (`aud`)".into(),
        ErrorKind::InvalidIssuer => "it was issued by another deployment (`iss`)".into(),
        ErrorKind::InvalidSubject => "it names no profile (`sub`)".into(),
        ErrorKind::ImmatureSignature => "it is not valid yet (`nbf`)".into(),
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
            "only HS256 tokens are accepted".into()
        }
        ErrorKind::MissingRequiredClaim(claim) => format!("it lacks the `{claim}` claim"),
        ErrorKind::Base64(_) | ErrorKind::Json(_) | ErrorKind::Utf8(_) => {
            "its contents cannot be read".into()
        }
        _ => "it cannot be verified".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use secrecy::SecretString;

    fn tokens(secret: &str) -> LinkTokens {
        let keyring = Keyring::new(&SecretString::from(secret.repeat(40)), &[]).unwrap();
        LinkTokens::new(
            Arc::new(keyring),
            "https://onair.example",
            Duration::from_secs(600),
        )
    }

    fn b64(v: &serde_json::Value) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    }

    fn forge(header: serde_json::Value, claims: serde_json::Value, key: &[u8]) -> String {
        use hmac::{Hmac, KeyInit, Mac};
        let signing_input = format!("{}.{}", b64(&header), b64(&claims));
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        mac.update(signing_input.as_bytes());
        let sig =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{sig}")
    }

    fn claims(t: &LinkTokens, exp: serde_json::Value) -> serde_json::Value {
        serde_json::json!({"iss": t.issuer, "aud": AUDIENCE, "sub": "prof_x", "tid": "ten_x", "iat": 0, "exp": exp, "jti": "j"})
    }

    #[test]
    fn issued_tokens_verify_and_expire_within_fifteen_minutes() {
        let t = tokens("a");
        let link = t
            .issue(&TenantId::generate(), &ProfileId::generate())
            .unwrap();
        let c = t.verify(&link.token).unwrap();
        assert!(c.exp - c.iat <= 15 * 60);
        assert!(link.url.starts_with("https://onair.example/link?token="));
        let long = LinkTokens::new(
            t.keyring.clone(),
            "https://onair.example",
            Duration::from_secs(86_400),
        );
        let c = long
            .verify(
                &long
                    .issue(&TenantId::generate(), &ProfileId::generate())
                    .unwrap()
                    .token,
            )
            .unwrap();
        assert_eq!(c.exp - c.iat, 15 * 60, "ttl is capped");
    }

    #[test]
    fn forged_tokens_are_refused() {
        let t = tokens("a");
        let (kid, key) = t.keyring.signing_key();
        let kid = kid.to_string();
        let later = serde_json::json!(Utc::now().timestamp() + 300);
        let hs = serde_json::json!({"alg": "HS256", "typ": "JWT", "kid": kid});
        // Control: the forging helper makes tokens that do verify.
        assert!(
            t.verify(&forge(hs.clone(), claims(&t, later.clone()), key))
                .is_ok()
        );

        let none = format!(
            "{}.{}.",
            b64(&serde_json::json!({"alg": "none", "kid": kid})),
            b64(&claims(&t, later.clone()))
        );
        assert!(t.verify(&none).is_err(), "alg none");
        let other = tokens("b");
        let wrong_key = forge(
            hs.clone(),
            claims(&t, later.clone()),
            other.keyring.signing_key().1,
        );
        assert!(t.verify(&wrong_key).is_err(), "wrong key");
        let mut c = claims(&t, later.clone());
        c["aud"] = "someone-else".into();
        assert!(t.verify(&forge(hs.clone(), c, key)).is_err(), "wrong aud");
        let mut c = claims(&t, later.clone());
        c["iss"] = "https://evil.example".into();
        assert!(t.verify(&forge(hs.clone(), c, key)).is_err(), "wrong iss");
        let expired = claims(&t, serde_json::json!(Utc::now().timestamp() - 120));
        assert_eq!(
            t.verify(&forge(hs.clone(), expired, key)),
            Err(LinkError::Expired)
        );
        let string_exp = claims(
            &t,
            serde_json::json!((Utc::now().timestamp() + 300).to_string()),
        );
        assert!(
            t.verify(&forge(hs.clone(), string_exp, key)).is_err(),
            "string exp"
        );
        let hs512 = serde_json::json!({"alg": "HS512", "kid": kid});
        assert!(
            t.verify(&forge(hs512, claims(&t, later.clone()), key))
                .is_err(),
            "other alg"
        );
        let no_kid = serde_json::json!({"alg": "HS256"});
        assert!(
            t.verify(&forge(no_kid, claims(&t, later), key)).is_err(),
            "no kid"
        );
        assert!(t.verify("not.a.jwt").is_err());
        assert!(t.verify("").is_err());
    }
}
