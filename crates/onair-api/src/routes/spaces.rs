//! `/v1/spaces`: one Space, many by id, by creators, and search across networks.

use std::{collections::HashSet, sync::Arc};

use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use futures::future::join_all;
use onair_core::{
    LiveAudioProvider, ProviderError, ResolvedId, SearchQuery, SearchState, SpaceState,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json, value::RawValue};
use utoipa::{
    IntoParams, ToSchema,
    openapi::{
        ObjectBuilder, Required, Type,
        path::{Parameter, ParameterBuilder, ParameterIn},
    },
};
use utoipa_axum::{router::OpenApiRouter, routes};

use onair_service::ResolvedContext;

use super::validate::{LabelError, check_label, label_pattern};
use crate::{
    auth::TenantContext,
    dto::{Data, ItemError, RenderedSpace, RenderedSpaceList, SpaceDto, SpaceList},
    error::{ApiError, FieldError, Problem, upstream_problem},
    extract::{Json, NoQuery, Path, Query},
    state::AppState,
};
use onair_core::ProblemCode;

/// Most ids or creators one request may name.
pub const MAX_IDS: usize = 100;
/// Longest accepted search query, in characters (X's own limit).
pub const MAX_QUERY_CHARS: usize = 2048;
pub const DEFAULT_SEARCH_LIMIT: u32 = 20;
pub const MAX_SEARCH_LIMIT: u32 = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_spaces))
        .routes(routes!(spaces_by_creator))
        .routes(routes!(search_spaces))
        .routes(routes!(get_space))
}

