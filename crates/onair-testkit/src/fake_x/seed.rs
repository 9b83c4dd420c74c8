//! The default data set: hand-written Spaces covering every state and awkward title, and a few
//! hundred generated ones so that searches and 100-id lookups find many. Times are relative to
//! the moment the fake starts (scheduled Spaces are in the future, ended ones in the past).

use chrono::{DateTime, Duration, DurationRound, TimeZone, Utc};

use super::model::{SeedSpace, SeedTopic, SeedTweet, SeedUser, SpaceState, UserPublicMetrics};

/// A live Space with title, creator, hosts, speakers, invited users and a topic.
pub const LIVE_SPACE: &str = "1DXxyRYNejbKM";
/// A scheduled Space (starts two days after the fake starts).
pub const SCHEDULED_SPACE: &str = "1nAJELYEEPvGL";
/// An ended Space: X still returns it by id.
pub const ENDED_SPACE: &str = "1YpKkzBgBlVxj";
/// A canceled Space.
pub const CANCELED_SPACE: &str = "1OdKrjgmNkeKX";
/// A scheduled, ticketed Space with three buyers.
pub const TICKETED_SPACE: &str = "1vOxwylRqeLGB";
/// A live, ticketed Space with no buyers yet.
pub const TICKETED_LIVE_SPACE: &str = "1mrGmanRNNkGy";
/// A live Space titled with emoji (ZWJ sequences, skin tones, variation selectors).
pub const EMOJI_SPACE: &str = "1zqKVXPQhvZJB";
/// A live Space titled in Japanese.
pub const CJK_SPACE: &str = "1ynKOZVRyOwxR";
/// A scheduled Space titled in Arabic (right-to-left).
pub const RTL_SPACE: &str = "1yNGaYolXdqGj";
/// A live Space whose title uses combining marks (not NFC-normalised).
pub const COMBINING_SPACE: &str = "1djGXPBBZDBGZ";
/// A live Space whose creator has no user record (expansions report a partial error).
pub const ORPHAN_SPACE: &str = "1BRJjnbrAjWJw";
/// A second scheduled Space of `TWITTER_DEV`.
pub const DEV_SCHEDULED_SPACE: &str = "1rmxPgZmnRgJN";
/// A live Space of `TWITTER_SPACES` with invited users and two topics.
pub const COMMUNITY_SPACE: &str = "1MnGnkBeLoNJO";
/// A live Space with nothing but `id` and `state`.
pub const BARE_SPACE: &str = "1PlKQaWzBZnKE";
/// A well-formed Space id that the default seed does not have.
pub const MISSING_SPACE: &str = "1OwxWzlwbrnJQ";

/// Creator of `LIVE_SPACE`, `ENDED_SPACE`, `DEV_SCHEDULED_SPACE`.
pub const TWITTER_DEV: &str = "2244994945";
/// Creator of `SCHEDULED_SPACE`, `CANCELED_SPACE`.
pub const TWITTER_API: &str = "6253282";
/// Creator of `EMOJI_SPACE`.
pub const TWITTER: &str = "783214";
/// Creator of `TICKETED_SPACE`, `TICKETED_LIVE_SPACE`, `COMMUNITY_SPACE`.
pub const TWITTER_SPACES: &str = "1065249714214457345";
/// Creator of `CJK_SPACE`.
pub const TOKYO_AUDIO: &str = "1517225601463205888";
/// Creator of `RTL_SPACE`.
pub const ARABIC_VOICES: &str = "357750891";
/// Creator of `COMBINING_SPACE`.
pub const CAFE_CREME: &str = "1334200897081987072";
/// A buyer of `TICKETED_SPACE` who creates nothing.
pub const TICKET_FAN: &str = "1480000000000000001";
/// Creator of `ORPHAN_SPACE`; has no user record.
pub const GHOST_CREATOR: &str = "1580000000000000001";
/// A well-formed user id with no record and no Spaces.
pub const MISSING_USER: &str = "1999999999999999999";

