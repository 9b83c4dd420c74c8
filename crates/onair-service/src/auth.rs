//! Who is calling: an API key (`onair_sk_…`) and an optional `Profile-Key`, resolved into a
//! [`Caller`]. The HTTP layer reads the tokens from headers and calls [`Authenticator`].
//!
//! Keys are checked against an in-memory cache, so the hot path touches no database: a key
//! is looked up once, then verified by its keyed hash in memory. A revocation on this
//! instance drops the entry at once; other instances hear of it through the store's
//! invalidation stream (Postgres `LISTEN/NOTIFY`). A key that fails its format or
//! checksum is refused before any lookup.

use std::{
    hash::{BuildHasher, RandomState},
    sync::{
        Arc, OnceLock,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use chrono::{DateTime, Utc};
use moka::future::Cache;
use onair_store::{
    Actor, ApiKey, ApiKeyId, BoxedStore, Invalidation, Profile, ProfileId, StoreError, TenantId,
    secrets::{Keyring, Token, TokenHash},
};

use crate::{error::ServiceError, tasks::Tasks};

/// Who is calling: resolved once per request, then read by handlers and services. Shared
/// as `Arc<Caller>` from the key cache to the handler, not copied.
#[derive(Debug)]
pub struct Caller {
    pub tenant_id: TenantId,
    pub key_id: ApiKeyId,
    /// Set when the request carried a valid `Profile-Key`.
    pub profile: Option<ProfileRef>,
}

#[derive(Debug, Clone)]
pub struct ProfileRef {
    pub id: ProfileId,
    pub name: String,
}

impl Caller {
    /// The actor recorded in the audit log for changes made by this request.
    pub fn actor(&self) -> Actor {
        match &self.profile {
            Some(p) => Actor::Profile(p.id.clone()),
            None => Actor::ApiKey(self.key_id.clone()),
        }
    }
}

/// Recognises a token already verified, at a fraction of the cost of its keyed hash
/// (HMAC-SHA-256 under every key of the keyring, on every request): a 128-bit digest from
/// two SipHash keys drawn at random when the process starts, which nobody outside the
/// process knows and so cannot aim a collision at.
struct Recognizer {
    a: RandomState,
    b: RandomState,
}

impl Recognizer {
    fn new() -> Self {
        Self {
            a: RandomState::new(),
            b: RandomState::new(),
        }
    }

    fn digest(&self, token: &str) -> u128 {
        (u128::from(self.a.hash_one(token)) << 64) | u128::from(self.b.hash_one(token))
    }
}

/// What the cache knows of a key id.
#[derive(Clone)]
enum KeyEntry {
    Known(Arc<KnownKey>),
    /// No key with this id and hash: refused without asking the database again for a while.
    Unknown,
}

struct KnownKey {
    key: ApiKey,
    /// The caller of requests made with this key alone (no `Profile-Key`).
    caller: Arc<Caller>,
    hash: TokenHash,
    /// The [`Recognizer`] digest of the token that matched `hash`: a key id has one valid
    /// token, so once it has been verified it is recognised without hashing it again.
    verified: OnceLock<u128>,
    /// Unix seconds of the last `last_used_at` write, to write it at most once a minute.
    last_touch: AtomicI64,
}

const TOUCH_INTERVAL_SECS: i64 = 60;
/// Bounds how stale an entry can be even if an invalidation were lost.
const KNOWN_TTL: Duration = Duration::from_secs(300);
const UNKNOWN_TTL: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct Authenticator {
    store: BoxedStore,
    keyring: Arc<Keyring>,
    tasks: Tasks,
    recognizer: Arc<Recognizer>,
    keys: Cache<ApiKeyId, KeyEntry>,
    unknown_keys: Cache<ApiKeyId, ()>,
    profiles: Cache<(TenantId, TokenHash), Option<ProfileRef>>,
}

impl Authenticator {
    pub fn new(store: BoxedStore, keyring: Arc<Keyring>, tasks: Tasks) -> Self {
        Self {
            store,
            keyring,
            tasks,
            recognizer: Arc::new(Recognizer::new()),
            keys: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(KNOWN_TTL)
                .build(),
            unknown_keys: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(UNKNOWN_TTL)
                .build(),
            profiles: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(KNOWN_TTL)
                .support_invalidation_closures()
                .build(),
        }
    }

    /// Resolves an API key, and the `Profile-Key` sent with it if any, into the caller.
    pub async fn authenticate(
        &self,
        token: &Token,
        profile_token: Option<&Token>,
    ) -> Result<Arc<Caller>, ServiceError> {
        let key = self.api_key(token).await?;
        let now = Utc::now();
        if !key.key.is_active(now) {
            return Err(ServiceError::Unauthenticated(
                "this API key is revoked or expired".into(),
            ));
        }
        self.touch(&key, now);
        match profile_token {
            None => Ok(key.caller.clone()),
            Some(profile_token) => {
                let profile = self.profile(&key.key.tenant_id, profile_token).await?;
                Ok(Arc::new(Caller {
                    tenant_id: key.key.tenant_id.clone(),
                    key_id: key.key.id.clone(),
                    profile: Some(profile),
                }))
            }
        }
    }

    async fn api_key(&self, token: &Token) -> Result<Arc<KnownKey>, ServiceError> {
        let id = token.api_key_id();
        let unknown = || ServiceError::Unauthenticated("this API key is not valid".into());
        if self.unknown_keys.contains_key(&id) {
            return Err(unknown());
        }
        let entry = match self.keys.get(&id).await {
            Some(entry) => entry,
            None => {
                let entry = self
                    .keys
                    .try_get_with(id.clone(), self.fetch_key(id.clone(), token.clone()))
                    .await
                    .map_err(ServiceError::from)?;
                if let KeyEntry::Unknown = entry {
                    // Kept apart so that a key's own id never pins a negative entry for long.
                    self.keys.invalidate(&id).await;
                    self.unknown_keys.insert(id, ()).await;
                    return Err(unknown());
                }
                entry
            }
        };
        let KeyEntry::Known(known) = entry else {
            return Err(unknown());
        };
        let digest = self.recognizer.digest(token.expose());
        if known.verified.get() == Some(&digest) {
            return Ok(known);
        }
        if self.keyring.token_matches(token, &known.hash) {
            let _ = known.verified.set(digest);
            return Ok(known);
        }
        Err(unknown())
    }

    async fn fetch_key(&self, id: ApiKeyId, token: Token) -> Result<KeyEntry, StoreError> {
        for hash in self.keyring.token_hashes(&token) {
            match self.store.find_api_key(&id, &hash).await {
                Ok(key) => {
                    return Ok(KeyEntry::Known(Arc::new(KnownKey {
                        last_touch: AtomicI64::new(
                            key.last_used_at.map_or(0, |t: DateTime<Utc>| t.timestamp()),
                        ),
                        caller: Arc::new(Caller {
                            tenant_id: key.tenant_id.clone(),
                            key_id: key.id.clone(),
                            profile: None,
                        }),
                        key,
                        hash,
                        verified: OnceLock::new(),
                    })));
                }
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(KeyEntry::Unknown)
    }

    /// Records use at most once a minute per key, off the request path.
    fn touch(&self, key: &Arc<KnownKey>, now: DateTime<Utc>) {
        let now_secs = now.timestamp();
        let last = key.last_touch.load(Ordering::Relaxed);
        if now_secs - last < TOUCH_INTERVAL_SECS
            || key
                .last_touch
                .compare_exchange(last, now_secs, Ordering::AcqRel, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let store = self.store.clone();
        let (tenant, id) = (key.key.tenant_id.clone(), key.key.id.clone());
        self.tasks.spawn(async move {
            if let Err(e) = store.touch_api_key(&tenant, &id, now).await {
                tracing::debug!(error = %e, key_id = %id, "could not record key use");
            }
        });
    }

    async fn profile(&self, tenant: &TenantId, token: &Token) -> Result<ProfileRef, ServiceError> {
        let invalid = || {
            ServiceError::InvalidProfileKey(
                "this Profile-Key does not belong to any profile of this tenant".into(),
            )
        };
        for hash in self.keyring.token_hashes(token) {
            let key = (tenant.clone(), hash);
            let found = self
                .profiles
                .try_get_with(key, async {
                    match self.store.find_profile_by_key(tenant, &hash).await {
                        Ok(Profile { id, name, .. }) => Ok(Some(ProfileRef { id, name })),
                        Err(StoreError::NotFound) => Ok(None),
                        Err(e) => Err(e),
                    }
                })
                .await
                .map_err(ServiceError::from)?;
            if let Some(profile) = found {
                return Ok(profile);
            }
        }
        Err(invalid())
    }

    /// Drops what the cache knows, after a change on this or another instance.
    pub async fn apply(&self, invalidation: &Invalidation) {
        match invalidation {
            Invalidation::ApiKeyRevoked(id) => self.keys.invalidate(id).await,
            Invalidation::ProfileDeleted { profile_id, .. } => {
                let profile_id = profile_id.clone();
                // Closures are registered, so this cannot fail.
                let _ = self.profiles.invalidate_entries_if(move |_, p| {
                    p.as_ref().is_some_and(|p| p.id == profile_id)
                });
            }
            Invalidation::CredentialsChanged { .. } => {}
            Invalidation::Resync => {
                self.keys.invalidate_all();
                self.profiles.invalidate_all();
            }
        }
    }
}
