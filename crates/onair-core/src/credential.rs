use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// Whose upstream credential a call uses; a profile's wins over its tenant's, which wins
/// over the operator's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialSource {
    Operator,
    Tenant,
    Profile,
}

/// An upstream credential (for X: an app or user bearer token).
///
/// Providers key rate-limit budgets and shared caches by the [`fingerprint`](Self::fingerprint),
/// never by the secret, and `Debug` never prints the secret.
#[derive(Clone)]
pub struct Credential {
    secret: SecretString,
    fingerprint: String,
    source: CredentialSource,
}

impl Credential {
    pub fn new(secret: impl Into<String>, source: CredentialSource) -> Self {
        let secret: String = secret.into();
        let digest = Sha256::digest(secret.as_bytes());
        Self {
            fingerprint: hex::encode(&digest[..8]),
            secret: SecretString::from(secret),
            source,
        }
    }

    pub fn expose(&self) -> &str {
        self.secret.expose_secret()
    }

    /// A stable, non-reversible name for this credential (16 hex digits).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn source(&self) -> CredentialSource {
        self.source
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("fingerprint", &self.fingerprint)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_secret() {
        let c = Credential::new("AAAAsecret-token", CredentialSource::Tenant);
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret-token"), "{shown}");
        assert_eq!(c.fingerprint().len(), 16);
        assert_eq!(
            c.fingerprint(),
            Credential::new("AAAAsecret-token", CredentialSource::Operator).fingerprint()
        );
    }
}
