//! Tenants: creation, uniqueness of names, lookups, the oldest-first list.

use super::*;

pub(super) async fn tenants(store: &dyn Store) -> Tenants {
    let started = Utc::now();
    assert_eq!(store.list_tenants().await.unwrap(), vec![]);

    let acme = store.create_tenant(&Actor::Operator, "acme").await.unwrap();
    assert_eq!(acme.name, "acme");
    within(acme.created_at, started, "tenant created_at");
    let globex = store
        .create_tenant(&Actor::Operator, "globex")
        .await
        .unwrap();
    assert_ne!(acme.id, globex.id);

    assert_conflict(
        "a second tenant named acme",
        "tenants_name",
        store.create_tenant(&Actor::Operator, "acme").await,
    );
    assert_eq!(store.get_tenant(&acme.id).await.unwrap(), acme);
    assert_not_found(
        "an unknown tenant",
        store.get_tenant(&TenantId::generate()).await,
    );
    assert_eq!(
        store.list_tenants().await.unwrap(),
        vec![acme.clone(), globex.clone()],
        "tenants, oldest first"
    );

    Tenants {
        started,
        acme,
        globex,
    }
}
