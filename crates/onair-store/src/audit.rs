use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    Actor, AuditEvent, AuditEventId, NewAuditEvent, StoreError, TenantId,
    store::{Transactions, now},
};

/// The audit log: one entry per administrative change, written in the change's own
/// transaction by the other resources, and [`Audit::record_audit`] for actions that change
/// nothing stored.
#[async_trait]
pub trait Audit: Send + Sync {
    async fn record_audit(&self, event: NewAuditEvent) -> Result<(), StoreError>;
    /// Newest first. `None` lists operator-level entries (no tenant).
    async fn list_audit(
        &self,
        tenant: Option<&TenantId>,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError>;
}

/// The SQL behind [`Audit`], and the insert every audited change runs in its transaction.
#[async_trait]
pub trait AuditRows: Transactions {
    async fn insert_audit(&self, tx: &mut Self::Tx, event: &AuditEvent) -> Result<(), StoreError>;
    /// Newest first (by time, then id); `None`: entries without a tenant.
    async fn select_audit(
        &self,
        tenant: Option<&TenantId>,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError>;
}

#[async_trait]
impl<S: AuditRows> Audit for S {
    async fn record_audit(&self, event: NewAuditEvent) -> Result<(), StoreError> {
        let entry = AuditEvent {
            id: AuditEventId::generate(),
            tenant_id: event.tenant_id,
            actor: event.actor,
            action: event.action,
            target: event.target,
            detail: event.detail,
            at: now(),
        };
        let mut tx = self.begin().await?;
        self.insert_audit(&mut tx, &entry).await?;
        self.commit(tx).await
    }

    async fn list_audit(
        &self,
        tenant: Option<&TenantId>,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        self.select_audit(tenant, limit).await
    }
}

/// A new audit entry for `action` by `actor` at `at`, with no target and empty detail.
pub(crate) fn entry(
    tenant: Option<&TenantId>,
    actor: &Actor,
    action: &str,
    at: DateTime<Utc>,
) -> AuditEvent {
    AuditEvent {
        id: AuditEventId::generate(),
        tenant_id: tenant.cloned(),
        actor: actor.clone(),
        action: action.to_owned(),
        target: None,
        detail: serde_json::json!({}),
        at,
    }
}

impl AuditEvent {
    pub(crate) fn target(mut self, target: &str) -> Self {
        self.target = Some(target.to_owned());
        self
    }

    pub(crate) fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}
