//! `onair key create|list|revoke`, and issuing a key (shared with `tenant create`).

use chrono::{TimeDelta, Utc};
use onair_core::ApiKeyName;
use onair_service::IssuedKey;
use onair_store::{Actor, ApiKey, ApiKeyId, StoreError, TenantId};
use serde_json::json;

use super::{Context, Database, print, print_json, table, tenant::name_refused};
use crate::cli::KeyCommand;

/// The name of the key `onair tenant create` issues.
pub(super) const FIRST_KEY_NAME: &str = "default";

/// A new API key for the tenant, issued by the operator: the token is returned once, only
/// its keyed hash is stored.
pub(super) async fn issue(
    db: &Database,
    tenant: &TenantId,
    name: &ApiKeyName,
) -> Result<IssuedKey, StoreError> {
    db.keys().issue(tenant, &Actor::Operator, name, None).await
}

/// How a new key is shown to people.
pub(super) fn show_once(issued: &IssuedKey) -> String {
    format!(
        "API key {} ({:?}):\n\n    {}\n\nThis key is shown only once: store it now. onair keeps only a hash of it.\n",
        issued.key.id,
        issued.key.name,
        issued.token.expose()
    )
}

pub(super) async fn run(ctx: &Context, cmd: KeyCommand) -> anyhow::Result<()> {
    match cmd {
        KeyCommand::Create { tenant, name, json } => create(ctx, &tenant, &name, json).await,
        KeyCommand::List { tenant, json } => list(ctx, &tenant, json).await,
        KeyCommand::Revoke { key_id, json } => revoke(ctx, &key_id, json).await,
    }
}

fn no_tenant(ctx: &Context, tenant: &TenantId, doing: &str, err: StoreError) -> anyhow::Error {
    match err {
        StoreError::NotFound => anyhow::anyhow!("no tenant {tenant}"),
        err => ctx.store_error(doing, err),
    }
}

async fn create(ctx: &Context, tenant: &TenantId, name: &str, json: bool) -> anyhow::Result<()> {
    let name = ApiKeyName::parse(name).map_err(|e| name_refused("key", e))?;
    let db = ctx.open().await?;
    db.store
        .get_tenant(tenant)
        .await
        .map_err(|err| no_tenant(ctx, tenant, "look up the tenant", err))?;
    let issued = issue(&db, tenant, &name)
        .await
        .map_err(|err| no_tenant(ctx, tenant, "create the API key", err))?;
    if json {
        return print_json(&json!({
            "tenant_id": tenant,
            "api_key": issued.token.expose(),
            "api_key_id": issued.key.id,
        }));
    }
    print(&format!(
        "Created for tenant {tenant}.\n\n{}",
        show_once(&issued)
    ))
}

fn status(key: &ApiKey) -> &'static str {
    match (key.revoked_at, key.is_active(Utc::now())) {
        (Some(_), _) => "revoked",
        (None, false) => "expired",
        (None, true) => "active",
    }
}

async fn list(ctx: &Context, tenant: &TenantId, json: bool) -> anyhow::Result<()> {
    let db = ctx.open().await?;
    db.store
        .get_tenant(tenant)
        .await
        .map_err(|err| no_tenant(ctx, tenant, "look up the tenant", err))?;
    let keys = db
        .store
        .list_api_keys(tenant)
        .await
        .map_err(|err| no_tenant(ctx, tenant, "list API keys", err))?;
    if json {
        return print_json(&keys);
    }
    if keys.is_empty() {
        return print(&format!(
            "Tenant {tenant} has no API keys. Create one with `onair key create --tenant {tenant}`.\n"
        ));
    }
    let when = |t: Option<chrono::DateTime<Utc>>| {
        t.map_or_else(
            || "-".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
        )
    };
    let rows: Vec<Vec<String>> = keys
        .iter()
        .map(|k| {
            vec![
                k.id.to_string(),
                status(k).to_owned(),
                when(Some(k.created_at)),
                when(k.last_used_at),
                k.name.clone(),
            ]
        })
        .collect();
    print(&table(
        &["ID", "STATUS", "CREATED (UTC)", "LAST USED (UTC)", "NAME"],
        &rows,
    ))
}

async fn revoke(ctx: &Context, id: &ApiKeyId, json: bool) -> anyhow::Result<()> {
    let db = ctx.open().await?;
    let started = Utc::now();
    let key = db
        .keys()
        .revoke_as_operator(id)
        .await
        .map_err(|err| match err {
            StoreError::NotFound => anyhow::anyhow!("no API key {id}"),
            err => ctx.store_error("revoke the API key", err),
        })?;
    let Some(revoked_at) = key.revoked_at else {
        anyhow::bail!("the database did not record the revocation of {id}");
    };
    // Revoking twice keeps the first time; one earlier than this call means it already was
    // (the millisecond allows for databases that store coarser times).
    let already = revoked_at < started - TimeDelta::milliseconds(1);
    if json {
        return print_json(&json!({
            "api_key_id": key.id,
            "tenant_id": key.tenant_id,
            "revoked_at": revoked_at,
            "already_revoked": already,
        }));
    }
    if already {
        print(&format!(
            "API key {id} of tenant {} was already revoked at {}.\n",
            key.tenant_id,
            revoked_at.format("%Y-%m-%d %H:%M:%S UTC")
        ))
    } else {
        print(&format!(
            "Revoked API key {id} of tenant {}: running servers stop accepting it within a fraction of a second.\n",
            key.tenant_id
        ))
    }
}
