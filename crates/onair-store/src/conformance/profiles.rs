//! Profiles: creation, lookups by id and by key, conflicts, the oldest-first list.

use super::*;

pub(super) async fn profiles(
    store: &dyn Store,
    ring: &Keyring,
    tenants: &Tenants,
    keys: &Keys,
) -> Profiles {
    let acme = tenants.acme.id.clone();
    let actor = Actor::ApiKey(keys.key.id.clone());
    let alice_token = Token::generate(TokenKind::ProfileKey);
    let alice_hash = ring.hash_token(&alice_token);

    let alice = store
        .create_profile(&acme, &actor, "alice", &alice_hash)
        .await
        .unwrap();
    assert_eq!(alice.tenant_id, acme);
    assert_eq!(alice.name, "alice");
    within(alice.created_at, tenants.started, "profile created_at");
    assert_eq!(store.get_profile(&acme, &alice.id).await.unwrap(), alice);
    assert_eq!(
        store.find_profile_by_key(&acme, &alice_hash).await.unwrap(),
        alice
    );
    assert_not_found(
        "a profile by an unknown key",
        store.find_profile_by_key(&acme, &random_hash(ring)).await,
    );
    assert_not_found(
        "an unknown profile",
        store.get_profile(&acme, &ProfileId::generate()).await,
    );
    assert_conflict(
        "a second profile with the same key",
        "profiles_key_hash",
        store
            .create_profile(&acme, &actor, "alice again", &alice_hash)
            .await,
    );
    assert_not_found(
        "a profile for an unknown tenant",
        store
            .create_profile(
                &TenantId::generate(),
                &Actor::Operator,
                "nobody",
                &random_hash(ring),
            )
            .await,
    );

    let bob_token = Token::generate(TokenKind::ProfileKey);
    let bob = store
        .create_profile(&acme, &actor, "bob", &ring.hash_token(&bob_token))
        .await
        .unwrap();
    assert_eq!(
        store.list_profiles(&acme).await.unwrap(),
        vec![alice.clone(), bob.clone()],
        "profiles, oldest first"
    );
    assert_eq!(
        store.list_profiles(&tenants.globex.id).await.unwrap(),
        vec![]
    );

    Profiles {
        alice,
        alice_token,
        bob,
        bob_token,
    }
}
