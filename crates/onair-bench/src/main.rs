//! `onair-bench`: measures onair against a floor and the bare fake X on this machine and
//! prints the figures and their ratios. Run it with `scripts/bench.sh`, which builds the
//! release binaries, pins this process (and the load generators, `wrk` and `oha`) to core 1,
//! and lets this process pin the servers to core 0.
//!
//! 1. Closed loop: throughput and latency of a cached, authenticated lookup through onair
//!    (`GET /v1/spaces/x/{id}` with a real API key), of the floor (`onair-floor`, a bare
//!    axum server answering onair's captured response bytes and headers from memory), and
//!    of the fake X answering the same Space directly (`GET /2/spaces/{id}` with its token
//!    and onair's field selection), in alternating rounds; onair / floor is the main ratio.
//! 2. Open loop: latency-corrected percentiles of onair and the floor at a fixed rate.
//! 3. Upstream calls for 1,000 distinct cold lookups sent together (the floor is 10: X takes
//!    100 ids per call), counted by the fake X.
//! 4. The resident memory of the onair process, idle and with 100,000 Spaces cached.
//!
//! With `--instructions`, instead: onair and the floor under callgrind, one worker thread,
//! one keep-alive connection, and the instructions each spends per cached request.

use std::{
    io::{BufRead, BufReader, Lines},
    net::{SocketAddr, TcpListener as StdListener},
    path::{Path, PathBuf},
    process::{Child, ChildStdout, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, bail, ensure};
use clap::{Parser, Subcommand};
use futures::{StreamExt, stream};
use onair_bench::{
    callgrind,
    floor::Captured,
    oha::{self, OpenLoad},
    wire::{Answer, KeepAlive},
};
use onair_testkit::fake_x::{FakeX, FakeXConfig, SeedSpace, SpaceState, seed};
use serde_json::Value;

#[derive(Debug, Parser)]
#[command(
    name = "onair-bench",
    about = "Benchmarks onair against a bare floor server and the fake X"
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
    /// Seconds of load per throughput or open-loop measurement.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Open connections of the load generators.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// The open loop's fixed request rate, per second (0: no open loop).
    #[arg(long, default_value_t = 15_000)]
    rate: u32,
    /// Distinct cold lookups sent together.
    #[arg(long, default_value_t = 1000)]
    cold: usize,
    /// How many of them are in flight at once.
    #[arg(long, default_value_t = 250)]
    cold_concurrency: usize,
    /// Alternating rounds of the throughput runs (and of the open-loop runs); the median
    /// round of each is reported, so that a passing disturbance on a shared machine moves
    /// no figure.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Spaces cached for the memory measurement.
    #[arg(long, default_value_t = 100_000)]
    cached: usize,
    /// The `onair` binary (default: beside this one).
    #[arg(long)]
    onair: Option<PathBuf>,
    /// The `onair-floor` binary (default: beside this one).
    #[arg(long)]
    floor: Option<PathBuf>,
    /// The core the servers run on; this process and the load generators should be on
    /// another (scripts/bench.sh pins them to core 1).
    #[arg(long, default_value_t = 0)]
    server_core: usize,
    /// Extra `KEY=VALUE` environment for onair (e.g. `ONAIR_LOG_LEVEL=warn`).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Count instructions per cached request under callgrind instead of measuring time.
    #[arg(long)]
    instructions: bool,
    /// Requests in the first callgrind count.
    #[arg(long, default_value_t = 300)]
    n1: u64,
    /// Requests in the second callgrind count; per request is (Ir(n2) - Ir(n1)) / (n2 - n1).
    #[arg(long, default_value_t = 1300)]
    n2: u64,
    /// Requests sent before counting, so that caches, pools and the allocator are warm.
    #[arg(long, default_value_t = 200)]
    warmup: u64,
    /// Independent callgrind runs of each server, to show the counts agree.
    #[arg(long, default_value_t = 2)]
    instruction_runs: usize,
    /// Where callgrind's dumps are kept (for callgrind_annotate).
    #[arg(long, default_value = "target/callgrind")]
    callgrind_dir: PathBuf,
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
        None if args.run.instructions => runtime.block_on(instructions(args.run)),
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

/// `program` pinned to `core`, under `wrapper` (e.g. valgrind and its options) if any.
/// taskset and valgrind both exec, so the child's pid is the program's.
fn pinned(core: usize, wrapper: &[String], program: &Path) -> Command {
    let mut command = Command::new("taskset");
    command
        .arg("-c")
        .arg(core.to_string())
        .args(wrapper)
        .arg(program);
    command
}

fn free_port() -> anyhow::Result<u16> {
    Ok(StdListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The next line a child printed.
fn next_line(lines: &mut Lines<BufReader<ChildStdout>>, who: &str) -> anyhow::Result<String> {
    lines
        .next()
        .with_context(|| format!("{who} exited before it was ready"))?
        .map_err(Into::into)
}

/// The fake X and its onair: everything both kinds of run start from.
struct Bench {
    dir: tempfile::TempDir,
    http: reqwest::Client,
    onair: PathBuf,
    floor: PathBuf,
    _fake: Process,
    x_base: String,
    x_token: String,
    x_calls: String,
    env: Vec<(String, String)>,
    key: String,
}

impl Bench {
    /// Starts the fake X (on the servers' core) and creates onair's tenant and API key.
    async fn start(args: &RunArgs) -> anyhow::Result<Self> {
        let me = std::env::current_exe()?;
        let beside = |flag: &Option<PathBuf>, name: &str| -> anyhow::Result<PathBuf> {
            let path = flag.clone().unwrap_or_else(|| me.with_file_name(name));
            ensure!(path.exists(), "no {name} binary at {}", path.display());
            Ok(path)
        };
        let onair = beside(&args.onair, "onair")?;
        let floor = beside(&args.floor, "onair-floor")?;
        let dir = tempfile::tempdir()?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()?;

        let spaces = args.cached.max(args.cold + 1000) + 1000;
        let mut fake = Process(
            pinned(args.server_core, &[], &me)
                .args(["fake-x", "--spaces", &spaces.to_string()])
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .context("starting the fake X")?,
        );
        let mut lines = BufReader::new(fake.0.stdout.take().context("fake X stdout")?).lines();
        let x_base = next_line(&mut lines, "the fake X")?;
        let x_token = next_line(&mut lines, "the fake X")?;
        let x_calls = next_line(&mut lines, "the fake X")?;

        // onair on SQLite, with limits and lifetimes out of the way.
        let mut env: Vec<(String, String)> = [
            (
                "ONAIR_DATABASE_URL",
                format!("sqlite://{}", dir.path().join("onair.db").display()),
            ),
            (
                "ONAIR_SECRET_KEY",
                "bench-secret-key-0123456789-abcdefghijklmnop".to_owned(),
            ),
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
        let mut bench = Self {
            dir,
            http,
            onair,
            floor,
            _fake: fake,
            x_base,
            x_token,
            x_calls,
            env,
            key: String::new(),
        };
        let mut create = Command::new(&bench.onair);
        bench.onair_env(&mut create, &[]);
        let out = create
            .args(["tenant", "create", "--name", "bench", "--json"])
            .output()?;
        ensure!(
            out.status.success(),
            "onair tenant create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tenant: Value = serde_json::from_slice(&out.stdout)?;
        bench.key = tenant["api_key"].as_str().context("no api_key")?.to_owned();
        Ok(bench)
    }

    fn onair_env(&self, command: &mut Command, extra: &[(&str, &str)]) {
        command
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(extra.iter().copied());
    }

    /// `onair serve` on `core` under `wrapper`, ready; returns it and its base URL.
    async fn serve_onair(
        &self,
        core: usize,
        wrapper: &[String],
        extra: &[(&str, &str)],
        log_name: &str,
    ) -> anyhow::Result<(Process, String)> {
        let port = free_port()?;
        let listen = format!("127.0.0.1:{port}");
        let mut extra = extra.to_vec();
        extra.push(("ONAIR_LISTEN", &listen));
        let log = std::fs::File::create(self.dir.path().join(log_name))?;
        let mut serve = pinned(core, wrapper, &self.onair);
        self.onair_env(&mut serve, &extra);
        let server = Process(
            serve
                .arg("serve")
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .spawn()
                .context("starting onair")?,
        );
        let base = format!("http://{listen}");
        wait_ready(
            &self.http,
            &format!("{base}/readyz"),
            Duration::from_secs(300),
        )
        .await?;
        Ok((server, base))
    }

    /// onair's answer to `url`, as the floor is to repeat it.
    async fn capture(&self, url: &str) -> anyhow::Result<Captured> {
        let answer = self.http.get(url).bearer_auth(&self.key).send().await?;
        ensure!(answer.status() == 200, "lookup: {}", answer.status());
        let status = answer.status().as_u16();
        let headers = answer.headers().clone();
        Captured::new(status, &headers, answer.bytes().await?)
    }

    /// The floor on `core` under `wrapper`, answering `captured`; returns it and its base URL.
    fn serve_floor(
        &self,
        core: usize,
        wrapper: &[String],
        extra: &[(&str, &str)],
        captured: &Captured,
    ) -> anyhow::Result<(Process, String)> {
        let file = self.dir.path().join("floor-response.json");
        std::fs::write(&file, captured.to_json()?)?;
        let mut floor = Process(
            pinned(core, wrapper, &self.floor)
                .arg("--response")
                .arg(&file)
                .envs(extra.iter().copied())
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .context("starting the floor")?,
        );
        let mut lines = BufReader::new(floor.0.stdout.take().context("floor stdout")?).lines();
        let base = next_line(&mut lines, "the floor")?;
        Ok((floor, base))
    }
}

async fn run(args: RunArgs) -> anyhow::Result<()> {
    ensure!(
        Command::new("wrk").arg("--version").output().is_ok(),
        "wrk is not installed (apt-get install wrk)"
    );
    if args.rate > 0 {
        ensure!(
            Command::new("oha").arg("--version").output().is_ok(),
            "oha is not installed (cargo install oha --locked), or pass --rate 0"
        );
    }
    let bench = Bench::start(&args).await?;
    let http = &bench.http;
    let (server, base) = bench
        .serve_onair(args.server_core, &[], &[], "onair.log")
        .await?;
    let pid = server.0.id();

    let space = seed::LIVE_SPACE;
    let lookup = format!("{base}/v1/spaces/x/{space}");
    let captured = bench.capture(&lookup).await?;
    let idle_rss = rss_kib(pid)?;

    // The floor answers what onair just answered; check it does, byte for byte.
    let (floor, floor_base) = bench.serve_floor(args.server_core, &[], &[], &captured)?;
    let floor_lookup = format!("{floor_base}/v1/spaces/x/{space}");
    let from_floor = bench.capture(&floor_lookup).await?;
    ensure!(
        from_floor == captured,
        "the floor's answer differs from onair's:\n{from_floor:?}\n{captured:?}"
    );
    let floor_rss = rss_kib(floor.0.id())?;

    println!("# onair benchmark");
    let cores = std::fs::read_to_string("/proc/cpuinfo").map_or(0, |c| {
        c.lines().filter(|l| l.starts_with("processor")).count()
    });
    println!(
        "machine: {cores} cores; servers on core {}, load generators on another; release build",
        args.server_core
    );
    println!(
        "load average before the run: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!(
        "closed loop: wrk, 1 thread, {} connections, {} s per run",
        args.connections, args.duration
    );
    println!();

    let x_url = format!("{}/2/spaces/{space}?{SPACE_QUERY}", bench.x_base);
    let x_size = http
        .get(&x_url)
        .bearer_auth(&bench.x_token)
        .send()
        .await?
        .bytes()
        .await?
        .len();
    println!(
        "response bodies: onair {} bytes, floor {} bytes (the same bytes and {} headers), fake X {x_size} bytes",
        captured.body.len(),
        from_floor.body.len(),
        captured.headers.len(),
    );
    let mut calls_during = 0;
    let mut onair_runs = Vec::new();
    let mut floor_runs = Vec::new();
    let mut fake_runs = Vec::new();
    let rounds = args.rounds.max(1);
    for round in 1..=rounds {
        let calls_before = upstream_calls(http, &bench.x_calls).await?;
        let o = wrk(&args, &lookup, &bench.key)?;
        calls_during += upstream_calls(http, &bench.x_calls).await? - calls_before;
        // The same request bytes as onair's, key included.
        let b = wrk(&args, &floor_lookup, &bench.key)?;
        let f = wrk(&args, &x_url, &bench.x_token)?;
        println!(
            "round {round}: onair {:.0}/s, floor {:.0}/s, fake X {:.0}/s; onair / floor {:.2}, onair / fake X {:.2}",
            o.rps,
            b.rps,
            f.rps,
            o.rps / b.rps,
            o.rps / f.rps
        );
        onair_runs.push(o);
        floor_runs.push(b);
        fake_runs.push(f);
    }
    let through_onair = median(onair_runs);
    let at_floor = median(floor_runs);
    let direct = median(fake_runs);
    println!("median of {rounds} rounds:");
    println!("cached lookup through onair   {through_onair}");
    println!("the same bytes from the floor {at_floor}");
    println!("same Space from the bare fake {direct}");
    println!(
        "ratio onair / floor           {:.2} (requests/s; target >= 0.80)",
        through_onair.rps / at_floor.rps
    );
    println!(
        "ratio onair / fake X          {:.2} (requests/s)",
        through_onair.rps / direct.rps
    );
    println!("upstream calls during the onair run: {calls_during} (every lookup was a cache hit)");
    println!();

    if args.rate > 0 {
        println!(
            "open loop: oha, {} requests/s, {} connections, {} s per run, latency-corrected",
            args.rate, args.connections, args.duration
        );
        let mut onair_open = Vec::new();
        let mut floor_open = Vec::new();
        for round in 1..=rounds {
            let o = open_loop(&args, &lookup, &bench.key)?;
            let b = open_loop(&args, &floor_lookup, &bench.key)?;
            println!(
                "round {round}: p99 onair {:.0} µs, floor {:.0} µs, ratio {:.2}",
                o.p99_us,
                b.p99_us,
                o.p99_us / b.p99_us
            );
            onair_open.push(o);
            floor_open.push(b);
        }
        let by_p99 = |mut runs: Vec<OpenLoad>| {
            runs.sort_by(|a, b| a.p99_us.total_cmp(&b.p99_us));
            let middle = runs.len() / 2;
            runs.swap_remove(middle)
        };
        let (o, b) = (by_p99(onair_open), by_p99(floor_open));
        println!("median of {rounds} rounds:");
        println!("onair {o}");
        println!("floor {b}");
        println!(
            "p99 ratio onair / floor {:.2} (target <= 1.25)",
            o.p99_us / b.p99_us
        );
        println!();
    }
    drop(floor);

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
    let before = upstream_calls(http, &bench.x_calls).await?;
    let started = Instant::now();
    let statuses: Vec<u16> = stream::iter(&ids)
        .map(|id| {
            let request = http
                .get(format!("{base}/v1/spaces/x/{id}"))
                .bearer_auth(&bench.key);
            async move { request.send().await.map_or(0, |r| r.status().as_u16()) }
        })
        .buffer_unordered(args.cold_concurrency)
        .collect()
        .await;
    let cold_time = started.elapsed();
    let cold_calls = upstream_calls(http, &bench.x_calls).await? - before;
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
                .bearer_auth(&bench.key);
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
        http,
        &format!("{base}/metrics"),
        "onair_space_cache_entries",
    )
    .await?;
    let per_space = cached_rss.saturating_sub(idle_rss) as f64 * 1024.0 / args.cached as f64;
    println!("memory (RSS)");
    println!(
        "  the floor, idle              {:>8.1} MiB",
        floor_rss as f64 / 1024.0
    );
    println!(
        "  onair, idle                  {:>8.1} MiB",
        idle_rss as f64 / 1024.0
    );
    println!(
        "  onair, {} Spaces cached {:>8.1} MiB (cache entries: {entries:.0}; filled in {:.1} s)",
        args.cached,
        cached_rss as f64 / 1024.0,
        fill_time.as_secs_f64()
    );
    println!(
        "  per cached Space             {:>8.0} bytes ({:.2} KiB; target <= 1.5 KiB)",
        per_space,
        per_space / 1024.0
    );
    drop(server);
    Ok(())
}

/// `--instructions`: onair and the floor under callgrind, each on one worker thread and
/// one keep-alive connection, counted twice per run (`n1`, then `n2` requests, after
/// `warmup`), for `instruction_runs` independent runs of each.
async fn instructions(args: RunArgs) -> anyhow::Result<()> {
    ensure!(
        args.n2 > args.n1 && args.n1 > 0,
        "--n2 must be larger than --n1"
    );
    for tool in ["valgrind", "callgrind_control"] {
        ensure!(
            Command::new(tool).arg("--version").output().is_ok(),
            "{tool} is not installed (apt-get install valgrind)"
        );
    }
    let bench = Bench::start(&args).await?;
    std::fs::create_dir_all(&args.callgrind_dir)?;
    let out_dir = std::fs::canonicalize(&args.callgrind_dir)?;
    let space = seed::LIVE_SPACE;
    let path = format!("/v1/spaces/x/{space}");
    let one_worker = [("TOKIO_WORKER_THREADS", "1")];
    println!("# onair instructions per cached request");
    println!(
        "callgrind (valgrind {}), 1 worker thread, 1 keep-alive connection, {} warm-up requests, \
         per request = (Ir({}) - Ir({})) / {}",
        version("valgrind")?,
        args.warmup,
        args.n2,
        args.n1,
        args.n2 - args.n1
    );
    let mut captured = None;
    let mut onair_counts = Vec::new();
    let mut floor_counts = Vec::new();
    let mut last_dumps = Vec::new();
    for run in 1..=args.instruction_runs.max(1) {
        let out = out_dir.join(format!("onair.run{run}.cg"));
        clear_dumps(&out)?;
        let (server, base) = bench
            .serve_onair(
                args.server_core,
                &callgrind_wrapper(&out),
                &one_worker,
                &format!("onair.callgrind{run}.log"),
            )
            .await?;
        let url = format!("{base}{path}");
        let answer = bench.capture(&url).await?;
        let counted = count(&args, &server, &base, &path, &bench.key, &answer, &out).await?;
        drop(server);
        println!(
            "run {run}: onair {:>8.0} instructions per request (Ir {} over {}, {} over {})",
            counted.per_request, counted.ir1, args.n1, counted.ir2, args.n2
        );
        last_dumps.push(("onair", counted.dump.clone()));
        onair_counts.push(counted.per_request);
        // Every run's floor answers the first run's capture.
        let answer = &*captured.get_or_insert(answer);
        let out = out_dir.join(format!("floor.run{run}.cg"));
        clear_dumps(&out)?;
        let (floor, base) = bench.serve_floor(
            args.server_core,
            &callgrind_wrapper(&out),
            &one_worker,
            answer,
        )?;
        let counted = count(&args, &floor, &base, &path, &bench.key, answer, &out).await?;
        drop(floor);
        println!(
            "run {run}: floor {:>8.0} instructions per request (Ir {} over {}, {} over {})",
            counted.per_request, counted.ir1, args.n1, counted.ir2, args.n2
        );
        last_dumps.push(("floor", counted.dump));
        floor_counts.push(counted.per_request);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let spread = |v: &[f64]| {
        let (lo, hi) = v
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
        (hi - lo) / mean(v) * 100.0
    };
    let (o, f) = (mean(&onair_counts), mean(&floor_counts));
    println!(
        "onair {o:>8.0} instructions per cached request (runs differ by {:.2} %)",
        spread(&onair_counts)
    );
    println!(
        "floor {f:>8.0} instructions per request        (runs differ by {:.2} %)",
        spread(&floor_counts)
    );
    println!(
        "ratio onair / floor {:.2} (instructions; target <= 2.0)",
        o / f
    );
    println!();
    println!("where they go (inclusive, over the second count of the last run):");
    for (who, dump) in last_dumps.iter().rev().take(2).rev() {
        println!(
            "  {who}: callgrind_annotate --inclusive=yes {}",
            dump.display()
        );
    }
    Ok(())
}

/// valgrind's command line for a server whose counts go to `out` (`out.1`, `out.2`, … on
/// each dump).
fn callgrind_wrapper(out: &Path) -> Vec<String> {
    vec![
        "valgrind".to_owned(),
        "--tool=callgrind".to_owned(),
        format!("--callgrind-out-file={}", out.display()),
    ]
}

fn clear_dumps(out: &Path) -> anyhow::Result<()> {
    for dump in callgrind::numbered_dumps(out)? {
        std::fs::remove_file(dump)?;
    }
    if out.exists() {
        std::fs::remove_file(out)?;
    }
    Ok(())
}

fn version(tool: &str) -> anyhow::Result<String> {
    let out = Command::new(tool).arg("--version").output()?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// What two counts of one server gave.
struct Counted {
    ir1: u64,
    ir2: u64,
    per_request: f64,
    /// The second count's dump.
    dump: PathBuf,
}

/// Warms the server up on one keep-alive connection, zeroes callgrind's counters, then
/// counts `n1` requests and `n2` requests, each ended by a dump.
async fn count(
    args: &RunArgs,
    server: &Process,
    base: &str,
    path: &str,
    token: &str,
    expected: &Captured,
    out: &Path,
) -> anyhow::Result<Counted> {
    let addr: SocketAddr = base
        .strip_prefix("http://")
        .context("an http:// base URL")?
        .parse()?;
    let expected = Answer {
        status: expected.status,
        body_len: expected.body.len(),
    };
    let pid = server.0.id();
    let mut client = KeepAlive::connect(addr, path, token).await?;
    client.repeat(args.warmup as usize, expected).await?;
    callgrind_control(pid, "-z")?;
    client.repeat(args.n1 as usize, expected).await?;
    callgrind_control(pid, "-d")?;
    client.repeat(args.n2 as usize, expected).await?;
    callgrind_control(pid, "-d")?;
    let dumps = callgrind::numbered_dumps(out)?;
    let [first, second] = dumps.as_slice() else {
        bail!(
            "expected two callgrind dumps beside {}, found {}",
            out.display(),
            dumps.len()
        )
    };
    let ir1 = callgrind::total_ir_of(first)?;
    let ir2 = callgrind::total_ir_of(second)?;
    let per_request =
        callgrind::per_request(ir1, args.n1, ir2, args.n2).context("n2 must exceed n1")?;
    Ok(Counted {
        ir1,
        ir2,
        per_request,
        dump: second.clone(),
    })
}

/// `callgrind_control <flag> <pid>`, which returns once callgrind has done it.
fn callgrind_control(pid: u32, flag: &str) -> anyhow::Result<()> {
    let out = Command::new("callgrind_control")
        .arg(flag)
        .arg(pid.to_string())
        .output()
        .context("running callgrind_control")?;
    let text = String::from_utf8_lossy(&out.stdout);
    ensure!(
        out.status.success() && text.contains("OK"),
        "callgrind_control {flag} {pid}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

async fn wait_ready(http: &reqwest::Client, url: &str, within: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(r) = http.get(url).send().await
            && r.status() == 200
        {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "onair was not ready within {} s",
            within.as_secs()
        );
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

/// Runs oha (on this process's core) against `url` at `args.rate` requests/s, with
/// latency correction: each request's latency counts from when it was due.
fn open_loop(args: &RunArgs, url: &str, token: &str) -> anyhow::Result<OpenLoad> {
    let out = Command::new("oha")
        .args([
            "--no-tui",
            "--output-format",
            "json",
            "--latency-correction",
        ])
        .arg("-q")
        .arg(args.rate.to_string())
        .arg("-c")
        .arg(args.connections.to_string())
        .arg("-z")
        .arg(format!("{}s", args.duration))
        .arg("-H")
        .arg(format!("Authorization: Bearer {token}"))
        .arg(url)
        .output()
        .context("running oha")?;
    ensure!(
        out.status.success(),
        "oha failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    oha::parse(&String::from_utf8_lossy(&out.stdout))
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
