//! The floor answers exactly what it was given, over real HTTP, in process and as the
//! `onair-floor` binary; the keep-alive client reads those answers and notices wrong ones.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    process::{Command, Stdio},
};

use axum::{
    body::Bytes,
    http::{HeaderMap, HeaderValue},
};
use onair_bench::{
    floor::{Captured, router},
    wire::{Answer, KeepAlive},
};

fn sample() -> Captured {
    Captured {
        status: 200,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("ratelimit-limit".into(), "600".into()),
            ("ratelimit-remaining".into(), "599".into()),
            ("ratelimit-reset".into(), "1".into()),
            (
                "x-request-id".into(),
                "0193c5e0-a1b2-7c3d-8e9f-001122334455".into(),
            ),
            ("vary".into(), "authorization".into()),
            ("vary".into(), "profile-key".into()),
        ],
        body: Bytes::from_static(
            br#"{"data":{"id":"x:1DXxyRYNejbKM","title":"caf\u00e9 \u2014 \u65e5\u672c"}}"#,
        ),
    }
}

async fn serve(captured: &Captured) -> SocketAddr {
    let app = router(captured).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn fetch(url: &str) -> (Captured, HeaderMap) {
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth("onair_sk_anything")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap();
    (Captured::new(status, &headers, body).unwrap(), headers)
}

#[tokio::test]
async fn answers_the_captured_status_headers_and_body_for_any_id() {
    let captured = sample();
    let addr = serve(&captured).await;
    for id in ["1DXxyRYNejbKM", "other"] {
        let (got, raw) = fetch(&format!("http://{addr}/v1/spaces/x/{id}")).await;
        assert_eq!(got, captured);
        // The HTTP layer's own headers, once each, and the body's true length.
        assert!(raw.get("date").is_some());
        assert_eq!(
            raw.get("content-length"),
            Some(&HeaderValue::from(captured.body.len()))
        );
    }
}

#[tokio::test]
async fn answers_nothing_else() {
    let addr = serve(&sample()).await;
    let client = reqwest::Client::new();
    for path in ["/v1/spaces/sandbox/a", "/v1/spaces/x", "/healthz"] {
        let status = client
            .get(format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404, "{path}");
    }
    let status = client
        .post(format!("http://{addr}/v1/spaces/x/a"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 405);
}

#[test]
fn a_capture_leaves_out_what_the_http_layer_writes_and_survives_json() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "date",
        HeaderValue::from_static("Thu, 03 Dec 2026 14:00:00 GMT"),
    );
    headers.insert("content-length", HeaderValue::from_static("12"));
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.append("vary", HeaderValue::from_static("a"));
    headers.append("vary", HeaderValue::from_static("b"));
    let captured = Captured::new(
        200,
        &headers,
        Bytes::from_static(b"{\"data\":\"\xc3\xa9\"}"),
    )
    .unwrap();
    assert_eq!(
        captured.headers,
        [
            ("content-type".to_owned(), "application/json".to_owned()),
            ("vary".to_owned(), "a".to_owned()),
            ("vary".to_owned(), "b".to_owned()),
        ]
    );
    let back = Captured::from_json(&captured.to_json().unwrap()).unwrap();
    assert_eq!(back, captured);
}

#[test]
fn refuses_captures_it_cannot_repeat() {
    assert!(Captured::from_json("{}").is_err());
    assert!(Captured::from_json(r#"{"status": 70000, "headers": [], "body": ""}"#).is_err());
    assert!(Captured::from_json(r#"{"status": 200, "headers": [["a"]], "body": ""}"#).is_err());
    let bad_name = Captured {
        headers: vec![("bad name".into(), "v".into())],
        ..sample()
    };
    assert!(router(&bad_name).is_err());
    let written_by_hyper = Captured {
        headers: vec![("content-length".into(), "3".into())],
        ..sample()
    };
    assert!(router(&written_by_hyper).is_err());
    let not_utf8 = Captured {
        body: Bytes::from_static(b"\xff"),
        ..sample()
    };
    assert!(not_utf8.to_json().is_err());
}

#[tokio::test]
async fn the_keep_alive_client_reads_every_answer_on_one_connection() {
    let captured = sample();
    let addr = serve(&captured).await;
    let expected = Answer {
        status: 200,
        body_len: captured.body.len(),
    };
    let mut client = KeepAlive::connect(addr, "/v1/spaces/x/1DXxyRYNejbKM", "k")
        .await
        .unwrap();
    client.repeat(500, expected).await.unwrap();
    // A wrong expectation is noticed, and a 404 is read as one.
    let wrong = Answer {
        body_len: expected.body_len + 1,
        ..expected
    };
    assert!(client.repeat(1, wrong).await.is_err());
    let mut missing = KeepAlive::connect(addr, "/nowhere", "k").await.unwrap();
    assert_eq!(
        missing.get().await.unwrap(),
        Answer {
            status: 404,
            body_len: 0
        }
    );
}

#[tokio::test]
async fn the_client_refuses_a_server_that_hangs_up() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        drop(socket);
    });
    let mut client = KeepAlive::connect(addr, "/", "k").await.unwrap();
    assert!(client.get().await.is_err());
}

#[tokio::test]
async fn the_binary_serves_a_capture_file() {
    let captured = sample();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("response.json");
    std::fs::write(&file, captured.to_json().unwrap()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_onair-floor"))
        .arg("--response")
        .arg(&file)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let (got, _) = fetch(&format!("{}/v1/spaces/x/1DXxyRYNejbKM", line.trim())).await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(got, captured);
}

#[test]
fn the_binary_refuses_a_bad_capture_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("response.json");
    std::fs::write(&file, "not json").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_onair-floor"))
        .arg("--response")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("JSON"));
    let out = Command::new(env!("CARGO_BIN_EXE_onair-floor"))
        .arg("--response")
        .arg(dir.path().join("missing.json"))
        .output()
        .unwrap();
    assert!(!out.status.success());
}
