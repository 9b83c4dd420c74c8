//! The field and expansion vocabularies X accepts, from the 2.166 spec (the wire names X uses).
//! The lists are kept in the spec's order because 400 bodies print them in that order.

/// `space.fields` (2.166 `SpaceFieldsParameter`).
pub(crate) const SPACE_FIELDS: [&str; 17] = [
    "created_at",
    "creator_id",
    "ended_at",
    "host_ids",
    "id",
    "invited_user_ids",
    "is_ticketed",
    "lang",
    "participant_count",
    "scheduled_start",
    "speaker_ids",
    "started_at",
    "state",
    "subscriber_count",
    "title",
    "topic_ids",
    "updated_at",
];

/// Indexes into [`SPACE_FIELDS`], used as bit positions of a field mask.
pub(crate) mod space_field {
    pub const CREATED_AT: usize = 0;
    pub const CREATOR_ID: usize = 1;
    pub const ENDED_AT: usize = 2;
    pub const HOST_IDS: usize = 3;
    pub const ID: usize = 4;
    pub const INVITED_USER_IDS: usize = 5;
    pub const IS_TICKETED: usize = 6;
    pub const LANG: usize = 7;
    pub const PARTICIPANT_COUNT: usize = 8;
    pub const SCHEDULED_START: usize = 9;
    pub const SPEAKER_IDS: usize = 10;
    pub const STARTED_AT: usize = 11;
    pub const STATE: usize = 12;
    pub const SUBSCRIBER_COUNT: usize = 13;
    pub const TITLE: usize = 14;
    pub const TOPIC_IDS: usize = 15;
    pub const UPDATED_AT: usize = 16;
}

/// The order members appear in a rendered Space: the defaults first, as X sends them.
pub(crate) const SPACE_RENDER_ORDER: [usize; 17] = {
    use space_field::*;
    [
        ID,
        STATE,
        CREATED_AT,
        CREATOR_ID,
        ENDED_AT,
        HOST_IDS,
        INVITED_USER_IDS,
        IS_TICKETED,
        LANG,
        PARTICIPANT_COUNT,
        SCHEDULED_START,
        SPEAKER_IDS,
        STARTED_AT,
        SUBSCRIBER_COUNT,
        TITLE,
        TOPIC_IDS,
        UPDATED_AT,
    ]
};

/// `expansions` on the four Space endpoints (2.166 `SpaceExpansionsParameter`).
pub(crate) const SPACE_EXPANSIONS: [&str; 5] = [
    "creator_id",
    "host_ids",
    "invited_user_ids",
    "speaker_ids",
    "topic_ids",
];

/// `user.fields` (2.166 `UserFieldsParameter`).
pub(crate) const USER_FIELDS: [&str; 26] = [
    "affiliation",
    "confirmed_email",
    "connection_status",
    "created_at",
    "description",
    "entities",
    "id",
    "is_identity_verified",
    "location",
    "most_recent_tweet_id",
    "name",
    "parody",
    "pinned_tweet_id",
    "profile_banner_url",
    "profile_image_url",
    "protected",
    "public_metrics",
    "receives_your_dm",
    "subscription",
    "subscription_type",
    "url",
    "username",
    "verified",
    "verified_followers_count",
    "verified_type",
    "withheld",
];

pub(crate) mod user_field {
    pub const ID: usize = 6;
    pub const NAME: usize = 10;
    pub const USERNAME: usize = 21;
}

/// Users always carry these; `user.fields` adds to them.
pub(crate) const USER_DEFAULT_MASK: u32 =
    (1 << user_field::ID) | (1 << user_field::NAME) | (1 << user_field::USERNAME);

/// The order members appear in a rendered user: the defaults first.
pub(crate) const USER_RENDER_ORDER: [usize; 26] = {
    let mut order = [0usize; 26];
    order[0] = user_field::ID;
    order[1] = user_field::NAME;
    order[2] = user_field::USERNAME;
    let mut next = 3;
    let mut i = 0;
    while i < 26 {
        if i != user_field::ID && i != user_field::NAME && i != user_field::USERNAME {
            order[next] = i;
            next += 1;
        }
        i += 1;
    }
    order
};

/// `topic.fields` (2.166 `TopicFieldsParameter`).
pub(crate) const TOPIC_FIELDS: [&str; 3] = ["description", "id", "name"];

