//! `XProvider`: the four X Spaces endpoints behind onair's `LiveAudioProvider`.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use async_trait::async_trait;
use chrono::Utc;
use futures::future::join_all;
use onair_core::{
    CallContext, Credential, CredentialSource, LiveAudioProvider, LookupOutcome, NetworkId,
    NetworkStatus, ProviderError, RateLimitSnapshot, SearchQuery, Space, SpaceListing, SpaceLookup,
    SpaceSearch,
};
use reqwest::header::{ACCEPT, HeaderMap};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::budget::Budgets;
use crate::classify::{Failure, classify};
use crate::config::{XConfig, XConfigError, check_token};
use crate::endpoint::{
    Endpoint, MAX_IDS_PER_CALL, MAX_QUERY_CHARS, MAX_SEARCH_RESULTS, SPACE_QUERY,
};
use crate::ids::{validate_space_id, validate_user_id};
use crate::mapping::{self, Users};
use crate::pacing::Pacer;
use crate::wire::{self, Envelope, Problem, WireSpace};

static NETWORK: NetworkId = NetworkId::from_static("x");
const ALIASES: &[&str] = &["twitter"];
const DISPLAY_NAME: &str = "X Spaces";

/// How a caller gives onair X credentials; said whenever there are none.
const HOW_TO_CONFIGURE: &str = "no X bearer token is configured: the operator sets \
ONAIR_PROVIDERS__X__BEARER_TOKEN, or a tenant stores its own with PUT /v1/networks/x/credentials";

/// The largest response body read; 100 Spaces with every expansion are far smaller.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// X's app-only bearer tokens begin with a run of 21 `A`s (every token X has published,
/// e.g. `AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2Bu…`); OAuth 2.0 user access tokens do not.
/// X documents no token format, so this is a heuristic, and anything that does not match
/// is treated as a user token.
const APP_ONLY_PREFIX: &str = "AAAAAAAAAAAAAAAAAAAAA";

/// The X Spaces adapter. One instance serves every tenant: credentials come with each call.
pub struct XProvider {
    http: reqwest::Client,
    base_url: Url,
    operator: Option<Credential>,
    budgets: Budgets,
    creator_pacer: Pacer,
}

impl std::fmt::Debug for XProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XProvider")
            .field("base_url", &self.base_url.as_str())
            .field("operator", &self.operator)
            .finish_non_exhaustive()
    }
}

impl XProvider {
    pub fn new(config: XConfig) -> Result<Self, XConfigError> {
        config.check()?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            // X does not redirect API calls; following one could send the token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("onair/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(XConfigError::HttpClient)?;
        Ok(Self {
            http,
            base_url: config.base_url,
            operator: config
                .bearer_token
                .map(|t| Credential::new(t.expose_secret(), CredentialSource::Operator)),
            budgets: Budgets::default(),
            creator_pacer: Pacer::new(config.creator_ids_min_interval),
        })
    }

    /// The call's own credential, else the operator's.
    fn credential<'a>(&'a self, ctx: &'a CallContext) -> Result<&'a Credential, ProviderError> {
        let credential = ctx
            .credential
            .as_ref()
            .or(self.operator.as_ref())
            .ok_or_else(|| ProviderError::NotConfigured {
                detail: HOW_TO_CONFIGURE.to_owned(),
            })?;
        check_token(credential.expose()).map_err(|e| ProviderError::Unauthorized {
            detail: e.to_string(),
        })?;
        Ok(credential)
    }

