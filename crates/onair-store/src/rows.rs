use std::fmt;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::Serialize;

use crate::{ApiKeyId, AuditEventId, CredentialId, ProfileId, TenantId, secrets::TokenHash};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// An API key as stored: never the key itself, only its keyed hash (kept inside the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub tenant_id: TenantId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    /// Whether the key authenticates at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub id: ApiKeyId,
    pub name: String,
    pub hash: TokenHash,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub id: ProfileId,
    pub tenant_id: TenantId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// What is known of a stored upstream credential without decrypting it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialInfo {
    pub id: CredentialId,
    pub tenant_id: TenantId,
    /// Set when the credential belongs to one profile rather than the whole tenant.
    pub profile_id: Option<ProfileId>,
    /// The canonical network id (`x`).
    pub network: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A decrypted credential, as handed to a provider.
pub struct StoredCredential {
    pub info: CredentialInfo,
    pub secret: SecretString,
}

impl fmt::Debug for StoredCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredCredential")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// Who performed an administrative action, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// The operator, through the `onair` CLI.
    Operator,
    /// A tenant's API key.
    ApiKey(ApiKeyId),
    /// A tenant's API key acting for one of its profiles.
    Profile(ProfileId),
    /// The server itself (key rotation, clean-ups).
    System,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Operator => f.write_str("operator"),
            Self::System => f.write_str("system"),
            Self::ApiKey(id) => write!(f, "{id}"),
            Self::Profile(id) => write!(f, "{id}"),
        }
    }
}

impl std::str::FromStr for Actor {
    type Err = crate::IdParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "operator" => Ok(Self::Operator),
            "system" => Ok(Self::System),
            s if s.starts_with("prof_") => s.parse().map(Self::Profile),
            s => s.parse().map(Self::ApiKey),
        }
    }
}

/// An audit entry to record. Backends record one in the same transaction as each
/// administrative change; `record_audit` exists for actions that change nothing stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    pub tenant_id: Option<TenantId>,
    pub actor: Actor,
    /// Dotted verb, e.g. `api_key.revoke`.
    pub action: String,
    /// The id of the object acted on.
    pub target: Option<String>,
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    pub id: AuditEventId,
    pub tenant_id: Option<TenantId>,
    pub actor: Actor,
    pub action: String,
    pub target: Option<String>,
    pub detail: serde_json::Value,
    pub at: DateTime<Utc>,
}

/// The actions the stores record themselves, one name per administrative change.
impl AuditEvent {
    /// Operator-level (no tenant); target: the new tenant's id.
    pub const TENANT_CREATE: &'static str = "tenant.create";
    pub const API_KEY_CREATE: &'static str = "api_key.create";
    pub const API_KEY_REVOKE: &'static str = "api_key.revoke";
    pub const PROFILE_CREATE: &'static str = "profile.create";
    pub const PROFILE_DELETE: &'static str = "profile.delete";
    pub const CREDENTIAL_PUT: &'static str = "credential.put";
    pub const CREDENTIAL_DELETE: &'static str = "credential.delete";
    /// Operator-level; written by `rewrap_credentials` when it changed any row.
    pub const CREDENTIALS_REWRAP: &'static str = "credentials.rewrap";
}

/// A change other instances must hear of at once, to drop what they cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalidation {
    ApiKeyRevoked(ApiKeyId),
    ProfileDeleted {
        tenant_id: TenantId,
        profile_id: ProfileId,
    },
    CredentialsChanged {
        tenant_id: TenantId,
    },
    /// The notification channel was interrupted: anything cached may be stale.
    Resync,
}

/// The wire form of an invalidation, shared by the backends that send invalidations between
/// processes (Postgres `NOTIFY` payloads, SQLite's invalidation log): small tagged JSON.
#[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum InvalidationWire {
    ApiKeyRevoked {
        key_id: ApiKeyId,
    },
    ProfileDeleted {
        tenant_id: TenantId,
        profile_id: ProfileId,
    },
    CredentialsChanged {
        tenant_id: TenantId,
    },
}

impl Invalidation {
    /// The JSON sent to other processes; `None` for [`Invalidation::Resync`], which is local.
    pub fn to_json(&self) -> Option<String> {
        let wire = match self {
            Self::ApiKeyRevoked(key_id) => InvalidationWire::ApiKeyRevoked {
                key_id: key_id.clone(),
            },
            Self::ProfileDeleted {
                tenant_id,
                profile_id,
            } => InvalidationWire::ProfileDeleted {
                tenant_id: tenant_id.clone(),
                profile_id: profile_id.clone(),
            },
            Self::CredentialsChanged { tenant_id } => InvalidationWire::CredentialsChanged {
                tenant_id: tenant_id.clone(),
            },
            Self::Resync => return None,
        };
        serde_json::to_string(&wire).ok()
    }

    /// Reads what [`Invalidation::to_json`] wrote.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        Ok(match serde_json::from_str(text)? {
            InvalidationWire::ApiKeyRevoked { key_id } => Self::ApiKeyRevoked(key_id),
            InvalidationWire::ProfileDeleted {
                tenant_id,
                profile_id,
            } => Self::ProfileDeleted {
                tenant_id,
                profile_id,
            },
            InvalidationWire::CredentialsChanged { tenant_id } => {
                Self::CredentialsChanged { tenant_id }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalidations_travel_as_small_tagged_json() {
        let all = [
            Invalidation::ApiKeyRevoked("key_abcDEF123456".parse().unwrap()),
            Invalidation::ProfileDeleted {
                tenant_id: TenantId::generate(),
                profile_id: ProfileId::generate(),
            },
            Invalidation::CredentialsChanged {
                tenant_id: TenantId::generate(),
            },
        ];
        for inv in all {
            let text = inv.to_json().unwrap();
            assert!(
                text.starts_with(r#"{"kind":""#) && text.len() < 200,
                "{text}"
            );
            assert_eq!(Invalidation::from_json(&text).unwrap(), inv);
        }
        assert!(Invalidation::Resync.to_json().is_none());
        assert!(Invalidation::from_json(r#"{"kind":"watch_fired"}"#).is_err());
        assert!(Invalidation::from_json("not json").is_err());
    }
}
