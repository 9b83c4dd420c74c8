//! X's answers (status, headers, body) read the way the X adapter reads every answer:
//! classified into a `ProviderError` or mapped into Spaces, and recorded in the rate budget.
#![no_main]

use arbitrary::Arbitrary;
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use onair_core::{ProviderError, RateLimitScope, Space};
use onair_provider_x::fuzzing::{Answered, Call, NextCall, Read, answer};
use serde_json::{Map, Value, json};

/// Longest X text onair passes on (500 characters, then `…`), with its own wording around it.
const MAX_DETAIL_CHARS: usize = 650;

const IDS: &[&str] = &["1DXxyRYNejbKM", "1YpKkzBgBlVxj", "1nAJELYEEPvGL"];
const USERS: &[&str] = &["2244994945", "6253282", "1580000000000000001"];
const STATUSES: &[u16] = &[200, 400, 401, 402, 403, 404, 409, 429, 500, 502, 503, 504];
const SLUGS: &[&str] = &[
    "resource-not-found",
    "not-authorized-for-resource",
    "disallowed-resource",
    "resource-unavailable",
    "usage-capped",
    "invalid-request",
    "client-forbidden",
];
const SPACE_FIELDS: &[&str] = &[
    "id",
    "state",
    "title",
    "creator_id",
    "host_ids",
    "speaker_ids",
    "invited_user_ids",
    "topic_ids",
    "participant_count",
    "subscriber_count",
    "lang",
    "is_ticketed",
    "scheduled_start",
    "started_at",
    "ended_at",
    "created_at",
    "updated_at",
];
const PROBLEM_FIELDS: &[&str] = &[
    "type",
    "title",
    "detail",
    "reason",
    "value",
    "resource_id",
    "resource_type",
    "errors",
    "status",
];
const HEADERS: &[&str] = &[
    "x-rate-limit-limit",
    "x-rate-limit-remaining",
    "x-rate-limit-reset",
    "content-type",
];

#[derive(Arbitrary, Debug)]
struct Input {
    call: CallKind,
    status: Status,
    headers: Vec<(u8, HeaderText)>,
    body: Body,
}

#[derive(Arbitrary, Debug)]
enum CallKind {
    Lookup(u8),
    LookupMany(Vec<u8>),
    ByCreators,
    Search,
}

#[derive(Arbitrary, Debug)]
enum Status {
    Common(u8),
    Any(u16),
}

#[derive(Arbitrary, Debug)]
enum HeaderText {
    Number(i64),
    Unsigned(u64),
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Body {
    Raw(Vec<u8>),
    Shaped(Envelope),
}

#[derive(Arbitrary, Debug)]
struct Envelope {
    data: Option<Data>,
    users: Option<Vec<Vec<(UserField, Json)>>>,
    errors: Option<Vec<Vec<(u8, Json)>>>,
    truncate_to: Option<u16>,
}

#[derive(Arbitrary, Debug)]
enum Data {
    One(Vec<(u8, Json)>),
    Many(Vec<Vec<(u8, Json)>>),
    Other(Json),
}

#[derive(Arbitrary, Debug)]
enum UserField {
    Id,
    Username,
    Name,
}

/// JSON values leaning towards what X sends.
#[derive(Arbitrary, Debug)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Unsigned(u64),
    Float(f64),
    Text(String),
    SpaceId(u8),
    UserId(u8),
    Time(i64),
    ProblemType(u8),
    Message(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn value(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => json!(b),
            Self::Int(n) => json!(n),
            Self::Unsigned(n) => json!(n),
            Self::Float(f) => json!(f),
            Self::Text(s) => json!(s),
            Self::SpaceId(i) => json!(pick(IDS, *i)),
            Self::UserId(i) => json!(pick(USERS, *i)),
            Self::Time(secs) => match chrono::DateTime::from_timestamp(*secs, 0) {
                Some(t) => json!(t.to_rfc3339()),
                None => json!(secs.to_string()),
            },
            Self::ProblemType(i) => {
                json!(format!("https://api.x.com/2/problems/{}", pick(SLUGS, *i)))
            }
            Self::Message(m) => json!({ "message": m }),
            Self::Array(items) => Value::Array(items.iter().map(Self::value).collect()),
            Self::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value()))
                    .collect(),
            ),
        }
    }
}

