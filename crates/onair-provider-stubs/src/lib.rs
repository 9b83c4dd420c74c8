//! Live-audio networks with no usable public API, registered so that `GET /v1/networks`
//! tells clients the truth about them. They implement no capability, so every call
//! answers `ProviderError::Unsupported` with the reason their status gives.

use std::sync::Arc;

use async_trait::async_trait;
use onair_core::{LiveAudioProvider, NetworkId, NetworkStatus, StatusKind};

/// A network onair knows of but cannot serve.
#[derive(Debug, Clone)]
pub struct StubNetwork {
    id: NetworkId,
    name: &'static str,
    aliases: &'static [&'static str],
    kind: StatusKind,
    reason: &'static str,
    since: Option<&'static str>,
}

/// Every stub network, in the order `/v1/networks` lists them.
pub fn all() -> Vec<Arc<dyn LiveAudioProvider>> {
    let stub = |id, name, aliases, kind, reason, since| -> Arc<dyn LiveAudioProvider> {
        Arc::new(StubNetwork {
            id: NetworkId::from_static(id),
            name,
            aliases,
            kind,
            reason,
            since,
        })
    };
    vec![
        stub(
            "clubhouse",
            "Clubhouse",
            &[],
            StatusKind::Unsupported,
            "Clubhouse offers no public API for rooms.",
            None,
        ),
        stub(
            "facebook-audio-rooms",
            "Facebook Live Audio Rooms",
            &["facebook"],
            StatusKind::Discontinued,
            "Meta folded Live Audio Rooms into Facebook Live in 2022.",
            Some("2022"),
        ),
        stub(
            "spotify-live",
            "Spotify Live",
            &["spotify", "greenroom"],
            StatusKind::Discontinued,
            "Spotify closed Spotify Live (formerly Greenroom) in April 2023.",
            Some("2023-04"),
        ),
        stub(
            "reddit-talk",
            "Reddit Talk",
            &["reddit"],
            StatusKind::Discontinued,
            "Reddit closed Reddit Talk in March 2023.",
            Some("2023-03"),
        ),
        stub(
            "linkedin-audio",
            "LinkedIn Audio Events",
            &["linkedin"],
            StatusKind::Discontinued,
            "LinkedIn ended Audio Events in December 2024.",
            Some("2024-12"),
        ),
    ]
}

#[async_trait]
impl LiveAudioProvider for StubNetwork {
    fn id(&self) -> &NetworkId {
        &self.id
    }

    fn display_name(&self) -> &str {
        self.name
    }

    fn aliases(&self) -> &[&'static str] {
        self.aliases
    }

    fn status(&self) -> NetworkStatus {
        NetworkStatus {
            kind: self.kind,
            reason: Some(self.reason.to_owned()),
            since: self.since.map(str::to_owned),
        }
    }

    /// Any id is accepted, so that asking for one answers why the network cannot serve it
    /// rather than a confusing "invalid id".
    fn validate_space_id(&self, _native: &str) -> Result<(), String> {
        Ok(())
    }

    fn validate_user_id(&self, _native: &str) -> Result<(), String> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use onair_core::Capabilities;

    use super::*;

    #[tokio::test]
    async fn every_stub_reports_its_status_and_refuses_calls() {
        let stubs = all();
        let ids: Vec<_> = stubs.iter().map(|s| s.id().to_string()).collect();
        assert_eq!(
            ids,
            [
                "clubhouse",
                "facebook-audio-rooms",
                "spotify-live",
                "reddit-talk",
                "linkedin-audio"
            ]
        );
        for stub in stubs {
            let status = stub.status();
            assert_ne!(status.kind, StatusKind::Available, "{}", stub.id());
            assert!(status.reason.as_deref().is_some_and(|r| !r.is_empty()));
            assert_eq!(stub.capabilities(), Capabilities::NONE);
            let err = stub.lookup_capability().err().unwrap();
            assert_eq!(err.code(), "network_unsupported");
            assert!(err.to_string().contains(stub.display_name()), "{err}");
            assert!(
                err.to_string().contains(status.reason.as_deref().unwrap()),
                "{err}"
            );
            assert!(stub.search_capability().is_err());
            assert!(stub.listing_capability().is_err());
        }
    }

    #[test]
    fn discontinued_networks_carry_a_date() {
        for stub in all() {
            let status = stub.status();
            if status.kind == StatusKind::Discontinued {
                assert!(status.since.is_some(), "{}", stub.id());
            }
        }
    }
}
