//! The Postgres store against the shared conformance story, plus what only Postgres has:
//! several instances on one database, notifications across them, and a server that can go
//! away and come back. Each test runs in a fresh database of its own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use futures::StreamExt;
use onair_store::prelude::*;
use onair_store::{
    Actor, BoxedStore, CredentialId, Invalidation, InvalidationStream, NewApiKey, StoreError,
    conformance::{self, Backend, StoredValue},
    secrets::{Keyring, Token, TokenKind, generate_secret_key},
};
use onair_store_postgres::PostgresStore;
use onair_testkit::postgres::TestDatabase;
use sqlx::{AssertSqlSafe, Connection};

const INVALIDATION_WAIT: Duration = Duration::from_secs(15);

struct PostgresBackend {
    db: TestDatabase,
}

#[async_trait]
impl Backend for PostgresBackend {
    async fn open(&self, keyring: Arc<Keyring>) -> BoxedStore {
        Arc::new(
            PostgresStore::connect(self.db.url(), keyring)
                .await
                .unwrap(),
        )
    }

    async fn copy_sealed(&self, from: &CredentialId, to: &CredentialId) {
        let mut conn = self.db.connect().await;
        let done = sqlx::query(
            "UPDATE credentials AS t SET key_id = f.key_id, wrapped_key = f.wrapped_key, \
             ciphertext = f.ciphertext FROM credentials AS f WHERE f.id = $1 AND t.id = $2",
        )
        .bind(from.as_str())
        .bind(to.as_str())
        .execute(&mut conn)
        .await
        .unwrap();
        assert_eq!(done.rows_affected(), 1);
        conn.close().await.unwrap();
    }

