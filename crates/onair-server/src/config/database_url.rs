//! The database URL: which backend it names, where an SQLite file lives, and a form safe
//! to show (password removed).

use std::{fmt, path::PathBuf};

use serde::{Deserialize, Serialize};

/// The built-in default: an SQLite file under `./data/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/onair.db";

/// A database URL. Its `Debug` and `Display` never show a password; [`DatabaseUrl::expose`]
/// is the only way to the full text, for handing to the driver.
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct DatabaseUrl(String);

/// Which store a URL selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite database: a file (`Some(path)`), or in memory (`None`).
    Sqlite {
        file: Option<PathBuf>,
    },
    Postgres,
}

/// Why a database URL was refused. Never contains the URL itself (it may hold a password).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseUrlError {
    #[error(
        "expected a database URL such as `sqlite://./data/onair.db` or `postgres://user@host/db`, got an empty value"
    )]
    Empty,
    #[error("the URL has no scheme: expected `sqlite:`, `postgres:` or `postgresql:` at its start")]
    NoScheme,
    #[error(
        "unsupported database URL scheme `{0}:` (expected `sqlite:`, `postgres:` or `postgresql:`)"
    )]
    UnsupportedScheme(String),
    #[error(
        "an SQLite URL needs a file path, e.g. `sqlite://./data/onair.db` (or `sqlite::memory:`)"
    )]
    NoSqlitePath,
}

impl DatabaseUrl {
    pub fn parse(text: &str) -> Result<Self, DatabaseUrlError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(DatabaseUrlError::Empty);
        }
        let url = Self(text.to_owned());
        url.backend()?;
        Ok(url)
    }

    /// The full URL, password included: only for the database driver.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The scheme as written, lower-cased (`sqlite`, `postgres`, …).
    pub fn scheme(&self) -> Option<String> {
        let (scheme, _) = self.0.split_once(':')?;
        let valid = !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        valid.then(|| scheme.to_ascii_lowercase())
    }

    pub fn backend(&self) -> Result<Backend, DatabaseUrlError> {
        let scheme = self.scheme().ok_or(DatabaseUrlError::NoScheme)?;
        match scheme.as_str() {
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            "sqlite" => self.sqlite_file().map(|file| Backend::Sqlite { file }),
            _ => Err(DatabaseUrlError::UnsupportedScheme(shorten(&scheme))),
        }
    }

    /// The SQLite file this URL names, read the way sqlx reads it: `sqlite://` or `sqlite:`
    /// then a path (relative to the working directory unless it starts with `/`), then an
    /// optional `?query`. `None` for an in-memory database.
    fn sqlite_file(&self) -> Result<Option<PathBuf>, DatabaseUrlError> {
        let rest = &self.0["sqlite:".len()..];
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let in_memory = path == ":memory:"
            || query
                .split('&')
                .any(|pair| pair.eq_ignore_ascii_case("mode=memory"));
        if in_memory {
            return Ok(None);
        }
        if path.is_empty() {
            return Err(DatabaseUrlError::NoSqlitePath);
        }
        Ok(Some(PathBuf::from(path)))
    }

    /// The URL with any password replaced by `***`, safe for logs and messages.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }

    /// `text` (a driver's error message, say) with this URL's password masked wherever it
    /// appears, in case the driver echoed it.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.replace(&self.0, &self.redacted());
        for password in passwords(&self.0) {
            // Drivers show the decoded form (`%40` → `@`), so mask both.
            for form in [password.to_owned(), percent_decode(password)] {
                if form.len() >= 3 {
                    out = out.replace(&form, MASK);
                }
            }
        }
        out
    }
}

impl Default for DatabaseUrl {
    fn default() -> Self {
        Self(DEFAULT_DATABASE_URL.to_owned())
    }
}

impl TryFrom<String> for DatabaseUrl {
    type Error = DatabaseUrlError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<DatabaseUrl> for String {
    // Serialising is for showing settings, so it shows the safe form.
    fn from(url: DatabaseUrl) -> Self {
        url.redacted()
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

const MASK: &str = "***";

/// Masks the password of the authority's user-info (`user:pw@host`) and any `password=`
/// query parameter (libpq accepts one).
fn redact(url: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (url, None),
    };
    let mut out = String::with_capacity(url.len());
    match head.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find(['/', '#']).unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            out.push_str(scheme);
            out.push_str("://");
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    match userinfo.split_once(':') {
                        Some((user, _password)) => {
                            out.push_str(user);
                            out.push(':');
                            out.push_str(MASK);
                        }
                        None => out.push_str(userinfo),
                    }
                    out.push('@');
                    out.push_str(host);
                }
                None => out.push_str(authority),
            }
            out.push_str(path);
        }
        None => out.push_str(head),
    }
    if let Some(query) = query {
        out.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if name.eq_ignore_ascii_case("password") => {
                    format!("{name}={MASK}")
                }
                _ => pair.to_owned(),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    out
}

