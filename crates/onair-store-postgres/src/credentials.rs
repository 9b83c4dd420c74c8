//! Sealed upstream credentials in Postgres.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use onair_store::{
    CredentialId, CredentialInfo, ProfileId, StoreError, TenantId,
    backend::{CredentialRows, CredentialScope, collect, parse_id, parse_opt_id},
    secrets::Sealed,
};
use sqlx::FromRow;

use crate::{PostgresStore, error::map};

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

#[derive(FromRow)]
struct CredentialRow {
    id: String,
    tenant_id: String,
    profile_id: Option<String>,
    network: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<CredentialRow> for CredentialInfo {
    type Error = StoreError;
    fn try_from(row: CredentialRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: parse_id(&row.id)?,
            tenant_id: parse_id(&row.tenant_id)?,
            profile_id: parse_opt_id(row.profile_id)?,
            network: row.network,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// A credential row with its sealed value.
#[derive(FromRow)]
struct SealedRow {
    #[sqlx(flatten)]
    info: CredentialRow,
    key_id: String,
    wrapped_key: Vec<u8>,
    ciphertext: Vec<u8>,
}

#[async_trait]
impl CredentialRows for PostgresStore {
    async fn lock_credential_profile(
        &self,
        tx: &mut Self::Tx,
        tenant: &TenantId,
        profile: &ProfileId,
    ) -> Result<(), StoreError> {
        sqlx::query_scalar::<_, i32>(
            "SELECT 1 FROM profiles WHERE tenant_id = $1 AND id = $2 FOR KEY SHARE",
        )
        .bind(tenant.as_str())
        .bind(profile.as_str())
        .fetch_one(&mut **tx)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn lock_credential(
        &self,
        tx: &mut Self::Tx,
        scope: CredentialScope<'_>,
    ) -> Result<Option<(CredentialId, DateTime<Utc>)>, StoreError> {
        let found: Option<(String, DateTime<Utc>)> = sqlx::query_as(concat!(
            "SELECT id, created_at FROM credentials WHERE ",
            credential_scope!(),
            " FOR UPDATE"
        ))
        .bind(scope.tenant.as_str())
        .bind(scope.profile.map(ProfileId::as_str))
        .bind(scope.network)
        .fetch_optional(&mut **tx)
        .await
        .map_err(map)?;
        found
            .map(|(id, created_at)| parse_id(&id).map(|id| (id, created_at)))
            .transpose()
    }

    async fn insert_credential(
        &self,
        tx: &mut Self::Tx,
        info: &CredentialInfo,
        sealed: &Sealed,
    ) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO credentials (id, tenant_id, profile_id, network, key_id, \
             wrapped_key, ciphertext, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (tenant_id, (COALESCE(profile_id, '')), network) DO NOTHING",
        )
        .bind(info.id.as_str())
        .bind(info.tenant_id.as_str())
        .bind(info.profile_id.as_ref().map(ProfileId::as_str))
        .bind(&info.network)
        .bind(&sealed.key_id)
        .bind(&sealed.wrapped_key)
        .bind(&sealed.ciphertext)
        .bind(info.created_at)
        .bind(info.updated_at)
        .execute(&mut **tx)
        .await
        .map_err(map)?
        .rows_affected();
        Ok(inserted == 1)
    }

    async fn update_credential_secret(
        &self,
        tx: &mut Self::Tx,
        id: &CredentialId,
        sealed: &Sealed,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE credentials SET key_id = $1, wrapped_key = $2, ciphertext = $3, \
             updated_at = $4 WHERE id = $5",
        )
        .bind(&sealed.key_id)
        .bind(&sealed.wrapped_key)
        .bind(&sealed.ciphertext)
        .bind(at)
        .bind(id.as_str())
        .execute(&mut **tx)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn select_credential(
        &self,
        scope: CredentialScope<'_>,
    ) -> Result<(CredentialInfo, Sealed), StoreError> {
        let row: SealedRow = sqlx::query_as(concat!(
            "SELECT ",
            credential_columns!(),
            ", key_id, wrapped_key, ciphertext FROM credentials WHERE ",
            credential_scope!()
        ))
        .bind(scope.tenant.as_str())
        .bind(scope.profile.map(ProfileId::as_str))
        .bind(scope.network)
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        let sealed = Sealed {
            key_id: row.key_id,
            wrapped_key: row.wrapped_key,
            ciphertext: row.ciphertext,
        };
        Ok((row.info.try_into()?, sealed))
    }

    async fn select_credentials(
        &self,
        tenant: &TenantId,
    ) -> Result<Vec<CredentialInfo>, StoreError> {
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

    async fn delete_credential_row(
        &self,
        tx: &mut Self::Tx,
        id: &CredentialId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM credentials WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut **tx)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn lock_credentials_not_under(
        &self,
        tx: &mut Self::Tx,
        key_id: &str,
    ) -> Result<Vec<(CredentialId, TenantId, Sealed)>, StoreError> {
        let rows: Vec<(String, String, String, Vec<u8>, Vec<u8>)> = sqlx::query_as(
            "SELECT id, tenant_id, key_id, wrapped_key, ciphertext FROM credentials \
             WHERE key_id <> $1 ORDER BY id FOR UPDATE",
        )
        .bind(key_id)
        .fetch_all(&mut **tx)
        .await
        .map_err(map)?;
        rows.into_iter()
            .map(|(id, tenant_id, key_id, wrapped_key, ciphertext)| {
                let sealed = Sealed {
                    key_id,
                    wrapped_key,
                    ciphertext,
                };
                Ok((parse_id(&id)?, parse_id(&tenant_id)?, sealed))
            })
            .collect()
    }

    async fn update_credential_key(
        &self,
        tx: &mut Self::Tx,
        id: &CredentialId,
        sealed: &Sealed,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE credentials SET key_id = $1, wrapped_key = $2 WHERE id = $3")
            .bind(&sealed.key_id)
            .bind(&sealed.wrapped_key)
            .bind(id.as_str())
            .execute(&mut **tx)
            .await
            .map_err(map)?;
        Ok(())
    }
}
