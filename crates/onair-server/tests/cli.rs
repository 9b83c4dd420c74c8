//! The real `onair` binary, run as an operator would: fresh working directory, fresh
//! process per command, against SQLite and (when available) Postgres.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{Read as _, Write as _},
    net::TcpListener,
    path::Path,
    process::{Command, Output},
};

use onair_server::{config::Config, load_keyring};
use onair_store::{
    ApiKeyId, TenantId,
    secrets::{Token, TokenKind},
};
use onair_testkit::postgres::TestDatabase;
use serde_json::Value;

/// Runs `onair` in `dir` with only the given environment (nothing inherited, so the
/// machine's own `ONAIR_*` variables cannot leak in).
fn onair(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_onair"));
    command.current_dir(dir).env_clear().args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the onair binary runs")
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let out = onair(dir, env, args);
    let run = Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    };
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("RUST_BACKTRACE"),
        "onair {args:?} panicked: {}",
        run.stderr
    );
    run
}

fn ok(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let run = run(dir, env, args);
    assert_eq!(
        run.code,
        Some(0),
        "onair {args:?} failed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run
}

/// A failed command: non-zero exit, nothing on stdout, and one `error:` line on stderr
/// (after any log lines).
fn fails(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> String {
    let run = run(dir, env, args);
    assert_eq!(run.code, Some(1), "onair {args:?}: {}", run.stderr);
    assert_eq!(run.stdout, "", "onair {args:?} wrote to stdout");
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "onair {args:?}: {}", run.stderr);
    assert!(
        run.stderr.ends_with(&format!("{}\n", errors[0])),
        "the error is the last line: {}",
        run.stderr
    );
    errors[0].to_owned()
}

fn single_json_object(stdout: &str) -> serde_json::Map<String, Value> {
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout:?}");
    match serde_json::from_str::<Value>(stdout).expect("stdout is JSON") {
        Value::Object(map) => map,
        other => panic!("expected an object, got {other}"),
    }
}

struct CreatedKey {
    tenant_id: TenantId,
    key_id: ApiKeyId,
    token: Token,
}

fn parse_created(stdout: &str) -> CreatedKey {
    let object = single_json_object(stdout);
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["api_key", "api_key_id", "tenant_id"]);
    let token = Token::parse(TokenKind::ApiKey, object["api_key"].as_str().unwrap())
        .expect("an onair_sk_ key");
    let key_id: ApiKeyId = object["api_key_id"].as_str().unwrap().parse().unwrap();
    assert_eq!(token.api_key_id(), key_id, "the key names its id");
    CreatedKey {
        tenant_id: object["tenant_id"].as_str().unwrap().parse().unwrap(),
        key_id,
        token,
    }
}

