//! The one story every [`Store`] backend must pass, written once and run by each backend's
//! tests (enable the `conformance` feature in their dev-dependencies).
//!
//! A backend's test supplies a [`Backend`]: a fresh, unmigrated database it can open stores
//! over, plus the two things only raw SQL can do (tamper with a sealed row, read every stored
//! value). [`run`] then drives every `Store` method through a realistic sequence and checks
//! the rules documented on the trait. [`seed`]/[`check_seeded`] and [`assert_unavailable`]
//! serve the backend-specific tests (restarts, lost databases).
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

    migrations(&*store).await;
    let mut invalidations = store
        .subscribe_invalidations()
        .await
        .expect("subscribe_invalidations");

    let tenants = tenants(&*store).await;
    let keys = api_keys(&*store, &ring, &tenants, &mut invalidations).await;
    let profiles = profiles(&*store, &ring, &tenants, &keys).await;
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
    let creds = credentials(&*store, &ring, &mut world, &mut invalidations).await;
    integrity(backend, &*store, &world, &creds).await;
    audit(&*store, &world, &creds).await;
    isolation(&*store, &ring, &world, &creds).await;
    concurrent_puts(&*store, &mut world).await;
    link_tokens(&*store, &world).await;
    link_token_redeem(&*store, &mut world).await;
    rotation(backend, &secret, &world).await;
    no_plaintext(backend, &world).await;
}

async fn migrations(store: &dyn Store) {
    assert!(matches!(store.backend(), "postgres" | "sqlite"));
    let applied = store.migrate().await.expect("first migrate");
    assert!(applied >= 1, "a fresh database needs migrations");
    assert_eq!(
        store.migrate().await.expect("second migrate"),
        0,
        "a second migrate is a no-op"
    );
    store.ping().await.expect("ping");
}

async fn tenants(store: &dyn Store) -> Tenants {
    let started = Utc::now();
    assert_eq!(store.list_tenants().await.unwrap(), vec![]);

    let acme = store.create_tenant(&Actor::Operator, "acme").await.unwrap();
    assert_eq!(acme.name, "acme");
    within(acme.created_at, started, "tenant created_at");
    let globex = store
        .create_tenant(&Actor::Operator, "globex")
        .await
        .unwrap();
    assert_ne!(acme.id, globex.id);

    assert_conflict(
        "a second tenant named acme",
        "tenants_name",
        store.create_tenant(&Actor::Operator, "acme").await,
    );
    assert_eq!(store.get_tenant(&acme.id).await.unwrap(), acme);
    assert_not_found(
        "an unknown tenant",
        store.get_tenant(&TenantId::generate()).await,
    );
    assert_eq!(
        store.list_tenants().await.unwrap(),
        vec![acme.clone(), globex.clone()],
        "tenants, oldest first"
    );

    Tenants {
        started,
        acme,
        globex,
    }
}

