//! Credentials: scopes, replacing, deleting (with their profile too), sealed rows that must not
//! open elsewhere, racing puts, and re-wrapping after a key rotation.

use super::*;

pub(super) async fn credentials(
    store: &dyn Store,
    ring: &Keyring,
    world: &mut World,
    invalidations: &mut InvalidationStream,
) -> Creds {
    let acme = world.acme.id.clone();
    let actor = Actor::ApiKey(world.key.id.clone());
    let changed = Invalidation::CredentialsChanged {
        tenant_id: acme.clone(),
    };
    let secrets: Vec<SecretString> = [
        "acme-x",
        "alice-x",
        "acme-x-replaced",
        "bob-x",
        "acme-sandbox",
        "globex-x",
    ]
    .into_iter()
    .map(upstream_secret)
    .collect();
    world.upstream.extend(secrets.iter().cloned());
    let [
        s_acme_x,
        s_alice_x,
        s_replaced,
        s_bob_x,
        s_sandbox,
        s_globex_x,
    ] = &secrets[..]
    else {
        unreachable!()
    };

    // Tenant level.
    let acme_x = store
        .put_credential(&acme, &actor, None, "x", s_acme_x)
        .await
        .unwrap();
    assert_eq!(
        (
            &acme_x.tenant_id,
            &acme_x.profile_id,
            acme_x.network.as_str()
        ),
        (&acme, &None, "x")
    );
    assert_eq!(acme_x.created_at, acme_x.updated_at);
    within(acme_x.created_at, world.started, "credential created_at");
    expect_invalidation(invalidations, &changed).await;
    let got = store.get_credential(&acme, None, "x").await.unwrap();
    assert_eq!(got.info, acme_x);
    assert_eq!(got.secret.expose_secret(), s_acme_x.expose_secret());

    // Profile level: a separate scope for the same network.
    let alice = world.alice.id.clone();
    let alice_x = store
        .put_credential(&acme, &actor, Some(&alice), "x", s_alice_x)
        .await
        .unwrap();
    assert_eq!(alice_x.profile_id.as_ref(), Some(&alice));
    assert_ne!(alice_x.id, acme_x.id);
    expect_invalidation(invalidations, &changed).await;
    assert_eq!(
        get_secret(store, &acme, Some(&alice), "x").await.unwrap(),
        s_alice_x.expose_secret()
    );
    assert_eq!(
        get_secret(store, &acme, None, "x").await.unwrap(),
        s_acme_x.expose_secret(),
        "the tenant's credential is untouched by the profile's"
    );
    assert_not_found(
        "a profile without its own credential (no fallback)",
        store.get_credential(&acme, Some(&world.bob.id), "x").await,
    );
    assert_not_found(
        "a network without a credential",
        store.get_credential(&acme, None, "sandbox").await,
    );
    assert_not_found(
        "a credential for an unknown profile",
        store
            .put_credential(&acme, &actor, Some(&ProfileId::generate()), "x", s_bob_x)
            .await,
    );

    // Replacing keeps the row (and its id), changes the secret.
    let replaced = store
        .put_credential(&acme, &actor, None, "x", s_replaced)
        .await
        .unwrap();
    assert_eq!(replaced.id, acme_x.id, "a replaced credential keeps its id");
    assert_eq!(replaced.created_at, acme_x.created_at);
    assert!(replaced.updated_at >= acme_x.updated_at);
    expect_invalidation(invalidations, &changed).await;
    assert_eq!(
        get_secret(store, &acme, None, "x").await.unwrap(),
        s_replaced.expose_secret()
    );
    assert_eq!(
        store.list_credentials(&acme).await.unwrap(),
        vec![replaced.clone(), alice_x.clone()],
        "credentials, oldest first"
    );

    // Deleting a profile deletes its credentials.
    let bob = world.bob.clone();
    let bob_x = store
        .put_credential(&acme, &actor, Some(&bob.id), "x", s_bob_x)
        .await
        .unwrap();
    store.delete_profile(&acme, &actor, &bob.id).await.unwrap();
    expect_invalidation(
        invalidations,
        &Invalidation::ProfileDeleted {
            tenant_id: acme.clone(),
            profile_id: bob.id.clone(),
        },
    )
    .await;
    assert_not_found("a deleted profile", store.get_profile(&acme, &bob.id).await);
    assert_not_found(
        "a deleted profile by its key",
        store
            .find_profile_by_key(&acme, &ring.hash_token(&world.bob_token))
            .await,
    );
    assert_not_found(
        "a deleted profile's credential",
        store.get_credential(&acme, Some(&bob.id), "x").await,
    );
    assert_not_found(
        "deleting a profile twice",
        store.delete_profile(&acme, &actor, &bob.id).await,
    );
    assert_not_found(
        "a credential for a deleted profile",
        store
            .put_credential(&acme, &actor, Some(&bob.id), "x", s_bob_x)
            .await,
    );
    assert_eq!(
        store.list_profiles(&acme).await.unwrap(),
        vec![world.alice.clone()]
    );
    assert_eq!(
        store.list_credentials(&acme).await.unwrap(),
        vec![replaced.clone(), alice_x.clone()]
    );

    // Delete a tenant-level credential, then put it again: a new row.
    let sandbox = store
        .put_credential(&acme, &actor, None, "sandbox", s_sandbox)
        .await
        .unwrap();
    expect_invalidation(invalidations, &changed).await;
    store
        .delete_credential(&acme, &actor, None, "sandbox")
        .await
        .unwrap();
    expect_invalidation(invalidations, &changed).await;
    assert_not_found(
        "a deleted credential",
        store.get_credential(&acme, None, "sandbox").await,
    );
    assert_not_found(
        "deleting a credential twice",
        store
            .delete_credential(&acme, &actor, None, "sandbox")
            .await,
    );
    let acme_sandbox = store
        .put_credential(&acme, &actor, None, "sandbox", s_sandbox)
        .await
        .unwrap();
    assert_ne!(acme_sandbox.id, sandbox.id);

    let globex_x = store
        .put_credential(&world.globex.id, &Actor::Operator, None, "x", s_globex_x)
        .await
        .unwrap();
    assert_eq!(
        get_secret(store, &world.globex.id, None, "x")
            .await
            .unwrap(),
        s_globex_x.expose_secret()
    );

    Creds {
        acme_x: replaced,
        acme_x_secret: s_replaced.clone(),
        alice_x,
        alice_x_secret: s_alice_x.clone(),
        acme_sandbox,
        acme_sandbox_secret: s_sandbox.clone(),
        globex_x,
        globex_x_secret: s_globex_x.clone(),
        deleted: vec![bob_x.id, sandbox.id],
    }
}

