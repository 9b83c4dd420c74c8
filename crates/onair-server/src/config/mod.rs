//! The `onair` configuration: built-in defaults, then an optional TOML file, then
//! `ONAIR_*` environment variables (`__` between levels). Each crate declares the settings
//! it uses, once, as a serde section ([`ApiConfig`], [`ServiceConfig`], [`XConfig`]);
//! [`Config`] embeds them at the keys operators know, adds the server's own, and
//! [`settings_reference`] lists them all, derived from the same types.

mod database_url;
mod env;
mod error;
mod reference;
mod serde_fields;
mod validate;

use std::{
    collections::BTreeSet,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
    sync::LazyLock,
    time::Duration,
};

use figment::{
    Figment,
    providers::{Format, Serialized, Toml},
    value::Dict,
};
use onair_api::ApiConfig;
use onair_core::config_serde::{deserialize_opt_http_url, deserialize_secret, serialize_secret};
use onair_provider_x::XConfig;
use onair_service::ServiceConfig;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

pub use database_url::{Backend, DEFAULT_DATABASE_URL, DatabaseUrl, DatabaseUrlError};
pub use env::{CONFIG_PATH_ENV, ENV_PREFIX, env_name};
pub use error::{ConfigError, ConfigProblem};
pub use onair_core::config_serde::REDACTED;
pub use reference::{Setting, settings_reference};
pub use validate::MIN_SECRET_KEY_LEN;

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "onair.toml";

/// Everything the `onair` binary can be configured with. Every field has a default
/// (see [`Config::default`]), so an empty file and an empty environment are a valid
/// configuration: a laptop install on SQLite with the sandbox network.
///
/// The API's and the application's settings sit at the top level beside the server's
/// own (`request_timeout_secs`, `batch_window_ms`, `[cache]`, ...), so their sections are
/// flattened in; [`Config::from_figment`] refuses keys that no section declares.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Config {
    pub database_url: DatabaseUrl,
    #[serde(deserialize_with = "serde_fields::deserialize_socket_addr")]
    pub listen: SocketAddr,
    /// `None`: derived from `listen` (see [`Config::public_url`]).
    #[serde(deserialize_with = "deserialize_opt_http_url")]
    pub public_url: Option<Url>,
    #[serde(
        deserialize_with = "deserialize_secret",
        serialize_with = "serialize_secret"
    )]
    pub secret_key: Option<SecretString>,
    #[serde(
        deserialize_with = "serde_fields::deserialize_secret_list",
        serialize_with = "serde_fields::serialize_secret_list"
    )]
    pub previous_secret_keys: Vec<SecretString>,
    pub log_format: LogFormat,
    pub log_level: String,
    pub shutdown_grace_secs: u64,
    /// The API's settings (its `public_url` is derived, see [`Config::public_url`]).
    #[serde(flatten)]
    pub api: ApiConfig,
    /// The application's settings (its `public_url` is derived likewise).
    #[serde(flatten)]
    pub service: ServiceConfig,
    pub providers: ProvidersConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The networks this deployment offers, each with its adapter's own section.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProvidersConfig {
    pub x: XConfig,
    pub sandbox: SandboxConfig,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxConfig {
    pub enabled: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: DatabaseUrl::default(),
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080),
            public_url: None,
            secret_key: None,
            previous_secret_keys: Vec::new(),
            log_format: LogFormat::Text,
            log_level: "info".to_owned(),
            shutdown_grace_secs: 10,
            api: ApiConfig::default(),
            service: ServiceConfig::default(),
            providers: ProvidersConfig::default(),
        }
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self { enabled: true }
    }
}

/// Where the configuration comes from: the layers in order, the file (if any), and what
/// the environment held that is not a setting.
pub struct Sources {
    pub figment: Figment,
    pub file: Option<PathBuf>,
    /// `ONAIR_*` variables that name no setting; reported, not fatal (the environment is
    /// shared with other programs).
    pub unknown_env: Vec<String>,
}

impl Sources {
    /// Layers the file at `path` (which must exist), or `./onair.toml` when it exists,
    /// and then the environment, over the built-in defaults.
    pub fn discover(path: Option<&Path>) -> Result<Self, ConfigError> {
        let file = match path {
            Some(path) if !path.is_file() => {
                return Err(ConfigError::MissingFile(path.to_owned()));
            }
            Some(path) => Some(path.to_owned()),
            None => Some(PathBuf::from(DEFAULT_CONFIG_FILE)).filter(|p| p.is_file()),
        };
        let env = env::EnvProvider::from_process();
        let unknown_env = env.unknown().to_vec();
        let mut figment = Figment::new();
        if let Some(file) = &file {
            // `file_exact`: never pick up an `onair.toml` from a parent directory.
            figment = figment.merge(Toml::file_exact(file));
        }
        Ok(Self {
            figment: figment.merge(env),
            file,
            unknown_env,
        })
    }

