//! API keys: the caller's ids, conflicts, touches, revoking once (by the tenant and by the
//! operator), and their invalidations.

use super::*;

pub(super) async fn api_keys(
    store: &dyn Store,
    ring: &Keyring,
    tenants: &Tenants,
    invalidations: &mut InvalidationStream,
) -> Keys {
    let acme = tenants.acme.id.clone();
    let (token, mut new) = new_key(ring, "ci");
    let hash = new.hash;
    let expires_at = micros(Utc::now() + TimeDelta::days(30));
    new.expires_at = Some(expires_at);

    let key = store
        .create_api_key(&acme, &Actor::Operator, new.clone())
        .await
        .unwrap();
    assert_eq!(key.id, token.api_key_id(), "the key's id is the caller's");
    assert_eq!(key.tenant_id, acme);
    assert_eq!(key.name, "ci");
    assert_eq!(key.expires_at, Some(expires_at));
    assert_eq!((key.last_used_at, key.revoked_at), (None, None));
    within(key.created_at, tenants.started, "key created_at");
    assert!(key.is_active(Utc::now()));

    assert_eq!(store.get_api_key(&acme, &key.id).await.unwrap(), key);
    assert_eq!(store.list_api_keys(&acme).await.unwrap(), vec![key.clone()]);
    assert_eq!(store.find_api_key(&key.id, &hash).await.unwrap(), key);
    assert_not_found(
        "find_api_key with another key's hash",
        store.find_api_key(&key.id, &random_hash(ring)).await,
    );
    assert_not_found(
        "find_api_key with an unknown id",
        store
            .find_api_key(&Token::generate(TokenKind::ApiKey).api_key_id(), &hash)
            .await,
    );
    assert_not_found(
        "get_api_key with an unknown id",
        store
            .get_api_key(&acme, &Token::generate(TokenKind::ApiKey).api_key_id())
            .await,
    );

    // Key ids are global (they are part of the key), so a collision conflicts across tenants.
    let (_, mut same_id) = new_key(ring, "same id");
    same_id.id = key.id.clone();
    assert_conflict(
        "a second key with the same id",
        "api_keys_id",
        store
            .create_api_key(&tenants.globex.id, &Actor::Operator, same_id)
            .await,
    );
    let (_, mut same_hash) = new_key(ring, "same hash");
    same_hash.hash = hash;
    assert_conflict(
        "a second key with the same hash",
        "api_keys_hash",
        store
            .create_api_key(&acme, &Actor::Operator, same_hash)
            .await,
    );
    assert_not_found(
        "a key for an unknown tenant",
        store
            .create_api_key(
                &TenantId::generate(),
                &Actor::Operator,
                new_key(ring, "x").1,
            )
            .await,
    );

    let used_at = micros(Utc::now());
    store.touch_api_key(&acme, &key.id, used_at).await.unwrap();
    let key = store.get_api_key(&acme, &key.id).await.unwrap();
    assert_eq!(key.last_used_at, Some(used_at));
    assert_not_found(
        "touching an unknown key",
        store
            .touch_api_key(
                &acme,
                &Token::generate(TokenKind::ApiKey).api_key_id(),
                used_at,
            )
            .await,
    );

    // A key created by another key, revoked by the tenant.
    let by_key = Actor::ApiKey(key.id.clone());
    let second = store
        .create_api_key(&acme, &by_key, new_key(ring, "second").1)
        .await
        .unwrap();
    let revoked = store
        .revoke_api_key(&acme, &by_key, &second.id)
        .await
        .unwrap();
    let revoked_at = revoked.revoked_at.expect("revoke sets revoked_at");
    within(revoked_at, tenants.started, "revoked_at");
    assert!(!revoked.is_active(Utc::now()));
    assert_eq!(
        ApiKey {
            revoked_at: None,
            ..revoked.clone()
        },
        second,
        "revoking changes nothing but revoked_at"
    );
    expect_invalidation(
        invalidations,
        &Invalidation::ApiKeyRevoked(second.id.clone()),
    )
    .await;
    assert_eq!(
        store
            .revoke_api_key(&acme, &by_key, &second.id)
            .await
            .unwrap(),
        revoked,
        "revoking again returns the key unchanged"
    );

    // A key revoked by the operator, by id alone.
    let (third_token, third_new) = new_key(ring, "third");
    let third = store
        .create_api_key(&acme, &Actor::Operator, third_new)
        .await
        .unwrap();
    let third_revoked = store.revoke_api_key_as_operator(&third.id).await.unwrap();
    assert!(third_revoked.revoked_at.is_some());
    expect_invalidation(
        invalidations,
        &Invalidation::ApiKeyRevoked(third.id.clone()),
    )
    .await;
    assert_eq!(
        store.revoke_api_key_as_operator(&third.id).await.unwrap(),
        third_revoked
    );
    assert_not_found(
        "the operator revoking an unknown key",
        store
            .revoke_api_key_as_operator(&Token::generate(TokenKind::ApiKey).api_key_id())
            .await,
    );
    // Revoked keys are still found: the caller tells "revoked" from "unknown".
    assert_eq!(
        store
            .find_api_key(&third.id, &ring.hash_token(&third_token))
            .await
            .unwrap(),
        third_revoked
    );

    assert_eq!(
        store.list_api_keys(&acme).await.unwrap(),
        vec![key.clone(), revoked.clone(), third_revoked.clone()],
        "keys, oldest first"
    );
    assert_eq!(
        store.list_api_keys(&tenants.globex.id).await.unwrap(),
        vec![]
    );

    Keys {
        key,
        key_token: token,
        revoked_by_tenant: revoked,
        revoked_by_operator: third_revoked,
    }
}
