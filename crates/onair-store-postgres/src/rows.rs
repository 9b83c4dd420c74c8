//! Rows as Postgres returns them, and their conversion to the store's types.

use chrono::{DateTime, Utc};
use onair_store::{
    Actor, ApiKey, AuditEvent, CredentialInfo, ErrorContext, IdParseError, Profile, StoreError,
    Tenant,
};
use sqlx::FromRow;

pub(crate) fn parse_id<T: std::str::FromStr<Err = IdParseError>>(
    text: &str,
) -> Result<T, StoreError> {
    text.parse()
        .map_err(|e| StoreError::other(ErrorContext::new("the database holds a malformed id", e)))
}

fn parse_opt_id<T: std::str::FromStr<Err = IdParseError>>(
    text: Option<String>,
) -> Result<Option<T>, StoreError> {
    text.as_deref().map(parse_id).transpose()
}

#[derive(FromRow)]
pub(crate) struct TenantRow {
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

#[derive(FromRow)]
pub(crate) struct ApiKeyRow {
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

#[derive(FromRow)]
pub(crate) struct ProfileRow {
    id: String,
    tenant_id: String,
    name: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<ProfileRow> for Profile {
    type Error = StoreError;
    fn try_from(row: ProfileRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: parse_id(&row.id)?,
            tenant_id: parse_id(&row.tenant_id)?,
            name: row.name,
            created_at: row.created_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct CredentialRow {
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
pub(crate) struct SealedRow {
    #[sqlx(flatten)]
    pub(crate) info: CredentialRow,
    pub(crate) key_id: String,
    pub(crate) wrapped_key: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
}

#[derive(FromRow)]
pub(crate) struct AuditRow {
    id: String,
    tenant_id: Option<String>,
    actor: String,
    action: String,
    target: Option<String>,
    detail: serde_json::Value,
    at: DateTime<Utc>,
}

impl TryFrom<AuditRow> for AuditEvent {
    type Error = StoreError;
    fn try_from(row: AuditRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: parse_id(&row.id)?,
            tenant_id: parse_opt_id(row.tenant_id)?,
            actor: row.actor.parse::<Actor>().map_err(|e| {
                StoreError::other(ErrorContext::new("the database holds a malformed actor", e))
            })?,
            action: row.action,
            target: row.target,
            detail: row.detail,
            at: row.at,
        })
    }
}
