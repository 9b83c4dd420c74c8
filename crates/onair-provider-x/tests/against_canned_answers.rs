//! Answers the fake X never gives but the real one might (or a proxy in front of it): each
//! served verbatim over real HTTP by a tiny canned server, to check the adapter's tolerance.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use onair_core::{
    CallContext, ProviderError, RateLimitScope, SearchQuery, SearchState, SpaceLookup, SpaceSearch,
};
use onair_provider_x::{XConfig, XProvider};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

/// Serves `status`, `headers` and `body` to every request on a fresh port; returns the
/// adapter pointed at it.
async fn canned(status: &str, headers: &[(&str, &str)], body: &str) -> XProvider {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(body);
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let response = response.clone();
            tokio::spawn(async move {
                // Read the request head; the adapter sends no body.
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    XProvider::new(XConfig {
        base_url: Url::parse(&format!("http://{addr}")).unwrap(),
        bearer_token: Some("AAAAAAAAAAAAAAAAAAAAAcanned0operator0token".into()),
        timeout: Duration::from_secs(5),
        ..XConfig::default()
    })
    .unwrap()
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn an_id_neither_returned_nor_reported_is_not_found() {
    let p = canned(
        "200 OK",
        &[],
        r#"{"data":[{"id":"1DXxyRYNejbKM","state":"live"}]}"#,
    )
    .await;
    let got = p
        .lookup_many(
            &CallContext::default(),
            &ids(&["1DXxyRYNejbKM", "1nAJELYEEPvGL"]),
        )
        .await
        .unwrap();
    assert!(got[0].is_ok());
    assert_eq!(
        got[1],
        Err(ProviderError::NotFound {
            id: "1nAJELYEEPvGL".into()
        })
    );
}

#[tokio::test]
async fn bad_fields_are_dropped_and_the_space_kept() {
    let p = canned(
        "200 OK",
        &[],
        r#"{"data":{"id":"1DXxyRYNejbKM","state":"scheduled","title":"kept",
            "scheduled_start":"2021-7-14T04:35:55Z","created_at":"2021-07-04T23:12:08.000Z",
            "is_ticketed":"false","subscriber_count":"10","participant_count":-1,"future":[1,2]}}"#,
    )
    .await;
    let space = p
        .lookup(&CallContext::default(), "1DXxyRYNejbKM")
        .await
        .unwrap();
    assert_eq!(space.title.as_deref(), Some("kept"));
    assert_eq!(space.scheduled_start, None);
    assert!(space.created_at.is_some());
    assert_eq!(space.is_ticketed, Some(false));
    assert_eq!(space.subscriber_count, Some(10));
    assert_eq!(space.participant_count, None);
}

#[tokio::test]
async fn a_space_without_its_identity_is_a_malformed_response() {
    let p = canned("200 OK", &[], r#"{"data":[{"title":"no id"}]}"#).await;
    let e = p
        .search(
            &CallContext::default(),
            &SearchQuery {
                query: "no".into(),
                state: SearchState::All,
                limit: 10,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, ProviderError::MalformedResponse { .. }),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_empty_single_lookup_answer_is_malformed() {
    let p = canned("200 OK", &[], "{}").await;
    let e = p
        .lookup(&CallContext::default(), "1DXxyRYNejbKM")
        .await
        .unwrap_err();
    assert!(
        matches!(e, ProviderError::MalformedResponse { .. }),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_usage_cap_named_only_by_its_title_is_still_a_usage_cap() {
    let p = canned(
        "429 Too Many Requests",
        &[
            ("x-rate-limit-remaining", "250"),
            ("x-rate-limit-reset", "4102444800"),
        ],
        r#"{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap"}"#,
    )
    .await;
    let e = p
        .lookup(&CallContext::default(), "1DXxyRYNejbKM")
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ProviderError::RateLimited {
            scope: RateLimitScope::UsageCap,
            reset_at: None
        }
    );
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let p = canned(
        "302 Found",
        &[("location", "http://127.0.0.1:9/elsewhere")],
        "",
    )
    .await;
    let e = p
        .lookup(&CallContext::default(), "1DXxyRYNejbKM")
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            ProviderError::Unavailable {
                status: Some(302),
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_html_error_page_still_classifies_by_status() {
    let p = canned(
        "503 Service Unavailable",
        &[],
        "<html><body>Over capacity</body></html>",
    )
    .await;
    let e = p
        .lookup(&CallContext::default(), "1DXxyRYNejbKM")
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            ProviderError::Unavailable {
                status: Some(503),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.is_transient());
}
