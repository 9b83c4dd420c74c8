//! The `onair` command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use onair_store::{ApiKeyId, TenantId};
use url::Url;

const EXAMPLES: &str = "\
Examples:
  onair serve                                  start the API on 127.0.0.1:8080 with SQLite in ./data/
  onair tenant create --name acme              create a tenant and print its first API key
  ONAIR_DATABASE_URL=postgres://onair@db/onair ONAIR_SECRET_KEY=... onair migrate
  onair config settings                        list every setting, its variable and default

Configuration: built-in defaults, then ./onair.toml (or --config PATH), then ONAIR_*
environment variables (`__` between levels, e.g. ONAIR_PROVIDERS__X__BEARER_TOKEN).
Logs go to standard error; command results to standard output.";

/// onair: one REST API over the live-audio networks (X Spaces first).
#[derive(Debug, Parser)]
#[command(name = "onair", version, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// Configuration file (TOML). Without it, ./onair.toml is read when it exists.
    #[arg(
        long,
        short = 'c',
        global = true,
        env = "ONAIR_CONFIG",
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP API server until SIGTERM or Ctrl-C.
    #[command(after_help = "\
Examples:
  onair serve
  ONAIR_LISTEN=0.0.0.0:8080 ONAIR_LOG_FORMAT=json onair serve
  onair --config /etc/onair/onair.toml serve
  onair serve --role worker")]
    Serve(ServeArgs),

    /// Apply pending database migrations and print how many were applied.
    ///
    /// Every command that uses the database migrates first, so this is only needed to
    /// migrate ahead of a deployment. Running it again is a no-op.
    #[command(after_help = "\
Examples:
  onair migrate
  ONAIR_DATABASE_URL=postgres://onair@localhost/onair ONAIR_SECRET_KEY=... onair migrate")]
    Migrate,

    /// Create and list tenants (the customers of this deployment).
    #[command(
        subcommand,
        after_help = "\
Examples:
  onair tenant create --name acme
  onair tenant list --json"
    )]
    Tenant(TenantCommand),

    /// Create, list and revoke tenants' API keys.
    #[command(
        subcommand,
        after_help = "\
Examples:
  onair key create --tenant ten_0193c5e0a1b27c3d8e9f001122334455 --name ci
  onair key list --tenant ten_0193c5e0a1b27c3d8e9f001122334455
  onair key revoke key_AbCdEf123456"
    )]
    Key(KeyCommand),

    /// Secret-key utilities.
    #[command(
        subcommand,
        after_help = "\
Examples:
  onair secret generate"
    )]
    Secret(SecretCommand),

    /// Print the OpenAPI document of the REST API (JSON).
    #[command(after_help = "\
Examples:
  onair openapi > openapi.json")]
    Openapi,

    // Doc comments here are the CLI's help text: `<URL>` is meant for the terminal.
    #[allow(rustdoc::invalid_html_tags)]
    /// Check that a running server is ready: GET <URL>/readyz, exit 0 on 200.
    ///
    /// Meant for container health checks (the image needs no curl). Prints one line saying
    /// why when the server is not ready, and exits non-zero.
    #[command(after_help = "\
Examples:
  onair healthcheck                            checks http://<listen>/readyz
  onair healthcheck http://127.0.0.1:8080
  HEALTHCHECK CMD [\"onair\", \"healthcheck\"]     (Dockerfile)")]
    Healthcheck(HealthcheckArgs),

    /// Show the configuration and the settings it can hold.
    #[command(
        subcommand,
        after_help = "\
Examples:
  onair config show
  onair config settings --json"
    )]
    Config(ConfigCommand),
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant and its first API key. The key is printed once; only its hash is kept.
    #[command(after_help = "\
Examples:
  onair tenant create --name acme
  onair tenant create --name acme --json | jq -r .api_key")]
    Create {
        /// The tenant's name (unique).
        #[arg(long)]
        name: String,
        /// Print exactly one JSON object {\"tenant_id\", \"api_key\", \"api_key_id\"} instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List every tenant.
    #[command(after_help = "\
Examples:
  onair tenant list
  onair tenant list --json")]
    List {
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create another API key for a tenant. The key is printed once.
    #[command(after_help = "\
Examples:
  onair key create --tenant ten_0193c5e0a1b27c3d8e9f001122334455 --name ci
  onair key create --tenant ten_0193c5e0a1b27c3d8e9f001122334455 --json")]
    Create {
        /// The tenant's id (`ten_…`).
        #[arg(long, value_name = "ID")]
        tenant: TenantId,
        /// A name to tell the key apart from the tenant's others.
        #[arg(long, default_value = "default")]
        name: String,
        /// Print exactly one JSON object {\"tenant_id\", \"api_key\", \"api_key_id\"} instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List a tenant's API keys (ids and names; keys themselves are never stored).
    #[command(after_help = "\
Examples:
  onair key list --tenant ten_0193c5e0a1b27c3d8e9f001122334455")]
    List {
        /// The tenant's id (`ten_…`).
        #[arg(long, value_name = "ID")]
        tenant: TenantId,
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke an API key: running servers stop accepting it within a fraction of a second
    /// (PostgreSQL notifies every instance; an SQLite server polls every 100 ms).
    #[command(after_help = "\
Examples:
  onair key revoke key_AbCdEf123456")]
    Revoke {
        /// The key's id (`key_` and 12 letters or digits), as shown when it was created.
        #[arg(value_name = "KEY_ID")]
        key_id: ApiKeyId,
        /// Print the revoked key as a JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Print a new random secret key (256 bits) for ONAIR_SECRET_KEY.
    #[command(after_help = "\
Examples:
  onair secret generate
  export ONAIR_SECRET_KEY=\"$(onair secret generate)\"")]
    Generate,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration and print it as JSON, secrets redacted.
    #[command(after_help = "\
Examples:
  onair config show
  ONAIR_LISTEN=0.0.0.0:9000 onair --config prod.toml config show")]
    Show,
    /// List every setting: key, environment variable, default and meaning.
    #[command(after_help = "\
Examples:
  onair config settings
  onair config settings --json")]
    Settings {
        /// Print a JSON array instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    #[allow(rustdoc::invalid_html_tags)]
    /// Base URL of the server; `/readyz` is appended. Default: http://<listen>.
    pub url: Option<Url>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 5, value_name = "SECS")]
    pub timeout: u64,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn ids_are_checked_while_parsing() {
        let err = Cli::try_parse_from(["onair", "key", "create", "--tenant", "acme"]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("`acme` is not a valid tenant id"), "{text}");
        assert!(text.contains("ten_"), "{text}");
        let err = Cli::try_parse_from(["onair", "key", "revoke", "ten_x"]).unwrap_err();
        assert!(err.to_string().contains("not a valid API key id"), "{err}");
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// What this instance runs: the HTTP API, the background jobs, or both.
    #[arg(long, value_enum, default_value_t = Role::All)]
    pub role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Role {
    /// The HTTP API only.
    Api,
    /// The background jobs only (no HTTP listener).
    Worker,
    /// Both.
    All,
}
