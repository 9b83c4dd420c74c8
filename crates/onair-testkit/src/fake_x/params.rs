//! Query-parameter validation, as strict as X: unknown and repeated parameters, patterns,
//! list sizes, ranges and vocabularies, each failure reported with X's message template and
//! the offending values echoed (contract §4.3).

use super::endpoint::Endpoint;
use super::fields::*;
use super::problems::InvalidParam;

const SPACE_ID_PATTERN: &str = "^[a-zA-Z0-9]{1,13}$";
const USER_ID_PATTERN: &str = "^[0-9]{1,19}$";
const MAX_QUERY_CHARS: usize = 2048;

#[derive(Debug, Clone, Copy)]
enum Item {
    SpaceId,
    UserId,
}

impl Item {
    fn pattern(self) -> &'static str {
        match self {
            Item::SpaceId => SPACE_ID_PATTERN,
            Item::UserId => USER_ID_PATTERN,
        }
    }

    fn matches(self, value: &str) -> bool {
        let ok_len = |max| (1..=max).contains(&value.len());
        match self {
            Item::SpaceId => ok_len(13) && value.bytes().all(|b| b.is_ascii_alphanumeric()),
            Item::UserId => ok_len(19) && value.bytes().all(|b| b.is_ascii_digit()),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    /// The `id` path segment, which X validates (and names) like a query parameter.
    PathId,
    /// A comma-separated list of 1..=100 ids.
    Ids(Item),
    /// Search text, 1..=2048 characters.
    Query,
    /// One value out of a set.
    OneOf(&'static [&'static str]),
    /// An integer in 1..=100.
    MaxResults,
    /// A comma-separated list of values out of a set.
    Fields(&'static [&'static str]),
    PaginationToken,
}

#[derive(Debug)]
struct Spec {
    name: &'static str,
    kind: Kind,
    required: bool,
}

