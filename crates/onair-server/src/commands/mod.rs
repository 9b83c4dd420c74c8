//! What each `onair` command does.

mod config;
mod healthcheck;
mod key;
mod tenant;

use std::{
    io::{self, Write as _},
    path::Path,
    sync::Arc,
};

use onair_service::{ApiKeys, LocalCaches};
use onair_store::{Store, StoreError, secrets::Keyring};
use secrecy::ExposeSecret as _;

use crate::{
    cli::{Cli, Command, Role, SecretCommand},
    config::{Config, Sources},
    secret_key, store, telemetry,
};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let path = cli.config.as_deref();
    match cli.command {
        Command::Openapi => print(&with_newline(onair_api::openapi_json())),
        Command::Secret(SecretCommand::Generate) => {
            let secret = onair_store::secrets::generate_secret_key();
            print(&with_newline(secret.expose_secret().to_owned()))
        }
        Command::Healthcheck(args) => healthcheck::run(path, args).await,
        Command::Config(cmd) => config::run(path, cmd),
        Command::Serve(args) => {
            let ctx = Context::load(path, Verbosity::Server)?;
            let roles = crate::serve::Roles {
                api: args.role != Role::Worker,
                worker: args.role != Role::Api,
            };
            crate::serve::serve(ctx.config, roles).await
        }
        Command::Migrate => {
            let ctx = Context::load(path, Verbosity::Operator)?;
            let db = ctx.open().await?;
            let applied = db.applied;
            let url = &ctx.config.database_url;
            match applied {
                0 => print(&format!(
                    "The database {url} is up to date: no migrations to apply.\n"
                )),
                1 => print(&format!("Applied 1 migration to {url}.\n")),
                n => print(&format!("Applied {n} migrations to {url}.\n")),
            }
        }
        Command::Tenant(cmd) => {
            let ctx = Context::load(path, Verbosity::Operator)?;
            tenant::run(&ctx, cmd).await
        }
        Command::Key(cmd) => {
            let ctx = Context::load(path, Verbosity::Operator)?;
            key::run(&ctx, cmd).await
        }
    }
}

/// How much a command logs by default.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verbosity {
    /// `log_level` as configured.
    Server,
    /// Warnings only, unless `log_level` (or `RUST_LOG`) is set explicitly: an operator
    /// command's output is its result.
    Operator,
}

struct Context {
    config: Config,
    /// Flushes buffered log lines when the command ends.
    _log_guard: tracing_appender::non_blocking::WorkerGuard,
}

struct Database {
    store: Arc<dyn Store>,
    keyring: Arc<Keyring>,
    applied: usize,
}

impl Database {
    /// API keys, through the same service the API uses (a CLI process caches nothing, so
    /// there is nothing local to invalidate; running servers hear of changes from the store).
    fn keys(&self) -> ApiKeys {
        ApiKeys::new(
            self.store.clone(),
            self.keyring.clone(),
            LocalCaches::default(),
        )
    }
}

impl Context {
    /// Loads the configuration and installs logging.
    fn load(path: Option<&Path>, verbosity: Verbosity) -> anyhow::Result<Self> {
        let sources = Sources::discover(path)?;
        let config = sources.extract()?;
        let level = match verbosity {
            Verbosity::Operator if !sources.is_set("log_level") => "warn",
            _ => config.log_level.as_str(),
        };
        let log_guard = telemetry::init(config.log_format, level)?;
        if let Some(file) = &sources.file {
            tracing::debug!(file = %file.display(), "read the configuration file");
        }
        for variable in &sources.unknown_env {
            tracing::warn!(
                variable = %variable,
                "ignoring an environment variable that names no setting (`onair config settings` lists them)"
            );
        }
        Ok(Self {
            config,
            _log_guard: log_guard,
        })
    }

    /// The keyring and the migrated store: every command that touches the database
    /// migrates first, so they work on a fresh machine.
    async fn open(&self) -> anyhow::Result<Database> {
        let keyring = secret_key::load_keyring(&self.config)?;
        let (store, applied) = store::open_migrated_store(&self.config, keyring.clone()).await?;
        Ok(Database {
            store,
            keyring,
            applied,
        })
    }

    /// A store error as one line, with any database password masked.
    fn store_error(&self, doing: &str, err: StoreError) -> anyhow::Error {
        anyhow::anyhow!(
            "could not {doing}: {}",
            self.config.database_url.scrub(&err.to_string())
        )
    }
}

/// Writes a command's result to standard output. A closed pipe (`onair … | head`) ends
/// the output quietly instead of failing.
fn print(text: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(anyhow::Error::from(err).context("could not write to standard output")),
    }
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string(value)?;
    print(&with_newline(text))
}

fn with_newline(mut text: String) -> String {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Left-aligned columns, for tables on standard output.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let mut line = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  "));
            }
        }
        line.trim_end().to_owned() + "\n"
    };
    let mut out = line(header.iter().map(|h| (*h).to_owned()).collect());
    for row in rows {
        out.push_str(&line(row.clone()));
    }
    out
}
