//! Field encryption (字段加密) for what must not be readable in the database, its files
//! or its backups: a reporter's identity and contact. XChaCha20-Poly1305 (AEAD) with a
//! key named by an id, so keys can be rotated: a sealed value names the key it was
//! sealed with, new values use the current key, old ones open with the key they name.
//! The associated data binds a value to its row (a tip's id), so a sealed value copied
//! to another row does not open. Keys live outside the database (the secret key file).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// Keys by id; the first is current.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<(String, [u8; 32])>,
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

impl Keyring {
    /// A keyring whose current key is `current` (id and 32 bytes), with older keys after.
    pub fn new(current: (String, [u8; 32]), older: Vec<(String, [u8; 32])>) -> Keyring {
        let mut keys = vec![current];
        keys.extend(older);
        Keyring { keys }
    }

    /// The current key's id.
    pub fn current_id(&self) -> &str {
        &self.keys[0].0
    }

    /// Seals `plain` for the row named by `aad` with the current key and the 24-byte
    /// random `nonce` (never reused: 192 random bits). Returns `xc1:<key id>:<nonce
    /// hex>:<ciphertext hex>`.
    pub fn seal(&self, plain: &[u8], aad: &[u8], nonce: [u8; 24]) -> String {
        let (id, key) = &self.keys[0];
        let cipher = XChaCha20Poly1305::new(key.into());
        // Encryption into memory cannot fail for inputs this size.
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
            .unwrap_or_default();
        format!("{PREFIX}:{id}:{}:{}", hex::encode(nonce), hex::encode(ct))
    }

    /// Opens a sealed value for the row named by `aad`.
    pub fn open(&self, sealed: &str, aad: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut parts = sealed.split(':');
        let (Some(PREFIX), Some(id), Some(nonce), Some(ct), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(SealError::Malformed);
        };
        let nonce = hex::decode(nonce).map_err(|_| SealError::Malformed)?;
        let ct = hex::decode(ct).map_err(|_| SealError::Malformed)?;
        if nonce.len() != 24 {
            return Err(SealError::Malformed);
        }
        let (_, key) = self
            .keys
            .iter()
            .find(|(k, _)| k == id)
            .ok_or_else(|| SealError::UnknownKey(id.to_string()))?;
        XChaCha20Poly1305::new(key.into())
            .decrypt(XNonce::from_slice(&nonce), Payload { msg: &ct, aad })
            .map_err(|_| SealError::Rejected)
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
