//! The floor: a bare axum server that answers `GET /v1/spaces/x/{id}` with a response
//! captured from onair (status, headers, body), from memory, without authentication,
//! caching or anything else onair does. Whatever onair costs beyond it is onair's own.

use std::sync::Arc;

use anyhow::{Context, ensure};
use axum::{
    Router,
    body::Bytes,
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode},
    routing::get,
};
use serde_json::{Value, json};

/// The route the floor answers, onair's single-Space lookup.
pub const ROUTE: &str = "/v1/spaces/x/{id}";

/// Headers the HTTP layer writes for every response by itself (hyper adds `date` and
/// `content-length`), so they are not part of a capture.
const HOP_BY_HOP: [&str; 5] = [
    "date",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
];

/// One response as onair sent it: its status, its headers in order, its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Captured {
    /// Takes what a response carries, leaving out the headers the HTTP layer writes itself.
    pub fn new(status: u16, headers: &HeaderMap, body: Bytes) -> anyhow::Result<Self> {
        let headers = headers
            .iter()
            .filter(|(name, _)| !HOP_BY_HOP.contains(&name.as_str()))
            .map(|(name, value)| {
                let value = value
                    .to_str()
                    .with_context(|| format!("header {name} is not visible ASCII"))?;
                Ok((name.as_str().to_owned(), value.to_owned()))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self {
            status,
            headers,
            body,
        })
    }

    /// `{"status": 200, "headers": [["name", "value"], …], "body": "…"}`.
    pub fn to_json(&self) -> anyhow::Result<String> {
        let body = std::str::from_utf8(&self.body).context("the body is not UTF-8")?;
        Ok(json!({
            "status": self.status,
            "headers": self.headers,
            "body": body,
        })
        .to_string())
    }

    pub fn from_json(text: &str) -> anyhow::Result<Self> {
        let value: Value = serde_json::from_str(text).context("a captured response is JSON")?;
        let status = value["status"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .context("no status")?;
        let headers = value["headers"]
            .as_array()
            .context("no headers")?
            .iter()
            .map(|pair| match pair.as_array().map(Vec::as_slice) {
                Some([Value::String(name), Value::String(value)]) => {
                    Ok((name.clone(), value.clone()))
                }
                _ => anyhow::bail!("a header is a [name, value] pair of strings: {pair}"),
            })
            .collect::<anyhow::Result<_>>()?;
        let body = value["body"].as_str().context("no body")?;
        Ok(Self {
            status,
            headers,
            body: Bytes::copy_from_slice(body.as_bytes()),
        })
    }
}

/// The floor's router: the captured response for every `GET` of [`ROUTE`], axum's empty 404
/// for anything else.
pub fn router(captured: &Captured) -> anyhow::Result<Router> {
    let status = StatusCode::from_u16(captured.status).context("the status")?;
    let mut headers = HeaderMap::with_capacity(captured.headers.len());
    for (name, value) in &captured.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .with_context(|| format!("header name {name:?}"))?;
        ensure!(
            !HOP_BY_HOP.contains(&name.as_str()),
            "header {name} is written by the HTTP layer"
        );
        let value =
            HeaderValue::from_str(value).with_context(|| format!("header {name}: {value:?}"))?;
        headers.append(name, value);
    }
    let answer = Arc::new((status, headers, captured.body.clone()));
    Ok(Router::new().route(
        ROUTE,
        get(move || {
            let answer = answer.clone();
            async move { (answer.0, answer.1.clone(), answer.2.clone()) }
        }),
    ))
}
