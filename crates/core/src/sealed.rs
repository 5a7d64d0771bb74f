//! Field encryption (字段加密) for what must not be readable in the database, its files
//! or its backups: a reporter's identity and contact. XChaCha20-Poly1305 (AEAD), or
//! SM4-GCM for deployments that must use the national algorithms (国密), with a key
//! named by an id, so keys can be rotated: a sealed value names the key it was
//! sealed with, new values use the current key, old ones open with the key they name.
//! The associated data binds a value to its row (a tip's id), so a sealed value copied
//! to another row does not open. Keys live outside the database (the secret key file).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// SM4 in GCM mode: a 128-bit key, a 96-bit nonce.
type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

/// The cipher new values are sealed with; a sealed value names its own, so both open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    /// XChaCha20-Poly1305 (the default).
    XChaCha20Poly1305,
    /// SM4-GCM (GB/T 32907 with GCM), the first 16 bytes of the key.
    Sm4Gcm,
}

impl Cipher {
    /// Reads `xchacha20poly1305` or `sm4-gcm` (configuration).
    pub fn parse(s: &str) -> Option<Cipher> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "xchacha20poly1305" | "xchacha20-poly1305" => Some(Cipher::XChaCha20Poly1305),
            "sm4-gcm" | "sm4gcm" | "sm4" => Some(Cipher::Sm4Gcm),
            _ => None,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Cipher::XChaCha20Poly1305 => PREFIX,
            Cipher::Sm4Gcm => SM4_PREFIX,
        }
    }
}

/// Keys by id; the first is current.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<(String, [u8; 32])>,
    cipher: Cipher,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key bytes.
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("Keyring").field("ids", &ids).finish()
    }
}

/// Why a sealed value does not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("密文格式无效")]
    Malformed,
    #[error("密钥 {0} 不在密钥环中")]
    UnknownKey(String),
    #[error("密文无法解密（密钥不符或已被篡改）")]
    Rejected,
}

const PREFIX: &str = "xc1";
const SM4_PREFIX: &str = "sg1";

impl Keyring {
    /// A keyring whose current key is `current` (id and 32 bytes), with older keys after.
    pub fn new(current: (String, [u8; 32]), older: Vec<(String, [u8; 32])>) -> Keyring {
        let mut keys = vec![current];
        keys.extend(older);
        Keyring {
            keys,
            cipher: Cipher::XChaCha20Poly1305,
        }
    }

    /// The same keys, sealing new values with `cipher`.
    pub fn with_cipher(mut self, cipher: Cipher) -> Keyring {
        self.cipher = cipher;
        self
    }

    /// The current key's id.
    pub fn current_id(&self) -> &str {
        &self.keys[0].0
    }

    /// Whether the keyring holds the key with this id.
    pub fn knows(&self, id: &str) -> bool {
        self.keys.iter().any(|(k, _)| k == id)
    }

    /// The key id a sealed value names, if it is one.
    pub fn key_id_of(sealed: &str) -> Option<&str> {
        sealed.split(':').nth(1).filter(|id| !id.is_empty())
    }

    /// Seals `plain` for the row named by `aad` with the current key and the random
    /// `nonce` (24 bytes for XChaCha20-Poly1305; SM4-GCM uses the first 12). Returns
    /// `<cipher>:<key id>:<nonce hex>:<ciphertext hex>`.
    pub fn seal(&self, plain: &[u8], aad: &[u8], nonce: [u8; 24]) -> String {
        let (id, key) = &self.keys[0];
        let payload = Payload { msg: plain, aad };
        // Encryption into memory cannot fail for inputs this size.
        let (nonce, ct) = match self.cipher {
            Cipher::XChaCha20Poly1305 => (
                &nonce[..],
                XChaCha20Poly1305::new(key.into())
                    .encrypt(XNonce::from_slice(&nonce), payload)
                    .unwrap_or_default(),
            ),
            Cipher::Sm4Gcm => (
                &nonce[..12],
                Sm4Gcm::new(aes_gcm::Key::<Sm4Gcm>::from_slice(&key[..16]))
                    .encrypt(aes_gcm::Nonce::from_slice(&nonce[..12]), payload)
                    .unwrap_or_default(),
            ),
        };
        format!(
            "{}:{id}:{}:{}",
            self.cipher.prefix(),
            hex::encode(nonce),
            hex::encode(ct)
        )
    }

