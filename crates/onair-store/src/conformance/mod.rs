//! The one story every [`Store`] backend must pass, written once and run by each backend's
//! tests (enable the `conformance` feature in their dev-dependencies).
//!
//! A backend's test supplies a [`Backend`]: a fresh, unmigrated database it can open stores
//! over, plus the two things only raw SQL can do (tamper with a sealed row, read every stored
//! value). [`run`] then drives every `Store` method through a realistic sequence and checks
//! the rules documented on the trait. [`seed`]/[`check_seeded`] and [`assert_unavailable`]
//! serve the backend-specific tests (restarts, lost databases).
//!
//! The story is told in chapters, one file per resource with the same name as the resource's
//! own file in the store (`tenants`, `api_keys`, `profiles`, `credentials`, `link_tokens`,
//! `audit`, `maintenance`), plus two that cross resources (`isolation`, `secrets`). This file
//! holds what they share: the world they build up, the helpers, and the order they run in.
//!
//! Failures panic with a message saying which rule broke: this is test support code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{fmt::Debug, sync::Arc, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use futures::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::{
    Actor, ApiKey, ApiKeyId, AuditEvent, BoxedStore, CredentialId, CredentialInfo, Invalidation,
    InvalidationStream, NewApiKey, NewAuditEvent, Profile, ProfileId, Store, StoreError, Tenant,
    TenantId, UsedLinkToken,
    secrets::{Keyring, Token, TokenHash, TokenKind, generate_secret_key},
};

mod api_keys;
mod audit;
mod credentials;
mod isolation;
mod link_tokens;
mod maintenance;
mod profiles;
mod secrets;
mod tenants;

/// How long an invalidation may take to arrive. Generous: tests share two slow cores.
const INVALIDATION_WAIT: Duration = Duration::from_secs(15);
/// How long a call against a lost database may take to fail. The stores aim for about a
/// second; the bound leaves room for a loaded machine.
pub const UNAVAILABLE_WITHIN: Duration = Duration::from_secs(5);

/// One stored value, as bytes, and where it was found (`table.column`).
#[derive(Debug, Clone)]
pub struct StoredValue {
    pub location: String,
    pub bytes: Vec<u8>,
}

/// What the story needs from a backend beyond the [`Store`] trait.
#[async_trait]
pub trait Backend: Send + Sync {
    /// A store over this backend's database using `keyring`. Every call opens a new store
    /// over the same database; the first one finds it empty and unmigrated.
    async fn open(&self, keyring: Arc<Keyring>) -> BoxedStore;

    /// Overwrites the sealed columns (key id, wrapped key, ciphertext) of credential `to`
    /// with those of `from`, bypassing the store, as an attacker with database access would.
    async fn copy_sealed(&self, from: &CredentialId, to: &CredentialId);

    /// Every non-null value of every column of every table, as bytes (text as UTF-8).
    async fn stored_values(&self) -> Vec<StoredValue>;
}

/// A keyring over a new random secret (and optionally previous secrets).
pub fn keyring(current: &SecretString, previous: &[SecretString]) -> Arc<Keyring> {
    Arc::new(Keyring::new(current, previous).expect("a generated secret key is valid"))
}

/// `at` at the precision both databases keep (microseconds).
pub fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::microseconds(1)).unwrap()
}

#[track_caller]
pub fn assert_not_found<T: Debug>(what: &str, result: Result<T, StoreError>) {
    match result {
        Err(StoreError::NotFound) => {}
        other => panic!("{what}: expected NotFound, got {other:?}"),
    }
}

#[track_caller]
pub fn assert_conflict<T: Debug>(what: &str, constraint: &str, result: Result<T, StoreError>) {
    match result {
        Err(StoreError::Conflict { constraint: c }) if c == constraint => {}
        other => panic!("{what}: expected Conflict on `{constraint}`, got {other:?}"),
    }
}

#[track_caller]
pub fn assert_integrity<T: Debug>(what: &str, result: Result<T, StoreError>) {
    match result {
        Err(StoreError::Integrity(_)) => {}
        other => panic!("{what}: expected Integrity, got {other:?}"),
    }
}

/// Awaits `call` and checks it answers [`StoreError::Unavailable`] within
/// [`UNAVAILABLE_WITHIN`] (no hang, no panic, no other error).
pub async fn assert_unavailable<T: Debug>(
    what: &str,
    call: impl std::future::Future<Output = Result<T, StoreError>>,
) {
    let started = std::time::Instant::now();
    match tokio::time::timeout(UNAVAILABLE_WITHIN, call).await {
        Ok(Err(StoreError::Unavailable(_))) => {}
        Ok(other) => panic!("{what}: expected Unavailable, got {other:?}"),
        Err(_) => panic!("{what}: still waiting after {UNAVAILABLE_WITHIN:?}"),
    }
    println!("{what}: Unavailable after {:?}", started.elapsed());
}

