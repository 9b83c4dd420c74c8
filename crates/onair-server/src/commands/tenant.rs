//! `onair tenant create|list`.

use anyhow::bail;
use onair_store::{Actor, StoreError};
use serde_json::json;

use super::{Context, key, print, print_json, table};
use crate::cli::TenantCommand;

/// Longest accepted tenant name, in characters.
const MAX_NAME_LEN: usize = 200;

pub(super) async fn run(ctx: &Context, cmd: TenantCommand) -> anyhow::Result<()> {
    match cmd {
        TenantCommand::Create { name, json } => create(ctx, &name, json).await,
        TenantCommand::List { json } => list(ctx, json).await,
    }
}

/// A name as given, trimmed; refused when empty, too long, or holding control characters.
pub(super) fn check_name(what: &str, name: &str) -> anyhow::Result<String> {
    let name = name.trim();
    if name.is_empty() {
        bail!("the {what} name must not be empty");
    }
    if name.chars().count() > MAX_NAME_LEN {
        bail!("the {what} name must be at most {MAX_NAME_LEN} characters");
    }
    if name.chars().any(char::is_control) {
        bail!("the {what} name must not contain control characters");
    }
    Ok(name.to_owned())
}

async fn create(ctx: &Context, name: &str, json: bool) -> anyhow::Result<()> {
    let name = check_name("tenant", name)?;
    let db = ctx.open().await?;
    let tenant = db
        .store
        .create_tenant(&Actor::Operator, &name)
        .await
        .map_err(|err| match err {
            StoreError::Conflict { .. } => {
                anyhow::anyhow!("a tenant named {name:?} already exists")
            }
            err => ctx.store_error("create the tenant", err),
        })?;
    let issued = key::issue(&*db.store, &db.keyring, &tenant.id, key::FIRST_KEY_NAME)
        .await
        .map_err(|err| {
            ctx.store_error(
                &format!(
                    "create an API key for the new tenant {} (create one with `onair key create --tenant {}`)",
                    tenant.id, tenant.id
                ),
                err,
            )
        })?;
    if json {
        return print_json(&json!({
            "tenant_id": tenant.id,
            "api_key": issued.token.expose(),
            "api_key_id": issued.row.id,
        }));
    }
    print(&format!(
        "Created tenant {} ({:?}).\n\n{}",
        tenant.id,
        tenant.name,
        key::show_once(&issued)
    ))
}

async fn list(ctx: &Context, json: bool) -> anyhow::Result<()> {
    let db = ctx.open().await?;
    let tenants = db
        .store
        .list_tenants()
        .await
        .map_err(|err| ctx.store_error("list tenants", err))?;
    if json {
        return print_json(&tenants);
    }
    if tenants.is_empty() {
        return print("No tenants yet. Create one with `onair tenant create --name NAME`.\n");
    }
    let rows: Vec<Vec<String>> = tenants
        .iter()
        .map(|t| {
            vec![
                t.id.to_string(),
                t.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                t.name.clone(),
            ]
        })
        .collect();
    print(&table(&["ID", "CREATED", "NAME"], &rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(check_name("tenant", "  acme ").unwrap(), "acme");
        assert!(check_name("tenant", "   ").is_err());
        assert!(check_name("tenant", "a\u{7}b").is_err());
        assert!(check_name("tenant", &"x".repeat(MAX_NAME_LEN)).is_ok());
        let err = check_name("tenant", &"x".repeat(MAX_NAME_LEN + 1)).unwrap_err();
        assert!(err.to_string().contains("at most 200"), "{err}");
    }
}
