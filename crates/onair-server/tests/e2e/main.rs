//! Black-box tests of the built `onair` binary: each starts `onair serve` on a loopback port
//! against SQLite and Postgres, with the fake X as the upstream, and speaks HTTP to it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod cli_revoke;
mod durability;
mod smoke;

mod auth;
mod endpoints;
mod isolation;
mod jwt;
mod malformed;
mod resources;
mod spaces;
mod upstream_errors;

mod ops_database_outage;
mod ops_observability;
mod ops_shutdown;

mod ops_container_startup;
