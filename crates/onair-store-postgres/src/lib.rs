//! The PostgreSQL backend of the onair Store, for production and for several instances
//! sharing one database.
//!
//! `PostgresStore::connect(url, keyring)` opens a pool with short timeouts: when the database
//! goes away a call answers `StoreError::Unavailable` within about a second, and the pool
//! reconnects by itself when it returns. `migrate()` applies `migrations/postgres` (under an
//! advisory lock, so instances starting together do not race). Invalidations travel over
//! `LISTEN/NOTIFY` on the `onair_invalidations` channel, sent inside the changing
//! transaction; each subscription holds one connection of its own, so a process subscribes
//! once and fans out.

mod error;
mod invalidations;
mod rows;

use std::{str::FromStr, sync::Arc, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use onair_store::{
    Actor, ApiKey, ApiKeyId, AuditEvent, AuditEventId, CredentialId, CredentialInfo, ErrorContext,
    Invalidation, InvalidationStream, NewApiKey, NewAuditEvent, Profile, ProfileId, Store,
    StoreError, StoredCredential, Tenant, TenantId,
    secrets::{Keyring, Sealed, TokenHash, credential_aad, open_credential},
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sqlx::{
    Connection, PgConnection, Postgres, Transaction,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPool, PgPoolOptions},
};

use crate::{
    error::{map, map_migrate},
    invalidations::notify,
    rows::{ApiKeyRow, AuditRow, CredentialRow, ProfileRow, SealedRow, TenantRow, parse_id},
};

pub use crate::invalidations::CHANNEL as INVALIDATION_CHANNEL;

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/postgres");

/// How long a call waits for a connection, connecting included: the bound on how long a
/// call takes to answer `Unavailable` when the database is gone.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);
const MAX_CONNECTIONS: u32 = 10;
/// Server-side bounds: no statement, and no transaction left idle by a stuck caller, holds
/// a connection (or its locks) for long.
const STATEMENT_TIMEOUT: &str = "5s";
const LOCK_TIMEOUT: &str = "2s";
const IDLE_IN_TRANSACTION_TIMEOUT: &str = "30s";

macro_rules! api_key_columns {
    () => {
        "id, tenant_id, name, created_at, last_used_at, expires_at, revoked_at"
    };
}
macro_rules! profile_columns {
    () => {
        "id, tenant_id, name, created_at"
    };
}
macro_rules! credential_columns {
    () => {
        "id, tenant_id, profile_id, network, created_at, updated_at"
    };
}
/// The credential of one scope ($1 tenant, $2 profile or NULL, $3 network). The `COALESCE`
/// form is the one the `credentials_scope` index is built on.
macro_rules! credential_scope {
    () => {
        "tenant_id = $1 AND COALESCE(profile_id, '') = COALESCE($2, '') AND network = $3"
    };
}

/// The Postgres store. Cheap to share behind an `Arc`.
pub struct PostgresStore {
    pool: PgPool,
    options: PgConnectOptions,
    keyring: Arc<Keyring>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

/// Now, at the precision Postgres keeps (microseconds), so what a call returns equals what a
/// later read returns.
fn now() -> DateTime<Utc> {
    truncate(Utc::now())
}

fn truncate(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(at)
}

fn connect_options(url: &str) -> Result<PgConnectOptions, StoreError> {
    Ok(PgConnectOptions::from_str(url)
        .map_err(|e| {
            StoreError::other(ErrorContext::new(
                format!("`{url}` is not a valid Postgres URL"),
                e,
            ))
        })?
        .application_name("onair")
        .options([
            ("statement_timeout", STATEMENT_TIMEOUT),
            ("lock_timeout", LOCK_TIMEOUT),
            (
                "idle_in_transaction_session_timeout",
                IDLE_IN_TRANSACTION_TIMEOUT,
            ),
        ]))
}

fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .min_connections(0)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // Check a pooled connection before use, so one the server dropped while idle is
        // replaced instead of failing the call.
        .test_before_acquire(true)
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:pass@host:5432/db`) and checks one connection,
    /// answering `Unavailable` within about a second when the database cannot be reached.
    /// Does not migrate.
    pub async fn connect(url: &str, keyring: Arc<Keyring>) -> Result<Self, StoreError> {
        let options = connect_options(url)?;
        let pool = pool_options()
            .connect_with(options.clone())
            .await
            .map_err(|e| match map(e) {
                StoreError::Other(msg) => StoreError::Unavailable(msg),
                other => other,
            })?;
        Ok(Self {
            pool,
            options,
            keyring,
        })
    }

    /// Like [`PostgresStore::connect`], but connects on first use: for a server that should
    /// start (and report itself not ready) while the database is still down.
    pub fn connect_lazy(url: &str, keyring: Arc<Keyring>) -> Result<Self, StoreError> {
        let options = connect_options(url)?;
        let pool = pool_options().connect_lazy_with(options.clone());
        Ok(Self {
            pool,
            options,
            keyring,
        })
    }

    /// Closes every pooled connection; later calls answer `Unavailable`.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn begin(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.pool.begin().await.map_err(map)
    }

    async fn revoke(
        &self,
        tenant: Option<&TenantId>,
        actor: &Actor,
        id: &ApiKeyId,
    ) -> Result<ApiKey, StoreError> {
        let mut tx = self.begin().await?;
        let row: ApiKeyRow = sqlx::query_as(concat!(
            "SELECT ",
            api_key_columns!(),
            " FROM api_keys WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2) FOR UPDATE"
        ))
        .bind(id.as_str())
        .bind(tenant.map(TenantId::as_str))
        .fetch_one(&mut *tx)
        .await
        .map_err(map)?;
        let mut key = ApiKey::try_from(row)?;
        if key.revoked_at.is_some() {
            return Ok(key);
        }
        let at = now();
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        key.revoked_at = Some(at);
        insert_audit(
            &mut tx,
            Some(&key.tenant_id),
            actor,
            AuditEvent::API_KEY_REVOKE,
            Some(id.as_str()),
            &json!({ "name": key.name }),
            at,
        )
        .await?;
        notify(&mut tx, &Invalidation::ApiKeyRevoked(id.clone())).await?;
        tx.commit().await.map_err(map)?;
        Ok(key)
    }

    /// The id and creation time of the credential of one scope, locked for this transaction.
    async fn lock_credential(
        conn: &mut PgConnection,
        tenant: &TenantId,
        profile: Option<&ProfileId>,
        network: &str,
    ) -> Result<Option<(CredentialId, DateTime<Utc>)>, StoreError> {
        let found: Option<(String, DateTime<Utc>)> = sqlx::query_as(concat!(
            "SELECT id, created_at FROM credentials WHERE ",
            credential_scope!(),
            " FOR UPDATE"
        ))
        .bind(tenant.as_str())
        .bind(profile.map(ProfileId::as_str))
        .bind(network)
        .fetch_optional(conn)
        .await
        .map_err(map)?;
        found
            .map(|(id, created_at)| parse_id(&id).map(|id| (id, created_at)))
            .transpose()
    }
}

async fn insert_audit(
    conn: &mut PgConnection,
    tenant: Option<&TenantId>,
    actor: &Actor,
    action: &str,
    target: Option<&str>,
    detail: &serde_json::Value,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_events (id, tenant_id, actor, action, target, detail, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(AuditEventId::generate().as_str())
    .bind(tenant.map(TenantId::as_str))
    .bind(actor.to_string())
    .bind(action)
    .bind(target)
    .bind(detail)
    .bind(at)
    .execute(conn)
    .await
    .map_err(map)?;
    Ok(())
}

fn collect<R, T: TryFrom<R, Error = StoreError>>(rows: Vec<R>) -> Result<Vec<T>, StoreError> {
    rows.into_iter().map(T::try_from).collect()
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> Result<usize, StoreError> {
        let applied = || async {
            let exists: bool =
                sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map)?;
            if !exists {
                return Ok::<i64, StoreError>(0);
            }
            sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await
                .map_err(map)
        };
        let before = applied().await?;
        // A connection of its own, without the per-statement bounds: a migration may
        // rightly take longer, and waits its turn behind other instances' migrations.
        let mut conn = self.pool.acquire().await.map_err(map)?.detach();
        sqlx::raw_sql("SET statement_timeout = 0; SET lock_timeout = 0")
            .execute(&mut conn)
            .await
            .map_err(map)?;
        // `run_direct` is `run` without the `Acquire` bound async-trait cannot satisfy.
        let outcome = MIGRATOR
            .run_direct(None, &mut conn, false)
            .await
            .map_err(map_migrate);
        let _ = conn.close().await;
        outcome?;
        let after = applied().await?;
        Ok(usize::try_from(after - before).unwrap_or_default())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn create_tenant(&self, actor: &Actor, name: &str) -> Result<Tenant, StoreError> {
        let tenant = Tenant {
            id: TenantId::generate(),
            name: name.to_owned(),
            created_at: now(),
        };
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(tenant.id.as_str())
            .bind(name)
            .bind(tenant.created_at)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        insert_audit(
            &mut tx,
            None,
            actor,
            AuditEvent::TENANT_CREATE,
            Some(tenant.id.as_str()),
            &json!({ "name": name }),
            tenant.created_at,
        )
        .await?;
        tx.commit().await.map_err(map)?;
        Ok(tenant)
    }

    async fn get_tenant(&self, tenant: &TenantId) -> Result<Tenant, StoreError> {
        let row: TenantRow =
            sqlx::query_as("SELECT id, name, created_at FROM tenants WHERE id = $1")
                .bind(tenant.as_str())
                .fetch_one(&self.pool)
                .await
                .map_err(map)?;
        row.try_into()
    }

    async fn list_tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        let rows: Vec<TenantRow> =
            sqlx::query_as("SELECT id, name, created_at FROM tenants ORDER BY created_at, id")
                .fetch_all(&self.pool)
                .await
                .map_err(map)?;
        collect(rows)
    }

    async fn create_api_key(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        key: NewApiKey,
    ) -> Result<ApiKey, StoreError> {
        let created = ApiKey {
            id: key.id,
            tenant_id: tenant.clone(),
            name: key.name,
            created_at: now(),
            last_used_at: None,
            expires_at: key.expires_at.map(truncate),
            revoked_at: None,
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO api_keys (id, tenant_id, name, hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(created.id.as_str())
        .bind(tenant.as_str())
        .bind(&created.name)
        .bind(key.hash.as_bytes())
        .bind(created.created_at)
        .bind(created.expires_at)
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        insert_audit(
            &mut tx,
            Some(tenant),
            actor,
            AuditEvent::API_KEY_CREATE,
            Some(created.id.as_str()),
            &json!({ "name": created.name, "expires_at": created.expires_at }),
            created.created_at,
        )
        .await?;
        tx.commit().await.map_err(map)?;
        Ok(created)
    }

    async fn list_api_keys(&self, tenant: &TenantId) -> Result<Vec<ApiKey>, StoreError> {
        let rows: Vec<ApiKeyRow> = sqlx::query_as(concat!(
            "SELECT ",
            api_key_columns!(),
            " FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id"
        ))
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        collect(rows)
    }

    async fn get_api_key(&self, tenant: &TenantId, id: &ApiKeyId) -> Result<ApiKey, StoreError> {
        let row: ApiKeyRow = sqlx::query_as(concat!(
            "SELECT ",
            api_key_columns!(),
            " FROM api_keys WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.as_str())
        .bind(id.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        row.try_into()
    }

    async fn revoke_api_key(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        id: &ApiKeyId,
    ) -> Result<ApiKey, StoreError> {
        self.revoke(Some(tenant), actor, id).await
    }

    async fn revoke_api_key_as_operator(&self, id: &ApiKeyId) -> Result<ApiKey, StoreError> {
        self.revoke(None, &Actor::Operator, id).await
    }

    async fn find_api_key(&self, id: &ApiKeyId, hash: &TokenHash) -> Result<ApiKey, StoreError> {
        let row: ApiKeyRow = sqlx::query_as(concat!(
            "SELECT ",
            api_key_columns!(),
            " FROM api_keys WHERE id = $1 AND hash = $2"
        ))
        .bind(id.as_str())
        .bind(hash.as_bytes())
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        row.try_into()
    }

    async fn touch_api_key(
        &self,
        tenant: &TenantId,
        id: &ApiKeyId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE tenant_id = $2 AND id = $3")
                .bind(truncate(at))
                .bind(tenant.as_str())
                .bind(id.as_str())
                .execute(&self.pool)
                .await
                .map_err(map)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn create_profile(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        name: &str,
        key_hash: &TokenHash,
    ) -> Result<Profile, StoreError> {
        let profile = Profile {
            id: ProfileId::generate(),
            tenant_id: tenant.clone(),
            name: name.to_owned(),
            created_at: now(),
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO profiles (id, tenant_id, name, key_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(profile.id.as_str())
        .bind(tenant.as_str())
        .bind(name)
        .bind(key_hash.as_bytes())
        .bind(profile.created_at)
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        insert_audit(
            &mut tx,
            Some(tenant),
            actor,
            AuditEvent::PROFILE_CREATE,
            Some(profile.id.as_str()),
            &json!({ "name": name }),
            profile.created_at,
        )
        .await?;
        tx.commit().await.map_err(map)?;
        Ok(profile)
    }

    async fn list_profiles(&self, tenant: &TenantId) -> Result<Vec<Profile>, StoreError> {
        let rows: Vec<ProfileRow> = sqlx::query_as(concat!(
            "SELECT ",
            profile_columns!(),
            " FROM profiles WHERE tenant_id = $1 ORDER BY created_at, id"
        ))
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        collect(rows)
    }

    async fn get_profile(&self, tenant: &TenantId, id: &ProfileId) -> Result<Profile, StoreError> {
        let row: ProfileRow = sqlx::query_as(concat!(
            "SELECT ",
            profile_columns!(),
            " FROM profiles WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.as_str())
        .bind(id.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        row.try_into()
    }

    async fn delete_profile(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        id: &ProfileId,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let name: String = sqlx::query_scalar(
            "SELECT name FROM profiles WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
        )
        .bind(tenant.as_str())
        .bind(id.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(map)?;
        let credentials =
            sqlx::query("DELETE FROM credentials WHERE tenant_id = $1 AND profile_id = $2")
                .bind(tenant.as_str())
                .bind(id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(map)?
                .rows_affected();
        sqlx::query("DELETE FROM profiles WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        insert_audit(
            &mut tx,
            Some(tenant),
            actor,
            AuditEvent::PROFILE_DELETE,
            Some(id.as_str()),
            &json!({ "name": name, "credentials_deleted": credentials }),
            now(),
        )
        .await?;
        notify(
            &mut tx,
            &Invalidation::ProfileDeleted {
                tenant_id: tenant.clone(),
                profile_id: id.clone(),
            },
        )
        .await?;
        tx.commit().await.map_err(map)?;
        Ok(())
    }

    async fn find_profile_by_key(
        &self,
        tenant: &TenantId,
        key_hash: &TokenHash,
    ) -> Result<Profile, StoreError> {
        let row: ProfileRow = sqlx::query_as(concat!(
            "SELECT ",
            profile_columns!(),
            " FROM profiles WHERE tenant_id = $1 AND key_hash = $2"
        ))
        .bind(tenant.as_str())
        .bind(key_hash.as_bytes())
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        row.try_into()
    }

    async fn put_credential(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        profile: Option<&ProfileId>,
        network: &str,
        secret: &SecretString,
    ) -> Result<CredentialInfo, StoreError> {
        let at = now();
        let mut tx = self.begin().await?;
        if let Some(profile) = profile {
            // Holds the profile until commit, so it cannot be deleted under us.
            sqlx::query_scalar::<_, i32>(
                "SELECT 1 FROM profiles WHERE tenant_id = $1 AND id = $2 FOR KEY SHARE",
            )
            .bind(tenant.as_str())
            .bind(profile.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(map)?;
        }
        let mut existing = Self::lock_credential(&mut tx, tenant, profile, network).await?;
        if existing.is_none() {
            let id = CredentialId::generate();
            let sealed = self.keyring.seal(
                &credential_aad(tenant, &id),
                secret.expose_secret().as_bytes(),
            );
            let inserted = sqlx::query(
                "INSERT INTO credentials (id, tenant_id, profile_id, network, key_id, \
                 wrapped_key, ciphertext, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
                 ON CONFLICT (tenant_id, (COALESCE(profile_id, '')), network) DO NOTHING",
            )
            .bind(id.as_str())
            .bind(tenant.as_str())
            .bind(profile.map(ProfileId::as_str))
            .bind(network)
            .bind(&sealed.key_id)
            .bind(&sealed.wrapped_key)
            .bind(&sealed.ciphertext)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(map)?
            .rows_affected();
            if inserted == 1 {
                return self
                    .finish_put(tx, tenant, actor, profile, network, (id, at), false, at)
                    .await;
            }
            // A concurrent put created the row first: replace that one.
            existing = Self::lock_credential(&mut tx, tenant, profile, network).await?;
        }
        let (id, created_at) = existing.ok_or_else(|| {
            StoreError::Other("the credential vanished while it was being replaced".into())
        })?;
        let sealed = self.keyring.seal(
            &credential_aad(tenant, &id),
            secret.expose_secret().as_bytes(),
        );
        sqlx::query(
            "UPDATE credentials SET key_id = $1, wrapped_key = $2, ciphertext = $3, \
             updated_at = $4 WHERE id = $5",
        )
        .bind(&sealed.key_id)
        .bind(&sealed.wrapped_key)
        .bind(&sealed.ciphertext)
        .bind(at)
        .bind(id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        self.finish_put(
            tx,
            tenant,
            actor,
            profile,
            network,
            (id, created_at),
            true,
            at,
        )
        .await
    }

    async fn get_credential(
        &self,
        tenant: &TenantId,
        profile: Option<&ProfileId>,
        network: &str,
    ) -> Result<StoredCredential, StoreError> {
        let row: SealedRow = sqlx::query_as(concat!(
            "SELECT ",
            credential_columns!(),
            ", key_id, wrapped_key, ciphertext FROM credentials WHERE ",
            credential_scope!()
        ))
        .bind(tenant.as_str())
        .bind(profile.map(ProfileId::as_str))
        .bind(network)
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        let sealed = Sealed {
            key_id: row.key_id,
            wrapped_key: row.wrapped_key,
            ciphertext: row.ciphertext,
        };
        let info = CredentialInfo::try_from(row.info)?;
        let secret = open_credential(&self.keyring, &info.tenant_id, &info.id, &sealed)?;
        Ok(StoredCredential { info, secret })
    }

    async fn list_credentials(&self, tenant: &TenantId) -> Result<Vec<CredentialInfo>, StoreError> {
        let rows: Vec<CredentialRow> = sqlx::query_as(concat!(
            "SELECT ",
            credential_columns!(),
            " FROM credentials WHERE tenant_id = $1 ORDER BY created_at, id"
        ))
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        collect(rows)
    }

    async fn use_link_token(
        &self,
        tenant: &TenantId,
        jti: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM used_link_tokens WHERE expires_at < $1")
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        sqlx::query(
            "INSERT INTO used_link_tokens (jti, tenant_id, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(jti)
        .bind(tenant.as_str())
        .bind(truncate(expires_at))
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        tx.commit().await.map_err(map)
    }

    async fn delete_credential(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        profile: Option<&ProfileId>,
        network: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let (id, _) = Self::lock_credential(&mut tx, tenant, profile, network)
            .await?
            .ok_or(StoreError::NotFound)?;
        sqlx::query("DELETE FROM credentials WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        insert_audit(
            &mut tx,
            Some(tenant),
            actor,
            AuditEvent::CREDENTIAL_DELETE,
            Some(id.as_str()),
            &json!({ "network": network, "profile_id": profile }),
            now(),
        )
        .await?;
        notify(
            &mut tx,
            &Invalidation::CredentialsChanged {
                tenant_id: tenant.clone(),
            },
        )
        .await?;
        tx.commit().await.map_err(map)?;
        Ok(())
    }

    async fn rewrap_credentials(&self) -> Result<usize, StoreError> {
        let current = self.keyring.current_id().as_str().to_owned();
        let mut tx = self.begin().await?;
        let rows: Vec<(String, String, String, Vec<u8>, Vec<u8>)> = sqlx::query_as(
            "SELECT id, tenant_id, key_id, wrapped_key, ciphertext FROM credentials \
             WHERE key_id <> $1 ORDER BY id FOR UPDATE",
        )
        .bind(&current)
        .fetch_all(&mut *tx)
        .await
        .map_err(map)?;
        let mut changed = 0usize;
        for (id, tenant_id, key_id, wrapped_key, ciphertext) in rows {
            let aad = credential_aad(&parse_id(&tenant_id)?, &parse_id(&id)?);
            let sealed = Sealed {
                key_id,
                wrapped_key,
                ciphertext,
            };
            let Some(rewrapped) = self
                .keyring
                .rewrap(&aad, &sealed)
                .map_err(|e| StoreError::Integrity(format!("credential {id}: {e}")))?
            else {
                continue;
            };
            sqlx::query("UPDATE credentials SET key_id = $1, wrapped_key = $2 WHERE id = $3")
                .bind(&rewrapped.key_id)
                .bind(&rewrapped.wrapped_key)
                .bind(&id)
                .execute(&mut *tx)
                .await
                .map_err(map)?;
            changed += 1;
        }
        if changed > 0 {
            insert_audit(
                &mut tx,
                None,
                &Actor::System,
                AuditEvent::CREDENTIALS_REWRAP,
                None,
                &json!({ "count": changed, "key_id": current }),
                now(),
            )
            .await?;
        }
        tx.commit().await.map_err(map)?;
        Ok(changed)
    }

    async fn record_audit(&self, event: NewAuditEvent) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(map)?;
        insert_audit(
            &mut conn,
            event.tenant_id.as_ref(),
            &event.actor,
            &event.action,
            event.target.as_deref(),
            &event.detail,
            now(),
        )
        .await
    }

    async fn list_audit(
        &self,
        tenant: Option<&TenantId>,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let query = match tenant {
            Some(tenant) => sqlx::query_as(
                "SELECT id, tenant_id, actor, action, target, detail, at FROM audit_events \
                 WHERE tenant_id = $2 ORDER BY at DESC, id DESC LIMIT $1",
            )
            .bind(i64::from(limit))
            .bind(tenant.as_str()),
            None => sqlx::query_as(
                "SELECT id, tenant_id, actor, action, target, detail, at FROM audit_events \
                 WHERE tenant_id IS NULL ORDER BY at DESC, id DESC LIMIT $1",
            )
            .bind(i64::from(limit)),
        };
        let rows: Vec<AuditRow> = query.fetch_all(&self.pool).await.map_err(map)?;
        collect(rows)
    }

    async fn subscribe_invalidations(&self) -> Result<InvalidationStream, StoreError> {
        invalidations::subscribe(self.options.clone()).await
    }
}

impl PostgresStore {
    /// The end of every put: audit, notify, commit.
    #[allow(clippy::too_many_arguments)]
    async fn finish_put(
        &self,
        mut tx: Transaction<'static, Postgres>,
        tenant: &TenantId,
        actor: &Actor,
        profile: Option<&ProfileId>,
        network: &str,
        (id, created_at): (CredentialId, DateTime<Utc>),
        replaced: bool,
        at: DateTime<Utc>,
    ) -> Result<CredentialInfo, StoreError> {
        insert_audit(
            &mut tx,
            Some(tenant),
            actor,
            AuditEvent::CREDENTIAL_PUT,
            Some(id.as_str()),
            &json!({ "network": network, "profile_id": profile, "replaced": replaced }),
            at,
        )
        .await?;
        notify(
            &mut tx,
            &Invalidation::CredentialsChanged {
                tenant_id: tenant.clone(),
            },
        )
        .await?;
        tx.commit().await.map_err(map)?;
        Ok(CredentialInfo {
            id,
            tenant_id: tenant.clone(),
            profile_id: profile.cloned(),
            network: network.to_owned(),
            created_at,
            updated_at: at,
        })
    }
}
