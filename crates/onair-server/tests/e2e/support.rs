//! Starts the real `onair` binary on a free loopback port, on SQLite (a temporary file) or
//! Postgres (a throwaway database), optionally pointed at a fake X, and talks to it over HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::{
    net::TcpListener as StdListener,
    path::PathBuf,
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use onair_testkit::{fake_x::FakeX, postgres::TestDatabase};
use reqwest::{Client, RequestBuilder, Response};
use serde_json::Value;
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_onair");

/// The `ONAIR_SECRET_KEY` every test server runs with (tests that forge link tokens derive
/// the signing key from it).
pub const SECRET_KEY: &str = "e2e-secret-key-0123456789-abcdefghijklmnop";

/// Which store the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Both backends, for tests that must hold on each.
pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// A database for a server: an SQLite file in a temporary directory, or a fresh Postgres
/// database. It outlives server restarts.
pub struct Database {
    pub backend: Backend,
    pub url: String,
    pg: Option<TestDatabase>,
}

impl Database {
    /// `None` when the backend is Postgres and it is unreachable outside CI (the reason is
    /// printed); in CI a missing Postgres fails the test.
    pub async fn create(backend: Backend, dir: &TempDir) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self {
                backend,
                url: format!(
                    "sqlite://{}",
                    dir.path().join("data").join("onair.db").display()
                ),
                pg: None,
            }),
            Backend::Postgres => {
                let db = TestDatabase::create_or_skip().await?;
                Some(Self {
                    backend,
                    url: db.url().to_owned(),
                    pg: Some(db),
                })
            }
        }
    }

    pub fn postgres(&self) -> Option<&TestDatabase> {
        self.pg.as_ref()
    }
}

/// How to start a server.
pub struct Options {
    pub env: Vec<(String, String)>,
}

/// A running `onair serve` process.
pub struct Server {
    pub base: String,
    pub client: Client,
    pub dir: TempDir,
    pub db: Database,
    env: Vec<(String, String)>,
    child: Option<Child>,
    log: PathBuf,
}