/// The whole operator story, against whichever database `env` selects.
async fn operator_story(dir: &Path, env: &[(&str, &str)]) {
    // A fresh database: the first command migrates it; `migrate` then has nothing to do.
    let first = ok(dir, env, &["tenant", "create", "--name", "acme", "--json"]);
    let acme = parse_created(&first.stdout);
    assert!(
        first.stdout.starts_with('{') && first.stdout.ends_with("}\n"),
        "nothing but the object on stdout: {:?}",
        first.stdout
    );
    let again = ok(dir, env, &["migrate"]);
    assert!(
        again.stdout.contains("no migrations to apply"),
        "{}",
        again.stdout
    );

    // The human form says the key is shown once.
    let human = ok(dir, env, &["tenant", "create", "--name", "globex"]);
    assert!(human.stdout.contains("shown only once"), "{}", human.stdout);
    let human_key = human
        .stdout
        .split_whitespace()
        .find(|w| w.starts_with("onair_sk_"))
        .expect("the key is printed");
    Token::parse(TokenKind::ApiKey, human_key).unwrap();

    // Names are unique.
    let dup = fails(dir, env, &["tenant", "create", "--name", "acme"]);
    assert!(dup.contains("already exists"), "{dup}");

    // Another process sees what the earlier ones stored.
    let list = ok(dir, env, &["tenant", "list"]);
    assert!(
        list.stdout.contains(acme.tenant_id.as_str()),
        "{}",
        list.stdout
    );
    assert!(list.stdout.contains("acme") && list.stdout.contains("globex"));
    let list: Value = serde_json::from_str(&ok(dir, env, &["tenant", "list", "--json"]).stdout)
        .expect("JSON array");
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"acme") && names.contains(&"globex"),
        "{list}"
    );

    // Keys: create, list, revoke (twice), list again.
    let tenant = acme.tenant_id.as_str();
    let second = parse_created(
        &ok(
            dir,
            env,
            &[
                "key", "create", "--tenant", tenant, "--name", "ci", "--json",
            ],
        )
        .stdout,
    );
    assert_eq!(second.tenant_id, acme.tenant_id);
    assert_ne!(second.key_id, acme.key_id);
    let keys = ok(dir, env, &["key", "list", "--tenant", tenant]).stdout;
    assert_eq!(keys.matches("active").count(), 2, "{keys}");
    assert!(keys.contains("ci") && keys.contains("default"), "{keys}");

    let revoked = ok(dir, env, &["key", "revoke", second.key_id.as_str()]);
    assert!(
        revoked.stdout.starts_with("Revoked API key"),
        "{}",
        revoked.stdout
    );
    let twice = ok(dir, env, &["key", "revoke", second.key_id.as_str()]);
    assert!(twice.stdout.contains("already revoked"), "{}", twice.stdout);
    let keys: Value =
        serde_json::from_str(&ok(dir, env, &["key", "list", "--tenant", tenant, "--json"]).stdout)
            .unwrap();
    let revoked_at = |id: &ApiKeyId| {
        keys.as_array()
            .unwrap()
            .iter()
            .find(|k| k["id"] == id.as_str())
            .map(|k| k["revoked_at"].clone())
            .expect("key listed")
    };
    assert!(revoked_at(&second.key_id).is_string(), "{keys}");
    assert!(revoked_at(&acme.key_id).is_null(), "{keys}");

    // The stored hashes match the keys that were printed, under the same configuration in
    // this process: the secret key survived from one run to the next.
    let config = config_from(dir, env);
    let keyring = load_keyring(&config).unwrap();
    let store = onair_server::open_store(&config, keyring.clone())
        .await
        .unwrap();
    for created in [&acme, &second] {
        let row = store
            .find_api_key(&created.key_id, &keyring.hash_token(&created.token))
            .await
            .expect("the printed key authenticates against its stored hash");
        assert_eq!(row.tenant_id, acme.tenant_id);
        assert_eq!(row.revoked_at.is_some(), created.key_id == second.key_id);
    }

    // Unknown ids: one clean line each.
    let missing_tenant = TenantId::generate();
    let err = fails(
        dir,
        env,
        &["key", "create", "--tenant", missing_tenant.as_str()],
    );
    assert_eq!(err, format!("error: no tenant {missing_tenant}"));
    let err = fails(
        dir,
        env,
        &["key", "list", "--tenant", missing_tenant.as_str()],
    );
    assert_eq!(err, format!("error: no tenant {missing_tenant}"));
    let err = fails(dir, env, &["key", "revoke", "key_AAAAAAAAAAAA"]);
    assert_eq!(err, "error: no API key key_AAAAAAAAAAAA");
}

/// The configuration the binary sees for this directory and environment.
fn config_from(dir: &Path, env: &[(&str, &str)]) -> Config {
    let mut config = Config::default();
    for (name, value) in env {
        match *name {
            "ONAIR_DATABASE_URL" => {
                config.database_url = onair_server::config::DatabaseUrl::parse(value).unwrap();
            }
            "ONAIR_SECRET_KEY" => config.secret_key = Some((*value).into()),
            _ => {}
        }
    }
    if config.database_url.expose() == onair_server::config::DEFAULT_DATABASE_URL {
        let path = dir.join("data/onair.db");
        config.database_url =
            onair_server::config::DatabaseUrl::parse(&format!("sqlite://{}", path.display()))
                .unwrap();
    }
    config
}

#[tokio::test(flavor = "multi_thread")]
async fn operator_story_on_the_default_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    operator_story(dir.path(), &[]).await;

    // The defaults put everything under ./data, the key private to its owner.
    let key_file = dir.path().join("data/secret.key");
    assert!(dir.path().join("data/onair.db").is_file());
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Making the key is announced; using it afterwards is routine, said only at `info`.
    let fresh = tempfile::tempdir().unwrap();
    let first = run(fresh.path(), &[], &["tenant", "list"]).stderr;
    assert!(
        first.contains("generated") && first.contains("data/secret.key"),
        "says a key was made and where: {first}"
    );
    let later = run(fresh.path(), &[], &["tenant", "list"]).stderr;
    assert!(
        !later.contains("secret"),
        "quiet once the key exists: {later}"
    );
    let verbose = run(
        fresh.path(),
        &[("ONAIR_LOG_LEVEL", "info")],
        &["tenant", "list"],
    )
    .stderr;
    assert!(
        verbose.contains("data/secret.key"),
        "says where the key is: {verbose}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn operator_story_on_postgres() {
    let Some(db) = TestDatabase::create_or_skip().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let secret = onair_store::secrets::generate_secret_key();
    use secrecy::ExposeSecret as _;
    let env = [
        ("ONAIR_DATABASE_URL", db.url()),
        ("ONAIR_SECRET_KEY", secret.expose_secret()),
    ];
    operator_story(dir.path(), &env).await;
    assert!(
        !dir.path().join("data").exists(),
        "nothing is written locally with Postgres"
    );

    // Without the secret key, Postgres is refused before anything is touched.
    let err = fails(dir.path(), &env[..1], &["tenant", "list"]);
    assert!(err.contains("ONAIR_SECRET_KEY"), "{err}");
    assert!(err.contains("required with Postgres"), "{err}");
}

