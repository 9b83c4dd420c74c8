//! `onair healthcheck`: is the server at this URL ready?

use std::{path::Path, time::Duration};

use anyhow::{Context as _, bail};
use url::Url;

use super::print;
use crate::{cli::HealthcheckArgs, config::Config};

pub(super) async fn run(path: Option<&Path>, args: HealthcheckArgs) -> anyhow::Result<()> {
    let base = match args.url {
        Some(url) => url,
        None => Config::load(path)?.local_base_url(),
    };
    let url = readyz_url(&base)?;
    let timeout = Duration::from_secs(args.timeout.max(1));
    let client = reqwest::Client::builder()
        // The check asks the server itself: a proxy in the environment (HTTP_PROXY, set for
        // egress to the networks) must not stand between them.
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .context("could not build the HTTP client")?;
    let response = match client.get(url.clone()).send().await {
        Ok(response) => response,
        Err(err) if err.is_timeout() => {
            bail!(
                "not ready: {url} did not answer within {}s",
                timeout.as_secs()
            )
        }
        Err(err) if err.is_connect() => {
            bail!(
                "not ready: could not connect to {url} ({})",
                root_cause(&err)
            )
        }
        Err(err) => bail!("not ready: {url}: {}", root_cause(&err)),
    };
    let status = response.status();
    if status == reqwest::StatusCode::OK {
        return print(&format!("ready: {url}\n"));
    }
    let body = response.text().await.unwrap_or_default();
    let detail = problem_detail(&body)
        .map(|d| format!(": {d}"))
        .unwrap_or_default();
    bail!("not ready: {url} answered {status}{detail}")
}

/// The innermost cause (`Connection refused (os error 111)`), which says the most.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// `<base>/readyz`, keeping any path prefix the server is mounted under.
fn readyz_url(base: &Url) -> anyhow::Result<Url> {
    if !matches!(base.scheme(), "http" | "https") {
        bail!("expected an http:// or https:// URL, got `{base}`");
    }
    if base.path().ends_with("/readyz") {
        return Ok(base.clone());
    }
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    let path = format!("{}/readyz", url.path().trim_end_matches('/'));
    url.set_path(&path);
    Ok(url)
}

/// The `detail` (or `title`) of a problem+json body, on one short line.
fn problem_detail(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let text = value
        .get("detail")
        .or_else(|| value.get("title"))?
        .as_str()?;
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_readiness_url() {
        let url = |s: &str| readyz_url(&Url::parse(s).unwrap()).unwrap().to_string();
        assert_eq!(url("http://127.0.0.1:8080"), "http://127.0.0.1:8080/readyz");
        assert_eq!(url("http://h:1/onair/"), "http://h:1/onair/readyz");
        assert_eq!(url("http://h:1/onair?x=1"), "http://h:1/onair/readyz");
        assert_eq!(url("http://h:1/readyz"), "http://h:1/readyz");
        assert!(readyz_url(&Url::parse("ftp://h/").unwrap()).is_err());
    }

    #[test]
    fn reads_a_problem_detail() {
        assert_eq!(
            problem_detail(r#"{"title":"Not ready","detail":"database\nunreachable"}"#).as_deref(),
            Some("database unreachable")
        );
        assert_eq!(problem_detail("<html>"), None);
    }
}