/// A tenant made with `onair tenant create --json`.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub key: String,
    pub key_id: String,
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// A server on `backend` with the sandbox and, when given, X served by `fake_x` with its
    /// app token as the operator's credential. `None`: Postgres is unavailable outside CI.
    pub async fn start(backend: Backend, fake_x: Option<&FakeX>) -> Option<Self> {
        Self::start_with(backend, fake_x, &[]).await
    }

    pub async fn start_with(
        backend: Backend,
        fake_x: Option<&FakeX>,
        extra: &[(&str, &str)],
    ) -> Option<Self> {
        Self::start_configured(backend, fake_x, extra, &[]).await
    }

    /// Like [`Server::start_with`], with the variables named in `unset` left out of the
    /// environment (e.g. `ONAIR_PROVIDERS__X__BEARER_TOKEN`, for X served by `fake_x` with
    /// no operator credentials).
    pub async fn start_configured(
        backend: Backend,
        fake_x: Option<&FakeX>,
        extra: &[(&str, &str)],
        unset: &[&str],
    ) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::create(backend, &dir).await?;
        let mut env = vec![
            ("ONAIR_DATABASE_URL".to_owned(), db.url.clone()),
            // A fixed key keeps the Postgres runs, which need one, like the SQLite ones.
            ("ONAIR_SECRET_KEY".to_owned(), SECRET_KEY.to_owned()),
            ("ONAIR_LOG_LEVEL".to_owned(), "info".to_owned()),
            // Generous limits: tests measure behaviour, not the limiter, unless they set them.
            (
                "ONAIR_RATE_LIMIT__PER_MINUTE".to_owned(),
                "100000".to_owned(),
            ),
            ("ONAIR_RATE_LIMIT__BURST".to_owned(), "10000".to_owned()),
        ];
        match fake_x {
            Some(x) => {
                env.push(("ONAIR_PROVIDERS__X__BASE_URL".to_owned(), x.base_url()));
                env.push(("ONAIR_PROVIDERS__X__BEARER_TOKEN".to_owned(), x.app_token()));
            }
            // Never reach for the real X from a test.
            None => env.push((
                "ONAIR_PROVIDERS__X__BASE_URL".to_owned(),
                "http://127.0.0.1:9".to_owned(),
            )),
        }
        for (k, v) in extra {
            env.retain(|(key, _)| key != k);
            env.push(((*k).to_owned(), (*v).to_owned()));
        }
        env.retain(|(key, _)| !unset.contains(&key.as_str()));
        let mut server = Self {
            base: String::new(),
            client: Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            log: dir.path().join("onair.log"),
            dir,
            db,
            env,
            child: None,
        };
        server.spawn().await;
        Some(server)
    }

    /// Starts (or restarts) the process on a new free port and waits until it is ready.
    pub async fn spawn(&mut self) {
        let port = free_port();
        self.base = format!("http://127.0.0.1:{port}");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(BIN)
            .arg("serve")
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("ONAIR_LISTEN", format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        self.wait_ready(Duration::from_secs(60)).await;
    }

    async fn wait_ready(&mut self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(r) = self.client.get(self.url("/readyz")).send().await
                && r.status() == 200
            {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "onair exited with {status} before it was ready:\n{}",
                    self.logs()
                );
            }
            assert!(
                Instant::now() < deadline,
                "onair was not ready within {within:?}:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str, key: &str) -> RequestBuilder {
        self.client.get(self.url(path)).bearer_auth(key)
    }

    pub fn post(&self, path: &str, key: &str) -> RequestBuilder {
        self.client.post(self.url(path)).bearer_auth(key)
    }

    pub fn put(&self, path: &str, key: &str) -> RequestBuilder {
        self.client.put(self.url(path)).bearer_auth(key)
    }

    pub fn delete(&self, path: &str, key: &str) -> RequestBuilder {
        self.client.delete(self.url(path)).bearer_auth(key)
    }

    /// Runs an operator command with this server's configuration; returns stdout.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(BIN)
            .args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "onair {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// A new tenant and its first API key, made by the operator CLI.
    pub fn tenant(&self, name: &str) -> Tenant {
        let v: Value =
            serde_json::from_str(&self.cli(&["tenant", "create", "--name", name, "--json"]))
                .unwrap();
        Tenant {
            id: v["tenant_id"].as_str().unwrap().to_owned(),
            key: v["api_key"].as_str().unwrap().to_owned(),
            key_id: v["api_key_id"].as_str().unwrap().to_owned(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit.
    pub async fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "onair did not exit within {within:?}:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the process (SIGTERM, then waits).
    pub async fn stop(&mut self) {
        if self
            .child
            .as_mut()
            .is_some_and(|c| c.try_wait().unwrap().is_none())
        {
            self.terminate();
            self.wait_exit(Duration::from_secs(20)).await;
        }
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Asserts a problem+json answer with this status and code, and returns its body.
pub async fn problem(response: Response, status: u16, code: &str) -> Value {
    let got = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let request_id = response
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "status; body: {text}");
    assert_eq!(
        content_type.as_deref(),
        Some("application/problem+json"),
        "{text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status, "{body}");
    for field in ["type", "title", "detail", "request_id"] {
        assert!(
            body[field].as_str().is_some_and(|t| !t.is_empty()),
            "`{field}` missing: {body}"
        );
    }
    assert_eq!(body["request_id"].as_str(), request_id.as_deref(), "{body}");
    body
}

/// The JSON body of a successful answer, after checking its status.
pub async fn json(response: Response, status: u16) -> Value {
    let got = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "status; body: {text}");
    serde_json::from_str(&text).unwrap()
}

/// A profile made through the API: its id and its `Profile-Key`.
#[derive(Debug, Clone)]
pub struct Profile {
    pub id: String,
    pub key: String,
}

impl Server {
    /// A request without any `Authorization` header.
    pub fn anonymous(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// Creates a profile named `name` for the tenant owning `key`.
    pub async fn profile(&self, key: &str, name: &str) -> Profile {
        let body = json(
            self.post("/v1/profiles", key)
                .json(&serde_json::json!({ "name": name }))
                .send()
                .await
                .unwrap(),
            201,
        )
        .await;
        Profile {
            id: body["data"]["id"].as_str().unwrap().to_owned(),
            key: body["data"]["profile_key"].as_str().unwrap().to_owned(),
        }
    }

    /// Stores `token` as the X credentials of the tenant owning `key`, or of the profile
    /// when `profile_key` is given.
    pub async fn store_x_token(&self, key: &str, profile_key: Option<&str>, token: &str) {
        let mut request = self
            .put("/v1/networks/x/credentials", key)
            .json(&serde_json::json!({ "token": token }));
        if let Some(pk) = profile_key {
            request = request.header("Profile-Key", pk);
        }
        json(request.send().await.unwrap(), 200).await;
    }

    /// Asserts that the process still answers its liveness and readiness checks.
    pub async fn assert_healthy(&self) {
        for path in ["/healthz", "/readyz"] {
            let r = self.client.get(self.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}:\n{}", self.logs());
        }
    }
}

/// Checks that a response is a well-formed 4xx problem of any code; returns its status and
/// body, or what is wrong with it.
pub async fn client_problem(response: Response) -> Result<(u16, Value), String> {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.map_err(|e| e.to_string())?;
    if !(400..500).contains(&status) {
        return Err(format!("status {status}, not 4xx: {text}"));
    }
    if content_type.as_deref() != Some("application/problem+json") {
        return Err(format!("content-type {content_type:?} on {status}: {text}"));
    }
    let body: Value =
        serde_json::from_str(&text).map_err(|e| format!("problem is not JSON ({e}): {text}"))?;
    if body["status"] != status {
        return Err(format!("`status` {} != HTTP {status}", body["status"]));
    }
    for field in ["type", "title", "detail", "code", "request_id"] {
        if body[field].as_str().is_none_or(str::is_empty) {
            return Err(format!("`{field}` missing: {body}"));
        }
    }
    let code = body["code"].as_str().unwrap_or_default();
    if !code
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(format!("`code` is not snake_case: {body}"));
    }
    if body["request_id"].as_str() != request_id.as_deref() {
        return Err(format!("`request_id` differs from x-request-id: {body}"));
    }
    Ok((status, body))
}

/// Every operation of the served `/openapi.json`, as (`GET`, `/v1/spaces/{network}/{id}`).
pub async fn openapi_operations(server: &Server) -> Vec<(String, String)> {
    let spec = json(
        server
            .client
            .get(server.url("/openapi.json"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in [
            "get", "put", "post", "delete", "patch", "head", "options", "trace",
        ] {
            if item.get(method).is_some() {
                ops.push((method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    ops.sort();
    ops
}

/// Ids of the fake X's ended and canceled Spaces, each handed out once: listings and
/// searches never return those, so none is in a server's cache before its first lookup,
/// and that lookup reaches the fake.
pub struct FreshSpaces(std::sync::atomic::AtomicUsize);

impl FreshSpaces {
    /// Starts at the `start`-th of them (give each server its own range).
    pub fn from(start: usize) -> Self {
        Self(std::sync::atomic::AtomicUsize::new(start))
    }

    pub fn next(&self) -> String {
        use onair_testkit::fake_x::seed;
        let k = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Generated Space `i` is ended when i % 8 == 6 and canceled when i % 8 == 7.
        let i = (k / 2) * 8 + 6 + k % 2;
        assert!(i < seed::GENERATED_SPACES, "out of fresh Spaces");
        seed::generated_space_id(i)
    }
}