    /// Whether a setting was given by the file or the environment (not defaulted).
    pub fn is_set(&self, key: &str) -> bool {
        self.figment.find_value(key).is_ok()
    }

    pub fn extract(&self) -> Result<Config, ConfigError> {
        Config::from_figment(&self.figment)
    }
}

/// The top-level keys some section declares.
static TOP_LEVEL_KEYS: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
    let defaults = Figment::from(Serialized::defaults(Config::default()));
    defaults
        .extract::<Dict>()
        .map(|dict| dict.into_keys().collect())
        .unwrap_or_default()
});

/// [`Config`], with every error naming its key. A flattened section sees only the values
/// the keys of the others left over, without figment's path or origin, so each section is
/// first extracted on its own (they ignore each other's keys), and a top-level key that no
/// section declares is refused here.
fn extract(figment: &Figment) -> Result<Config, Box<figment::Error>> {
    let given = figment.extract::<Dict>()?;
    if let Some(key) = given.keys().find(|k| !TOP_LEVEL_KEYS.contains(*k)) {
        let mut err = figment::Error::from(figment::error::Kind::UnknownField(key.clone(), &[]));
        err.path = vec![key.clone()];
        err.metadata = figment.find_metadata(key).cloned();
        return Err(Box::new(err));
    }
    figment.extract::<ApiConfig>()?;
    figment.extract::<ServiceConfig>()?;
    Ok(figment.extract::<Config>()?)
}

/// Deserialization stops at the first bad value. So that an operator fixes every bad
/// setting in one go, each bad value is set aside (replaced by its default) and the
/// extraction tried again, collecting one problem per setting.
fn extract_naming_every_bad_value(figment: &Figment) -> Result<Config, ConfigError> {
    /// More than this many bad settings at once: the rest follow after a fix.
    const MOST_REPORTED: usize = 32;
    let defaults = Figment::from(Serialized::defaults(Config::default()));
    let mut figment = figment.clone();
    let mut problems: Vec<ConfigProblem> = Vec::new();
    let mut set_aside: Vec<String> = Vec::new();
    while problems.len() < MOST_REPORTED {
        let err = match extract(&figment) {
            Ok(config) if problems.is_empty() => return Ok(config),
            Ok(_) => break,
            Err(err) => *err,
        };
        let key = err.path.join(".");
        problems.extend(ConfigError::from_figment(err).problems().iter().cloned());
        // An unknown key, or a setting without a default value to stand in for it,
        // cannot be set aside; neither can one that still fails after being replaced.
        let Ok(default) = defaults.find_value(&key) else {
            break;
        };
        if key.is_empty() || set_aside.contains(&key) {
            break;
        }
        figment = figment.merge(Serialized::default(&key, default));
        set_aside.push(key);
    }
    Err(ConfigError::Invalid(problems))
}

impl Config {
    /// Defaults, then the file, then the environment; validated.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        Sources::discover(path)?.extract()
    }

    /// Extracts and validates the configuration a figment holds.
    pub fn from_figment(figment: &Figment) -> Result<Self, ConfigError> {
        let config = extract_naming_every_bad_value(figment)?;
        config.validate()?;
        Ok(config)
    }

    /// Where clients reach this deployment: `public_url`, or `http://` + `listen` (with
    /// `localhost` for an unspecified address such as `0.0.0.0`).
    pub fn public_url(&self) -> Url {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        let host = if self.listen.ip().is_unspecified() {
            "localhost".to_owned()
        } else {
            match self.listen.ip() {
                IpAddr::V4(ip) => ip.to_string(),
                IpAddr::V6(ip) => format!("[{ip}]"),
            }
        };
        // `http://` + an IP or `localhost` + a port always parses.
        #[allow(clippy::expect_used)]
        Url::parse(&format!("http://{host}:{}", self.listen.port())).expect("valid derived URL")
    }

    /// The URL this instance's own `/readyz` answers on (used by `onair healthcheck`).
    pub fn local_base_url(&self) -> Url {
        let ip = match self.listen.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let host = match ip {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        // An IP and a port always make a valid URL.
        #[allow(clippy::expect_used)]
        Url::parse(&format!("http://{host}:{}", self.listen.port())).expect("valid derived URL")
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }

    /// The X adapter's settings, unless `providers.x.enabled` is false.
    pub fn enabled_x(&self) -> Option<&XConfig> {
        let x = &self.providers.x;
        x.enabled.then_some(x)
    }

    /// Whether the sandbox demo network is registered.
    pub fn sandbox_enabled(&self) -> bool {
        self.providers.sandbox.enabled
    }
}
