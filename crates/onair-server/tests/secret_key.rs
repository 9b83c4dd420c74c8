//! The secret key: configured, generated once beside an SQLite file and reused, or
//! required (Postgres).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{os::unix::fs::PermissionsExt as _, path::Path, sync::Arc};

use onair_server::{
    config::{Config, DatabaseUrl},
    load_keyring,
    secret_key::{KeyOrigin, SECRET_KEY_FILE, load_or_create, resolve_secret_key},
};
use onair_store::secrets::{Token, TokenKind};
use secrecy::{ExposeSecret as _, SecretString};

fn config_for(url: &str) -> Config {
    Config {
        database_url: DatabaseUrl::parse(url).unwrap(),
        ..Config::default()
    }
}

fn sqlite_in(dir: &Path) -> Config {
    config_for(&format!("sqlite://{}/data/onair.db", dir.display()))
}

#[test]
fn generated_once_with_mode_0600_then_reused() {
    let dir = tempfile::tempdir().unwrap();
    let config = sqlite_in(dir.path());
    let path = dir.path().join("data").join(SECRET_KEY_FILE);

    let first = resolve_secret_key(&config).unwrap();
    assert_eq!(first.origin, KeyOrigin::Generated(path.clone()));
    assert!(first.secret.expose_secret().len() >= 32);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert_eq!(on_disk.trim(), first.secret.expose_secret());

    let second = resolve_secret_key(&config).unwrap();
    assert_eq!(second.origin, KeyOrigin::Stored(path.clone()));
    assert_eq!(second.secret.expose_secret(), first.secret.expose_secret());

    // What matters: a key hashed on one run matches on the next.
    let token = Token::generate(TokenKind::ApiKey);
    let before = load_keyring(&config).unwrap().hash_token(&token);
    let after = load_keyring(&config).unwrap();
    assert!(after.token_matches(&token, &before));
}

#[test]
fn starting_twice_at_once_yields_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = Arc::new(dir.path().join("nested").join(SECRET_KEY_FILE));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                load_or_create(&path)
                    .unwrap()
                    .secret
                    .expose_secret()
                    .to_owned()
            })
        })
        .collect();
    let keys: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(keys.windows(2).all(|w| w[0] == w[1]), "{} keys", keys.len());
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, [SECRET_KEY_FILE], "temporary files left behind");
}

#[test]
fn a_damaged_key_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(SECRET_KEY_FILE);
    std::fs::write(&path, "short\n").unwrap();
    let err = load_or_create(&path).unwrap_err().to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("at least 32"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "short\n",
        "left as it was"
    );
}

#[test]
fn a_configured_key_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = sqlite_in(dir.path());
    let configured = "cccccccccccccccccccccccccccccccccccccccc";
    config.secret_key = Some(SecretString::from(configured));
    let key = resolve_secret_key(&config).unwrap();
    assert_eq!(key.origin, KeyOrigin::Configured);
    assert_eq!(key.secret.expose_secret(), configured);
    assert!(
        !dir.path().join("data").exists(),
        "nothing written when a key is configured"
    );
}

#[test]
fn postgres_without_a_secret_key_is_refused() {
    let config = config_for("postgres://onair:pw@127.0.0.1:5432/onair");
    let err = resolve_secret_key(&config).unwrap_err().to_string();
    assert!(err.contains("ONAIR_SECRET_KEY"), "{err}");
    assert!(err.contains("required with Postgres"), "{err}");
    assert!(err.contains("onair secret generate"), "{err}");
    assert!(load_keyring(&config).is_err());

    let mut with_key = config;
    with_key.secret_key = Some(SecretString::from("d".repeat(40)));
    assert_eq!(
        resolve_secret_key(&with_key).unwrap().origin,
        KeyOrigin::Configured
    );
}

#[test]
fn an_in_memory_database_gets_a_throwaway_key() {
    let config = config_for("sqlite::memory:");
    assert_eq!(
        resolve_secret_key(&config).unwrap().origin,
        KeyOrigin::Ephemeral
    );
}

#[test]
fn previous_keys_join_the_keyring() {
    let old = SecretString::from("o".repeat(40));
    let token = Token::generate(TokenKind::ApiKey);
    let mut config = config_for("postgres://db/onair");
    config.secret_key = Some(old.clone());
    let hashed_before_rotation = load_keyring(&config).unwrap().hash_token(&token);

    config.secret_key = Some(SecretString::from("n".repeat(40)));
    assert!(
        !load_keyring(&config)
            .unwrap()
            .token_matches(&token, &hashed_before_rotation)
    );
    config.previous_secret_keys = vec![old];
    assert!(
        load_keyring(&config)
            .unwrap()
            .token_matches(&token, &hashed_before_rotation)
    );

    // The stored key repeated as a previous key is refused, naming the setting.
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = sqlite_in(dir.path());
    let stored = resolve_secret_key(&sqlite).unwrap().secret;
    sqlite.previous_secret_keys = vec![stored];
    let err = load_keyring(&sqlite).unwrap_err().to_string();
    assert!(err.contains("previous_secret_keys"), "{err}");
}