    fn url(&self, path: &[&str], params: &[(&str, &str)]) -> Url {
        let mut url = self.base_url.clone();
        // XConfig::check refuses base URLs that cannot have a path, so this always applies.
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(path);
        }
        url.query_pairs_mut()
            .extend_pairs(params)
            .extend_pairs(SPACE_QUERY);
        url
    }

    /// One upstream call: budget, pacing, the request, rate-limit bookkeeping, and the
    /// classification of any failure. Returns the body of a 2xx answer.
    async fn call(
        &self,
        credential: &Credential,
        endpoint: Endpoint,
        url: Url,
        lookup_id: Option<&str>,
    ) -> Result<Vec<u8>, ProviderError> {
        let fingerprint = credential.fingerprint();
        let permit = self
            .budgets
            .acquire(fingerprint, endpoint)
            .await
            .inspect_err(|e| {
                metrics::counter!(
                    "onair_upstream_calls_held_total",
                    "network" => NETWORK.as_str(),
                    "endpoint" => endpoint.as_str(),
                    "code" => e.code(),
                )
                .increment(1);
                // Debug, not info: a spent budget refuses every call of a burst.
                tracing::debug!(
                    endpoint = endpoint.as_str(),
                    credential = fingerprint,
                    code = e.code(),
                    "X call held back: the known budget is spent"
                );
            })?;
        // Held until X has answered; see `pacing` for why the spacing counts from there.
        let _turn = match endpoint {
            Endpoint::SpacesByCreatorIds => self.creator_pacer.turn(fingerprint).await,
            _ => None,
        };
        let span = tracing::info_span!(
            "x_call",
            endpoint = endpoint.as_str(),
            credential = fingerprint
        );
        let started = Instant::now();
        let exchange = self
            .exchange(credential.expose(), url, lookup_id)
            .instrument(span.clone())
            .await;
        permit.finish(
            exchange.headers.as_ref(),
            exchange.result.as_ref().err(),
            Utc::now(),
        );
        metrics::counter!(
            "onair_upstream_calls_total",
            "network" => NETWORK.as_str(),
            "endpoint" => endpoint.as_str(),
            // No status: the request failed before X answered (connection, timeout).
            "status" => exchange.status.map_or_else(|| "none".to_owned(), |s| s.to_string()),
        )
        .increment(1);
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        span.in_scope(|| match (&exchange.result, exchange.status) {
            (Ok(_), status) => tracing::debug!(status, duration_ms, "X answered"),
            (Err(e), status) => tracing::info!(
                status,
                duration_ms,
                code = e.code(),
                error = %e,
                "X call failed"
            ),
        });
        exchange.result
    }

    async fn exchange(&self, token: &str, url: Url, lookup_id: Option<&str>) -> Exchange {
        let sent = self
            .http
            .get(url)
            .bearer_auth(token)
            .header(ACCEPT, "application/json")
            .send()
            .await;
        let mut response = match sent {
            Ok(r) => r,
            Err(e) => return Exchange::failed(None, None, classify(Failure::Transport(&e))),
        };
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let body = match read_body(&mut response).await {
            Ok(body) => body,
            Err(e) => return Exchange::failed(Some(status), Some(headers), e),
        };
        let result = by_status(status, &headers, body, lookup_id);
        Exchange {
            status: Some(status),
            headers: Some(headers),
            result,
        }
    }

    /// One `/2/spaces?ids=` call for at most 100 distinct, valid ids: an outcome for each.
    async fn lookup_chunk(
        &self,
        credential: &Credential,
        chunk: &[&str],
    ) -> Result<HashMap<String, LookupOutcome>, ProviderError> {
        let ids = chunk.join(",");
        let url = self.url(&["2", "spaces"], &[("ids", &ids)]);
        let body = self
            .call(credential, Endpoint::SpacesByIds, url, None)
            .await?;
        read_chunk(chunk, &body)
    }

    /// One `/2/spaces/by/creator_ids` call for at most 100 distinct, valid user ids.
    async fn creators_chunk(
        &self,
        credential: &Credential,
        chunk: &[&str],
    ) -> Result<Vec<Space>, ProviderError> {
        let user_ids = chunk.join(",");
        let url = self.url(
            &["2", "spaces", "by", "creator_ids"],
            &[("user_ids", &user_ids)],
        );
        let body = self
            .call(credential, Endpoint::SpacesByCreatorIds, url, None)
            .await?;
        read_list(&body, Endpoint::SpacesByCreatorIds)
    }
}

/// What came back from one request, as far as it got.
struct Exchange {
    status: Option<u16>,
    headers: Option<HeaderMap>,
    result: Result<Vec<u8>, ProviderError>,
}

