use std::fmt;

use base64::Engine as _;
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit, Payload},
};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use super::{Token, TokenHash, random_bytes};

const NONCE_LEN: usize = 24;
const KEY_LEN: usize = 32;
/// Shortest accepted `ONAIR_SECRET_KEY`, in characters.
pub const MIN_SECRET_LEN: usize = 32;

/// A short public name for one secret key (8 hex digits), stored beside what it sealed
/// and used as the JWT `kid`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct KeyVersionId(String);

impl KeyVersionId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyVersionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KeyVersionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyVersionId({})", self.0)
    }
}

struct KeyVersion {
    id: KeyVersionId,
    key_encryption: Zeroizing<[u8; KEY_LEN]>,
    token_hashing: Zeroizing<[u8; KEY_LEN]>,
    signing: Zeroizing<[u8; KEY_LEN]>,
}

impl KeyVersion {
    fn derive(secret: &str) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(b"onair"), secret.as_bytes());
        let expand = |label: &str| {
            let mut out = Zeroizing::new([0u8; KEY_LEN]);
            // 32 bytes is far below HKDF-SHA256's 8160-byte limit.
            #[allow(clippy::expect_used)]
            hk.expand(label.as_bytes(), out.as_mut())
                .expect("HKDF output length is valid");
            out
        };
        let id_bytes = expand("onair/v1/key-id");
        Self {
            id: KeyVersionId(hex::encode(&id_bytes[..4])),
            key_encryption: expand("onair/v1/key-encryption"),
            token_hashing: expand("onair/v1/token-hashing"),
            signing: expand("onair/v1/signing"),
        }
    }

    fn hash(&self, token: &str) -> TokenHash {
        // HMAC accepts keys of any length.
        #[allow(clippy::expect_used)]
        let mut mac = Hmac::<Sha256>::new_from_slice(self.token_hashing.as_ref())
            .expect("HMAC takes any key length");
        mac.update(token.as_bytes());
        TokenHash(mac.finalize().into_bytes().into())
    }
}

/// A credential sealed under envelope encryption: a fresh data key per value encrypts the
/// value, and the keyring's key-encryption key wraps the data key. Both layers bind the
/// caller's associated data (for credentials: tenant and row id), so a ciphertext copied
/// to another row fails to open.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Which secret key wrapped the data key.
    pub key_id: String,
    /// Nonce followed by the wrapped data key.
    pub wrapped_key: Vec<u8>,
    /// Nonce followed by the encrypted value.
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id)
            .field("ciphertext_len", &self.ciphertext.len())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    #[error(
        "the secret key must be at least {MIN_SECRET_LEN} characters (generate one with `onair secret generate`)"
    )]
    TooShort,
    #[error("two of the configured secret keys are the same")]
    Duplicate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("sealed under key {0}, which is not in the keyring")]
    UnknownKey(String),
    #[error("the sealed value is damaged or belongs to another row")]
    Tampered,
}

/// The keys derived from `ONAIR_SECRET_KEY` (current) and any previous secret keys kept for
/// rotation. The current key seals, hashes and signs; every key opens, verifies and matches.
pub struct Keyring {
    versions: Vec<KeyVersion>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<_> = self.versions.iter().map(|v| v.id.as_str()).collect();
        f.debug_struct("Keyring").field("versions", &ids).finish()
    }
}

/// A new random secret key suitable for `ONAIR_SECRET_KEY` (256 bits, base64url).
pub fn generate_secret_key() -> SecretString {
    let mut bytes = Zeroizing::new([0u8; 32]);
    random_bytes(bytes.as_mut());
    SecretString::from(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes.as_ref()))
}

impl Keyring {
    pub fn new(current: &SecretString, previous: &[SecretString]) -> Result<Self, KeyringError> {
        let mut versions = Vec::with_capacity(1 + previous.len());
        for secret in std::iter::once(current).chain(previous) {
            let secret = secret.expose_secret();
            if secret.chars().count() < MIN_SECRET_LEN {
                return Err(KeyringError::TooShort);
            }
            let version = KeyVersion::derive(secret);
            if versions.iter().any(|v: &KeyVersion| v.id == version.id) {
                return Err(KeyringError::Duplicate);
            }
            versions.push(version);
        }
        Ok(Self { versions })
    }

    fn current(&self) -> &KeyVersion {
        &self.versions[0]
    }

    pub fn current_id(&self) -> &KeyVersionId {
        &self.current().id
    }

    /// The keyed hash to store for a new token.
    pub fn hash_token(&self, token: &Token) -> TokenHash {
        self.current().hash(token.expose())
    }

    /// The token's hash under every key, current first, to find rows hashed before a rotation.
    pub fn token_hashes(&self, token: &Token) -> Vec<TokenHash> {
        self.versions
            .iter()
            .map(|v| v.hash(token.expose()))
            .collect()
    }

    /// Whether `stored` is this token's hash under any key, compared in constant time.
    pub fn token_matches(&self, token: &Token, stored: &TokenHash) -> bool {
        self.versions
            .iter()
            .any(|v| bool::from(v.hash(token.expose()).0.ct_eq(&stored.0)))
    }

    /// The current signing key and its id (for JWT `kid`).
    pub fn signing_key(&self) -> (&KeyVersionId, &[u8]) {
        let v = self.current();
        (&v.id, v.signing.as_ref())
    }