    async fn stored_values(&self) -> Vec<StoredValue> {
        let mut conn = self.db.connect().await;
        let columns: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text, data_type::text \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             ORDER BY table_name, ordinal_position",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert!(columns.len() > 20, "every table's columns: {columns:?}");
        let mut values = Vec::new();
        for (table, column, data_type) in columns {
            // Binary columns as their bytes, everything else as its text form.
            let value = if data_type == "bytea" {
                format!(r#""{column}""#)
            } else {
                format!(r#"convert_to("{column}"::text, 'UTF8')"#)
            };
            let sql = format!(r#"SELECT {value} FROM "{table}" WHERE "{column}" IS NOT NULL"#);
            let rows: Vec<Vec<u8>> = sqlx::query_scalar(AssertSqlSafe(sql))
                .fetch_all(&mut conn)
                .await
                .unwrap();
            values.extend(rows.into_iter().map(|bytes| StoredValue {
                location: format!("{table}.{column}"),
                bytes,
            }));
        }
        conn.close().await.unwrap();
        values
    }
}

fn keyring() -> Arc<Keyring> {
    conformance::keyring(&generate_secret_key(), &[])
}

async fn migrated_store(db: &TestDatabase) -> PostgresStore {
    let store = PostgresStore::connect(db.url(), keyring()).await.unwrap();
    store.migrate().await.unwrap();
    store
}

async fn next_invalidation(stream: &mut InvalidationStream) -> Invalidation {
    tokio::time::timeout(INVALIDATION_WAIT, stream.next())
        .await
        .unwrap_or_else(|_| panic!("no invalidation within {INVALIDATION_WAIT:?}"))
        .expect("the invalidation stream never ends")
}

fn new_key(ring: &Keyring) -> NewApiKey {
    let token = Token::generate(TokenKind::ApiKey);
    NewApiKey {
        id: token.api_key_id(),
        name: "k".into(),
        hash: ring.hash_token(&token),
        expires_at: None,
    }
}

#[tokio::test]
async fn conformance_story() {
    let Some(db) = TestDatabase::create_or_skip().await else {
        return;
    };
    let backend = PostgresBackend { db };
    conformance::run(&backend).await;
    backend.db.cleanup().await.unwrap();
}

#[tokio::test]
async fn data_survives_closing_and_reconnecting() {
    let Some(db) = TestDatabase::create_or_skip().await else {
        return;
    };
    let ring = keyring();
    let first = PostgresStore::connect(db.url(), ring.clone())
        .await
        .unwrap();
    let seeded = conformance::seed(&first, &ring).await;
    first.close().await;
    assert!(matches!(
        first.ping().await,
        Err(StoreError::Unavailable(_))
    ));
    drop(first);

    let second = PostgresStore::connect(db.url(), ring).await.unwrap();
    conformance::check_seeded(&second, &seeded).await;

    // And across a server-side cut of every connection (a Postgres restart, as the pool
    // sees it).
    assert!(db.terminate_connections().await >= 1);
    conformance::check_seeded(&second, &seeded).await;
    second.close().await;
    db.cleanup().await.unwrap();
}

#[tokio::test]
async fn a_lost_database_answers_unavailable_quickly_and_the_pool_recovers() {
    let Some(db) = TestDatabase::create_or_skip().await else {
        return;
    };
    let store = migrated_store(&db).await;
    let tenant = store.create_tenant(&Actor::Operator, "t").await.unwrap();

    db.set_accepting_connections(false).await;
    db.terminate_connections().await;
    conformance::assert_store_unavailable(&store, &tenant.id).await;
    conformance::assert_unavailable("subscribe_invalidations", async {
        store.subscribe_invalidations().await.map(drop)
    })
    .await;

    db.set_accepting_connections(true).await;
    // No reconnect call: the pool replaces its dead connections by itself.
    store.ping().await.expect("the pool recovers");
    assert_eq!(store.list_tenants().await.unwrap(), vec![tenant]);
    store
        .create_tenant(&Actor::Operator, "after")
        .await
        .expect("writes work again");
    store.close().await;
    db.cleanup().await.unwrap();
}

/// A URL of a port nobody listens on: bind one, then let it go.
fn closed_port_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("postgres://postgres@127.0.0.1:{port}/onair")
}

#[tokio::test]
async fn a_closed_port_answers_unavailable_quickly() {
    let url = closed_port_url();
    conformance::assert_unavailable("connect", PostgresStore::connect(&url, keyring())).await;

    // A lazy store starts anyway and answers Unavailable until the database is there.
    let lazy = PostgresStore::connect_lazy(&url, keyring()).unwrap();
    conformance::assert_store_unavailable(&lazy, &onair_store::TenantId::generate()).await;
    conformance::assert_unavailable("migrate", lazy.migrate()).await;
}

#[tokio::test]
async fn a_lazy_store_works_once_the_database_is_there() {
    let Some(db) = TestDatabase::create_or_skip().await else {
        return;
    };
    let ring = keyring();
    let lazy = PostgresStore::connect_lazy(db.url(), ring.clone()).unwrap();
    let seeded = conformance::seed(&lazy, &ring).await;
    conformance::check_seeded(&lazy, &seeded).await;
    lazy.close().await;
    db.cleanup().await.unwrap();
}

#[tokio::test]
async fn a_malformed_url_is_refused_with_a_clear_error() {
    match PostgresStore::connect("postgres://host:notaport/db", keyring()).await {
        Err(StoreError::Other(msg)) => {
            assert!(
                msg.to_string().contains("not a valid Postgres URL"),
                "{msg}"
            )
        }
        other => panic!("expected Other, got {other:?}"),
    }
}

#[tokio::test]
async fn a_row_locked_elsewhere_answers_unavailable_not_stuck() {
    let Some(db) = TestDatabase::create_or_skip().await else {
        return;
    };
    let ring = keyring();
    let store = PostgresStore::connect(db.url(), ring.clone())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let tenant = store.create_tenant(&Actor::Operator, "t").await.unwrap();
    let key = store
        .create_api_key(&tenant.id, &Actor::Operator, new_key(&ring))
        .await
        .unwrap();

    let mut other = db.connect().await;
    sqlx::query("BEGIN").execute(&mut other).await.unwrap();
    sqlx::query("SELECT 1 FROM api_keys WHERE id = $1 FOR UPDATE")
        .bind(key.id.as_str())
        .execute(&mut other)
        .await
        .unwrap();
    conformance::assert_unavailable(
        "revoke while the row is locked",
        store.revoke_api_key(&tenant.id, &Actor::Operator, &key.id),
    )
    .await;
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    let revoked = store
        .revoke_api_key(&tenant.id, &Actor::Operator, &key.id)
        .await
        .unwrap();
    assert!(revoked.revoked_at.is_some());
    store.close().await;
    db.cleanup().await.unwrap();
}

#[tokio::test]
async fn invalidations_reach_other_instances_and_resync_after_a_lost_listener() {
    let Some(db) = TestDatabase::create_or_skip().await else {
        return;
    };
    let ring = keyring();
    let writer = PostgresStore::connect(db.url(), ring.clone())
        .await
        .unwrap();
    writer.migrate().await.unwrap();
    let reader = PostgresStore::connect(db.url(), ring.clone())
        .await
        .unwrap();
    let mut stream = reader.subscribe_invalidations().await.unwrap();

    let tenant = writer.create_tenant(&Actor::Operator, "t").await.unwrap();
    let first = writer
        .create_api_key(&tenant.id, &Actor::Operator, new_key(&ring))
        .await
        .unwrap();
    // Refused changes send nothing: the first notification is the real revoke's.
    assert!(
        writer
            .revoke_api_key(
                &writer
                    .create_tenant(&Actor::Operator, "u")
                    .await
                    .unwrap()
                    .id,
                &Actor::Operator,
                &first.id
            )
            .await
            .is_err()
    );
    writer
        .revoke_api_key(&tenant.id, &Actor::Operator, &first.id)
        .await
        .unwrap();
    assert_eq!(
        next_invalidation(&mut stream).await,
        Invalidation::ApiKeyRevoked(first.id.clone()),
        "another instance's revoke arrives"
    );

    // Cut the listener's connection: the stream says Resync, then keeps delivering.
    assert!(db.terminate_connections().await >= 1);
    assert_eq!(next_invalidation(&mut stream).await, Invalidation::Resync);
    let second = writer
        .create_api_key(&tenant.id, &Actor::Operator, new_key(&ring))
        .await
        .unwrap();
    writer.revoke_api_key_as_operator(&second.id).await.unwrap();
    assert_eq!(
        next_invalidation(&mut stream).await,
        Invalidation::ApiKeyRevoked(second.id.clone())
    );

    // While the database is away the stream waits; when it returns, Resync.
    db.set_accepting_connections(false).await;
    db.terminate_connections().await;
    let waiting = tokio::time::timeout(Duration::from_secs(2), stream.next()).await;
    assert!(waiting.is_err(), "nothing to say while down: {waiting:?}");
    db.set_accepting_connections(true).await;
    assert_eq!(next_invalidation(&mut stream).await, Invalidation::Resync);

    drop(stream);
    writer.close().await;
    reader.close().await;
    db.cleanup().await.unwrap();
}

#[tokio::test]
async fn instances_migrating_together_do_not_collide() {
    let Some(db) = TestDatabase::create_or_skip().await else {
        return;
    };
    let a = PostgresStore::connect(db.url(), keyring()).await.unwrap();
    let b = PostgresStore::connect(db.url(), keyring()).await.unwrap();
    let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
    assert!(ra.unwrap() + rb.unwrap() >= 1);
    assert_eq!(a.migrate().await.unwrap(), 0);
    a.create_tenant(&Actor::Operator, "t").await.unwrap();
    a.close().await;
    b.close().await;
    db.cleanup().await.unwrap();
}