impl Exchange {
    fn failed(status: Option<u16>, headers: Option<HeaderMap>, error: ProviderError) -> Self {
        Self {
            status,
            headers,
            result: Err(error),
        }
    }
}

async fn read_body(response: &mut reqwest::Response) -> Result<Vec<u8>, ProviderError> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(classify(Failure::Malformed(format!(
                        "the response body is larger than {MAX_BODY_BYTES} bytes"
                    ))));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(classify(Failure::Transport(&e))),
        }
    }
}

/// What X's status makes of an answer: the body of a 2xx to read, else the failure.
pub(crate) fn by_status(
    status: u16,
    headers: &HeaderMap,
    body: Vec<u8>,
    lookup_id: Option<&str>,
) -> Result<Vec<u8>, ProviderError> {
    if (200..300).contains(&status) {
        Ok(body)
    } else {
        Err(classify(Failure::Status {
            status,
            headers,
            body: &body,
            lookup_id,
        }))
    }
}

fn decode<D: DeserializeOwned>(body: &[u8]) -> Result<Envelope<D>, ProviderError> {
    wire::decode(body).map_err(|detail| classify(Failure::Malformed(detail)))
}

/// Reads a 2xx answer of `GET /2/spaces/{id}`.
pub(crate) fn read_lookup(id: &str, body: &[u8]) -> Result<Space, ProviderError> {
    let Envelope {
        data,
        includes,
        errors,
    } = decode::<WireSpace>(body)?;
    if let Some(wire) = data {
        // The asked id is valid, so a Space with that id always maps.
        return (wire.id.as_str() == id)
            .then(|| mapping::space(&NETWORK, wire, &Users::from_includes(includes)))
            .flatten()
            .ok_or_else(|| {
                classify(Failure::Malformed(
                    "X answered with another Space than the one asked for".to_owned(),
                ))
            });
    }
    // No Space: X says why in `errors[]` (HTTP 200), normally `resource-not-found`.
    let problems = errors.as_slice();
    let problem = problems
        .iter()
        .find(|p| p.space_subject() == Some(id))
        .or_else(|| problems.iter().find(|p| p.is_about_spaces()));
    Err(match problem {
        Some(problem) => classify(Failure::Inline { problem, id }),
        None => classify(Failure::Malformed(
            "X answered with neither the Space nor an error".to_owned(),
        )),
    })
}

/// Reads a 2xx answer of `GET /2/spaces?ids=` for `chunk`: an outcome for each of its ids.
pub(crate) fn read_chunk(
    chunk: &[&str],
    body: &[u8],
) -> Result<HashMap<String, LookupOutcome>, ProviderError> {
    let Envelope {
        data,
        includes,
        errors,
    } = decode::<Vec<WireSpace>>(body)?;
    let users = Users::from_includes(includes);
    let mut outcomes: HashMap<String, LookupOutcome> = data
        .unwrap_or_default()
        .into_iter()
        .filter_map(|wire| mapping::space(&NETWORK, wire, &users))
        .map(|space| (space.native_id.clone(), Ok(space)))
        .collect();
    for problem in errors.as_slice() {
        if let Some(id) = problem.space_subject().filter(|s| chunk.contains(s)) {
            outcomes
                .entry(id.to_owned())
                .or_insert_with(|| Err(classify(Failure::Inline { problem, id })));
        }
    }
    // An id X neither returned nor reported has no Space either.
    for id in chunk {
        outcomes.entry((*id).to_owned()).or_insert_with(|| {
            Err(ProviderError::NotFound {
                id: (*id).to_owned(),
            })
        });
    }
    Ok(outcomes)
}

/// Reads a 2xx answer of a list endpoint (`by/creator_ids`, `search`).
pub(crate) fn read_list(body: &[u8], endpoint: Endpoint) -> Result<Vec<Space>, ProviderError> {
    Ok(spaces(decode(body)?, endpoint))
}

