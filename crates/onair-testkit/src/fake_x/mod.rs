//! A faithful, strict, stateful fake of X's API v2 Spaces endpoints, served over real HTTP.
//!
//! It answers like X as the wire contract documents it: the same routes, the same 400 bodies
//! for every malformed parameter, partial errors for missing ids, `about:blank` 401/429/503,
//! `x-rate-limit-*` headers (none on 401), a rate limit per endpoint and token plus the
//! app-wide one-per-second limit of `by/creator_ids`. Tests change its data while it runs,
//! inject faults (consumed in order), and read back every call it received.
//!
//! ```no_run
//! # async fn example() {
//! use onair_testkit::fake_x::{FakeX, Fault, FaultKind, seed};
//! let x = FakeX::start().await;
//! let url = format!("{}/2/spaces/{}", x.base_url(), seed::LIVE_SPACE);
//! x.inject(Fault::once(FaultKind::Status(503)));
//! // ... point a client at `url` with `x.app_token()` ...
//! assert_eq!(x.call_count(), 0);
//! # }
//! ```

mod auth;
mod calls;
mod config;
mod endpoint;
mod faults;
mod fields;
mod handlers;
mod model;
mod params;
mod problems;
mod ratelimit;
mod render;
pub mod seed;
mod server;
mod world;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use auth::{TokenKind, token_fingerprint};
pub use calls::RecordedCall;
pub use config::{FakeXConfig, ProblemHost, Seed};
pub use endpoint::Endpoint;
pub use faults::{Fault, FaultKind, UnknownFault};
pub use model::{SeedSpace, SeedTopic, SeedTweet, SeedUser, SpaceState, UserPublicMetrics};
pub use world::timestamp;

use server::Shared;
use world::World;

/// A running fake X. Dropping it stops the server and closes its connections.
pub struct FakeX {
    shared: Arc<Shared>,
    addr: SocketAddr,
    app_token: String,
    user_tokens: Mutex<HashMap<String, String>>,
    cancel: CancellationToken,
    tracker: TaskTracker,
}

/// Why a fake X could not start.
#[derive(Debug, thiserror::Error)]
pub enum FakeXError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

impl FakeX {
    /// Default configuration and seed, on a free port of 127.0.0.1.
    pub async fn start() -> FakeX {
        Self::start_with(FakeXConfig::default()).await
    }

    /// Starts with `config`.
    ///
    /// # Panics
    /// When the address cannot be bound; use [`FakeX::try_start_with`] to handle that.
    pub async fn start_with(config: FakeXConfig) -> FakeX {
        match Self::try_start_with(config).await {
            Ok(fake) => fake,
            Err(e) => panic!("fake X: {e}"),
        }
    }