/// Checks a representative call of each kind (read, write, transaction, subscription)
/// answers `Unavailable` while the database is gone.
pub async fn assert_store_unavailable(store: &dyn Store, tenant: &TenantId) {
    assert_unavailable("ping", store.ping()).await;
    assert_unavailable("list_tenants", store.list_tenants()).await;
    assert_unavailable("get_tenant", store.get_tenant(tenant)).await;
    assert_unavailable(
        "create_tenant",
        store.create_tenant(&Actor::Operator, "while-down"),
    )
    .await;
    assert_unavailable(
        "put_credential",
        store.put_credential(
            tenant,
            &Actor::Operator,
            None,
            "x",
            &SecretString::from("while-down"),
        ),
    )
    .await;
    assert_unavailable("rewrap_credentials", store.rewrap_credentials()).await;
}

async fn expect_invalidation(stream: &mut InvalidationStream, wanted: &Invalidation) {
    let deadline = tokio::time::Instant::now() + INVALIDATION_WAIT;
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(got)) if &got == wanted => return,
            // Earlier changes may still be in flight; only the wanted one matters here.
            Ok(Some(_)) => {}
            Ok(None) => panic!("the invalidation stream ended while waiting for {wanted:?}"),
            Err(_) => panic!("no {wanted:?} within {INVALIDATION_WAIT:?}"),
        }
    }
}

fn new_key(keyring: &Keyring, name: &str) -> (Token, NewApiKey) {
    let token = Token::generate(TokenKind::ApiKey);
    let key = NewApiKey {
        id: token.api_key_id(),
        name: name.to_owned(),
        hash: keyring.hash_token(&token),
        expires_at: None,
    };
    (token, key)
}

fn random_hash(keyring: &Keyring) -> TokenHash {
    keyring.hash_token(&Token::generate(TokenKind::ProfileKey))
}

/// A distinctive upstream token, so a scan of the database can look for it.
fn upstream_secret(label: &str) -> SecretString {
    SecretString::from(format!(
        "upstream-{label}-{}",
        generate_secret_key().expose_secret()
    ))
}

fn within(at: DateTime<Utc>, from: DateTime<Utc>, what: &str) {
    let to = Utc::now() + TimeDelta::seconds(1);
    let from = from - TimeDelta::seconds(1);
    assert!(
        at >= from && at <= to,
        "{what}: {at} is outside {from} ..= {to}"
    );
}

/// The tenants every chapter uses.
struct Tenants {
    started: DateTime<Utc>,
    acme: Tenant,
    globex: Tenant,
}

/// Acme's keys.
struct Keys {
    /// Active and touched.
    key: ApiKey,
    key_token: Token,
    /// Revoked by the tenant itself, and by the operator.
    revoked_by_tenant: ApiKey,
    revoked_by_operator: ApiKey,
}

/// Acme's profiles: alice stays, bob is deleted with his credential.
struct Profiles {
    alice: Profile,
    alice_token: Token,
    bob: Profile,
    bob_token: Token,
}

/// Everything later chapters of the story refer to.
struct World {
    started: DateTime<Utc>,
    acme: Tenant,
    globex: Tenant,
    key: ApiKey,
    key_token: Token,
    revoked_by_tenant: ApiKey,
    revoked_by_operator: ApiKey,
    alice: Profile,
    alice_token: Token,
    bob: Profile,
    bob_token: Token,
    /// Plaintexts of every upstream token ever stored.
    upstream: Vec<SecretString>,
}

/// The story: every `Store` method, the rules on the trait, tenant isolation, encryption at
/// rest, key rotation, audit and invalidations.
pub async fn run(backend: &dyn Backend) {
    let secret = generate_secret_key();
    let ring = keyring(&secret, &[]);
    let store = backend.open(ring.clone()).await;

    maintenance::migrations(&*store).await;
    let mut invalidations = store
        .subscribe_invalidations()
        .await
        .expect("subscribe_invalidations");

    let tenants = tenants::tenants(&*store).await;
    let keys = api_keys::api_keys(&*store, &ring, &tenants, &mut invalidations).await;
    let profiles = profiles::profiles(&*store, &ring, &tenants, &keys).await;
    let mut world = World {
        started: tenants.started,
        acme: tenants.acme,
        globex: tenants.globex,
        key: keys.key,
        key_token: keys.key_token,
        revoked_by_tenant: keys.revoked_by_tenant,
        revoked_by_operator: keys.revoked_by_operator,
        alice: profiles.alice,
        alice_token: profiles.alice_token,
        bob: profiles.bob,
        bob_token: profiles.bob_token,
        upstream: Vec::new(),
    };
    let creds = credentials::credentials(&*store, &ring, &mut world, &mut invalidations).await;
    credentials::integrity(backend, &*store, &world, &creds).await;
    audit::audit(&*store, &world, &creds).await;
    isolation::isolation(&*store, &ring, &world, &creds).await;
    credentials::concurrent_puts(&*store, &mut world).await;
    link_tokens::link_tokens(&*store, &world).await;
    link_tokens::link_token_redeem(&*store, &mut world).await;
    credentials::rotation(backend, &secret, &world).await;
    secrets::no_plaintext(backend, &world).await;
}