/// The Spaces of a list answer. Inline problems there are about the query's ids (a creator
/// that does not exist), not about Spaces, so they only leave a trace.
fn spaces(envelope: Envelope<Vec<WireSpace>>, endpoint: Endpoint) -> Vec<Space> {
    let Envelope {
        data,
        includes,
        errors,
    } = envelope;
    for problem in errors.as_slice() {
        log_ignored(problem, endpoint);
    }
    let users = Users::from_includes(includes);
    data.unwrap_or_default()
        .into_iter()
        .filter_map(|wire| mapping::space(&NETWORK, wire, &users))
        .collect()
}

fn log_ignored(problem: &Problem, endpoint: Endpoint) {
    tracing::debug!(
        endpoint = endpoint.as_str(),
        problem = problem.slug().unwrap_or("unknown"),
        subject = problem.subject().unwrap_or(""),
        "X reported an inline problem"
    );
}

/// Distinct entries in first-seen order.
fn distinct(ids: &[String]) -> Vec<&str> {
    let mut seen = HashSet::new();
    ids.iter()
        .map(String::as_str)
        .filter(|id| seen.insert(*id))
        .collect()
}

#[async_trait]
impl LiveAudioProvider for XProvider {
    fn id(&self) -> &NetworkId {
        &NETWORK
    }

    fn display_name(&self) -> &str {
        DISPLAY_NAME
    }

    fn aliases(&self) -> &[&'static str] {
        ALIASES
    }

    fn needs_credentials(&self) -> bool {
        true
    }

    fn lookups(&self) -> Option<&dyn SpaceLookup> {
        Some(self)
    }

    fn listings(&self) -> Option<&dyn SpaceListing> {
        Some(self)
    }

    fn searches(&self) -> Option<&dyn SpaceSearch> {
        Some(self)
    }

    fn status(&self) -> NetworkStatus {
        if self.operator.is_some() {
            NetworkStatus::available()
        } else {
            NetworkStatus::unconfigured(HOW_TO_CONFIGURE)
        }
    }

    fn validate_space_id(&self, native: &str) -> Result<(), String> {
        validate_space_id(native)
    }

    fn validate_user_id(&self, native: &str) -> Result<(), String> {
        validate_user_id(native)
    }

    /// Answers made with the operator's token or with an app-only token are X's public
    /// view: any tenant may be served them (`None`). A user token may see more than the
    /// public (`subscriber_count` of its own Spaces), so its answers get their own
    /// partition, the credential's fingerprint. A token that is not recognisably app-only
    /// counts as a user token.
    fn cache_partition(&self, ctx: &CallContext) -> Option<String> {
        let credential = ctx.credential.as_ref()?;
        let public = credential.source() == CredentialSource::Operator
            || looks_app_only(credential.expose());
        (!public).then(|| credential.fingerprint().to_owned())
    }

    fn rate_limits(&self) -> Vec<RateLimitSnapshot> {
        self.budgets.snapshots()
    }
}

#[async_trait]
impl SpaceLookup for XProvider {
    fn max_batch(&self) -> usize {
        MAX_IDS_PER_CALL
    }

    async fn lookup(&self, ctx: &CallContext, id: &str) -> Result<Space, ProviderError> {
        validate_space_id(id).map_err(|detail| ProviderError::InvalidInput { detail })?;
        let credential = self.credential(ctx)?;
        let url = self.url(&["2", "spaces", id], &[]);
        let body = self
            .call(credential, Endpoint::SpaceById, url, Some(id))
            .await?;
        read_lookup(id, &body)
    }

