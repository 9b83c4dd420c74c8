//! The SQLite store against the shared conformance story, plus what only SQLite has: a file
//! that must survive reopening, contain no plaintext, and a writer lock that must not hang us.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{path::PathBuf, sync::Arc};

use async_trait::async_trait;
use onair_store::prelude::*;
use onair_store::{
    Actor, BoxedStore, CredentialId, StoreError,
    conformance::{self, Backend, StoredValue},
    secrets::{Keyring, generate_secret_key},
};
use onair_store_sqlite::SqliteStore;
use secrecy::SecretString;
use sqlx::{AssertSqlSafe, Connection, SqliteConnection};
use tempfile::TempDir;

struct SqliteBackend {
    _dir: TempDir,
    path: PathBuf,
}

impl SqliteBackend {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // A directory that does not exist yet: connect must create it.
        let path = dir.path().join("data").join("onair.db");
        Self { _dir: dir, path }
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }

    async fn raw(&self) -> SqliteConnection {
        SqliteConnection::connect(&format!("{}?mode=rw", self.url()))
            .await
            .unwrap()
    }
}

#[async_trait]
impl Backend for SqliteBackend {
    async fn open(&self, keyring: Arc<Keyring>) -> BoxedStore {
        Arc::new(SqliteStore::connect(&self.url(), keyring).await.unwrap())
    }

    async fn copy_sealed(&self, from: &CredentialId, to: &CredentialId) {
        let done = sqlx::query(
            "UPDATE credentials SET (key_id, wrapped_key, ciphertext) = \
             (SELECT key_id, wrapped_key, ciphertext FROM credentials WHERE id = ?) WHERE id = ?",
        )
        .bind(from.as_str())
        .bind(to.as_str())
        .execute(&mut self.raw().await)
        .await
        .unwrap();
        assert_eq!(done.rows_affected(), 1);
    }

    async fn stored_values(&self) -> Vec<StoredValue> {
        let mut conn = self.raw().await;
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' ORDER BY m.name, c.cid",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert!(columns.len() > 20, "every table's columns: {columns:?}");
        let mut values = Vec::new();
        for (table, column) in columns {
            let sql = format!(
                r#"SELECT CAST("{column}" AS BLOB) FROM "{table}" WHERE "{column}" IS NOT NULL"#
            );
            let rows: Vec<Vec<u8>> = sqlx::query_scalar(AssertSqlSafe(sql))
                .fetch_all(&mut conn)
                .await
                .unwrap();
            values.extend(rows.into_iter().map(|bytes| StoredValue {
                location: format!("{table}.{column}"),
                bytes,
            }));
        }
        // And the files themselves, free pages and write-ahead log included.
        for suffix in ["", "-wal"] {
            let path = PathBuf::from(format!("{}{suffix}", self.path.display()));
            if let Ok(bytes) = std::fs::read(&path) {
                values.push(StoredValue {
                    location: path.display().to_string(),
                    bytes,
                });
            }
        }
        values
    }
}

fn keyring() -> Arc<Keyring> {
    conformance::keyring(&generate_secret_key(), &[])
}

#[tokio::test]
async fn conformance_story() {
    let backend = SqliteBackend::new();
    conformance::run(&backend).await;
}

#[tokio::test]
async fn data_survives_closing_and_reopening_the_file() {
    let backend = SqliteBackend::new();
    let ring = keyring();
    let first = SqliteStore::connect(&backend.url(), ring.clone())
        .await
        .unwrap();
    let seeded = conformance::seed(&first, &ring).await;
    first.close().await;
    assert!(matches!(
        first.ping().await,
        Err(StoreError::Unavailable(_))
    ));
    drop(first);

    let second = SqliteStore::connect(&backend.url(), ring).await.unwrap();
    conformance::check_seeded(&second, &seeded).await;
    second.close().await;
}

#[tokio::test]
async fn a_closed_store_is_unavailable() {
    let backend = SqliteBackend::new();
    let store = SqliteStore::connect(&backend.url(), keyring())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let tenant = store.create_tenant(&Actor::Operator, "t").await.unwrap();
    store.close().await;
    conformance::assert_store_unavailable(&store, &tenant.id).await;
}

#[tokio::test]
async fn a_writer_holding_the_lock_makes_writes_unavailable_not_stuck() {
    let backend = SqliteBackend::new();
    let store = SqliteStore::connect(&backend.url(), keyring())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let tenant = store.create_tenant(&Actor::Operator, "t").await.unwrap();

    let mut other = backend.raw().await;
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    conformance::assert_unavailable(
        "create_tenant while locked",
        store.create_tenant(&Actor::Operator, "blocked"),
    )
    .await;
    conformance::assert_unavailable(
        "put_credential while locked",
        store.put_credential(
            &tenant.id,
            &Actor::Operator,
            None,
            "x",
            &SecretString::from("token"),
        ),
    )
    .await;
    // WAL: readers are not blocked by a writer.
    assert_eq!(store.get_tenant(&tenant.id).await.unwrap(), tenant);

    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    store
        .create_tenant(&Actor::Operator, "after the lock")
        .await
        .expect("writes work again once the lock is released");
    assert_eq!(store.list_tenants().await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_unopenable_path_answers_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, b"").unwrap();
    let url = format!("sqlite://{}/onair.db", file.display());
    match SqliteStore::connect(&url, keyring()).await {
        Err(StoreError::Unavailable(msg)) => {
            assert!(msg.to_string().contains("not-a-directory"), "{msg}")
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn a_malformed_url_is_refused_with_a_clear_error() {
    match SqliteStore::connect("sqlite://x.db?mode=sideways", keyring()).await {
        Err(StoreError::Other(msg)) => {
            assert!(msg.to_string().contains("not a valid SQLite URL"), "{msg}")
        }
        other => panic!("expected Other, got {other:?}"),
    }
}

#[tokio::test]
async fn an_in_memory_database_keeps_its_data_across_calls() {
    let store = SqliteStore::connect("sqlite::memory:", keyring())
        .await
        .unwrap();
    assert!(store.migrate().await.unwrap() >= 1);
    let tenant = store.create_tenant(&Actor::Operator, "t").await.unwrap();
    for _ in 0..3 {
        assert_eq!(store.get_tenant(&tenant.id).await.unwrap(), tenant);
    }
}

/// The operator's CLI and the server are two processes on one file: a change made through
/// one store reaches the other's subscribers.
#[tokio::test]
async fn invalidations_reach_another_store_on_the_same_file() {
    use futures::StreamExt;
    use onair_store::Invalidation;

    let backend = SqliteBackend::new();
    let ring = conformance::keyring(&generate_secret_key(), &[]);
    let server = backend.open(ring.clone()).await;
    let seeded = conformance::seed(server.as_ref(), &ring).await;
    let mut heard = server.subscribe_invalidations().await.unwrap();
    let cli = backend.open(ring.clone()).await;
    cli.revoke_api_key_as_operator(&seeded.key.id)
        .await
        .unwrap();
    let got = tokio::time::timeout(std::time::Duration::from_secs(10), heard.next())
        .await
        .expect("the revocation reached the other store")
        .unwrap();
    assert_eq!(got, Invalidation::ApiKeyRevoked(seeded.key.id.clone()));
}