async fn api_keys(
    store: &dyn Store,
    ring: &Keyring,
    tenants: &Tenants,
    invalidations: &mut InvalidationStream,
) -> Keys {
    let acme = tenants.acme.id.clone();
    let (token, mut new) = new_key(ring, "ci");
    let hash = new.hash;
    let expires_at = micros(Utc::now() + TimeDelta::days(30));
    new.expires_at = Some(expires_at);

    let key = store
        .create_api_key(&acme, &Actor::Operator, new.clone())
        .await
        .unwrap();
    assert_eq!(key.id, token.api_key_id(), "the key's id is the caller's");
    assert_eq!(key.tenant_id, acme);
    assert_eq!(key.name, "ci");
    assert_eq!(key.expires_at, Some(expires_at));
    assert_eq!((key.last_used_at, key.revoked_at), (None, None));
    within(key.created_at, tenants.started, "key created_at");
    assert!(key.is_active(Utc::now()));

    assert_eq!(store.get_api_key(&acme, &key.id).await.unwrap(), key);
    assert_eq!(store.list_api_keys(&acme).await.unwrap(), vec![key.clone()]);
    assert_eq!(store.find_api_key(&key.id, &hash).await.unwrap(), key);
    assert_not_found(
        "find_api_key with another key's hash",
        store.find_api_key(&key.id, &random_hash(ring)).await,
    );
    assert_not_found(
        "find_api_key with an unknown id",
        store
            .find_api_key(&Token::generate(TokenKind::ApiKey).api_key_id(), &hash)
            .await,
    );
    assert_not_found(
        "get_api_key with an unknown id",
        store
            .get_api_key(&acme, &Token::generate(TokenKind::ApiKey).api_key_id())
            .await,
    );

    // Key ids are global (they are part of the key), so a collision conflicts across tenants.
    let (_, mut same_id) = new_key(ring, "same id");
    same_id.id = key.id.clone();
    assert_conflict(
        "a second key with the same id",
        "api_keys_id",
        store
            .create_api_key(&tenants.globex.id, &Actor::Operator, same_id)
            .await,
    );
    let (_, mut same_hash) = new_key(ring, "same hash");
    same_hash.hash = hash;
    assert_conflict(
        "a second key with the same hash",
        "api_keys_hash",
        store
            .create_api_key(&acme, &Actor::Operator, same_hash)
            .await,
    );
    assert_not_found(
        "a key for an unknown tenant",
        store
            .create_api_key(
                &TenantId::generate(),
                &Actor::Operator,
                new_key(ring, "x").1,
            )
            .await,
    );

    let used_at = micros(Utc::now());
    store.touch_api_key(&acme, &key.id, used_at).await.unwrap();
    let key = store.get_api_key(&acme, &key.id).await.unwrap();
    assert_eq!(key.last_used_at, Some(used_at));
    assert_not_found(
        "touching an unknown key",
        store
            .touch_api_key(
                &acme,
                &Token::generate(TokenKind::ApiKey).api_key_id(),
                used_at,
            )
            .await,
    );

    // A key created by another key, revoked by the tenant.
    let by_key = Actor::ApiKey(key.id.clone());
    let second = store
        .create_api_key(&acme, &by_key, new_key(ring, "second").1)
        .await
        .unwrap();
    let revoked = store
        .revoke_api_key(&acme, &by_key, &second.id)
        .await
        .unwrap();
    let revoked_at = revoked.revoked_at.expect("revoke sets revoked_at");
    within(revoked_at, tenants.started, "revoked_at");
    assert!(!revoked.is_active(Utc::now()));
    assert_eq!(
        ApiKey {
            revoked_at: None,
            ..revoked.clone()
        },
        second,
        "revoking changes nothing but revoked_at"
    );
    expect_invalidation(
        invalidations,
        &Invalidation::ApiKeyRevoked(second.id.clone()),
    )
    .await;
    assert_eq!(
        store
            .revoke_api_key(&acme, &by_key, &second.id)
            .await
            .unwrap(),
        revoked,
        "revoking again returns the key unchanged"
    );

    // A key revoked by the operator, by id alone.
    let (third_token, third_new) = new_key(ring, "third");
    let third = store
        .create_api_key(&acme, &Actor::Operator, third_new)
        .await
        .unwrap();
    let third_revoked = store.revoke_api_key_as_operator(&third.id).await.unwrap();
    assert!(third_revoked.revoked_at.is_some());
    expect_invalidation(
        invalidations,
        &Invalidation::ApiKeyRevoked(third.id.clone()),
    )
    .await;
    assert_eq!(
        store.revoke_api_key_as_operator(&third.id).await.unwrap(),
        third_revoked
    );
    assert_not_found(
        "the operator revoking an unknown key",
        store
            .revoke_api_key_as_operator(&Token::generate(TokenKind::ApiKey).api_key_id())
            .await,
    );
    // Revoked keys are still found: the caller tells "revoked" from "unknown".
    assert_eq!(
        store
            .find_api_key(&third.id, &ring.hash_token(&third_token))
            .await
            .unwrap(),
        third_revoked
    );

    assert_eq!(
        store.list_api_keys(&acme).await.unwrap(),
        vec![key.clone(), revoked.clone(), third_revoked.clone()],
        "keys, oldest first"
    );
    assert_eq!(
        store.list_api_keys(&tenants.globex.id).await.unwrap(),
        vec![]
    );

    Keys {
        key,
        key_token: token,
        revoked_by_tenant: revoked,
        revoked_by_operator: third_revoked,
    }
}

