//! Throwaway Postgres databases for tests: each test gets its own fresh database, dropped
//! when the test ends.
//!
//! ```no_run
//! # async fn test() {
//! use onair_testkit::postgres::TestDatabase;
//!
//! // Skips (with a printed reason) when Postgres is unreachable; panics instead when CI=true.
//! let Some(db) = TestDatabase::create_or_skip().await else { return };
//! let url = db.url(); // postgres://…/onair_test_…
//! // … connect a store to `url`, then, to simulate trouble:
//! db.terminate_connections().await;
//! db.cleanup().await; // or just let `db` drop
//! # }
//! ```
//!
//! The server is `ONAIR_TEST_POSTGRES_URL` (default [`DEFAULT_URL`]); its user needs the
//! `CREATEDB` privilege and the right to terminate the test databases' connections. Postgres
//! 13 or newer (`DROP DATABASE … WITH (FORCE)`).

use std::time::Duration;

use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};

/// The environment variable naming the Postgres server tests use.
pub const URL_ENV: &str = "ONAIR_TEST_POSTGRES_URL";
/// The server tests use when [`URL_ENV`] is unset.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a test database could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TestDatabaseError {
    #[error("{env} is not a valid Postgres URL (`{url}`): {reason}")]
    BadUrl {
        env: &'static str,
        url: String,
        reason: String,
    },
    #[error("cannot reach Postgres at {url} (set {URL_ENV} to use another server): {reason}")]
    Unreachable { url: String, reason: String },
    #[error("Postgres at {url} refused to {action}: {source}")]
    Refused {
        url: String,
        action: &'static str,
        #[source]
        source: sqlx::Error,
    },
}

/// A database of its own for one test, named `onair_test_<random>`.
///
/// Dropped when this value is dropped (from a helper thread, so it works inside and outside
/// a runtime) or by [`TestDatabase::cleanup`]; connections still open to it are cut.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
    admin_url: String,
    dropped: bool,
}

/// Whether the tests run in CI, where a missing Postgres is a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

fn admin_url() -> String {
    std::env::var(URL_ENV)
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_URL.to_owned())
}

async fn connect(url: &str) -> Result<PgConnection, TestDatabaseError> {
    match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect(url)).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(TestDatabaseError::Unreachable {
            url: url.to_owned(),
            reason: e.to_string(),
        }),
        Err(_) => Err(TestDatabaseError::Unreachable {
            url: url.to_owned(),
            reason: format!("no answer within {CONNECT_TIMEOUT:?}"),
        }),
    }
}

/// Quotes an identifier we made ourselves (`onair_test_` + hex), for DDL.
fn quoted(name: &str) -> String {
    debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    format!("\"{name}\"")
}

async fn drop_database(admin_url: &str, name: &str) -> Result<(), TestDatabaseError> {
    let mut admin = connect(admin_url).await?;
    admin
        .execute(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quoted(name)
        )))
        .await
        .map_err(|source| TestDatabaseError::Refused {
            url: admin_url.to_owned(),
            action: "drop the test database",
            source,
        })?;
    let _ = admin.close().await;
    Ok(())
}

impl TestDatabase {
    /// Creates a fresh, empty database on the test server.
    pub async fn create() -> Result<Self, TestDatabaseError> {
        let admin_url = admin_url();
        let mut url = url::Url::parse(&admin_url).map_err(|e| TestDatabaseError::BadUrl {
            env: URL_ENV,
            url: admin_url.clone(),
            reason: e.to_string(),
        })?;
        let name = format!("onair_test_{:016x}", rand::random::<u64>());
        url.set_path(&format!("/{name}"));

        let mut admin = connect(&admin_url).await?;
        // template0 is never connected to, so concurrent creates cannot trip over it.
        admin
            .execute(AssertSqlSafe(format!(
                "CREATE DATABASE {} TEMPLATE template0",
                quoted(&name)
            )))
            .await
            .map_err(|source| TestDatabaseError::Refused {
                url: admin_url.clone(),
                action: "create a test database",
                source,
            })?;
        let _ = admin.close().await;
        Ok(Self {
            name,
            url: url.to_string(),
            admin_url,
            dropped: false,
        })
    }

