//! What each endpoint answers once a request is authenticated, within budget and valid.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

use super::config::ProblemHost;
use super::endpoint::Endpoint;
use super::fields::{USER_DEFAULT_MASK, USER_FIELDS, mask_of};
use super::model::{SeedTopic, SeedTweet, SpaceState};
use super::params::Params;
use super::problems::{self, InvalidParam};
use super::render::{self, Obj, SpaceSelection, expansion};
use super::world::{StoredSpace, World, json_str, timestamp};

pub(crate) struct Ctx<'a> {
    pub world: &'a World,
    pub host: ProblemHost,
    /// The user behind a user-context token.
    pub viewer: Option<&'a str>,
}

pub(crate) enum Answer {
    Ok(String),
    Invalid(Vec<InvalidParam>),
}

pub(crate) fn answer(endpoint: Endpoint, params: &Params, ctx: &Ctx<'_>) -> Answer {
    match endpoint {
        Endpoint::SpaceById => Answer::Ok(space_by_id(params, ctx)),
        Endpoint::SpacesByIds => Answer::Ok(spaces_by_ids(params, ctx)),
        Endpoint::ByCreatorIds => Answer::Ok(by_creator_ids(params, ctx)),
        Endpoint::Search => Answer::Ok(search(params, ctx)),
        Endpoint::Buyers => buyers(params, ctx),
        Endpoint::Tweets => tweets(params, ctx),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `data` is one object; no `meta`.
    Single,
    /// `data` is an array; no `meta` (`/2/spaces?ids=`).
    List,
    /// `data` is an array and `meta.result_count` is always present.
    Counted,
}

fn space_by_id(params: &Params, ctx: &Ctx<'_>) -> String {
    let id = params.one("id").unwrap_or_default();
    let sel = SpaceSelection::from_params(params);
    match ctx.world.spaces.get(id) {
        Some(found) => spaces_envelope(ctx, &[found], Vec::new(), Shape::Single, &sel),
        None => {
            let missing = vec![problems::not_found(ctx.host, "space", "id", id)];
            spaces_envelope(ctx, &[], missing, Shape::Single, &sel)
        }
    }
}

fn spaces_by_ids(params: &Params, ctx: &Ctx<'_>) -> String {
    let sel = SpaceSelection::from_params(params);
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for id in params.list("ids") {
        match ctx.world.spaces.get(id) {
            Some(space) => found.push(space),
            None => missing.push(problems::not_found(ctx.host, "space", "ids", id)),
        }
    }
    spaces_envelope(ctx, &found, missing, Shape::List, &sel)
}

/// Live first (most recently started first), then scheduled (soonest first).
fn discovery_order(space: &StoredSpace) -> (u8, i64, &str) {
    let rank = space.discoverable_rank().unwrap_or(u8::MAX);
    let time = match space.seed.state {
        SpaceState::Live => space
            .seed
            .started_at
            .map_or(i64::MAX, |t| -t.timestamp_millis()),
        _ => space
            .seed
            .scheduled_start
            .map_or(i64::MAX, |t| t.timestamp_millis()),
    };
    (rank, time, space.seed.id.as_str())
}

fn by_creator_ids(params: &Params, ctx: &Ctx<'_>) -> String {
    let sel = SpaceSelection::from_params(params);
    let position: HashMap<&str, usize> = params
        .list("user_ids")
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut found: Vec<(usize, &StoredSpace)> = ctx
        .world
        .spaces
        .values()
        .filter(|s| s.discoverable_rank().is_some())
        .filter_map(|s| Some((*position.get(s.seed.creator_id.as_deref()?)?, s)))
        .collect();
    found.sort_by(|(pa, a), (pb, b)| (pa, discovery_order(a)).cmp(&(pb, discovery_order(b))));
    let found: Vec<&StoredSpace> = found.into_iter().map(|(_, s)| s).collect();
    spaces_envelope(ctx, &found, Vec::new(), Shape::Counted, &sel)
}

fn search(params: &Params, ctx: &Ctx<'_>) -> String {
    let sel = SpaceSelection::from_params(params);
    let query = params
        .one("query")
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    let wanted = |state: &SpaceState| match params.one("state").unwrap_or("all") {
        "live" => *state == SpaceState::Live,
        "scheduled" => *state == SpaceState::Scheduled,
        _ => matches!(state, SpaceState::Live | SpaceState::Scheduled),
    };
    let mut found: Vec<&StoredSpace> = if query.is_empty() {
        Vec::new()
    } else {
        ctx.world
            .spaces
            .values()
            .filter(|s| wanted(&s.seed.state) && s.title_lower.contains(&query))
            .collect()
    };
    found.sort_by(|a, b| discovery_order(a).cmp(&discovery_order(b)));
    found.truncate(params.max_results());
    spaces_envelope(ctx, &found, Vec::new(), Shape::Counted, &sel)
}

fn spaces_envelope(
    ctx: &Ctx<'_>,
    found: &[&StoredSpace],
    mut errors: Vec<String>,
    shape: Shape,
    sel: &SpaceSelection,
) -> String {
    let mut out = String::with_capacity(48 + found.len() * 48);
    let mut obj = Obj::open(&mut out);
    if let Some(first) = found.first() {
        let data = obj.key("data");
        if shape == Shape::Single {
            render::space(data, first, sel.space_mask, ctx.viewer);
        } else {
            render::array(data, found, |out, s| {
                render::space(out, s, sel.space_mask, ctx.viewer)
            });
        }
    }

    // Expanded users, each once, in order of first reference; a reference to a user X has no
    // record of becomes a partial error naming the expansion.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut users = Vec::new();
    let mut topics = Vec::new();
    for space in found {
        let s = &space.seed;
        let references = [
            (expansion::CREATOR_ID, "creator_id", s.creator_id.as_slice()),
            (expansion::HOST_IDS, "host_ids", s.host_ids.as_slice()),
            (
                expansion::INVITED_USER_IDS,
                "invited_user_ids",
                s.invited_user_ids.as_slice(),
            ),
            (
                expansion::SPEAKER_IDS,
                "speaker_ids",
                s.speaker_ids.as_slice(),
            ),
        ];
        for (bit, parameter, ids) in references {
            if !sel.expands(bit) {
                continue;
            }
            for id in ids.iter().filter(|id| seen.insert(id.as_str())) {
                match ctx.world.users.get(id) {
                    Some(user) => users.push(user),
                    None => errors.push(problems::not_found(ctx.host, "user", parameter, id)),
                }
            }
        }
        if sel.expands(expansion::TOPIC_IDS) {
            for topic in s.topic_ids.iter().filter_map(|id| ctx.world.topics.get(id)) {
                if !topics.iter().any(|t: &&SeedTopic| t.id == topic.id) {
                    topics.push(topic);
                }
            }
        }
    }
    if !users.is_empty() || !topics.is_empty() {
        let mut includes = Obj::open(obj.key("includes"));
        if !users.is_empty() {
            render::array(includes.key("users"), &users, |out, u| {
                render::user(out, u, sel.user_mask)
            });
        }
        if !topics.is_empty() {
            render::array(includes.key("topics"), &topics, |out, t| {
                render::topic(out, t, sel.topic_mask)
            });
        }
        includes.close();
    }
    if !errors.is_empty() {
        render::raw_values(obj.key("errors"), &errors);
    }
    if shape == Shape::Counted {
        obj.raw("meta", &format!("{{\"result_count\":{}}}", found.len()));
    }
    obj.close();
    out
}

const PAGE_TOKEN_PREFIX: &str = "7140dibdnow9c7bt";

fn page_token(offset: usize) -> String {
    format!("{PAGE_TOKEN_PREFIX}{offset:04}")
}

/// The page a request asks for, or X's 400 for a token it never issued.
fn page(params: &Params, len: usize) -> Result<(usize, usize), Vec<InvalidParam>> {
    let offset = match params.one("pagination_token") {
        None => 0,
        Some(token) => token
            .strip_prefix(PAGE_TOKEN_PREFIX)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n < len.max(1))
            .ok_or_else(|| {
                vec![InvalidParam::new(
                    "pagination_token",
                    vec![token.to_owned()],
                    format!("The `pagination_token` query parameter value [{token}] is not a valid pagination token"),
                )]
            })?,
    };
    Ok((offset, (offset + params.max_results()).min(len)))
}

