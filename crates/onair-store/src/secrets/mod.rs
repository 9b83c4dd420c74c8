//! Secrets every backend handles the same way: the API and profile keys handed to clients
//! (only keyed hashes are stored), the keyring derived from `ONAIR_SECRET_KEY`, and
//! envelope encryption of upstream credentials.

mod keyring;
mod token;

pub use keyring::{CryptoError, KeyVersionId, Keyring, KeyringError, Sealed, generate_secret_key};
pub use token::{Token, TokenError, TokenHash, TokenKind};

/// The associated data a credential is sealed with: its tenant and its own row id, so a
/// ciphertext copied to another row, or to another tenant, no longer opens.
pub fn credential_aad(tenant: &crate::TenantId, credential: &crate::CredentialId) -> Vec<u8> {
    format!("credential/{tenant}/{credential}").into_bytes()
}

/// Fills `buf` from the operating system's generator.
pub(crate) fn random_bytes(buf: &mut [u8]) {
    // The OS generator failing leaves no safe way to continue.
    #[allow(clippy::expect_used)]
    getrandom::fill(buf).expect("the operating system's random number generator failed");
}
