use std::{collections::HashMap, fmt, sync::Arc};

use crate::{IdError, LiveAudioProvider, QualifiedId, RawQualifiedId, id::printable};

/// A checked id together with the provider that serves it.
#[derive(Clone)]
pub struct ResolvedId {
    pub provider: Arc<dyn LiveAudioProvider>,
    pub id: QualifiedId,
}

impl fmt::Debug for ResolvedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ResolvedId").field(&self.id).finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("network name or alias `{0}` is registered twice")]
    Duplicate(String),
}

/// Every network onair knows, in registration order, found by id or alias in any case.
#[derive(Default, Clone)]
pub struct ProviderRegistry {
    providers: Vec<Arc<dyn LiveAudioProvider>>,
    names: HashMap<String, usize>,
}

enum IdKind {
    Space,
    User,
}

impl ProviderRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register(&mut self, provider: Arc<dyn LiveAudioProvider>) -> Result<(), RegistryError> {
        let index = self.providers.len();
        let mut names = vec![provider.id().as_str().to_owned()];
        names.extend(provider.aliases().iter().map(|a| a.to_ascii_lowercase()));
        for name in &names {
            if self.names.contains_key(name) {
                return Err(RegistryError::Duplicate(name.clone()));
            }
        }
        for name in names {
            self.names.insert(name, index);
        }
        self.providers.push(provider);
        Ok(())
    }

    /// The provider for a network id or alias, in any case.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn LiveAudioProvider>> {
        let index = match self.names.get(name) {
            Some(i) => *i,
            None => *self.names.get(&name.to_ascii_lowercase())?,
        };
        self.providers.get(index)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn LiveAudioProvider>> {
        self.providers.iter()
    }

    pub fn len(&self) -> usize {
        self.providers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    /// Parses `network:id`, resolves the network and lets it validate the Space id.
    pub fn resolve_space_id(&self, input: &str) -> Result<ResolvedId, IdError> {
        self.resolve(input, IdKind::Space)
    }

    /// Parses `network:id`, resolves the network and lets it validate the user id.
    pub fn resolve_user_id(&self, input: &str) -> Result<ResolvedId, IdError> {
        self.resolve(input, IdKind::User)
    }

    /// Resolves a network and a native Space id given apart (`/v1/spaces/{network}/{id}`).
    pub fn resolve_space_parts(&self, network: &str, native: &str) -> Result<ResolvedId, IdError> {
        self.check(network, native, IdKind::Space)
    }

    fn resolve(&self, input: &str, kind: IdKind) -> Result<ResolvedId, IdError> {
        let raw = RawQualifiedId::parse(input)?;
        self.check(raw.network, raw.native, kind)
    }

    fn check(&self, network: &str, native: &str, kind: IdKind) -> Result<ResolvedId, IdError> {
        if native.is_empty() {
            return Err(IdError::EmptyNative(format!("{}:", printable(network))));
        }
        if native.len() > crate::id::MAX_NATIVE_LEN {
            return Err(IdError::TooLong);
        }
        let provider = self
            .get(network)
            .ok_or_else(|| IdError::UnknownNetwork(printable(network)))?;
        let verdict = match kind {
            IdKind::Space => provider.validate_space_id(native),
            IdKind::User => provider.validate_user_id(native),
        };
        verdict.map_err(|reason| IdError::InvalidNative {
            network: provider.id().clone(),
            id: printable(native),
            reason,
        })?;
        Ok(ResolvedId {
            id: QualifiedId::new(provider.id().clone(), native),
            provider: Arc::clone(provider),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NetworkId, NetworkStatus};

    struct Fake(NetworkId, &'static [&'static str]);

    #[async_trait::async_trait]
    impl LiveAudioProvider for Fake {
        fn id(&self) -> &NetworkId {
            &self.0
        }
        fn display_name(&self) -> &str {
            "Fake"
        }
        fn aliases(&self) -> &[&'static str] {
            self.1
        }
        fn status(&self) -> NetworkStatus {
            NetworkStatus::available()
        }
        fn validate_space_id(&self, native: &str) -> Result<(), String> {
            if native.bytes().all(|b| b.is_ascii_digit()) {
                Ok(())
            } else {
                Err("digits only".into())
            }
        }
        fn validate_user_id(&self, _: &str) -> Result<(), String> {
            Ok(())
        }
    }

    fn registry() -> ProviderRegistry {
        let mut r = ProviderRegistry::new();
        r.register(Arc::new(Fake(NetworkId::from_static("x"), &["twitter"])))
            .unwrap();
        r
    }

    #[test]
    fn resolves_aliases_and_case() {
        let r = registry();
        for input in ["x:123", "X:123", "twitter:123", "Twitter:123"] {
            let resolved = r.resolve_space_id(input).unwrap();
            assert_eq!(resolved.id.to_string(), "x:123", "{input}");
        }
    }

    #[test]
    fn refuses_unknown_networks_and_invalid_native_ids() {
        let r = registry();
        assert!(
            matches!(r.resolve_space_id("myspace:1"), Err(IdError::UnknownNetwork(n)) if n == "myspace")
        );
        let err = r.resolve_space_id("x:abc").unwrap_err();
        assert!(err.to_string().contains("digits only"), "{err}");
    }

    #[test]
    fn capabilities_are_read_off_the_traits_a_provider_implements() {
        let r = registry();
        let caps = r.get("x").unwrap().capabilities();
        assert_eq!(caps, crate::Capabilities::NONE);
    }

    #[test]
    fn refuses_duplicates() {
        let mut r = registry();
        let dup = r.register(Arc::new(Fake(NetworkId::from_static("y"), &["TWITTER"])));
        assert_eq!(dup, Err(RegistryError::Duplicate("twitter".into())));
        assert_eq!(r.len(), 1);
    }
}
