//! `onair-floor`: the benchmark's floor, a bare axum server answering
//! `GET /v1/spaces/x/{id}` with a response captured from onair, from memory. Prints its base
//! URL on standard output once it listens, and serves until it is killed.

/// The allocator onair uses, so that what separates the two is onair's work, not malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::{io::Write as _, net::SocketAddr, path::PathBuf};

use anyhow::Context;
use clap::Parser;
use onair_bench::floor::{Captured, router};

#[derive(Debug, Parser)]
#[command(
    name = "onair-floor",
    about = "A bare axum server answering onair's captured response from memory"
)]
struct Args {
    /// The captured response: `{"status", "headers": [[name, value], …], "body"}`.
    #[arg(long)]
    response: PathBuf,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let text = std::fs::read_to_string(&args.response)
        .with_context(|| format!("reading {}", args.response.display()))?;
    let app = router(&Captured::from_json(&text)?)?;
    // The same runtime as onair's: multi-threaded, one worker per core it may run on
    // (TOKIO_WORKER_THREADS overrides).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("binding {}", args.listen))?;
        let mut out = std::io::stdout();
        writeln!(out, "http://{}", listener.local_addr()?)?;
        out.flush()?;
        axum::serve(listener, app).await?;
        anyhow::Ok(())
    })
}
