//! Used link tokens in Postgres.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use onair_store::{StoreError, TenantId, UsedLinkToken, backend::LinkTokenRows};

use crate::{PostgresStore, error::map};

#[async_trait]
impl LinkTokenRows for PostgresStore {
    async fn delete_expired_link_tokens(
        &self,
        tx: &mut Self::Tx,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM used_link_tokens WHERE expires_at < $1")
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn insert_used_link_token(
        &self,
        tx: &mut Self::Tx,
        tenant: &TenantId,
        token: &UsedLinkToken,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO used_link_tokens (jti, tenant_id, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(&token.jti)
        .bind(tenant.as_str())
        .bind(token.expires_at)
        .execute(&mut **tx)
        .await
        .map_err(map)?;
        Ok(())
    }
}
