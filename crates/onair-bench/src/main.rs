//! `onair-bench`: measures onair against the bare fake X on this machine and prints the
//! figures and their ratios. Run it with `scripts/bench.sh`, which builds the release
//! binaries, pins this process (and the load generator, `wrk`) to core 1, and lets this
//! process pin the servers to core 0.
//!
//! 1. Throughput and latency of a cached, authenticated lookup through onair
//!    (`GET /v1/spaces/x/{id}` with a real API key), then of the fake X answering the same
//!    Space directly (`GET /2/spaces/{id}` with its token and onair's field selection), and
//!    their ratio.
//! 2. Upstream calls for 1,000 distinct cold lookups sent together (the floor is 10: X takes
//!    100 ids per call), counted by the fake X.
//! 3. The resident memory of the onair process, idle and with 100,000 Spaces cached.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener as StdListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, bail, ensure};
use clap::{Parser, Subcommand};
use futures::{StreamExt, stream};
use onair_testkit::fake_x::{FakeX, FakeXConfig, SeedSpace, SpaceState, seed};
use serde_json::Value;

#[derive(Debug, Parser)]
#[command(
    name = "onair-bench",
    about = "Benchmarks onair against the bare fake X"
)]
struct Args {
    #[command(subcommand)]
    command: Option<Cmd>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Serve a fake X with generated Spaces (used by the benchmark itself).
    FakeX {
        /// Spaces in all (the default seed's, then generated ones).
        #[arg(long, default_value_t = 101_000)]
        spaces: usize,
    },
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Seconds of load per throughput measurement.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Open connections of the load generator.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Distinct cold lookups sent together.
    #[arg(long, default_value_t = 1000)]
    cold: usize,
    /// How many of them are in flight at once.
    #[arg(long, default_value_t = 250)]
    cold_concurrency: usize,
    /// Alternating rounds of the two throughput runs; the median round of each is reported,
    /// so that a passing disturbance on a shared machine moves neither figure.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Spaces cached for the memory measurement.
    #[arg(long, default_value_t = 100_000)]
    cached: usize,
    /// The `onair` binary (default: beside this one).
    #[arg(long)]
    onair: Option<PathBuf>,
    /// The core the servers run on; this process and the load generator should be on
    /// another (scripts/bench.sh pins them to core 1).
    #[arg(long, default_value_t = 0)]
    server_core: usize,
    /// Extra `KEY=VALUE` environment for onair (e.g. `ONAIR_LOG_LEVEL=warn`).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
}

/// onair's field selection on every X call, so that the baseline renders the same Space.
const SPACE_QUERY: &str = "space.fields=created_at,creator_id,ended_at,host_ids,id,\
invited_user_ids,is_ticketed,lang,participant_count,scheduled_start,speaker_ids,started_at,\
state,subscriber_count,title,topic_ids,updated_at\
&expansions=creator_id,host_ids,speaker_ids,invited_user_ids,topic_ids\
&user.fields=id,name,username&topic.fields=id,name,description";

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.command {
        Some(Cmd::FakeX { spaces }) => runtime.block_on(serve_fake_x(spaces)),
        None => runtime.block_on(run(args.run)),
    }
}