fn pick<T: Copy>(from: &[T], i: u8) -> T {
    from[usize::from(i) % from.len()]
}

fn object(fields: &[(u8, Json)], names: &[&str]) -> Value {
    let members: Map<String, Value> = fields
        .iter()
        .map(|(name, v)| (pick(names, *name).to_owned(), v.value()))
        .collect();
    Value::Object(members)
}

impl Envelope {
    fn bytes(&self) -> Vec<u8> {
        let mut body = Map::new();
        if let Some(data) = &self.data {
            let data = match data {
                Data::One(fields) => object(fields, SPACE_FIELDS),
                Data::Many(spaces) => {
                    Value::Array(spaces.iter().map(|s| object(s, SPACE_FIELDS)).collect())
                }
                Data::Other(v) => v.value(),
            };
            body.insert("data".into(), data);
        }
        if let Some(users) = &self.users {
            let users: Vec<Value> = users
                .iter()
                .map(|fields| {
                    let members: Map<String, Value> = fields
                        .iter()
                        .map(|(f, v)| {
                            let name = match f {
                                UserField::Id => "id",
                                UserField::Username => "username",
                                UserField::Name => "name",
                            };
                            (name.to_owned(), v.value())
                        })
                        .collect();
                    Value::Object(members)
                })
                .collect();
            body.insert("includes".into(), json!({ "users": users }));
        }
        if let Some(errors) = &self.errors {
            let errors: Vec<Value> = errors.iter().map(|p| object(p, PROBLEM_FIELDS)).collect();
            body.insert("errors".into(), Value::Array(errors));
        }
        let mut bytes = serde_json::to_vec(&Value::Object(body)).unwrap();
        if let Some(len) = self.truncate_to {
            bytes.truncate(usize::from(len));
        }
        bytes
    }
}

fn header_map(headers: &[(u8, HeaderText)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, text) in headers.iter().take(8) {
        let value = match text {
            HeaderText::Number(n) => HeaderValue::from(*n),
            HeaderText::Unsigned(n) => HeaderValue::from(*n),
            HeaderText::Raw(bytes) => match HeaderValue::from_bytes(bytes) {
                Ok(v) => v,
                Err(_) => continue,
            },
        };
        map.append(HeaderName::from_static(pick(HEADERS, *name)), value);
    }
    map
}

fn check_text(text: &str) {
    assert!(
        text.chars().count() <= MAX_DETAIL_CHARS,
        "X's text is passed on unclipped ({} characters)",
        text.chars().count()
    );
}

fn check_error(e: &ProviderError) {
    assert!(
        !matches!(
            e,
            ProviderError::Timeout
                | ProviderError::Unsupported { .. }
                | ProviderError::NotConfigured { .. }
        ),
        "an X answer cannot mean {e:?}"
    );
    // Every variant's text is its detail and a few words around it.
    check_text(&e.to_string());
    match e {
        ProviderError::Forbidden {
            reason: Some(reason),
            ..
        } => check_text(reason),
        ProviderError::NotFound { id } => {
            assert!(
                IDS.contains(&id.as_str()),
                "not found names `{id}`, not an asked id"
            );
        }
        _ => {}
    }
}

/// A Space onair hands on must be one a client can ask for again.
fn check_space(space: &Space) {
    assert_eq!(space.network.as_str(), "x");
    let id = &space.native_id;
    assert!(
        !id.is_empty() && id.len() <= 13 && id.bytes().all(|b| b.is_ascii_alphanumeric()),
        "a Space with an id that is not an X Space id is served: {id:?}"
    );
    assert_eq!(
        space.url.as_deref(),
        Some(format!("https://x.com/i/spaces/{id}").as_str())
    );
    let user_id = |u: &str| !u.is_empty() && u.len() <= 19 && u.bytes().all(|b| b.is_ascii_digit());
    for u in space
        .creator_id
        .iter()
        .chain(&space.host_ids)
        .chain(&space.speaker_ids)
        .chain(&space.invited_user_ids)
    {
        assert!(
            user_id(u),
            "a Space names a user with an id that is not an X user id: {u:?}"
        );
    }
    if let Some(creator) = &space.creator {
        assert_eq!(Some(&creator.native_id), space.creator_id.as_ref());
    }
    for host in &space.hosts {
        assert!(space.host_ids.contains(&host.native_id));
    }
    for speaker in &space.speakers {
        assert!(space.speaker_ids.contains(&speaker.native_id));
    }
}

