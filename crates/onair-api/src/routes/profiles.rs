//! `/v1/profiles`: the tenant's end-user profiles, their `Profile-Key`s and link tokens.

use axum::{extract::State, http::StatusCode};
use onair_store::{
    Invalidation, ProfileId, StoreError,
    secrets::{Token, TokenKind},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::validate;
use crate::{
    auth::TenantContext,
    dto::{CreatedProfile, Data, LinkTokenDto, NewProfileBody, ProfileDto},
    error::{ApiError, Problem},
    extract::{Json, NoQuery, Path},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_profile, list_profiles))
        .routes(routes!(get_profile, delete_profile))
        .routes(routes!(create_link_token))
}

fn not_found(id: &ProfileId) -> ApiError {
    ApiError::NotFound(format!("no profile `{id}`"))
}

/// Creates a profile for one of your end users. Its `profile_key` is in the answer this
/// once; send it as the `Profile-Key` header to act for the profile.
#[utoipa::path(post, path = "/v1/profiles", tag = "profiles",
    request_body = NewProfileBody,
    responses(
        (status = 201, description = "Created", body = inline(Data<CreatedProfile>)),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_profile(
    State(state): State<AppState>,
    tenant: TenantContext,
    _: NoQuery,
    Json(body): Json<NewProfileBody>,
) -> Result<(StatusCode, Json<Data<CreatedProfile>>), ApiError> {
    let name = validate::label("name", &body.name, validate::MAX_PROFILE_NAME_CHARS)?;
    let token = Token::generate(TokenKind::ProfileKey);
    let profile = state
        .store
        .create_profile(
            &tenant.tenant_id,
            &tenant.actor(),
            &name,
            &state.keyring.hash_token(&token),
        )
        .await?;
    let data = CreatedProfile {
        profile: profile.into(),
        profile_key: token.expose().to_owned(),
    };
    Ok((StatusCode::CREATED, Json(Data { data })))
}

/// Your tenant's profiles.
#[utoipa::path(get, path = "/v1/profiles", tag = "profiles",
    responses((status = 200, description = "All profiles", body = inline(Data<Vec<ProfileDto>>))))]
pub async fn list_profiles(
    State(state): State<AppState>,
    tenant: TenantContext,
    _: NoQuery,
) -> Result<Json<Data<Vec<ProfileDto>>>, ApiError> {
    let profiles = state.store.list_profiles(&tenant.tenant_id).await?;
    Ok(Json(Data {
        data: profiles.into_iter().map(Into::into).collect(),
    }))
}

/// One profile.
#[utoipa::path(get, path = "/v1/profiles/{id}", tag = "profiles",
    params(("id" = String, Path, description = "Profile id", pattern = "^prof_[0-9a-f]{32}$", example = "prof_0193c5e0a1b27c3d8e9f001122334455")),
    responses(
        (status = 200, description = "The profile", body = inline(Data<ProfileDto>)),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile for this tenant", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_profile(
    State(state): State<AppState>,
    tenant: TenantContext,
    _: NoQuery,
    Path(id): Path<String>,
) -> Result<Json<Data<ProfileDto>>, ApiError> {
    let id: ProfileId = validate::path_id(&id)?;
    match state.store.get_profile(&tenant.tenant_id, &id).await {
        Ok(p) => Ok(Json(Data { data: p.into() })),
        Err(StoreError::NotFound) => Err(not_found(&id)),
        Err(e) => Err(e.into()),
    }
}

/// Deletes a profile, its `Profile-Key` and its stored credentials.
#[utoipa::path(delete, path = "/v1/profiles/{id}", tag = "profiles",
    params(("id" = String, Path, description = "Profile id", pattern = "^prof_[0-9a-f]{32}$", example = "prof_0193c5e0a1b27c3d8e9f001122334455")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile for this tenant", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_profile(
    State(state): State<AppState>,
    tenant: TenantContext,
    _: NoQuery,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id: ProfileId = validate::path_id(&id)?;
    match state
        .store
        .delete_profile(&tenant.tenant_id, &tenant.actor(), &id)
        .await
    {
        Ok(()) => {
            state
                .apply_invalidation(&Invalidation::ProfileDeleted {
                    tenant_id: tenant.tenant_id.clone(),
                    profile_id: id,
                })
                .await;
            Ok(StatusCode::NO_CONTENT)
        }
        Err(StoreError::NotFound) => Err(not_found(&id)),
        Err(e) => Err(e.into()),
    }
}

/// A short-lived signed link (JWT, at most 15 minutes) to the profile's account-linking
/// page, to hand to your end user. Each link stores one credential: once used, ask for
/// another.
#[utoipa::path(post, path = "/v1/profiles/{id}/link-token", tag = "profiles",
    params(("id" = String, Path, description = "Profile id", pattern = "^prof_[0-9a-f]{32}$", example = "prof_0193c5e0a1b27c3d8e9f001122334455")),
    responses(
        (status = 201, description = "Issued", body = inline(Data<LinkTokenDto>)),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile for this tenant", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_link_token(
    State(state): State<AppState>,
    tenant: TenantContext,
    _: NoQuery,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Data<LinkTokenDto>>), ApiError> {
    let id: ProfileId = validate::path_id(&id)?;
    let profile = match state.store.get_profile(&tenant.tenant_id, &id).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => return Err(not_found(&id)),
        Err(e) => return Err(e.into()),
    };
    let link = state
        .links
        .issue(&tenant.tenant_id, &profile.id)
        .map_err(ApiError::Internal)?;
    let data = LinkTokenDto {
        token: link.token,
        url: link.url,
        expires_at: link.expires_at,
    };
    Ok((StatusCode::CREATED, Json(Data { data })))
}
