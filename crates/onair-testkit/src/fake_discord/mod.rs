//! A strict, stateful fake of Discord's HTTP API v10 for what a live-audio bot uses: the bot's
//! own user, guilds and application, guilds' channels, roles and members, stage instances and
//! guild scheduled events with their interested users, served over real HTTP under `/api/v10`.
//!
//! It answers like Discord as `shared/reference/discord-contract.md` documents it:
//! `Authorization: Bot <token>` or 401 `{"message": "401: Unauthorized", "code": 0}`; a
//! `DiscordBot (url, version)` User-Agent or Cloudflare's block; path and body snowflakes
//! validated with 50035 Invalid Form Body and its `errors` tree; unknown objects with 10003,
//! 10004, 10007, 10067 and 10070; 50001 for guilds and channels the bot cannot reach and
//! 50013 computed from roles and channel overwrites; event status transitions as Discord
//! allows them (SCHEDULED→ACTIVE→COMPLETED, SCHEDULED→CANCELED); `X-RateLimit-*` headers on
//! every answer, a bucket per route and guild or channel, the global per-second limit, and
//! 429s with `retry_after`. Discord accepts `0` as a snowflake, so the fake answers it as an
//! unknown object rather than a malformed one. Bodies the contract composes rather than
//! quotes are marked "composed" in the `errors` module and where they are built; the rest
//! are marked "observed".
//!
//! Map of the module: `model` (what tests seed), `seed` (the demo data), `world` (state and
//! permissions), `route` (matching and path snowflakes), `form` (body and query fields),
//! `handlers` (each route's answer), `render` (Discord's JSON objects), `errors` (Discord's
//! error bodies), `ratelimit` (buckets), `faults` (injected failures), `calls` (what was
//! received), `server` (the HTTP pipeline).
//!
//! ```no_run
//! # async fn example() {
//! use onair_testkit::fake_discord::{FakeDiscord, Fault, FaultKind, Route, seed};
//! let discord = FakeDiscord::start().await;
//! let url = format!("{}/stage-instances/{}", discord.api_url(), seed::LIVE_STAGE_CHANNEL_ID);
//! discord.inject(Fault::once(FaultKind::Status(502)).on(Route::GetStageInstance));
//! // ... send `Authorization: Bot {discord.bot_token()}` to `url` ...
//! assert_eq!(discord.calls_to(Route::GetStageInstance), 0);
//! # }
//! ```

mod calls;
mod errors;
mod faults;
mod form;
mod handlers;
mod model;
mod ratelimit;
mod render;
mod route;
pub mod seed;
mod server;
mod world;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::HeaderMap;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use calls::RecordedCall;
pub use faults::{Fault, FaultKind, RateLimitScope, UnknownFault};
pub use model::{
    ChannelKind, EntityType, EventStatus, OverwriteKind, ScheduledEvent, Seed, SeedBot,
    SeedChannel, SeedGuild, SeedMember, SeedOverwrite, SeedRole, SeedUser, StageInstance,
    permissions,
};
pub use render::timestamp;
pub use route::Route;

use server::Shared;
use world::World;

/// How a [`FakeDiscord`] is set up. The default is the demo seed with Discord-like limits
/// kept small so that tests reach them.
#[derive(Debug, Clone)]
pub struct FakeDiscordConfig {
    /// The data to start with; [`seed::demo`] by default.
    pub seed: Seed,
    /// Requests per bucket (a route and its guild or channel, for one bot) per window.
    pub rate_limit: u32,
    pub window: Duration,
    /// Requests per second per bot across every route (Discord: 50); 0 turns it off.
    pub global_per_second: u32,
    /// Refuse requests without a `DiscordBot (url, version)` User-Agent, as Cloudflare may.
    pub require_user_agent: bool,
    /// Keep every request for [`FakeDiscord::calls`]; counters are kept either way.
    pub record_calls: bool,
    /// The address to listen on (port 0 picks a free port).
    pub bind: SocketAddr,
}

