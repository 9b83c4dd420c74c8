//! The environment layer: `ONAIR_` + the dotted key upper-cased with `__` between levels
//! (`providers.x.base_url` ↔ `ONAIR_PROVIDERS__X__BASE_URL`).
//!
//! Text settings (URLs, secrets, filter directives) are taken verbatim rather than guessed
//! at as numbers, arrays or booleans, so a digits-only secret or a `[span]=debug` filter
//! arrives as written. An empty variable counts as unset, as docker-compose's
//! `${VAR:-}` produces.

use figment::{
    Metadata, Profile, Provider,
    value::{Dict, Map, Value},
};

use super::reference::{self, ValueKind};

pub const ENV_PREFIX: &str = "ONAIR_";
/// Names the configuration file (same as `--config`); not itself a setting.
pub const CONFIG_PATH_ENV: &str = "ONAIR_CONFIG";

/// The environment variable for a dotted setting key.
pub fn env_name(key: &str) -> String {
    format!(
        "{ENV_PREFIX}{}",
        key.to_ascii_uppercase().replace('.', "__")
    )
}

fn key_for(var: &str) -> Option<String> {
    let prefix = var.get(..ENV_PREFIX.len())?;
    if !prefix.eq_ignore_ascii_case(ENV_PREFIX) {
        return None;
    }
    Some(
        var[ENV_PREFIX.len()..]
            .to_ascii_lowercase()
            .replace("__", "."),
    )
}

pub(crate) struct EnvProvider {
    /// (dotted key, value as written)
    values: Vec<(String, String)>,
    unknown: Vec<String>,
}

impl EnvProvider {
    pub(crate) fn from_process() -> Self {
        Self::from_vars(std::env::vars_os().map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        }))
    }

    pub(crate) fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut values = Vec::new();
        let mut unknown = Vec::new();
        for (var, value) in vars {
            let Some(key) = key_for(&var) else { continue };
            if var.eq_ignore_ascii_case(CONFIG_PATH_ENV) {
                continue;
            }
            if reference::field(&key).is_none() {
                unknown.push(var);
                continue;
            }
            if value.trim().is_empty() {
                continue;
            }
            values.push((key, value));
        }
        unknown.sort();
        Self { values, unknown }
    }

    /// `ONAIR_*` variables that name no setting.
    pub(crate) fn unknown(&self) -> &[String] {
        &self.unknown
    }
}

impl Provider for EnvProvider {
    fn metadata(&self) -> Metadata {
        Metadata::named("environment variable")
            .interpolater(|_: &Profile, path: &[&str]| env_name(&path.join(".")))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut root = Dict::new();
        for (key, raw) in &self.values {
            let value = match reference::field(key).map(|f| f.kind) {
                Some(ValueKind::Number | ValueKind::Bool) => raw
                    .trim()
                    .parse::<Value>()
                    .unwrap_or_else(|never| match never {}),
                _ => Value::from(raw.clone()),
            };
            insert(&mut root, key, value);
        }
        Ok(Profile::Default.collect(root))
    }
}

fn insert(dict: &mut Dict, key: &str, value: Value) {
    match key.split_once('.') {
        None => {
            dict.insert(key.to_owned(), value);
        }
        Some((head, rest)) => {
            let child = dict
                .entry(head.to_owned())
                .or_insert_with(|| Value::from(Dict::new()));
            if let Value::Dict(_, child) = child {
                insert(child, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_both_ways() {
        assert_eq!(env_name("database_url"), "ONAIR_DATABASE_URL");
        assert_eq!(
            env_name("providers.x.base_url"),
            "ONAIR_PROVIDERS__X__BASE_URL"
        );
        assert_eq!(
            key_for("ONAIR_PROVIDERS__X__BEARER_TOKEN").as_deref(),
            Some("providers.x.bearer_token")
        );
        assert_eq!(key_for("ONAIRX"), None);
        assert_eq!(key_for("PATH"), None);
    }

    #[test]
    fn separates_unknown_variables_and_skips_empty_ones() {
        let env = EnvProvider::from_vars([
            ("ONAIR_LISTEN".to_owned(), "0.0.0.0:9000".to_owned()),
            ("ONAIR_SECRET_KEY".to_owned(), String::new()),
            ("ONAIR_LISTN".to_owned(), "x".to_owned()),
            ("ONAIR_CONFIG".to_owned(), "/etc/onair.toml".to_owned()),
            ("HOME".to_owned(), "/root".to_owned()),
        ]);
        assert_eq!(env.unknown(), ["ONAIR_LISTN"]);
        assert_eq!(
            env.values,
            [("listen".to_owned(), "0.0.0.0:9000".to_owned())]
        );
    }
}