pub const TOPIC_TECHNOLOGY: &str = "848920371311001600";
pub const TOPIC_MUSIC: &str = "848921413196984320";
pub const TOPIC_GAMING: &str = "849075668352499712";
/// Referenced by `COMMUNITY_SPACE` but absent from the topic records.
pub const TOPIC_MISSING: &str = "847878884917886977";

/// Posts shared in `LIVE_SPACE`, newest first.
pub const LIVE_SPACE_TWEETS: [&str; 3] = [
    "1389270063807598594",
    "1354143047324299264",
    "1293595870563381249",
];
/// `TWITTER_DEV`'s pinned post.
pub const PINNED_TWEET: &str = "1255542774432063488";

/// How many generated Spaces and generated users the default seed has.
pub const GENERATED_SPACES: usize = 400;
pub const GENERATED_USERS: usize = 40;
/// Matches the title of every other generated Space: more than 100 live or scheduled.
pub const BROAD_QUERY: &str = "weekly";
/// A query no seeded title contains.
pub const NO_MATCH_QUERY: &str = "zzzznotatitle";

/// The id of the `i`-th generated Space: 13 characters starting with `1`, like X's.
pub fn generated_space_id(i: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut n = splitmix64(i as u64 ^ 0x5EED_0F5F_ACE5);
    let mut id = String::from("1");
    for _ in 0..12 {
        id.push(ALPHABET[(n % 62) as usize] as char);
        n /= 62;
    }
    id
}

/// The id of the `i`-th generated user (19 digits).
pub fn generated_user_id(i: usize) -> String {
    (1_600_000_000_000_000_000u64 + i as u64).to_string()
}

/// State of the `i`-th generated Space: 3 in 8 live, 3 in 8 scheduled, 1 ended, 1 canceled.
pub fn generated_space_state(i: usize) -> SpaceState {
    match i % 8 {
        0..=2 => SpaceState::Live,
        3..=5 => SpaceState::Scheduled,
        6 => SpaceState::Ended,
        _ => SpaceState::Canceled,
    }
}

/// Creator of the `i`-th generated Space; each generated user creates ten.
pub fn generated_space_creator(i: usize) -> String {
    generated_user_id((i * 7) % GENERATED_USERS)
}

/// Every Space id of the default seed: the hand-written ones, then the generated ones.
pub fn all_space_ids() -> Vec<String> {
    let mut ids: Vec<String> = HAND_WRITTEN_SPACES
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    ids.extend((0..GENERATED_SPACES).map(generated_space_id));
    ids
}

pub const HAND_WRITTEN_SPACES: [&str; 14] = [
    LIVE_SPACE,
    SCHEDULED_SPACE,
    ENDED_SPACE,
    CANCELED_SPACE,
    TICKETED_SPACE,
    TICKETED_LIVE_SPACE,
    EMOJI_SPACE,
    CJK_SPACE,
    RTL_SPACE,
    COMBINING_SPACE,
    ORPHAN_SPACE,
    DEV_SCHEDULED_SPACE,
    COMMUNITY_SPACE,
    BARE_SPACE,
];

/// Titles of the hand-written unicode Spaces, for round-trip checks.
pub const EMOJI_TITLE: &str = "🎙️🔥 Late-night 🎧 vibes 🌙✨ 👩🏽‍💻👨‍👩‍👧‍👦 hello";
pub const CJK_TITLE: &str = "日本語のスペース：東京から生放送 🗼 こんにちは";
pub const RTL_TITLE: &str = "مساحة عربية: حديث عن التقنية والبرمجة";
pub const COMBINING_TITLE: &str = "Cafe\u{301} cre\u{300}me & nai\u{308}ve re\u{301}sume\u{301}s";

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The default data set.
pub(crate) struct SeedData {
    pub spaces: Vec<SeedSpace>,
    pub users: Vec<SeedUser>,
    pub topics: Vec<SeedTopic>,
    pub tweets: Vec<SeedTweet>,
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .unwrap_or_default()
}