#[test]
fn migrate_applies_once_then_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let first = ok(dir.path(), &[], &["migrate"]);
    assert!(
        first.stdout.starts_with("Applied ") && first.stdout.contains("sqlite://./data/onair.db"),
        "{}",
        first.stdout
    );
    let second = ok(dir.path(), &[], &["migrate"]);
    assert!(
        second.stdout.contains("no migrations to apply"),
        "{}",
        second.stdout
    );
}

#[test]
fn malformed_ids_are_usage_errors_saying_the_expected_form() {
    let dir = tempfile::tempdir().unwrap();
    let bad_tenant = run(dir.path(), &[], &["key", "create", "--tenant", "acme"]);
    assert_eq!(bad_tenant.code, Some(2));
    assert!(
        bad_tenant
            .stderr
            .contains("`acme` is not a valid tenant id (expected `ten_`"),
        "{}",
        bad_tenant.stderr
    );
    let bad_key = run(dir.path(), &[], &["key", "revoke", "onair_sk_abc"]);
    assert_eq!(bad_key.code, Some(2));
    assert!(
        bad_key.stderr.contains("expected `key_`"),
        "{}",
        bad_key.stderr
    );
    assert!(
        !dir.path().join("data").exists(),
        "refused before touching anything"
    );
}

#[test]
fn invalid_configuration_stops_with_one_line_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let err = fails(
        dir.path(),
        &[("ONAIR_DATABASE_URL", "mysql://root:hunter2@db/onair")],
        &["migrate"],
    );
    assert!(
        err.contains("ONAIR_DATABASE_URL") && err.contains("`mysql:`"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");

    let err = fails(
        dir.path(),
        &[("ONAIR_LINK_TOKEN_TTL_SECS", "1000")],
        &["tenant", "list"],
    );
    assert!(
        err.contains("`link_token_ttl_secs`") && err.contains("900"),
        "{err}"
    );

    std::fs::write(dir.path().join("onair.toml"), "[cache]\nlive_ttl = 5\n").unwrap();
    let err = fails(dir.path(), &[], &["tenant", "list"]);
    assert!(err.contains("`cache.live_ttl` is not a setting"), "{err}");
    assert!(err.contains("cache.live_ttl_secs"), "{err}");
    std::fs::remove_file(dir.path().join("onair.toml")).unwrap();

    let err = fails(dir.path(), &[], &["--config", "nowhere.toml", "migrate"]);
    assert!(
        err.contains("nowhere.toml") && err.contains("does not exist"),
        "{err}"
    );
    assert!(!dir.path().join("data").exists());
}

#[test]
fn the_config_file_and_environment_reach_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("custom.toml"),
        "database_url = \"sqlite://./elsewhere/db.sqlite\"\n",
    )
    .unwrap();
    ok(dir.path(), &[], &["--config", "custom.toml", "migrate"]);
    assert!(dir.path().join("elsewhere/db.sqlite").is_file());
    assert!(dir.path().join("elsewhere/secret.key").is_file());
    // ONAIR_CONFIG names the file too; the environment overrides it.
    let shown = ok(
        dir.path(),
        &[
            ("ONAIR_CONFIG", "custom.toml"),
            ("ONAIR_LISTEN", "0.0.0.0:9999"),
        ],
        &["config", "show"],
    );
    let shown: Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(shown["database_url"], "sqlite://./elsewhere/db.sqlite");
    assert_eq!(shown["listen"], "0.0.0.0:9999");
    assert_eq!(shown["public_url"], "http://localhost:9999/");
}

#[test]
fn config_show_warns_about_variables_that_name_no_setting() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(
        dir.path(),
        &[("ONAIR_PROVIDERS__X__TOKEN", "abc")],
        &["config", "show"],
    );
    assert!(
        out.stderr.contains("ONAIR_PROVIDERS__X__TOKEN"),
        "{}",
        out.stderr
    );
    let shown: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(shown["providers"]["x"].is_object(), "{shown}");
}

