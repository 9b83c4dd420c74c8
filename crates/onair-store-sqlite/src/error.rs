//! SQLite's errors in the store's terms.

use onair_store::{BoxError, ErrorContext, StoreError};

// Extended result codes (https://www.sqlite.org/rescode.html).
const CONSTRAINT_PRIMARYKEY: i32 = 1555;
const CONSTRAINT_UNIQUE: i32 = 2067;
const CONSTRAINT_FOREIGNKEY: i32 = 787;
// Primary codes, compared on the low byte: the database is locked by another writer beyond
// the busy timeout, or the file cannot be read, written or opened.
const BUSY: i32 = 5;
const LOCKED: i32 = 6;
const READONLY: i32 = 8;
const IOERR: i32 = 10;
const FULL: i32 = 13;
const CANTOPEN: i32 = 14;

/// SQLite names a broken unique rule by its columns (`UNIQUE constraint failed: tenants.name`)
/// or, for an expression index, by the index; the store reports the constraint's name, the
/// same as the Postgres backend does.
const UNIQUE_RULES: &[(&str, &str)] = &[
    ("tenants.id", "tenants_id"),
    ("tenants.name", "tenants_name"),
    ("api_keys.id", "api_keys_id"),
    ("api_keys.hash", "api_keys_hash"),
    ("profiles.id", "profiles_id"),
    ("profiles.tenant_id, profiles.id", "profiles_tenant_id"),
    ("profiles.tenant_id, profiles.key_hash", "profiles_key_hash"),
    ("credentials.id", "credentials_id"),
    ("index 'credentials_scope'", "credentials_scope"),
    ("audit_events.id", "audit_events_id"),
    ("used_link_tokens.jti", "used_link_tokens_jti"),
];

fn constraint_name(message: &str) -> String {
    let columns = message
        .strip_prefix("UNIQUE constraint failed: ")
        .unwrap_or(message);
    UNIQUE_RULES
        .iter()
        .find(|(cols, _)| *cols == columns)
        .map_or_else(|| columns.to_owned(), |(_, name)| (*name).to_owned())
}

/// The database's own error, as the cause of a store error.
fn cause(db: Box<dyn sqlx::error::DatabaseError>) -> BoxError {
    db
}

pub(crate) fn map(err: sqlx::Error) -> StoreError {
    match err {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_) => StoreError::unavailable(err),
        sqlx::Error::Database(db) => {
            let code: i32 = db.code().and_then(|c| c.parse().ok()).unwrap_or_default();
            match code {
                CONSTRAINT_UNIQUE | CONSTRAINT_PRIMARYKEY => StoreError::Conflict {
                    constraint: constraint_name(db.message()),
                },
                // Something referenced (a tenant, a profile) does not exist.
                CONSTRAINT_FOREIGNKEY => StoreError::NotFound,
                c if matches!(c & 0xff, BUSY | LOCKED | READONLY | IOERR | FULL | CANTOPEN) => {
                    StoreError::Unavailable(cause(db))
                }
                _ => StoreError::Other(cause(db)),
            }
        }
        other => StoreError::other(other),
    }
}

pub(crate) fn map_migrate(err: sqlx::migrate::MigrateError) -> StoreError {
    match err {
        sqlx::migrate::MigrateError::Execute(inner)
        | sqlx::migrate::MigrateError::ExecuteMigration(inner, _) => map(inner),
        other => StoreError::other(ErrorContext::new(
            "migrating the SQLite database failed",
            other,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_unique_rules_like_postgres() {
        assert_eq!(
            constraint_name("UNIQUE constraint failed: tenants.name"),
            "tenants_name"
        );
        assert_eq!(
            constraint_name("UNIQUE constraint failed: profiles.tenant_id, profiles.key_hash"),
            "profiles_key_hash"
        );
        assert_eq!(
            constraint_name("UNIQUE constraint failed: index 'credentials_scope'"),
            "credentials_scope"
        );
        assert_eq!(
            constraint_name("UNIQUE constraint failed: watches.url"),
            "watches.url",
            "an unknown rule is reported as SQLite names it"
        );
    }
}