    /// [`TestDatabase::create`], or `None` with the reason printed when Postgres cannot be
    /// used, so a test can skip explicitly:
    /// `let Some(db) = TestDatabase::create_or_skip().await else { return };`.
    ///
    /// # Panics
    /// When `CI=true`: there a test that needs Postgres must not pass without it.
    pub async fn create_or_skip() -> Option<Self> {
        match Self::create().await {
            Ok(db) => Some(db),
            Err(e) if in_ci() => panic!("CI=true and no usable Postgres: {e}"),
            Err(e) => {
                eprintln!("skipping: no usable Postgres ({e})");
                None
            }
        }
    }

    /// The URL of this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name (`onair_test_…`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A new connection to this database, for raw SQL in tests.
    ///
    /// # Panics
    /// When the database cannot be reached.
    pub async fn connect(&self) -> PgConnection {
        connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("connecting to the test database: {e}"))
    }

    /// Runs `sql` (one or more statements, no results) in this database.
    ///
    /// # Panics
    /// When the statement fails.
    pub async fn execute(&self, sql: &str) {
        let mut conn = self.connect().await;
        conn.execute(AssertSqlSafe(sql.to_owned()))
            .await
            .unwrap_or_else(|e| panic!("running `{sql}` in the test database: {e}"));
        let _ = conn.close().await;
    }

    /// A connection to the server's maintenance database, for actions on this one.
    async fn admin(&self) -> PgConnection {
        connect(&self.admin_url)
            .await
            .unwrap_or_else(|e| panic!("connecting to the Postgres server: {e}"))
    }

    /// Terminates every connection to this database, as a crash or restart of Postgres
    /// would, and waits until those backends are gone; returns how many were cut. Pools see
    /// their connections fail and reconnect.
    ///
    /// # Panics
    /// When the server cannot be reached, or the backends outlive ten seconds.
    pub async fn terminate_connections(&self) -> usize {
        let mut admin = self.admin().await;
        // The call sits in the select list, so it runs only for the rows the filter keeps.
        let terminated: Vec<(i32, bool)> = sqlx::query_as(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(&self.name)
        .fetch_all(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("terminating the test database's connections: {e}"));
        let cut: Vec<i32> = terminated
            .into_iter()
            .filter_map(|(pid, done)| done.then_some(pid))
            .collect();
        // Termination is a signal; wait for it to land so the caller sees its effect.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let alive: i64 =
                sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)")
                    .bind(&cut)
                    .fetch_one(&mut admin)
                    .await
                    .unwrap_or_else(|e| panic!("watching terminated connections: {e}"));
            if alive == 0 {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{alive} terminated connections to {} are still there",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = admin.close().await;
        cut.len()
    }

    /// Makes the database refuse (`false`) or accept (`true`) new connections. With
    /// [`TestDatabase::terminate_connections`], refusing takes the database away from the
    /// code under test until it is accepted again, like a database that is down.
    ///
    /// # Panics
    /// When the server cannot be reached.
    pub async fn set_accepting_connections(&self, accept: bool) {
        let mut admin = self.admin().await;
        admin
            .execute(AssertSqlSafe(format!(
                "ALTER DATABASE {} WITH ALLOW_CONNECTIONS {accept}",
                quoted(&self.name)
            )))
            .await
            .unwrap_or_else(|e| {
                panic!("changing whether the test database accepts connections: {e}")
            });
        let _ = admin.close().await;
    }

    /// Drops the database now (instead of when this value is dropped), reporting failure.
    pub async fn cleanup(mut self) -> Result<(), TestDatabaseError> {
        self.dropped = true;
        drop_database(&self.admin_url, &self.name).await
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // A runtime of its own on a thread of its own: Drop cannot await, and the test's
        // runtime may be single-threaded or already shutting down.
        let outcome = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime
                .block_on(drop_database(&admin_url, &name))
                .map_err(|e| e.to_string())
        })
        .join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!(
                "could not drop test database {}: the helper panicked",
                self.name
            ),
        }
    }
}