fn user(id: &str, username: &str, name: &str, created: DateTime<Utc>) -> SeedUser {
    let mut u = SeedUser::new(id, username, name);
    u.created_at = Some(created);
    u
}

fn users() -> Vec<SeedUser> {
    let mut dev = user(
        TWITTER_DEV,
        "TwitterDev",
        "Twitter Dev",
        at(2013, 12, 14, 4, 35, 55),
    );
    dev.description =
        Some("The voice of the X Dev team and your official source for updates.".into());
    dev.verified = Some(true);
    dev.verified_type = Some("business".into());
    dev.pinned_tweet_id = Some(PINNED_TWEET.into());
    dev.location = Some("127.0.0.1".into());
    dev.url = Some("https://t.co/3ZX3TNiZCY".into());
    dev.profile_image_url =
        Some("https://pbs.twimg.com/profile_images/1445764922474827784/W2zEPN7U_normal.jpg".into());
    dev.protected = Some(false);
    dev.public_metrics = Some(UserPublicMetrics {
        followers_count: 570_842,
        following_count: 2_048,
        tweet_count: 14_052,
        listed_count: 1_672,
        like_count: 2_128,
        media_count: 851,
    });
    dev.extra.insert(
        "entities".into(),
        serde_json::json!({"url": {"urls": [{"start": 0, "end": 23, "url": "https://t.co/3ZX3TNiZCY", "expanded_url": "https://developer.x.com", "display_url": "developer.x.com"}]}}),
    );
    let mut api = user(
        TWITTER_API,
        "TwitterAPI",
        "Twitter API",
        at(2007, 5, 23, 6, 1, 13),
    );
    api.verified = Some(true);
    api.description = Some("Tweets about changes and service issues.".into());
    let mut spaces = user(
        TWITTER_SPACES,
        "TwitterSpaces",
        "Spaces",
        at(2018, 11, 21, 14, 24, 58),
    );
    spaces.description = Some("Twitter Spaces is where live audio conversations happen.".into());
    spaces.pinned_tweet_id = Some(LIVE_SPACE_TWEETS[0].into());
    vec![
        dev,
        api,
        user(TWITTER, "Twitter", "Twitter", at(2007, 2, 20, 14, 35, 54)),
        spaces,
        user(
            TOKYO_AUDIO,
            "tokyo_audio",
            "東京オーディオ 🎧",
            at(2022, 4, 21, 9, 0, 0),
        ),
        user(
            ARABIC_VOICES,
            "arabic_voices",
            "أصوات عربية",
            at(2011, 8, 2, 18, 12, 40),
        ),
        user(
            CAFE_CREME,
            "cafe_creme",
            "Cafe\u{301} Cre\u{300}me",
            at(2020, 12, 3, 17, 40, 0),
        ),
        user(
            TICKET_FAN,
            "ticket_fan",
            "Ticket Fan",
            at(2022, 1, 10, 8, 30, 0),
        ),
    ]
}

fn topics() -> Vec<SeedTopic> {
    vec![
        SeedTopic::new(TOPIC_TECHNOLOGY, "Technology").description("All about technology"),
        SeedTopic::new(TOPIC_MUSIC, "Music").description("Music of every kind"),
        SeedTopic::new(TOPIC_GAMING, "Gaming"),
    ]
}

fn tweets(now: DateTime<Utc>) -> Vec<SeedTweet> {
    vec![
        SeedTweet::new(PINNED_TWEET, "We're launching a free COVID-19 stream endpoint so qualified devs & researchers can study the public conversation in real-time.")
            .author_id(TWITTER_DEV)
            .created_at(at(2020, 4, 29, 17, 1, 38))
            .lang("en"),
        SeedTweet::new(LIVE_SPACE_TWEETS[0], "now, everyone with 600 or more followers can host a Space.")
            .author_id(TWITTER_SPACES)
            .created_at(now - Duration::minutes(20))
            .lang("en")
            .shared_in(LIVE_SPACE),
        SeedTweet::new(LIVE_SPACE_TWEETS[1], "Academics are one of the biggest groups using the #TwitterAPI 🎓")
            .author_id(TWITTER)
            .created_at(now - Duration::minutes(25))
            .lang("en")
            .shared_in(LIVE_SPACE),
        SeedTweet::new(LIVE_SPACE_TWEETS[2], "Twitter API v2: Early Access released")
            .author_id(GHOST_CREATOR)
            .created_at(now - Duration::minutes(30))
            .lang("en")
            .shared_in(LIVE_SPACE),
    ]
}

