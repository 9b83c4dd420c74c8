//! The fake X over real HTTP: every endpoint, field and expansion selection, partial errors,
//! discovery rules, state changes while running, and unicode round trips.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use onair_testkit::fake_x::{
    Endpoint, FakeX, FakeXConfig, Seed, SeedSpace, SeedUser, SpaceState, seed, timestamp,
};
use serde_json::{Value, json};

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

async fn get_as(x: &FakeX, path_and_query: &str, token: &str) -> Reply {
    let response = reqwest::Client::new()
        .get(format!("{}{path_and_query}", x.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("request to the fake");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    assert_eq!(
        headers["content-type"], "application/json; charset=utf-8",
        "{path_and_query}"
    );
    Reply {
        status,
        headers,
        text,
    }
}

async fn get(x: &FakeX, path_and_query: &str) -> Reply {
    get_as(x, path_and_query, &x.app_token()).await
}

fn ids(data: &Value) -> Vec<String> {
    data.as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|s| s["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn space_by_id_defaults_to_id_and_state_only() {
    let x = FakeX::start().await;
    let r = get(&x, &format!("/2/spaces/{}", seed::LIVE_SPACE)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text, r#"{"data":{"id":"1DXxyRYNejbKM","state":"live"}}"#);
    assert_eq!(r.headers["x-rate-limit-limit"], "300");
    assert_eq!(r.headers["x-rate-limit-remaining"], "299");

    for (id, state) in [
        (seed::SCHEDULED_SPACE, "scheduled"),
        (seed::ENDED_SPACE, "ended"),
        (seed::CANCELED_SPACE, "canceled"),
    ] {
        let r = get(&x, &format!("/2/spaces/{id}")).await;
        assert_eq!(r.json(), json!({"data": {"id": id, "state": state}}));
    }
}

#[tokio::test]
async fn requested_space_fields_are_added_and_absent_ones_omitted() {
    let x = FakeX::start().await;
    let all = "created_at,creator_id,ended_at,host_ids,id,invited_user_ids,is_ticketed,lang,participant_count,scheduled_start,speaker_ids,started_at,state,subscriber_count,title,topic_ids,updated_at";
    let r = get(
        &x,
        &format!("/2/spaces/{}?space.fields={all}", seed::LIVE_SPACE),
    )
    .await;
    let s = x.space(seed::LIVE_SPACE).unwrap();
    let t = |at: Option<chrono::DateTime<chrono::Utc>>| timestamp(&at.unwrap());
    assert_eq!(
        r.json(),
        json!({"data": {
            "id": seed::LIVE_SPACE,
            "state": "live",
            "created_at": t(s.created_at),
            "creator_id": seed::TWITTER_DEV,
            "host_ids": [seed::TWITTER_DEV, seed::TWITTER_API],
            "invited_user_ids": [seed::TWITTER_API],
            "is_ticketed": false,
            "lang": "en",
            "participant_count": 420,
            "scheduled_start": t(s.scheduled_start),
            "speaker_ids": [seed::TWITTER_DEV, seed::TWITTER_API, seed::TWITTER],
            "started_at": t(s.started_at),
            "title": "hello world 👋",
            "topic_ids": [seed::TOPIC_TECHNOLOGY],
            "updated_at": t(s.updated_at),
        }})
    );
    let created = r.json()["data"]["created_at"].as_str().unwrap().to_owned();
    assert!(
        created.len() == 24 && created.ends_with(".000Z") && created.as_bytes()[10] == b'T',
        "{created}"
    );

    // A Space with nothing else set stays {id, state} whatever is asked.
    let r = get(
        &x,
        &format!(
            "/2/spaces/{}?space.fields={all}&expansions=creator_id,host_ids",
            seed::BARE_SPACE
        ),
    )
    .await;
    assert_eq!(r.text, r#"{"data":{"id":"1PlKQaWzBZnKE","state":"live"}}"#);
}

#[tokio::test]
async fn subscriber_count_is_shown_only_to_the_creators_user_token() {
    let x = FakeX::start().await;
    let path = format!(
        "/2/spaces/{}?space.fields=subscriber_count",
        seed::LIVE_SPACE
    );
    assert_eq!(
        get(&x, &path).await.json()["data"].get("subscriber_count"),
        None
    );
    let other = x.user_token(seed::TWITTER);
    assert_eq!(
        get_as(&x, &path, &other).await.json()["data"].get("subscriber_count"),
        None
    );
    let creator = x.user_token(seed::TWITTER_DEV);
    assert_eq!(creator, x.user_token(seed::TWITTER_DEV));
    assert_eq!(
        get_as(&x, &path, &creator).await.json()["data"]["subscriber_count"],
        12
    );
}

#[tokio::test]
async fn expansions_put_ids_in_data_and_each_user_once_in_includes() {
    let x = FakeX::start().await;
    let r = get(
        &x,
        &format!(
            "/2/spaces/{}?expansions=creator_id,host_ids,invited_user_ids,speaker_ids&user.fields=created_at,verified,description",
            seed::LIVE_SPACE
        ),
    )
    .await;
    let body = r.json();
    assert_eq!(body["data"]["creator_id"], seed::TWITTER_DEV);
    assert_eq!(
        body["data"]["host_ids"],
        json!([seed::TWITTER_DEV, seed::TWITTER_API])
    );
    assert_eq!(body["data"]["invited_user_ids"], json!([seed::TWITTER_API]));
    assert_eq!(body["data"].get("title"), None);
    let users = body["includes"]["users"].as_array().unwrap();
    assert_eq!(
        ids(&body["includes"]["users"]),
        [seed::TWITTER_DEV, seed::TWITTER_API, seed::TWITTER]
    );
    assert_eq!(
        users[0],
        json!({"id": seed::TWITTER_DEV, "name": "Twitter Dev", "username": "TwitterDev",
               "created_at": "2013-12-14T04:35:55.000Z", "verified": true,
               "description": "The voice of the X Dev team and your official source for updates."})
    );
    // Fields a user has no value for are omitted, not null.
    assert_eq!(
        users[2],
        json!({"id": seed::TWITTER, "name": "Twitter", "username": "Twitter", "created_at": "2007-02-20T14:35:54.000Z"})
    );
    assert_eq!(body.get("errors"), None);
    assert_eq!(body.get("meta"), None);

    // Without expansions, user.fields adds nothing.
    let r = get(
        &x,
        &format!("/2/spaces/{}?user.fields=created_at", seed::LIVE_SPACE),
    )
    .await;
    assert_eq!(r.json().get("includes"), None);
}

#[tokio::test]
async fn topic_expansion_fills_includes_topics() {
    let x = FakeX::start().await;
    let r = get(
        &x,
        &format!("/2/spaces/{}?expansions=topic_ids", seed::COMMUNITY_SPACE),
    )
    .await;
    let body = r.json();
    assert_eq!(
        body["data"]["topic_ids"],
        json!([seed::TOPIC_MUSIC, seed::TOPIC_GAMING, seed::TOPIC_MISSING])
    );
    assert_eq!(
        body["includes"]["topics"],
        json!([{"id": seed::TOPIC_MUSIC, "name": "Music"}, {"id": seed::TOPIC_GAMING, "name": "Gaming"}])
    );
    let r = get(
        &x,
        &format!(
            "/2/spaces/{}?expansions=topic_ids&topic.fields=description,id,name",
            seed::LIVE_SPACE
        ),
    )
    .await;
    assert_eq!(
        r.json()["includes"]["topics"],
        json!([{"id": seed::TOPIC_TECHNOLOGY, "name": "Technology", "description": "All about technology"}])
    );
}

#[tokio::test]
async fn a_creator_without_a_user_record_is_a_partial_error() {
    let x = FakeX::start().await;
    let r = get(
        &x,
        &format!(
            "/2/spaces/{}?expansions=creator_id,host_ids",
            seed::ORPHAN_SPACE
        ),
    )
    .await;
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(ids(&body["includes"]["users"]), [seed::TWITTER_DEV]);
    assert_eq!(
        body["errors"],
        json!([{
            "value": seed::GHOST_CREATOR,
            "detail": format!("Could not find user with creator_id: [{}].", seed::GHOST_CREATOR),
            "title": "Not Found Error",
            "resource_type": "user",
            "parameter": "creator_id",
            "resource_id": seed::GHOST_CREATOR,
            "type": "https://api.x.com/2/problems/resource-not-found",
        }])
    );
}

#[tokio::test]
async fn a_missing_space_by_id_is_200_with_only_errors() {
    let x = FakeX::start().await;
    let r = get(
        &x,
        &format!("/2/spaces/{}?space.fields=title", seed::MISSING_SPACE),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.text,
        r#"{"errors":[{"value":"1OwxWzlwbrnJQ","detail":"Could not find space with id: [1OwxWzlwbrnJQ].","title":"Not Found Error","resource_type":"space","parameter":"id","resource_id":"1OwxWzlwbrnJQ","type":"https://api.x.com/2/problems/resource-not-found"}]}"#
    );
}

#[tokio::test]
async fn spaces_by_ids_keeps_request_order_reports_missing_ids_and_has_no_meta() {
    let x = FakeX::start().await;
    let wanted = [
        seed::ENDED_SPACE,
        seed::MISSING_SPACE,
        seed::LIVE_SPACE,
        "1zzzzzzzzzzzz",
        seed::CANCELED_SPACE,
    ];
    let r = get(&x, &format!("/2/spaces?ids={}", wanted.join("%2C"))).await;
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(
        ids(&body["data"]),
        [seed::ENDED_SPACE, seed::LIVE_SPACE, seed::CANCELED_SPACE]
    );
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["value"], seed::MISSING_SPACE);
    assert_eq!(errors[0]["parameter"], "ids");
    assert_eq!(
        errors[0]["detail"],
        format!("Could not find space with ids: [{}].", seed::MISSING_SPACE)
    );
    assert_eq!(errors[1]["resource_id"], "1zzzzzzzzzzzz");
    assert_eq!(body.get("meta"), None);

    let r = get(&x, &format!("/2/spaces?ids={}", seed::MISSING_SPACE)).await;
    assert_eq!(r.json().get("data"), None);
    assert_eq!(r.json()["errors"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn two_hundred_fifty_ids_take_three_lookups_and_find_them_all() {
    let x = FakeX::start().await;
    let all = seed::all_space_ids();
    let wanted = &all[..250];
    let mut found = Vec::new();
    for chunk in wanted.chunks(100) {
        let r = get(
            &x,
            &format!("/2/spaces?ids={}&space.fields=title", chunk.join(",")),
        )
        .await;
        assert_eq!(r.status, 200);
        found.extend(ids(&r.json()["data"]));
    }
    assert_eq!(found, wanted);
    assert_eq!(x.calls_to(Endpoint::SpacesByIds), 3);
}

#[tokio::test]
async fn by_creator_ids_returns_only_live_and_scheduled_with_a_count() {
    // Two calls in a row: lift X's one-per-second limit, which has its own test.
    let x = FakeX::start_with(FakeXConfig {
        creator_ids_per_second: 0,
        ..Default::default()
    })
    .await;
    let r = get(
        &x,
        &format!(
            "/2/spaces/by/creator_ids?user_ids={},{}&space.fields=creator_id",
            seed::TWITTER_DEV,
            seed::TWITTER_API
        ),
    )
    .await;
    let body = r.json();
    // TwitterDev: live then scheduled (the ended one is left out); TwitterAPI: scheduled only.
    assert_eq!(
        ids(&body["data"]),
        [
            seed::LIVE_SPACE,
            seed::DEV_SCHEDULED_SPACE,
            seed::SCHEDULED_SPACE
        ]
    );
    assert_eq!(body["meta"], json!({"result_count": 3}));

    let r = get(
        &x,
        &format!("/2/spaces/by/creator_ids?user_ids={}", seed::MISSING_USER),
    )
    .await;
    assert_eq!(r.text, r#"{"meta":{"result_count":0}}"#);
}

#[tokio::test]
async fn generated_creators_have_several_spaces_each() {
    let x = FakeX::start_with(FakeXConfig {
        creator_ids_per_second: 0,
        ..Default::default()
    })
    .await;
    let creator = seed::generated_user_id(3);
    let r = get(
        &x,
        &format!("/2/spaces/by/creator_ids?user_ids={creator}&space.fields=creator_id,state"),
    )
    .await;
    let body = r.json();
    let expected = (0..seed::GENERATED_SPACES)
        .filter(|i| seed::generated_space_creator(*i) == creator)
        .filter(|i| {
            matches!(
                seed::generated_space_state(*i),
                SpaceState::Live | SpaceState::Scheduled
            )
        })
        .count();
    assert!(expected >= 5, "{expected}");
    assert_eq!(body["meta"]["result_count"], expected);
    let data = body["data"].as_array().unwrap();
    assert!(data.iter().all(|s| s["creator_id"] == creator.as_str()));
    let states: Vec<&str> = data.iter().map(|s| s["state"].as_str().unwrap()).collect();
    let first_scheduled = states
        .iter()
        .position(|s| *s == "scheduled")
        .unwrap_or(states.len());
    assert!(states[..first_scheduled].iter().all(|s| *s == "live"));
    assert!(
        states[first_scheduled..].iter().all(|s| *s == "scheduled"),
        "{states:?}"
    );
}

#[tokio::test]
async fn search_is_case_insensitive_on_titles_live_first_and_never_ended() {
    let x = FakeX::start().await;
    let r = get(&x, "/2/spaces/search?query=HeLLo&space.fields=title").await;
    let body = r.json();
    let data = body["data"].as_array().unwrap();
    assert_eq!(body["meta"]["result_count"], data.len());
    assert!(data.iter().all(|s| {
        s["title"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("hello")
    }));
    let found = ids(&body["data"]);
    for expected in [
        seed::LIVE_SPACE,
        seed::SCHEDULED_SPACE,
        seed::ORPHAN_SPACE,
        seed::EMOJI_SPACE,
        seed::DEV_SCHEDULED_SPACE,
    ] {
        assert!(
            found.contains(&expected.to_owned()),
            "{expected} missing from {found:?}"
        );
    }
    for excluded in [seed::ENDED_SPACE, seed::CANCELED_SPACE] {
        assert!(!found.contains(&excluded.to_owned()));
    }
    let states: Vec<&str> = data.iter().map(|s| s["state"].as_str().unwrap()).collect();
    let split = states.iter().position(|s| *s == "scheduled").unwrap();
    assert!(
        states[..split].iter().all(|s| *s == "live")
            && states[split..].iter().all(|s| *s == "scheduled")
    );

    let live = get(&x, "/2/spaces/search?query=hello&state=live")
        .await
        .json();
    assert!(
        live["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["state"] == "live")
    );
    let scheduled = get(&x, "/2/spaces/search?query=hello&state=scheduled")
        .await
        .json();
    assert!(
        scheduled["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["state"] == "scheduled")
    );
    assert_eq!(
        live["meta"]["result_count"].as_u64().unwrap()
            + scheduled["meta"]["result_count"].as_u64().unwrap(),
        data.len() as u64
    );

    let none = get(
        &x,
        &format!("/2/spaces/search?query={}", seed::NO_MATCH_QUERY),
    )
    .await;
    assert_eq!(none.text, r#"{"meta":{"result_count":0}}"#);
}

#[tokio::test]
async fn search_returns_at_most_max_results_defaulting_to_100() {
    let x = FakeX::start().await;
    let r = get(&x, &format!("/2/spaces/search?query={}", seed::BROAD_QUERY)).await;
    assert_eq!(r.json()["meta"]["result_count"], 100);
    assert_eq!(r.json()["data"].as_array().unwrap().len(), 100);
    let r = get(
        &x,
        &format!(
            "/2/spaces/search?query={}&max_results=7&state=scheduled",
            seed::BROAD_QUERY
        ),
    )
    .await;
    assert_eq!(r.json()["meta"]["result_count"], 7);
    let r = get(
        &x,
        "/2/spaces/search?query=hello%20world&expansions=creator_id&user.fields=created_at",
    )
    .await;
    let body = r.json();
    assert_eq!(ids(&body["data"]), [seed::LIVE_SPACE]);
    assert_eq!(body["data"][0]["creator_id"], seed::TWITTER_DEV);
    assert_eq!(
        body["includes"]["users"][0]["created_at"],
        "2013-12-14T04:35:55.000Z"
    );
}

#[tokio::test]
async fn unicode_titles_round_trip_and_are_searchable() {
    let x = FakeX::start().await;
    for (id, title, fragment) in [
        (seed::EMOJI_SPACE, seed::EMOJI_TITLE, "👩🏽‍💻"),
        (seed::CJK_SPACE, seed::CJK_TITLE, "東京"),
        (seed::RTL_SPACE, seed::RTL_TITLE, "عربية"),
        (seed::COMBINING_SPACE, seed::COMBINING_TITLE, "cre\u{300}me"),
    ] {
        let r = get(&x, &format!("/2/spaces/{id}?space.fields=title")).await;
        assert_eq!(r.json()["data"]["title"], title);
        let query: String = url::form_urlencoded::byte_serialize(fragment.as_bytes()).collect();
        let found = get(
            &x,
            &format!("/2/spaces/search?query={query}&space.fields=title"),
        )
        .await
        .json();
        assert!(
            ids(&found["data"]).contains(&id.to_owned()),
            "{fragment}: {found}"
        );
    }
    // Control characters, quotes and lone combining marks survive JSON escaping.
    let odd = "tab\there \"quoted\" \\ back\u{0001}\u{301} 𝄞";
    x.upsert_space(SeedSpace::new("1oddTitle0001", SpaceState::Live).title(odd));
    let r = get(&x, "/2/spaces/1oddTitle0001?space.fields=title").await;
    assert_eq!(r.json()["data"]["title"], odd);
}

#[tokio::test]
async fn spaces_and_users_change_while_the_server_runs() {
    let x = FakeX::start_with(FakeXConfig {
        seed: Seed::Empty,
        creator_ids_per_second: 0,
        ..Default::default()
    })
    .await;
    let id = "1AbCdEfGhIjKl";
    assert_eq!(
        get(&x, &format!("/2/spaces/{id}")).await.json()["errors"][0]["value"],
        id
    );
    let creator = "42";
    let scheduled = SeedSpace::new(id, SpaceState::Scheduled)
        .title("Launch party")
        .creator_id(creator);
    x.upsert_space(scheduled.clone());
    x.upsert_user(SeedUser::new(creator, "launcher", "The Launcher"));
    let by_creator = format!("/2/spaces/by/creator_ids?user_ids={creator}&expansions=creator_id");
    let body = get(&x, &by_creator).await.json();
    assert_eq!(body["data"][0]["state"], "scheduled");
    assert_eq!(body["includes"]["users"][0]["username"], "launcher");

    x.upsert_space(scheduled.clone().state(SpaceState::Live));
    assert_eq!(
        get(&x, &format!("/2/spaces/{id}")).await.json()["data"]["state"],
        "live"
    );
    x.upsert_space(scheduled.state(SpaceState::Ended));
    assert_eq!(
        get(&x, &format!("/2/spaces/{id}")).await.json()["data"]["state"],
        "ended"
    );
    assert_eq!(
        get(&x, &by_creator).await.text,
        r#"{"meta":{"result_count":0}}"#
    );

    x.remove_space(id);
    assert_eq!(
        get(&x, &format!("/2/spaces?ids={id}")).await.json()["errors"][0]["parameter"],
        "ids"
    );
    x.upsert_space(SeedSpace::new(id, SpaceState::Other("paused".into())));
    assert_eq!(
        get(&x, &format!("/2/spaces/{id}")).await.json()["data"]["state"],
        "paused"
    );
}

#[tokio::test]
async fn buyers_are_listed_to_the_creator_in_pages() {
    let x = FakeX::start().await;
    let creator = x.user_token(seed::TWITTER_SPACES);
    let path = format!("/2/spaces/{}/buyers", seed::TICKETED_SPACE);
    let all = get_as(&x, &path, &creator).await.json();
    assert_eq!(
        ids(&all["data"]),
        [seed::TWITTER_DEV, seed::TWITTER, seed::TICKET_FAN]
    );
    assert_eq!(
        all["data"][2],
        json!({"id": seed::TICKET_FAN, "name": "Ticket Fan", "username": "ticket_fan"})
    );
    assert_eq!(all["meta"], json!({"result_count": 3}));

    let first = get_as(
        &x,
        &format!("{path}?max_results=2&expansions=pinned_tweet_id&tweet.fields=created_at"),
        &creator,
    )
    .await
    .json();
    assert_eq!(ids(&first["data"]), [seed::TWITTER_DEV, seed::TWITTER]);
    assert_eq!(first["data"][0]["pinned_tweet_id"], seed::PINNED_TWEET);
    assert_eq!(first["includes"]["tweets"][0]["id"], seed::PINNED_TWEET);
    assert_eq!(
        first["includes"]["tweets"][0]["created_at"],
        "2020-04-29T17:01:38.000Z"
    );
    let next = first["meta"]["next_token"].as_str().unwrap().to_owned();
    let second = get_as(
        &x,
        &format!("{path}?max_results=2&pagination_token={next}"),
        &creator,
    )
    .await
    .json();
    assert_eq!(ids(&second["data"]), [seed::TICKET_FAN]);
    assert_eq!(second["meta"]["result_count"], 1);
    assert!(
        second["meta"].get("next_token").is_none() && second["meta"]["previous_token"].is_string()
    );

    let stranger = x.user_token(seed::TWITTER_DEV);
    let denied = get_as(&x, &path, &stranger).await;
    assert_eq!(denied.status, 200);
    assert_eq!(
        denied.json()["errors"][0]["type"],
        "https://api.x.com/2/problems/not-authorized-for-resource"
    );

    let no_buyers = get_as(
        &x,
        &format!("/2/spaces/{}/buyers", seed::TICKETED_LIVE_SPACE),
        &creator,
    )
    .await;
    assert_eq!(no_buyers.text, r#"{"meta":{"result_count":0}}"#);
}

#[tokio::test]
async fn tweets_shared_in_a_space_in_either_vocabulary() {
    let x = FakeX::start().await;
    let path = format!("/2/spaces/{}/tweets", seed::LIVE_SPACE);
    let body = get(&x, &path).await.json();
    assert_eq!(ids(&body["data"]), seed::LIVE_SPACE_TWEETS);
    assert_eq!(
        body["data"][0],
        json!({"id": seed::LIVE_SPACE_TWEETS[0], "text": "now, everyone with 600 or more followers can host a Space.",
               "edit_history_tweet_ids": [seed::LIVE_SPACE_TWEETS[0]]})
    );
    assert_eq!(body["meta"]["result_count"], 3);

    let body = get(&x, &format!("{path}?expansions=author_id&tweet.fields=created_at,lang&user.fields=description&max_results=2")).await.json();
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    assert_eq!(body["data"][0]["author_id"], seed::TWITTER_SPACES);
    assert_eq!(body["data"][0]["lang"], "en");
    assert_eq!(
        body["includes"]["users"][0]["description"],
        "Twitter Spaces is where live audio conversations happen."
    );
    assert!(body["meta"]["next_token"].is_string());

    let posts = get(&x, &format!("{path}?post.fields=created_at"))
        .await
        .json();
    assert!(posts["data"][0]["edit_history_post_ids"].is_array());
    assert!(posts["data"][0].get("edit_history_tweet_ids").is_none());

    let missing = get(&x, &format!("/2/spaces/{}/tweets", seed::MISSING_SPACE))
        .await
        .json();
    assert_eq!(
        missing["errors"][0]["detail"],
        format!("Could not find space with id: [{}].", seed::MISSING_SPACE)
    );
}
