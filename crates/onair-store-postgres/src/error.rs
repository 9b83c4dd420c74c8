//! Postgres's errors in the store's terms.

use onair_store::{BoxError, ErrorContext, StoreError};

// SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const UNIQUE_VIOLATION: &str = "23505";
const FOREIGN_KEY_VIOLATION: &str = "23503";
/// A lock was not granted within `lock_timeout`.
const LOCK_NOT_AVAILABLE: &str = "55P03";
/// `database "…" is not currently accepting connections`.
const NOT_ACCEPTING_CONNECTIONS: &str = "55000";
/// The database named in the URL does not exist (dropped under us).
const INVALID_CATALOG_NAME: &str = "3D000";

/// Whether a SQLSTATE means "the database cannot serve us now" rather than "this request
/// is wrong": connection exceptions (08), insufficient resources (53), operator
/// intervention (57: shutdown, terminated backend, 57014 statement timeout), a lock not granted
/// in time, and the states a database is in while it is being taken away.
fn is_unavailable(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("53")
        || code.starts_with("57")
        || code == LOCK_NOT_AVAILABLE
        || code == NOT_ACCEPTING_CONNECTIONS
        || code == INVALID_CATALOG_NAME
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
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => StoreError::unavailable(err),
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default().into_owned();
            match code.as_str() {
                UNIQUE_VIOLATION => StoreError::Conflict {
                    constraint: db.constraint().unwrap_or("unknown").to_owned(),
                },
                // Something referenced (a tenant, a profile) does not exist.
                FOREIGN_KEY_VIOLATION => StoreError::NotFound,
                c if is_unavailable(c) => StoreError::Unavailable(cause(db)),
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
            "migrating the Postgres database failed",
            other,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_sqlstates() {
        for code in [
            "08006", "57P01", "57014", "53300", "55P03", "55000", "3D000",
        ] {
            assert!(is_unavailable(code), "{code}");
        }
        for code in ["23505", "23503", "42601", "22P02"] {
            assert!(!is_unavailable(code), "{code}");
        }
    }

    #[test]
    fn pool_and_io_failures_are_unavailable() {
        assert!(matches!(
            map(sqlx::Error::PoolTimedOut),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            map(sqlx::Error::Io(std::io::ErrorKind::ConnectionReset.into())),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            map(sqlx::Error::RowNotFound),
            StoreError::NotFound
        ));
    }
}