fn hand_written_spaces(now: DateTime<Utc>) -> Vec<SeedSpace> {
    let min = Duration::minutes;
    let day = Duration::days;
    use SpaceState::*;
    vec![
        SeedSpace::new(LIVE_SPACE, Live)
            .title("hello world 👋")
            .creator_id(TWITTER_DEV)
            .host_ids([TWITTER_DEV, TWITTER_API])
            .speaker_ids([TWITTER_DEV, TWITTER_API, TWITTER])
            .invited_user_ids([TWITTER_API])
            .topic_ids([TOPIC_TECHNOLOGY])
            .lang("en")
            .is_ticketed(false)
            .participant_count(420)
            .subscriber_count(12)
            .created_at(now - day(2))
            .updated_at(now - min(40))
            .scheduled_start(now - min(35))
            .started_at(now - min(35)),
        SeedSpace::new(SCHEDULED_SPACE, Scheduled)
            .title("Say hello to the Spaces endpoints")
            .creator_id(TWITTER_API)
            .host_ids([TWITTER_API])
            .invited_user_ids([TWITTER_DEV])
            .topic_ids([TOPIC_TECHNOLOGY])
            .lang("en")
            .is_ticketed(false)
            .participant_count(0)
            .subscriber_count(37)
            .created_at(now - day(1))
            .updated_at(now - day(1))
            .scheduled_start(now + day(2)),
        SeedSpace::new(ENDED_SPACE, Ended)
            .title("Hello again: last week's Spaces recap")
            .creator_id(TWITTER_DEV)
            .host_ids([TWITTER_DEV])
            .speaker_ids([TWITTER_DEV, TWITTER])
            .lang("en")
            .is_ticketed(false)
            .participant_count(0)
            .created_at(now - day(8))
            .updated_at(now - day(7))
            .started_at(now - day(7) - min(90))
            .ended_at(now - day(7)),
        SeedSpace::new(CANCELED_SPACE, Canceled)
            .title("Canceled: hello API office hours")
            .creator_id(TWITTER_API)
            .host_ids([TWITTER_API])
            .lang("en")
            .is_ticketed(false)
            .created_at(now - day(3))
            .updated_at(now - day(1))
            .scheduled_start(now + day(1)),
        SeedSpace::new(TICKETED_SPACE, Scheduled)
            .title("Ticketed deep dive: the Spaces roadmap 🎟️")
            .creator_id(TWITTER_SPACES)
            .host_ids([TWITTER_SPACES])
            .topic_ids([TOPIC_TECHNOLOGY, TOPIC_MUSIC])
            .lang("en")
            .is_ticketed(true)
            .subscriber_count(150)
            .buyer_ids([TWITTER_DEV, TWITTER, TICKET_FAN])
            .created_at(now - day(4))
            .updated_at(now - day(2))
            .scheduled_start(now + day(5)),
        SeedSpace::new(TICKETED_LIVE_SPACE, Live)
            .title("Live ticketed concert 🎶")
            .creator_id(TWITTER_SPACES)
            .host_ids([TWITTER_SPACES])
            .topic_ids([TOPIC_MUSIC])
            .lang("en")
            .is_ticketed(true)
            .participant_count(1_337)
            .created_at(now - day(6))
            .updated_at(now - min(5))
            .scheduled_start(now - min(10))
            .started_at(now - min(8)),
        SeedSpace::new(EMOJI_SPACE, Live)
            .title(EMOJI_TITLE)
            .creator_id(TWITTER)
            .host_ids([TWITTER])
            .speaker_ids([TWITTER, TWITTER_DEV])
            .lang("en")
            .is_ticketed(false)
            .participant_count(99)
            .created_at(now - min(80))
            .updated_at(now - min(70))
            .started_at(now - min(70)),
        SeedSpace::new(CJK_SPACE, Live)
            .title(CJK_TITLE)
            .creator_id(TOKYO_AUDIO)
            .host_ids([TOKYO_AUDIO])
            .lang("ja")
            .is_ticketed(false)
            .participant_count(2_048)
            .created_at(now - min(50))
            .updated_at(now - min(45))
            .started_at(now - min(45)),
        SeedSpace::new(RTL_SPACE, Scheduled)
            .title(RTL_TITLE)
            .creator_id(ARABIC_VOICES)
            .host_ids([ARABIC_VOICES])
            .lang("ar")
            .is_ticketed(false)
            .created_at(now - day(1))
            .updated_at(now - day(1))
            .scheduled_start(now + day(3)),
        SeedSpace::new(COMBINING_SPACE, Live)
            .title(COMBINING_TITLE)
            .creator_id(CAFE_CREME)
            .host_ids([CAFE_CREME])
            .lang("fr")
            .is_ticketed(false)
            .participant_count(31)
            .created_at(now - min(20))
            .updated_at(now - min(15))
            .started_at(now - min(15)),
        SeedSpace::new(ORPHAN_SPACE, Live)
            .title("Ghost town hello")
            .creator_id(GHOST_CREATOR)
            .host_ids([GHOST_CREATOR, TWITTER_DEV])
            .speaker_ids([GHOST_CREATOR])
            .lang("en")
            .is_ticketed(false)
            .participant_count(3)
            .created_at(now - min(30))
            .updated_at(now - min(25))
            .started_at(now - min(25)),
        SeedSpace::new(DEV_SCHEDULED_SPACE, Scheduled)
            .title("Developer office hours: hello v2")
            .creator_id(TWITTER_DEV)
            .host_ids([TWITTER_DEV])
            .invited_user_ids([TWITTER_API, TWITTER_SPACES])
            .lang("en")
            .is_ticketed(false)
            .subscriber_count(8)
            .created_at(now - day(2))
            .updated_at(now - day(2))
            .scheduled_start(now + day(1) + Duration::hours(6)),
        SeedSpace::new(COMMUNITY_SPACE, Live)
            .title("Spaces community hangout")
            .creator_id(TWITTER_SPACES)
            .host_ids([TWITTER_SPACES, TWITTER])
            .speaker_ids([TWITTER_SPACES, TWITTER, TOKYO_AUDIO])
            .invited_user_ids([TOKYO_AUDIO, ARABIC_VOICES])
            .topic_ids([TOPIC_MUSIC, TOPIC_GAMING, TOPIC_MISSING])
            .lang("en")
            .is_ticketed(false)
            .participant_count(77)
            .created_at(now - min(65))
            .updated_at(now - min(60))
            .started_at(now - min(60)),
        SeedSpace::new(BARE_SPACE, Live),
    ]
}

