//! Link tokens: each is used once, expired ones are forgotten, and the link page's redeem
//! stores both or neither.

use super::*;

pub(super) async fn link_tokens(store: &dyn Store, world: &World) {
    let soon = Utc::now() + TimeDelta::minutes(15);
    let used_twice = |r: Result<(), StoreError>| matches!(r, Err(StoreError::Conflict { constraint }) if constraint == "used_link_tokens_jti");
    store
        .use_link_token(&world.acme.id, "jti-once", soon)
        .await
        .expect("first use");
    assert!(
        used_twice(store.use_link_token(&world.acme.id, "jti-once", soon).await),
        "a link token is used once"
    );
    // Whichever tenant presents it: a jti is used up everywhere.
    assert!(used_twice(
        store
            .use_link_token(&world.globex.id, "jti-once", soon)
            .await
    ));
    store
        .use_link_token(&world.acme.id, "jti-other", soon)
        .await
        .expect("another token");
    // A token that has expired is forgotten once another is used after it.
    let past = Utc::now() - TimeDelta::minutes(1);
    store
        .use_link_token(&world.acme.id, "jti-expired", past)
        .await
        .expect("recorded");
    store
        .use_link_token(&world.acme.id, "jti-later", soon)
        .await
        .expect("another token");
    store
        .use_link_token(&world.acme.id, "jti-expired", soon)
        .await
        .expect("pruned, so no longer a conflict");
    assert!(matches!(
        store
            .use_link_token(&TenantId::generate(), "jti-nobody", soon)
            .await,
        Err(StoreError::NotFound)
    ));
}

/// The linking page's write: the token is used and the credential stored together, or
/// neither is.
pub(super) async fn link_token_redeem(store: &dyn Store, world: &mut World) {
    let acme = &world.acme.id;
    let alice = &world.alice.id;
    let actor = Actor::Profile(alice.clone());
    let soon = micros(Utc::now() + TimeDelta::minutes(15));
    let token = |jti: &str| UsedLinkToken {
        jti: jti.to_owned(),
        expires_at: soon,
    };
    let used_twice = |r: &Result<CredentialInfo, StoreError>| matches!(r, Err(StoreError::Conflict { constraint }) if constraint == "used_link_tokens_jti");
    let secrets: Vec<SecretString> = ["redeem", "redeem-replay", "redeem-lost"]
        .into_iter()
        .map(upstream_secret)
        .collect();
    world.upstream.extend(secrets.iter().cloned());
    let [s_redeem, s_replay, s_lost] = &secrets[..] else {
        unreachable!()
    };
    let audit_before = store.list_audit(Some(acme), 1000).await.unwrap().len();

    // Success stores both: the credential, and the token as used.
    let info = store
        .put_credential_with_link_token(
            acme,
            &actor,
            Some(alice),
            "redeem",
            s_redeem,
            &token("jti-redeem"),
        )
        .await
        .expect("a fresh token stores its credential");
    assert_eq!(
        (
            &info.tenant_id,
            info.profile_id.as_ref(),
            info.network.as_str()
        ),
        (acme, Some(alice), "redeem")
    );
    assert_eq!(
        get_secret(store, acme, Some(alice), "redeem")
            .await
            .unwrap(),
        s_redeem.expose_secret()
    );
    assert!(
        matches!(
            store.use_link_token(acme, "jti-redeem", soon).await,
            Err(StoreError::Conflict { constraint }) if constraint == "used_link_tokens_jti"
        ),
        "the token is recorded as used"
    );
    let audit = store.list_audit(Some(acme), 1000).await.unwrap();
    assert_eq!(audit.len(), audit_before + 1, "the put is audited once");
    assert_eq!(
        count(&audit, AuditEvent::CREDENTIAL_PUT, info.id.as_str(), &actor),
        1
    );

    // A replayed jti answers what use_link_token answers, and stores nothing.
    let replay = store
        .put_credential_with_link_token(
            acme,
            &actor,
            Some(alice),
            "redeem",
            s_replay,
            &token("jti-redeem"),
        )
        .await;
    assert!(used_twice(&replay), "a replay is refused: {replay:?}");
    assert_eq!(
        get_secret(store, acme, Some(alice), "redeem")
            .await
            .unwrap(),
        s_redeem.expose_secret(),
        "a replay does not replace the credential"
    );
    // A jti used by use_link_token is used up for this call too.
    store
        .use_link_token(acme, "jti-used-first", soon)
        .await
        .unwrap();
    let replay = store
        .put_credential_with_link_token(
            acme,
            &actor,
            None,
            "redeem-replayed",
            s_replay,
            &token("jti-used-first"),
        )
        .await;
    assert!(used_twice(&replay), "{replay:?}");
    assert_not_found(
        "a credential a replayed token tried to store",
        store.get_credential(acme, None, "redeem-replayed").await,
    );

    // A credential that cannot be stored leaves the token unused.
    assert_not_found(
        "a token redeemed for an unknown profile",
        store
            .put_credential_with_link_token(
                acme,
                &actor,
                Some(&ProfileId::generate()),
                "redeem",
                s_lost,
                &token("jti-lost"),
            )
            .await,
    );
    store
        .use_link_token(acme, "jti-lost", soon)
        .await
        .expect("the failed redeem did not use the token");
    assert_eq!(
        store.list_audit(Some(acme), 1000).await.unwrap().len(),
        audit_before + 1,
        "refused redeems are not audited"
    );

    // Leave the credentials the later chapters count as they were.
    store
        .delete_credential(acme, &actor, Some(alice), "redeem")
        .await
        .unwrap();
}