    /// The signing key with this id, current or previous.
    pub fn signing_key_by_id(&self, id: &str) -> Option<&[u8]> {
        self.versions
            .iter()
            .find(|v| v.id.as_str() == id)
            .map(|v| v.signing.as_ref() as &[u8])
    }

    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Sealed {
        let mut data_key = Zeroizing::new([0u8; KEY_LEN]);
        random_bytes(data_key.as_mut());
        let ciphertext = encrypt(data_key.as_ref(), &label(b"data", aad), plaintext);
        let version = self.current();
        Sealed {
            key_id: version.id.0.clone(),
            wrapped_key: encrypt(
                version.key_encryption.as_ref(),
                &label(b"key", aad),
                data_key.as_ref(),
            ),
            ciphertext,
        }
    }

    pub fn open(&self, aad: &[u8], sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let data_key = self.unwrap_key(aad, sealed)?;
        decrypt(&data_key, &label(b"data", aad), &sealed.ciphertext)
    }

    /// The same value with its data key wrapped under the current key, or `None` when it
    /// already is. The ciphertext itself is untouched.
    pub fn rewrap(&self, aad: &[u8], sealed: &Sealed) -> Result<Option<Sealed>, CryptoError> {
        if sealed.key_id == self.current().id.0 {
            return Ok(None);
        }
        let data_key = self.unwrap_key(aad, sealed)?;
        let version = self.current();
        Ok(Some(Sealed {
            key_id: version.id.0.clone(),
            wrapped_key: encrypt(
                version.key_encryption.as_ref(),
                &label(b"key", aad),
                &data_key,
            ),
            ciphertext: sealed.ciphertext.clone(),
        }))
    }

    fn unwrap_key(&self, aad: &[u8], sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let version = self
            .versions
            .iter()
            .find(|v| v.id.0 == sealed.key_id)
            .ok_or_else(|| CryptoError::UnknownKey(sealed.key_id.clone()))?;
        let key = decrypt(
            version.key_encryption.as_ref(),
            &label(b"key", aad),
            &sealed.wrapped_key,
        )?;
        if key.len() != KEY_LEN {
            return Err(CryptoError::Tampered);
        }
        Ok(key)
    }
}

fn label(layer: &[u8], aad: &[u8]) -> Vec<u8> {
    [b"onair/v1/".as_slice(), layer, b"/", aad].concat()
}

fn encrypt(key: &[u8], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    random_bytes(&mut nonce);
    // Keys are always 32 bytes and encryption of in-memory buffers cannot fail.
    #[allow(clippy::expect_used)]
    let cipher = XChaCha20Poly1305::new_from_slice(key).expect("32-byte key");
    #[allow(clippy::expect_used)]
    let ct = cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("in-memory encryption");
    [nonce.as_slice(), &ct].concat()
}

fn decrypt(key: &[u8], aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if sealed.len() < NONCE_LEN {
        return Err(CryptoError::Tampered);
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|_| CryptoError::Tampered)?;
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CryptoError::Tampered)?;
    cipher
        .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad })
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Tampered)
}

impl Drop for KeyVersion {
    fn drop(&mut self) {
        self.id.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::TokenKind;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.repeat(40))
    }

    #[test]
    fn seal_open_round_trip_and_aad_binding() {
        let ring = Keyring::new(&secret("a"), &[]).unwrap();
        let sealed = ring.seal(b"ten_1/cred_1", b"AAAA-bearer");
        assert!(!sealed.ciphertext.windows(11).any(|w| w == b"AAAA-bearer"));
        assert_eq!(
            ring.open(b"ten_1/cred_1", &sealed).unwrap().as_slice(),
            b"AAAA-bearer"
        );
        assert_eq!(
            ring.open(b"ten_2/cred_1", &sealed),
            Err(CryptoError::Tampered)
        );
        let mut damaged = sealed.clone();
        damaged.ciphertext[30] ^= 1;
        assert_eq!(
            ring.open(b"ten_1/cred_1", &damaged),
            Err(CryptoError::Tampered)
        );
    }

    #[test]
    fn rotation_rewraps_without_reencrypting() {
        let old = Keyring::new(&secret("a"), &[]).unwrap();
        let sealed = old.seal(b"row", b"token");
        let rotated = Keyring::new(&secret("b"), &[secret("a")]).unwrap();
        assert_eq!(rotated.open(b"row", &sealed).unwrap().as_slice(), b"token");
        let rewrapped = rotated.rewrap(b"row", &sealed).unwrap().unwrap();
        assert_eq!(rewrapped.ciphertext, sealed.ciphertext);
        assert_eq!(rewrapped.key_id, rotated.current_id().as_str());
        assert!(rotated.rewrap(b"row", &rewrapped).unwrap().is_none());
        let only_new = Keyring::new(&secret("b"), &[]).unwrap();
        assert_eq!(
            only_new.open(b"row", &rewrapped).unwrap().as_slice(),
            b"token"
        );
        assert!(matches!(
            only_new.open(b"row", &sealed),
            Err(CryptoError::UnknownKey(_))
        ));
    }

    #[test]
    fn token_hashes_survive_rotation() {
        let old = Keyring::new(&secret("a"), &[]).unwrap();
        let token = Token::generate(TokenKind::ApiKey);
        let stored = old.hash_token(&token);
        let rotated = Keyring::new(&secret("b"), &[secret("a")]).unwrap();
        assert!(rotated.token_matches(&token, &stored));
        assert_eq!(rotated.token_hashes(&token)[1], stored);
        assert!(
            !Keyring::new(&secret("b"), &[])
                .unwrap()
                .token_matches(&token, &stored)
        );
    }

    #[test]
    fn refuses_short_or_duplicate_secrets() {
        assert_eq!(
            Keyring::new(&SecretString::from("short"), &[]).unwrap_err(),
            KeyringError::TooShort
        );
        assert_eq!(
            Keyring::new(&secret("a"), &[secret("a")]).unwrap_err(),
            KeyringError::Duplicate
        );
        assert!(generate_secret_key().expose_secret().len() >= MIN_SECRET_LEN);
    }
}
