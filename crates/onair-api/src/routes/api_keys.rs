//! `/v1/api-keys`: the tenant's API keys.

use axum::{extract::State, http::StatusCode};
use chrono::Utc;
use onair_core::ApiKeyName;
use onair_service::OrNotFound;
use onair_store::ApiKeyId;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::validate;
use crate::{
    auth::TenantContext,
    dto::{ApiKeyDto, CreatedApiKey, Data, NewApiKeyBody},
    error::{ApiError, Problem},
    extract::{Json, NoQuery, OptionalJson, Path},
    state::AppState,
};
use onair_core::ProblemCode;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_api_key, list_api_keys))
        .routes(routes!(get_api_key, revoke_api_key))
}

fn not_found(id: &ApiKeyId) -> String {
    format!("no API key `{id}`")
}

/// Creates an API key for your tenant. The key is in the answer this once; only a hash of
/// it is stored.
#[utoipa::path(post, path = "/v1/api-keys", tag = "api-keys",
    request_body(content = Option<NewApiKeyBody>, description = "Optional; an empty body creates an unnamed key"),
    responses(
        (status = 201, description = "Created", body = inline(Data<CreatedApiKey>)),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_api_key(
    State(state): State<AppState>,
    tenant: TenantContext,
    _: NoQuery,
    OptionalJson(body): OptionalJson<NewApiKeyBody>,
) -> Result<(StatusCode, Json<Data<CreatedApiKey>>), ApiError> {
    let name = match body.name.as_deref() {
        Some(name) => validate::api_key_name("name", name)?,
        None => ApiKeyName::parse("unnamed")
            .map_err(|_| ApiError::Internal("the default key name is refused".into()))?,
    };
    if body.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(ApiError::invalid_field(
            ProblemCode::InvalidBody,
            "expires_at",
            "`expires_at` must be in the future",
        ));
    }
    let issued = state
        .service
        .keys
        .issue(&tenant.tenant_id, &tenant.actor(), &name, body.expires_at)
        .await?;
    let data = CreatedApiKey {
        api_key: issued.key.into(),
        key: issued.token.expose().to_owned(),
    };
    Ok((StatusCode::CREATED, Json(Data { data })))
}

/// Your tenant's API keys, revoked ones included.
#[utoipa::path(get, path = "/v1/api-keys", tag = "api-keys",
    responses((status = 200, description = "All keys", body = inline(Data<Vec<ApiKeyDto>>))))]
pub async fn list_api_keys(
    State(state): State<AppState>,
    tenant: TenantContext,
    _: NoQuery,
) -> Result<Json<Data<Vec<ApiKeyDto>>>, ApiError> {
    let keys = state.service.keys.list(&tenant.tenant_id).await?;
    Ok(Json(Data {
        data: keys.into_iter().map(Into::into).collect(),
    }))
}

/// One API key.
#[utoipa::path(get, path = "/v1/api-keys/{id}", tag = "api-keys",
    params(("id" = String, Path, description = "API key id", pattern = "^key_[A-Za-z0-9]{12}$", example = "key_3kTMd9ZqLw0a")),
    responses(
        (status = 200, description = "The key", body = inline(Data<ApiKeyDto>)),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key for this tenant", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_api_key(
    State(state): State<AppState>,
    tenant: TenantContext,
    _: NoQuery,
    Path(id): Path<String>,
) -> Result<Json<Data<ApiKeyDto>>, ApiError> {
    let id: ApiKeyId = validate::path_id(&id)?;
    let key = state
        .service
        .keys
        .get(&tenant.tenant_id, &id)
        .await
        .or_not_found(|| not_found(&id))?;
    Ok(Json(Data { data: key.into() }))
}

/// Revokes an API key. It stops working at once, on every instance.
#[utoipa::path(delete, path = "/v1/api-keys/{id}", tag = "api-keys",
    params(("id" = String, Path, description = "API key id", pattern = "^key_[A-Za-z0-9]{12}$", example = "key_3kTMd9ZqLw0a")),
    responses(
        (status = 200, description = "Revoked (revoking again changes nothing)", body = inline(Data<ApiKeyDto>)),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key for this tenant", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_api_key(
    State(state): State<AppState>,
    tenant: TenantContext,
    _: NoQuery,
    Path(id): Path<String>,
) -> Result<Json<Data<ApiKeyDto>>, ApiError> {
    let id: ApiKeyId = validate::path_id(&id)?;
    let key = state
        .service
        .keys
        .revoke(&tenant.tenant_id, &tenant.actor(), &id)
        .await
        .or_not_found(|| not_found(&id))?;
    Ok(Json(Data { data: key.into() }))
}
