//! Every problem code onair answers with: the stable, snake_case `code` of a problem
//! document, what clients branch on. One list, from which the API's `/problems/{code}`
//! pages are served; the HTTP status of a problem is chosen where it is raised, because one
//! code can be the client's or the deployment's to fix (a network refusing the tenant's own
//! credentials is a 422, the operator's a 502).

use std::{fmt, str::FromStr};

macro_rules! problem_codes {
    ($($variant:ident = $code:literal: $doc:literal,)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ProblemCode {
            $(#[doc = $doc] $variant,)+
        }

        impl ProblemCode {
            /// Every code, in the order the catalogue lists them.
            pub const ALL: &[ProblemCode] = &[$(ProblemCode::$variant,)+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $code,)+
                }
            }

            /// What the code means, in a sentence for the people reading `/problems/{code}`.
            pub const fn description(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $doc,)+
                }
            }
        }
    };
}

problem_codes! {
    InvalidRequest = "invalid_request":
        "The request is malformed.",
    InvalidQuery = "invalid_query":
        "A query parameter is missing, unknown, repeated or out of range; `errors` names it.",
    InvalidId = "invalid_id":
        "An id is malformed: qualified ids are `network:native_id`, and each network checks its own ids.",
    TooManyIds = "too_many_ids":
        "More than 100 ids or creators were given in one request.",
    InvalidJson = "invalid_json":
        "The body is not valid JSON.",
    InvalidBody = "invalid_body":
        "The JSON body lacks a field, has an unknown one, or a value is out of range; `errors` names it.",
    InvalidPath = "invalid_path":
        "A path segment could not be decoded.",
    UnsupportedMediaType = "unsupported_media_type":
        "The body must be sent as `application/json` (or a form, for the link page).",
    PayloadTooLarge = "payload_too_large":
        "The body is larger than this deployment accepts.",
    Unauthorized = "unauthorized":
        "The API key is missing, malformed, unknown, revoked or expired.",
    InvalidProfileKey = "invalid_profile_key":
        "The `Profile-Key` header is malformed or names no profile of this tenant.",
    InvalidLinkToken = "invalid_link_token":
        "The link token is not valid for this deployment.",
    LinkTokenExpired = "link_token_expired":
        "The link token has expired; ask for a new link.",
    LinkTokenUsed = "link_token_used":
        "The link token has already stored a credential; each stores one. Ask for a new link.",
    NotFound = "not_found":
        "No such object for this tenant.",
    SpaceNotFound = "space_not_found":
        "The network has no Space with this id (or no longer shows it).",
    NetworkNotFound = "network_not_found":
        "No network with this name; GET /v1/networks lists them.",
    RouteNotFound = "route_not_found":
        "No such route; /openapi.json describes the API.",
    MethodNotAllowed = "method_not_allowed":
        "The route exists but not for this HTTP method.",
    Conflict = "conflict":
        "The change conflicts with an existing object.",
    CredentialsNotAccepted = "credentials_not_accepted":
        "This network takes no credentials.",
    RateLimited = "rate_limited":
        "This tenant's request rate limit is spent; retry after `Retry-After` seconds.",
    NetworkUnsupported = "network_unsupported":
        "The network cannot do this (no public API, closed, or not this operation).",
    NetworkUnconfigured = "network_unconfigured":
        "No credentials are configured for this network: store your own with PUT /v1/networks/{network}/credentials, or ask the operator to configure them.",
    UpstreamInvalidRequest = "upstream_invalid_request":
        "The network refused the request as invalid.",
    UpstreamRejectedRequest = "upstream_rejected_request":
        "The network refused onair's request for a reason that is not your input (502); the operator's logs have the network's answer.",
    UpstreamWithheld = "upstream_withheld":
        "The network withholds this Space from the credentials used (403); other Spaces of the request are unaffected.",
    UpstreamUnauthorized = "upstream_unauthorized":
        "The network rejected the credentials used (yours: 422; the deployment's: 502).",
    UpstreamForbidden = "upstream_forbidden":
        "The network forbids this request with the credentials used.",
    UpstreamPaymentRequired = "upstream_payment_required":
        "The network account behind the credentials has no credits left.",
    UpstreamRateLimited = "upstream_rate_limited":
        "The network's rate limit for these credentials is spent; onair holds calls back until it resets (see `Retry-After`).",
    UpstreamUsageCapped = "upstream_usage_capped":
        "The network account's usage cap is spent.",
    UpstreamUnavailable = "upstream_unavailable":
        "The network failed or could not be reached.",
    UpstreamTimeout = "upstream_timeout":
        "The network did not answer in time.",
    UpstreamMalformedResponse = "upstream_malformed_response":
        "The network sent an answer onair cannot read.",
    ServiceUnavailable = "service_unavailable":
        "onair cannot reach its database right now; retry shortly.",
    NotReady = "not_ready":
        "This instance is not ready for traffic (database unreachable, or shutting down).",
    MetricsUnavailable = "metrics_unavailable":
        "Metrics are not being recorded by this process.",
    RequestTimeout = "request_timeout":
        "The request took too long to arrive.",
    Timeout = "timeout":
        "The request took too long to handle.",
    InternalError = "internal_error":
        "onair failed; its log has the details under the request id.",
    ClientError = "client_error":
        "The request cannot be served.",
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// No problem has this code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no problem has the code `{0}`")]
pub struct UnknownProblemCode(pub String);

impl FromStr for ProblemCode {
    type Err = UnknownProblemCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownProblemCode(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_code_is_distinct_snake_case_described_and_parses_back() {
        let mut seen = HashSet::new();
        for &code in ProblemCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s}"
            );
            let d = code.description().trim();
            assert!(d.ends_with('.') && d.len() > 10, "{s}: {d}");
            assert_eq!(s.parse::<ProblemCode>(), Ok(code));
        }
        assert!("no_such_code".parse::<ProblemCode>().is_err());
    }
}