async fn profiles(store: &dyn Store, ring: &Keyring, tenants: &Tenants, keys: &Keys) -> Profiles {
    let acme = tenants.acme.id.clone();
    let actor = Actor::ApiKey(keys.key.id.clone());
    let alice_token = Token::generate(TokenKind::ProfileKey);
    let alice_hash = ring.hash_token(&alice_token);

    let alice = store
        .create_profile(&acme, &actor, "alice", &alice_hash)
        .await
        .unwrap();
    assert_eq!(alice.tenant_id, acme);
    assert_eq!(alice.name, "alice");
    within(alice.created_at, tenants.started, "profile created_at");
    assert_eq!(store.get_profile(&acme, &alice.id).await.unwrap(), alice);
    assert_eq!(
        store.find_profile_by_key(&acme, &alice_hash).await.unwrap(),
        alice
    );
    assert_not_found(
        "a profile by an unknown key",
        store.find_profile_by_key(&acme, &random_hash(ring)).await,
    );
    assert_not_found(
        "an unknown profile",
        store.get_profile(&acme, &ProfileId::generate()).await,
    );
    assert_conflict(
        "a second profile with the same key",
        "profiles_key_hash",
        store
            .create_profile(&acme, &actor, "alice again", &alice_hash)
            .await,
    );
    assert_not_found(
        "a profile for an unknown tenant",
        store
            .create_profile(
                &TenantId::generate(),
                &Actor::Operator,
                "nobody",
                &random_hash(ring),
            )
            .await,
    );

    let bob_token = Token::generate(TokenKind::ProfileKey);
    let bob = store
        .create_profile(&acme, &actor, "bob", &ring.hash_token(&bob_token))
        .await
        .unwrap();
    assert_eq!(
        store.list_profiles(&acme).await.unwrap(),
        vec![alice.clone(), bob.clone()],
        "profiles, oldest first"
    );
    assert_eq!(
        store.list_profiles(&tenants.globex.id).await.unwrap(),
        vec![]
    );

    Profiles {
        alice,
        alice_token,
        bob,
        bob_token,
    }
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

async fn credentials(
    store: &dyn Store,
    ring: &Keyring,
    world: &mut World,
    invalidations: &mut InvalidationStream,
) -> Creds {
    let acme = world.acme.id.clone();
    let actor = Actor::ApiKey(world.key.id.clone());
    let changed = Invalidation::CredentialsChanged {
        tenant_id: acme.clone(),
    };
    let secrets: Vec<SecretString> = [
        "acme-x",
        "alice-x",
        "acme-x-replaced",
        "bob-x",
        "acme-sandbox",
        "globex-x",
    ]
    .into_iter()
    .map(upstream_secret)
    .collect();
    world.upstream.extend(secrets.iter().cloned());
    let [
        s_acme_x,
        s_alice_x,
        s_replaced,
        s_bob_x,
        s_sandbox,
        s_globex_x,
    ] = &secrets[..]
    else {
        unreachable!()
    };

    // Tenant level.
    let acme_x = store
        .put_credential(&acme, &actor, None, "x", s_acme_x)
        .await
        .unwrap();
    assert_eq!(
        (
            &acme_x.tenant_id,
            &acme_x.profile_id,
            acme_x.network.as_str()
        ),
        (&acme, &None, "x")
    );
    assert_eq!(acme_x.created_at, acme_x.updated_at);
    within(acme_x.created_at, world.started, "credential created_at");
    expect_invalidation(invalidations, &changed).await;
    let got = store.get_credential(&acme, None, "x").await.unwrap();
    assert_eq!(got.info, acme_x);
    assert_eq!(got.secret.expose_secret(), s_acme_x.expose_secret());

    // Profile level: a separate scope for the same network.
    let alice = world.alice.id.clone();
    let alice_x = store
        .put_credential(&acme, &actor, Some(&alice), "x", s_alice_x)
        .await
        .unwrap();
    assert_eq!(alice_x.profile_id.as_ref(), Some(&alice));
    assert_ne!(alice_x.id, acme_x.id);
    expect_invalidation(invalidations, &changed).await;
    assert_eq!(
        get_secret(store, &acme, Some(&alice), "x").await.unwrap(),
        s_alice_x.expose_secret()
    );
    assert_eq!(
        get_secret(store, &acme, None, "x").await.unwrap(),
        s_acme_x.expose_secret(),
        "the tenant's credential is untouched by the profile's"
    );
    assert_not_found(
        "a profile without its own credential (no fallback)",
        store.get_credential(&acme, Some(&world.bob.id), "x").await,
    );
    assert_not_found(
        "a network without a credential",
        store.get_credential(&acme, None, "sandbox").await,
    );
    assert_not_found(
        "a credential for an unknown profile",
        store
            .put_credential(&acme, &actor, Some(&ProfileId::generate()), "x", s_bob_x)
            .await,
    );

    // Replacing keeps the row (and its id), changes the secret.
    let replaced = store
        .put_credential(&acme, &actor, None, "x", s_replaced)
        .await
        .unwrap();
    assert_eq!(replaced.id, acme_x.id, "a replaced credential keeps its id");
    assert_eq!(replaced.created_at, acme_x.created_at);
    assert!(replaced.updated_at >= acme_x.updated_at);
    expect_invalidation(invalidations, &changed).await;
    assert_eq!(
        get_secret(store, &acme, None, "x").await.unwrap(),
        s_replaced.expose_secret()
    );
    assert_eq!(
        store.list_credentials(&acme).await.unwrap(),
        vec![replaced.clone(), alice_x.clone()],
        "credentials, oldest first"
    );

    // Deleting a profile deletes its credentials.
    let bob = world.bob.clone();
    let bob_x = store
        .put_credential(&acme, &actor, Some(&bob.id), "x", s_bob_x)
        .await
        .unwrap();
    store.delete_profile(&acme, &actor, &bob.id).await.unwrap();
    expect_invalidation(
        invalidations,
        &Invalidation::ProfileDeleted {
            tenant_id: acme.clone(),
            profile_id: bob.id.clone(),
        },
    )
    .await;
    assert_not_found("a deleted profile", store.get_profile(&acme, &bob.id).await);
    assert_not_found(
        "a deleted profile by its key",
        store
            .find_profile_by_key(&acme, &ring.hash_token(&world.bob_token))
            .await,
    );
    assert_not_found(
        "a deleted profile's credential",
        store.get_credential(&acme, Some(&bob.id), "x").await,
    );
    assert_not_found(
        "deleting a profile twice",
        store.delete_profile(&acme, &actor, &bob.id).await,
    );
    assert_not_found(
        "a credential for a deleted profile",
        store
            .put_credential(&acme, &actor, Some(&bob.id), "x", s_bob_x)
            .await,
    );
    assert_eq!(
        store.list_profiles(&acme).await.unwrap(),
        vec![world.alice.clone()]
    );
    assert_eq!(
        store.list_credentials(&acme).await.unwrap(),
        vec![replaced.clone(), alice_x.clone()]
    );

    // Delete a tenant-level credential, then put it again: a new row.
    let sandbox = store
        .put_credential(&acme, &actor, None, "sandbox", s_sandbox)
        .await
        .unwrap();
    expect_invalidation(invalidations, &changed).await;
    store
        .delete_credential(&acme, &actor, None, "sandbox")
        .await
        .unwrap();
    expect_invalidation(invalidations, &changed).await;
    assert_not_found(
        "a deleted credential",
        store.get_credential(&acme, None, "sandbox").await,
    );
    assert_not_found(
        "deleting a credential twice",
        store
            .delete_credential(&acme, &actor, None, "sandbox")
            .await,
    );
    let acme_sandbox = store
        .put_credential(&acme, &actor, None, "sandbox", s_sandbox)
        .await
        .unwrap();
    assert_ne!(acme_sandbox.id, sandbox.id);

    let globex_x = store
        .put_credential(&world.globex.id, &Actor::Operator, None, "x", s_globex_x)
        .await
        .unwrap();
    assert_eq!(
        get_secret(store, &world.globex.id, None, "x")
            .await
            .unwrap(),
        s_globex_x.expose_secret()
    );

    Creds {
        acme_x: replaced,
        acme_x_secret: s_replaced.clone(),
        alice_x,
        alice_x_secret: s_alice_x.clone(),
        acme_sandbox,
        acme_sandbox_secret: s_sandbox.clone(),
        globex_x,
        globex_x_secret: s_globex_x.clone(),
        deleted: vec![bob_x.id, sandbox.id],
    }
}

async fn integrity(backend: &dyn Backend, store: &dyn Store, world: &World, creds: &Creds) {
    let acme = &world.acme.id;
    let globex = &world.globex.id;

    // Another row of the same tenant.
    backend
        .copy_sealed(&creds.acme_x.id, &creds.acme_sandbox.id)
        .await;
    assert_integrity(
        "a ciphertext copied to another row",
        store.get_credential(acme, None, "sandbox").await,
    );
    // Another tenant's row.
    backend
        .copy_sealed(&creds.acme_x.id, &creds.globex_x.id)
        .await;
    assert_integrity(
        "a ciphertext copied to another tenant's row",
        store.get_credential(globex, None, "x").await,
    );
    // The original still opens; putting again repairs the damaged rows.
    assert_eq!(
        get_secret(store, acme, None, "x").await.unwrap(),
        creds.acme_x_secret.expose_secret()
    );
    store
        .put_credential(
            acme,
            &Actor::Operator,
            None,
            "sandbox",
            &creds.acme_sandbox_secret,
        )
        .await
        .unwrap();
    store
        .put_credential(globex, &Actor::Operator, None, "x", &creds.globex_x_secret)
        .await
        .unwrap();
    assert_eq!(
        get_secret(store, acme, None, "sandbox").await.unwrap(),
        creds.acme_sandbox_secret.expose_secret()
    );
    assert_eq!(
        get_secret(store, globex, None, "x").await.unwrap(),
        creds.globex_x_secret.expose_secret()
    );
}

fn count(events: &[AuditEvent], action: &str, target: &str, actor: &Actor) -> usize {
    events
        .iter()
        .filter(|e| e.action == action && e.target.as_deref() == Some(target) && &e.actor == actor)
        .count()
}

async fn audit(store: &dyn Store, world: &World, creds: &Creds) {
    let acme = &world.acme.id;
    let by_key = Actor::ApiKey(world.key.id.clone());
    let events = store.list_audit(Some(acme), 1000).await.unwrap();

    assert!(
        events.windows(2).all(|w| w[0].at >= w[1].at),
        "audit entries come newest first"
    );
    for e in &events {
        assert_eq!(e.tenant_id.as_ref(), Some(acme), "tenant-scoped listing");
        within(e.at, world.started, "audit at");
    }
    let expect = |action: &str, target: &str, actor: &Actor, n: usize| {
        assert_eq!(
            count(&events, action, target, actor),
            n,
            "{n} × {action} of {target} by {actor}; got {events:#?}"
        );
    };
    expect(
        AuditEvent::API_KEY_CREATE,
        world.key.id.as_str(),
        &Actor::Operator,
        1,
    );
    expect(
        AuditEvent::API_KEY_CREATE,
        world.revoked_by_tenant.id.as_str(),
        &by_key,
        1,
    );
    // Revoked twice, recorded once: the second revoke changed nothing.
    expect(
        AuditEvent::API_KEY_REVOKE,
        world.revoked_by_tenant.id.as_str(),
        &by_key,
        1,
    );
    expect(
        AuditEvent::API_KEY_REVOKE,
        world.revoked_by_operator.id.as_str(),
        &Actor::Operator,
        1,
    );
    expect(
        AuditEvent::PROFILE_CREATE,
        world.alice.id.as_str(),
        &by_key,
        1,
    );
    expect(
        AuditEvent::PROFILE_DELETE,
        world.bob.id.as_str(),
        &by_key,
        1,
    );
    // Put, then replaced.
    expect(
        AuditEvent::CREDENTIAL_PUT,
        creds.acme_x.id.as_str(),
        &by_key,
        2,
    );
    expect(
        AuditEvent::CREDENTIAL_PUT,
        creds.alice_x.id.as_str(),
        &by_key,
        1,
    );
    expect(
        AuditEvent::CREDENTIAL_DELETE,
        creds.deleted[1].as_str(),
        &by_key,
        1,
    );
    // Failed changes left no trace.
    assert!(
        !events.iter().any(|e| e.action == AuditEvent::TENANT_CREATE),
        "tenant creation is operator-level"
    );

    // Operator-level entries.
    let operator = store.list_audit(None, 1000).await.unwrap();
    for tenant in [&world.acme, &world.globex] {
        let entry = operator
            .iter()
            .find(|e| {
                e.action == AuditEvent::TENANT_CREATE
                    && e.target.as_deref() == Some(tenant.id.as_str())
            })
            .unwrap_or_else(|| panic!("no tenant.create for {}: {operator:#?}", tenant.id));
        assert_eq!(entry.tenant_id, None);
        assert_eq!(entry.actor, Actor::Operator);
        assert_eq!(entry.detail["name"], json!(tenant.name));
    }
    assert_eq!(
        operator
            .iter()
            .filter(|e| e.action == AuditEvent::TENANT_CREATE)
            .count(),
        2,
        "the refused duplicate tenant left no entry"
    );
    assert!(operator.iter().all(|e| e.tenant_id.is_none()));

    // record_audit, limits and the newest-first order.
    let recorded = NewAuditEvent {
        tenant_id: Some(acme.clone()),
        actor: Actor::Profile(world.alice.id.clone()),
        action: "spaces.export".into(),
        target: None,
        detail: json!({"rows": 3, "format": "csv"}),
    };
    store.record_audit(recorded.clone()).await.unwrap();
    let newest = store.list_audit(Some(acme), 2).await.unwrap();
    assert_eq!(newest.len(), 2, "limit is respected");
    let last = &newest[0];
    assert_eq!(
        (
            &last.tenant_id,
            &last.actor,
            &last.action,
            &last.target,
            &last.detail
        ),
        (
            &recorded.tenant_id,
            &recorded.actor,
            &recorded.action,
            &recorded.target,
            &recorded.detail
        )
    );
    assert_eq!(newest[1], events[0]);
    let globex_events = store
        .list_audit(Some(&world.globex.id), 1000)
        .await
        .unwrap();
    assert!(
        globex_events
            .iter()
            .all(|e| e.tenant_id.as_ref() == Some(&world.globex.id)),
        "{globex_events:#?}"
    );
}

async fn isolation(store: &dyn Store, ring: &Keyring, world: &World, creds: &Creds) {
    let a = &world.acme.id;
    let b = &world.globex.id;
    let actor = Actor::Operator;
    let key = &world.key;
    let alice = &world.alice;
    let audit_before = store.list_audit(Some(b), 1000).await.unwrap().len();

    // API keys.
    assert!(store.list_api_keys(b).await.unwrap().is_empty());
    assert_not_found("B gets A's key", store.get_api_key(b, &key.id).await);
    assert_not_found(
        "B revokes A's key",
        store.revoke_api_key(b, &actor, &key.id).await,
    );
    assert_not_found(
        "B touches A's key",
        store
            .touch_api_key(b, &key.id, micros(Utc::now() + TimeDelta::hours(1)))
            .await,
    );
    assert_eq!(
        &store.get_api_key(a, &key.id).await.unwrap(),
        key,
        "A's key is untouched"
    );

    // Profiles.
    assert!(store.list_profiles(b).await.unwrap().is_empty());
    assert_not_found("B gets A's profile", store.get_profile(b, &alice.id).await);
    assert_not_found(
        "B deletes A's profile",
        store.delete_profile(b, &actor, &alice.id).await,
    );
    assert_not_found(
        "B finds A's profile by key",
        store
            .find_profile_by_key(b, &ring.hash_token(&world.alice_token))
            .await,
    );
    assert_eq!(&store.get_profile(a, &alice.id).await.unwrap(), alice);

    // Credentials.
    let stolen = SecretString::from("globex-overwrites-alice");
    assert_not_found(
        "B puts a credential on A's profile",
        store
            .put_credential(b, &actor, Some(&alice.id), "x", &stolen)
            .await,
    );
    assert_not_found(
        "B gets A's profile credential",
        store.get_credential(b, Some(&alice.id), "x").await,
    );
    assert_not_found(
        "B gets a network only A has",
        store.get_credential(b, None, "sandbox").await,
    );
    assert_eq!(
        get_secret(store, b, None, "x").await.unwrap(),
        creds.globex_x_secret.expose_secret(),
        "B gets its own, not A's"
    );
    assert_not_found(
        "B deletes A's profile credential",
        store
            .delete_credential(b, &actor, Some(&alice.id), "x")
            .await,
    );
    assert_not_found(
        "B deletes a credential only A has",
        store.delete_credential(b, &actor, None, "sandbox").await,
    );
    assert_eq!(
        get_secret(store, a, Some(&alice.id), "x").await.unwrap(),
        creds.alice_x_secret.expose_secret()
    );
    assert_eq!(
        get_secret(store, a, None, "sandbox").await.unwrap(),
        creds.acme_sandbox_secret.expose_secret()
    );
    let b_creds = store.list_credentials(b).await.unwrap();
    assert_eq!(
        b_creds.iter().map(|c| &c.id).collect::<Vec<_>>(),
        vec![&creds.globex_x.id]
    );

    // Audit: nothing of A's, and the refused attempts recorded nothing.
    let b_audit = store.list_audit(Some(b), 1000).await.unwrap();
    assert_eq!(
        b_audit.len(),
        audit_before,
        "refused changes are not audited"
    );
    let a_ids = [
        key.id.to_string(),
        alice.id.to_string(),
        creds.acme_x.id.to_string(),
    ];
    assert!(
        b_audit
            .iter()
            .all(|e| !a_ids.iter().any(|id| e.target.as_deref() == Some(id))),
        "{b_audit:#?}"
    );
}

/// Puts racing for one scope all succeed and leave exactly one row.
async fn concurrent_puts(store: &dyn Store, world: &mut World) {
    let acme = &world.acme.id;
    let secrets: Vec<SecretString> = (0..8)
        .map(|i| upstream_secret(&format!("race-{i}")))
        .collect();
    world.upstream.extend(secrets.iter().cloned());
    let puts = secrets
        .iter()
        .map(|s| store.put_credential(acme, &Actor::Operator, None, "race", s));
    let results = futures::future::join_all(puts).await;
    let infos: Vec<CredentialInfo> = results
        .into_iter()
        .map(|r| r.expect("a racing put"))
        .collect();
    assert!(
        infos.iter().all(|i| i.id == infos[0].id),
        "racing puts share one row: {infos:#?}"
    );
    let listed = store.list_credentials(acme).await.unwrap();
    assert_eq!(listed.iter().filter(|c| c.network == "race").count(), 1);
    let got = get_secret(store, acme, None, "race").await.unwrap();
    assert!(secrets.iter().any(|s| s.expose_secret() == got));
}

async fn link_tokens(store: &dyn Store, world: &World) {
    let soon = Utc::now() + TimeDelta::minutes(15);
    let used_twice = |r: Result<(), StoreError>| matches!(r, Err(StoreError::Conflict { constraint }) if constraint == "used_link_tokens_jti");
    store
        .use_link_token(&world.acme.id, "jti-once", soon)
        .await
        .expect("first use");
    assert!(
        used_twice(store.use_link_token(&world.acme.id, "jti-once", soon).await),
        "a link token is used once"
    );
    // Whichever tenant presents it: a jti is used up everywhere.
    assert!(used_twice(
        store
            .use_link_token(&world.globex.id, "jti-once", soon)
            .await
    ));
    store
        .use_link_token(&world.acme.id, "jti-other", soon)
        .await
        .expect("another token");
    // A token that has expired is forgotten once another is used after it.
    let past = Utc::now() - TimeDelta::minutes(1);
    store
        .use_link_token(&world.acme.id, "jti-expired", past)
        .await
        .expect("recorded");
    store
        .use_link_token(&world.acme.id, "jti-later", soon)
        .await
        .expect("another token");
    store
        .use_link_token(&world.acme.id, "jti-expired", soon)
        .await
        .expect("pruned, so no longer a conflict");
    assert!(matches!(
        store
            .use_link_token(&TenantId::generate(), "jti-nobody", soon)
            .await,
        Err(StoreError::NotFound)
    ));
}

/// The linking page's write: the token is used and the credential stored together, or
/// neither is.
async fn link_token_redeem(store: &dyn Store, world: &mut World) {
    let acme = &world.acme.id;
    let alice = &world.alice.id;
    let actor = Actor::Profile(alice.clone());
    let soon = micros(Utc::now() + TimeDelta::minutes(15));
    let token = |jti: &str| UsedLinkToken {
        jti: jti.to_owned(),
        expires_at: soon,
    };
    let used_twice = |r: &Result<CredentialInfo, StoreError>| matches!(r, Err(StoreError::Conflict { constraint }) if constraint == "used_link_tokens_jti");
    let secrets: Vec<SecretString> = ["redeem", "redeem-replay", "redeem-lost"]
        .into_iter()
        .map(upstream_secret)
        .collect();
    world.upstream.extend(secrets.iter().cloned());
    let [s_redeem, s_replay, s_lost] = &secrets[..] else {
        unreachable!()
    };
    let audit_before = store.list_audit(Some(acme), 1000).await.unwrap().len();

    // Success stores both: the credential, and the token as used.
    let info = store
        .put_credential_with_link_token(
            acme,
            &actor,
            Some(alice),
            "redeem",
            s_redeem,
            &token("jti-redeem"),
        )
        .await
        .expect("a fresh token stores its credential");
    assert_eq!(
        (
            &info.tenant_id,
            info.profile_id.as_ref(),
            info.network.as_str()
        ),
        (acme, Some(alice), "redeem")
    );
    assert_eq!(
        get_secret(store, acme, Some(alice), "redeem")
            .await
            .unwrap(),
        s_redeem.expose_secret()
    );
    assert!(
        matches!(
            store.use_link_token(acme, "jti-redeem", soon).await,
            Err(StoreError::Conflict { constraint }) if constraint == "used_link_tokens_jti"
        ),
        "the token is recorded as used"
    );
    let audit = store.list_audit(Some(acme), 1000).await.unwrap();
    assert_eq!(audit.len(), audit_before + 1, "the put is audited once");
    assert_eq!(
        count(&audit, AuditEvent::CREDENTIAL_PUT, info.id.as_str(), &actor),
        1
    );

    // A replayed jti answers what use_link_token answers, and stores nothing.
    let replay = store
        .put_credential_with_link_token(
            acme,
            &actor,
            Some(alice),
            "redeem",
            s_replay,
            &token("jti-redeem"),
        )
        .await;
    assert!(used_twice(&replay), "a replay is refused: {replay:?}");
    assert_eq!(
        get_secret(store, acme, Some(alice), "redeem")
            .await
            .unwrap(),
        s_redeem.expose_secret(),
        "a replay does not replace the credential"
    );
    // A jti used by use_link_token is used up for this call too.
    store
        .use_link_token(acme, "jti-used-first", soon)
        .await
        .unwrap();
    let replay = store
        .put_credential_with_link_token(
            acme,
            &actor,
            None,
            "redeem-replayed",
            s_replay,
            &token("jti-used-first"),
        )
        .await;
    assert!(used_twice(&replay), "{replay:?}");
    assert_not_found(
        "a credential a replayed token tried to store",
        store.get_credential(acme, None, "redeem-replayed").await,
    );

    // A credential that cannot be stored leaves the token unused.
    assert_not_found(
        "a token redeemed for an unknown profile",
        store
            .put_credential_with_link_token(
                acme,
                &actor,
                Some(&ProfileId::generate()),
                "redeem",
                s_lost,
                &token("jti-lost"),
            )
            .await,
    );
    store
        .use_link_token(acme, "jti-lost", soon)
        .await
        .expect("the failed redeem did not use the token");
    assert_eq!(
        store.list_audit(Some(acme), 1000).await.unwrap().len(),
        audit_before + 1,
        "refused redeems are not audited"
    );

    // Leave the credentials the later chapters count as they were.
    store
        .delete_credential(acme, &actor, Some(alice), "redeem")
        .await
        .unwrap();
}

async fn rotation(backend: &dyn Backend, old_secret: &SecretString, world: &World) {
    let new_secret = generate_secret_key();
    let rotated = backend
        .open(keyring(&new_secret, std::slice::from_ref(old_secret)))
        .await;
    assert_eq!(rotated.migrate().await.unwrap(), 0);

    let mut all = Vec::new();
    for tenant in [&world.acme.id, &world.globex.id] {
        for info in rotated.list_credentials(tenant).await.unwrap() {
            let before = rotated
                .get_credential(tenant, info.profile_id.as_ref(), &info.network)
                .await
                .expect("the previous key still opens");
            all.push((info, before.secret.expose_secret().to_owned()));
        }
    }
    assert_eq!(all.len(), 5);
    assert_eq!(
        rotated.rewrap_credentials().await.unwrap(),
        all.len(),
        "every row was under the old key"
    );
    assert_eq!(rotated.rewrap_credentials().await.unwrap(), 0);

    let entry = rotated
        .list_audit(None, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.action == AuditEvent::CREDENTIALS_REWRAP)
        .expect("rewrap is audited");
    assert_eq!(entry.actor, Actor::System);
    assert_eq!(entry.detail["count"], json!(all.len()));

    // Only the new key is needed now; the old one alone no longer opens anything.
    let new_only = backend.open(keyring(&new_secret, &[])).await;
    let old_only = backend.open(keyring(old_secret, &[])).await;
    for (info, plaintext) in &all {
        let got = new_only
            .get_credential(&info.tenant_id, info.profile_id.as_ref(), &info.network)
            .await
            .unwrap();
        assert_eq!(&got.info, info, "rewrapping changes no metadata");
        assert_eq!(got.secret.expose_secret(), plaintext);
        assert_integrity(
            "a row rewrapped away from the only key",
            old_only
                .get_credential(&info.tenant_id, info.profile_id.as_ref(), &info.network)
                .await,
        );
    }
    assert_integrity(
        "rewrap with a keyring that cannot open the rows",
        old_only.rewrap_credentials().await,
    );
}

fn secret_part(token: &Token) -> &str {
    &token.expose()[token.kind().prefix().len() + ApiKeyId::PUBLIC_LEN..]
}

async fn no_plaintext(backend: &dyn Backend, world: &World) {
    let values = backend.stored_values().await;
    let contains = |needle: &str| {
        values
            .iter()
            .find(|v| {
                v.bytes
                    .windows(needle.len())
                    .any(|w| w == needle.as_bytes())
            })
            .map(|v| v.location.clone())
    };
    // The scan sees what is stored (so its silence below means something).
    assert!(
        contains(world.key.id.as_str()).is_some(),
        "scan misses key ids"
    );
    assert!(contains("globex").is_some(), "scan misses tenant names");

    let mut secrets: Vec<(&str, &str)> = vec![];
    for (what, token) in [
        ("API key", &world.key_token),
        ("profile key", &world.alice_token),
        ("profile key", &world.bob_token),
    ] {
        secrets.push((what, token.expose()));
        secrets.push((what, secret_part(token)));
    }
    for s in &world.upstream {
        secrets.push(("upstream token", s.expose_secret()));
    }
    for (what, secret) in secrets {
        if let Some(location) = contains(secret) {
            panic!("a plaintext {what} is stored in {location}");
        }
    }
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
