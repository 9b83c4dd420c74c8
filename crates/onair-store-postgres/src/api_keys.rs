//! API keys in Postgres.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use onair_store::{
    ApiKey, ApiKeyId, StoreError, TenantId,
    backend::{ApiKeyRows, collect, parse_id},
    secrets::TokenHash,
};
use sqlx::FromRow;

use crate::{PostgresStore, error::map};

macro_rules! api_key_columns {
    () => {
        "id, tenant_id, name, created_at, last_used_at, expires_at, revoked_at"
    };
}

#[derive(FromRow)]
struct ApiKeyRow {
    id: String,
    tenant_id: String,
    name: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl TryFrom<ApiKeyRow> for ApiKey {
    type Error = StoreError;
    fn try_from(row: ApiKeyRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: parse_id(&row.id)?,
            tenant_id: parse_id(&row.tenant_id)?,
            name: row.name,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
        })
    }
}

#[async_trait]
impl ApiKeyRows for PostgresStore {
    async fn insert_api_key(
        &self,
        tx: &mut Self::Tx,
        key: &ApiKey,
        hash: &TokenHash,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_keys (id, tenant_id, name, hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(key.id.as_str())
        .bind(key.tenant_id.as_str())
        .bind(&key.name)
        .bind(hash.as_bytes())
        .bind(key.created_at)
        .bind(key.expires_at)
        .execute(&mut **tx)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn select_api_keys(&self, tenant: &TenantId) -> Result<Vec<ApiKey>, StoreError> {
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

    async fn select_api_key(&self, tenant: &TenantId, id: &ApiKeyId) -> Result<ApiKey, StoreError> {
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

    async fn select_api_key_by_hash(
        &self,
        id: &ApiKeyId,
        hash: &TokenHash,
    ) -> Result<ApiKey, StoreError> {
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

    async fn lock_api_key(
        &self,
        tx: &mut Self::Tx,
        tenant: Option<&TenantId>,
        id: &ApiKeyId,
    ) -> Result<ApiKey, StoreError> {
        let row: ApiKeyRow = sqlx::query_as(concat!(
            "SELECT ",
            api_key_columns!(),
            " FROM api_keys WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2) FOR UPDATE"
        ))
        .bind(id.as_str())
        .bind(tenant.map(TenantId::as_str))
        .fetch_one(&mut **tx)
        .await
        .map_err(map)?;
        row.try_into()
    }

    async fn update_api_key_revoked(
        &self,
        tx: &mut Self::Tx,
        id: &ApiKeyId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id.as_str())
            .execute(&mut **tx)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn update_api_key_last_used(
        &self,
        tenant: &TenantId,
        id: &ApiKeyId,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done =
            sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE tenant_id = $2 AND id = $3")
                .bind(at)
                .bind(tenant.as_str())
                .bind(id.as_str())
                .execute(&self.pool)
                .await
                .map_err(map)?;
        Ok(done.rows_affected())
    }
}
