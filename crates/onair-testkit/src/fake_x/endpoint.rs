//! The six Spaces endpoints and how a request path maps onto them.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

/// One of X's Spaces endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `GET /2/spaces/{id}`
    SpaceById,
    /// `GET /2/spaces?ids=`
    SpacesByIds,
    /// `GET /2/spaces/by/creator_ids?user_ids=`
    ByCreatorIds,
    /// `GET /2/spaces/search?query=`
    Search,
    /// `GET /2/spaces/{id}/buyers`
    Buyers,
    /// `GET /2/spaces/{id}/tweets`
    Tweets,
}

impl Endpoint {
    pub const ALL: [Endpoint; 6] = [
        Endpoint::SpaceById,
        Endpoint::SpacesByIds,
        Endpoint::ByCreatorIds,
        Endpoint::Search,
        Endpoint::Buyers,
        Endpoint::Tweets,
    ];

    /// The path template, as X's docs write it.
    pub fn path_template(self) -> &'static str {
        match self {
            Endpoint::SpaceById => "/2/spaces/{id}",
            Endpoint::SpacesByIds => "/2/spaces",
            Endpoint::ByCreatorIds => "/2/spaces/by/creator_ids",
            Endpoint::Search => "/2/spaces/search",
            Endpoint::Buyers => "/2/spaces/{id}/buyers",
            Endpoint::Tweets => "/2/spaces/{id}/tweets",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// A request path matched to an endpoint, with its decoded path `id` where it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    pub endpoint: Endpoint,
    pub path_id: Option<String>,
}

/// Matches a `GET` path; `None` is X's 404 for a path it does not serve.
pub(crate) fn route(path: &str) -> Option<Route> {
    let rest = path.strip_prefix("/2/spaces")?;
    let plain = |endpoint| {
        Some(Route {
            endpoint,
            path_id: None,
        })
    };
    if rest.is_empty() {
        return plain(Endpoint::SpacesByIds);
    }
    let segments: Vec<&str> = rest.strip_prefix('/')?.split('/').collect();
    let with_id = |endpoint, raw: &str| {
        (!raw.is_empty()).then(|| Route {
            endpoint,
            path_id: Some(decode(raw).into_owned()),
        })
    };
    match segments.as_slice() {
        ["search"] => plain(Endpoint::Search),
        ["by", "creator_ids"] => plain(Endpoint::ByCreatorIds),
        [id] => with_id(Endpoint::SpaceById, id),
        [id, "buyers"] => with_id(Endpoint::Buyers, id),
        [id, "tweets"] => with_id(Endpoint::Tweets, id),
        _ => None,
    }
}

fn decode(raw: &str) -> Cow<'_, str> {
    percent_decode_str(raw).decode_utf8_lossy()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_every_endpoint_and_nothing_else() {
        let r = |p| route(p).map(|r| (r.endpoint, r.path_id));
        assert_eq!(r("/2/spaces"), Some((Endpoint::SpacesByIds, None)));
        assert_eq!(r("/2/spaces/search"), Some((Endpoint::Search, None)));
        assert_eq!(
            r("/2/spaces/by/creator_ids"),
            Some((Endpoint::ByCreatorIds, None))
        );
        assert_eq!(
            r("/2/spaces/1DXxyRYNejbKM"),
            Some((Endpoint::SpaceById, Some("1DXxyRYNejbKM".into())))
        );
        assert_eq!(
            r("/2/spaces/1DX/buyers"),
            Some((Endpoint::Buyers, Some("1DX".into())))
        );
        assert_eq!(
            r("/2/spaces/1DX/tweets"),
            Some((Endpoint::Tweets, Some("1DX".into())))
        );
        assert_eq!(
            r("/2/spaces/a%20b"),
            Some((Endpoint::SpaceById, Some("a b".into())))
        );
        for missing in [
            "/",
            "/2/spaces/",
            "/2/spacesx",
            "/2/spaces/1DX/hosts",
            "/2/spaces/by/x",
            "/2/users/1",
            "/2/spaces//buyers",
        ] {
            assert_eq!(r(missing), None, "{missing}");
        }
    }
}
