//! The audit log in SQLite.

use async_trait::async_trait;
use onair_store::{
    Actor, AuditEvent, ErrorContext, StoreError, TenantId,
    backend::{AuditRows, collect, parse_id, parse_opt_id},
};
use sqlx::FromRow;

use crate::{
    SqliteStore,
    error::map,
    rows::{parse_time, time_text},
};

#[derive(FromRow)]
struct AuditRow {
    id: String,
    tenant_id: Option<String>,
    actor: String,
    action: String,
    target: Option<String>,
    detail: String,
    at: String,
}

impl TryFrom<AuditRow> for AuditEvent {
    type Error = StoreError;
    fn try_from(row: AuditRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: parse_id(&row.id)?,
            tenant_id: parse_opt_id(row.tenant_id)?,
            actor: row.actor.parse::<Actor>().map_err(|e| {
                StoreError::other(ErrorContext::new("the database holds a malformed actor", e))
            })?,
            action: row.action,
            target: row.target,
            detail: serde_json::from_str(&row.detail).map_err(|e| {
                StoreError::other(ErrorContext::new(
                    "the database holds malformed audit detail",
                    e,
                ))
            })?,
            at: parse_time(&row.at)?,
        })
    }
}

#[async_trait]
impl AuditRows for SqliteStore {
    async fn insert_audit(&self, tx: &mut Self::Tx, event: &AuditEvent) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_events (id, tenant_id, actor, action, target, detail, at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(event.id.as_str())
        .bind(event.tenant_id.as_ref().map(TenantId::as_str))
        .bind(event.actor.to_string())
        .bind(&event.action)
        .bind(event.target.as_deref())
        .bind(event.detail.to_string())
        .bind(time_text(event.at))
        .execute(&mut **tx)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn select_audit(
        &self,
        tenant: Option<&TenantId>,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let query = match tenant {
            Some(tenant) => sqlx::query_as(
                "SELECT id, tenant_id, actor, action, target, detail, at FROM audit_events \
                 WHERE tenant_id = ? ORDER BY at DESC, id DESC LIMIT ?",
            )
            .bind(tenant.as_str()),
            None => sqlx::query_as(
                "SELECT id, tenant_id, actor, action, target, detail, at FROM audit_events \
                 WHERE tenant_id IS NULL ORDER BY at DESC, id DESC LIMIT ?",
            ),
        };
        let rows: Vec<AuditRow> = query
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(map)?;
        collect(rows)
    }
}
