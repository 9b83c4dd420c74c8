//! Rows as SQLite returns them, and their conversion to the store's types.

use chrono::{DateTime, NaiveDateTime, Utc};
use onair_store::{
    Actor, ApiKey, AuditEvent, CredentialInfo, ErrorContext, IdParseError, Profile, StoreError,
    Tenant,
};
use sqlx::FromRow;

/// Timestamps are TEXT in one fixed-width UTC form, so text order is time order.
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

pub(crate) fn time_text(at: DateTime<Utc>) -> String {
    at.format(TIME_FORMAT).to_string()
}

pub(crate) fn parse_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    NaiveDateTime::parse_from_str(text, TIME_FORMAT)
        .map(|t| t.and_utc())
        .map_err(|e| {
            StoreError::other(ErrorContext::new(
                "the database holds a malformed time `{text}`",
                e,
            ))
        })
}

fn parse_opt_time(text: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    text.as_deref().map(parse_time).transpose()
}

fn parse_id<T: std::str::FromStr<Err = IdParseError>>(text: &str) -> Result<T, StoreError> {
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
    created_at: String,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(row: TenantRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: parse_id(&row.id)?,
            name: row.name,
            created_at: parse_time(&row.created_at)?,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct ApiKeyRow {
    id: String,
    tenant_id: String,
    name: String,
    created_at: String,
    last_used_at: Option<String>,
    expires_at: Option<String>,
    revoked_at: Option<String>,
}

impl TryFrom<ApiKeyRow> for ApiKey {
    type Error = StoreError;
    fn try_from(row: ApiKeyRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: parse_id(&row.id)?,
            tenant_id: parse_id(&row.tenant_id)?,
            name: row.name,
            created_at: parse_time(&row.created_at)?,
            last_used_at: parse_opt_time(row.last_used_at)?,
            expires_at: parse_opt_time(row.expires_at)?,
            revoked_at: parse_opt_time(row.revoked_at)?,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct ProfileRow {
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

#[derive(FromRow)]
pub(crate) struct CredentialRow {
    id: String,
    tenant_id: String,
    profile_id: Option<String>,
    network: String,
    created_at: String,
    updated_at: String,
}

impl TryFrom<CredentialRow> for CredentialInfo {
    type Error = StoreError;
    fn try_from(row: CredentialRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: parse_id(&row.id)?,
            tenant_id: parse_id(&row.tenant_id)?,
            profile_id: parse_opt_id(row.profile_id)?,
            network: row.network,
            created_at: parse_time(&row.created_at)?,
            updated_at: parse_time(&row.updated_at)?,
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
    detail: String,
    at: String,
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
            detail: serde_json::from_str(&row.detail).map_err(|e| {
                StoreError::other(ErrorContext::new(
                    "the database holds malformed audit detail",
                    e,
                ))
            })?,
            at: parse_time(&row.at)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_fixed_width_and_round_trip() {
        let early = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let late = early + chrono::TimeDelta::microseconds(123_456);
        assert_eq!(time_text(early), "2026-01-02T03:04:05.000000Z");
        assert_eq!(time_text(late), "2026-01-02T03:04:05.123456Z");
        assert!(time_text(early) < time_text(late));
        assert_eq!(parse_time(&time_text(late)).unwrap(), late);
        assert!(parse_time("yesterday").is_err());
    }
}
