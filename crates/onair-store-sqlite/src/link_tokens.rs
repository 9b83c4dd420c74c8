//! Used link tokens in SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use onair_store::{StoreError, TenantId, UsedLinkToken, backend::LinkTokenRows};

use crate::{SqliteStore, error::map, rows::time_text};

#[async_trait]
impl LinkTokenRows for SqliteStore {
    async fn delete_expired_link_tokens(
        &self,
        tx: &mut Self::Tx,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM used_link_tokens WHERE expires_at < ?")
            .bind(time_text(now))
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
        sqlx::query("INSERT INTO used_link_tokens (jti, tenant_id, expires_at) VALUES (?, ?, ?)")
            .bind(&token.jti)
            .bind(tenant.as_str())
            .bind(time_text(token.expires_at))
            .execute(&mut **tx)
            .await
            .map_err(map)?;
        Ok(())
    }
}
