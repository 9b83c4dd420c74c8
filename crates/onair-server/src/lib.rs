//! The `onair` binary's library: configuration, the operator command line, telemetry,
//! opening the store, and the server's wiring.

pub mod cli;
pub mod commands;
pub mod config;
pub mod secret_key;
pub mod serve;
pub mod store;
pub mod telemetry;

pub use config::{Config, Setting, settings_reference};
pub use secret_key::load_keyring;
pub use store::{open_migrated_store, open_store};
