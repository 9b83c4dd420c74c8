//! The one place where X's failures become [`ProviderError`]s.
//!
//! X's error bodies are not uniform (contract §4.3, §8.10): 400 has `errors[]` and no
//! `status`, 403 client-forbidden has `reason` and no `errors[]`, 401/429/503 are
//! `about:blank`, and the problem host moved from `api.twitter.com` to `api.x.com`. So the
//! status decides first, the problem slug (the `/2/problems/<slug>` suffix, never the host)
//! refines it, and a body that cannot be read never stops a status from being classified.

use std::error::Error as _;

use onair_core::{ProviderError, RateLimitScope};
use reqwest::header::HeaderMap;

use crate::budget::reset_at;
use crate::wire::Problem;

/// Longest piece of X's own text carried into an error; 400 bodies echo every bad value.
const MAX_DETAIL_CHARS: usize = 500;

/// Everything that can go wrong with one X call.
pub(crate) enum Failure<'a> {
    /// No complete response: connect, timeout, or the body stopped mid-way.
    Transport(&'a reqwest::Error),
    /// X answered with a status other than 2xx.
    Status {
        status: u16,
        headers: &'a HeaderMap,
        body: &'a [u8],
        /// The id of a single-Space lookup, for which a 404 means "no such Space".
        lookup_id: Option<&'a str>,
    },
    /// A 2xx answer onair cannot read.
    Malformed(String),
    /// An inline problem about one requested id in a 200 answer.
    Inline { problem: &'a Problem, id: &'a str },
}

/// Classifies every failure of an X call.
pub(crate) fn classify(failure: Failure<'_>) -> ProviderError {
    match failure {
        Failure::Transport(e) => transport(e),
        Failure::Status {
            status,
            headers,
            body,
            lookup_id,
        } => by_status(status, headers, body, lookup_id),
        Failure::Malformed(detail) => ProviderError::MalformedResponse {
            detail: clip(&detail),
        },
        Failure::Inline { problem, id } => inline(problem, id),
    }
}

fn transport(e: &reqwest::Error) -> ProviderError {
    if e.is_timeout() {
        ProviderError::Timeout
    } else if e.is_body() || e.is_decode() {
        ProviderError::MalformedResponse {
            detail: format!(
                "the response body ended before it was complete ({})",
                chain(e)
            ),
        }
    } else if e.is_connect() {
        ProviderError::Unavailable {
            status: None,
            detail: format!("could not connect to X ({})", chain(e)),
        }
    } else {
        ProviderError::Unavailable {
            status: None,
            detail: format!("the request to X failed ({})", chain(e)),
        }
    }
}

/// reqwest's own message names only the URL; the cause is in its sources. The URL's
/// query (every field list onair asks for) is dropped: it buries the cause.
fn chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url().filter(|url| url.query().is_some()) {
        let short = format!("{}{}", url.origin().ascii_serialization(), url.path());
        text = text.replace(url.as_str(), &short);
    }
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    clip(&text)
}

fn by_status(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    lookup_id: Option<&str>,
) -> ProviderError {
    let problem: Problem = serde_json::from_slice(body).unwrap_or_default();
    let slug = problem.slug();
    let said = |fallback: &str| {
        problem
            .text()
            .map(clip)
            .unwrap_or_else(|| format!("X answered {status} {fallback}"))
    };
    match status {
        400 if blames_only_the_callers_input(&problem) => ProviderError::InvalidInput {
            detail: invalid_request(&problem),
        },
        400 => ProviderError::Rejected {
            status: Some(400),
            detail: invalid_request(&problem),
        },
        401 => ProviderError::Unauthorized {
            detail: format!("X rejected the bearer token ({})", said("Unauthorized")),
        },
        402 => ProviderError::PaymentRequired {
            detail: said("Payment Required"),
        },
        403 => ProviderError::Forbidden {
            // `reason` (e.g. `client-not-enrolled`) is more precise than the slug it refines.
            reason: problem.reason.get().map(String::as_str).or(slug).map(clip),
            detail: said("Forbidden"),
        },
        404 => match lookup_id {
            Some(id) => ProviderError::NotFound { id: id.to_owned() },
            None => ProviderError::Unavailable {
                status: Some(404),
                detail: "X has no such endpoint; check the configured X base URL".to_owned(),
            },
        },
        429 if slug == Some("usage-capped")
            || problem.title.get().is_some_and(|t| t == "UsageCapExceeded") =>
        {
            // `x-rate-limit-reset` is the window's end, not the cap's: the cap's is unknown.
            ProviderError::RateLimited {
                scope: RateLimitScope::UsageCap,
                reset_at: None,
            }
        }
        429 => ProviderError::RateLimited {
            scope: RateLimitScope::Window,
            reset_at: reset_at(headers),
        },
        500..=599 => ProviderError::Unavailable {
            status: Some(status),
            detail: said("Server Error"),
        },
        // onair sends only requests it has checked; another 4xx is X refusing onair.
        _ if (400..500).contains(&status) => ProviderError::Rejected {
            status: Some(status),
            detail: match problem.text() {
                Some(text) => format!("X answered {status}: {}", clip(text)),
                None => format!("X answered {status}"),
            },
        },
        _ => ProviderError::Unavailable {
            status: Some(status),
            detail: format!("X answered an unexpected status {status}"),
        },
    }
}

