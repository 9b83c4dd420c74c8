//! X's JSON as it comes off the wire. Private to the crate: only `mapping` turns these into
//! core types, and only `classify` reads the problem bodies.
//!
//! Decoding is tolerant the way X needs it to be: unknown members are ignored, `state` is an
//! open string, and a member of the wrong type (the docs show `"is_ticketed": "false"` and
//! `"subscriber_count": "10"`) is read where the meaning is clear and otherwise dropped, never
//! failing the response. Only what identifies a Space (`id`, `state`) is required; a Space
//! without them makes the response malformed, because it cannot be matched to what was asked.

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use std::fmt;

/// X's objects are JSON objects. serde's derive would also read a struct from an array of
/// its members in order, making `["1DXxyRYNejbKM", "live"]` a Space; so each wire type derives
/// its reading as `remote = "Self"` and is read here only from an object.
macro_rules! objects_only {
    ($($name:ident $(<$param:ident>)?),* $(,)?) => {$(
        impl<'de $(, $param: Deserialize<'de>)?> Deserialize<'de> for $name $(<$param>)? {
            fn deserialize<De: Deserializer<'de>>(d: De) -> Result<Self, De::Error> {
                let members = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
                Self::deserialize(serde_json::Value::Object(members)).map_err(de::Error::custom)
            }
        }
    )*};
}

objects_only!(
    Envelope<D>,
    Includes,
    WireUser,
    WireSpace,
    Problem,
    InvalidParameter
);

/// The envelope of every Spaces response: `{data, includes, errors, meta}`, members present
/// only when non-empty. `meta` is not read: `result_count` is just `data.len()`.
#[derive(Debug, Deserialize)]
#[serde(remote = "Self")]
#[serde(bound = "D: Deserialize<'de>")]
pub(crate) struct Envelope<D> {
    #[serde(default)]
    pub data: Option<D>,
    #[serde(default)]
    pub includes: Lenient<Includes>,
    #[serde(default)]
    pub errors: Lenient<Vec<Problem>>,
}