/// One Space.
#[utoipa::path(get, path = "/v1/spaces/{network}/{id}", tag = "spaces",
    params(
        ("network" = String, Path, description = "Network id or alias (`x`, `twitter`, `sandbox`)", example = "x"),
        ("id" = String, Path, description = "The network's own Space id", example = "1DXxyRYNejbKM"),
    ),
    responses(
        (status = 200, description = "The Space", body = inline(Data<SpaceDto>)),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 402, description = "The network account behind your stored credentials has no credits left", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The network withholds this Space from the credentials used", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown network, or no such Space on it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The network cannot look Spaces up: it is unsupported or not configured, or it refused your stored credentials", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The network failed, refused onair's request, or refused the deployment's credentials", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The network's rate limit is spent (see `Retry-After`), or onair cannot reach its database", body = Problem, content_type = "application/problem+json"),
        (status = 504, description = "The network did not answer in time", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_space(
    State(state): State<AppState>,
    tenant: TenantContext,
    _: NoQuery,
    Path((network, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let resolved = state.service.registry.resolve_space_parts(&network, &id)?;
    let rc = state
        .service
        .credentials
        .context_for(&tenant, &resolved.provider)
        .await?;
    match state.service.spaces.lookup(&rc.ctx, &resolved).await {
        Ok(space) => Ok(Json(Data { data: space.json() }).into_response()),
        Err(ProviderError::NotFound { .. }) => Err(ApiError::SpaceNotFound(format!(
            "{} has no Space `{}`",
            resolved.provider.display_name(),
            resolved.id
        ))),
        Err(e) => Err(ApiError::upstream(e, rc.source)),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct IdsParams {
    /// Up to 100 qualified Space ids, comma-separated; networks may be mixed.
    #[param(
        pattern = "^ *[A-Za-z][A-Za-z0-9_-]*:[^,]+(?:, *[A-Za-z][A-Za-z0-9_-]*:[^,]+){0,99}$",
        example = "x:1DXxyRYNejbKM,sandbox:live-jazz"
    )]
    pub ids: String,
}

/// Several Spaces by id, in the order asked.
///
/// Ids that cannot be answered (not found, network failure) are reported in `errors`;
/// the others are still returned. Malformed ids fail the whole request with 400.
#[utoipa::path(get, path = "/v1/spaces", tag = "spaces", params(IdsParams),
    responses(
        (status = 200, description = "The Spaces found, in request order, and per-id errors", body = SpaceList),
        (status = 400, description = "Malformed or too many ids", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_spaces(
    State(state): State<AppState>,
    tenant: TenantContext,
    Query(params): Query<IdsParams>,
) -> Result<Response, ApiError> {
    let resolved = resolve_list(&params.ids, "ids", |raw| {
        state.service.registry.resolve_space_id(raw)
    })?;
    // One context per id, in order (resolution is cached, so a network costs one lookup).
    let contexts = contexts_for(&state, &tenant, resolved.iter().map(|r| &r.provider)).await?;
    let items: Vec<_> = resolved
        .iter()
        .zip(&contexts)
        .map(|(r, rc)| (r.clone(), rc.ctx.clone()))
        .collect();
    let outcomes = state.service.spaces.lookup_many(&items).await;
    let mut list = RenderedSpaceList {
        data: Vec::new(),
        errors: Vec::new(),
    };
    for ((r, outcome), rc) in resolved.iter().zip(&outcomes).zip(&contexts) {
        match outcome {
            Ok(space) => list.data.push(space.json()),
            Err(e) => {
                let source = rc.source;
                list.errors
                    .push(item_error(Some(r.id.to_string()), None, e, source));
            }
        }
    }
    Ok(Json(list).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CreatorParams {
    /// Up to 100 qualified user ids, comma-separated; networks may be mixed.
    #[param(
        pattern = "^ *[A-Za-z][A-Za-z0-9_-]*:[^,]+(?:, *[A-Za-z][A-Za-z0-9_-]*:[^,]+){0,99}$",
        example = "x:2244994945,sandbox:alice"
    )]
    pub creator_ids: String,
}

/// Live and scheduled Spaces created by these users.
///
/// A network that fails is reported in `errors`; the other networks' Spaces are returned.
#[utoipa::path(get, path = "/v1/spaces/by-creator", tag = "spaces", params(CreatorParams),
    responses(
        (status = 200, description = "Spaces of these creators, and per-network errors", body = SpaceList),
        (status = 400, description = "Malformed or too many ids", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn spaces_by_creator(
    State(state): State<AppState>,
    tenant: TenantContext,
    Query(params): Query<CreatorParams>,
) -> Result<Response, ApiError> {
    let resolved = resolve_list(&params.creator_ids, "creator_ids", |raw| {
        state.service.registry.resolve_user_id(raw)
    })?;
    // One call per network, with that network's creators in request order, without repeats.
    let mut networks: Vec<(Arc<dyn LiveAudioProvider>, Vec<String>)> = Vec::new();
    for r in &resolved {
        let native = r.id.native().to_owned();
        match networks.iter_mut().find(|(p, _)| p.id() == r.provider.id()) {
            Some((_, ids)) if ids.contains(&native) => {}
            Some((_, ids)) => ids.push(native),
            None => networks.push((r.provider.clone(), vec![native])),
        }
    }
    let contexts = contexts_for(&state, &tenant, networks.iter().map(|(p, _)| p)).await?;
    let calls = networks.iter().zip(&contexts).map(|((provider, ids), rc)| {
        let state = &state;
        async move {
            if !provider.capabilities().by_creator {
                return Err((
                    unsupported(provider.as_ref(), "list Spaces by creator"),
                    None,
                ));
            }
            state
                .service
                .spaces
                .by_creators(provider, &rc.ctx, ids.clone())
                .await
                .map_err(|e| (e, rc.source))
        }
    });
    let results = join_all(calls).await;
    let mut list = RenderedSpaceList {
        data: Vec::new(),
        errors: Vec::new(),
    };
    let mut seen = HashSet::new();
    for ((provider, _), result) in networks.iter().zip(&results) {
        match result {
            Ok(spaces) => {
                for s in spaces.iter() {
                    if seen.insert(s.id()) {
                        list.data.push(s.json());
                    }
                }
            }
            Err((e, source)) => list.errors.push(item_error(
                None,
                Some(provider.id().to_string()),
                e,
                *source,
            )),
        }
    }
    Ok(Json(list).into_response())
}

/// The search parameters, kept as raw strings so that every bad value is reported in one
/// problem; [`IntoParams`] is written out so the spec states what the validation accepts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    pub query: Option<String>,
    pub state: Option<String>,
    pub networks: Option<String>,
    pub limit: Option<String>,
}

impl IntoParams for SearchParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            query_parameter(
                "query",
                true,
                format!(
                    "Keywords matched against Space titles (case-insensitive): 1 to \
                     {MAX_QUERY_CHARS} characters, without control characters; surrounding \
                     whitespace is removed."
                ),
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(label_pattern(MAX_QUERY_CHARS))),
                json!("jazz"),
            ),
            query_parameter(
                "state",
                false,
                "Which Spaces to find (default `all`).".to_owned(),
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["live", "scheduled", "all"])),
                json!("live"),
            ),
            query_parameter(
                "networks",
                false,
                "Networks to search, comma-separated (default: every network you can search)."
                    .to_owned(),
                ObjectBuilder::new().schema_type(Type::String).pattern(Some(
                    "^ *[A-Za-z][A-Za-z0-9_-]* *(?:, *[A-Za-z][A-Za-z0-9_-]* *)*$",
                )),
                json!("x,sandbox"),
            ),
            query_parameter(
                "limit",
                false,
                format!("Most results (default {DEFAULT_SEARCH_LIMIT})."),
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(MAX_SEARCH_LIMIT)),
                json!(DEFAULT_SEARCH_LIMIT),
            ),
        ]
    }
}

