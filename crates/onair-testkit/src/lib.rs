//! Test helpers for onair: faithful fakes of the X API and of Discord's HTTP API that tests
//! and benchmarks start in one line, throwaway Postgres databases, and fixtures.

pub mod fake_discord;
pub mod fake_x;
pub mod postgres;
