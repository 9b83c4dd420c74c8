//! The one authentication path of the HTTP API: `Authorization: Bearer onair_sk_…` and an
//! optional `Profile-Key`, read from the headers and resolved by the application's
//! [`Authenticator`](onair_service::Authenticator) into a [`TenantContext`] once per
//! request by [`require_tenant`], which also applies the tenant's rate limit.

use std::sync::Arc;

use axum::{
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use onair_service::Caller;
use onair_store::secrets::{Token, TokenKind};

use crate::{error::ApiError, state::AppState};

pub use onair_service::ProfileRef;

/// Who is calling, as handlers extract it: a cheap handle on the caller the key cache
/// resolved, shared rather than copied.
#[derive(Debug, Clone)]
pub struct TenantContext(pub Arc<Caller>);

impl std::ops::Deref for TenantContext {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for TenantContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<TenantContext>()
            .cloned()
            .ok_or_else(|| ApiError::Internal("route mounted without the auth layer".into()))
    }
}

async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<TenantContext, ApiError> {
    let token = bearer_token(headers)?;
    let profile = profile_key(headers)?;
    let caller = state
        .service
        .auth
        .authenticate(&token, profile.as_ref())
        .await?;
    Ok(TenantContext(caller))
}

fn bearer_token(headers: &HeaderMap) -> Result<Token, ApiError> {
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::Unauthenticated("send your API key as `Authorization: Bearer onair_sk_…`".into())
    })?;
    let value = value.to_str().map_err(|_| {
        ApiError::Unauthenticated("the Authorization header is not valid text".into())
    })?;
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::Unauthenticated(
            "use the Bearer scheme: `Authorization: Bearer onair_sk_…`".into(),
        ));
    }
    Token::parse(TokenKind::ApiKey, rest.trim())
        .map_err(|e| ApiError::Unauthenticated(format!("malformed API key: {e}")))
}

fn profile_key(headers: &HeaderMap) -> Result<Option<Token>, ApiError> {
    let Some(value) = headers.get("profile-key") else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| ApiError::InvalidProfileKey {
        detail: "the Profile-Key header is not valid text".into(),
    })?;
    Token::parse(TokenKind::ProfileKey, text.trim())
        .map(Some)
        .map_err(|e| ApiError::InvalidProfileKey {
            detail: format!("malformed Profile-Key: {e}"),
        })
}

/// The auth and rate-limit layer of the protected router.
pub async fn require_tenant(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let ctx = match authenticate(&state, req.headers()).await {
        Ok(ctx) => ctx,
        Err(e) => return e.into_response(),
    };
    tracing::Span::current().record("tenant_id", tracing::field::display(&ctx.tenant_id));
    let verdict = state.limiter.check(&ctx.tenant_id);
    if let Some(retry_after) = verdict.retry_after() {
        let mut response = ApiError::RateLimited { retry_after }.into_response();
        verdict.write_headers(response.headers_mut());
        return response;
    }
    req.extensions_mut().insert(ctx);
    let mut response = next.run(req).await;
    verdict.write_headers(response.headers_mut());
    response
}
