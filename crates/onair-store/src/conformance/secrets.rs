//! No secret is stored in plaintext anywhere in the database.

use super::*;

pub(super) fn secret_part(token: &Token) -> &str {
    &token.expose()[token.kind().prefix().len() + ApiKeyId::PUBLIC_LEN..]
}

pub(super) async fn no_plaintext(backend: &dyn Backend, world: &World) {
    let values = backend.stored_values().await;
    let contains = |needle: &str| {
        values
            .iter()
            .find(|v| {
                v.bytes
                    .windows(needle.len())
                    .any(|w| w == needle.as_bytes())
            })
            .map(|v| v.location.clone())
    };
    // The scan sees what is stored (so its silence below means something).
    assert!(
        contains(world.key.id.as_str()).is_some(),
        "scan misses key ids"
    );
    assert!(contains("globex").is_some(), "scan misses tenant names");

    let mut secrets: Vec<(&str, &str)> = vec![];
    for (what, token) in [
        ("API key", &world.key_token),
        ("profile key", &world.alice_token),
        ("profile key", &world.bob_token),
    ] {
        secrets.push((what, token.expose()));
        secrets.push((what, secret_part(token)));
    }
    for s in &world.upstream {
        secrets.push(("upstream token", s.expose_secret()));
    }
    for (what, secret) in secrets {
        if let Some(location) = contains(secret) {
            panic!("a plaintext {what} is stored in {location}");
        }
    }
}