/// Credentials the later chapters use.
struct Creds {
    /// Acme's tenant-level `x` credential (replaced once) and its plaintext.
    acme_x: CredentialInfo,
    acme_x_secret: SecretString,
    /// Alice's `x` credential.
    alice_x: CredentialInfo,
    alice_x_secret: SecretString,
    /// Acme's tenant-level `sandbox` credential (put, deleted, put again).
    acme_sandbox: CredentialInfo,
    acme_sandbox_secret: SecretString,
    /// Globex's tenant-level `x` credential.
    globex_x: CredentialInfo,
    globex_x_secret: SecretString,
    /// Ids of credentials that were deleted (directly or with their profile).
    deleted: Vec<CredentialId>,
}

async fn get_secret(
    store: &dyn Store,
    tenant: &TenantId,
    profile: Option<&ProfileId>,
    network: &str,
) -> Result<String, StoreError> {
    store
        .get_credential(tenant, profile, network)
        .await
        .map(|c| c.secret.expose_secret().to_owned())
}

fn count(events: &[AuditEvent], action: &str, target: &str, actor: &Actor) -> usize {
    events
        .iter()
        .filter(|e| e.action == action && e.target.as_deref() == Some(target) && &e.actor == actor)
        .count()
}

/// What [`seed`] stored, for [`check_seeded`] after a restart.
pub struct Seeded {
    pub tenant: Tenant,
    pub key: ApiKey,
    pub key_hash: TokenHash,
    pub profile: Profile,
    pub profile_hash: TokenHash,
    pub credential: CredentialInfo,
    pub secret: SecretString,
    pub audit: Vec<AuditEvent>,
}

/// Migrates and stores one of everything.
pub async fn seed(store: &dyn Store, ring: &Keyring) -> Seeded {
    store.migrate().await.expect("migrate");
    let tenant = store
        .create_tenant(&Actor::Operator, "durable")
        .await
        .unwrap();
    let (_, new) = new_key(ring, "durable key");
    let key_hash = new.hash;
    let key = store
        .create_api_key(&tenant.id, &Actor::Operator, new)
        .await
        .unwrap();
    let profile_hash = random_hash(ring);
    let profile = store
        .create_profile(
            &tenant.id,
            &Actor::Operator,
            "durable profile",
            &profile_hash,
        )
        .await
        .unwrap();
    let secret = upstream_secret("durable");
    let credential = store
        .put_credential(
            &tenant.id,
            &Actor::Operator,
            Some(&profile.id),
            "x",
            &secret,
        )
        .await
        .unwrap();
    let audit = store.list_audit(Some(&tenant.id), 100).await.unwrap();
    assert_eq!(audit.len(), 3);
    Seeded {
        tenant,
        key,
        key_hash,
        profile,
        profile_hash,
        credential,
        secret,
        audit,
    }
}

/// Reads back everything [`seed`] stored, through another store over the same database.
pub async fn check_seeded(store: &dyn Store, seeded: &Seeded) {
    assert_eq!(store.migrate().await.unwrap(), 0, "already migrated");
    let t = &seeded.tenant.id;
    assert_eq!(store.get_tenant(t).await.unwrap(), seeded.tenant);
    assert_eq!(
        store
            .find_api_key(&seeded.key.id, &seeded.key_hash)
            .await
            .unwrap(),
        seeded.key
    );
    assert_eq!(
        store
            .find_profile_by_key(t, &seeded.profile_hash)
            .await
            .unwrap(),
        seeded.profile
    );
    let credential = store
        .get_credential(t, Some(&seeded.profile.id), "x")
        .await
        .unwrap();
    assert_eq!(credential.info, seeded.credential);
    assert_eq!(
        credential.secret.expose_secret(),
        seeded.secret.expose_secret()
    );
    assert_eq!(store.list_audit(Some(t), 100).await.unwrap(), seeded.audit);
}
