//! `onair tenant create|list`.

use onair_core::{ApiKeyName, LabelError, TenantName};
use onair_store::{Actor, StoreError};
use serde_json::json;

use super::{Context, key, print, print_json, table};
use crate::cli::TenantCommand;

pub(super) async fn run(ctx: &Context, cmd: TenantCommand) -> anyhow::Result<()> {
    match cmd {
        TenantCommand::Create { name, json } => create(ctx, &name, json).await,
        TenantCommand::List { json } => list(ctx, json).await,
    }
}

/// Why a name was refused, in the CLI's words.
pub(super) fn name_refused(what: &str, e: LabelError) -> anyhow::Error {
    match e {
        LabelError::Empty => anyhow::anyhow!("the {what} name must not be empty"),
        LabelError::TooLong { max } => {
            anyhow::anyhow!("the {what} name must be at most {max} characters")
        }
        LabelError::ControlCharacter => {
            anyhow::anyhow!("the {what} name must not contain control characters")
        }
    }
}

async fn create(ctx: &Context, name: &str, json: bool) -> anyhow::Result<()> {
    let name = TenantName::parse(name).map_err(|e| name_refused("tenant", e))?;
    let db = ctx.open().await?;
    let tenant = db
        .store
        .create_tenant(&Actor::Operator, name.as_str())
        .await
        .map_err(|err| match err {
            StoreError::Conflict { .. } => {
                anyhow::anyhow!("a tenant named {:?} already exists", name.as_str())
            }
            err => ctx.store_error("create the tenant", err),
        })?;
    let first = ApiKeyName::parse(key::FIRST_KEY_NAME).map_err(|e| name_refused("key", e))?;
    let issued = key::issue(&db, &tenant.id, &first)
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
            "api_key_id": issued.key.id,
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
    fn names_are_refused_in_the_operators_words() {
        let refused = |v: &str| {
            TenantName::parse(v)
                .map_err(|e| name_refused("tenant", e).to_string())
                .unwrap_err()
        };
        assert_eq!(TenantName::parse("  acme ").unwrap().as_str(), "acme");
        assert_eq!(refused("   "), "the tenant name must not be empty");
        assert!(refused("a\u{7}b").contains("control characters"));
        assert!(TenantName::parse(&"x".repeat(200)).is_ok());
        assert!(refused(&"x".repeat(201)).contains("at most 200"));
    }
}