/// The passwords a URL carries: in the user-info and in `password=` parameters.
fn passwords(url: &str) -> Vec<&str> {
    let (head, query) = url.split_once('?').unwrap_or((url, ""));
    let mut found = Vec::new();
    if let Some((_, rest)) = head.split_once("://") {
        let authority = &rest[..rest.find(['/', '#']).unwrap_or(rest.len())];
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && let Some((_, password)) = userinfo.split_once(':')
        {
            found.push(password);
        }
    }
    for pair in query.split('&') {
        if let Some((name, value)) = pair.split_once('=')
            && name.eq_ignore_ascii_case("password")
        {
            found.push(value);
        }
    }
    found
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn shorten(s: &str) -> String {
    s.chars().take(32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn picks_the_backend_from_the_scheme() {
        let sqlite = |s: &str| DatabaseUrl::parse(s).unwrap().backend().unwrap();
        assert_eq!(
            sqlite(DEFAULT_DATABASE_URL),
            Backend::Sqlite {
                file: Some("./data/onair.db".into())
            }
        );
        assert_eq!(
            sqlite("sqlite:///var/lib/onair/onair.db?mode=rwc"),
            Backend::Sqlite {
                file: Some("/var/lib/onair/onair.db".into())
            }
        );
        assert_eq!(
            sqlite("sqlite:relative.db"),
            Backend::Sqlite {
                file: Some("relative.db".into())
            }
        );
        assert_eq!(sqlite("sqlite::memory:"), Backend::Sqlite { file: None });
        assert_eq!(
            sqlite("sqlite://x.db?mode=memory&cache=shared"),
            Backend::Sqlite { file: None }
        );
        assert_eq!(sqlite("postgres://localhost/onair"), Backend::Postgres);
        assert_eq!(sqlite("PostgreSQL://localhost/onair"), Backend::Postgres);
    }

    #[test]
    fn refuses_other_schemes_naming_them() {
        let err = DatabaseUrl::parse("mysql://root:hunter2@db/onair").unwrap_err();
        assert_eq!(err, DatabaseUrlError::UnsupportedScheme("mysql".into()));
        assert!(err.to_string().contains("`mysql:`"), "{err}");
        assert!(!err.to_string().contains("hunter2"));
        assert_eq!(
            DatabaseUrl::parse("./data/onair.db").unwrap_err(),
            DatabaseUrlError::NoScheme
        );
        assert_eq!(
            DatabaseUrl::parse("  ").unwrap_err(),
            DatabaseUrlError::Empty
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://").unwrap_err(),
            DatabaseUrlError::NoSqlitePath
        );
    }

    #[test]
    fn hides_passwords() {
        let url =
            DatabaseUrl::parse("postgres://onair:s3cr%40t@db.internal:5432/onair?sslmode=require")
                .unwrap();
        assert_eq!(
            url.redacted(),
            "postgres://onair:***@db.internal:5432/onair?sslmode=require"
        );
        assert!(!format!("{url:?}").contains("s3cr"));
        assert!(!url.to_string().contains("s3cr"));
        assert!(url.expose().contains("s3cr%40t"));

        let in_query =
            DatabaseUrl::parse("postgresql://db/onair?user=onair&password=hunter2").unwrap();
        assert_eq!(
            in_query.redacted(),
            "postgresql://db/onair?user=onair&password=***"
        );
        // An `@` inside the password must not leave part of it visible.
        let at = DatabaseUrl::parse("postgres://u:p@ss@host/db").unwrap();
        assert_eq!(at.redacted(), "postgres://u:***@host/db");
        assert_eq!(
            url.scrub("error connecting as onair with s3cr%40t (s3cr@t) to db.internal"),
            "error connecting as onair with *** (***) to db.internal"
        );
        let no_password = DatabaseUrl::parse("postgres://onair@db/onair").unwrap();
        assert_eq!(no_password.redacted(), "postgres://onair@db/onair");
    }

    proptest! {
        #[test]
        fn redaction_never_shows_the_password(
            user in "[a-z]{1,8}",
            // The `Zq` marker appears nowhere else in the URL, so finding it means a leak.
            password in "Zq[A-Za-z0-9!$%&+,;=@:]{4,24}",
            host in "[a-z]{1,8}(:[0-9]{2,5})?",
        ) {
            let text = format!("postgres://{user}:{password}@{host}/onair");
            let url = DatabaseUrl::parse(&text).unwrap();
            let shown = format!("{url} {url:?}");
            prop_assert!(!shown.contains(&password), "{shown}");
            prop_assert!(shown.contains(&host));
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,60}") {
            if let Ok(url) = DatabaseUrl::parse(&text) {
                let _ = url.redacted();
            }
        }
    }
}
