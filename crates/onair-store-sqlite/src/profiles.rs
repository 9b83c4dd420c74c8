//! Profiles in SQLite.

use async_trait::async_trait;
use onair_store::{
    Profile, ProfileId, StoreError, TenantId,
    backend::{ProfileRows, collect, parse_id},
    secrets::TokenHash,
};
use sqlx::FromRow;

use crate::{
    SqliteStore,
    error::map,
    rows::{parse_time, time_text},
};

macro_rules! profile_columns {
    () => {
        "id, tenant_id, name, created_at"
    };
}

#[derive(FromRow)]
struct ProfileRow {
    id: String,
    tenant_id: String,
    name: String,
    created_at: String,
}

impl TryFrom<ProfileRow> for Profile {
    type Error = StoreError;
    fn try_from(row: ProfileRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: parse_id(&row.id)?,
            tenant_id: parse_id(&row.tenant_id)?,
            name: row.name,
            created_at: parse_time(&row.created_at)?,
        })
    }
}

#[async_trait]
impl ProfileRows for SqliteStore {
    async fn insert_profile(
        &self,
        tx: &mut Self::Tx,
        profile: &Profile,
        key_hash: &TokenHash,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO profiles (id, tenant_id, name, key_hash, created_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(profile.id.as_str())
        .bind(profile.tenant_id.as_str())
        .bind(&profile.name)
        .bind(key_hash.as_bytes())
        .bind(time_text(profile.created_at))
        .execute(&mut **tx)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn select_profiles(&self, tenant: &TenantId) -> Result<Vec<Profile>, StoreError> {
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

    async fn select_profile(
        &self,
        tenant: &TenantId,
        id: &ProfileId,
    ) -> Result<Profile, StoreError> {
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

    async fn select_profile_by_key(
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

    async fn lock_profile(
        &self,
        tx: &mut Self::Tx,
        tenant: &TenantId,
        id: &ProfileId,
    ) -> Result<String, StoreError> {
        sqlx::query_scalar("SELECT name FROM profiles WHERE tenant_id = ? AND id = ?")
            .bind(tenant.as_str())
            .bind(id.as_str())
            .fetch_one(&mut **tx)
            .await
            .map_err(map)
    }

    async fn delete_profile_rows(
        &self,
        tx: &mut Self::Tx,
        tenant: &TenantId,
        id: &ProfileId,
    ) -> Result<u64, StoreError> {
        let credentials =
            sqlx::query("DELETE FROM credentials WHERE tenant_id = ? AND profile_id = ?")
                .bind(tenant.as_str())
                .bind(id.as_str())
                .execute(&mut **tx)
                .await
                .map_err(map)?
                .rows_affected();
        sqlx::query("DELETE FROM profiles WHERE tenant_id = ? AND id = ?")
            .bind(tenant.as_str())
            .bind(id.as_str())
            .execute(&mut **tx)
            .await
            .map_err(map)?;
        Ok(credentials)
    }
}
