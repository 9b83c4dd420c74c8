//! The fake Discord over real HTTP: every route, every error body, status transitions,
//! rate-limit buckets and 429s, permissions, faults, call recording; and twilight-http, an
//! independent Discord client, parsing every answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod errors;
mod events;
mod limits;
mod reads;
mod stages;
mod twilight;
