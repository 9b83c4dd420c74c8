//! Background work stops with the application: lookups already queued in a batcher are
//! still answered, and no task outlives `Tasks::shutdown`.

use std::{sync::Arc, time::Duration};

use onair_core::{CallContext, Credential, CredentialSource, ResolvedId};

use crate::{Fixture, network::Gated};

async fn eventually(mut cond: impl FnMut() -> bool) {
    for _ in 0..500 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not met within 5 s");
}

#[tokio::test]
async fn shutdown_answers_the_lookups_a_batcher_holds_then_every_task_has_stopped() {
    let gated = Gated::closed();
    let f = Fixture::new(vec![gated.clone()]).await;
    let service = f.service.clone();
    let resolved: ResolvedId = service.registry.resolve_space_id("gated:1").unwrap();
    let ctx = CallContext::with_credential(Credential::new("t", CredentialSource::Tenant));
    let lookup = tokio::spawn({
        let service = service.clone();
        async move { service.spaces.lookup(&ctx, &resolved).await }
    });
    // The batcher is running and its call is held at the network.
    eventually(|| service.tasks.running() == 1).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let stopping = tokio::spawn({
        let service = service.clone();
        async move { service.tasks.shutdown().await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        !stopping.is_finished(),
        "shutdown waits for the batcher's call"
    );
    gated.release();
    let space = tokio::time::timeout(Duration::from_secs(5), lookup)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(space.native_id, "1");
    tokio::time::timeout(Duration::from_secs(5), stopping)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(service.tasks.running(), 0);
    assert_eq!(gated.credentials_used(), vec![Some("t".to_owned())]);
}

#[tokio::test]
async fn the_invalidation_follower_runs_until_shutdown() {
    let f = Fixture::new(Vec::new()).await;
    let service = Arc::new(f.service.clone());
    service.start_background();
    eventually(|| service.tasks.running() == 1).await;
    tokio::time::timeout(Duration::from_secs(5), service.tasks.shutdown())
        .await
        .expect("the follower stops when asked");
    assert_eq!(service.tasks.running(), 0);
}
