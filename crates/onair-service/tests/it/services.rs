//! Keys, profiles, credentials and link tokens through the services: each write is read
//! back at once by this instance (the services apply their own invalidations; no follower
//! runs here), and credentials resolve profile → tenant → operator.

use std::sync::Arc;

use onair_core::{ApiKeyName, CredentialSource, LiveAudioProvider, ProfileName, UpstreamToken};
use onair_service::{Caller, CredentialScope, LinkError, ServiceError};
use onair_store::{Actor, secrets::Token};

use crate::{Fixture, network::Gated};

async fn key(f: &Fixture) -> Token {
    let name = ApiKeyName::parse("ci").unwrap();
    f.service
        .keys
        .issue(&f.tenant, &Actor::Operator, &name, None)
        .await
        .unwrap()
        .token
}

async fn caller(f: &Fixture, token: &Token, profile_key: Option<&Token>) -> Arc<Caller> {
    f.service
        .auth
        .authenticate(token, profile_key)
        .await
        .unwrap()
}

fn token(s: &str) -> UpstreamToken {
    UpstreamToken::parse(s).unwrap()
}

#[tokio::test]
async fn a_revoked_key_is_refused_at_once_by_the_instance_that_revoked_it() {
    let f = Fixture::new(Vec::new()).await;
    let token = key(&f).await;
    let who = caller(&f, &token, None).await;
    assert_eq!(who.tenant_id, f.tenant);
    // Cached now; the revocation must drop the cache entry itself.
    f.service
        .keys
        .revoke(&f.tenant, &who.actor(), &who.key_id)
        .await
        .unwrap();
    let refused = f.service.auth.authenticate(&token, None).await.unwrap_err();
    assert!(
        matches!(&refused, ServiceError::Unauthenticated(d) if d.contains("revoked")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_deleted_profile_s_key_is_refused_at_once() {
    let f = Fixture::new(Vec::new()).await;
    let token = key(&f).await;
    let created = f
        .service
        .profiles
        .create(
            &f.tenant,
            &Actor::Operator,
            &ProfileName::parse(" Ada ").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(created.profile.name, "Ada");
    let who = caller(&f, &token, Some(&created.profile_key)).await;
    assert_eq!(
        who.profile.as_ref().map(|p| &p.id),
        Some(&created.profile.id)
    );
    f.service
        .profiles
        .delete(&f.tenant, &who.actor(), &created.profile.id)
        .await
        .unwrap();
    let refused = f
        .service
        .auth
        .authenticate(&token, Some(&created.profile_key))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ServiceError::InvalidProfileKey(_)),
        "{refused:?}"
    );
}

#[tokio::test]
async fn credentials_resolve_profile_then_tenant_then_operator_and_writes_read_back_at_once() {
    let gated = Gated::open();
    let f = Fixture::new(vec![gated.clone()]).await;
    let provider: Arc<dyn LiveAudioProvider> = gated;
    let credentials = &f.service.credentials;
    let api_key = key(&f).await;
    let tenant_caller = caller(&f, &api_key, None).await;
    let profile = f
        .service
        .profiles
        .create(
            &f.tenant,
            &Actor::Operator,
            &ProfileName::parse("Ada").unwrap(),
        )
        .await
        .unwrap();
    let profile_caller = caller(&f, &api_key, Some(&profile.profile_key)).await;

    let source = |c: &Arc<Caller>| {
        let c = c.clone();
        let provider = provider.clone();
        async move {
            let rc = credentials.context_for(&c, &provider).await.unwrap();
            (rc.source, rc.ctx.credential.map(|c| c.expose().to_owned()))
        }
    };
    assert_eq!(
        source(&profile_caller).await,
        (Some(CredentialSource::Operator), None)
    );
    assert_eq!(
        credentials
            .status_for(&tenant_caller, &provider)
            .await
            .unwrap()
            .1,
        CredentialScope::Operator
    );

    credentials
        .put(&tenant_caller, &provider, &token("tenant-token"))
        .await
        .unwrap();
    let tenant_token = (
        Some(CredentialSource::Tenant),
        Some("tenant-token".to_owned()),
    );
    assert_eq!(source(&tenant_caller).await, tenant_token);
    assert_eq!(
        source(&profile_caller).await,
        tenant_token,
        "a profile falls back to its tenant"
    );

    credentials
        .put(&profile_caller, &provider, &token("profile-token"))
        .await
        .unwrap();
    assert_eq!(
        source(&profile_caller).await,
        (
            Some(CredentialSource::Profile),
            Some("profile-token".to_owned())
        )
    );
    assert_eq!(
        source(&tenant_caller).await,
        tenant_token,
        "the tenant keeps its own"
    );

    credentials
        .delete(&profile_caller, &provider)
        .await
        .unwrap();
    assert_eq!(source(&profile_caller).await, tenant_token);
    let again = credentials
        .delete(&profile_caller, &provider)
        .await
        .unwrap_err();
    assert!(
        matches!(&again, ServiceError::NotFound(d) if d.contains("this profile")),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_link_token_stores_one_credential_on_its_profile() {
    let gated = Gated::open();
    let f = Fixture::new(vec![gated.clone()]).await;
    let provider: Arc<dyn LiveAudioProvider> = gated;
    let api_key = key(&f).await;
    let profile = f
        .service
        .profiles
        .create(
            &f.tenant,
            &Actor::Operator,
            &ProfileName::parse("Ada").unwrap(),
        )
        .await
        .unwrap();
    let issued = f
        .service
        .links
        .issue(&f.tenant, &profile.profile.id)
        .await
        .unwrap();
    let link = f.service.links.verify(&issued.token).await.unwrap();
    assert_eq!(link.profile, profile.profile.id);
    assert_eq!(link.profile_name, "Ada");

    f.service
        .links
        .redeem(&link, &provider, &token("from-the-link"))
        .await
        .unwrap();
    let who = caller(&f, &api_key, Some(&profile.profile_key)).await;
    let rc = f
        .service
        .credentials
        .context_for(&who, &provider)
        .await
        .unwrap();
    assert_eq!(rc.source, Some(CredentialSource::Profile));
    assert_eq!(rc.ctx.credential.unwrap().expose(), "from-the-link");

    let replay = f
        .service
        .links
        .redeem(&link, &provider, &token("a-later-paste"))
        .await
        .unwrap_err();
    assert!(
        matches!(replay, ServiceError::LinkToken(LinkError::Used)),
        "{replay:?}"
    );
    let rc = f
        .service
        .credentials
        .context_for(&who, &provider)
        .await
        .unwrap();
    assert_eq!(
        rc.ctx.credential.unwrap().expose(),
        "from-the-link",
        "a replay overwrites nothing"
    );
}

#[tokio::test]
async fn a_link_token_for_another_tenant_s_profile_is_not_issued() {
    let f = Fixture::new(Vec::new()).await;
    let other = f
        .store
        .create_tenant(&Actor::Operator, "other")
        .await
        .unwrap();
    let profile = f
        .service
        .profiles
        .create(
            &other.id,
            &Actor::Operator,
            &ProfileName::parse("Eve").unwrap(),
        )
        .await
        .unwrap();
    let Err(refused) = f.service.links.issue(&f.tenant, &profile.profile.id).await else {
        panic!("a link token was issued for another tenant's profile");
    };
    assert!(matches!(refused, ServiceError::NotFound(_)), "{refused:?}");
}

/// The same key id with another secret part and a valid checksum, as someone guessing it
/// would send.
fn same_id_other_secret(token: &Token) -> Token {
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let text = token.expose();
    let signed = &text[..text.len() - 6];
    let (head, secret) = signed.split_at("onair_sk_".len() + 12);
    let other: String = secret.chars().rev().collect();
    assert_ne!(other, secret);
    let signed = format!("{head}{other}");
    let mut n = crc32fast::hash(signed.as_bytes());
    let mut sum = [b'0'; 6];
    for d in sum.iter_mut().rev() {
        *d = BASE62[(n % 62) as usize];
        n /= 62;
    }
    let forged = format!("{signed}{}", std::str::from_utf8(&sum).unwrap());
    Token::parse(onair_store::secrets::TokenKind::ApiKey, &forged).unwrap()
}

#[tokio::test]
async fn a_verified_key_is_recognised_but_another_secret_under_its_id_is_not() {
    let f = Fixture::new(Vec::new()).await;
    let token = key(&f).await;
    let forged = same_id_other_secret(&token);
    assert_eq!(forged.api_key_id(), token.api_key_id());
    for _ in 0..3 {
        caller(&f, &token, None).await;
        let refused = f
            .service
            .auth
            .authenticate(&forged, None)
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, ServiceError::Unauthenticated(d) if d.contains("not valid")),
            "{refused:?}"
        );
    }
}
