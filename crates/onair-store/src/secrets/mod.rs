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

/// Opens a credential sealed for its row (see [`credential_aad`]); a ciphertext that does not
/// open, or that is not text, is an [`crate::StoreError::Integrity`] failure.
pub fn open_credential(
    keyring: &Keyring,
    tenant: &crate::TenantId,
    credential: &crate::CredentialId,
    sealed: &Sealed,
) -> Result<secrecy::SecretString, crate::StoreError> {
    let plaintext = keyring.open(&credential_aad(tenant, credential), sealed)?;
    let text = String::from_utf8(plaintext.to_vec())
        .map_err(|_| crate::StoreError::Integrity("the credential is not UTF-8".into()))?;
    Ok(secrecy::SecretString::from(text))
}

/// Fills `buf` from the operating system's generator.
pub(crate) fn random_bytes(buf: &mut [u8]) {
    // The OS generator failing leaves no safe way to continue.
    #[allow(clippy::expect_used)]
    getrandom::fill(buf).expect("the operating system's random number generator failed");
}