impl Lenient<Vec<Problem>> {
    /// The problems X reported; none when `errors` was absent or unreadable.
    pub fn as_slice(&self) -> &[Problem] {
        self.get().map(Vec::as_slice).unwrap_or_default()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(remote = "Self")]
pub(crate) struct Includes {
    /// Expanded creators, hosts, speakers and invited users, each listed once.
    #[serde(default)]
    pub users: Vec<Lenient<WireUser>>,
}

#[derive(Debug, Deserialize)]
#[serde(remote = "Self")]
pub(crate) struct WireUser {
    pub id: WireId,
    #[serde(default)]
    pub username: Lenient<String>,
    #[serde(default)]
    pub name: Lenient<String>,
}

/// A Space object with the 17 `space.fields` X knows. Timestamps stay strings here: `mapping`
/// parses them, so that one bad timestamp costs only that field.
#[derive(Debug, Deserialize)]
#[serde(remote = "Self")]
pub(crate) struct WireSpace {
    pub id: WireId,
    pub state: String,
    #[serde(default)]
    pub title: Lenient<String>,
    #[serde(default)]
    pub creator_id: Lenient<WireId>,
    #[serde(default)]
    pub host_ids: Lenient<Vec<WireId>>,
    #[serde(default)]
    pub speaker_ids: Lenient<Vec<WireId>>,
    #[serde(default)]
    pub invited_user_ids: Lenient<Vec<WireId>>,
    #[serde(default)]
    pub topic_ids: Lenient<Vec<WireId>>,
    #[serde(default)]
    pub participant_count: Lenient<WireCount>,
    #[serde(default)]
    pub subscriber_count: Lenient<WireCount>,
    #[serde(default)]
    pub lang: Lenient<String>,
    #[serde(default)]
    pub is_ticketed: Lenient<WireBool>,
    #[serde(default)]
    pub scheduled_start: Lenient<String>,
    #[serde(default)]
    pub started_at: Lenient<String>,
    #[serde(default)]
    pub ended_at: Lenient<String>,
    #[serde(default)]
    pub created_at: Lenient<String>,
    #[serde(default)]
    pub updated_at: Lenient<String>,
}

/// An RFC 7807-style problem, as X sends it for whole-request errors (4xx/5xx bodies) and as
/// inline items of `errors[]` in 200 responses. Every member is optional: the shapes differ
/// per status (see the contract, §4.3).
#[derive(Debug, Default, Deserialize)]
#[serde(remote = "Self")]
pub(crate) struct Problem {
    #[serde(default, rename = "type")]
    pub kind: Lenient<String>,
    #[serde(default)]
    pub title: Lenient<String>,
    #[serde(default)]
    pub detail: Lenient<String>,
    /// `client-not-enrolled`, `official-client-forbidden`, …
    #[serde(default)]
    pub reason: Lenient<String>,
    /// Inline problems: which request value they are about.
    #[serde(default)]
    pub value: Lenient<WireId>,
    #[serde(default)]
    pub resource_id: Lenient<WireId>,
    /// `space`, `user`, `topic`, …: expansions report missing users in the same list.
    #[serde(default)]
    pub resource_type: Lenient<String>,
    /// 400 bodies: one item per offending parameter value.
    #[serde(default)]
    pub errors: Lenient<Vec<Lenient<InvalidParameter>>>,
}

#[derive(Debug, Deserialize)]
#[serde(remote = "Self")]
pub(crate) struct InvalidParameter {
    pub message: String,
    /// The offending parameters and their values, e.g. `{"ids": ["-"]}`.
    #[serde(default)]
    pub parameters: Lenient<serde_json::Map<String, serde_json::Value>>,
}

impl Problem {
    /// The problem's slug, from the `/2/problems/<slug>` suffix of its `type`, whatever the
    /// host (`api.x.com` and `api.twitter.com` both occur). `None` for `about:blank`.
    pub fn slug(&self) -> Option<&str> {
        let kind = self.kind.get()?;
        let (_, slug) = kind.rsplit_once("/2/problems/")?;
        (!slug.is_empty()).then_some(slug.trim_end_matches('/'))
    }

    /// The Space id an inline problem is about; `None` when it is about something else
    /// (an expanded user, a field) or names nothing.
    pub fn space_subject(&self) -> Option<&str> {
        self.is_about_spaces().then(|| self.subject()).flatten()
    }

    /// Whether the problem may concern a Space: it names no other resource type.
    pub fn is_about_spaces(&self) -> bool {
        self.resource_type.get().is_none_or(|t| t == "space")
    }

    /// The id an inline problem is about.
    pub fn subject(&self) -> Option<&str> {
        self.resource_id
            .get()
            .or_else(|| self.value.get())
            .map(WireId::as_str)
    }

    /// The most specific human text the problem carries.
    pub fn text(&self) -> Option<&str> {
        self.detail
            .get()
            .or_else(|| self.title.get())
            .map(String::as_str)
    }

    /// The names of the parameters a 400 body blames.
    pub fn blamed_parameters(&self) -> impl Iterator<Item = &str> {
        self.errors
            .get()
            .into_iter()
            .flatten()
            .filter_map(|p| p.get())
            .filter_map(|p| p.parameters.get())
            .flat_map(|parameters| parameters.keys().map(String::as_str))
    }

    pub fn messages(&self) -> impl Iterator<Item = &str> {
        self.errors
            .get()
            .into_iter()
            .flatten()
            .filter_map(|p| p.get())
            .map(|p| p.message.as_str())
    }
}

/// A member that is read when it has the expected type and otherwise set aside, remembering
/// that it was there so that mapping can say what it dropped.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) enum Lenient<T> {
    #[default]
    Absent,
    Present(T),
    Unreadable,
}