    /// Opens a sealed value for the row named by `aad`.
    pub fn open(&self, sealed: &str, aad: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut parts = sealed.split(':');
        let (Some(prefix), Some(id), Some(nonce), Some(ct), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(SealError::Malformed);
        };
        let cipher = match prefix {
            PREFIX => Cipher::XChaCha20Poly1305,
            SM4_PREFIX => Cipher::Sm4Gcm,
            _ => return Err(SealError::Malformed),
        };
        let nonce = hex::decode(nonce).map_err(|_| SealError::Malformed)?;
        let ct = hex::decode(ct).map_err(|_| SealError::Malformed)?;
        let (_, key) = self
            .keys
            .iter()
            .find(|(k, _)| k == id)
            .ok_or_else(|| SealError::UnknownKey(id.to_string()))?;
        let payload = Payload { msg: &ct, aad };
        match (cipher, nonce.len()) {
            (Cipher::XChaCha20Poly1305, 24) => XChaCha20Poly1305::new(key.into())
                .decrypt(XNonce::from_slice(&nonce), payload)
                .map_err(|_| SealError::Rejected),
            (Cipher::Sm4Gcm, 12) => Sm4Gcm::new(aes_gcm::Key::<Sm4Gcm>::from_slice(&key[..16]))
                .decrypt(aes_gcm::Nonce::from_slice(&nonce), payload)
                .map_err(|_| SealError::Rejected),
            _ => Err(SealError::Malformed),
        }
    }

    /// The audit chain's link keys, derived from the current secret key (first, the one
    /// new entries are linked with) and from the older ones.
    pub fn chain_keys(&self) -> Vec<crate::audit::ChainKey> {
        self.keys
            .iter()
            .map(|(_, k)| crate::audit::ChainKey::derive(k))
            .collect()
    }

    /// The audit checkpoints' Ed25519 signing key, derived from the current secret key.
    pub fn checkpoint_key(&self) -> crate::checkpoint::SigningKey {
        crate::checkpoint::signing_key(&self.keys[0].1)
    }

    /// Derives a keyring from the secret key file's 32 bytes: the key id is the first
    /// eight hex digits of the key's SHA-256, so a rotated file names a new key.
    pub fn from_secret(secret: [u8; 32]) -> Keyring {
        use sha2::Digest;
        let id = hex::encode(&sha2::Sha256::digest(secret)[..4]);
        Keyring::new((id, secret), Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ring(b: u8) -> Keyring {
        Keyring::from_secret([b; 32])
    }

    #[test]
    fn values_open_only_with_their_key_and_row() {
        let r = ring(7);
        let s = r.seal("张三 13800000000".as_bytes(), b"tip:1", [1; 24]);
        assert!(s.starts_with("xc1:") && !s.contains("张三"));
        assert_eq!(r.open(&s, b"tip:1").unwrap(), "张三 13800000000".as_bytes());
        assert_eq!(
            r.open(&s, b"tip:2"),
            Err(SealError::Rejected),
            "another row"
        );
        let other = ring(8);
        assert!(matches!(
            other.open(&s, b"tip:1"),
            Err(SealError::UnknownKey(_))
        ));
        let mut tampered = s.clone();
        tampered.pop();
        tampered.push(if s.ends_with('0') { '1' } else { '0' });
        assert_eq!(r.open(&tampered, b"tip:1"), Err(SealError::Rejected));
        assert_eq!(r.open("plain", b"tip:1"), Err(SealError::Malformed));
    }

    #[test]
    fn rotation_keeps_old_values_readable() {
        let old = ring(1);
        let sealed = old.seal(b"secret", b"row", [9; 24]);
        let (old_id, _) = old.keys[0].clone();
        let rotated = Keyring::new(("k2".into(), [2; 32]), vec![(old_id, [1; 32])]);
        assert_eq!(rotated.open(&sealed, b"row").unwrap(), b"secret");
        assert!(rotated.seal(b"x", b"row", [3; 24]).starts_with("xc1:k2:"));
        assert!(
            !format!("{rotated:?}").contains("[2, 2"),
            "no key bytes in Debug"
        );
    }

    #[test]
    fn sm4_gcm_seals_for_national_cryptography_and_both_open() {
        let chacha = ring(4);
        let old = chacha.seal(b"before", b"row", [5; 24]);
        let sm4 = ring(4).with_cipher(Cipher::Sm4Gcm);
        let s = sm4.seal("张三".as_bytes(), b"row", [6; 24]);
        assert!(s.starts_with("sg1:"));
        assert_eq!(sm4.open(&s, b"row").unwrap(), "张三".as_bytes());
        assert_eq!(sm4.open(&s, b"other"), Err(SealError::Rejected));
        assert_eq!(
            sm4.open(&old, b"row").unwrap(),
            b"before",
            "values sealed before still open"
        );
        assert_eq!(Cipher::parse("SM4-GCM"), Some(Cipher::Sm4Gcm));
        assert_eq!(Cipher::parse("rot13"), None);
    }

    proptest! {
        #[test]
        fn open_never_panics(s in ".{0,200}") {
            let _ = ring(3).open(&s, b"row");
        }

        #[test]
        fn seal_then_open_round_trips(plain in proptest::collection::vec(any::<u8>(), 0..300), nonce in any::<[u8; 24]>()) {
            let r = ring(5);
            prop_assert_eq!(r.open(&r.seal(&plain, b"a", nonce), b"a").unwrap(), plain);
        }
    }
}