    async fn lookup_many(
        &self,
        ctx: &CallContext,
        ids: &[String],
    ) -> Result<Vec<LookupOutcome>, ProviderError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let credential = self.credential(ctx)?;
        let mut outcomes: HashMap<String, LookupOutcome> = HashMap::new();
        let mut wanted: Vec<&str> = Vec::new();
        for id in distinct(ids) {
            match validate_space_id(id) {
                Ok(()) => wanted.push(id),
                // Sending it would make X refuse the whole chunk.
                Err(detail) => {
                    outcomes.insert(id.to_owned(), Err(ProviderError::InvalidInput { detail }));
                }
            }
        }
        let chunks: Vec<&[&str]> = wanted.chunks(MAX_IDS_PER_CALL).collect();
        let answers = join_all(
            chunks
                .iter()
                .map(|chunk| self.lookup_chunk(credential, chunk)),
        )
        .await;
        let mut failure = None;
        let mut answered = false;
        for (chunk, answer) in chunks.iter().zip(answers) {
            match answer {
                Ok(found) => {
                    answered = true;
                    outcomes.extend(found);
                }
                // Other chunks may have worked: this one's ids carry its failure.
                Err(e) => {
                    for id in *chunk {
                        outcomes.insert((*id).to_owned(), Err(e.clone()));
                    }
                    failure.get_or_insert(e);
                }
            }
        }
        if let (false, Some(e)) = (answered, failure) {
            return Err(e);
        }
        Ok(ids
            .iter()
            .map(|id| {
                outcomes
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| Err(ProviderError::NotFound { id: id.clone() }))
            })
            .collect())
    }
}

#[async_trait]
impl SpaceListing for XProvider {
    fn max_creators(&self) -> usize {
        MAX_IDS_PER_CALL
    }

    async fn by_creators(
        &self,
        ctx: &CallContext,
        user_ids: &[String],
    ) -> Result<Vec<Space>, ProviderError> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        for id in user_ids {
            validate_user_id(id).map_err(|detail| ProviderError::InvalidInput { detail })?;
        }
        let credential = self.credential(ctx)?;
        let wanted = distinct(user_ids);
        // Started together; the pacer lets them out one at a time, in this order.
        let answers = join_all(
            wanted
                .chunks(MAX_IDS_PER_CALL)
                .map(|chunk| self.creators_chunk(credential, chunk)),
        )
        .await;
        let mut seen = HashSet::new();
        let mut spaces = Vec::new();
        for answer in answers {
            for space in answer? {
                if seen.insert(space.native_id.clone()) {
                    spaces.push(space);
                }
            }
        }
        Ok(spaces)
    }
}

#[async_trait]
impl SpaceSearch for XProvider {
    fn max_results(&self) -> u32 {
        MAX_SEARCH_RESULTS
    }

    async fn search(
        &self,
        ctx: &CallContext,
        query: &SearchQuery,
    ) -> Result<Vec<Space>, ProviderError> {
        if query.query.trim().is_empty() {
            return Err(ProviderError::InvalidInput {
                detail: "the search query cannot be blank".to_owned(),
            });
        }
        let chars = query.query.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(ProviderError::InvalidInput {
                detail: format!(
                    "X searches at most {MAX_QUERY_CHARS} characters, but the query has {chars}"
                ),
            });
        }
        // Nothing asked for, nothing to spend a call on.
        if query.limit == 0 {
            return Ok(Vec::new());
        }
        let credential = self.credential(ctx)?;
        let max_results = query.limit.min(MAX_SEARCH_RESULTS);
        let max_results_text = max_results.to_string();
        let url = self.url(
            &["2", "spaces", "search"],
            &[
                ("query", query.query.as_str()),
                ("state", query.state.as_str()),
                ("max_results", &max_results_text),
            ],
        );
        let body = self
            .call(credential, Endpoint::SpacesSearch, url, None)
            .await?;
        let mut found = read_list(&body, Endpoint::SpacesSearch)?;
        found.truncate(max_results as usize);
        Ok(found)
    }
}