/// `tweet.fields` (2.166 `TweetFieldsParameter`).
pub(crate) const TWEET_FIELDS: [&str; 34] = [
    "article",
    "attachments",
    "author_id",
    "card_uri",
    "community_id",
    "context_annotations",
    "conversation_id",
    "created_at",
    "display_text_range",
    "edit_controls",
    "edit_history_tweet_ids",
    "entities",
    "geo",
    "id",
    "in_reply_to_user_id",
    "lang",
    "matched_media_notes",
    "media_metadata",
    "non_public_metrics",
    "note_request_suggestions",
    "note_tweet",
    "organic_metrics",
    "paid_partnership",
    "possibly_sensitive",
    "promoted_metrics",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "scopes",
    "source",
    "suggested_source_links",
    "suggested_source_links_with_counts",
    "text",
    "withheld",
];

/// `post.fields`, the renamed vocabulary of the 2.167 spec, which X also accepts on the two
/// endpoints that return posts; a request that uses it is answered in that vocabulary.
pub(crate) const POST_FIELDS: [&str; 31] = [
    "article",
    "article_title",
    "attachments",
    "card_uri",
    "community_id",
    "context_annotations",
    "conversation_id",
    "created_at",
    "display_text_range",
    "edit_controls",
    "entities",
    "geo",
    "id",
    "lang",
    "matched_media_notes",
    "media_metadata",
    "non_public_metrics",
    "note_post",
    "note_request_suggestions",
    "organic_metrics",
    "paid_partnership",
    "possibly_sensitive",
    "promoted_metrics",
    "public_metrics",
    "reply_settings",
    "scopes",
    "source",
    "suggested_source_links",
    "suggested_source_links_with_counts",
    "text",
    "withheld",
];

/// `expansions` on `/2/spaces/{id}/tweets`: 2.166 `TweetExpansionsParameter` followed by the
/// 2.167 names that are not in it.
pub(crate) const TWEET_EXPANSIONS: [&str; 17] = [
    "article.cover_media",
    "article.media_entities",
    "attachments.media_keys",
    "attachments.media_source_tweet",
    "attachments.poll_ids",
    "author_id",
    "edit_history_tweet_ids",
    "entities.mentions.username",
    "geo.place_id",
    "in_reply_to_user_id",
    "entities.note.mentions.username",
    "referenced_tweets.id",
    "referenced_tweets.id.attachments.media_keys",
    "referenced_tweets.id.author_id",
    "edit_history_post_ids",
    "referenced_posts",
    "username",
];

/// `expansions` on `/2/spaces/{id}/buyers`: 2.166 `UserExpansionsParameter` followed by the
/// 2.167 names.
pub(crate) const USER_EXPANSIONS: [&str; 6] = [
    "affiliation.user_id",
    "most_recent_tweet_id",
    "pinned_tweet_id",
    "affiliation",
    "most_recent_post_id",
    "pinned_post_id",
];

pub(crate) const MEDIA_FIELDS: [&str; 13] = [
    "alt_text",
    "duration_ms",
    "height",
    "media_key",
    "non_public_metrics",
    "organic_metrics",
    "preview_image_url",
    "promoted_metrics",
    "public_metrics",
    "type",
    "url",
    "variants",
    "width",
];

pub(crate) const POLL_FIELDS: [&str; 5] = [
    "duration_minutes",
    "end_datetime",
    "id",
    "options",
    "voting_status",
];

pub(crate) const PLACE_FIELDS: [&str; 8] = [
    "contained_within",
    "country",
    "country_code",
    "full_name",
    "geo",
    "id",
    "name",
    "place_type",
];

pub(crate) const SEARCH_STATES: [&str; 3] = ["live", "scheduled", "all"];

/// The bit mask of `names` within `vocabulary` (names already validated).
pub(crate) fn mask_of<S: AsRef<str>>(vocabulary: &[&str], names: &[S]) -> u64 {
    names.iter().fold(0, |mask, name| {
        vocabulary
            .iter()
            .position(|v| *v == name.as_ref())
            .map_or(mask, |i| mask | (1 << i))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_orders_are_permutations() {
        let mut space = SPACE_RENDER_ORDER.to_vec();
        space.sort_unstable();
        assert_eq!(space, (0..17).collect::<Vec<_>>());
        let mut user = USER_RENDER_ORDER.to_vec();
        user.sort_unstable();
        assert_eq!(user, (0..26).collect::<Vec<_>>());
        assert_eq!(USER_FIELDS[user_field::ID], "id");
        assert_eq!(USER_FIELDS[user_field::NAME], "name");
        assert_eq!(USER_FIELDS[user_field::USERNAME], "username");
        assert_eq!(SPACE_FIELDS[space_field::TOPIC_IDS], "topic_ids");
        assert_eq!(
            SPACE_FIELDS[space_field::SUBSCRIBER_COUNT],
            "subscriber_count"
        );
    }
}