/// Parameters whose values come from the caller (ids, the search query, its state and
/// limit). The rest (`space.fields`, `expansions`, …) are onair's own choice, so a 400
/// about them, or one that names no parameter, is onair's fault and not the caller's.
const CALLER_PARAMETERS: &[&str] = &["id", "ids", "user_ids", "query", "state", "max_results"];

fn blames_only_the_callers_input(problem: &Problem) -> bool {
    let mut blamed = problem.blamed_parameters().peekable();
    blamed.peek().is_some() && blamed.all(|p| CALLER_PARAMETERS.contains(&p))
}

/// X's 400 messages name each bad parameter value; they are what a caller needs to see.
fn invalid_request(problem: &Problem) -> String {
    const SHOWN: usize = 3;
    let messages: Vec<&str> = problem.messages().collect();
    let text = if messages.is_empty() {
        problem
            .text()
            .unwrap_or("X refused the request as invalid")
            .to_owned()
    } else {
        let mut text = messages[..messages.len().min(SHOWN)].join("; ");
        if messages.len() > SHOWN {
            text.push_str(&format!(" (and {} more)", messages.len() - SHOWN));
        }
        text
    };
    clip(&text)
}

fn inline(problem: &Problem, id: &str) -> ProviderError {
    match problem.slug() {
        Some("resource-not-found") => ProviderError::NotFound { id: id.to_owned() },
        // About this one Space, not the credentials: the rest of the answer stands.
        Some("not-authorized-for-resource" | "disallowed-resource" | "resource-unavailable") => {
            ProviderError::Withheld {
                id: id.to_owned(),
                detail: problem.text().map_or_else(|| "no detail".to_owned(), clip),
            }
        }
        _ => ProviderError::Unavailable {
            status: None,
            detail: format!(
                "X reported a problem with `{id}`: {}",
                problem.text().map_or_else(|| "no detail".to_owned(), clip)
            ),
        },
    }
}

fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;
    use reqwest::header::HeaderValue;

    fn status(code: u16, body: &str) -> ProviderError {
        status_with(code, &HeaderMap::new(), body, None)
    }

    fn status_with(code: u16, headers: &HeaderMap, body: &str, id: Option<&str>) -> ProviderError {
        classify(Failure::Status {
            status: code,
            headers,
            body: body.as_bytes(),
            lookup_id: id,
        })
    }

    #[test]
    fn invalid_request_carries_xs_messages() {
        let e = status(
            400,
            r#"{"errors":[{"parameters":{"max_results":["0"]},"message":"The `max_results` query parameter value [0] is not between 1 and 100"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}"#,
        );
        assert_eq!(
            e,
            ProviderError::InvalidInput {
                detail: "The `max_results` query parameter value [0] is not between 1 and 100"
                    .into()
            }
        );
    }

    #[test]
    fn many_invalid_values_are_summarised_and_clipped() {
        let items: Vec<String> = (0..101)
            .map(|i| format!(r#"{{"message":"bad value [{}] {}"}}"#, i, "x".repeat(50)))
            .collect();
        let body = format!(
            r#"{{"errors":[{}],"title":"Invalid Request"}}"#,
            items.join(",")
        );
        let ProviderError::Rejected { detail, .. } = status(400, &body) else {
            panic!("not rejected")
        };
        assert!(
            detail.contains("bad value [0]") && detail.contains("(and 98 more)"),
            "{detail}"
        );
        assert!(detail.chars().count() <= MAX_DETAIL_CHARS + 1);
    }

    #[test]
    fn unauthorized_and_payment() {
        assert!(matches!(
            status(
                401,
                r#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#
            ),
            ProviderError::Unauthorized { .. }
        ));
        let e = status(
            402,
            r#"{"account_id":1,"title":"CreditsDepleted","detail":"Your enrolled account [1] does not have any credits to fulfill this request.","type":"https://api.twitter.com/2/problems/credits"}"#,
        );
        assert_eq!(
            e,
            ProviderError::PaymentRequired {
                detail:
                    "Your enrolled account [1] does not have any credits to fulfill this request."
                        .into()
            }
        );
    }

    #[test]
    fn forbidden_reasons() {
        let e = status(
            403,
            r#"{"client_id":"1","detail":"When authenticating…","title":"Client Forbidden","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}"#,
        );
        assert_eq!(
            e,
            ProviderError::Forbidden {
                reason: Some("client-not-enrolled".into()),
                detail: "When authenticating…".into()
            }
        );
        let e = status(
            403,
            r#"{"title":"Unsupported Authentication","detail":"Authenticating with OAuth 1.0a User Context is forbidden for this endpoint.","type":"https://api.x.com/2/problems/unsupported-authentication","status":403}"#,
        );
        assert!(
            matches!(e, ProviderError::Forbidden { reason: Some(r), .. } if r == "unsupported-authentication")
        );
        let e = status(
            403,
            r#"{"detail":"You are not permitted to perform this action.","type":"about:blank","title":"Forbidden","status":403}"#,
        );
        assert_eq!(
            e,
            ProviderError::Forbidden {
                reason: None,
                detail: "You are not permitted to perform this action.".into()
            }
        );
    }

    #[test]
    fn not_found_only_for_single_lookups() {
        let h = HeaderMap::new();
        assert_eq!(
            status_with(404, &h, "", Some("1DXxyRYNejbKM")),
            ProviderError::NotFound {
                id: "1DXxyRYNejbKM".into()
            }
        );
        assert!(matches!(
            status(404, ""),
            ProviderError::Unavailable {
                status: Some(404),
                ..
            }
        ));
    }

    #[test]
    fn rate_limit_and_usage_cap_are_told_apart() {
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-reset", HeaderValue::from_static("1633364979"));
        let e = status_with(
            429,
            &h,
            r#"{"title":"Too Many Requests","type":"about:blank","status":429,"detail":"Too Many Requests"}"#,
            None,
        );
        assert_eq!(
            e,
            ProviderError::RateLimited {
                scope: RateLimitScope::Window,
                reset_at: Some(Utc.timestamp_opt(1_633_364_979, 0).unwrap())
            }
        );
        for body in [
            r#"{"title":"UsageCapExceeded","period":"Monthly","scope":"Product","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped"}"#,
            r#"{"type":"https://api.x.com/2/problems/usage-capped"}"#,
            r#"{"title":"UsageCapExceeded"}"#,
        ] {
            assert_eq!(
                status_with(429, &h, body, None),
                ProviderError::RateLimited {
                    scope: RateLimitScope::UsageCap,
                    reset_at: None
                },
                "{body}"
            );
        }
        // A slug is matched on its suffix only.
        assert!(matches!(
            status(429, r#"{"type":"https://example.com/not-x/usage-capped"}"#),
            ProviderError::RateLimited {
                scope: RateLimitScope::Window,
                reset_at: None
            }
        ));
    }

    #[test]
    fn other_client_errors_are_x_refusing_onair() {
        assert_eq!(
            status(414, ""),
            ProviderError::Rejected {
                status: Some(414),
                detail: "X answered 414".into()
            }
        );
        assert_eq!(
            status(
                409,
                r#"{"title":"Conflict","type":"https://api.x.com/2/problems/conflict"}"#
            ),
            ProviderError::Rejected {
                status: Some(409),
                detail: "X answered 409: Conflict".into()
            }
        );
        assert!(!status(418, "").is_transient());
    }

    #[test]
    fn a_400_is_the_callers_only_when_it_blames_only_the_callers_values() {
        let body = |parameters: &str| {
            format!(
                r#"{{"errors":[{{"parameters":{parameters},"message":"bad"}}],"title":"Invalid Request","type":"https://api.x.com/2/problems/invalid-request"}}"#
            )
        };
        for callers in [
            r#"{"ids":["-"]}"#,
            r#"{"query":[""]}"#,
            r#"{"max_results":["0"]}"#,
        ] {
            assert!(
                matches!(
                    status(400, &body(callers)),
                    ProviderError::InvalidInput { .. }
                ),
                "{callers}"
            );
        }
        for onairs in [
            r#"{"space.fields":["subscriber_count"]}"#,
            r#"{"ids":["-"],"expansions":["topics_ids"]}"#,
            "{}",
        ] {
            assert!(
                matches!(
                    status(400, &body(onairs)),
                    ProviderError::Rejected {
                        status: Some(400),
                        ..
                    }
                ),
                "{onairs}"
            );
        }
        // No `errors[]` at all: nothing says it was the caller.
        assert!(matches!(
            status(400, r#"{"title":"Invalid Request"}"#),
            ProviderError::Rejected { .. }
        ));
    }

    #[test]
    fn server_errors_are_unavailable_with_status() {
        let e = status(
            503,
            r#"{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}"#,
        );
        assert_eq!(
            e,
            ProviderError::Unavailable {
                status: Some(503),
                detail: "Service Unavailable".into()
            }
        );
        let e = status(502, "<html>bad gateway</html>");
        assert_eq!(
            e,
            ProviderError::Unavailable {
                status: Some(502),
                detail: "X answered 502 Server Error".into()
            }
        );
        assert!(e.is_transient());
    }

    #[test]
    fn inline_problems() {
        let p: Problem = serde_json::from_str(
            r#"{"value":"1nAJELYEEPvGL","detail":"Could not find space with ids: [1nAJELYEEPvGL].","title":"Not Found Error","resource_type":"space","parameter":"ids","resource_id":"1nAJELYEEPvGL","type":"https://api.x.com/2/problems/resource-not-found"}"#,
        )
        .unwrap();
        assert_eq!(
            classify(Failure::Inline {
                problem: &p,
                id: "1nAJELYEEPvGL"
            }),
            ProviderError::NotFound {
                id: "1nAJELYEEPvGL".into()
            }
        );
        let p: Problem = serde_json::from_str(
            r#"{"resource_id":"1","title":"Authorization Error","detail":"Sorry, you are not authorized to see the Space with id: [1].","type":"https://api.twitter.com/2/problems/not-authorized-for-resource"}"#,
        )
        .unwrap();
        // About one Space: the credentials are fine and the rest of the answer stands.
        assert!(matches!(
            classify(Failure::Inline { problem: &p, id: "1" }),
            ProviderError::Withheld { id, detail } if id == "1" && detail.contains("not authorized")
        ));
    }

    #[test]
    fn malformed_is_kept_short() {
        let e = classify(Failure::Malformed("x".repeat(10_000)));
        let ProviderError::MalformedResponse { detail } = e else {
            panic!()
        };
        assert!(detail.chars().count() <= MAX_DETAIL_CHARS + 1);
    }

    proptest! {
        #[test]
        fn classifying_any_answer_never_panics(
            code in 0u16..1000,
            body in proptest::collection::vec(any::<u8>(), 0..512),
            header_values in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..24), 3),
            id in proptest::option::of("\\PC{0,20}"),
        ) {
            let mut headers = HeaderMap::new();
            for (name, value) in ["x-rate-limit-reset", "x-rate-limit-remaining", "x-rate-limit-limit"]
                .into_iter()
                .zip(&header_values)
            {
                if let Ok(v) = HeaderValue::from_bytes(value) {
                    headers.insert(name, v);
                }
            }
            let e = classify(Failure::Status {
                status: code,
                headers: &headers,
                body: &body,
                lookup_id: id.as_deref(),
            });
            // Every status maps to a failure the API can report; none is "success".
            prop_assert!(!e.code().is_empty());
        }

        #[test]
        fn classifying_any_problem_json_never_panics(
            kind in "\\PC{0,60}",
            title in "\\PC{0,30}",
            reason in "\\PC{0,30}",
            code in prop_oneof![Just(400u16), Just(403), Just(429), 100u16..600],
        ) {
            let body = serde_json::json!({"type": kind, "title": title, "reason": reason}).to_string();
            let e = classify(Failure::Status {
                status: code,
                headers: &HeaderMap::new(),
                body: body.as_bytes(),
                lookup_id: None,
            });
            prop_assert!(!e.code().is_empty());
        }
    }
}
