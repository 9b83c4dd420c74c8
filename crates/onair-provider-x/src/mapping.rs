//! From X's wire objects to onair's `Space` and `User`.
//!
//! A member X sent but onair cannot read (a malformed timestamp, a count that is not a
//! count) is dropped from that one Space and reported in a `warn` event; the rest of the
//! Space and of the response is kept. One bad field must not hide a Space that exists.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use onair_core::{NetworkId, Space, SpaceState, User};

use crate::ids::{validate_space_id, validate_user_id};
use crate::wire::{Includes, Lenient, WireId, WireSpace, WireUser};

/// Where a person opens a Space on X.
const SPACE_URL_PREFIX: &str = "https://x.com/i/spaces/";

/// The expanded users of one response, by id.
#[derive(Debug, Default)]
pub(crate) struct Users(HashMap<String, User>);

impl Users {
    pub fn from_includes(includes: Lenient<Includes>) -> Self {
        let users = includes
            .into_option()
            .map(|i| i.users)
            .unwrap_or_default()
            .into_iter()
            .filter_map(Lenient::into_option)
            .map(|u: WireUser| {
                let user = User {
                    native_id: u.id.0,
                    username: u.username.into_option(),
                    name: u.name.into_option(),
                };
                (user.native_id.clone(), user)
            })
            .collect();
        Self(users)
    }

    fn get(&self, id: &str) -> Option<User> {
        self.0.get(id).cloned()
    }
}

/// Maps one wire Space (see the module docs). A Space whose id is not an X Space id is left
/// out, with a `warn` event: a client could not ask for it again, and its `url` would point
/// anywhere on x.com.
pub(crate) fn space(network: &NetworkId, wire: WireSpace, users: &Users) -> Option<Space> {
    let id = wire.id.0;
    if validate_space_id(&id).is_err() {
        tracing::warn!(
            space = %id.escape_debug(),
            "X sent a Space whose id is not an X Space id; it is left out"
        );
        return None;
    }
    let mut dropped: Vec<&'static str> = Vec::new();

    let mut space = Space::new(
        network.clone(),
        id.clone(),
        SpaceState::from(wire.state.as_str()),
    );
    space.url = Some(format!("{SPACE_URL_PREFIX}{id}"));
    space.title = keep("title", wire.title, &mut dropped);
    space.lang = keep("lang", wire.lang, &mut dropped);
    space.creator_id = keep("creator_id", wire.creator_id, &mut dropped)
        .map(|c| c.0)
        .filter(|c| user_id("creator_id", c, &mut dropped));
    space.host_ids = ids("host_ids", wire.host_ids, &mut dropped);
    space.speaker_ids = ids("speaker_ids", wire.speaker_ids, &mut dropped);
    space.invited_user_ids = ids("invited_user_ids", wire.invited_user_ids, &mut dropped);
    space.topic_ids = keep("topic_ids", wire.topic_ids, &mut dropped)
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.0)
        .collect();
    space.participant_count =
        keep("participant_count", wire.participant_count, &mut dropped).map(|c| c.0);
    space.subscriber_count =
        keep("subscriber_count", wire.subscriber_count, &mut dropped).map(|c| c.0);
    space.is_ticketed = keep("is_ticketed", wire.is_ticketed, &mut dropped).map(|b| b.0);
    space.scheduled_start = timestamp("scheduled_start", wire.scheduled_start, &mut dropped);
    space.started_at = timestamp("started_at", wire.started_at, &mut dropped);
    space.ended_at = timestamp("ended_at", wire.ended_at, &mut dropped);
    space.created_at = timestamp("created_at", wire.created_at, &mut dropped);
    space.updated_at = timestamp("updated_at", wire.updated_at, &mut dropped);

    space.creator = space.creator_id.as_deref().and_then(|c| users.get(c));
    space.hosts = space.host_ids.iter().filter_map(|h| users.get(h)).collect();
    space.speakers = space
        .speaker_ids
        .iter()
        .filter_map(|s| users.get(s))
        .collect();

    if !dropped.is_empty() {
        tracing::warn!(
            space = %id,
            fields = ?dropped,
            "X sent Space fields onair cannot read; they are left out"
        );
    }
    Some(space)
}

/// Whether a user id X sent is one onair can hand on (clients ask for creators by it).
fn user_id(field: &'static str, id: &str, dropped: &mut Vec<&'static str>) -> bool {
    let valid = validate_user_id(id).is_ok();
    if !valid && !dropped.contains(&field) {
        dropped.push(field);
    }
    valid
}

fn keep<T>(field: &'static str, value: Lenient<T>, dropped: &mut Vec<&'static str>) -> Option<T> {
    if value.is_unreadable() {
        dropped.push(field);
    }
    value.into_option()
}

/// User ids (hosts, speakers, invited users); any that is not an X user id is left out.
fn ids(
    field: &'static str,
    value: Lenient<Vec<WireId>>,
    dropped: &mut Vec<&'static str>,
) -> Vec<String> {
    keep(field, value, dropped)
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.0)
        .filter(|i| user_id(field, i, dropped))
        .collect()
}

