use std::{io::Write as _, process::ExitCode};

/// mimalloc: a request allocates a few dozen small, short-lived buffers, and the system
/// allocator's locking and consolidation cost about a tenth of a cached lookup's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser as _;
use onair_server::{cli::Cli, commands};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => return fail(&anyhow::Error::from(err).context("could not start the runtime")),
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

/// One line on standard error: the error and its causes, `: `-separated.
fn fail(err: &anyhow::Error) -> ExitCode {
    let line = format!("{err:#}").replace(['\n', '\r'], " ");
    // Nothing more can be done if standard error is gone.
    let _ = writeln!(std::io::stderr(), "error: {line}");
    ExitCode::FAILURE
}
