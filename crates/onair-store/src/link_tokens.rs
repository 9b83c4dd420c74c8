use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::{
    Actor, CredentialInfo, ProfileId, StoreError, TenantId,
    credentials::{CredentialRows, CredentialScope, put},
    store::{now, truncate},
};

/// The link tokens already used, by their `jti`, so that each stores one credential at most.
#[async_trait]
pub trait LinkTokens: Send + Sync {
    /// Marks a link token (by its `jti`) as used, so that it stores one credential at most:
    /// a second use answers [`StoreError::Conflict`] on `used_link_tokens_jti`. Rows of
    /// tokens past `expires_at` are pruned as new ones arrive. Not audited (the credential
    /// stored with it is).
    async fn use_link_token(
        &self,
        tenant: &TenantId,
        jti: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The linking page's one write: marks the link token `jti` as used (as
    /// [`LinkTokens::use_link_token`]) and stores the credential (as
    /// [`crate::Credentials::put_credential`]) in one transaction, so either both happen or
    /// neither does. A token already used answers the same [`StoreError::Conflict`] on
    /// `used_link_tokens_jti` and stores nothing.
    async fn put_credential_with_link_token(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        profile: Option<&ProfileId>,
        network: &str,
        secret: &SecretString,
        link_token: &UsedLinkToken,
    ) -> Result<CredentialInfo, StoreError>;
}

/// A link token being used: its `jti`, and when it would have expired anyway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedLinkToken {
    pub jti: String,
    pub expires_at: DateTime<Utc>,
}

/// The SQL behind [`LinkTokens`].
#[async_trait]
pub trait LinkTokenRows: CredentialRows {
    /// Forgets the tokens that expired before `now`.
    async fn delete_expired_link_tokens(
        &self,
        tx: &mut Self::Tx,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// `Conflict` on `used_link_tokens_jti` when the token was used already.
    async fn insert_used_link_token(
        &self,
        tx: &mut Self::Tx,
        tenant: &TenantId,
        token: &UsedLinkToken,
    ) -> Result<(), StoreError>;
}

#[async_trait]
impl<S: LinkTokenRows> LinkTokens for S {
    async fn use_link_token(
        &self,
        tenant: &TenantId,
        jti: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let token = UsedLinkToken {
            jti: jti.to_owned(),
            expires_at,
        };
        let mut tx = self.begin().await?;
        mark_used(self, &mut tx, tenant, &token).await?;
        self.commit(tx).await
    }

    async fn put_credential_with_link_token(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        profile: Option<&ProfileId>,
        network: &str,
        secret: &SecretString,
        link_token: &UsedLinkToken,
    ) -> Result<CredentialInfo, StoreError> {
        let scope = CredentialScope {
            tenant,
            profile,
            network,
        };
        let mut tx = self.begin().await?;
        mark_used(self, &mut tx, tenant, link_token).await?;
        let info = put(self, &mut tx, actor, scope, secret).await?;
        self.commit(tx).await?;
        Ok(info)
    }
}

async fn mark_used<S: LinkTokenRows>(
    store: &S,
    tx: &mut S::Tx,
    tenant: &TenantId,
    token: &UsedLinkToken,
) -> Result<(), StoreError> {
    store.delete_expired_link_tokens(tx, now()).await?;
    let token = UsedLinkToken {
        jti: token.jti.clone(),
        expires_at: truncate(token.expires_at),
    };
    store.insert_used_link_token(tx, tenant, &token).await
}
