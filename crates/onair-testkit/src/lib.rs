//! Test helpers for onair: a faithful fake of the X API that tests and benchmarks start in
//! one line, throwaway Postgres databases, and fixtures.

pub mod fake_x;
pub mod postgres;