fn paging_meta(obj: &mut Obj<'_>, count: usize, start: usize, end: usize, len: usize, max: usize) {
    let mut meta = Obj::open(obj.key("meta"));
    meta.raw("result_count", &count.to_string());
    if end < len {
        meta.raw("next_token", &json_str(&page_token(end)));
    }
    if start > 0 {
        meta.raw(
            "previous_token",
            &json_str(&page_token(start.saturating_sub(max))),
        );
    }
    meta.close();
}

/// Posts in the classic (`tweet.fields`, `includes.tweets`) or renamed (`post.fields`,
/// `includes.posts`) vocabulary: X answers in the one the request used.
#[derive(Clone, Copy)]
struct Vocabulary {
    fields_param: &'static str,
    includes_key: &'static str,
    edit_history: &'static str,
}

impl Vocabulary {
    fn of(params: &Params) -> Self {
        if params.has("post.fields") {
            Self {
                fields_param: "post.fields",
                includes_key: "posts",
                edit_history: "edit_history_post_ids",
            }
        } else {
            Self {
                fields_param: "tweet.fields",
                includes_key: "tweets",
                edit_history: "edit_history_tweet_ids",
            }
        }
    }
}

fn tweet(
    out: &mut String,
    tweet: &SeedTweet,
    fields: &[String],
    vocabulary: Vocabulary,
    with_author: bool,
) {
    let wants = |f: &str| fields.iter().any(|x| x == f);
    let mut obj = Obj::open(out);
    obj.raw("id", &json_str(&tweet.id));
    obj.raw("text", &json_str(&tweet.text));
    obj.raw(
        vocabulary.edit_history,
        &format!("[{}]", json_str(&tweet.id)),
    );
    if let Some(author) = tweet
        .author_id
        .as_deref()
        .filter(|_| with_author || wants("author_id"))
    {
        obj.raw("author_id", &json_str(author));
    }
    if let Some(at) = tweet.created_at.as_ref().filter(|_| wants("created_at")) {
        obj.raw("created_at", &json_str(&timestamp(at)));
    }
    if let Some(lang) = tweet.lang.as_deref().filter(|_| wants("lang")) {
        obj.raw("lang", &json_str(lang));
    }
    obj.close();
}

