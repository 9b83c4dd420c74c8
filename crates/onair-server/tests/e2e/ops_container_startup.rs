//! The container's start-up, run here without Docker: the `onair` binary started as the
//! Dockerfile's `ENTRYPOINT` + `CMD`, with exactly the environment `docker-compose.yml`
//! gives the `onair` service (its `${…}` references filled in from `.env.example` and
//! the test's database), probed by the compose file's own health check command.
//!
//! Also holds the deployment files to what the binary expects: every variable they set is a
//! setting, every variable they read is documented in `.env.example`, the image is built
//! with the workspace's Rust, and shutdown fits in the stop grace period.

use std::{
    collections::{BTreeMap, BTreeSet},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::support::{BIN, Backend, Database};

/// The repository's root, where the deployment files live.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
}

// --- docker-compose.yml ------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct ComposeFile {
    services: BTreeMap<String, Service>,
    #[serde(default)]
    volumes: BTreeMap<String, serde_norway::Value>,
}

#[derive(Debug, Deserialize)]
struct Service {
    image: Option<String>,
    build: Option<serde_norway::Value>,
    restart: Option<String>,
    #[serde(default)]
    environment: BTreeMap<String, Scalar>,
    #[serde(default)]
    depends_on: BTreeMap<String, DependsOn>,
    #[serde(default)]
    ports: Vec<String>,
    #[serde(default)]
    volumes: Vec<String>,
    healthcheck: Option<Healthcheck>,
    stop_grace_period: Option<String>,
}

/// An `environment` value as written: compose takes strings, numbers and booleans alike.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Number(serde_norway::Number),
    Bool(bool),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Number(n) => n.to_string(),
            Self::Bool(b) => b.to_string(),
        }
    }
}

#[derive(Debug, Deserialize)]
struct DependsOn {
    condition: String,
}

#[derive(Debug, Deserialize)]
struct Healthcheck {
    test: Vec<String>,
    timeout: Option<String>,
}

fn compose() -> ComposeFile {
    serde_norway::from_str(&read("docker-compose.yml"))
        .unwrap_or_else(|e| panic!("docker-compose.yml does not parse: {e}"))
}

impl ComposeFile {
    fn service(&self, name: &str) -> &Service {
        self.services
            .get(name)
            .unwrap_or_else(|| panic!("docker-compose.yml has no `{name}` service"))
    }
}

/// Compose's `$` interpolation: `$$`, `$NAME`, `${NAME}`, `${NAME:-default}`,
/// `${NAME-default}`, `${NAME:?message}`, `${NAME?message}`. Where compose would refuse to
/// start, the error is the message it would print.
fn interpolate(text: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
        } else if let Some(braced) = rest.strip_prefix('{') {
            let end = closing_brace(braced).ok_or_else(|| format!("unclosed `${{` in `{text}`"))?;
            out.push_str(&expand(&braced[..end], vars)?);
            rest = &braced[end + 1..];
        } else {
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if len == 0 {
                return Err(format!("a lone `$` in `{text}` (write `$$`)"));
            }
            out.push_str(vars.get(&rest[..len]).map_or("", String::as_str));
            rest = &rest[len..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Where the `}` closing an opened `${` is (defaults may nest `${…}`).
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn expand(inner: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let (name, op) = inner.split_at(name_len);
    if name.is_empty() {
        return Err(format!("`${{{inner}}}` names no variable"));
    }
    let value = vars.get(name).map(String::as_str);
    let empty_too = op.starts_with(':');
    let op = op.strip_prefix(':').unwrap_or(op);
    let missing = value.is_none_or(|v| empty_too && v.is_empty());
    match op.chars().next() {
        None if empty_too => Err(format!("`${{{inner}}}` is not a valid expression")),
        None => Ok(value.unwrap_or_default().to_owned()),
        Some('-') if missing => interpolate(&op[1..], vars),
        Some('?') if missing => Err(op[1..].to_owned()),
        Some('-' | '?') => Ok(value.unwrap_or_default().to_owned()),
        Some(_) => Err(format!("`${{{inner}}}` is not a valid expression")),
    }
}

/// Every string in a YAML document (keys and values), where compose interpolates.
fn strings(value: &serde_norway::Value, out: &mut Vec<String>) {
    match value {
        serde_norway::Value::String(s) => out.push(s.clone()),
        serde_norway::Value::Sequence(items) => items.iter().for_each(|v| strings(v, out)),
        serde_norway::Value::Mapping(map) => {
            for (k, v) in map {
                strings(k, out);
                strings(v, out);
            }
        }
        serde_norway::Value::Tagged(tagged) => strings(&tagged.value, out),
        _ => {}
    }
}

/// The variables a text reads through `${…}` or `$NAME`.
fn referenced(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            rest = after;
            continue;
        }
        let body = rest.strip_prefix('{').unwrap_or(rest);
        let len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        if len > 0 {
            names.insert(body[..len].to_owned());
        }
        rest = body;
    }
    names
}

