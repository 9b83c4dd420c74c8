//! onair run in process through `serve::run` on port 0: what only needs HTTP and the
//! runner's own behaviour. Tests of the CLI, signals, container start-up and outages start
//! the binary (the `e2e` target).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod runner;
