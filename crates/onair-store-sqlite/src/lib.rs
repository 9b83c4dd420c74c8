//! The embedded SQLite backend of the onair Store: one file, one instance.
//!
//! `SqliteStore::connect("sqlite://./data/onair.db", keyring)` opens (and creates) the file in
//! WAL mode with foreign keys on; `migrate()` applies `migrations/sqlite`. Writes run in
//! `BEGIN IMMEDIATE` transactions, so a write never fails half-way on a lock upgrade, and a
//! writer blocked longer than the busy timeout answers `StoreError::Unavailable`.
//! One file serves one server, but the operator's CLI writes to it from another process:
//! invalidations go through a log table that every subscriber polls (see `invalidations`).

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
    Sqlite, SqliteConnection, Transaction,
    migrate::Migrator,
    sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
    },
};

use crate::{
    error::{map, map_migrate},
    rows::{ApiKeyRow, AuditRow, CredentialRow, ProfileRow, SealedRow, TenantRow, time_text},
};

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/sqlite");

/// How long a write waits for another writer before answering `Unavailable`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a call waits for a free connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
const MAX_CONNECTIONS: u32 = 4;

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
/// The credential of one scope: a tenant's own (`profile_id` NULL) or one profile's. The
/// `ifnull` form is the one the `credentials_scope` index is built on.
macro_rules! credential_scope {
    () => {
        "tenant_id = ? AND ifnull(profile_id, '') = ifnull(?, '') AND network = ?"
    };
}