/// `.env.example` as `NAME → value` (comments and blank lines skipped).
fn env_example() -> BTreeMap<String, String> {
    read(".env.example")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, value) = l
                .split_once('=')
                .unwrap_or_else(|| panic!(".env.example: `{l}` is not NAME=value"));
            (name.trim().to_owned(), value.trim().to_owned())
        })
        .collect()
}

/// `30s`, `1m30s`, `500ms` as compose writes durations.
fn compose_duration(text: &str) -> Duration {
    let mut total = Duration::ZERO;
    let mut rest = text.trim();
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: u64 = rest[..digits]
            .parse()
            .unwrap_or_else(|_| panic!("`{text}` is not a duration"));
        rest = &rest[digits..];
        let unit = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        total += match &rest[..unit] {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n * 60),
            "h" => Duration::from_secs(n * 3600),
            other => panic!("`{text}`: unknown unit `{other}`"),
        };
        rest = &rest[unit..];
    }
    total
}

// --- Dockerfile ------------------------------------------------------------------------

/// The Dockerfile's instructions, continuation lines joined: (`FROM`, `rust:… AS build`).
fn dockerfile() -> Vec<(String, String)> {
    let text = read("Dockerfile");
    let mut instructions = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if let Some(continued) = trimmed.strip_suffix('\\') {
            current.push_str(continued);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        let (keyword, args) = current
            .split_once(char::is_whitespace)
            .unwrap_or((&current, ""));
        instructions.push((keyword.to_ascii_uppercase(), args.trim().to_owned()));
        current.clear();
    }
    instructions
}

/// The last instruction of a kind (the runtime stage's, in a multi-stage file).
fn last(instructions: &[(String, String)], keyword: &str) -> String {
    instructions
        .iter()
        .rev()
        .find(|(k, _)| k == keyword)
        .map(|(_, a)| a.clone())
        .unwrap_or_else(|| panic!("the Dockerfile has no {keyword}"))
}

/// An exec-form (JSON array) argument list.
fn exec_form(args: &str) -> Vec<String> {
    serde_json::from_str(args).unwrap_or_else(|e| panic!("`{args}` is not exec form: {e}"))
}

fn workspace_rust_version() -> String {
    let manifest = read("Cargo.toml");
    manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("rust-version"))
        .and_then(|rest| rest.split('"').nth(1))
        .expect("the workspace's rust-version")
        .to_owned()
}

// --- the start-up -----------------------------------------------------------------------

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `onair` service's environment for a database at `db`: the compose file's
/// expressions, interpolated from `.env.example` with the required secrets and the test
/// database's credentials filled in; then the compose network's `postgres:5432` resolved
/// to where the test database really is. `ONAIR_LISTEN` stays as compose sets it.
fn compose_environment(db: &Url) -> BTreeMap<String, String> {
    let mut dotenv = env_example();
    let db_name = db.path().trim_start_matches('/').to_owned();
    for (name, value) in [
        ("POSTGRES_USER", db.username().to_owned()),
        // Ignored under trust authentication, needed by the compose file's `:?` check.
        (
            "POSTGRES_PASSWORD",
            db.password().unwrap_or("trust-auth-ignores-it").to_owned(),
        ),
        ("POSTGRES_DB", db_name.clone()),
        (
            "ONAIR_SECRET_KEY",
            "compose-startup-secret-key-0123456789abcdef".to_owned(),
        ),
    ] {
        dotenv.insert(name.to_owned(), value);
    }
    let compose = compose();
    let mut env: BTreeMap<String, String> = compose
        .service("onair")
        .environment
        .iter()
        .map(|(name, value)| {
            let value = interpolate(&value.text(), &dotenv)
                .unwrap_or_else(|e| panic!("{name}: compose would refuse: {e}"));
            (name.clone(), value)
        })
        .collect();

    let url = env
        .get_mut("ONAIR_DATABASE_URL")
        .expect("the onair service sets ONAIR_DATABASE_URL");
    let mut parsed = Url::parse(url).unwrap();
    assert_eq!(parsed.scheme(), "postgres", "{url}");
    assert_eq!(
        (parsed.host_str(), parsed.port()),
        (Some("postgres"), Some(5432)),
        "ONAIR_DATABASE_URL must name the postgres service: {url}"
    );
    assert_eq!(parsed.username(), db.username());
    assert_eq!(parsed.path(), format!("/{db_name}"));
    parsed.set_host(db.host_str()).unwrap();
    parsed.set_port(db.port()).unwrap();
    *url = parsed.to_string();
    env
}

