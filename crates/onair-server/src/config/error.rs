//! Configuration errors that name the setting, its environment variable, where the bad
//! value came from, and the form expected.

use std::{fmt, path::PathBuf};

use figment::{Source, error::Kind};

use super::{env::env_name, reference};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the configuration file {} does not exist", .0.display())]
    MissingFile(PathBuf),
    #[error("invalid configuration: {}", join(.0))]
    Invalid(Vec<ConfigProblem>),
}

/// One thing wrong with the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The dotted key (`rate_limit.per_minute`), or the unknown key as written.
    pub key: String,
    pub message: String,
}

impl ConfigProblem {
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if reference::field(&self.key).is_some() {
            write!(
                f,
                "`{}` ({}): {}",
                self.key,
                env_name(&self.key),
                self.message
            )
        } else {
            write!(f, "`{}` {}", self.key, self.message)
        }
    }
}

fn join(problems: &[ConfigProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ConfigError {
    pub fn problems(&self) -> &[ConfigProblem] {
        match self {
            Self::MissingFile(_) => &[],
            Self::Invalid(problems) => problems,
        }
    }

    pub(crate) fn from_figment(err: figment::Error) -> Self {
        Self::Invalid(err.into_iter().map(problem).collect())
    }
}

fn problem(err: figment::Error) -> ConfigProblem {
    let parent = err.path.join(".");
    let origin = match &err.metadata {
        Some(md) => match &md.source {
            Some(Source::File(path)) => format!(" (in {})", path.display()),
            _ if md.name == "environment variable" => " (set in the environment)".to_owned(),
            _ => format!(" (from {})", md.name),
        },
        None => String::new(),
    };
    match err.kind {
        Kind::UnknownField(name, _) => {
            // figment's path usually ends with the unknown key itself.
            let key = if err.path.last() == Some(&name) || parent.is_empty() {
                if parent.is_empty() { name } else { parent }
            } else {
                format!("{parent}.{name}")
            };
            let hint = closest_setting(&key)
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            let message =
                format!("is not a setting{origin}{hint} (`onair config settings` lists them all)");
            ConfigProblem::new(key, message)
        }
        Kind::InvalidType(actual, expected) | Kind::InvalidValue(actual, expected) => {
            let expected = plain_expected(&parent, &expected);
            ConfigProblem::new(
                parent,
                format!("expected {expected}, found {actual}{origin}"),
            )
        }
        Kind::UnknownVariant(actual, variants) => {
            let expected: Vec<String> = variants.iter().map(|v| format!("`{v}`")).collect();
            ConfigProblem::new(
                parent,
                format!(
                    "expected one of {}, found `{actual}`{origin}",
                    expected.join(", ")
                ),
            )
        }
        Kind::Message(message) => ConfigProblem::new(parent, format!("{message}{origin}")),
        other => ConfigProblem::new(parent, format!("{other}{origin}")),
    }
}

/// Serde's type names (`u32`) in the words an operator uses, with the default as example.
fn plain_expected(key: &str, expected: &str) -> String {
    let example = reference::settings_reference()
        .into_iter()
        .find(|s| s.key == key)
        .map(|s| s.default);
    let words = match expected {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number of at least 0",
        "a boolean" | "bool" => "`true` or `false`",
        other => other,
    };
    match example {
        Some(example) => format!("{words} (default: {example})"),
        None => words.to_owned(),
    }
}

/// The known key nearest to a mistyped one, if any is close (or the typed key is the
/// start of one: `cache.live_ttl` for `cache.live_ttl_secs`).
fn closest_setting(key: &str) -> Option<String> {
    let settings = reference::settings_reference();
    if let Some(s) = settings
        .iter()
        .find(|s| s.key.starts_with(&format!("{key}_")))
    {
        return Some(s.key.clone());
    }
    settings
        .into_iter()
        .map(|s| (edit_distance(&s.key, key), s.key))
        .filter(|(d, k)| *d <= 3.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_keys_only() {
        assert_eq!(
            closest_setting("databse_url").as_deref(),
            Some("database_url")
        );
        assert_eq!(
            closest_setting("cache.live_ttl").as_deref(),
            Some("cache.live_ttl_secs")
        );
        assert_eq!(closest_setting("completely_unrelated_thing"), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