fn query_parameter(
    name: &str,
    required: bool,
    description: String,
    schema: ObjectBuilder,
    example: Value,
) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(if required {
            Required::True
        } else {
            Required::False
        })
        .description(Some(description))
        .schema(Some(schema))
        .example(Some(example))
        .build()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchMeta {
    /// The networks searched, in order.
    pub networks: Vec<String>,
    pub result_count: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    /// Live Spaces first, then scheduled ones; within each, the networks take turns
    /// (each in its own order), so `limit` never crowds a network out.
    pub data: Vec<SpaceDto>,
    /// Networks that could not be searched, and why.
    pub errors: Vec<ItemError>,
    pub meta: SearchMeta,
}

/// At most `limit` of the networks' results: live first, then the rest, as X orders them;
/// within each, the networks take turns, each keeping its own order, so one network's
/// many matches never crowd another's out of the limit.
fn merge_fairly(per_network: &[Arc<Vec<Arc<RenderedSpace>>>], limit: usize) -> Vec<&RenderedSpace> {
    let mut merged = Vec::with_capacity(limit);
    for live in [true, false] {
        let mut turns: Vec<_> = per_network
            .iter()
            .map(|spaces| {
                spaces
                    .iter()
                    .filter(move |s| (s.state == SpaceState::Live) == live)
            })
            .collect();
        while merged.len() < limit {
            let before = merged.len();
            for turn in &mut turns {
                if merged.len() < limit
                    && let Some(space) = turn.next()
                {
                    merged.push(&**space);
                }
            }
            if merged.len() == before {
                break;
            }
        }
    }
    merged
}

