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
