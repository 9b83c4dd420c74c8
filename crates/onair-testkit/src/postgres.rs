//! Throwaway Postgres databases for tests.
