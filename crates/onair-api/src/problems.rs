//! The catalogue of problem codes, served at `/problems/{code}` so that every problem's
//! `type` URI resolves to an explanation.

/// Every code onair answers with, and what it means.
pub const CATALOGUE: &[(&str, &str)] = &[
    ("invalid_request", "The request is malformed."),
    (
        "invalid_query",
        "A query parameter is missing, unknown, repeated or out of range; `errors` names it.",
    ),
    (
        "invalid_id",
        "An id is malformed: qualified ids are `network:native_id`, and each network checks its own ids.",
    ),
    (
        "too_many_ids",
        "More than 100 ids or creators were given in one request.",
    ),
    ("invalid_json", "The body is not valid JSON."),
    (
        "invalid_body",
        "The JSON body lacks a field, has an unknown one, or a value is out of range; `errors` names it.",
    ),
    ("invalid_path", "A path segment could not be decoded."),
    (
        "unsupported_media_type",
        "The body must be sent as `application/json` (or a form, for the link page).",
    ),
    (
        "payload_too_large",
        "The body is larger than this deployment accepts.",
    ),
    (
        "unauthorized",
        "The API key is missing, malformed, unknown, revoked or expired.",
    ),
    (
        "invalid_profile_key",
        "The `Profile-Key` header is malformed or names no profile of this tenant.",
    ),
    (
        "invalid_link_token",
        "The link token is not valid for this deployment.",
    ),
    (
        "link_token_expired",
        "The link token has expired; ask for a new link.",
    ),
    (
        "link_token_used",
        "The link token has already stored a credential; each stores one. Ask for a new link.",
    ),
    ("not_found", "No such object for this tenant."),
    (
        "space_not_found",
        "The network has no Space with this id (or no longer shows it).",
    ),
    (
        "network_not_found",
        "No network with this name; GET /v1/networks lists them.",
    ),
    (
        "route_not_found",
        "No such route; /openapi.json describes the API.",
    ),
    (
        "method_not_allowed",
        "The route exists but not for this HTTP method.",
    ),
    ("conflict", "The change conflicts with an existing object."),
    (
        "credentials_not_accepted",
        "This network takes no credentials.",
    ),
    (
        "rate_limited",
        "This tenant's request rate limit is spent; retry after `Retry-After` seconds.",
    ),
    (
        "network_unsupported",
        "The network cannot do this (no public API, closed, or not this operation).",
    ),
    (
        "network_unconfigured",
        "No credentials are configured for this network: store your own with PUT /v1/networks/{network}/credentials, or ask the operator to configure them.",
    ),
    (
        "upstream_invalid_request",
        "The network refused the request as invalid.",
    ),
    (
        "upstream_rejected_request",
        "The network refused onair's request for a reason that is not your input (502); the operator's logs have the network's answer.",
    ),
    (
        "upstream_withheld",
        "The network withholds this Space from the credentials used (403); other Spaces of the request are unaffected.",
    ),
    (
        "upstream_unauthorized",
        "The network rejected the credentials used (yours: 422; the deployment's: 502).",
    ),
    (
        "upstream_forbidden",
        "The network forbids this request with the credentials used.",
    ),
    (
        "upstream_payment_required",
        "The network account behind the credentials has no credits left.",
    ),
    (
        "upstream_rate_limited",
        "The network's rate limit for these credentials is spent; onair holds calls back until it resets (see `Retry-After`).",
    ),
    (
        "upstream_usage_capped",
        "The network account's usage cap is spent.",
    ),
    (
        "upstream_unavailable",
        "The network failed or could not be reached.",
    ),
    ("upstream_timeout", "The network did not answer in time."),
    (
        "upstream_malformed_response",
        "The network sent an answer onair cannot read.",
    ),
    (
        "service_unavailable",
        "onair cannot reach its database right now; retry shortly.",
    ),
    (
        "not_ready",
        "This instance is not ready for traffic (database unreachable, or shutting down).",
    ),
    (
        "metrics_unavailable",
        "Metrics are not being recorded by this process.",
    ),
    ("request_timeout", "The request took too long to arrive."),
    ("timeout", "The request took too long to handle."),
    (
        "internal_error",
        "onair failed; its log has the details under the request id.",
    ),
    ("client_error", "The request cannot be served."),
];

pub fn describe(code: &str) -> Option<&'static str> {
    CATALOGUE.iter().find(|(c, _)| *c == code).map(|(_, d)| *d)
}