pub(super) async fn integrity(
    backend: &dyn Backend,
    store: &dyn Store,
    world: &World,
    creds: &Creds,
) {
    let acme = &world.acme.id;
    let globex = &world.globex.id;

    // Another row of the same tenant.
    backend
        .copy_sealed(&creds.acme_x.id, &creds.acme_sandbox.id)
        .await;
    assert_integrity(
        "a ciphertext copied to another row",
        store.get_credential(acme, None, "sandbox").await,
    );
    // Another tenant's row.
    backend
        .copy_sealed(&creds.acme_x.id, &creds.globex_x.id)
        .await;
    assert_integrity(
        "a ciphertext copied to another tenant's row",
        store.get_credential(globex, None, "x").await,
    );
    // The original still opens; putting again repairs the damaged rows.
    assert_eq!(
        get_secret(store, acme, None, "x").await.unwrap(),
        creds.acme_x_secret.expose_secret()
    );
    store
        .put_credential(
            acme,
            &Actor::Operator,
            None,
            "sandbox",
            &creds.acme_sandbox_secret,
        )
        .await
        .unwrap();
    store
        .put_credential(globex, &Actor::Operator, None, "x", &creds.globex_x_secret)
        .await
        .unwrap();
    assert_eq!(
        get_secret(store, acme, None, "sandbox").await.unwrap(),
        creds.acme_sandbox_secret.expose_secret()
    );
    assert_eq!(
        get_secret(store, globex, None, "x").await.unwrap(),
        creds.globex_x_secret.expose_secret()
    );
}

/// Puts racing for one scope all succeed and leave exactly one row.
pub(super) async fn concurrent_puts(store: &dyn Store, world: &mut World) {
    let acme = &world.acme.id;
    let secrets: Vec<SecretString> = (0..8)
        .map(|i| upstream_secret(&format!("race-{i}")))
        .collect();
    world.upstream.extend(secrets.iter().cloned());
    let puts = secrets
        .iter()
        .map(|s| store.put_credential(acme, &Actor::Operator, None, "race", s));
    let results = futures::future::join_all(puts).await;
    let infos: Vec<CredentialInfo> = results
        .into_iter()
        .map(|r| r.expect("a racing put"))
        .collect();
    assert!(
        infos.iter().all(|i| i.id == infos[0].id),
        "racing puts share one row: {infos:#?}"
    );
    let listed = store.list_credentials(acme).await.unwrap();
    assert_eq!(listed.iter().filter(|c| c.network == "race").count(), 1);
    let got = get_secret(store, acme, None, "race").await.unwrap();
    assert!(secrets.iter().any(|s| s.expose_secret() == got));
}

pub(super) async fn rotation(backend: &dyn Backend, old_secret: &SecretString, world: &World) {
    let new_secret = generate_secret_key();
    let rotated = backend
        .open(keyring(&new_secret, std::slice::from_ref(old_secret)))
        .await;
    assert_eq!(rotated.migrate().await.unwrap(), 0);

    let mut all = Vec::new();
    for tenant in [&world.acme.id, &world.globex.id] {
        for info in rotated.list_credentials(tenant).await.unwrap() {
            let before = rotated
                .get_credential(tenant, info.profile_id.as_ref(), &info.network)
                .await
                .expect("the previous key still opens");
            all.push((info, before.secret.expose_secret().to_owned()));
        }
    }
    assert_eq!(all.len(), 5);
    assert_eq!(
        rotated.rewrap_credentials().await.unwrap(),
        all.len(),
        "every row was under the old key"
    );
    assert_eq!(rotated.rewrap_credentials().await.unwrap(), 0);

    let entry = rotated
        .list_audit(None, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.action == AuditEvent::CREDENTIALS_REWRAP)
        .expect("rewrap is audited");
    assert_eq!(entry.actor, Actor::System);
    assert_eq!(entry.detail["count"], json!(all.len()));

    // Only the new key is needed now; the old one alone no longer opens anything.
    let new_only = backend.open(keyring(&new_secret, &[])).await;
    let old_only = backend.open(keyring(old_secret, &[])).await;
    for (info, plaintext) in &all {
        let got = new_only
            .get_credential(&info.tenant_id, info.profile_id.as_ref(), &info.network)
            .await
            .unwrap();
        assert_eq!(&got.info, info, "rewrapping changes no metadata");
        assert_eq!(got.secret.expose_secret(), plaintext);
        assert_integrity(
            "a row rewrapped away from the only key",
            old_only
                .get_credential(&info.tenant_id, info.profile_id.as_ref(), &info.network)
                .await,
        );
    }
    assert_integrity(
        "rewrap with a keyring that cannot open the rows",
        old_only.rewrap_credentials().await,
    );
}
