//! `onair-fake-x`: the fake X API v2 Spaces server, standalone.
//!
//! Prints the base URL and the app-only bearer token, one per line, then serves until
//! SIGINT or SIGTERM.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use onair_testkit::fake_x::{FakeX, FakeXConfig, Fault, FaultKind, ProblemHost, Seed, TokenKind};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SeedArg {
    Default,
    Empty,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ProblemHostArg {
    /// `https://api.x.com/2/problems/...`
    X,
    /// `https://api.twitter.com/2/problems/...`
    Twitter,
}

/// A fake of X's API v2 Spaces endpoints, for tests and benchmarks.
#[derive(Debug, Parser)]
#[command(name = "onair-fake-x", version)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Data to start with.
    #[arg(long, value_enum, default_value = "default")]
    seed: SeedArg,
    /// Use this app-only bearer token (repeatable: the first is printed, all are accepted;
    /// they all act for the same app).
    #[arg(long = "token", value_name = "TOKEN", num_args = 1..)]
    tokens: Vec<String>,
    /// Accept a user-context token, as USER_ID:TOKEN (repeatable).
    #[arg(long = "user-token", value_name = "USER_ID:TOKEN")]
    user_tokens: Vec<String>,
    /// Host of problem `type` URIs.
    #[arg(long, value_enum, default_value = "x")]
    problem_host: ProblemHostArg,
    /// Requests per window, per endpoint and token.
    #[arg(long, default_value_t = 300)]
    rate_limit: u32,
    /// Rate-limit window in seconds.
    #[arg(long, default_value_t = 900)]
    window_secs: u64,
    /// `by/creator_ids` calls per second for the app (0: no limit).
    #[arg(long, default_value_t = 1)]
    creator_ids_per_second: u32,
    /// Keep a record of every call in memory (off by default: nothing reads it here).
    #[arg(long)]
    record_calls: bool,
    /// Queue a fault for one request, in order (repeatable): status-NNN, rate-limited,
    /// usage-capped, credits-depleted, client-forbidden, unsupported-authentication,
    /// latency-MS, malformed-body, truncated-body, drop-connection.
    #[arg(long = "fault", value_name = "FAULT")]
    faults: Vec<FaultKind>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let user_tokens = args
        .user_tokens
        .iter()
        .map(|pair| {
            let (user, token) = pair
                .split_once(':')
                .filter(|(u, t)| !u.is_empty() && !t.is_empty())
                .with_context(|| format!("--user-token {pair:?}: expected USER_ID:TOKEN"))?;
            Ok((user.to_owned(), token.to_owned()))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let config = FakeXConfig {
        seed: match args.seed {
            SeedArg::Default => Seed::Default,
            SeedArg::Empty => Seed::Empty,
        },
        problem_host: match args.problem_host {
            ProblemHostArg::X => ProblemHost::ApiX,
            ProblemHostArg::Twitter => ProblemHost::ApiTwitter,
        },
        rate_limit: args.rate_limit,
        window: Duration::from_secs(args.window_secs),
        creator_ids_per_second: args.creator_ids_per_second,
        record_calls: args.record_calls,
        bind: SocketAddr::new(args.host, args.port),
        app_token: args.tokens.first().cloned(),
    };
    let fake = FakeX::try_start_with(config)
        .await
        .context("starting the fake X server")?;
    for token in args.tokens.iter().skip(1) {
        fake.add_same_app_token(token);
    }
    for (user_id, token) in user_tokens {
        fake.add_token(&token, TokenKind::User { user_id });
    }
    for kind in args.faults {
        fake.inject(Fault::once(kind));
    }
    println!("{}", fake.base_url());
    println!("{}", fake.app_token());

    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("listening for SIGTERM")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("listening for SIGINT")?,
        _ = terminate.recv() => {}
    }
    fake.shutdown().await;
    Ok(())
}