fn timestamp(
    field: &'static str,
    value: Lenient<String>,
    dropped: &mut Vec<&'static str>,
) -> Option<DateTime<Utc>> {
    let text = keep(field, value, dropped)?;
    match DateTime::parse_from_rfc3339(&text) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(_) => {
            dropped.push(field);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Envelope, decode};

    const X: NetworkId = NetworkId::from_static("x");

    fn one(body: &str) -> Space {
        let env: Envelope<WireSpace> = decode(body.as_bytes()).unwrap();
        let users = Users::from_includes(env.includes);
        space(&X, env.data.unwrap(), &users).unwrap()
    }

    #[test]
    fn maps_every_field_and_expands_users() {
        let s = one(
            r#"{"data":{"id":"1zqKVXPQhvZJB","state":"live","created_at":"2021-07-04T23:12:08.000Z",
            "creator_id":"2244994945","host_ids":["2244994945","6253282"],"lang":"en","is_ticketed":false,
            "invited_user_ids":["6253282"],"participant_count":420,"subscriber_count":12,
            "scheduled_start":"2021-07-14T08:00:00.000Z","speaker_ids":["6253282","999"],
            "started_at":"2021-07-14T08:00:12.000Z","title":"Say hello 👋 to the Space data object!",
            "topic_ids":["848920371311001600"],"updated_at":"2021-07-11T14:44:44.000Z"},
            "includes":{"users":[{"id":"2244994945","name":"Twitter Dev","username":"TwitterDev"},
            {"id":"6253282","name":"Twitter API","username":"TwitterAPI"}],
            "topics":[{"id":"848920371311001600","name":"Technology"}]}}"#,
        );
        assert_eq!(s.native_id, "1zqKVXPQhvZJB");
        assert_eq!(s.state, SpaceState::Live);
        assert_eq!(
            s.title.as_deref(),
            Some("Say hello 👋 to the Space data object!")
        );
        assert_eq!(
            s.url.as_deref(),
            Some("https://x.com/i/spaces/1zqKVXPQhvZJB")
        );
        assert_eq!(s.creator_id.as_deref(), Some("2244994945"));
        assert_eq!(
            s.creator.as_ref().unwrap().username.as_deref(),
            Some("TwitterDev")
        );
        assert_eq!(s.hosts.len(), 2);
        assert_eq!(s.hosts[1].name.as_deref(), Some("Twitter API"));
        // `999` was not expanded: its id is kept, no user is invented.
        assert_eq!(s.speaker_ids, ["6253282", "999"]);
        assert_eq!(s.speakers.len(), 1);
        assert_eq!(s.invited_user_ids, ["6253282"]);
        assert_eq!(s.topic_ids, ["848920371311001600"]);
        assert_eq!(s.participant_count, Some(420));
        assert_eq!(s.subscriber_count, Some(12));
        assert_eq!(s.is_ticketed, Some(false));
        assert_eq!(s.lang.as_deref(), Some("en"));
        assert_eq!(
            s.started_at.unwrap().to_rfc3339(),
            "2021-07-14T08:00:12+00:00"
        );
        assert!(s.created_at.is_some() && s.updated_at.is_some() && s.scheduled_start.is_some());
        assert_eq!(s.ended_at, None);
    }

    #[test]
    fn a_malformed_timestamp_drops_only_that_field() {
        let s = one(
            r#"{"data":{"id":"1DXxyRYNejbKM","state":"scheduled","title":"kept",
            "scheduled_start":"2021-7-14T04:35:55Z","created_at":"2021-07-04T23:12:08.000Z"}}"#,
        );
        assert_eq!(s.scheduled_start, None);
        assert!(s.created_at.is_some());
        assert_eq!(s.title.as_deref(), Some("kept"));
        assert_eq!(s.state, SpaceState::Scheduled);
    }

    #[test]
    fn states_are_open() {
        assert_eq!(
            one(r#"{"data":{"id":"1","state":"ended"}}"#).state,
            SpaceState::Ended
        );
        assert_eq!(
            one(r#"{"data":{"id":"1","state":"canceled"}}"#).state,
            SpaceState::Canceled
        );
        assert_eq!(
            one(r#"{"data":{"id":"1","state":"paused"}}"#).state,
            SpaceState::Other("paused".into())
        );
    }

    #[test]
    fn a_space_whose_id_is_not_an_x_space_id_is_left_out() {
        // Found by fuzzing: such a Space was served, with a `url` made from its id.
        for id in [
            "1839-09-26T10:02:19+00:00",
            "",
            "../../home",
            "1DXxyRYNejbKMa",
        ] {
            let env: Envelope<WireSpace> =
                decode(format!(r#"{{"data":{{"id":"{id}","state":"live"}}}}"#).as_bytes()).unwrap();
            assert!(
                space(&X, env.data.unwrap(), &Users::default()).is_none(),
                "{id:?}"
            );
        }
    }

    #[test]
    fn user_ids_that_are_not_x_user_ids_are_left_out() {
        let s = one(
            r#"{"data":{"id":"1DXxyRYNejbKM","state":"live","creator_id":"TwitterDev",
            "host_ids":["2244994945","@x",""],"speaker_ids":[6253282,"12345678901234567890"]},
            "includes":{"users":[{"id":"TwitterDev","username":"TwitterDev"}]}}"#,
        );
        assert_eq!(s.creator_id, None);
        assert!(s.creator.is_none());
        assert_eq!(s.host_ids, ["2244994945"]);
        assert_eq!(s.speaker_ids, ["6253282"]);
    }

    #[test]
    fn defaults_only_leave_the_rest_empty() {
        let s = one(r#"{"data":{"id":"1YpKkzBgBlVxj","state":"ended"}}"#);
        assert_eq!(s.title, None);
        assert!(s.host_ids.is_empty() && s.hosts.is_empty() && s.creator.is_none());
        assert_eq!(
            s.url.as_deref(),
            Some("https://x.com/i/spaces/1YpKkzBgBlVxj")
        );
    }
}
