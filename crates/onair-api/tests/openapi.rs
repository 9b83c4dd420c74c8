//! The OpenAPI document is the contract: any change to it shows up here as a snapshot diff
//! to review (`cargo insta review`, or `INSTA_UPDATE=always` to accept).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;

#[test]
fn openapi_document_matches_the_snapshot() {
    insta::assert_snapshot!("openapi", onair_api::openapi_json());
}

#[test]
fn every_v1_operation_is_authenticated_and_documents_its_errors() {
    let doc: Value = serde_json::from_str(&onair_api::openapi_json()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        "/v1/networks",
        "/v1/networks/{network}/credentials",
        "/v1/spaces",
        "/v1/spaces/by-creator",
        "/v1/spaces/search",
        "/v1/spaces/{network}/{id}",
        "/v1/api-keys",
        "/v1/api-keys/{id}",
        "/v1/profiles",
        "/v1/profiles/{id}",
        "/v1/profiles/{id}/link-token",
        "/healthz",
        "/readyz",
    ];
    for path in expected {
        assert!(paths.contains_key(path), "{path} missing from the spec");
    }
    for (path, item) in paths.iter().filter(|(p, _)| p.starts_with("/v1/")) {
        for (method, op) in item.as_object().unwrap() {
            let where_ = format!("{method} {path}");
            assert_eq!(
                op["security"][0]["api_key"],
                serde_json::json!([]),
                "{where_}"
            );
            for status in ["401", "429", "default"] {
                let content = &op["responses"][status]["content"]["application/problem+json"];
                assert!(
                    content.is_object(),
                    "{where_} lacks a problem response for {status}"
                );
            }
            let params = op["parameters"].as_array().unwrap();
            assert!(
                params
                    .iter()
                    .any(|p| p["name"] == "Profile-Key" && p["in"] == "header"),
                "{where_}"
            );
        }
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
}

fn parameter<'a>(doc: &'a Value, method: &str, path: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
}

fn pattern(schema: &Value) -> regex::Regex {
    regex::Regex::new(schema["pattern"].as_str().unwrap()).unwrap()
}

/// A client that validates its requests against the spec must send what the server takes:
/// the documented rules are the ones the handlers enforce.
#[test]
fn search_parameters_are_documented_as_validated() {
    let doc: Value = serde_json::from_str(&onair_api::openapi_json()).unwrap();
    let search = "/v1/spaces/search";
    let query = parameter(&doc, "get", search, "query");
    assert_eq!(
        query["required"], true,
        "a search without `query` is refused"
    );
    let limit = &parameter(&doc, "get", search, "limit")["schema"];
    assert_eq!(limit["type"], "integer");
    assert_eq!(limit["minimum"], 1);
    assert_eq!(
        limit["maximum"],
        onair_api::routes::spaces::MAX_SEARCH_LIMIT
    );
    let state = &parameter(&doc, "get", search, "state")["schema"];
    assert_eq!(
        state["enum"],
        serde_json::json!(["live", "scheduled", "all"])
    );
    for name in ["query", "state", "networks", "limit"] {
        let schema = &parameter(&doc, "get", search, name)["schema"];
        assert!(
            schema["type"].is_string(),
            "{name} is not nullable: {schema}"
        );
    }
    let networks = pattern(&parameter(&doc, "get", search, "networks")["schema"]);
    assert!(networks.is_match("x,sandbox") && networks.is_match(" X , twitter"));
    assert!(!networks.is_match("") && !networks.is_match("x,,sandbox"));
}

#[test]
fn id_patterns_match_the_ids_the_server_makes_and_parses() {
    use onair_store::{
        ApiKeyId, ProfileId,
        secrets::{Token, TokenKind},
    };
    let doc: Value = serde_json::from_str(&onair_api::openapi_json()).unwrap();
    let key = pattern(&parameter(&doc, "get", "/v1/api-keys/{id}", "id")["schema"]);
    let profile = pattern(&parameter(&doc, "get", "/v1/profiles/{id}", "id")["schema"]);
    for _ in 0..20 {
        let id = Token::generate(TokenKind::ApiKey).api_key_id().to_string();
        assert!(key.is_match(&id), "{id}");
        let id = ProfileId::generate().to_string();
        assert!(profile.is_match(&id), "{id}");
    }
    for bad in [
        "key_short",
        "key_3kTMd9ZqLw0a!",
        "KEY_3kTMd9ZqLw0a",
        "key_3kTMd9ZqLw0aa",
    ] {
        assert!(
            !key.is_match(bad) && bad.parse::<ApiKeyId>().is_err(),
            "{bad}"
        );
    }
    let upper = "prof_0193C5E0A1B27C3D8E9F001122334455";
    assert!(!profile.is_match(upper) && upper.parse::<ProfileId>().is_err());
}

#[test]
fn id_list_patterns_allow_up_to_the_most_ids_a_request_may_name() {
    use onair_api::routes::spaces::MAX_IDS;
    let doc: Value = serde_json::from_str(&onair_api::openapi_json()).unwrap();
    for (path, name) in [
        ("/v1/spaces", "ids"),
        ("/v1/spaces/by-creator", "creator_ids"),
    ] {
        let list = pattern(&parameter(&doc, "get", path, name)["schema"]);
        let ids = |n: usize| (0..n).map(|i| format!("x:{i}")).collect::<Vec<_>>();
        assert!(list.is_match(&ids(MAX_IDS).join(",")), "{path}");
        assert!(list.is_match(&ids(3).join(" , ")), "{path}");
        assert!(!list.is_match(&ids(MAX_IDS + 1).join(",")), "{path}");
        for bad in ["", "x", ":1", "x:1,", "x:1,,x:2"] {
            assert!(!list.is_match(bad), "{path}: {bad:?}");
        }
    }
}