impl Default for FakeDiscordConfig {
    fn default() -> Self {
        Self {
            seed: seed::demo(seed::BOT_TOKEN),
            rate_limit: 10,
            window: Duration::from_secs(1),
            global_per_second: 50,
            require_user_agent: true,
            record_calls: true,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

/// Why a fake Discord could not start.
#[derive(Debug, thiserror::Error)]
pub enum FakeDiscordError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A running fake Discord. Dropping it stops the server.
pub struct FakeDiscord {
    shared: Arc<Shared>,
    addr: SocketAddr,
    cancel: CancellationToken,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl FakeDiscord {
    /// The demo seed on a free port of 127.0.0.1.
    pub async fn start() -> FakeDiscord {
        Self::start_with(FakeDiscordConfig::default()).await
    }

    /// # Panics
    /// When the address cannot be bound; use [`FakeDiscord::try_start_with`] to handle that.
    pub async fn start_with(config: FakeDiscordConfig) -> FakeDiscord {
        match Self::try_start_with(config).await {
            Ok(fake) => fake,
            Err(e) => panic!("fake Discord: {e}"),
        }
    }

    pub async fn try_start_with(
        config: FakeDiscordConfig,
    ) -> Result<FakeDiscord, FakeDiscordError> {
        let bind_error = |source| FakeDiscordError::Bind {
            addr: config.bind,
            source,
        };
        let listener = TcpListener::bind(config.bind).await.map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let mut world = World::default();
        world.load(config.seed);
        let shared = Arc::new(Shared {
            world: Mutex::new(world),
            limits: ratelimit::Limits::new(
                config.rate_limit,
                config.window,
                config.global_per_second,
            ),
            faults: faults::FaultQueue::default(),
            recorder: calls::Recorder::new(config.record_calls),
            require_user_agent: config.require_user_agent,
        });
        let cancel = CancellationToken::new();
        let task = tokio::spawn(server::serve(listener, shared.clone(), cancel.clone()));
        Ok(FakeDiscord {
            shared,
            addr,
            cancel,
            task: Mutex::new(Some(task)),
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/api/v10`: what clients take as Discord's API base.
    pub fn api_url(&self) -> String {
        format!("{}/api/v10", self.base_url())
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    fn world<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
        let mut world = self.shared.world.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut world)
    }

    /// A valid token of the seed's first bot (the demo bot's, [`seed::BOT_TOKEN`], by default).
    pub fn bot_token(&self) -> String {
        self.world(|w| {
            let mut tokens: Vec<(&String, &u64)> = w.tokens.iter().collect();
            tokens.sort_by_key(|(t, id)| (**id != seed::BOT_ID, (*t).clone()));
            tokens
                .first()
                .map(|(t, _)| (*t).clone())
                .unwrap_or_default()
        })
    }

    /// Adds (or replaces) a bot, its application and its tokens.
    pub fn add_bot(&self, bot: SeedBot) {
        self.world(|w| w.upsert_bot(bot));
    }

    /// Makes `token` authenticate as `bot_id`.
    pub fn add_token(&self, bot_id: u64, token: &str) {
        self.world(|w| w.tokens.insert(token.to_owned(), bot_id));
    }

    /// `token` stops working at once (401 from the next request on).
    pub fn revoke_token(&self, token: &str) {
        self.world(|w| w.tokens.remove(token));
    }

    pub fn upsert_user(&self, user: SeedUser) {
        self.world(|w| w.upsert_user(user));
    }

    pub fn upsert_guild(&self, guild: SeedGuild) {
        self.world(|w| w.upsert_guild(guild));
    }

    /// Adds or replaces a role of a guild.
    pub fn upsert_role(&self, guild_id: u64, role: SeedRole) {
        self.world(|w| {
            if let Some(g) = w.guilds.get_mut(&guild_id) {
                g.roles.insert(role.id, role);
            }
        });
    }

    /// Makes `user_id` a member of the guild with these roles (the bot joining, or its roles
    /// changing).
    pub fn set_member(&self, guild_id: u64, user_id: u64, roles: Vec<u64>) {
        self.world(|w| {
            if let Some(g) = w.guilds.get_mut(&guild_id) {
                g.members.insert(user_id, roles);
            }
        });
    }

    /// The user leaves the guild (a bot kicked from it gets 50001 from then on).
    pub fn remove_member(&self, guild_id: u64, user_id: u64) {
        self.world(|w| {
            if let Some(g) = w.guilds.get_mut(&guild_id) {
                g.members.remove(&user_id);
            }
        });
    }

    pub fn upsert_channel(&self, channel: SeedChannel) {
        self.world(|w| w.upsert_channel(channel));
    }

    pub fn remove_channel(&self, channel_id: u64) {
        self.world(|w| {
            w.channels.remove(&channel_id);
            w.stages.remove(&channel_id);
        });
    }

    /// Replaces a channel's permission overwrites.
    pub fn set_overwrites(&self, channel_id: u64, overwrites: Vec<SeedOverwrite>) {
        self.world(|w| {
            if let Some(c) = w.channels.get_mut(&channel_id) {
                c.overwrites = overwrites;
            }
        });
    }

    pub fn upsert_scheduled_event(&self, event: ScheduledEvent) {
        self.world(|w| w.events.insert(event.id, event));
    }

    pub fn scheduled_event(&self, event_id: u64) -> Option<ScheduledEvent> {
        self.world(|w| w.events.get(&event_id).cloned())
    }

    pub fn scheduled_events(&self, guild_id: u64) -> Vec<ScheduledEvent> {
        self.world(|w| {
            w.events
                .values()
                .filter(|e| e.guild_id == guild_id)
                .cloned()
                .collect()
        })
    }

    /// Sets an event's status directly, as Discord's own automation does (an empty stage
    /// completing its event, an event never started being canceled).
    pub fn set_event_status(&self, event_id: u64, status: EventStatus) {
        self.world(|w| {
            if let Some(e) = w.events.get_mut(&event_id) {
                e.status = status;
            }
        });
    }

    /// Sets how many users are interested in an event.
    pub fn set_event_user_count(&self, event_id: u64, count: u32) {
        self.world(|w| {
            if let Some(e) = w.events.get_mut(&event_id) {
                e.user_count = count;
            }
        });
    }

    /// Sets the users `GET …/scheduled-events/{id}/users` lists as interested.
    pub fn set_event_interested(&self, event_id: u64, user_ids: Vec<u64>) {
        self.world(|w| {
            if let Some(e) = w.events.get_mut(&event_id) {
                e.interested = user_ids;
            }
        });
    }

    /// Opens a stage (or replaces the one open) in its channel.
    pub fn upsert_stage_instance(&self, stage: StageInstance) {
        self.world(|w| w.stages.insert(stage.channel_id, stage));
    }

    /// The live stage in a channel, if any.
    pub fn stage_instance(&self, channel_id: u64) -> Option<StageInstance> {
        self.world(|w| w.stages.get(&channel_id).cloned())
    }

    /// Closes a stage as Discord does by itself when nobody has spoken for minutes.
    pub fn close_stage_instance(&self, channel_id: u64) {
        self.world(|w| w.stages.remove(&channel_id));
    }

    /// Every request received, in order (empty when `record_calls` is off).
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.shared.recorder.calls()
    }

    /// The latest request, kept even when `record_calls` is off.
    pub fn last_call(&self) -> Option<RecordedCall> {
        self.shared.recorder.last()
    }

    /// The headers of the latest request.
    pub fn last_request_headers(&self) -> Option<HeaderMap> {
        self.shared.recorder.last().map(|c| c.headers)
    }

    pub fn call_count(&self) -> usize {
        self.shared.recorder.total()
    }

    pub fn calls_to(&self, route: Route) -> usize {
        self.shared.recorder.to(route)
    }

    /// How many answers had `status` (e.g. 429s, or 401/403s toward the invalid-request limit).
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

    /// Sets the limit of every bucket without a route limit of its own; empties them all.
    pub fn set_rate_limit(&self, limit: u32, window: Duration) {
        self.shared.limits.set_default(limit, window);
    }

    /// Sets one route's limit; empties its buckets.
    pub fn set_route_rate_limit(&self, route: Route, limit: u32, window: Duration) {
        self.shared.limits.set_route(route, limit, window);
    }

    /// Stops accepting and waits until open requests are answered.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        let task = self.task.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl std::fmt::Debug for FakeDiscord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeDiscord")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}