    pub async fn try_start_with(config: FakeXConfig) -> Result<FakeX, FakeXError> {
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|source| FakeXError::Bind {
                addr: config.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| FakeXError::Bind {
            addr: config.bind,
            source,
        })?;
        let mut world = World::default();
        if config.seed == Seed::Default {
            let data = seed::default_seed();
            data.spaces.into_iter().for_each(|s| world.upsert_space(s));
            data.users.into_iter().for_each(|u| world.upsert_user(u));
            data.topics.into_iter().for_each(|t| world.upsert_topic(t));
            data.tweets.into_iter().for_each(|t| world.upsert_tweet(t));
        }
        let shared = Arc::new(Shared::new(&config, world));
        let app_token = config
            .app_token
            .clone()
            .unwrap_or_else(|| auth::new_token(&TokenKind::App));
        shared.add_token(&app_token, TokenKind::App, true);
        let cancel = CancellationToken::new();
        let tracker = TaskTracker::new();
        tracker.spawn(server::serve(
            listener,
            shared.clone(),
            cancel.clone(),
            tracker.clone(),
        ));
        Ok(FakeX {
            shared,
            addr,
            app_token,
            user_tokens: Mutex::default(),
            cancel,
            tracker,
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn problem_host(&self) -> ProblemHost {
        self.shared.problem_host
    }

    /// A valid OAuth 2.0 app-only bearer token.
    pub fn app_token(&self) -> String {
        self.app_token.clone()
    }

    /// A valid OAuth 2.0 user-context token for `user_id` (scopes `tweet.read users.read
    /// space.read`); the same token each time for the same user.
    pub fn user_token(&self, user_id: &str) -> String {
        let mut tokens = self.user_tokens.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(token) = tokens.get(user_id) {
            return token.clone();
        }
        let kind = TokenKind::User {
            user_id: user_id.to_owned(),
        };
        let token = self
            .shared
            .tokens
            .token_of_user(user_id)
            .unwrap_or_else(|| {
                let token = auth::new_token(&kind);
                self.shared.add_token(&token, kind, true);
                token
            });
        tokens.insert(user_id.to_owned(), token.clone());
        token
    }

    /// Registers another token. An app token stands for another app (its own budgets and its
    /// own one-per-second `by/creator_ids` limit); a user token acts for the fake's own app.
    pub fn add_token(&self, token: &str, kind: TokenKind) {
        self.shared.add_token(token, kind, false);
    }

    /// Registers another app-only token of the fake's own app (sharing its one-per-second
    /// `by/creator_ids` limit; budgets stay per token).
    pub fn add_same_app_token(&self, token: &str) {
        self.shared.add_token(token, TokenKind::App, true);
    }

    /// Every request received, in order (empty when `record_calls` is off).
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.shared.recorder.calls()
    }

    pub fn call_count(&self) -> usize {
        self.shared.recorder.total()
    }

    pub fn calls_to(&self, endpoint: Endpoint) -> usize {
        self.shared.recorder.to(endpoint)
    }

    /// How many responses had `status` (0 counts dropped connections), e.g. upstream 429s.
    pub fn responses_with_status(&self, status: u16) -> usize {
        self.shared.recorder.with_status(status)
    }

    pub fn reset_calls(&self) {
        self.shared.recorder.reset();
    }

    pub fn inject(&self, fault: Fault) {
        self.shared.faults.push(fault);
    }

    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    pub fn upsert_space(&self, space: SeedSpace) {
        self.shared
            .world
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .upsert_space(space);
    }

    pub fn remove_space(&self, id: &str) {
        self.shared
            .world
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .spaces
            .remove(id);
    }

    /// The Space as currently stored.
    pub fn space(&self, id: &str) -> Option<SeedSpace> {
        let world = self.shared.world.read().unwrap_or_else(|e| e.into_inner());
        world.spaces.get(id).map(|s| s.seed.clone())
    }

    pub fn upsert_user(&self, user: SeedUser) {
        self.shared
            .world
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .upsert_user(user);
    }

    pub fn remove_user(&self, id: &str) {
        self.shared
            .world
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .users
            .remove(id);
    }

    pub fn user(&self, id: &str) -> Option<SeedUser> {
        let world = self.shared.world.read().unwrap_or_else(|e| e.into_inner());
        world.users.get(id).map(|u| u.seed.clone())
    }

    pub fn upsert_topic(&self, topic: SeedTopic) {
        self.shared
            .world
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .upsert_topic(topic);
    }

    pub fn upsert_tweet(&self, tweet: SeedTweet) {
        self.shared
            .world
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .upsert_tweet(tweet);
    }

    /// Sets `endpoint`'s budget for every token (each token has its own) and restarts its
    /// windows.
    pub fn set_rate_limit(&self, endpoint: Endpoint, limit: u32, window: Duration) {
        self.shared.limits.set(endpoint.index(), limit, window);
    }

    /// Stops accepting, closes every connection and waits until they are gone.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        self.tracker.close();
        self.tracker.wait().await;
    }
}

impl Drop for FakeX {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl std::fmt::Debug for FakeX {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeX")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}
