//! Tenant isolation: another tenant's rows are absent, for reads and writes alike, and refused
//! attempts leave no trace.

use super::*;

pub(super) async fn isolation(store: &dyn Store, ring: &Keyring, world: &World, creds: &Creds) {
    let a = &world.acme.id;
    let b = &world.globex.id;
    let actor = Actor::Operator;
    let key = &world.key;
    let alice = &world.alice;
    let audit_before = store.list_audit(Some(b), 1000).await.unwrap().len();

    // API keys.
    assert!(store.list_api_keys(b).await.unwrap().is_empty());
    assert_not_found("B gets A's key", store.get_api_key(b, &key.id).await);
    assert_not_found(
        "B revokes A's key",
        store.revoke_api_key(b, &actor, &key.id).await,
    );
    assert_not_found(
        "B touches A's key",
        store
            .touch_api_key(b, &key.id, micros(Utc::now() + TimeDelta::hours(1)))
            .await,
    );
    assert_eq!(
        &store.get_api_key(a, &key.id).await.unwrap(),
        key,
        "A's key is untouched"
    );

    // Profiles.
    assert!(store.list_profiles(b).await.unwrap().is_empty());
    assert_not_found("B gets A's profile", store.get_profile(b, &alice.id).await);
    assert_not_found(
        "B deletes A's profile",
        store.delete_profile(b, &actor, &alice.id).await,
    );
    assert_not_found(
        "B finds A's profile by key",
        store
            .find_profile_by_key(b, &ring.hash_token(&world.alice_token))
            .await,
    );
    assert_eq!(&store.get_profile(a, &alice.id).await.unwrap(), alice);

    // Credentials.
    let stolen = SecretString::from("globex-overwrites-alice");
    assert_not_found(
        "B puts a credential on A's profile",
        store
            .put_credential(b, &actor, Some(&alice.id), "x", &stolen)
            .await,
    );
    assert_not_found(
        "B gets A's profile credential",
        store.get_credential(b, Some(&alice.id), "x").await,
    );
    assert_not_found(
        "B gets a network only A has",
        store.get_credential(b, None, "sandbox").await,
    );
    assert_eq!(
        get_secret(store, b, None, "x").await.unwrap(),
        creds.globex_x_secret.expose_secret(),
        "B gets its own, not A's"
    );
    assert_not_found(
        "B deletes A's profile credential",
        store
            .delete_credential(b, &actor, Some(&alice.id), "x")
            .await,
    );
    assert_not_found(
        "B deletes a credential only A has",
        store.delete_credential(b, &actor, None, "sandbox").await,
    );
    assert_eq!(
        get_secret(store, a, Some(&alice.id), "x").await.unwrap(),
        creds.alice_x_secret.expose_secret()
    );
    assert_eq!(
        get_secret(store, a, None, "sandbox").await.unwrap(),
        creds.acme_sandbox_secret.expose_secret()
    );
    let b_creds = store.list_credentials(b).await.unwrap();
    assert_eq!(
        b_creds.iter().map(|c| &c.id).collect::<Vec<_>>(),
        vec![&creds.globex_x.id]
    );

    // Audit: nothing of A's, and the refused attempts recorded nothing.
    let b_audit = store.list_audit(Some(b), 1000).await.unwrap();
    assert_eq!(
        b_audit.len(),
        audit_before,
        "refused changes are not audited"
    );
    let a_ids = [
        key.id.to_string(),
        alice.id.to_string(),
        creds.acme_x.id.to_string(),
    ];
    assert!(
        b_audit
            .iter()
            .all(|e| !a_ids.iter().any(|id| e.target.as_deref() == Some(id))),
        "{b_audit:#?}"
    );
}