/// The status decides first (see `classify`); codes, not variants, so the check holds
/// whatever finer variants a status is split into.
fn check_status_decides(status: u16, call: Call<'_>, e: &ProviderError) {
    let lookup = matches!(call, Call::Lookup(_));
    let code = e.code();
    let expected = match status {
        401 => code == "upstream_unauthorized",
        402 => code == "upstream_payment_required",
        403 => code == "upstream_forbidden",
        404 if lookup => code == "not_found",
        // Outside a single lookup, a 404 means a wrong base URL, not a missing Space.
        404 => matches!(
            e,
            ProviderError::Unavailable {
                status: Some(404),
                ..
            }
        ),
        429 => matches!(code, "upstream_rate_limited" | "upstream_usage_capped"),
        400..=499 => matches!(
            code,
            "upstream_invalid_request" | "upstream_rejected_request"
        ),
        _ => {
            matches!(e, ProviderError::Unavailable { status: Some(s), .. } if *s == status)
        }
    };
    assert!(expected, "X's {status} was read as {e:?}");
}

fn check_budget(status: u16, headers: &HeaderMap, answered: &Answered) {
    // However the answer went, the budget lets calls through again once its resets pass.
    assert_eq!(
        answered.next_later,
        NextCall::Sent,
        "the budget is still closed after every reset the answer named"
    );
    if status == 429 {
        assert!(
            matches!(
                answered.next_now,
                NextCall::Refused(ProviderError::RateLimited { .. })
            ),
            "a 429 let the next call go at once: {:?}",
            answered.next_now
        );
    }
    let rate_headers = headers
        .keys()
        .any(|k| k.as_str().starts_with("x-rate-limit-"));
    if !rate_headers && status != 429 {
        assert_eq!(
            answered.next_now,
            NextCall::Sent,
            "a missing header read as exhausted"
        );
    }
    for snapshot in &answered.budgets {
        assert!(snapshot.remaining.is_some() && snapshot.reset_at.is_some());
    }
}

fuzz_target!(|input: Input| {
    let status = match input.status {
        Status::Common(i) => pick(STATUSES, i),
        Status::Any(s) => s,
    };
    let headers = header_map(&input.headers);
    let body = match &input.body {
        Body::Raw(bytes) => bytes.clone(),
        Body::Shaped(envelope) => envelope.bytes(),
    };
    let chunk: Vec<&str> = match &input.call {
        CallKind::LookupMany(picks) => {
            let mut ids: Vec<&str> = picks.iter().map(|i| pick(IDS, *i)).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        }
        _ => Vec::new(),
    };
    let call = match input.call {
        CallKind::Lookup(i) => Call::Lookup(pick(IDS, i)),
        CallKind::LookupMany(_) => Call::LookupMany(&chunk),
        CallKind::ByCreators => Call::ByCreators,
        CallKind::Search => Call::Search,
    };
    let answered = answer(call, status, &headers, &body);
    check_budget(status, &headers, &answered);
    match &answered.read {
        Err(e) => {
            check_error(e);
            if !(200..300).contains(&status) {
                check_status_decides(status, call, e);
            }
            if let ProviderError::RateLimited {
                scope: RateLimitScope::UsageCap,
                reset_at,
            } = e
            {
                assert_eq!(*reset_at, None, "a usage cap's end is unknown");
            }
        }
        Ok(read) => {
            assert!(
                (200..300).contains(&status),
                "X's {status} was read as a success"
            );
            match read {
                Read::Space(space) => {
                    check_space(space);
                    if let Call::Lookup(id) = call {
                        assert_eq!(&space.native_id, id, "asked for one Space, got another");
                    }
                }
                Read::Spaces(spaces) => spaces.iter().for_each(check_space),
                Read::Outcomes(outcomes) => {
                    for id in &chunk {
                        match outcomes.get(*id) {
                            Some(Ok(space)) => {
                                check_space(space);
                                assert_eq!(&space.native_id, id);
                            }
                            Some(Err(e)) => check_error(e),
                            None => panic!("no outcome for asked id {id}"),
                        }
                    }
                }
            }
        }
    }
});
