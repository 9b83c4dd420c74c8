//! `sandbox`: a deterministic demo network, in the spirit of Stripe's test mode.
//!
//! It needs no credentials, so the whole API works on a fresh install, and tenants can
//! run their own integration tests against fixed data. Besides its catalogue it knows a
//! few magic Space ids that fail on purpose (see [`MAGIC_IDS`]).

mod catalogue;

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, DurationRound, Utc};
use onair_core::{
    CallContext, LiveAudioProvider, LookupOutcome, NetworkId, NetworkStatus, ProviderError,
    RateLimitScope, SearchQuery, SearchState, Space, SpaceListing, SpaceLookup, SpaceSearch,
    SpaceState,
};

pub use catalogue::MAGIC_IDS;

static NETWORK: NetworkId = NetworkId::from_static("sandbox");
const MAX_ID_LEN: usize = 64;

/// The sandbox network. Its Spaces are fixed; their times are set relative to the hour the
/// provider was created, so scheduled Spaces stay in the future.
pub struct SandboxProvider {
    spaces: Vec<Space>,
    by_id: HashMap<String, usize>,
}

impl Default for SandboxProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl SandboxProvider {
    pub fn new() -> Self {
        // Truncating to the hour cannot fail for present-day times.
        let anchor = Utc::now()
            .duration_trunc(Duration::hours(1))
            .unwrap_or_else(|_| Utc::now());
        Self::with_anchor(anchor)
    }

    /// A sandbox whose times are relative to `anchor`, for reproducible tests.
    pub fn with_anchor(anchor: DateTime<Utc>) -> Self {
        let spaces = catalogue::spaces(&NETWORK, anchor);
        let by_id = spaces
            .iter()
            .enumerate()
            .map(|(i, s)| (s.native_id.clone(), i))
            .collect();
        Self { spaces, by_id }
    }

    /// Every Space in the catalogue.
    pub fn spaces(&self) -> &[Space] {
        &self.spaces
    }

    fn find(&self, id: &str) -> LookupOutcome {
        if let Some(err) = magic_error(id) {
            return Err(err);
        }
        self.by_id
            .get(id)
            .map(|&i| self.spaces[i].clone())
            .ok_or_else(|| ProviderError::NotFound { id: id.to_owned() })
    }
}

fn magic_error(id: &str) -> Option<ProviderError> {
    Some(match id {
        "error-rate-limited" => ProviderError::RateLimited {
            scope: RateLimitScope::Window,
            reset_at: Some(Utc::now() + Duration::seconds(60)),
        },
        "error-unavailable" => ProviderError::Unavailable {
            status: Some(503),
            detail: "the sandbox pretends to be down for this id".into(),
        },
        "error-timeout" => ProviderError::Timeout,
        "error-unauthorized" => ProviderError::Unauthorized {
            detail: "the sandbox pretends the credentials were rejected for this id".into(),
        },
        _ => return None,
    })
}

fn validate(kind: &str, id: &str) -> Result<(), String> {
    let ok_chars = id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if id.is_empty() || id.len() > MAX_ID_LEN || !ok_chars || id.starts_with('-') {
        return Err(format!(
            "sandbox {kind} ids are 1 to {MAX_ID_LEN} characters of a-z, 0-9 and '-', not starting with '-'"
        ));
    }
    Ok(())
}

#[async_trait]
impl LiveAudioProvider for SandboxProvider {
    fn id(&self) -> &NetworkId {
        &NETWORK
    }

    fn display_name(&self) -> &str {
        "Sandbox (demo data)"
    }

    fn lookups(&self) -> Option<&dyn SpaceLookup> {
        Some(self)
    }

    fn listings(&self) -> Option<&dyn SpaceListing> {
        Some(self)
    }

    fn searches(&self) -> Option<&dyn SpaceSearch> {
        Some(self)
    }

    fn status(&self) -> NetworkStatus {
        NetworkStatus::available()
    }

    fn validate_space_id(&self, native: &str) -> Result<(), String> {
        validate("Space", native)
    }

    fn validate_user_id(&self, native: &str) -> Result<(), String> {
        validate("user", native)
    }
}

#[async_trait]
impl SpaceLookup for SandboxProvider {
    fn max_batch(&self) -> usize {
        100
    }

    async fn lookup(&self, _: &CallContext, id: &str) -> Result<Space, ProviderError> {
        self.find(id)
    }

    async fn lookup_many(
        &self,
        _: &CallContext,
        ids: &[String],
    ) -> Result<Vec<LookupOutcome>, ProviderError> {
        Ok(ids.iter().map(|id| self.find(id)).collect())
    }
}

#[async_trait]
impl SpaceListing for SandboxProvider {
    fn max_creators(&self) -> usize {
        100
    }

    async fn by_creators(
        &self,
        _: &CallContext,
        user_ids: &[String],
    ) -> Result<Vec<Space>, ProviderError> {
        Ok(self
            .spaces
            .iter()
            .filter(|s| matches!(s.state, SpaceState::Live | SpaceState::Scheduled))
            .filter(|s| s.creator_id.as_ref().is_some_and(|c| user_ids.contains(c)))
            .cloned()
            .collect())
    }
}

#[async_trait]
impl SpaceSearch for SandboxProvider {
    fn max_results(&self) -> u32 {
        100
    }

