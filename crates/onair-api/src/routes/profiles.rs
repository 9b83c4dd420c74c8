//! `/v1/profiles`: the tenant's end-user profiles, their `Profile-Key`s and link tokens.

use axum::{extract::State, http::StatusCode};
use onair_service::OrNotFound;
use onair_store::ProfileId;
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

fn not_found(id: &ProfileId) -> String {
    format!("no profile `{id}`")
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
    let name = validate::profile_name("name", &body.name)?;
    let created = state
        .service
        .profiles
        .create(&tenant.tenant_id, &tenant.actor(), &name)
        .await?;
    let data = CreatedProfile {
        profile: created.profile.into(),
        profile_key: created.profile_key.expose().to_owned(),
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
    let profiles = state.service.profiles.list(&tenant.tenant_id).await?;
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
    let profile = state
        .service
        .profiles
        .get(&tenant.tenant_id, &id)
        .await
        .or_not_found(|| not_found(&id))?;
    Ok(Json(Data {
        data: profile.into(),
    }))
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
    state
        .service
        .profiles
        .delete(&tenant.tenant_id, &tenant.actor(), &id)
        .await
        .or_not_found(|| not_found(&id))?;
    Ok(StatusCode::NO_CONTENT)
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
    let link = state.service.links.issue(&tenant.tenant_id, &id).await?;
    let data = LinkTokenDto {
        token: link.token,
        url: link.url,
        expires_at: link.expires_at,
    };
    Ok((StatusCode::CREATED, Json(Data { data })))
}