fn user_mask(params: &Params) -> u64 {
    mask_of(&USER_FIELDS, params.list("user.fields")) | u64::from(USER_DEFAULT_MASK)
}

/// Only the creator's user token may list buyers (the server has already refused app-only).
fn buyers(params: &Params, ctx: &Ctx<'_>) -> Answer {
    let id = params.one("id").unwrap_or_default();
    let Some(space) = ctx.world.spaces.get(id) else {
        return Answer::Ok(errors_only(&[problems::not_found(
            ctx.host, "space", "id", id,
        )]));
    };
    if ctx.viewer.is_none() || ctx.viewer != space.seed.creator_id.as_deref() {
        return Answer::Ok(errors_only(&[problems::not_authorized(
            ctx.host, "space", "id", id,
        )]));
    }
    let buyers: Vec<_> = space
        .seed
        .buyer_ids
        .iter()
        .filter_map(|b| ctx.world.users.get(b))
        .collect();
    let (start, end) = match page(params, buyers.len()) {
        Ok(range) => range,
        Err(invalid) => return Answer::Invalid(invalid),
    };
    let page = &buyers[start..end];
    let vocabulary = Vocabulary::of(params);
    let expansions = params.list("expansions");
    let pinned = expansions
        .iter()
        .any(|e| e == "pinned_tweet_id" || e == "pinned_post_id");
    let recent = expansions
        .iter()
        .any(|e| e == "most_recent_tweet_id" || e == "most_recent_post_id");
    let mut mask = user_mask(params);
    for (wanted, field) in [
        (pinned, "pinned_tweet_id"),
        (recent, "most_recent_tweet_id"),
    ] {
        if wanted {
            mask |= mask_of(&USER_FIELDS, &[field]);
        }
    }

    let mut out = String::new();
    let mut obj = Obj::open(&mut out);
    if !page.is_empty() {
        render::array(obj.key("data"), page, |out, u| render::user(out, u, mask));
    }
    let mut referenced: Vec<&SeedTweet> = Vec::new();
    for user in page {
        let ids = [
            user.seed.pinned_tweet_id.as_deref().filter(|_| pinned),
            user.seed.most_recent_tweet_id.as_deref().filter(|_| recent),
        ];
        for tweet in ids
            .into_iter()
            .flatten()
            .filter_map(|t| ctx.world.tweets.get(t))
        {
            if !referenced.iter().any(|r| r.id == tweet.id) {
                referenced.push(tweet);
            }
        }
    }
    if !referenced.is_empty() {
        let fields = params.list(vocabulary.fields_param);
        let mut includes = Obj::open(obj.key("includes"));
        render::array(
            includes.key(vocabulary.includes_key),
            &referenced,
            |out, t| tweet(out, t, fields, vocabulary, false),
        );
        includes.close();
    }
    paging_meta(
        &mut obj,
        page.len(),
        start,
        end,
        buyers.len(),
        params.max_results(),
    );
    obj.close();
    Answer::Ok(out)
}

