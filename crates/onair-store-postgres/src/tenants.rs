//! Tenants in Postgres.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use onair_store::{
    StoreError, Tenant, TenantId,
    backend::{TenantRows, collect, parse_id},
};
use sqlx::FromRow;

use crate::{PostgresStore, error::map};

#[derive(FromRow)]
struct TenantRow {
    id: String,
    name: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(row: TenantRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: parse_id(&row.id)?,
            name: row.name,
            created_at: row.created_at,
        })
    }
}

#[async_trait]
impl TenantRows for PostgresStore {
    async fn insert_tenant(&self, tx: &mut Self::Tx, tenant: &Tenant) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(tenant.id.as_str())
            .bind(&tenant.name)
            .bind(tenant.created_at)
            .execute(&mut **tx)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn select_tenant(&self, tenant: &TenantId) -> Result<Tenant, StoreError> {
        let row: TenantRow =
            sqlx::query_as("SELECT id, name, created_at FROM tenants WHERE id = $1")
                .bind(tenant.as_str())
                .fetch_one(&self.pool)
                .await
                .map_err(map)?;
        row.try_into()
    }

    async fn select_tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        let rows: Vec<TenantRow> =
            sqlx::query_as("SELECT id, name, created_at FROM tenants ORDER BY created_at, id")
                .fetch_all(&self.pool)
                .await
                .map_err(map)?;
        collect(rows)
    }
}
