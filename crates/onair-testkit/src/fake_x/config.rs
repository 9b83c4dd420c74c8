//! How a fake X starts: seed data, problem-URI host, rate limits.

use std::time::Duration;

/// Which records the fake starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    /// The data set in [`seed`](super::seed): every state, unicode titles, ticketed Spaces,
    /// topics, and a few hundred generated Spaces.
    #[default]
    Default,
    /// No Spaces, users, topics or posts.
    Empty,
}

/// The host in problem `type` URIs. X moved from `api.twitter.com` to `api.x.com` in 2026;
/// clients must match on the `/2/problems/<slug>` suffix only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProblemHost {
    #[default]
    ApiX,
    ApiTwitter,
}

impl ProblemHost {
    pub fn origin(self) -> &'static str {
        match self {
            ProblemHost::ApiX => "https://api.x.com",
            ProblemHost::ApiTwitter => "https://api.twitter.com",
        }
    }

    /// `https://<host>/2/problems/<slug>`.
    pub fn problem_type(self, slug: &str) -> String {
        format!("{}/2/problems/{slug}", self.origin())
    }
}

/// How a [`FakeX`](super::FakeX) is set up. `FakeXConfig::default()` is X's documented
/// behaviour for an app on the current plan.
#[derive(Debug, Clone)]
pub struct FakeXConfig {
    pub seed: Seed,
    pub problem_host: ProblemHost,
    /// Requests per window, per endpoint and token (X: 300).
    pub rate_limit: u32,
    /// Rate-limit window (X: 15 minutes).
    pub window: Duration,
    /// `by/creator_ids` calls allowed per second for the whole app (X: 1); 0 turns it off.
    pub creator_ids_per_second: u32,
    /// Keep every request for [`FakeX::calls`](super::FakeX::calls). Counters are kept either
    /// way; turn this off for long benchmarks so memory stays flat.
    pub record_calls: bool,
    /// The address to listen on (port 0 picks a free port).
    pub bind: std::net::SocketAddr,
    /// The app-only bearer token [`FakeX::app_token`](super::FakeX::app_token) returns;
    /// `None` makes a random one.
    pub app_token: Option<String>,
}

impl Default for FakeXConfig {
    fn default() -> Self {
        Self {
            seed: Seed::Default,
            problem_host: ProblemHost::ApiX,
            rate_limit: 300,
            window: Duration::from_secs(15 * 60),
            creator_ids_per_second: 1,
            record_calls: true,
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            app_token: None,
        }
    }
}
