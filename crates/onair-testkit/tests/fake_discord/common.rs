//! A plain reqwest client that speaks to the fake as a Discord bot does.

use onair_testkit::fake_discord::FakeDiscord;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;

pub const UA: &str = "DiscordBot (https://github.com/onair-dev/onair, 0.1.0) onair-tests";

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {:?}", self.status, self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// Asserts Discord's error body `{"code", "message"}` with this status and code.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: u64) -> Value {
        assert_eq!(self.status, status, "{}", self.text);
        let body = self.json();
        assert_eq!(body["code"], code, "{body}");
        assert!(body["message"].is_string(), "{body}");
        body
    }

    /// Asserts a 50035 whose `errors` tree has a `_errors` entry with `code` at `path`.
    #[track_caller]
    pub fn assert_field_error(&self, path: &[&str], code: &str) -> Value {
        let body = self.assert_error(400, 50035);
        assert_eq!(body["message"], "Invalid Form Body");
        let mut node = &body["errors"];
        for key in path {
            node = &node[*key];
        }
        let codes: Vec<&str> = node["_errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no _errors at {path:?}: {body}"))
            .iter()
            .map(|e| e["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&code), "{codes:?} at {path:?}: {body}");
        body
    }
}

/// Sends one request with the fake's bot token and a proper User-Agent.
pub async fn send(fake: &FakeDiscord, method: Method, path: &str, body: Option<Value>) -> Reply {
    send_as(
        fake,
        method,
        path,
        body,
        Some(&format!("Bot {}", fake.bot_token())),
        Some(UA),
    )
    .await
}

pub async fn send_as(
    fake: &FakeDiscord,
    method: Method,
    path: &str,
    body: Option<Value>,
    authorization: Option<&str>,
    user_agent: Option<&str>,
) -> Reply {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", fake.api_url()));
    if let Some(auth) = authorization {
        request = request.header("authorization", auth);
    }
    if let Some(ua) = user_agent {
        request = request.header("user-agent", ua);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the fake answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a body");
    Reply {
        status,
        headers,
        text,
    }
}

pub async fn get(fake: &FakeDiscord, path: &str) -> Reply {
    send(fake, Method::GET, path, None).await
}

pub async fn post(fake: &FakeDiscord, path: &str, body: Value) -> Reply {
    send(fake, Method::POST, path, Some(body)).await
}

pub async fn patch(fake: &FakeDiscord, path: &str, body: Value) -> Reply {
    send(fake, Method::PATCH, path, Some(body)).await
}

pub async fn delete(fake: &FakeDiscord, path: &str) -> Reply {
    send(fake, Method::DELETE, path, None).await
}

/// `2026-…T…+00:00`, `hours` from now.
pub fn in_hours(hours: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(hours)).to_rfc3339()
}