/// The SQLite store. Cheap to share behind an `Arc`.
pub struct SqliteStore {
    pool: SqlitePool,
    keyring: Arc<Keyring>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

/// Now, at the precision both backends keep.
fn now() -> DateTime<Utc> {
    truncate(Utc::now())
}

fn truncate(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(at)
}

impl SqliteStore {
    /// Opens the database at `url` (`sqlite://./data/onair.db`, `sqlite:///abs/path.db`,
    /// `sqlite::memory:`), creating the file and its directory if missing. Does not migrate.
    pub async fn connect(url: &str, keyring: Arc<Keyring>) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| {
                StoreError::other(ErrorContext::new(
                    format!("`{url}` is not a valid SQLite URL"),
                    e,
                ))
            })?
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool = if in_memory {
            // Each connection to `:memory:` is its own database: keep exactly one, forever.
            SqlitePoolOptions::new()
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await
        } else {
            let path = options.get_filename().to_owned();
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                tokio::fs::create_dir_all(dir).await.map_err(|e| {
                    StoreError::unavailable(ErrorContext::new(
                        format!(
                            "cannot create the directory {} for the SQLite database",
                            dir.display()
                        ),
                        e,
                    ))
                })?;
            }
            SqlitePoolOptions::new()
                .max_connections(MAX_CONNECTIONS)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(
                    options
                        .journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal),
                )
                .await
        }
        .map_err(|e| match map(e) {
            StoreError::Other(cause) => StoreError::unavailable(ErrorContext::new(
                format!("cannot open the SQLite database `{url}`"),
                cause,
            )),
            other => other,
        })?;
        Ok(Self { pool, keyring })
    }

    /// Closes every connection; later calls answer `Unavailable`.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(map)
    }

    async fn revoke(
        &self,
        tenant: Option<&TenantId>,
        actor: &Actor,
        id: &ApiKeyId,
    ) -> Result<ApiKey, StoreError> {
        let mut tx = self.write().await?;
        let row: ApiKeyRow = sqlx::query_as(concat!(
            "SELECT ",
            api_key_columns!(),
            " FROM api_keys WHERE id = ? AND (? IS NULL OR tenant_id = ?)"
        ))
        .bind(id.as_str())
        .bind(tenant.map(TenantId::as_str))
        .bind(tenant.map(TenantId::as_str))
        .fetch_optional(&mut *tx)
        .await
        .map_err(map)?
        .ok_or(StoreError::NotFound)?;
        let mut key = ApiKey::try_from(row)?;
        if key.revoked_at.is_some() {
            return Ok(key);
        }
        let at = now();
        sqlx::query("UPDATE api_keys SET revoked_at = ? WHERE id = ?")
            .bind(time_text(at))
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
        invalidations::log(&mut tx, &Invalidation::ApiKeyRevoked(id.clone())).await?;
        tx.commit().await.map_err(map)?;
        Ok(key)
    }

    async fn find_credential_id(
        conn: &mut SqliteConnection,
        tenant: &TenantId,
        profile: Option<&ProfileId>,
        network: &str,
    ) -> Result<Option<(CredentialId, String)>, StoreError> {
        let found: Option<(String, String)> = sqlx::query_as(concat!(
            "SELECT id, created_at FROM credentials WHERE ",
            credential_scope!()
        ))
        .bind(tenant.as_str())
        .bind(profile.map(ProfileId::as_str))
        .bind(network)
        .fetch_optional(conn)
        .await
        .map_err(map)?;
        found
            .map(|(id, created_at)| {
                id.parse().map(|id| (id, created_at)).map_err(|e| {
                    StoreError::other(ErrorContext::new("the database holds a malformed id", e))
                })
            })
            .transpose()
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_audit(
    conn: &mut SqliteConnection,
    tenant: Option<&TenantId>,
    actor: &Actor,
    action: &str,
    target: Option<&str>,
    detail: &serde_json::Value,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_events (id, tenant_id, actor, action, target, detail, at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(AuditEventId::generate().as_str())
    .bind(tenant.map(TenantId::as_str))
    .bind(actor.to_string())
    .bind(action)
    .bind(target)
    .bind(detail.to_string())
    .bind(time_text(at))
    .execute(conn)
    .await
    .map_err(map)?;
    Ok(())
}

fn collect<R, T: TryFrom<R, Error = StoreError>>(rows: Vec<R>) -> Result<Vec<T>, StoreError> {
    rows.into_iter().map(T::try_from).collect()
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> Result<usize, StoreError> {
        let applied = || async {
            let table: Option<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            )
            .fetch_optional(&self.pool)
            .await
            .map_err(map)?;
            if table.is_none() {
                return Ok::<i64, StoreError>(0);
            }
            sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await
                .map_err(map)
        };
        let before = applied().await?;
        MIGRATOR.run(&self.pool).await.map_err(map_migrate)?;
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
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)")
            .bind(tenant.id.as_str())
            .bind(name)
            .bind(time_text(tenant.created_at))
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
            sqlx::query_as("SELECT id, name, created_at FROM tenants WHERE id = ?")
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
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO api_keys (id, tenant_id, name, hash, created_at, expires_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(created.id.as_str())
        .bind(tenant.as_str())
        .bind(&created.name)
        .bind(key.hash.as_bytes())
        .bind(time_text(created.created_at))
        .bind(created.expires_at.map(time_text))
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
            " FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id"
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
            " FROM api_keys WHERE tenant_id = ? AND id = ?"
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
            " FROM api_keys WHERE id = ? AND hash = ?"
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
            sqlx::query("UPDATE api_keys SET last_used_at = ? WHERE tenant_id = ? AND id = ?")
                .bind(time_text(truncate(at)))
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
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO profiles (id, tenant_id, name, key_hash, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(profile.id.as_str())
        .bind(tenant.as_str())
        .bind(name)
        .bind(key_hash.as_bytes())
        .bind(time_text(profile.created_at))
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
            " FROM profiles WHERE tenant_id = ? ORDER BY created_at, id"
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
            " FROM profiles WHERE tenant_id = ? AND id = ?"
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
        let mut tx = self.write().await?;
        let name: String =
            sqlx::query_scalar("SELECT name FROM profiles WHERE tenant_id = ? AND id = ?")
                .bind(tenant.as_str())
                .bind(id.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(map)?;
        let credentials =
            sqlx::query("DELETE FROM credentials WHERE tenant_id = ? AND profile_id = ?")
                .bind(tenant.as_str())
                .bind(id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(map)?
                .rows_affected();
        sqlx::query("DELETE FROM profiles WHERE tenant_id = ? AND id = ?")
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
        invalidations::log(
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
            " FROM profiles WHERE tenant_id = ? AND key_hash = ?"
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
        let mut tx = self.write().await?;
        if let Some(profile) = profile {
            sqlx::query_scalar::<_, i64>("SELECT 1 FROM profiles WHERE tenant_id = ? AND id = ?")
                .bind(tenant.as_str())
                .bind(profile.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(map)?;
        }
        let existing = Self::find_credential_id(&mut tx, tenant, profile, network).await?;
        let replaced = existing.is_some();
        let (id, created_at) = match existing {
            Some((id, created_at)) => (id, rows::parse_time(&created_at)?),
            None => (CredentialId::generate(), at),
        };
        let sealed = self.keyring.seal(
            &credential_aad(tenant, &id),
            secret.expose_secret().as_bytes(),
        );
        if replaced {
            sqlx::query(
                "UPDATE credentials SET key_id = ?, wrapped_key = ?, ciphertext = ?, updated_at = ? \
                 WHERE id = ?",
            )
            .bind(&sealed.key_id)
            .bind(&sealed.wrapped_key)
            .bind(&sealed.ciphertext)
            .bind(time_text(at))
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        } else {
            sqlx::query(
                "INSERT INTO credentials (id, tenant_id, profile_id, network, key_id, wrapped_key, \
                 ciphertext, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(id.as_str())
            .bind(tenant.as_str())
            .bind(profile.map(ProfileId::as_str))
            .bind(network)
            .bind(&sealed.key_id)
            .bind(&sealed.wrapped_key)
            .bind(&sealed.ciphertext)
            .bind(time_text(at))
            .bind(time_text(at))
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        }
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
        invalidations::log(
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
            " FROM credentials WHERE tenant_id = ? ORDER BY created_at, id"
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
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM used_link_tokens WHERE expires_at < ?")
            .bind(time_text(now()))
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        sqlx::query("INSERT INTO used_link_tokens (jti, tenant_id, expires_at) VALUES (?, ?, ?)")
            .bind(jti)
            .bind(tenant.as_str())
            .bind(time_text(truncate(expires_at)))
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
        let mut tx = self.write().await?;
        let (id, _) = Self::find_credential_id(&mut tx, tenant, profile, network)
            .await?
            .ok_or(StoreError::NotFound)?;
        sqlx::query("DELETE FROM credentials WHERE id = ?")
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
        invalidations::log(
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
        let mut tx = self.write().await?;
        let rows: Vec<(String, String, String, Vec<u8>, Vec<u8>)> = sqlx::query_as(
            "SELECT id, tenant_id, key_id, wrapped_key, ciphertext FROM credentials \
             WHERE key_id <> ? ORDER BY id",
        )
        .bind(&current)
        .fetch_all(&mut *tx)
        .await
        .map_err(map)?;
        let mut changed = 0usize;
        for (id, tenant_id, key_id, wrapped_key, ciphertext) in rows {
            let aad = match (tenant_id.parse::<TenantId>(), id.parse::<CredentialId>()) {
                (Ok(t), Ok(c)) => credential_aad(&t, &c),
                _ => {
                    return Err(StoreError::other(format!(
                        "credential {id} has a malformed id"
                    )));
                }
            };
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
            sqlx::query("UPDATE credentials SET key_id = ?, wrapped_key = ? WHERE id = ?")
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
                 WHERE tenant_id = ? ORDER BY at DESC, id DESC LIMIT ?",
            )
            .bind(tenant.as_str()),
            None => sqlx::query_as(
                "SELECT id, tenant_id, actor, action, target, detail, at FROM audit_events \
                 WHERE tenant_id IS NULL ORDER BY at DESC, id DESC LIMIT ?",
            ),
        };
        let rows: Vec<AuditRow> = query
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(map)?;
        collect(rows)
    }

    async fn subscribe_invalidations(&self) -> Result<InvalidationStream, StoreError> {
        invalidations::subscribe(self.pool.clone()).await
    }
}