#[test]
fn config_show_redacts_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        (
            "ONAIR_SECRET_KEY",
            "SECRET-Zq1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ),
        ("ONAIR_PROVIDERS__X__BEARER_TOKEN", "BEARER-Zq2"),
        ("ONAIR_DATABASE_URL", "postgres://onair:DBPASS-Zq3@db/onair"),
    ];
    let shown = ok(dir.path(), &env, &["config", "show"]).stdout;
    for secret in ["SECRET-Zq1", "BEARER-Zq2", "DBPASS-Zq3"] {
        assert!(!shown.contains(secret), "{secret} shown: {shown}");
    }
    assert!(shown.contains("postgres://onair:***@db/onair"), "{shown}");
}

#[test]
fn settings_lists_every_variable() {
    let dir = tempfile::tempdir().unwrap();
    let settings: Value =
        serde_json::from_str(&ok(dir.path(), &[], &["config", "settings", "--json"]).stdout)
            .unwrap();
    let envs: Vec<&str> = settings
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["env"].as_str().unwrap())
        .collect();
    for brief in [
        "ONAIR_DATABASE_URL",
        "ONAIR_LISTEN",
        "ONAIR_PROVIDERS__X__BASE_URL",
        "ONAIR_PROVIDERS__X__BEARER_TOKEN",
        "ONAIR_SECRET_KEY",
        "ONAIR_LOG_FORMAT",
    ] {
        assert!(envs.contains(&brief), "{brief} missing");
    }
    assert_eq!(envs.len(), onair_server::settings_reference().len());
}

#[test]
fn secret_generate_prints_a_fresh_usable_key() {
    let dir = tempfile::tempdir().unwrap();
    let a = ok(dir.path(), &[], &["secret", "generate"]).stdout;
    let b = ok(dir.path(), &[], &["secret", "generate"]).stdout;
    assert_ne!(a, b);
    let key = a.strip_suffix('\n').expect("one line");
    assert!(
        key.len() >= 32 && !key.contains(char::is_whitespace),
        "{key:?}"
    );
    // And the configuration accepts it.
    ok(
        dir.path(),
        &[("ONAIR_SECRET_KEY", key)],
        &["config", "show"],
    );
}

#[test]
fn openapi_prints_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &[], &["openapi"]).stdout;
    let doc: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(out, format!("{}\n", onair_api::openapi_json().trim_end()));
    assert!(doc.is_object());
}

#[test]
fn every_command_has_help_with_examples() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["tenant", "--help"],
        &["key", "--help"],
        &["secret", "--help"],
        &["config", "--help"],
        &["tenant", "create", "--help"],
        &["tenant", "list", "--help"],
        &["key", "create", "--help"],
        &["key", "list", "--help"],
        &["key", "revoke", "--help"],
        &["secret", "generate", "--help"],
        &["openapi", "--help"],
        &["healthcheck", "--help"],
        &["config", "show", "--help"],
        &["config", "settings", "--help"],
    ] {
        let help = ok(dir.path(), &[], args).stdout;
        assert!(help.contains("Examples:"), "{args:?}: {help}");
    }
}

/// A one-connection HTTP server on loopback answering each request with `response`.
fn serve_once(response: &'static str) -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            request.extend_from_slice(&buf[..n]);
        }
        stream.write_all(response.as_bytes()).unwrap();
        String::from_utf8_lossy(&request).into_owned()
    });
    (url, handle)
}

#[test]
fn healthcheck_passes_on_200_and_explains_anything_else() {
    let dir = tempfile::tempdir().unwrap();
    let (url, server) =
        serve_once("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
    let out = ok(dir.path(), &[], &["healthcheck", &url]);
    assert!(out.stdout.starts_with("ready:"), "{}", out.stdout);
    assert!(server.join().unwrap().starts_with("GET /readyz HTTP/1.1"));

    let body = r#"{"type":"about:blank","title":"Not ready","status":503,"detail":"the database is unreachable"}"#;
    let response: &'static str = Box::leak(
        format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    );
    let (url, server) = serve_once(response);
    let err = fails(dir.path(), &[], &["healthcheck", &url]);
    assert!(
        err.contains("503") && err.contains("the database is unreachable"),
        "{err}"
    );
    server.join().unwrap();

    // Nothing listening: the configured address is used, and the reason given.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let err = fails(dir.path(), &[("ONAIR_LISTEN", &listen)], &["healthcheck"]);
    assert!(err.contains(&format!("http://{listen}/readyz")), "{err}");
    assert!(err.contains("could not connect"), "{err}");
}