/// The fake X with `spaces` Spaces, a budget that never runs out, and a `/calls` counter
/// on a second port. Prints its base URL, token and counter URL, one per line.
async fn serve_fake_x(spaces: usize) -> anyhow::Result<()> {
    let fake = Arc::new(
        FakeX::start_with(FakeXConfig {
            rate_limit: u32::MAX,
            creator_ids_per_second: 0,
            record_calls: false,
            ..FakeXConfig::default()
        })
        .await,
    );
    let now = chrono::Utc::now();
    for i in seed::GENERATED_SPACES..spaces {
        let creator = seed::generated_user_id(i % seed::GENERATED_USERS);
        fake.upsert_space(
            SeedSpace::new(seed::generated_space_id(i), SpaceState::Live)
                .title(format!("Generated live Space #{i}"))
                .creator_id(creator.clone())
                .host_ids([creator.clone()])
                .speaker_ids([creator])
                .lang("en")
                .is_ticketed(false)
                .participant_count((i % 5000) as u32)
                .created_at(now - chrono::Duration::hours(1))
                .started_at(now - chrono::Duration::minutes(30))
                .updated_at(now - chrono::Duration::minutes(1)),
        );
    }
    let counter = {
        let fake = fake.clone();
        axum::Router::new().route(
            "/calls",
            axum::routing::get(move || {
                let fake = fake.clone();
                async move { fake.call_count().to_string() }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let counter_url = format!("http://{}/calls", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, counter).await });
    println!("{}", fake.base_url());
    println!("{}", fake.app_token());
    println!("{counter_url}");
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// A child process killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn pinned(core: usize, program: &Path) -> Command {
    let mut command = Command::new("taskset");
    command.arg("-c").arg(core.to_string()).arg(program);
    command
}

fn free_port() -> anyhow::Result<u16> {
    Ok(StdListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn run(args: RunArgs) -> anyhow::Result<()> {
    let me = std::env::current_exe()?;
    let onair = match &args.onair {
        Some(path) => path.clone(),
        None => me.with_file_name("onair"),
    };
    ensure!(onair.exists(), "no onair binary at {}", onair.display());
    ensure!(
        Command::new("wrk").arg("--version").output().is_ok(),
        "wrk is not installed (apt-get install wrk)"
    );
    let dir = tempfile::tempdir()?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;

    // The fake X, on the servers' core.
    let spaces = args.cached.max(args.cold + 1000) + 1000;
    let mut fake = Process(
        pinned(args.server_core, &me)
            .args(["fake-x", "--spaces", &spaces.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting the fake X")?,
    );
    let mut lines = BufReader::new(fake.0.stdout.take().context("fake X stdout")?).lines();
    let mut line = || -> anyhow::Result<String> {
        lines
            .next()
            .context("the fake X exited before it was ready")?
            .map_err(Into::into)
    };
    let (x_base, x_token, x_calls) = (line()?, line()?, line()?);

    // onair, on the same core, on SQLite, with limits and lifetimes out of the way.
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let mut env: Vec<(String, String)> = [
        (
            "ONAIR_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("onair.db").display()),
        ),
        (
            "ONAIR_SECRET_KEY",
            "bench-secret-key-0123456789-abcdefghijklmnop".to_owned(),
        ),
        ("ONAIR_LISTEN", format!("127.0.0.1:{port}")),
        ("ONAIR_PROVIDERS__X__BASE_URL", x_base.clone()),
        ("ONAIR_PROVIDERS__X__BEARER_TOKEN", x_token.clone()),
        ("ONAIR_RATE_LIMIT__PER_MINUTE", "100000000".to_owned()),
        ("ONAIR_RATE_LIMIT__BURST", "10000000".to_owned()),
        ("ONAIR_CACHE__LIVE_TTL_SECS", "3600".to_owned()),
        ("ONAIR_CACHE__SCHEDULED_TTL_SECS", "3600".to_owned()),
        ("ONAIR_CACHE__ENDED_TTL_SECS", "3600".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for pair in &args.env {
        let (k, v) = pair
            .split_once('=')
            .with_context(|| format!("--env {pair}: expected KEY=VALUE"))?;
        env.retain(|(key, _)| key != k);
        env.push((k.to_owned(), v.to_owned()));
    }
    let onair_cmd = |command: &mut Command| {
        command
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    };
    let mut migrate = Command::new(&onair);
    onair_cmd(&mut migrate);
    let out = migrate
        .args(["tenant", "create", "--name", "bench", "--json"])
        .output()?;
    ensure!(
        out.status.success(),
        "onair tenant create failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tenant: Value = serde_json::from_slice(&out.stdout)?;
    let key = tenant["api_key"].as_str().context("no api_key")?.to_owned();

    let log = std::fs::File::create(dir.path().join("onair.log"))?;
    let mut serve = pinned(args.server_core, &onair);
    onair_cmd(&mut serve);
    let server = Process(
        serve
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting onair")?,
    );
    wait_ready(&http, &format!("{base}/readyz")).await?;
    // taskset execs onair, so the child's pid is onair's.
    let pid = server.0.id();

    let space = seed::LIVE_SPACE;
    let lookup = format!("{base}/v1/spaces/x/{space}");
    let answer = http.get(&lookup).bearer_auth(&key).send().await?;
    ensure!(
        answer.status() == 200,
        "warm-up lookup: {}",
        answer.status()
    );
    let idle_rss = rss_kib(pid)?;

    println!("# onair benchmark");
    let cores = std::fs::read_to_string("/proc/cpuinfo").map_or(0, |c| {
        c.lines().filter(|l| l.starts_with("processor")).count()
    });
    println!(
        "machine: {cores} cores; servers on core {}, load generator on another; release build",
        args.server_core
    );
    println!(
        "load average before the run: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!(
        "load: wrk, 1 thread, {} connections, {} s per run",
        args.connections, args.duration
    );
    println!();

    let x_url = format!("{x_base}/2/spaces/{space}?{SPACE_QUERY}");
    let size = |url: String, token: String| {
        let request = http.get(url).bearer_auth(token);
        async move { anyhow::Ok(request.send().await?.bytes().await?.len()) }
    };
    println!(
        "response bodies: onair {} bytes, fake X {} bytes",
        size(lookup.clone(), key.clone()).await?,
        size(x_url.clone(), x_token.clone()).await?
    );
    let mut calls_during = 0;
    let mut onair_runs = Vec::new();
    let mut fake_runs = Vec::new();
    for round in 1..=args.rounds.max(1) {
        let calls_before = upstream_calls(&http, &x_calls).await?;
        let o = wrk(&args, &lookup, &key)?;
        calls_during += upstream_calls(&http, &x_calls).await? - calls_before;
        let f = wrk(&args, &x_url, &x_token)?;
        println!(
            "round {round}: onair {:.0}/s, fake X {:.0}/s, ratio {:.2}",
            o.rps,
            f.rps,
            o.rps / f.rps
        );
        onair_runs.push(o);
        fake_runs.push(f);
    }
    let through_onair = median(onair_runs);
    let direct = median(fake_runs);
    println!("median of {} rounds:", args.rounds.max(1));
    println!("cached lookup through onair   {through_onair}");
    println!("same Space from the bare fake {direct}");
    println!(
        "ratio onair / fake X          {:.2} (requests/s; target >= 0.80)",
        through_onair.rps / direct.rps
    );
    println!("upstream calls during the onair run: {calls_during} (every lookup was a cache hit)");
    println!();

    // Distinct cold lookups, sent together.
    let ids: Vec<String> = (seed::GENERATED_SPACES..seed::GENERATED_SPACES + args.cold)
        .map(seed::generated_space_id)
        .collect();
    // Open the client's connections first, as a client in steady state has them, so that
    // what is measured is onair's batching, not TCP handshakes.
    let _: Vec<bool> = stream::iter(0..args.cold_concurrency)
        .map(|_| {
            let request = http.get(format!("{base}/healthz"));
            async move { request.send().await.is_ok() }
        })
        .buffer_unordered(args.cold_concurrency)
        .collect()
        .await;
    let before = upstream_calls(&http, &x_calls).await?;
    let started = Instant::now();
    let statuses: Vec<u16> = stream::iter(&ids)
        .map(|id| {
            let request = http
                .get(format!("{base}/v1/spaces/x/{id}"))
                .bearer_auth(&key);
            async move { request.send().await.map_or(0, |r| r.status().as_u16()) }
        })
        .buffer_unordered(args.cold_concurrency)
        .collect()
        .await;
    let cold_time = started.elapsed();
    let cold_calls = upstream_calls(&http, &x_calls).await? - before;
    let ok = statuses.iter().filter(|s| **s == 200).count();
    ensure!(
        ok == ids.len(),
        "{} of {} cold lookups failed",
        ids.len() - ok,
        ids.len()
    );
    println!(
        "cold lookups: {} distinct, {} in flight at once, {:.0} ms",
        args.cold,
        args.cold_concurrency,
        cold_time.as_secs_f64() * 1000.0
    );
    println!(
        "upstream calls: {cold_calls}, {:.1} per 1,000 lookups (floor 10, target <= 11)",
        cold_calls as f64 * 1000.0 / args.cold as f64
    );
    println!();

    // Memory: idle, then with `cached` Spaces in the cache.
    let all: Vec<String> = (0..args.cached).map(seed::generated_space_id).collect();
    let started = Instant::now();
    let failures: usize = stream::iter(all.chunks(100))
        .map(|chunk| {
            let ids: Vec<String> = chunk.iter().map(|id| format!("x:{id}")).collect();
            let request = http
                .get(format!("{base}/v1/spaces"))
                .query(&[("ids", ids.join(","))])
                .bearer_auth(&key);
            async move {
                match request.send().await {
                    Ok(r) if r.status() == 200 => r
                        .json::<Value>()
                        .await
                        .map_or(chunk.len(), |v| v["errors"].as_array().map_or(0, Vec::len)),
                    _ => chunk.len(),
                }
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<usize>>()
        .await
        .into_iter()
        .sum();
    ensure!(failures == 0, "{failures} Spaces could not be cached");
    let fill_time = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let cached_rss = rss_kib(pid)?;
    let entries = metric(
        &http,
        &format!("{base}/metrics"),
        "onair_space_cache_entries",
    )
    .await?;
    println!("memory (RSS of the onair process)");
    println!(
        "  idle                      {:>8.1} MiB",
        idle_rss as f64 / 1024.0
    );
    println!(
        "  with {} Spaces cached {:>8.1} MiB (cache entries: {entries:.0}; filled in {:.1} s)",
        args.cached,
        cached_rss as f64 / 1024.0,
        fill_time.as_secs_f64()
    );
    println!(
        "  per cached Space           {:>8.2} KiB",
        (cached_rss.saturating_sub(idle_rss)) as f64 / args.cached as f64
    );
    drop(server);
    drop(fake);
    Ok(())
}

async fn wait_ready(http: &reqwest::Client, url: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = http.get(url).send().await
            && r.status() == 200
        {
            return Ok(());
        }
        ensure!(Instant::now() < deadline, "onair was not ready within 60 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn upstream_calls(http: &reqwest::Client, url: &str) -> anyhow::Result<u64> {
    Ok(http.get(url).send().await?.text().await?.trim().parse()?)
}

/// The value of an unlabelled metric in a Prometheus text page.
async fn metric(http: &reqwest::Client, url: &str, name: &str) -> anyhow::Result<f64> {
    let page = http.get(url).send().await?.text().await?;
    page.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
        .with_context(|| format!("no {name} in /metrics"))
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| {
            l.strip_prefix("VmRSS:")?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse()
                .ok()
        })
        .context("no VmRSS")
}

/// What one wrk run measured.
struct Load {
    rps: f64,
    p50_us: f64,
    p99_us: f64,
}

impl std::fmt::Display for Load {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>9.0} requests/s   p50 {:>7.0} µs   p99 {:>7.0} µs",
            self.rps, self.p50_us, self.p99_us
        )
    }
}

/// The run with the median throughput.
fn median(mut runs: Vec<Load>) -> Load {
    runs.sort_by(|a, b| a.rps.total_cmp(&b.rps));
    let middle = runs.len() / 2;
    runs.swap_remove(middle)
}

/// Runs wrk (on this process's core) against `url` with a bearer token.
fn wrk(args: &RunArgs, url: &str, token: &str) -> anyhow::Result<Load> {
    let out = Command::new("wrk")
        .args(["-t1", "--latency"])
        .arg(format!("-c{}", args.connections))
        .arg(format!("-d{}s", args.duration))
        .arg("-H")
        .arg(format!("Authorization: Bearer {token}"))
        .arg(url)
        .output()
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    ensure!(out.status.success(), "wrk failed: {text}");
    if text.contains("Non-2xx") || text.contains("Socket errors") {
        bail!("wrk saw failed requests:\n{text}");
    }
    let percentile = |p: &str| {
        text.lines()
            .find_map(|l| {
                let rest = l.trim().strip_prefix(p)?;
                micros(rest.trim())
            })
            .with_context(|| format!("no {p} latency in wrk's output:\n{text}"))
    };
    let rps = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:")?.trim().parse().ok())
        .with_context(|| format!("no Requests/sec in wrk's output:\n{text}"))?;
    Ok(Load {
        rps,
        p50_us: percentile("50%")?,
        p99_us: percentile("99%")?,
    })
}

/// wrk's `452.00us`, `1.23ms`, `2.00s` in microseconds.
fn micros(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => value,
        "ms" => value * 1_000.0,
        "s" => value * 1_000_000.0,
        _ => return None,
    })
}
