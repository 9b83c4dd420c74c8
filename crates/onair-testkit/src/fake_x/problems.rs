//! X's error bodies, word for word (contract §4.2–§4.4, §7.7).

use serde_json::{Value, json};

use super::config::ProblemHost;

/// A JSON object with its members in the given order (X's order), unlike `serde_json::Map`.
pub(crate) fn object(members: &[(&str, Value)]) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::from(*key).to_string());
        out.push(':');
        out.push_str(&value.to_string());
    }
    out.push('}');
    out
}

/// A JSON array of already-rendered values.
pub(crate) fn array(items: &[String]) -> String {
    format!("[{}]", items.join(","))
}

/// Embeds already-rendered JSON as a `Value`-like member by parsing it back (error paths only).
fn embed(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or(Value::Null)
}

/// One item of a 400 body: the offending parameters echoed, and X's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InvalidParam {
    pub parameters: Vec<(String, Vec<String>)>,
    pub message: String,
}

impl InvalidParam {
    pub fn new(name: &str, values: Vec<String>, message: String) -> Self {
        Self {
            parameters: vec![(name.to_owned(), values)],
            message,
        }
    }
}

/// 400: `errors[]` with `parameters` and `message`, then `title`, `detail`, `type`; no `status`.
pub(crate) fn invalid_request(host: ProblemHost, errors: &[InvalidParam]) -> String {
    let errors: Vec<String> = errors
        .iter()
        .map(|e| {
            let parameters: Vec<(&str, Value)> = e
                .parameters
                .iter()
                .map(|(name, values)| (name.as_str(), json!(values)))
                .collect();
            object(&[
                ("parameters", embed(&object(&parameters))),
                ("message", json!(e.message)),
            ])
        })
        .collect();
    let errors = array(&errors);
    // `errors` is spliced in as text to keep each item's member order.
    let rest = object(&[
        ("title", json!("Invalid Request")),
        (
            "detail",
            json!("One or more parameters to your request was invalid."),
        ),
        ("type", json!(host.problem_type("invalid-request"))),
    ]);
    format!("{{\"errors\":{errors},{}", &rest[1..])
}

/// A partial error for an id that matched nothing (HTTP 200).
pub(crate) fn not_found(
    host: ProblemHost,
    resource_type: &str,
    parameter: &str,
    value: &str,
) -> String {
    object(&[
        ("value", json!(value)),
        (
            "detail",
            json!(format!(
                "Could not find {resource_type} with {parameter}: [{value}]."
            )),
        ),
        ("title", json!("Not Found Error")),
        ("resource_type", json!(resource_type)),
        ("parameter", json!(parameter)),
        ("resource_id", json!(value)),
        ("type", json!(host.problem_type("resource-not-found"))),
    ])
}

/// A partial error for a resource the caller may not see (HTTP 200).
pub(crate) fn not_authorized(
    host: ProblemHost,
    resource_type: &str,
    parameter: &str,
    value: &str,
) -> String {
    let shown = match resource_type {
        "space" => "Space",
        "user" => "User",
        other => other,
    };
    object(&[
        ("value", json!(value)),
        (
            "detail",
            json!(format!(
                "Sorry, you are not authorized to see the {shown} with {parameter}: [{value}]."
            )),
        ),
        ("title", json!("Authorization Error")),
        ("resource_type", json!(resource_type)),
        ("parameter", json!(parameter)),
        ("resource_id", json!(value)),
        ("section", json!("data")),
        (
            "type",
            json!(host.problem_type("not-authorized-for-resource")),
        ),
    ])
}

fn about_blank(status: u16, title: &str, detail: &str) -> String {
    object(&[
        ("title", json!(title)),
        ("detail", json!(detail)),
        ("type", json!("about:blank")),
        ("status", json!(status)),
    ])
}

pub(crate) fn unauthorized() -> String {
    about_blank(401, "Unauthorized", "Unauthorized")
}

pub(crate) fn too_many_requests() -> String {
    about_blank(429, "Too Many Requests", "Too Many Requests")
}

