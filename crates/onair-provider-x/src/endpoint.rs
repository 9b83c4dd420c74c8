//! The four X endpoints onair calls and the one field selection they all share.

use std::fmt;

/// An X Spaces endpoint; rate-limit budgets are kept per endpoint and credential, as X's
/// docs key them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Endpoint {
    SpaceById,
    SpacesByIds,
    SpacesByCreatorIds,
    SpacesSearch,
}

impl Endpoint {
    /// The route as X documents it; also the name in rate-limit snapshots and traces.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SpaceById => "/2/spaces/:id",
            Self::SpacesByIds => "/2/spaces",
            Self::SpacesByCreatorIds => "/2/spaces/by/creator_ids",
            Self::SpacesSearch => "/2/spaces/search",
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every `space.fields` value of X's 2.166 spec.
///
/// `subscriber_count` is visible only to the creator's own user token. It is asked for
/// anyway: with any other token X leaves the member out (or, at worst, reports an inline
/// `not-authorized-for-field` problem, which onair ignores), so asking costs nothing and a
/// creator's token gets the count. Answers made with user tokens are cache-partitioned for
/// exactly this reason (see `XProvider::cache_partition`).
const SPACE_FIELDS: &str = "created_at,creator_id,ended_at,host_ids,id,invited_user_ids,\
is_ticketed,lang,participant_count,scheduled_start,speaker_ids,started_at,state,\
subscriber_count,title,topic_ids,updated_at";

/// `topic_ids`, not the `topics_ids` of X's old reference pages, which X rejects.
const EXPANSIONS: &str = "creator_id,host_ids,speaker_ids,invited_user_ids,topic_ids";

/// X's defaults for users, asked for explicitly so the answer does not depend on them.
const USER_FIELDS: &str = "id,name,username";

const TOPIC_FIELDS: &str = "id,name,description";

/// The field selection sent to all four endpoints: lists comma-separated in one parameter.
pub(crate) const SPACE_QUERY: [(&str, &str); 4] = [
    ("space.fields", SPACE_FIELDS),
    ("expansions", EXPANSIONS),
    ("user.fields", USER_FIELDS),
    ("topic.fields", TOPIC_FIELDS),
];

/// Most ids (Spaces or users) one X call takes.
pub(crate) const MAX_IDS_PER_CALL: usize = 100;

/// Most results one search returns.
pub(crate) const MAX_SEARCH_RESULTS: u32 = 100;

/// Longest search query X takes, in characters.
pub(crate) const MAX_QUERY_CHARS: usize = 2048;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_for_all_seventeen_space_fields_once() {
        let fields: Vec<&str> = SPACE_FIELDS.split(',').collect();
        assert_eq!(fields.len(), 17);
        let mut unique = fields.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 17);
        assert!(fields.contains(&"subscriber_count") && fields.contains(&"topic_ids"));
        assert!(!SPACE_FIELDS.contains(' '));
    }

    #[test]
    fn expansions_use_the_accepted_spelling() {
        let expansions: Vec<&str> = EXPANSIONS.split(',').collect();
        assert!(expansions.contains(&"topic_ids"));
        assert!(!expansions.contains(&"topics_ids"));
        assert_eq!(expansions.len(), 5);
    }
}