    /// Like X: a case-insensitive match of the whole term in the title, live Spaces first.
    async fn search(
        &self,
        _: &CallContext,
        query: &SearchQuery,
    ) -> Result<Vec<Space>, ProviderError> {
        let needle = query.query.to_lowercase();
        let wanted = |s: &&Space| match query.state {
            SearchState::Live => s.state == SpaceState::Live,
            SearchState::Scheduled => s.state == SpaceState::Scheduled,
            SearchState::All => matches!(s.state, SpaceState::Live | SpaceState::Scheduled),
        };
        let mut hits: Vec<Space> = self
            .spaces
            .iter()
            .filter(wanted)
            .filter(|s| {
                s.title
                    .as_ref()
                    .is_some_and(|t| t.to_lowercase().contains(&needle))
            })
            .cloned()
            .collect();
        hits.sort_by_key(|s| s.state != SpaceState::Live);
        hits.truncate(query.limit as usize);
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox() -> SandboxProvider {
        SandboxProvider::with_anchor("2026-11-28T10:00:00Z".parse().unwrap())
    }

    fn ctx() -> CallContext {
        CallContext::default()
    }

    #[tokio::test]
    async fn catalogue_has_every_state_and_is_deterministic() {
        let a = sandbox();
        let b = sandbox();
        assert_eq!(a.spaces(), b.spaces());
        for state in [
            SpaceState::Live,
            SpaceState::Scheduled,
            SpaceState::Ended,
            SpaceState::Canceled,
        ] {
            assert!(a.spaces().iter().any(|s| s.state == state), "{state}");
        }
        let live = a.lookup(&ctx(), "live-rust-weekly").await.unwrap();
        assert_eq!(live.state, SpaceState::Live);
        assert!(live.creator.is_some() && !live.hosts.is_empty());
        let anchor: DateTime<Utc> = "2026-11-28T10:00:00Z".parse().unwrap();
        for s in a.spaces() {
            // Times in the order things happen, none updated in the future.
            let id = &s.native_id;
            let created = s.created_at.unwrap();
            let updated = s.updated_at.unwrap();
            assert!(created <= updated && updated <= anchor, "{id}");
            for event in [s.scheduled_start, s.started_at, s.ended_at]
                .into_iter()
                .flatten()
            {
                assert!(created <= event, "{id}: created after an event");
                assert!(
                    event > anchor || event <= updated,
                    "{id}: updated before {event}"
                );
            }
            if let (Some(start), Some(end)) = (s.started_at, s.ended_at) {
                assert!(start < end, "{id}");
            }
            a.validate_space_id(&s.native_id).unwrap();
            if let Some(c) = &s.creator_id {
                a.validate_user_id(c).unwrap();
            }
        }
    }

    #[tokio::test]
    async fn unknown_and_magic_ids() {
        let p = sandbox();
        assert!(matches!(
            p.lookup(&ctx(), "nope").await,
            Err(ProviderError::NotFound { .. })
        ));
        assert_eq!(
            p.lookup(&ctx(), "error-timeout").await.unwrap_err(),
            ProviderError::Timeout
        );
        for id in MAGIC_IDS {
            assert!(p.lookup(&ctx(), id).await.is_err(), "{id}");
        }
        let ids: Vec<String> = ["live-jazz", "nope", "error-unavailable"]
            .map(String::from)
            .into();
        let outcomes = p.lookup_many(&ctx(), &ids).await.unwrap();
        assert_eq!(outcomes[0].as_ref().unwrap().native_id, "live-jazz");
        assert!(matches!(outcomes[1], Err(ProviderError::NotFound { .. })));
        assert!(matches!(
            outcomes[2],
            Err(ProviderError::Unavailable { .. })
        ));
    }

    #[tokio::test]
    async fn search_matches_titles_live_first_and_respects_limits() {
        let p = sandbox();
        let q = |query: &str, state, limit| SearchQuery {
            query: query.into(),
            state,
            limit,
        };
        let all = p
            .search(&ctx(), &q("JAZZ", SearchState::All, 100))
            .await
            .unwrap();
        assert!(all.len() >= 2);
        assert!(
            all.iter()
                .all(|s| s.title.as_ref().unwrap().to_lowercase().contains("jazz"))
        );
        let first_scheduled = all
            .iter()
            .position(|s| s.state == SpaceState::Scheduled)
            .unwrap_or(all.len());
        assert!(
            all[first_scheduled..]
                .iter()
                .all(|s| s.state != SpaceState::Live)
        );
        assert!(
            all.iter().all(|s| !s.state.is_final()),
            "no ended or canceled results"
        );
        let live = p
            .search(&ctx(), &q("jazz", SearchState::Live, 100))
            .await
            .unwrap();
        assert!(live.iter().all(|s| s.state == SpaceState::Live));
        let demo = p
            .search(&ctx(), &q("demo", SearchState::All, 7))
            .await
            .unwrap();
        assert_eq!(demo.len(), 7);
        let unicode = p
            .search(&ctx(), &q("東京", SearchState::All, 10))
            .await
            .unwrap();
        assert_eq!(unicode.len(), 1);
    }

    #[tokio::test]
    async fn by_creators_returns_live_and_scheduled_only() {
        let p = sandbox();
        let spaces = p.by_creators(&ctx(), &["alice".into()]).await.unwrap();
        assert!(!spaces.is_empty());
        assert!(
            spaces
                .iter()
                .all(|s| s.creator_id.as_deref() == Some("alice"))
        );
        assert!(spaces.iter().all(|s| !s.state.is_final()));
    }

    #[test]
    fn validates_ids() {
        let p = sandbox();
        assert!(p.validate_space_id("live-jazz").is_ok());
        for bad in ["", "-x", "Live", "a b", "x:y", &"a".repeat(65)] {
            assert!(p.validate_space_id(bad).is_err(), "{bad:?}");
        }
    }
}
