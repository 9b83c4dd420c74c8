//! The sandbox's fixed catalogue. Times are offsets from an anchor hour.

use chrono::{DateTime, Duration, Utc};
use onair_core::{NetworkId, Space, SpaceState, User};

/// Space ids that fail on purpose, so tenants can test their error handling.
pub const MAGIC_IDS: [&str; 4] = [
    "error-rate-limited",
    "error-unavailable",
    "error-timeout",
    "error-unauthorized",
];

const USERS: [(&str, &str); 6] = [
    ("alice", "Alice Okafor"),
    ("bob", "Bob Lindqvist"),
    ("chen", "陈静"),
    ("dana", "دانا"),
    ("emeka", "Emeka Obi"),
    ("farah", "Farah Ben Saïd"),
];

fn user(id: &str) -> User {
    let name = USERS
        .iter()
        .find(|(u, _)| *u == id)
        .map(|(_, n)| n.to_string());
    User {
        native_id: id.to_owned(),
        username: Some(id.to_owned()),
        name,
    }
}

struct Entry {
    id: &'static str,
    state: SpaceState,
    title: &'static str,
    creator: &'static str,
    hosts: &'static [&'static str],
    speakers: &'static [&'static str],
    lang: &'static str,
    ticketed: bool,
    participants: Option<u64>,
    /// Minutes from the anchor: the start (or scheduled start).
    start: i64,
    /// Minutes from the anchor when it ended, for ended Spaces.
    end: Option<i64>,
}

const ENTRIES: &[Entry] = &[
    Entry {
        id: "live-rust-weekly",
        state: SpaceState::Live,
        title: "Rust weekly: async traits in practice",
        creator: "alice",
        hosts: &["alice", "bob"],
        speakers: &["alice", "bob", "emeka"],
        lang: "en",
        ticketed: false,
        participants: Some(312),
        start: -25,
        end: None,
    },
    Entry {
        id: "live-jazz",
        state: SpaceState::Live,
        title: "Late-night jazz 🎷 listening room",
        creator: "bob",
        hosts: &["bob"],
        speakers: &["bob"],
        lang: "en",
        ticketed: true,
        participants: Some(58),
        start: -70,
        end: None,
    },
    Entry {
        id: "live-tokyo-tech",
        state: SpaceState::Live,
        title: "東京テックトーク: 日本語で話そう",
        creator: "chen",
        hosts: &["chen"],
        speakers: &["chen", "farah"],
        lang: "ja",
        ticketed: false,
        participants: Some(141),
        start: -12,
        end: None,
    },
    Entry {
        id: "live-arabic-tech",
        state: SpaceState::Live,
        title: "مساحة للحديث عن التقنية",
        creator: "dana",
        hosts: &["dana"],
        speakers: &["dana"],
        lang: "ar",
        ticketed: false,
        participants: Some(77),
        start: -40,
        end: None,
    },
    Entry {
        id: "scheduled-launch-ama",
        state: SpaceState::Scheduled,
        title: "Product launch AMA",
        creator: "alice",
        hosts: &["alice"],
        speakers: &[],
        lang: "en",
        ticketed: false,
        participants: None,
        start: 2 * 24 * 60,
        end: None,
    },
    Entry {
        id: "scheduled-book-club",
        state: SpaceState::Scheduled,
        title: "Book club: The Left Hand of Darkness",
        creator: "emeka",
        hosts: &["emeka"],
        speakers: &[],
        lang: "en",
        ticketed: false,
        participants: None,
        start: 5 * 24 * 60,
        end: None,
    },
    Entry {
        id: "scheduled-jazz-jam",
        state: SpaceState::Scheduled,
        title: "Sunday jazz jam session",
        creator: "bob",
        hosts: &["bob", "farah"],
        speakers: &[],
        lang: "en",
        ticketed: true,
        participants: None,
        start: 3 * 60,
        end: None,
    },
    Entry {
        id: "scheduled-cafe-francais",
        state: SpaceState::Scheduled,
        title: "Café en français ☕ — débutants bienvenus",
        creator: "farah",
        hosts: &["farah"],
        speakers: &[],
        lang: "fr",
        ticketed: false,
        participants: None,
        start: 26 * 60,
        end: None,
    },
    Entry {
        id: "ended-postmortem",
        state: SpaceState::Ended,
        title: "Incident postmortem, in the open",
        creator: "dana",
        hosts: &["dana"],
        speakers: &["dana", "alice"],
        lang: "en",
        ticketed: false,
        participants: Some(0),
        start: -2 * 24 * 60,
        end: Some(-2 * 24 * 60 + 55),
    },
    Entry {
        id: "ended-jazz-history",
        state: SpaceState::Ended,
        title: "A short history of jazz radio",
        creator: "bob",
        hosts: &["bob"],
        speakers: &["bob"],
        lang: "en",
        ticketed: false,
        participants: Some(0),
        start: -3 * 24 * 60,
        end: Some(-3 * 24 * 60 + 90),
    },
    Entry {
        id: "canceled-berlin-meetup",
        state: SpaceState::Canceled,
        title: "Berlin meetup (moved online)",
        creator: "chen",
        hosts: &["chen"],
        speakers: &[],
        lang: "de",
        ticketed: false,
        participants: None,
        start: 24 * 60,
        end: None,
    },
];

