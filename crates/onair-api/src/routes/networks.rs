//! `/v1/networks`: what each network can do for this caller, and the caller's own
//! upstream credentials for it.

use std::sync::Arc;

use axum::{extract::State, http::StatusCode};
use onair_core::{CredentialSource, LiveAudioProvider, StatusKind};
use onair_store::{Invalidation, StoreError};
use secrecy::SecretString;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::TenantContext,
    dto::{CredentialBody, CredentialDto, CredentialScope, Data, NetworkDto, NetworkStatusDto},
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
    let mut data = Vec::with_capacity(state.registry.len());
    for provider in state.registry.iter() {
        let status = provider.status();
        let (kind, scope) = effective_status(&state, &tenant, provider).await?;
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

/// The network's status for this caller, and whose credentials its calls would use.
async fn effective_status(
    state: &AppState,
    tenant: &TenantContext,
    provider: &Arc<dyn LiveAudioProvider>,
) -> Result<(StatusKind, CredentialScope), ApiError> {
    let base = provider.status().kind;
    if !provider.capabilities().needs_credentials {
        return Ok((base, CredentialScope::NotNeeded));
    }
    if matches!(base, StatusKind::Unsupported | StatusKind::Discontinued) {
        return Ok((base, CredentialScope::None));
    }
    let rc = state.credentials.context_for(tenant, provider).await?;
    Ok(match rc.source {
        Some(CredentialSource::Profile) => (StatusKind::Available, CredentialScope::Profile),
        Some(CredentialSource::Tenant) => (StatusKind::Available, CredentialScope::Tenant),
        _ if base == StatusKind::Available => (base, CredentialScope::Operator),
        _ => (StatusKind::Unconfigured, CredentialScope::None),
    })
}

/// Whether this caller can use the network now (for default search targets).
pub async fn usable_by(
    state: &AppState,
    tenant: &TenantContext,
    provider: &Arc<dyn LiveAudioProvider>,
) -> Result<bool, ApiError> {
    Ok(effective_status(state, tenant, provider).await?.0 == StatusKind::Available)
}

fn credential_network(
    state: &AppState,
    network: &str,
) -> Result<Arc<dyn LiveAudioProvider>, ApiError> {
    let provider = state.registry.get(network).ok_or_else(|| {
        ApiError::NetworkNotFound(format!(
            "no network `{}`; GET /v1/networks lists them",
            network.escape_debug()
        ))
    })?;
    if !provider.capabilities().needs_credentials {
        let why = provider
            .status()
            .reason
            .unwrap_or_else(|| "it needs none".to_owned());
        return Err(ApiError::invalid(
            "credentials_not_accepted",
            format!("{} takes no credentials: {why}", provider.display_name()),
        ));
    }
    Ok(provider.clone())
}

fn scope_label(tenant: &TenantContext) -> &'static str {
    if tenant.profile.is_some() {
        "this profile"
    } else {
        "this tenant"
    }
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
    let provider = credential_network(&state, &network)?;
    let profile = tenant.profile.as_ref().map(|p| &p.id);
    match state
        .store
        .get_credential(&tenant.tenant_id, profile, provider.id().as_str())
        .await
    {
        Ok(stored) => Ok(Json(Data {
            data: stored.info.into(),
        })),
        Err(StoreError::NotFound) => Err(ApiError::NotFound(format!(
            "no credentials for {} are stored for {}",
            provider.id(),
            scope_label(&tenant)
        ))),
        Err(e) => Err(e.into()),
    }
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
    let provider = credential_network(&state, &network)?;
    let token = super::validate::token(&body.token)?;
    let profile = tenant.profile.as_ref().map(|p| &p.id);
    let info = state
        .store
        .put_credential(
            &tenant.tenant_id,
            &tenant.actor(),
            profile,
            provider.id().as_str(),
            &SecretString::from(token.to_owned()),
        )
        .await?;
    state
        .apply_invalidation(&Invalidation::CredentialsChanged {
            tenant_id: tenant.tenant_id.clone(),
        })
        .await;
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
    let provider = credential_network(&state, &network)?;
    let profile = tenant.profile.as_ref().map(|p| &p.id);
    match state
        .store
        .delete_credential(
            &tenant.tenant_id,
            &tenant.actor(),
            profile,
            provider.id().as_str(),
        )
        .await
    {
        Ok(()) => {
            state
                .apply_invalidation(&Invalidation::CredentialsChanged {
                    tenant_id: tenant.tenant_id.clone(),
                })
                .await;
            Ok(StatusCode::NO_CONTENT)
        }
        Err(StoreError::NotFound) => Err(ApiError::NotFound(format!(
            "no credentials for {} are stored for {}",
            provider.id(),
            scope_label(&tenant)
        ))),
        Err(e) => Err(e.into()),
    }
}
