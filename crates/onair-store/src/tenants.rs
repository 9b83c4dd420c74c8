use async_trait::async_trait;
use serde_json::json;

use crate::{
    Actor, AuditEvent, StoreError, Tenant, TenantId,
    audit::{AuditRows, entry},
    store::now,
};

/// Tenants: the operator's customers.
#[async_trait]
pub trait Tenants: Send + Sync {
    /// Audited as an operator-level entry (no tenant) whose target is the new tenant.
    async fn create_tenant(&self, actor: &Actor, name: &str) -> Result<Tenant, StoreError>;
    async fn get_tenant(&self, tenant: &TenantId) -> Result<Tenant, StoreError>;
    async fn list_tenants(&self) -> Result<Vec<Tenant>, StoreError>;
}

/// The SQL behind [`Tenants`].
#[async_trait]
pub trait TenantRows: AuditRows {
    async fn insert_tenant(&self, tx: &mut Self::Tx, tenant: &Tenant) -> Result<(), StoreError>;
    async fn select_tenant(&self, tenant: &TenantId) -> Result<Tenant, StoreError>;
    /// Oldest first.
    async fn select_tenants(&self) -> Result<Vec<Tenant>, StoreError>;
}

#[async_trait]
impl<S: TenantRows> Tenants for S {
    async fn create_tenant(&self, actor: &Actor, name: &str) -> Result<Tenant, StoreError> {
        let tenant = Tenant {
            id: TenantId::generate(),
            name: name.to_owned(),
            created_at: now(),
        };
        let mut tx = self.begin().await?;
        self.insert_tenant(&mut tx, &tenant).await?;
        let audit = entry(None, actor, AuditEvent::TENANT_CREATE, tenant.created_at)
            .target(tenant.id.as_str())
            .detail(json!({ "name": name }));
        self.insert_audit(&mut tx, &audit).await?;
        self.commit(tx).await?;
        Ok(tenant)
    }

    async fn get_tenant(&self, tenant: &TenantId) -> Result<Tenant, StoreError> {
        self.select_tenant(tenant).await
    }

    async fn list_tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        self.select_tenants().await
    }
}
