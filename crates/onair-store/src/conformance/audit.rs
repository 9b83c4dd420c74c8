//! The audit log: one entry per change, by whom, newest first, operator-level apart.

use super::*;

pub(super) async fn audit(store: &dyn Store, world: &World, creds: &Creds) {
    let acme = &world.acme.id;
    let by_key = Actor::ApiKey(world.key.id.clone());
    let events = store.list_audit(Some(acme), 1000).await.unwrap();

    assert!(
        events.windows(2).all(|w| w[0].at >= w[1].at),
        "audit entries come newest first"
    );
    for e in &events {
        assert_eq!(e.tenant_id.as_ref(), Some(acme), "tenant-scoped listing");
        within(e.at, world.started, "audit at");
    }
    let expect = |action: &str, target: &str, actor: &Actor, n: usize| {
        assert_eq!(
            count(&events, action, target, actor),
            n,
            "{n} × {action} of {target} by {actor}; got {events:#?}"
        );
    };
    expect(
        AuditEvent::API_KEY_CREATE,
        world.key.id.as_str(),
        &Actor::Operator,
        1,
    );
    expect(
        AuditEvent::API_KEY_CREATE,
        world.revoked_by_tenant.id.as_str(),
        &by_key,
        1,
    );
    // Revoked twice, recorded once: the second revoke changed nothing.
    expect(
        AuditEvent::API_KEY_REVOKE,
        world.revoked_by_tenant.id.as_str(),
        &by_key,
        1,
    );
    expect(
        AuditEvent::API_KEY_REVOKE,
        world.revoked_by_operator.id.as_str(),
        &Actor::Operator,
        1,
    );
    expect(
        AuditEvent::PROFILE_CREATE,
        world.alice.id.as_str(),
        &by_key,
        1,
    );
    expect(
        AuditEvent::PROFILE_DELETE,
        world.bob.id.as_str(),
        &by_key,
        1,
    );
    // Put, then replaced.
    expect(
        AuditEvent::CREDENTIAL_PUT,
        creds.acme_x.id.as_str(),
        &by_key,
        2,
    );
    expect(
        AuditEvent::CREDENTIAL_PUT,
        creds.alice_x.id.as_str(),
        &by_key,
        1,
    );
    expect(
        AuditEvent::CREDENTIAL_DELETE,
        creds.deleted[1].as_str(),
        &by_key,
        1,
    );
    // Failed changes left no trace.
    assert!(
        !events.iter().any(|e| e.action == AuditEvent::TENANT_CREATE),
        "tenant creation is operator-level"
    );

    // Operator-level entries.
    let operator = store.list_audit(None, 1000).await.unwrap();
    for tenant in [&world.acme, &world.globex] {
        let entry = operator
            .iter()
            .find(|e| {
                e.action == AuditEvent::TENANT_CREATE
                    && e.target.as_deref() == Some(tenant.id.as_str())
            })
            .unwrap_or_else(|| panic!("no tenant.create for {}: {operator:#?}", tenant.id));
        assert_eq!(entry.tenant_id, None);
        assert_eq!(entry.actor, Actor::Operator);
        assert_eq!(entry.detail["name"], json!(tenant.name));
    }
    assert_eq!(
        operator
            .iter()
            .filter(|e| e.action == AuditEvent::TENANT_CREATE)
            .count(),
        2,
        "the refused duplicate tenant left no entry"
    );
    assert!(operator.iter().all(|e| e.tenant_id.is_none()));

    // record_audit, limits and the newest-first order.
    let recorded = NewAuditEvent {
        tenant_id: Some(acme.clone()),
        actor: Actor::Profile(world.alice.id.clone()),
        action: "spaces.export".into(),
        target: None,
        detail: json!({"rows": 3, "format": "csv"}),
    };
    store.record_audit(recorded.clone()).await.unwrap();
    let newest = store.list_audit(Some(acme), 2).await.unwrap();
    assert_eq!(newest.len(), 2, "limit is respected");
    let last = &newest[0];
    assert_eq!(
        (
            &last.tenant_id,
            &last.actor,
            &last.action,
            &last.target,
            &last.detail
        ),
        (
            &recorded.tenant_id,
            &recorded.actor,
            &recorded.action,
            &recorded.target,
            &recorded.detail
        )
    );
    assert_eq!(newest[1], events[0]);
    let globex_events = store
        .list_audit(Some(&world.globex.id), 1000)
        .await
        .unwrap();
    assert!(
        globex_events
            .iter()
            .all(|e| e.tenant_id.as_ref() == Some(&world.globex.id)),
        "{globex_events:#?}"
    );
}