const GENERATED_TOPICS: [&str; 10] = [
    "AI", "Rust", "Music", "Crypto", "Startups", "Design", "Gaming", "Climate", "Books", "Football",
];
const GENERATED_KINDS: [&str; 4] = [
    "office hours",
    "AMA",
    "listening party",
    "community hangout",
];
const GENERATED_LANGS: [&str; 6] = ["en", "ja", "es", "pt", "fr", "ar"];

fn generated_users() -> Vec<SeedUser> {
    (0..GENERATED_USERS)
        .map(|i| {
            let mut u = SeedUser::new(
                generated_user_id(i),
                format!("host_{i:03}"),
                format!("Generated Host {i}"),
            );
            u.created_at = Some(at(
                2015 + (i % 10) as i32,
                1 + (i % 12) as u32,
                1 + (i % 28) as u32,
                12,
                0,
                0,
            ));
            u
        })
        .collect()
}

fn generated_spaces(now: DateTime<Utc>) -> Vec<SeedSpace> {
    let topic_ids = [TOPIC_TECHNOLOGY, TOPIC_MUSIC, TOPIC_GAMING];
    (0..GENERATED_SPACES)
        .map(|i| {
            let subject = GENERATED_TOPICS[i % GENERATED_TOPICS.len()];
            let title = if i % 2 == 0 {
                format!("Weekly {subject} roundup #{i}")
            } else {
                format!(
                    "{subject} {} #{i}",
                    GENERATED_KINDS[(i / 2) % GENERATED_KINDS.len()]
                )
            };
            let state = generated_space_state(i);
            let creator = generated_space_creator(i);
            let co_host = generated_user_id((i * 7 + 1) % GENERATED_USERS);
            let speaker = generated_user_id((i * 7 + 2) % GENERATED_USERS);
            let offset = Duration::minutes(5 + (i as i64 * 13) % 600);
            let mut space = SeedSpace::new(generated_space_id(i), state.clone())
                .title(title)
                .creator_id(creator.clone())
                .host_ids([creator.clone(), co_host.clone()])
                .lang(GENERATED_LANGS[i % GENERATED_LANGS.len()])
                .is_ticketed(i % 25 == 0)
                .created_at(now - Duration::days(3) - offset)
                .updated_at(now - offset);
            if i % 3 == 0 {
                space = space.topic_ids([topic_ids[i % topic_ids.len()]]);
            }
            if i % 4 == 0 {
                space = space.invited_user_ids([speaker.clone()]);
            }
            match state {
                SpaceState::Live => space
                    .speaker_ids([creator, co_host, speaker])
                    .participant_count(((i * 37) % 5_000) as u32)
                    .started_at(now - offset),
                SpaceState::Scheduled => space
                    .subscriber_count(((i * 11) % 300) as u32)
                    .scheduled_start(now + Duration::hours(1) + offset * 3),
                SpaceState::Ended => space
                    .participant_count(0)
                    .started_at(now - Duration::days(1) - offset)
                    .ended_at(now - Duration::days(1) - offset + Duration::minutes(45)),
                _ => space.scheduled_start(now + Duration::days(1) + offset),
            }
        })
        .collect()
}