fn looks_app_only(token: &str) -> bool {
    token.len() > APP_ONLY_PREFIX.len() && token.starts_with(APP_ONLY_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use onair_core::StatusKind;

    fn provider(token: Option<&str>) -> XProvider {
        XProvider::new(XConfig {
            bearer_token: token.map(Into::into),
            ..XConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn names_and_capabilities() {
        let x = provider(None);
        assert_eq!(x.id().as_str(), "x");
        assert_eq!(x.aliases(), ["twitter"]);
        assert_eq!(x.display_name(), "X Spaces");
        let caps = (&x as &dyn LiveAudioProvider).capabilities();
        assert!(caps.lookup && caps.by_creator && caps.search && caps.needs_credentials);
        assert_eq!(
            (
                caps.max_lookup_batch,
                caps.max_creator_batch,
                caps.max_search_results
            ),
            (100, 100, 100)
        );
    }

    #[test]
    fn status_follows_the_operator_token() {
        assert_eq!(
            provider(Some("AAAAtoken")).status().kind,
            StatusKind::Available
        );
        let status = provider(None).status();
        assert_eq!(status.kind, StatusKind::Unconfigured);
        let reason = status.reason.unwrap();
        assert!(
            reason.contains("ONAIR_PROVIDERS__X__BEARER_TOKEN"),
            "{reason}"
        );
        assert!(
            reason.contains("PUT /v1/networks/x/credentials"),
            "{reason}"
        );
    }

    #[test]
    fn urls_keep_a_base_path_and_carry_the_field_selection() {
        let x = XProvider::new(XConfig {
            base_url: Url::parse("http://127.0.0.1:9/prefix/").unwrap(),
            ..XConfig::default()
        })
        .unwrap();
        let url = x.url(&["2", "spaces"], &[("ids", "a,b")]);
        assert_eq!(url.path(), "/prefix/2/spaces");
        let params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "ids",
                "space.fields",
                "expansions",
                "user.fields",
                "topic.fields"
            ]
        );
        assert_eq!(params[0].1, "a,b");
        assert_eq!(
            params[2].1,
            "creator_id,host_ids,speaker_ids,invited_user_ids,topic_ids"
        );
        let plain = provider(None).url(&["2", "spaces", "1DXxyRYNejbKM"], &[]);
        assert_eq!(plain.path(), "/2/spaces/1DXxyRYNejbKM");
    }

    #[test]
    fn cache_partitions() {
        let x = provider(Some("AAAAAAAAAAAAAAAAAAAAAoperator"));
        let ctx =
            |token: &str, source| CallContext::with_credential(Credential::new(token, source));
        assert_eq!(x.cache_partition(&CallContext::default()), None);
        let app = ctx(
            "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid",
            CredentialSource::Tenant,
        );
        assert_eq!(x.cache_partition(&app), None);
        let user = ctx(
            "bWRWa3gzdnk3WlZPZ2VyQU1PTnpJMFBTQmtLRVB3:1:0:at:1",
            CredentialSource::Profile,
        );
        assert_eq!(
            x.cache_partition(&user),
            Some(user.credential.as_ref().unwrap().fingerprint().to_owned())
        );
        // Unsure (a short run of `A`s, an odd token): partitioned.
        let odd = ctx("AAAAtenant", CredentialSource::Tenant);
        assert!(x.cache_partition(&odd).is_some());
        let operator = ctx("anything", CredentialSource::Operator);
        assert_eq!(x.cache_partition(&operator), None);
    }

    #[test]
    fn answers_name_only_spaces_a_client_can_ask_for_again() {
        let err = read_lookup(
            "1DXxyRYNejbKM",
            br#"{"data":{"id":"1YpKkzBgBlVxj","state":"live"}}"#,
        )
        .unwrap_err();
        assert!(
            matches!(err, ProviderError::MalformedResponse { .. }),
            "{err:?}"
        );
        let body =
            br#"{"data":[{"id":"1DXxyRYNejbKM","state":"live"},{"id":"a b","state":"live"}]}"#;
        let found = read_list(body, Endpoint::SpacesSearch).unwrap();
        let ids: Vec<&str> = found.iter().map(|s| s.native_id.as_str()).collect();
        assert_eq!(ids, ["1DXxyRYNejbKM"]);
        let outcomes = read_chunk(&["1YpKkzBgBlVxj"], body).unwrap();
        assert!(!outcomes.contains_key("a b"));
        assert!(matches!(
            outcomes["1YpKkzBgBlVxj"],
            Err(ProviderError::NotFound { .. })
        ));
    }

    #[test]
    fn distinct_keeps_first_seen_order() {
        let ids: Vec<String> = ["b", "a", "b", "c", "a"].map(String::from).to_vec();
        assert_eq!(distinct(&ids), ["b", "a", "c"]);
    }
}
