//! The PostgreSQL backend of the onair Store, for production and for several instances
//! sharing one database.
//!
//! `PostgresStore::connect(url, keyring)` opens a pool with short timeouts: when the database
//! goes away a call answers `StoreError::Unavailable` within about a second, and the pool
//! reconnects by itself when it returns. `migrate()` applies `migrations/postgres` (under an
//! advisory lock, so instances starting together do not race). Invalidations travel over
//! `LISTEN/NOTIFY` on the `onair_invalidations` channel, sent inside the changing
//! transaction; each subscription holds one connection of its own, so a process subscribes
//! once and fans out.

mod api_keys;
mod audit;
mod credentials;
mod error;
mod invalidations;
mod link_tokens;
mod profiles;
mod tenants;

use std::{str::FromStr, sync::Arc, time::Duration};

use async_trait::async_trait;
use onair_store::{ErrorContext, Maintenance, StoreError, backend::Transactions, secrets::Keyring};
use sqlx::{
    Connection, Postgres, Transaction,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPool, PgPoolOptions},
};

use crate::error::{map, map_migrate};

pub use crate::invalidations::CHANNEL as INVALIDATION_CHANNEL;

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/postgres");

/// How long a call waits for a connection, connecting included: the bound on how long a
/// call takes to answer `Unavailable` when the database is gone.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);
const MAX_CONNECTIONS: u32 = 10;
/// Server-side bounds: no statement, and no transaction left idle by a stuck caller, holds
/// a connection (or its locks) for long.
const STATEMENT_TIMEOUT: &str = "5s";
const LOCK_TIMEOUT: &str = "2s";
const IDLE_IN_TRANSACTION_TIMEOUT: &str = "30s";

/// The Postgres store. Cheap to share behind an `Arc`.
pub struct PostgresStore {
    pool: PgPool,
    options: PgConnectOptions,
    keyring: Arc<Keyring>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

fn connect_options(url: &str) -> Result<PgConnectOptions, StoreError> {
    Ok(PgConnectOptions::from_str(url)
        .map_err(|e| {
            StoreError::other(ErrorContext::new(
                format!("`{url}` is not a valid Postgres URL"),
                e,
            ))
        })?
        .application_name("onair")
        .options([
            ("statement_timeout", STATEMENT_TIMEOUT),
            ("lock_timeout", LOCK_TIMEOUT),
            (
                "idle_in_transaction_session_timeout",
                IDLE_IN_TRANSACTION_TIMEOUT,
            ),
        ]))
}

fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .min_connections(0)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // Check a pooled connection before use, so one the server dropped while idle is
        // replaced instead of failing the call.
        .test_before_acquire(true)
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:pass@host:5432/db`) and checks one connection,
    /// answering `Unavailable` within about a second when the database cannot be reached.
    /// Does not migrate.
    pub async fn connect(url: &str, keyring: Arc<Keyring>) -> Result<Self, StoreError> {
        let options = connect_options(url)?;
        let pool = pool_options()
            .connect_with(options.clone())
            .await
            .map_err(|e| match map(e) {
                StoreError::Other(msg) => StoreError::Unavailable(msg),
                other => other,
            })?;
        Ok(Self {
            pool,
            options,
            keyring,
        })
    }

    /// Like [`PostgresStore::connect`], but connects on first use: for a server that should
    /// start (and report itself not ready) while the database is still down.
    pub fn connect_lazy(url: &str, keyring: Arc<Keyring>) -> Result<Self, StoreError> {
        let options = connect_options(url)?;
        let pool = pool_options().connect_lazy_with(options.clone());
        Ok(Self {
            pool,
            options,
            keyring,
        })
    }

    /// Closes every pooled connection; later calls answer `Unavailable`.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Transactions for PostgresStore {
    type Tx = Transaction<'static, Postgres>;

    fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    async fn begin(&self) -> Result<Self::Tx, StoreError> {
        self.pool.begin().await.map_err(map)
    }

    async fn commit(&self, tx: Self::Tx) -> Result<(), StoreError> {
        tx.commit().await.map_err(map)
    }
}

#[async_trait]
impl Maintenance for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> Result<usize, StoreError> {
        let applied = || async {
            let exists: bool =
                sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map)?;
            if !exists {
                return Ok::<i64, StoreError>(0);
            }
            sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await
                .map_err(map)
        };
        let before = applied().await?;
        // A connection of its own, without the per-statement bounds: a migration may
        // rightly take longer, and waits its turn behind other instances' migrations.
        let mut conn = self.pool.acquire().await.map_err(map)?.detach();
        sqlx::raw_sql("SET statement_timeout = 0; SET lock_timeout = 0")
            .execute(&mut conn)
            .await
            .map_err(map)?;
        // `run_direct` is `run` without the `Acquire` bound async-trait cannot satisfy.
        let outcome = MIGRATOR
            .run_direct(None, &mut conn, false)
            .await
            .map_err(map_migrate);
        let _ = conn.close().await;
        outcome?;
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