pub(crate) fn default_seed() -> SeedData {
    let now = Utc::now()
        .duration_trunc(Duration::minutes(1))
        .unwrap_or_else(|_| Utc::now());
    let mut spaces = hand_written_spaces(now);
    spaces.extend(generated_spaces(now));
    let mut users = users();
    users.extend(generated_users());
    SeedData {
        spaces,
        users,
        topics: topics(),
        tweets: tweets(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_shaped_like_x_ids() {
        let ids = all_space_ids();
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
        for id in &ids {
            assert_eq!(id.len(), 13, "{id}");
            assert!(
                id.starts_with('1') && id.bytes().all(|b| b.is_ascii_alphanumeric()),
                "{id}"
            );
        }
        let seed = default_seed();
        assert_eq!(seed.spaces.len(), ids.len());
        assert!(
            seed.users
                .iter()
                .all(|u| u.id.len() <= 19 && u.id.bytes().all(|b| b.is_ascii_digit()))
        );
        assert!(!seed.users.iter().any(|u| u.id == GHOST_CREATOR));
    }

    #[test]
    fn broad_query_finds_more_than_a_page() {
        let seed = default_seed();
        let hits = seed
            .spaces
            .iter()
            .filter(|s| matches!(s.state, SpaceState::Live | SpaceState::Scheduled))
            .filter(|s| {
                s.title
                    .as_deref()
                    .unwrap_or_default()
                    .to_lowercase()
                    .contains(BROAD_QUERY)
            })
            .count();
        assert!(hits > 100, "{hits}");
    }
}
