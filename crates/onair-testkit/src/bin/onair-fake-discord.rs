//! `onair-fake-discord`: the fake Discord HTTP API, standalone.
//!
//! Prints the API base URL (`http://HOST:PORT/api/v10`) and a valid bot token, one per line,
//! then serves until SIGINT or SIGTERM.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use onair_testkit::fake_discord::{FakeDiscord, FakeDiscordConfig, Fault, FaultKind, Seed, seed};

/// A fake of Discord's HTTP API v10 (stage instances, scheduled events, guilds), for tests.
#[derive(Debug, Parser)]
#[command(name = "onair-fake-discord", version)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// A JSON seed file (the `Seed` type: bots, users, guilds, channels, scheduled_events,
    /// stage_instances; ids as numbers); without it, the demo seed.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// The demo bot's token (ignored with --seed, whose bots carry their tokens).
    #[arg(long, default_value = seed::BOT_TOKEN)]
    token: String,
    /// Requests per bucket (route and guild or channel, per bot) per window.
    #[arg(long, default_value_t = 10)]
    rate_limit: u32,
    /// Bucket window in milliseconds.
    #[arg(long, default_value_t = 1000)]
    window_ms: u64,
    /// Requests per second per bot over all routes (0: no limit).
    #[arg(long, default_value_t = 50)]
    global_per_second: u32,
    /// Accept requests without a `DiscordBot (url, version)` User-Agent.
    #[arg(long)]
    any_user_agent: bool,
    /// Keep a record of every call in memory (off by default: nothing reads it here).
    #[arg(long)]
    record_calls: bool,
    /// Queue a fault for one request, in order (repeatable): status-NNN, delay-MS,
    /// rate-limited-MS, global-rate-limited-MS, shared-rate-limited-MS.
    #[arg(long = "fault", value_name = "FAULT")]
    faults: Vec<FaultKind>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let data = match &args.seed {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_str::<Seed>(&text)
                .with_context(|| format!("{} is not a seed", path.display()))?
        }
        None => seed::demo(&args.token),
    };
    let config = FakeDiscordConfig {
        seed: data,
        rate_limit: args.rate_limit,
        window: Duration::from_millis(args.window_ms),
        global_per_second: args.global_per_second,
        require_user_agent: !args.any_user_agent,
        record_calls: args.record_calls,
        bind: SocketAddr::new(args.host, args.port),
    };
    let fake = FakeDiscord::try_start_with(config)
        .await
        .context("starting the fake Discord server")?;
    for kind in args.faults {
        fake.inject(Fault::once(kind));
    }
    println!("{}", fake.api_url());
    println!("{}", fake.bot_token());

    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("listening for SIGTERM")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("listening for SIGINT")?,
        _ = terminate.recv() => {}
    }
    fake.shutdown().await;
    Ok(())
}