fn tweets(params: &Params, ctx: &Ctx<'_>) -> Answer {
    let id = params.one("id").unwrap_or_default();
    if !ctx.world.spaces.contains_key(id) {
        return Answer::Ok(errors_only(&[problems::not_found(
            ctx.host, "space", "id", id,
        )]));
    }
    let mut shared: Vec<&SeedTweet> = ctx
        .world
        .tweets
        .values()
        .filter(|t| t.space_id.as_deref() == Some(id))
        .collect();
    // Newest first: ids are snowflakes, so longer then larger is newer.
    shared.sort_by_key(|t| Reverse((t.id.len(), t.id.as_str())));
    let (start, end) = match page(params, shared.len()) {
        Ok(range) => range,
        Err(invalid) => return Answer::Invalid(invalid),
    };
    let page = &shared[start..end];
    let vocabulary = Vocabulary::of(params);
    let fields = params.list(vocabulary.fields_param);
    let with_author = params.list("expansions").iter().any(|e| e == "author_id");

    let mut out = String::new();
    let mut obj = Obj::open(&mut out);
    if !page.is_empty() {
        render::array(obj.key("data"), page, |out, t| {
            tweet(out, t, fields, vocabulary, with_author)
        });
    }
    let mut errors = Vec::new();
    if with_author {
        let mask = user_mask(params);
        let mut seen = HashSet::new();
        let mut users = Vec::new();
        for author in page.iter().filter_map(|t| t.author_id.as_deref()) {
            if seen.insert(author) {
                match ctx.world.users.get(author) {
                    Some(user) => users.push(user),
                    None => errors.push(problems::not_found(ctx.host, "user", "author_id", author)),
                }
            }
        }
        if !users.is_empty() {
            let mut includes = Obj::open(obj.key("includes"));
            render::array(includes.key("users"), &users, |out, u| {
                render::user(out, u, mask)
            });
            includes.close();
        }
    }
    if !errors.is_empty() {
        render::raw_values(obj.key("errors"), &errors);
    }
    paging_meta(
        &mut obj,
        page.len(),
        start,
        end,
        shared.len(),
        params.max_results(),
    );
    obj.close();
    Answer::Ok(out)
}

fn errors_only(errors: &[String]) -> String {
    let mut out = String::new();
    let mut obj = Obj::open(&mut out);
    render::raw_values(obj.key("errors"), errors);
    obj.close();
    out
}