const TOPICS: [&str; 8] = [
    "music",
    "technology",
    "books",
    "sports",
    "cooking",
    "travel",
    "science",
    "film",
];
/// Generated Spaces beside the hand-written ones, for paging, batching and limits.
const GENERATED: usize = 200;

pub(crate) fn spaces(network: &NetworkId, anchor: DateTime<Utc>) -> Vec<Space> {
    let at = |minutes: i64| anchor + Duration::minutes(minutes);
    let mut out: Vec<Space> = ENTRIES
        .iter()
        .map(|e| {
            let mut s = Space::new(network.clone(), e.id, e.state.clone());
            s.title = Some(e.title.to_owned());
            s.creator_id = Some(e.creator.to_owned());
            s.creator = Some(user(e.creator));
            s.host_ids = e.hosts.iter().map(|h| h.to_string()).collect();
            s.hosts = e.hosts.iter().map(|h| user(h)).collect();
            s.speaker_ids = e.speakers.iter().map(|h| h.to_string()).collect();
            s.speakers = e.speakers.iter().map(|h| user(h)).collect();
            s.lang = Some(e.lang.to_owned());
            s.is_ticketed = Some(e.ticketed);
            s.participant_count = e.participants;
            // Created a week before it starts, or an hour ago if that is still to come.
            s.created_at = Some(at((e.start - 7 * 24 * 60).min(-60)));
            match e.state {
                SpaceState::Scheduled | SpaceState::Canceled => {
                    s.scheduled_start = Some(at(e.start))
                }
                _ => s.started_at = Some(at(e.start)),
            }
            s.ended_at = e.end.map(at);
            s
        })
        .collect();
    for i in 0..GENERATED {
        let (state, start) = match i % 4 {
            0 => (SpaceState::Live, -((i as i64 % 90) + 1)),
            1 | 2 => (SpaceState::Scheduled, 60 * (i as i64 % 72 + 1)),
            _ => (SpaceState::Ended, -24 * 60 - i as i64),
        };
        let creator = USERS[i % USERS.len()].0;
        let topic = TOPICS[i % TOPICS.len()];
        let mut s = Space::new(network.clone(), format!("demo-{:03}", i + 1), state.clone());
        s.title = Some(format!("Demo Space {} about {topic}", i + 1));
        s.creator_id = Some(creator.to_owned());
        s.creator = Some(user(creator));
        s.host_ids = vec![creator.to_owned()];
        s.hosts = vec![user(creator)];
        s.lang = Some("en".to_owned());
        s.is_ticketed = Some(i % 10 == 0);
        s.created_at = Some(at((start - 24 * 60).min(-60)));
        match state {
            SpaceState::Scheduled => s.scheduled_start = Some(at(start)),
            SpaceState::Ended => {
                s.started_at = Some(at(start));
                s.ended_at = Some(at(start + 45));
            }
            _ => {
                s.started_at = Some(at(start));
                s.participant_count = Some((i as u64 * 37) % 500);
            }
        }
        out.push(s);
    }
    for s in &mut out {
        s.updated_at = last_change(s, anchor);
    }
    out
}

/// When a Space last changed: its latest event that has happened (created, started,
/// ended), so that `updated_at` never precedes the events it follows.
fn last_change(s: &Space, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    [s.created_at, s.started_at, s.ended_at]
        .into_iter()
        .flatten()
        .filter(|t| *t <= now)
        .max()
}
