//! The `onair` configuration: built-in defaults, then an optional TOML file, then
//! `ONAIR_*` environment variables (`__` between levels). Every setting lives in
//! [`Config`]; [`settings_reference`] lists them all, derived from the same struct.

mod database_url;
mod env;
mod error;
mod reference;
mod serde_fields;
mod validate;

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
    time::Duration,
};

use figment::{
    Figment,
    providers::{Format, Serialized, Toml},
};
use onair_api::{ApiConfig, CacheConfig, RateLimitConfig};
use onair_provider_x::XConfig;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

pub use database_url::{Backend, DEFAULT_DATABASE_URL, DatabaseUrl, DatabaseUrlError};
pub use env::{CONFIG_PATH_ENV, ENV_PREFIX, env_name};
pub use error::{ConfigError, ConfigProblem};
pub use reference::{Setting, settings_reference};
pub use serde_fields::REDACTED;
pub use validate::MIN_SECRET_KEY_LEN;

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "onair.toml";

/// Everything the `onair` binary can be configured with. Every field has a default
/// (see [`Config::default`]), so an empty file and an empty environment are a valid
/// configuration: a laptop install on SQLite with the sandbox network.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub database_url: DatabaseUrl,
    #[serde(deserialize_with = "serde_fields::deserialize_socket_addr")]
    pub listen: SocketAddr,
    /// `None`: derived from `listen` (see [`Config::public_url`]).
    #[serde(deserialize_with = "serde_fields::deserialize_opt_http_url")]
    pub public_url: Option<Url>,
    #[serde(
        deserialize_with = "serde_fields::deserialize_secret",
        serialize_with = "serde_fields::serialize_secret"
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
    pub request_timeout_secs: u64,
    pub body_limit_bytes: usize,
    pub batch_window_ms: u64,
    pub search_timeout_ms: u64,
    pub link_token_ttl_secs: u64,
    pub rate_limit: RateLimitSettings,
    pub cache: CacheSettings,
    pub providers: ProviderSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    pub per_minute: u32,
    pub burst: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheSettings {
    pub live_ttl_secs: u64,
    pub scheduled_ttl_secs: u64,
    pub ended_ttl_secs: u64,
    pub not_found_ttl_secs: u64,
    pub max_entries: u64,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderSettings {
    pub x: XSettings,
    pub sandbox: SandboxSettings,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct XSettings {
    pub enabled: bool,
    #[serde(deserialize_with = "serde_fields::deserialize_http_url")]
    pub base_url: Url,
    #[serde(
        deserialize_with = "serde_fields::deserialize_secret",
        serialize_with = "serde_fields::serialize_secret"
    )]
    pub bearer_token: Option<SecretString>,
    pub timeout_secs: u64,
    pub connect_timeout_secs: u64,
    pub creator_ids_min_interval_ms: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxSettings {
    pub enabled: bool,
}

impl Default for Config {
    fn default() -> Self {
        // The API's own defaults are the source of truth for its tunables.
        let api = ApiConfig::default();
        Self {
            database_url: DatabaseUrl::default(),
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080),
            public_url: None,
            secret_key: None,
            previous_secret_keys: Vec::new(),
            log_format: LogFormat::Text,
            log_level: "info".to_owned(),
            shutdown_grace_secs: 10,
            request_timeout_secs: api.request_timeout.as_secs(),
            body_limit_bytes: api.body_limit_bytes,
            batch_window_ms: millis(api.batch_window),
            search_timeout_ms: millis(api.search_timeout),
            link_token_ttl_secs: api.link_token_ttl.as_secs(),
            rate_limit: RateLimitSettings::default(),
            cache: CacheSettings::default(),
            providers: ProviderSettings::default(),
        }
    }
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        let api = RateLimitConfig::default();
        Self {
            per_minute: api.per_minute,
            burst: api.burst,
        }
    }
}

impl Default for CacheSettings {
    fn default() -> Self {
        let api = CacheConfig::default();
        Self {
            live_ttl_secs: api.live_ttl.as_secs(),
            scheduled_ttl_secs: api.scheduled_ttl.as_secs(),
            ended_ttl_secs: api.ended_ttl.as_secs(),
            not_found_ttl_secs: api.not_found_ttl.as_secs(),
            max_entries: api.max_entries,
        }
    }
}

impl Default for XSettings {
    fn default() -> Self {
        // The adapter's own defaults are the source of truth for its settings.
        let x = XConfig::default();
        Self {
            enabled: true,
            base_url: x.base_url,
            bearer_token: None,
            timeout_secs: x.timeout.as_secs(),
            connect_timeout_secs: x.connect_timeout.as_secs(),
            creator_ids_min_interval_ms: millis(x.creator_ids_min_interval),
        }
    }
}

impl Default for SandboxSettings {
    fn default() -> Self {
        Self { enabled: true }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
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
        let err = match figment.extract::<Config>() {
            Ok(config) if problems.is_empty() => return Ok(config),
            Ok(_) => break,
            Err(err) => err,
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

    /// The API's tunables.
    pub fn api_config(&self) -> ApiConfig {
        ApiConfig {
            public_url: self.public_url(),
            rate_limit: RateLimitConfig {
                per_minute: self.rate_limit.per_minute,
                burst: self.rate_limit.burst,
            },
            cache: CacheConfig {
                live_ttl: Duration::from_secs(self.cache.live_ttl_secs),
                scheduled_ttl: Duration::from_secs(self.cache.scheduled_ttl_secs),
                ended_ttl: Duration::from_secs(self.cache.ended_ttl_secs),
                not_found_ttl: Duration::from_secs(self.cache.not_found_ttl_secs),
                max_entries: self.cache.max_entries,
            },
            batch_window: Duration::from_millis(self.batch_window_ms),
            search_timeout: Duration::from_millis(self.search_timeout_ms),
            link_token_ttl: Duration::from_secs(self.link_token_ttl_secs),
            body_limit_bytes: self.body_limit_bytes,
            request_timeout: Duration::from_secs(self.request_timeout_secs),
        }
    }

    /// The X adapter's settings, or `None` when `providers.x.enabled` is false.
    pub fn x_config(&self) -> Option<XConfig> {
        let x = &self.providers.x;
        x.enabled.then(|| XConfig {
            base_url: x.base_url.clone(),
            bearer_token: x.bearer_token.clone(),
            timeout: Duration::from_secs(x.timeout_secs),
            connect_timeout: Duration::from_secs(x.connect_timeout_secs),
            creator_ids_min_interval: Duration::from_millis(x.creator_ids_min_interval_ms),
        })
    }

    /// Whether the sandbox demo network is registered.
    pub fn sandbox_enabled(&self) -> bool {
        self.providers.sandbox.enabled
    }
}