/// X's body for a bare status (faults), `about:blank` as X sends for these.
pub(crate) fn for_status(status: u16) -> String {
    match status {
        401 => unauthorized(),
        403 => about_blank(
            403,
            "Forbidden",
            "You are not permitted to perform this action.",
        ),
        429 => too_many_requests(),
        500 => about_blank(
            500,
            "Internal Server Error",
            "Something is broken. This is usually a temporary error, for example in a high load situation or if an endpoint is temporarily having issues. Check in the developer forums in case others are having similar issues, or try again later. ",
        ),
        502 => about_blank(502, "Bad Gateway", "Bad Gateway"),
        503 => about_blank(503, "Service Unavailable", "Service Unavailable"),
        504 => about_blank(504, "Gateway Timeout", "Gateway Timeout"),
        other => {
            let reason = http::StatusCode::from_u16(other)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error");
            about_blank(other, reason, reason)
        }
    }
}

/// The methods an endpoint accepts, as X names them in 403 bodies.
pub(crate) const APP_AND_USER: &str = "[OAuth 2.0 Application-Only, OAuth 2.0 User Context]";
pub(crate) const USER_ONLY: &str = "[OAuth 2.0 User Context]";

/// 403: `used` is the rejected method ("OAuth 1.0a User Context", "OAuth 2.0 Application-Only").
pub(crate) fn unsupported_authentication(host: ProblemHost, used: &str, supported: &str) -> String {
    object(&[
        ("title", json!("Unsupported Authentication")),
        (
            "detail",
            json!(format!(
                "Authenticating with {used} is forbidden for this endpoint.  Supported authentication types are {supported}."
            )),
        ),
        (
            "type",
            json!(host.problem_type("unsupported-authentication")),
        ),
        ("status", json!(403)),
    ])
}

/// 403 client-forbidden: no `errors[]`, no `status`.
pub(crate) fn client_forbidden(host: ProblemHost) -> String {
    object(&[
        ("client_id", json!("29417530")),
        (
            "detail",
            json!(
                "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal."
            ),
        ),
        (
            "registration_url",
            json!("https://developer.twitter.com/en/docs/projects/overview"),
        ),
        ("title", json!("Client Forbidden")),
        (
            "required_enrollment",
            json!("Appropriate Level of API Access"),
        ),
        ("reason", json!("client-not-enrolled")),
        ("type", json!(host.problem_type("client-forbidden"))),
    ])
}

/// 429 usage cap (a different 429 from the rate limit: tell them apart by `title`/`type`).
pub(crate) fn usage_capped(host: ProblemHost) -> String {
    object(&[
        ("account_id", json!(ACCOUNT_ID)),
        ("product_name", json!("standard-basic")),
        ("title", json!("UsageCapExceeded")),
        ("period", json!("Monthly")),
        ("scope", json!("Product")),
        ("detail", json!("Usage cap exceeded: Monthly product cap")),
        ("type", json!(host.problem_type("usage-capped"))),
    ])
}

const ACCOUNT_ID: u64 = 1_587_330_174;

/// 402 pay-per-use account without credits.
pub(crate) fn credits_depleted(host: ProblemHost) -> String {
    object(&[
        ("account_id", json!(ACCOUNT_ID)),
        ("title", json!("CreditsDepleted")),
        (
            "detail",
            json!(format!(
                "Your enrolled account [{ACCOUNT_ID}] does not have any credits to fulfill this request."
            )),
        ),
        ("type", json!(host.problem_type("credits"))),
    ])
}

/// 404 for a path X does not serve.
pub(crate) fn page_not_found() -> String {
    let item = object(&[
        ("message", json!("Sorry, that page does not exist")),
        ("code", json!(34)),
    ]);
    format!("{{\"errors\":[{item}]}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_request_has_no_status_and_echoes_parameters() {
        let text = invalid_request(
            ProblemHost::ApiTwitter,
            &[InvalidParam::new(
                "max_results",
                vec!["0".into()],
                "m".into(),
            )],
        );
        assert!(text.starts_with("{\"errors\":[{\"parameters\":{\"max_results\":[\"0\"]},\"message\":\"m\"}],\"title\""), "{text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            body["type"],
            "https://api.twitter.com/2/problems/invalid-request"
        );
        assert!(body.get("status").is_none());
        assert_eq!(body["errors"][0]["parameters"]["max_results"][0], "0");
    }

    #[test]
    fn unsupported_authentication_keeps_the_double_space() {
        let body: Value = serde_json::from_str(&unsupported_authentication(
            ProblemHost::ApiX,
            "OAuth 1.0a User Context",
            APP_AND_USER,
        ))
        .unwrap();
        assert_eq!(
            body["detail"],
            "Authenticating with OAuth 1.0a User Context is forbidden for this endpoint.  Supported authentication types are [OAuth 2.0 Application-Only, OAuth 2.0 User Context]."
        );
    }
}
