//! What the adapter traces. Alone in its test binary: tracing caches per call site whether
//! anyone listens, and tests in other threads without a subscriber would race that cache.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use onair_core::{CallContext, Credential, CredentialSource, SpaceLookup};
use onair_provider_x::{XConfig, XProvider};
use onair_testkit::fake_x::{FakeX, Fault, FaultKind, seed, token_fingerprint};
use url::Url;

fn tenant(token: &str) -> CallContext {
    CallContext::with_credential(Credential::new(token, CredentialSource::Tenant))
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn traces_name_endpoint_status_and_duration_but_never_the_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let x = FakeX::start().await;
    let p = XProvider::new(XConfig {
        base_url: Url::parse(&x.base_url()).unwrap(),
        bearer_token: Some(x.app_token().into()),
        ..XConfig::default()
    })
    .unwrap();
    p.lookup(&CallContext::default(), seed::LIVE_SPACE)
        .await
        .unwrap();
    x.inject(Fault::once(FaultKind::Status(503)));
    let _ = p.lookup(&CallContext::default(), seed::LIVE_SPACE).await;
    let user_token = x.user_token(seed::TWITTER_DEV);
    let _ = p
        .lookup(&tenant(&user_token), seed::LIVE_SPACE)
        .await
        .unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("/2/spaces/:id"), "{logs}");
    assert!(
        logs.contains("status=200") && logs.contains("status=503"),
        "{logs}"
    );
    assert!(logs.contains("duration_ms="), "{logs}");
    assert!(logs.contains(&token_fingerprint(&x.app_token())), "{logs}");
    assert!(
        !logs.contains(&x.app_token()),
        "the operator token was logged"
    );
    assert!(!logs.contains(&user_token), "a user token was logged");
}