/// Keyword search across networks.
///
/// Each network is searched at the same time, with its own timeout; a network that fails
/// is reported in `errors` and never fails the whole request.
#[utoipa::path(get, path = "/v1/spaces/search", tag = "spaces", params(SearchParams),
    responses(
        (status = 200, description = "Matching Spaces and per-network errors", body = SearchResult),
        (status = 400, description = "Missing or malformed parameters", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn search_spaces(
    State(state): State<AppState>,
    tenant: TenantContext,
    Query(params): Query<SearchParams>,
) -> Result<Response, ApiError> {
    let (query, search_state, limit) = validate_search(&params)?;
    let providers = match params.networks.as_deref() {
        Some(list) => explicit_networks(&state, list)?,
        None => default_search_networks(&state, &tenant).await?,
    };
    let timeout = state.config.search_timeout;
    let contexts = contexts_for(&state, &tenant, providers.iter()).await?;
    let calls = providers.iter().zip(&contexts).map(|(provider, rc)| {
        let (state, query) = (&state, query.clone());
        async move {
            let caps = provider.capabilities();
            if !caps.search {
                return Err((unsupported(provider.as_ref(), "search"), None));
            }
            let q = SearchQuery {
                query,
                state: search_state,
                limit: limit.min(caps.max_search_results.max(1)),
            };
            match tokio::time::timeout(timeout, state.service.spaces.search(provider, &rc.ctx, q))
                .await
            {
                Ok(result) => result.map_err(|e| (e, rc.source)),
                Err(_) => Err((ProviderError::Timeout, rc.source)),
            }
        }
    });
    let results = join_all(calls).await;
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for (provider, result) in providers.iter().zip(results) {
        match result {
            Ok(spaces) => found.push(spaces),
            Err((e, source)) => errors.push(item_error(
                None,
                Some(provider.id().to_string()),
                &e,
                source,
            )),
        }
    }
    let data = merge_fairly(&found, limit as usize);
    let data: Vec<&RawValue> = data.iter().map(|s| s.json()).collect();
    let result = RenderedSearchResult {
        meta: SearchMeta {
            networks: providers.iter().map(|p| p.id().to_string()).collect(),
            result_count: data.len(),
        },
        data,
        errors,
    };
    Ok(Json(result).into_response())
}

/// The wire form of [`SearchResult`], from pre-rendered Spaces.
#[derive(Serialize)]
struct RenderedSearchResult<'a> {
    data: Vec<&'a RawValue>,
    errors: Vec<ItemError>,
    meta: SearchMeta,
}

fn validate_search(params: &SearchParams) -> Result<(String, SearchState, u32), ApiError> {
    let mut errors = Vec::new();
    let query = check_label(params.query.as_deref().unwrap_or_default(), MAX_QUERY_CHARS)
        .unwrap_or_else(|e| {
            let detail = match e {
                LabelError::Empty => "give the keywords to search for, e.g. `query=jazz`".into(),
                LabelError::TooLong { .. } => {
                    format!("the query is longer than {MAX_QUERY_CHARS} characters")
                }
                LabelError::ControlCharacter => "the query contains control characters".into(),
            };
            errors.push(field("query", None, &detail));
            ""
        });
    let search_state = match params.state.as_deref() {
        None | Some("all") => SearchState::All,
        Some("live") => SearchState::Live,
        Some("scheduled") => SearchState::Scheduled,
        Some(other) => {
            errors.push(field(
                "state",
                Some(other),
                "`state` is one of `live`, `scheduled`, `all`",
            ));
            SearchState::All
        }
    };
    let limit = match params.limit.as_deref() {
        None => DEFAULT_SEARCH_LIMIT,
        Some(raw) => match raw.parse::<u32>() {
            Ok(n) if (1..=MAX_SEARCH_LIMIT).contains(&n) => n,
            _ => {
                errors.push(field(
                    "limit",
                    Some(raw),
                    &format!("`limit` is a whole number from 1 to {MAX_SEARCH_LIMIT}"),
                ));
                DEFAULT_SEARCH_LIMIT
            }
        },
    };
    if errors.is_empty() {
        Ok((query.to_owned(), search_state, limit))
    } else {
        Err(invalid_fields(ProblemCode::InvalidQuery, errors))
    }
}

fn explicit_networks(
    state: &AppState,
    list: &str,
) -> Result<Vec<Arc<dyn LiveAudioProvider>>, ApiError> {
    let mut out: Vec<Arc<dyn LiveAudioProvider>> = Vec::new();
    let mut errors = Vec::new();
    for name in list.split(',').map(|n| n.trim_matches(' ')) {
        if name.is_empty() {
            errors.push(field("networks", None, "empty network name in the list"));
            continue;
        }
        match state.service.registry.get(name) {
            Some(p) if out.iter().any(|o| o.id() == p.id()) => {}
            Some(p) => out.push(p.clone()),
            None => errors.push(field(
                "networks",
                Some(name),
                "not a known network; GET /v1/networks lists them",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(invalid_fields(ProblemCode::InvalidQuery, errors));
    }
    Ok(out)
}

/// Every network that can search and that this tenant can use now.
async fn default_search_networks(
    state: &AppState,
    tenant: &TenantContext,
) -> Result<Vec<Arc<dyn LiveAudioProvider>>, ApiError> {
    let mut out = Vec::new();
    for provider in state
        .service
        .registry
        .iter()
        .filter(|p| p.capabilities().search)
    {
        if state
            .service
            .credentials
            .usable_by(tenant, provider)
            .await?
        {
            out.push(provider.clone());
        }
    }
    Ok(out)
}

/// Splits a comma-separated id list and resolves every entry, reporting all bad ones at once.
fn resolve_list(
    raw: &str,
    param: &str,
    resolve: impl Fn(&str) -> Result<ResolvedId, onair_core::IdError>,
) -> Result<Vec<ResolvedId>, ApiError> {
    // Only spaces are forgiven around items: other whitespace (a stray newline) is an error,
    // as it would be in a path.
    let parts: Vec<&str> = raw.split(',').map(|p| p.trim_matches(' ')).collect();
    if raw.trim().is_empty() {
        return Err(ApiError::invalid_field(
            ProblemCode::InvalidQuery,
            param,
            format!("`{param}` is empty; give 1 to {MAX_IDS} qualified ids"),
        ));
    }
    if parts.len() > MAX_IDS {
        return Err(ApiError::invalid_field(
            ProblemCode::TooManyIds,
            param,
            format!(
                "`{param}` has {} ids; at most {MAX_IDS} are allowed per request",
                parts.len()
            ),
        ));
    }
    let mut resolved = Vec::with_capacity(parts.len());
    let mut errors = Vec::new();
    for part in parts {
        match resolve(part) {
            Ok(r) => resolved.push(r),
            Err(e) => errors.push(field(param, Some(part), &e.to_string())),
        }
    }
    if errors.is_empty() {
        Ok(resolved)
    } else {
        Err(invalid_fields(ProblemCode::InvalidId, errors))
    }
}

fn field(name: &str, value: Option<&str>, detail: &str) -> FieldError {
    FieldError {
        field: name.to_owned(),
        value: value.map(shorten),
        detail: detail.to_owned(),
    }
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(100).flat_map(char::escape_debug).collect();
    if s.chars().count() > 100 {
        out.push('…');
    }
    out
}

fn invalid_fields(code: ProblemCode, errors: Vec<FieldError>) -> ApiError {
    let detail = if errors.len() == 1 {
        errors[0].detail.clone()
    } else {
        format!(
            "{} parameters or ids are invalid; see `errors`",
            errors.len()
        )
    };
    ApiError::Invalid {
        code,
        detail,
        errors,
    }
}

/// The call context of each provider, in the order given.
async fn contexts_for<'a>(
    state: &AppState,
    tenant: &TenantContext,
    providers: impl Iterator<Item = &'a Arc<dyn LiveAudioProvider>>,
) -> Result<Vec<ResolvedContext>, ApiError> {
    let mut out = Vec::new();
    for p in providers {
        out.push(state.service.credentials.context_for(tenant, p).await?);
    }
    Ok(out)
}

fn item_error(
    id: Option<String>,
    network: Option<String>,
    e: &ProviderError,
    source: Option<onair_core::CredentialSource>,
) -> ItemError {
    let (p, _) = upstream_problem(e, source);
    ItemError {
        id,
        network,
        status: p.status.as_u16(),
        code: p.code.as_str().to_owned(),
        title: p.title.to_owned(),
        detail: p.detail,
    }
}

/// Why a network cannot do something: its own status reason when it has one (stubs say
/// why they cannot serve anything), else a plain statement.
fn unsupported(provider: &dyn LiveAudioProvider, what: &str) -> ProviderError {
    let detail = match provider.status().reason {
        Some(reason) if !provider.capabilities().lookup => reason,
        _ => format!("{} cannot {what}", provider.display_name()),
    };
    ProviderError::Unsupported { detail }
}
