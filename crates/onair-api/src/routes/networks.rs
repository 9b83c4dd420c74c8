//! `/v1/networks`: what each network can do for this caller, and the caller's own
//! upstream credentials for it.

use axum::{extract::State, http::StatusCode};
use onair_core::StatusKind;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::TenantContext,
    dto::{CredentialBody, CredentialDto, Data, NetworkDto, NetworkStatusDto},
    error::{ApiError, Problem},
    extract::{Json, NoQuery, Path},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_networks))
        .routes(routes!(
            get_credentials,
            put_credentials,
            delete_credentials
        ))
}

/// Every network onair knows, with its status for this caller.
///
/// `status` is `available` when calls can be made now: with the deployment's credentials,
/// or with your own (`credentials` says whose). Networks without a usable public API are
/// listed as `unsupported` or `discontinued`, with the reason.
#[utoipa::path(get, path = "/v1/networks", tag = "networks",
    responses((status = 200, description = "All networks", body = inline(Data<Vec<NetworkDto>>))))]
pub async fn list_networks(
    State(state): State<AppState>,
    tenant: TenantContext,
    _: NoQuery,
) -> Result<Json<Data<Vec<NetworkDto>>>, ApiError> {
    let mut data = Vec::with_capacity(state.service.registry.len());
    for provider in state.service.registry.iter() {
        let status = provider.status();
        let (kind, scope) = state
            .service
            .credentials
            .status_for(&tenant, provider)
            .await?;
        let reason = if kind == StatusKind::Available {
            None
        } else {
            status.reason
        };
        data.push(NetworkDto {
            id: provider.id().to_string(),
            name: provider.display_name().to_owned(),
            aliases: provider.aliases().iter().map(|a| a.to_string()).collect(),
            status: NetworkStatusDto::from(kind),
            reason,
            since: status.since,
            capabilities: provider.capabilities().into(),
            credentials: scope,
        });
    }
    Ok(Json(Data { data }))
}

/// Your stored credentials for a network (never the secret itself).
///
/// With a `Profile-Key`, the profile's own credentials; without, the tenant's.
#[utoipa::path(get, path = "/v1/networks/{network}/credentials", tag = "networks",
    params(("network" = String, Path, description = "Network id or alias", example = "x")),
    responses(
        (status = 200, description = "Credentials are stored", body = inline(Data<CredentialDto>)),
        (status = 400, description = "The network takes no credentials", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "None stored, or no such network", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_credentials(
    State(state): State<AppState>,
    tenant: TenantContext,
    _: NoQuery,
    Path(network): Path<String>,
) -> Result<Json<Data<CredentialDto>>, ApiError> {
    let credentials = &state.service.credentials;
    let provider = credentials.network(&network)?;
    let info = credentials.get(&tenant, &provider).await?;
    Ok(Json(Data { data: info.into() }))
}

/// Stores (or replaces) your own credentials for a network, encrypted at rest.
///
/// Calls to the network then use them instead of the deployment's. With a `Profile-Key`,
/// they are the profile's own and take precedence over the tenant's.
#[utoipa::path(put, path = "/v1/networks/{network}/credentials", tag = "networks",
    params(("network" = String, Path, description = "Network id or alias", example = "x")),
    request_body = CredentialBody,
    responses(
        (status = 200, description = "Stored", body = inline(Data<CredentialDto>)),
        (status = 400, description = "Malformed body, or the network takes no credentials", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such network", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_credentials(
    State(state): State<AppState>,
    tenant: TenantContext,
    _: NoQuery,
    Path(network): Path<String>,
    Json(body): Json<CredentialBody>,
) -> Result<Json<Data<CredentialDto>>, ApiError> {
    let credentials = &state.service.credentials;
    let provider = credentials.network(&network)?;
    let token = super::validate::token(&body.token)?;
    let info = credentials.put(&tenant, &provider, &token).await?;
    Ok(Json(Data { data: info.into() }))
}

/// Deletes your stored credentials for a network; calls fall back to the tenant's (for a
/// profile) or the deployment's.
#[utoipa::path(delete, path = "/v1/networks/{network}/credentials", tag = "networks",
    params(("network" = String, Path, description = "Network id or alias", example = "x")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The network takes no credentials", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "None stored, or no such network", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_credentials(
    State(state): State<AppState>,
    tenant: TenantContext,
    _: NoQuery,
    Path(network): Path<String>,
) -> Result<StatusCode, ApiError> {
    let credentials = &state.service.credentials;
    let provider = credentials.network(&network)?;
    credentials.delete(&tenant, &provider).await?;
    Ok(StatusCode::NO_CONTENT)
}
