//! The embedded SQLite backend of the onair Store: one file, one instance.
//!
//! `SqliteStore::connect("sqlite://./data/onair.db", keyring)` opens (and creates) the file in
//! WAL mode with foreign keys on; `migrate()` applies `migrations/sqlite`. Writes run in
//! `BEGIN IMMEDIATE` transactions, so a write never fails half-way on a lock upgrade, and a
//! writer blocked longer than the busy timeout answers `StoreError::Unavailable`.
//! One file serves one server, but the operator's CLI writes to it from another process:
//! invalidations go through a log table that every subscriber polls (see `invalidations`).

mod api_keys;
mod audit;
mod credentials;
mod error;
mod invalidations;
mod link_tokens;
mod profiles;
mod rows;
mod tenants;

use std::{str::FromStr, sync::Arc, time::Duration};

use async_trait::async_trait;
use onair_store::{ErrorContext, Maintenance, StoreError, backend::Transactions, secrets::Keyring};
use sqlx::{
    Sqlite, Transaction,
    migrate::Migrator,
    sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
    },
};

use crate::error::{map, map_migrate};

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/sqlite");

/// How long a write waits for another writer before answering `Unavailable`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a call waits for a free connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
const MAX_CONNECTIONS: u32 = 4;

/// The SQLite store. Cheap to share behind an `Arc`.
pub struct SqliteStore {
    pool: SqlitePool,
    keyring: Arc<Keyring>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the database at `url` (`sqlite://./data/onair.db`, `sqlite:///abs/path.db`,
    /// `sqlite::memory:`), creating the file and its directory if missing. Does not migrate.
    pub async fn connect(url: &str, keyring: Arc<Keyring>) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| {
                StoreError::other(ErrorContext::new(
                    format!("`{url}` is not a valid SQLite URL"),
                    e,
                ))
            })?
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool = if in_memory {
            // Each connection to `:memory:` is its own database: keep exactly one, forever.
            SqlitePoolOptions::new()
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await
        } else {
            let path = options.get_filename().to_owned();
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                tokio::fs::create_dir_all(dir).await.map_err(|e| {
                    StoreError::unavailable(ErrorContext::new(
                        format!(
                            "cannot create the directory {} for the SQLite database",
                            dir.display()
                        ),
                        e,
                    ))
                })?;
            }
            SqlitePoolOptions::new()
                .max_connections(MAX_CONNECTIONS)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(
                    options
                        .journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal),
                )
                .await
        }
        .map_err(|e| match map(e) {
            StoreError::Other(cause) => StoreError::unavailable(ErrorContext::new(
                format!("cannot open the SQLite database `{url}`"),
                cause,
            )),
            other => other,
        })?;
        Ok(Self { pool, keyring })
    }

    /// Closes every connection; later calls answer `Unavailable`.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Transactions for SqliteStore {
    type Tx = Transaction<'static, Sqlite>;

    fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    async fn begin(&self) -> Result<Self::Tx, StoreError> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(map)
    }

    async fn commit(&self, tx: Self::Tx) -> Result<(), StoreError> {
        tx.commit().await.map_err(map)
    }
}

#[async_trait]
impl Maintenance for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> Result<usize, StoreError> {
        let applied = || async {
            let table: Option<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            )
            .fetch_optional(&self.pool)
            .await
            .map_err(map)?;
            if table.is_none() {
                return Ok::<i64, StoreError>(0);
            }
            sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await
                .map_err(map)
        };
        let before = applied().await?;
        MIGRATOR.run(&self.pool).await.map_err(map_migrate)?;
        let after = applied().await?;
        Ok(usize::try_from(after - before).unwrap_or_default())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(map)?;
        Ok(())
    }
}