impl<T> Lenient<T> {
    pub fn get(&self) -> Option<&T> {
        match self {
            Self::Present(v) => Some(v),
            _ => None,
        }
    }

    pub fn into_option(self) -> Option<T> {
        match self {
            Self::Present(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_unreadable(&self) -> bool {
        matches!(self, Self::Unreadable)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Buffer the member so a type mismatch stays local to it; `null` counts as absent
        // because X omits absent members and a null carries nothing.
        let value = serde_json::Value::deserialize(d)?;
        if value.is_null() {
            return Ok(Self::Absent);
        }
        Ok(T::deserialize(value).map_or(Self::Unreadable, Self::Present))
    }
}

/// An id: X sends strings, some clients and docs show numbers; both read as the same string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct WireId(pub String);

impl WireId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for WireId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = WireId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id string or a non-negative integer")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<WireId, E> {
                Ok(WireId(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<WireId, E> {
                Ok(WireId(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<WireId, E> {
                Ok(WireId(v.to_string()))
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

/// A count: an integer, or a string of digits as in X's older doc renderings. Negative or
/// fractional values are not counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WireCount(pub u64);

impl<'de> Deserialize<'de> for WireCount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CountVisitor;
        impl Visitor<'_> for CountVisitor {
            type Value = WireCount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative integer")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<WireCount, E> {
                Ok(WireCount(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<WireCount, E> {
                v.parse().map(WireCount).map_err(E::custom)
            }
        }
        d.deserialize_any(CountVisitor)
    }
}

/// A boolean, or the strings `"true"`/`"false"` as in X's spec examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WireBool(pub bool);

impl<'de> Deserialize<'de> for WireBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct BoolVisitor;
        impl Visitor<'_> for BoolVisitor {
            type Value = WireBool;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<WireBool, E> {
                Ok(WireBool(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<WireBool, E> {
                match v {
                    "true" => Ok(WireBool(true)),
                    "false" => Ok(WireBool(false)),
                    _ => Err(E::custom("not a boolean")),
                }
            }
        }
        d.deserialize_any(BoolVisitor)
    }
}

/// Reads a response body; any failure is a description of what is wrong with it.
pub(crate) fn decode<D: DeserializeOwned>(body: &[u8]) -> Result<Envelope<D>, String> {
    serde_json::from_slice(body).map_err(|e| {
        if e.is_eof() {
            format!("the JSON body ends early ({e})")
        } else {
            format!("the JSON body cannot be read ({e})")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_data_dictionary_sample() {
        let body = br#"{"data":{"id":"1zqKVXPQhvZJB","state":"live","created_at":"2021-07-04T23:12:08.000Z",
            "host_ids":["2244994945","6253282"],"lang":"en","is_ticketed":false,
            "invited_user_ids":["2244994945","6253282"],"participant_count":420,
            "scheduled_start":"2021-07-14T08:00:00.000Z","speaker_ids":["2244994945","6253282"],
            "started_at":"2021-07-14T08:00:12.000Z","title":"Say hello to the Space data object!",
            "updated_at":"2021-07-11T14:44:44.000Z"},
            "includes":{"users":[{"id":"2244994945","name":"Twitter Dev","username":"TwitterDev"},
            {"id":"6253282","name":"Twitter API","username":"TwitterAPI"}]}}"#;
        let env = decode::<WireSpace>(body).unwrap();
        let space = env.data.unwrap();
        assert_eq!(space.id.as_str(), "1zqKVXPQhvZJB");
        assert_eq!(space.state, "live");
        assert_eq!(space.participant_count, Lenient::Present(WireCount(420)));
        assert_eq!(space.is_ticketed, Lenient::Present(WireBool(false)));
        assert_eq!(space.host_ids.get().unwrap().len(), 2);
        assert_eq!(env.includes.get().unwrap().users.len(), 2);
        assert!(env.errors.as_slice().is_empty());
    }

    #[test]
    fn doc_style_strings_are_read_and_wrong_types_are_set_aside() {
        let body = br#"{"data":[{"id":"1DXxyRYNejbKM","state":"live","is_ticketed":"false",
            "subscriber_count":"10","participant_count":-3,"title":7,"host_ids":[2244994945],
            "speaker_ids":"nope","future_field":{"x":1}}]}"#;
        let env = decode::<Vec<WireSpace>>(body).unwrap();
        let s = &env.data.unwrap()[0];
        assert_eq!(s.is_ticketed, Lenient::Present(WireBool(false)));
        assert_eq!(s.subscriber_count, Lenient::Present(WireCount(10)));
        assert!(s.participant_count.is_unreadable());
        assert!(s.title.is_unreadable());
        assert_eq!(
            s.host_ids.get().unwrap(),
            &vec![WireId("2244994945".into())]
        );
        assert!(s.speaker_ids.is_unreadable());
    }

    #[test]
    fn ended_canceled_and_unknown_states_decode() {
        for state in ["ended", "canceled", "paused"] {
            let body = format!(r#"{{"data":{{"id":"1YpKkzBgBlVxj","state":"{state}"}}}}"#);
            let env = decode::<WireSpace>(body.as_bytes()).unwrap();
            assert_eq!(env.data.unwrap().state, state);
        }
    }

    #[test]
    fn a_space_without_id_or_state_is_malformed() {
        assert!(decode::<WireSpace>(br#"{"data":{"state":"live"}}"#).is_err());
        assert!(decode::<WireSpace>(br#"{"data":{"id":"1YpKkzBgBlVxj"}}"#).is_err());
        assert!(decode::<Vec<WireSpace>>(br#"{"data":{"id":"1","state":"live"}}"#).is_err());
    }

    #[test]
    fn arrays_are_not_objects() {
        // Found by fuzzing: serde's derive read a struct from an array of its members.
        assert!(decode::<WireSpace>(br#"{"data":["2244994945","1YpKkzBgBlVxj",null]}"#).is_err());
        assert!(decode::<Vec<WireSpace>>(br#"{"data":[["1DXxyRYNejbKM","live"]]}"#).is_err());
        assert!(decode::<Vec<WireSpace>>(br#"[{"id":"1DXxyRYNejbKM","state":"live"}]"#).is_err());
        let env = decode::<WireSpace>(
            br#"{"data":{"id":"1","state":"live"},"includes":{"users":[["9","a"]]}}"#,
        )
        .unwrap();
        assert!(env.includes.get().unwrap().users[0].is_unreadable());
        let problem: Problem = serde_json::from_str(r#"{"errors":[["bad value"]]}"#).unwrap();
        assert_eq!(problem.messages().count(), 0);
        assert!(serde_json::from_str::<Problem>(r#"["about:blank","Forbidden"]"#).is_err());
    }

    #[test]
    fn truncated_json_says_it_ends_early() {
        let err = decode::<WireSpace>(br#"{"data":{"id":"1YpKkzBgBlVxj","sta"#).unwrap_err();
        assert!(err.contains("ends early"), "{err}");
        let err = decode::<WireSpace>(b"<html>").unwrap_err();
        assert!(err.contains("cannot be read"), "{err}");
    }

    #[test]
    fn partial_errors_and_problem_slugs() {
        let body =
            br#"{"data":[{"id":"1DXxyRYNejbKM","state":"live"}],"errors":[{"value":"1nAJELYEEPvGL",
            "detail":"Could not find space with ids: [1nAJELYEEPvGL].","title":"Not Found Error",
            "resource_type":"space","parameter":"ids","resource_id":"1nAJELYEEPvGL",
            "type":"https://api.twitter.com/2/problems/resource-not-found"}]}"#;
        let env = decode::<Vec<WireSpace>>(body).unwrap();
        let p = &env.errors.as_slice()[0];
        assert_eq!(p.slug(), Some("resource-not-found"));
        assert_eq!(p.subject(), Some("1nAJELYEEPvGL"));
        assert_eq!(p.space_subject(), Some("1nAJELYEEPvGL"));
        let user: Problem = serde_json::from_str(
            r#"{"value":"1580000000000000001","resource_type":"user","parameter":"creator_id",
            "resource_id":"1580000000000000001","type":"https://api.x.com/2/problems/resource-not-found"}"#,
        )
        .unwrap();
        assert_eq!(user.subject(), Some("1580000000000000001"));
        assert_eq!(user.space_subject(), None);
        let x_host = Problem {
            kind: Lenient::Present("https://api.x.com/2/problems/usage-capped".into()),
            ..Problem::default()
        };
        assert_eq!(x_host.slug(), Some("usage-capped"));
        let blank = Problem {
            kind: Lenient::Present("about:blank".into()),
            ..Problem::default()
        };
        assert_eq!(blank.slug(), None);
    }

    #[test]
    fn empty_result_has_no_data() {
        let env = decode::<Vec<WireSpace>>(br#"{"meta":{"result_count":0}}"#).unwrap();
        assert!(env.data.is_none());
        let env = decode::<Vec<WireSpace>>(br#"{"data":null,"errors":"x"}"#).unwrap();
        assert!(env.data.is_none() && env.errors.as_slice().is_empty());
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        use serde_json::{Value, json};
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| json!(f)),
            "\\PC{0,12}".prop_map(Value::from),
            Just(Value::from("2021-07-14T08:00:12.000Z")),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map("\\PC{0,6}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    const KEYS: [&str; 20] = [
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
        "users",
        "errors",
        "type",
    ];

    proptest::proptest! {
        #[test]
        fn decoding_any_bytes_never_panics(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let _ = decode::<WireSpace>(&body);
            let _ = decode::<Vec<WireSpace>>(&body);
            let _ = serde_json::from_slice::<Problem>(&body);
        }

        #[test]
        fn decoding_and_mapping_any_x_shaped_json_never_panics(
            fields in proptest::collection::vec((proptest::sample::select(&KEYS[..]), json_value()), 0..12),
            users in proptest::collection::vec(json_value(), 0..3),
            errors in json_value(),
            identity in proptest::option::of(("[a-zA-Z0-9]{1,13}", "\\PC{0,10}")),
        ) {
            let mut space: serde_json::Map<String, serde_json::Value> =
                fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            // Mostly Spaces X could send, so mapping is exercised, not only refusal.
            if let Some((id, state)) = identity {
                space.insert("id".into(), id.into());
                space.insert("state".into(), state.into());
            }
            let body = serde_json::json!({
                "data": [space.clone()],
                "includes": {"users": users},
                "errors": errors,
            });
            let bytes = body.to_string().into_bytes();
            if let Ok(env) = decode::<Vec<WireSpace>>(&bytes) {
                let users = crate::mapping::Users::from_includes(env.includes);
                let network = onair_core::NetworkId::from_static("x");
                let expected_id = match space.get("id") {
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    Some(serde_json::Value::Number(n)) => n.as_u64().map(|n| n.to_string()),
                    _ => None,
                };
                for wire in env.data.unwrap_or_default() {
                    let mapped = crate::mapping::space(&network, wire, &users);
                    let valid = expected_id.as_deref().is_some_and(|id| crate::ids::validate_space_id(id).is_ok());
                    proptest::prop_assert_eq!(mapped.is_some(), valid);
                    if let Some(mapped) = mapped {
                        proptest::prop_assert_eq!(Some(&mapped.native_id), expected_id.as_ref());
                    }
                }
                for problem in env.errors.as_slice() {
                    let _ = (problem.slug(), problem.subject(), problem.text(), problem.messages().count());
                }
            }
        }
    }
}
