//! The list of every setting, derived from [`Config`] itself: keys and defaults come from
//! serialising `Config::default()`, environment names from the keys, and only the prose
//! lives in the table below (a test holds the table and the struct to the same keys).

use std::sync::LazyLock;

use serde::Serialize;
use serde_json::Value as Json;

use super::{Config, env::env_name};

/// One setting, as the operator docs list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setting {
    /// Dotted key, as written in `onair.toml` (`providers.x.base_url`).
    pub key: String,
    /// The environment variable (`ONAIR_PROVIDERS__X__BASE_URL`).
    pub env: String,
    /// The built-in default, as text.
    pub default: String,
    pub description: &'static str,
}

/// Every setting, sorted by key.
pub fn settings_reference() -> Vec<Setting> {
    FIELDS
        .iter()
        .map(|field| Setting {
            key: field.key.clone(),
            env: env_name(&field.key),
            default: field.default_text(),
            description: field.doc.map_or("", |d| d.description),
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    Text,
    List,
    Number,
    Bool,
}

pub(crate) struct Field {
    pub(crate) key: String,
    pub(crate) kind: ValueKind,
    default: Json,
    doc: Option<&'static Doc>,
}

impl Field {
    fn default_text(&self) -> String {
        if let Some(text) = self.doc.and_then(|d| d.default_when_unset)
            && (self.default.is_null() || self.default.as_array().is_some_and(Vec::is_empty))
        {
            return text.to_owned();
        }
        match &self.default {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

pub(crate) fn field(key: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.key == key)
}

static FIELDS: LazyLock<Vec<Field>> = LazyLock::new(|| {
    // `Config` serialises to plain JSON (secrets as placeholders); a failure would be a bug
    // caught by every test.
    #[allow(clippy::expect_used)]
    let defaults = serde_json::to_value(Config::default()).expect("Config serialises to JSON");
    let mut fields = Vec::new();
    flatten("", &defaults, &mut fields);
    fields.sort_by(|a, b| a.key.cmp(&b.key));
    fields
});

fn flatten(prefix: &str, value: &Json, out: &mut Vec<Field>) {
    match value {
        Json::Object(map) => {
            for (name, child) in map {
                let key = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                flatten(&key, child, out);
            }
        }
        leaf => {
            let kind = match leaf {
                Json::Bool(_) => ValueKind::Bool,
                Json::Number(_) => ValueKind::Number,
                Json::Array(_) => ValueKind::List,
                // Strings, and optional settings (all of them text) that default to unset.
                _ => ValueKind::Text,
            };
            out.push(Field {
                key: prefix.to_owned(),
                kind,
                default: leaf.clone(),
                doc: DOCS.iter().find(|d| d.key == prefix),
            });
        }
    }
}

pub(crate) struct Doc {
    pub(crate) key: &'static str,
    description: &'static str,
    /// What the default means when it is "unset" (an optional setting, an empty list).
    default_when_unset: Option<&'static str>,
}

const fn doc(key: &'static str, description: &'static str) -> Doc {
    Doc {
        key,
        description,
        default_when_unset: None,
    }
}

const fn doc_unset(key: &'static str, description: &'static str, unset: &'static str) -> Doc {
    Doc {
        key,
        description,
        default_when_unset: Some(unset),
    }
}

pub(crate) static DOCS: &[Doc] = &[
    doc(
        "database_url",
        "Where onair keeps its data. `sqlite://PATH` (relative to the working directory, or `sqlite:///absolute/path`) for the embedded database; `postgres://user:password@host:port/db` (or `postgresql://`) for production. The password is never logged.",
    ),
    doc(
        "listen",
        "Address and port the HTTP server binds: an IP address and a port, e.g. `0.0.0.0:8080` in a container.",
    ),
    doc_unset(
        "public_url",
        "The absolute URL clients reach this deployment at (behind a proxy: the proxy's URL); used to build links such as account-linking pages.",
        "http://<listen> (localhost when listening on 0.0.0.0 or [::])",
    ),
    doc_unset(
        "secret_key",
        "The secret (at least 32 characters) from which the keys that hash API keys, encrypt stored credentials and sign link tokens are derived. Generate one with `onair secret generate`. Keep it safe: losing it invalidates every API key and stored credential.",
        "unset: with SQLite, generated on first run into `secret.key` beside the database file; with Postgres, required",
    ),
    doc_unset(
        "previous_secret_keys",
        "Earlier secret keys still accepted after a rotation (keys hashed and credentials sealed under them keep working). A TOML array, or in the environment one comma-separated string.",
        "none",
    ),
    doc(
        "log_format",
        "`text` for people, `json` for log collectors. Logs always go to standard error.",
    ),
    doc(
        "log_level",
        "A tracing env-filter directive, e.g. `info` or `info,onair_api=debug`. `RUST_LOG`, when set, takes precedence. Operator commands other than `serve` log only warnings unless this is set.",
    ),
    doc(
        "shutdown_grace_secs",
        "On SIGTERM or Ctrl-C, how long in-flight requests may take to finish before the server stops anyway.",
    ),
    doc(
        "request_timeout_secs",
        "Longest a request may take before it is answered with 504.",
    ),
    doc(
        "body_limit_bytes",
        "Largest accepted request body, in bytes; larger bodies get 413.",
    ),
    doc(
        "batch_window_ms",
        "How long concurrent single-Space lookups wait, in milliseconds, to be sent upstream together as one batch call (0 sends at once).",
    ),
    doc(
        "search_timeout_ms",
        "How long a search waits for each network, in milliseconds, before reporting that network as timed out.",
    ),
    doc(
        "link_token_ttl_secs",
        "Lifetime of a profile's account-linking token, in seconds (at most 900).",
    ),
    doc(
        "rate_limit.per_minute",
        "Sustained requests per minute allowed for one tenant.",
    ),
    doc(
        "rate_limit.burst",
        "Requests a tenant may send at once above the sustained rate.",
    ),
    doc(
        "cache.live_ttl_secs",
        "How long a looked-up live Space is served from cache, in seconds.",
    ),
    doc(
        "cache.scheduled_ttl_secs",
        "How long a looked-up scheduled Space is served from cache, in seconds.",
    ),
    doc(
        "cache.ended_ttl_secs",
        "How long an ended or canceled Space is kept in cache, in seconds (keep it short: networks' terms limit keeping them).",
    ),
    doc(
        "cache.not_found_ttl_secs",
        "How long a lookup that found nothing is remembered, in seconds.",
    ),
    doc(
        "cache.max_entries",
        "Most Spaces kept in the cache at once (each takes about 3 KiB).",
    ),
    doc(
        "providers.x.enabled",
        "Whether the X Spaces network is offered.",
    ),
    doc(
        "providers.x.base_url",
        "Base URL of the X API (change only to point at a proxy or a test double).",
    ),
    doc_unset(
        "providers.x.bearer_token",
        "The operator's X app bearer token, used for tenants that have not stored their own X credentials. Never logged.",
        "unset: X is available only to tenants that store their own credentials",
    ),
    doc(
        "providers.x.timeout_secs",
        "Longest one X API call may take, in seconds.",
    ),
    doc(
        "providers.x.connect_timeout_secs",
        "Longest connecting to the X API may take, in seconds.",
    ),
    doc(
        "providers.x.creator_ids_min_interval_ms",
        "Least time between two calls to X's Spaces-by-creator endpoint, in milliseconds (X allows one per second).",
    ),
    doc(
        "providers.sandbox.enabled",
        "Whether the deterministic `sandbox` demo network is offered (usable with no upstream credentials).",
    ),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_field_is_documented_and_every_doc_is_a_field() {
        let fields: BTreeSet<&str> = FIELDS.iter().map(|f| f.key.as_str()).collect();
        let docs: BTreeSet<&str> = DOCS.iter().map(|d| d.key).collect();
        assert_eq!(fields, docs);
        assert_eq!(docs.len(), DOCS.len(), "a key is documented twice");
        for setting in settings_reference() {
            assert!(!setting.description.is_empty(), "{}", setting.key);
            assert!(!setting.default.is_empty(), "{}", setting.key);
            assert_ne!(
                setting.default, "null",
                "{} needs an unset text",
                setting.key
            );
        }
    }

    #[test]
    fn lists_the_brief_settings_with_their_defaults() {
        let reference = settings_reference();
        let get = |key: &str| {
            reference
                .iter()
                .find(|s| s.key == key)
                .unwrap_or_else(|| panic!("{key} missing"))
        };
        assert_eq!(get("database_url").env, "ONAIR_DATABASE_URL");
        assert_eq!(get("database_url").default, "sqlite://./data/onair.db");
        assert_eq!(get("listen").default, "127.0.0.1:8080");
        assert_eq!(
            get("providers.x.base_url").env,
            "ONAIR_PROVIDERS__X__BASE_URL"
        );
        assert_eq!(get("providers.x.base_url").default, "https://api.x.com/");
        assert_eq!(
            get("providers.x.bearer_token").env,
            "ONAIR_PROVIDERS__X__BEARER_TOKEN"
        );
        assert_eq!(get("secret_key").env, "ONAIR_SECRET_KEY");
        assert_eq!(get("log_format").default, "text");
        assert_eq!(get("log_level").default, "info");
        assert_eq!(get("shutdown_grace_secs").default, "10");
        assert_eq!(get("providers.sandbox.enabled").default, "true");
        assert_eq!(get("link_token_ttl_secs").default, "600");
    }

    #[test]
    fn kinds_follow_the_types() {
        assert_eq!(field("listen").unwrap().kind, ValueKind::Text);
        assert_eq!(field("secret_key").unwrap().kind, ValueKind::Text);
        assert_eq!(field("previous_secret_keys").unwrap().kind, ValueKind::List);
        assert_eq!(field("cache.max_entries").unwrap().kind, ValueKind::Number);
        assert_eq!(field("providers.x.enabled").unwrap().kind, ValueKind::Bool);
        assert!(field("providers.x").is_none());
    }
}
