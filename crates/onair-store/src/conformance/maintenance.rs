//! Migrations and the round trip readiness checks use.

use super::*;

pub(super) async fn migrations(store: &dyn Store) {
    assert!(matches!(store.backend(), "postgres" | "sqlite"));
    let applied = store.migrate().await.expect("first migrate");
    assert!(applied >= 1, "a fresh database needs migrations");
    assert_eq!(
        store.migrate().await.expect("second migrate"),
        0,
        "a second migrate is a no-op"
    );
    store.ping().await.expect("ping");
}