fn onair(args: &[String], env: &BTreeMap<String, String>, dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env)
        .stdin(Stdio::null());
    command
}

/// Runs the compose file's health check (`CMD onair healthcheck …`) as Docker would.
fn healthcheck(test: &[String], env: &BTreeMap<String, String>, dir: &Path) -> Output {
    assert_eq!(test.first().map(String::as_str), Some("CMD"), "{test:?}");
    assert_eq!(test.get(1).map(String::as_str), Some("onair"), "{test:?}");
    onair(&test[2..], env, dir).output().unwrap()
}

struct Running {
    child: Child,
    log: PathBuf,
}

impl Running {
    fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn the_compose_start_up_serves_on_postgres_and_passes_its_health_check() {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = Database::create(Backend::Postgres, &dir).await else {
        return;
    };
    let compose = compose();
    let service = compose.service("onair");
    let env = compose_environment(&Url::parse(&db.url).unwrap());
    assert_eq!(env["ONAIR_LISTEN"], "0.0.0.0:8080");

    // What the container runs: ENTRYPOINT + CMD (the compose service sets no `command`).
    let steps = dockerfile();
    let mut argv = exec_form(&last(&steps, "ENTRYPOINT"));
    argv.extend(exec_form(&last(&steps, "CMD")));
    assert_eq!(argv[0], "onair", "{argv:?}");
    let test = service
        .healthcheck
        .as_ref()
        .expect("a health check")
        .test
        .clone();

    // Test servers bind loopback only, so the server gets 127.0.0.1 where the container
    // has 0.0.0.0; the health check keeps 0.0.0.0 and must find the server on 127.0.0.1
    // by itself, as it does inside the container.
    let port = free_port();
    let mut server_env = env.clone();
    server_env.insert("ONAIR_LISTEN".into(), format!("127.0.0.1:{port}"));
    let mut check_env = env.clone();
    check_env.insert("ONAIR_LISTEN".into(), format!("0.0.0.0:{port}"));

    let log = dir.path().join("onair.log");
    let out = std::fs::File::create(&log).unwrap();
    let mut server = Running {
        child: onair(&argv[1..], &server_env, dir.path())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap(),
        log,
    };

    // Docker retries the check until it passes; so does this, within a generous bound.
    let deadline = Instant::now() + Duration::from_secs(60);
    let ready = loop {
        let out = healthcheck(&test, &check_env, dir.path());
        if out.status.success() {
            break out;
        }
        if let Some(status) = server.child.try_wait().unwrap() {
            panic!("onair serve exited with {status}:\n{}", server.logs());
        }
        assert!(
            Instant::now() < deadline,
            "not healthy within 60s: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            server.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let stdout = String::from_utf8_lossy(&ready.stdout);
    assert_eq!(
        stdout.trim(),
        format!("ready: http://127.0.0.1:{port}/readyz")
    );

    // An egress proxy configured for the container (to reach the networks) is not used to
    // reach the server itself.
    let mut proxied_env = check_env.clone();
    for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        proxied_env.insert(name.into(), "http://127.0.0.1:9".into());
    }
    let out = healthcheck(&test, &proxied_env, dir.path());
    assert!(
        out.status.success(),
        "the health check went through the proxy: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // It is the Postgres store, logging JSON as the compose file asks.
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let readyz: Value = client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(readyz["database"], "postgres", "{readyz}");
    let first_line = server.logs().lines().next().unwrap_or_default().to_owned();
    assert!(
        serde_json::from_str::<Value>(&first_line).is_ok(),
        "ONAIR_LOG_FORMAT=json, yet: {first_line}"
    );

    // The docs' first step: `docker compose exec onair onair tenant create --name acme`.
    let created = onair(
        &["tenant", "create", "--name", "acme", "--json"].map(String::from),
        &server_env,
        dir.path(),
    )
    .output()
    .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let created: Value = serde_json::from_slice(&created.stdout).unwrap();
    let networks = client
        .get(format!("{base}/v1/networks"))
        .bearer_auth(created["api_key"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(networks.status(), 200);

    // `docker stop`: SIGTERM, then the process must be gone within stop_grace_period.
    let grace = compose_duration(service.stop_grace_period.as_deref().unwrap_or("10s"));
    let signalled = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let stopped_by = Instant::now() + grace;
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < stopped_by,
            "still running {grace:?} after SIGTERM:\n{}",
            server.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit {status}:\n{}", server.logs());

    // Stopped: the same health check now fails, saying why.
    let out = healthcheck(&test, &check_env, dir.path());
    assert!(!out.status.success(), "healthy with the server stopped");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("http://127.0.0.1:{port}/readyz"))
            && stderr.contains("could not connect"),
        "{stderr}"
    );
}

// --- the deployment files agree with the binary -----------------------------------------

/// Every environment variable name `onair config settings` knows.
fn setting_env_names() -> BTreeSet<String> {
    let out = Command::new(BIN)
        .args(["config", "settings", "--json"])
        .env_clear()
        .output()
        .unwrap();
    assert!(out.status.success());
    let settings: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    settings
        .iter()
        .map(|s| s["env"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_compose_file_sets_only_real_settings_and_reads_only_documented_variables() {
    let document: serde_norway::Value =
        serde_norway::from_str(&read("docker-compose.yml")).unwrap();
    let mut texts = Vec::new();
    strings(&document, &mut texts);
    let compose = compose();
    let known = setting_env_names();
    let onair = compose.service("onair");
    for name in onair.environment.keys() {
        assert!(
            known.contains(name),
            "docker-compose.yml sets {name}, which is no onair setting"
        );
    }
    for required in ["ONAIR_DATABASE_URL", "ONAIR_SECRET_KEY", "ONAIR_LISTEN"] {
        assert!(
            onair.environment.contains_key(required),
            "{required} missing"
        );
    }
    assert!(
        onair
            .environment
            .contains_key("ONAIR_PROVIDERS__X__BEARER_TOKEN")
    );

    let example = env_example();
    let read_by_compose: BTreeSet<String> = texts.iter().flat_map(|t| referenced(t)).collect();
    let documented: BTreeSet<String> = example.keys().cloned().collect();
    assert_eq!(
        read_by_compose, documented,
        "the variables docker-compose.yml reads and those .env.example names differ"
    );

    // The required secrets stop compose when missing or empty, naming the variable.
    let mut without = example.clone();
    without.insert("POSTGRES_PASSWORD".into(), "pw".into());
    without.insert("ONAIR_SECRET_KEY".into(), String::new());
    let err = interpolate(&onair.environment["ONAIR_SECRET_KEY"].text(), &without).unwrap_err();
    assert!(err.contains("ONAIR_SECRET_KEY"), "{err}");
    without.insert("ONAIR_SECRET_KEY".into(), "k".repeat(40));
    without.remove("POSTGRES_PASSWORD");
    let err = interpolate(&onair.environment["ONAIR_DATABASE_URL"].text(), &without).unwrap_err();
    assert!(err.contains("POSTGRES_PASSWORD"), "{err}");
    // The optional X token is empty by default, which onair reads as unset.
    assert_eq!(
        interpolate(
            &onair.environment["ONAIR_PROVIDERS__X__BEARER_TOKEN"].text(),
            &example
        )
        .unwrap(),
        ""
    );
}

#[test]
fn the_compose_services_start_in_order_restart_and_stop_in_time() {
    let compose = compose();
    let example = env_example();
    let postgres = compose.service("postgres");
    let onair = compose.service("onair");

    let image = postgres.image.as_deref().unwrap();
    let major = image.strip_prefix("postgres:").unwrap_or_default();
    assert!(
        !major.is_empty() && major.chars().all(|c| c.is_ascii_digit()),
        "postgres must be pinned to a major version, got `{image}`"
    );
    let check = postgres.healthcheck.as_ref().unwrap().test.join(" ");
    assert!(check.contains("pg_isready"), "{check}");
    let volume = postgres.volumes.first().map(String::as_str).unwrap_or("");
    let named = volume.split(':').next().unwrap();
    assert!(
        compose.volumes.contains_key(named),
        "postgres data must be on a named volume, got `{volume}`"
    );

    assert!(onair.build.is_some(), "onair is built from the Dockerfile");
    assert_eq!(onair.depends_on["postgres"].condition, "service_healthy");
    for service in [postgres, onair] {
        assert_eq!(service.restart.as_deref(), Some("unless-stopped"));
    }
    let ports: Vec<String> = onair
        .ports
        .iter()
        .map(|p| interpolate(p, &example).unwrap())
        .collect();
    assert_eq!(
        ports,
        ["127.0.0.1:8080:8080"],
        "published on loopback by default"
    );

    let health = onair.healthcheck.as_ref().unwrap();
    assert_eq!(health.test[..3], ["CMD", "onair", "healthcheck"]);
    // The check's own timeout must be shorter than Docker's, so it reports why.
    let own: u64 = health
        .test
        .iter()
        .position(|a| a == "--timeout")
        .map_or(5, |i| health.test[i + 1].parse().unwrap());
    let docker = compose_duration(health.timeout.as_deref().unwrap_or("30s"));
    assert!(Duration::from_secs(own) < docker, "{own}s vs {docker:?}");

    let shutdown: u64 = onair
        .environment
        .get("ONAIR_SHUTDOWN_GRACE_SECS")
        .map_or(10, |v| v.text().parse().unwrap());
    let stop = compose_duration(onair.stop_grace_period.as_deref().unwrap_or("10s"));
    assert!(
        Duration::from_secs(shutdown) < stop,
        "stop_grace_period ({stop:?}) must exceed ONAIR_SHUTDOWN_GRACE_SECS ({shutdown}s)"
    );
}

#[test]
fn the_image_runs_the_binary_as_the_compose_file_expects() {
    let steps = dockerfile();
    let compose = compose();
    let onair = compose.service("onair");

    // Built with the workspace's Rust, on the same Debian release as the runtime.
    let args: BTreeMap<String, String> = steps
        .iter()
        .filter(|(k, _)| k == "ARG")
        .filter_map(|(_, a)| a.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(args["RUST_VERSION"], workspace_rust_version());
    let froms: Vec<String> = steps
        .iter()
        .filter(|(k, _)| k == "FROM")
        .map(|(_, a)| interpolate(a.split_whitespace().next().unwrap(), &args).unwrap())
        .collect();
    let release = &args["DEBIAN_RELEASE"];
    assert_eq!(
        froms,
        [
            format!("rust:{}-{release}", workspace_rust_version()),
            format!("debian:{release}-slim"),
        ]
    );

    let user = last(&steps, "USER");
    let uid = user.split(':').next().unwrap();
    assert!(uid != "root" && uid != "0", "runs as root: USER {user}");
    assert_eq!(last(&steps, "EXPOSE"), "8080");
    assert_eq!(
        last(&steps, "ENV"),
        format!("ONAIR_LISTEN={}", onair.environment["ONAIR_LISTEN"].text())
    );
    assert_eq!(exec_form(&last(&steps, "ENTRYPOINT")), ["onair"]);
    assert_eq!(exec_form(&last(&steps, "CMD")), ["serve"]);
    let health = last(&steps, "HEALTHCHECK");
    let (_, command) = health.split_once("CMD ").expect("HEALTHCHECK CMD [...]");
    assert_eq!(
        exec_form(command),
        onair.healthcheck.as_ref().unwrap().test[1..],
        "the image and the compose file check health the same way"
    );
    // The runtime stage copies in the binary and nothing built besides it.
    let copied: Vec<&String> = steps
        .iter()
        .filter(|(k, a)| k == "COPY" && a.contains("--from=build"))
        .map(|(_, a)| a)
        .collect();
    assert!(
        copied.iter().any(|a| a.ends_with("/usr/local/bin/onair")),
        "{copied:?}"
    );
}

// --- the interpolation the tests above rely on -----------------------------------------

#[test]
fn interpolation_follows_compose() {
    let vars: BTreeMap<String, String> = [("SET", "v"), ("EMPTY", "")]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .into();
    let i = |t: &str| interpolate(t, &vars);
    assert_eq!(i("a${SET}b$SET-$$SET").unwrap(), "avbv-$SET");
    assert_eq!(
        i("${EMPTY:-d}|${EMPTY-d}|${UNSET-d}|${UNSET:-x${SET}}").unwrap(),
        "d||d|xv"
    );
    assert_eq!(i("${UNSET}").unwrap(), "");
    assert_eq!(i("${EMPTY:?say this}").unwrap_err(), "say this");
    assert_eq!(i("${EMPTY?no}").unwrap(), "");
    assert_eq!(i("${UNSET?say that}").unwrap_err(), "say that");
    assert!(i("${SET").unwrap_err().contains("unclosed"));
    assert!(i("${SET:}").is_err());
    assert!(i("a $ b").is_err());
    assert_eq!(
        referenced("${A:-x} $B $$C ${D:?m}"),
        ["A", "B", "D"].map(String::from).into()
    );
    assert_eq!(compose_duration("1m30s"), Duration::from_secs(90));
    assert_eq!(compose_duration("500ms"), Duration::from_millis(500));
}