const fn req(name: &'static str, kind: Kind) -> Spec {
    Spec {
        name,
        kind,
        required: true,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Spec {
    Spec {
        name,
        kind,
        required: false,
    }
}

const SF: Spec = opt("space.fields", Kind::Fields(&SPACE_FIELDS));
const EX: Spec = opt("expansions", Kind::Fields(&SPACE_EXPANSIONS));
const UF: Spec = opt("user.fields", Kind::Fields(&USER_FIELDS));
const TF: Spec = opt("topic.fields", Kind::Fields(&TOPIC_FIELDS));

const SPACE_BY_ID: &[Spec] = &[req("id", Kind::PathId), SF, EX, UF, TF];
const SPACES_BY_IDS: &[Spec] = &[req("ids", Kind::Ids(Item::SpaceId)), SF, EX, UF, TF];
const BY_CREATOR_IDS: &[Spec] = &[req("user_ids", Kind::Ids(Item::UserId)), SF, EX, UF, TF];
const SEARCH: &[Spec] = &[
    req("query", Kind::Query),
    opt("state", Kind::OneOf(&SEARCH_STATES)),
    opt("max_results", Kind::MaxResults),
    SF,
    EX,
    UF,
    TF,
];
const BUYERS: &[Spec] = &[
    req("id", Kind::PathId),
    opt("pagination_token", Kind::PaginationToken),
    opt("max_results", Kind::MaxResults),
    opt("user.fields", Kind::Fields(&USER_FIELDS)),
    opt("expansions", Kind::Fields(&USER_EXPANSIONS)),
    opt("tweet.fields", Kind::Fields(&TWEET_FIELDS)),
    opt("post.fields", Kind::Fields(&POST_FIELDS)),
];
const TWEETS: &[Spec] = &[
    req("id", Kind::PathId),
    opt("max_results", Kind::MaxResults),
    opt("tweet.fields", Kind::Fields(&TWEET_FIELDS)),
    opt("expansions", Kind::Fields(&TWEET_EXPANSIONS)),
    opt("media.fields", Kind::Fields(&MEDIA_FIELDS)),
    opt("poll.fields", Kind::Fields(&POLL_FIELDS)),
    opt("user.fields", Kind::Fields(&USER_FIELDS)),
    opt("place.fields", Kind::Fields(&PLACE_FIELDS)),
    opt("pagination_token", Kind::PaginationToken),
    opt("post.fields", Kind::Fields(&POST_FIELDS)),
];

fn specs(endpoint: Endpoint) -> &'static [Spec] {
    match endpoint {
        Endpoint::SpaceById => SPACE_BY_ID,
        Endpoint::SpacesByIds => SPACES_BY_IDS,
        Endpoint::ByCreatorIds => BY_CREATOR_IDS,
        Endpoint::Search => SEARCH,
        Endpoint::Buyers => BUYERS,
        Endpoint::Tweets => TWEETS,
    }
}

/// A request's parameters after validation: lists split on commas (duplicates dropped, order
/// kept), single values as one-item lists.
#[derive(Debug, Default)]
pub(crate) struct Params {
    values: Vec<(&'static str, Vec<String>)>,
}

impl Params {
    pub fn list(&self, name: &str) -> &[String] {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    pub fn one(&self, name: &str) -> Option<&str> {
        self.list(name).first().map(String::as_str)
    }

    pub fn has(&self, name: &str) -> bool {
        self.values.iter().any(|(n, _)| *n == name)
    }

    pub fn max_results(&self) -> usize {
        self.one("max_results")
            .and_then(|v| v.parse().ok())
            .unwrap_or(100)
    }
}

fn not_one_of(name: &str, value: &str, allowed: &[&str]) -> InvalidParam {
    InvalidParam::new(
        name,
        vec![value.to_owned()],
        format!(
            "The `{name}` query parameter value [{value}] is not one of [{}]",
            allowed.join(",")
        ),
    )
}

fn can_not_be_empty(name: &str, values: Vec<String>) -> InvalidParam {
    InvalidParam::new(
        name,
        values,
        format!("The `{name}` query parameter can not be empty"),
    )
}

fn does_not_match(name: &str, value: &str, item: Item) -> InvalidParam {
    InvalidParam::new(
        name,
        vec![value.to_owned()],
        format!(
            "The `{name}` query parameter value [{value}] does not match {}",
            item.pattern()
        ),
    )
}

/// Splits a comma list, keeping the first of repeated values.
fn split_unique(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in value.split(',') {
        if !out.iter().any(|seen| seen == item) {
            out.push(item.to_owned());
        }
    }
    out
}

fn check(
    name: &str,
    kind: Kind,
    value: &str,
    errors: &mut Vec<InvalidParam>,
) -> Option<Vec<String>> {
    let before = errors.len();
    let parsed = match kind {
        Kind::PathId => {
            if !Item::SpaceId.matches(value) {
                errors.push(does_not_match(name, value, Item::SpaceId));
            }
            vec![value.to_owned()]
        }
        Kind::Ids(item) => {
            if value.is_empty() {
                errors.push(can_not_be_empty(name, vec![String::new()]));
                return None;
            }
            let all: Vec<&str> = value.split(',').collect();
            if all.len() > 100 {
                errors.push(InvalidParam::new(
                    name,
                    all.iter().map(|s| (*s).to_owned()).collect(),
                    format!(
                        "The number of values in the `{name}` query parameter list [{}] is not between 1 and 100",
                        all.len()
                    ),
                ));
                return None;
            }
            for bad in all.iter().filter(|v| !item.matches(v)) {
                errors.push(does_not_match(name, bad, item));
            }
            split_unique(value)
        }
        Kind::Query => {
            if value.is_empty() {
                errors.push(can_not_be_empty(name, vec![String::new()]));
            } else if value.chars().count() > MAX_QUERY_CHARS {
                errors.push(InvalidParam::new(
                    name,
                    vec![value.to_owned()],
                    format!("The `{name}` query parameter value [{value}] is not between 1 and {MAX_QUERY_CHARS} characters long"),
                ));
            }
            vec![value.to_owned()]
        }
        Kind::OneOf(allowed) => {
            if !allowed.contains(&value) {
                errors.push(not_one_of(name, value, allowed));
            }
            vec![value.to_owned()]
        }
        Kind::MaxResults => {
            if !value.parse::<i64>().is_ok_and(|n| (1..=100).contains(&n)) {
                errors.push(InvalidParam::new(
                    name,
                    vec![value.to_owned()],
                    format!(
                        "The `{name}` query parameter value [{value}] is not between 1 and 100"
                    ),
                ));
            }
            vec![value.to_owned()]
        }
        Kind::Fields(allowed) => {
            let values = split_unique(value);
            for bad in values.iter().filter(|v| !allowed.contains(&v.as_str())) {
                errors.push(not_one_of(name, bad, allowed));
            }
            values
        }
        Kind::PaginationToken => {
            if value.len() < 16 || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
                errors.push(InvalidParam::new(
                    name,
                    vec![value.to_owned()],
                    format!("The `{name}` query parameter value [{value}] is not a valid pagination token"),
                ));
            }
            vec![value.to_owned()]
        }
    };
    (errors.len() == before).then_some(parsed)
}

/// Validates a request to `endpoint`: its path `id` (if any) and its decoded query pairs.
pub(crate) fn parse(
    endpoint: Endpoint,
    path_id: Option<&str>,
    query: &[(String, String)],
) -> Result<Params, Vec<InvalidParam>> {
    let specs = specs(endpoint);
    // Group occurrences by name, in order of first appearance; the path id counts as one.
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    let occurrences = path_id
        .map(|id| ("id", id))
        .into_iter()
        .chain(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    for (name, value) in occurrences {
        match groups.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value),
            None => groups.push((name, vec![value])),
        }
    }

    let mut errors = Vec::new();
    let mut params = Params::default();
    for (name, values) in &groups {
        let owned = || values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
        let Some(spec) = specs.iter().find(|s| s.name == *name) else {
            let allowed: Vec<&str> = specs.iter().map(|s| s.name).collect();
            errors.push(InvalidParam::new(
                name,
                owned(),
                format!(
                    "The query parameter [{name}] is not one of [{}]",
                    allowed.join(",")
                ),
            ));
            continue;
        };
        if values.len() > 1 {
            errors.push(InvalidParam::new(
                name,
                owned(),
                format!("Duplicate parameters are not allowed: the `{name}` query parameter"),
            ));
            continue;
        }
        if let Some(parsed) = check(spec.name, spec.kind, values[0], &mut errors) {
            params.values.push((spec.name, parsed));
        }
    }
    for spec in specs.iter().filter(|s| s.required) {
        if !groups.iter().any(|(n, _)| *n == spec.name) {
            errors.push(can_not_be_empty(spec.name, Vec::new()));
        }
    }
    if errors.is_empty() {
        Ok(params)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn messages(r: Result<Params, Vec<InvalidParam>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.message).collect()
    }

    #[test]
    fn accepts_a_full_valid_request() {
        let p = parse(
            Endpoint::Search,
            None,
            &q(&[
                ("query", "hello"),
                ("state", "live"),
                ("max_results", "7"),
                ("space.fields", "title,host_ids,title"),
            ]),
        )
        .unwrap();
        assert_eq!(p.one("query"), Some("hello"));
        assert_eq!(p.max_results(), 7);
        assert_eq!(p.list("space.fields"), ["title", "host_ids"]);
    }

    #[test]
    fn one_error_per_bad_value() {
        let m = messages(parse(
            Endpoint::SpaceById,
            Some("1DXxyRYNejbKM"),
            &q(&[("space.fields", "title,nope,topics")]),
        ));
        assert_eq!(m.len(), 2);
        assert!(m[0].starts_with(
            "The `space.fields` query parameter value [nope] is not one of [created_at,creator_id,"
        ));
        assert!(m[1].contains("[topics]"));
    }

    #[test]
    fn path_id_is_named_like_a_query_parameter_and_cannot_repeat() {
        let m = messages(parse(Endpoint::SpaceById, Some("111111111111111"), &[]));
        assert_eq!(
            m,
            ["The `id` query parameter value [111111111111111] does not match ^[a-zA-Z0-9]{1,13}$"]
        );
        let m = messages(parse(
            Endpoint::SpaceById,
            Some("1DX"),
            &q(&[("id", "1DX")]),
        ));
        assert_eq!(
            m,
            ["Duplicate parameters are not allowed: the `id` query parameter"]
        );
    }

    #[test]
    fn missing_unknown_and_oversized() {
        let m = messages(parse(Endpoint::SpacesByIds, None, &q(&[("foo", "1")])));
        assert_eq!(
            m,
            [
                "The query parameter [foo] is not one of [ids,space.fields,expansions,user.fields,topic.fields]",
                "The `ids` query parameter can not be empty"
            ]
        );
        let many = vec!["1"; 101].join(",");
        let e = parse(Endpoint::ByCreatorIds, None, &q(&[("user_ids", &many)])).unwrap_err();
        assert_eq!(
            e[0].message,
            "The number of values in the `user_ids` query parameter list [101] is not between 1 and 100"
        );
        assert_eq!(e[0].parameters[0].1.len(), 101);
    }

    #[test]
    fn ranges_and_enums() {
        for bad in ["0", "101", "abc", "", "1.5"] {
            let m = messages(parse(
                Endpoint::Search,
                None,
                &q(&[("query", "a"), ("max_results", bad)]),
            ));
            assert_eq!(
                m,
                [format!(
                    "The `max_results` query parameter value [{bad}] is not between 1 and 100"
                )]
            );
        }
        let m = messages(parse(
            Endpoint::Search,
            None,
            &q(&[("query", "a"), ("state", "ended")]),
        ));
        assert_eq!(
            m,
            ["The `state` query parameter value [ended] is not one of [live,scheduled,all]"]
        );
        let m = messages(parse(
            Endpoint::Search,
            None,
            &q(&[("query", &"x".repeat(2049))]),
        ));
        assert!(m[0].ends_with("is not between 1 and 2048 characters long"));
        assert!(parse(Endpoint::Search, None, &q(&[("query", &"é".repeat(2048))])).is_ok());
        let m = messages(parse(
            Endpoint::SpacesByIds,
            None,
            &q(&[("ids", "1DX,1DX,x-y")]),
        ));
        assert_eq!(
            m,
            ["The `ids` query parameter value [x-y] does not match ^[a-zA-Z0-9]{1,13}$"]
        );
        let m = messages(parse(
            Endpoint::SpaceById,
            Some("1DX"),
            &q(&[("expansions", "topics_ids")]),
        ));
        assert_eq!(m.len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_every_error_echoes_a_parameter(
            pairs in proptest::collection::vec(("[a-z_.]{0,12}", "[ -~]{0,40}"), 0..8),
            id in proptest::option::of("[ -~]{1,20}"),
            endpoint in 0usize..6,
        ) {
            let endpoint = Endpoint::ALL[endpoint];
            let path_id = matches!(endpoint, Endpoint::SpaceById | Endpoint::Buyers | Endpoint::Tweets)
                .then(|| id.unwrap_or_else(|| "1".into()));
            let query: Vec<(String, String)> = pairs;
            if let Err(errors) = parse(endpoint, path_id.as_deref(), &query) {
                proptest::prop_assert!(!errors.is_empty());
                for e in errors {
                    proptest::prop_assert_eq!(e.parameters.len(), 1);
                    proptest::prop_assert!(e.message.contains(&e.parameters[0].0));
                }
            }
        }
    }
}
