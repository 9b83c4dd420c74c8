//! Opening the store the database URL names.

use std::sync::Arc;

use anyhow::Context as _;
use onair_store::{Store, StoreError, secrets::Keyring};
use onair_store_postgres::PostgresStore;
use onair_store_sqlite::SqliteStore;

use crate::config::{Backend, Config};

/// Connects to the backend the URL's scheme selects (`sqlite:`, `postgres:`/`postgresql:`),
/// creating an SQLite file's directory first. Does not migrate: callers decide when.
pub async fn open_store(config: &Config, keyring: Arc<Keyring>) -> anyhow::Result<Arc<dyn Store>> {
    let url = &config.database_url;
    let backend = url
        .backend()
        .context("`database_url` (ONAIR_DATABASE_URL)")?;
    let opened: Result<Arc<dyn Store>, StoreError> = match backend {
        Backend::Sqlite { file } => {
            if let Some(dir) = file
                .as_deref()
                .and_then(|f| f.parent())
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).with_context(|| {
                    format!("could not create the database directory {}", dir.display())
                })?;
            }
            SqliteStore::connect(url.expose(), keyring)
                .await
                .map(|s| Arc::new(s) as Arc<dyn Store>)
        }
        Backend::Postgres => PostgresStore::connect(url.expose(), keyring)
            .await
            .map(|s| Arc::new(s) as Arc<dyn Store>),
    };
    let store = opened.map_err(|err| {
        anyhow::anyhow!(
            "could not open the database {url}: {}",
            url.scrub(&err.to_string())
        )
    })?;
    tracing::debug!(backend = store.backend(), database = %url, "opened the store");
    Ok(store)
}

/// Opens the store and applies pending migrations; returns how many were applied.
pub async fn open_migrated_store(
    config: &Config,
    keyring: Arc<Keyring>,
) -> anyhow::Result<(Arc<dyn Store>, usize)> {
    let store = open_store(config, keyring).await?;
    let applied = store.migrate().await.map_err(|err| {
        anyhow::anyhow!(
            "could not migrate the database {}: {}",
            config.database_url,
            config.database_url.scrub(&err.to_string())
        )
    })?;
    if applied > 0 {
        tracing::info!(applied, "applied database migrations");
    }
    Ok((store, applied))
}
