//! Signed checkpoints of the audit chain: the head (its sequence number and link) at a
//! moment, signed with an Ed25519 key derived from the secret key file. The public half
//! is printed for safekeeping outside the system; a chain that no longer extends a
//! checkpoint (an entry up to it rewritten, or the chain cut short) fails verification.

pub use ed25519_dalek::SigningKey;
use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::audit::derive_key;

/// The label signed before the head's fields, so that a checkpoint's signature can be
/// taken for nothing else.
const LABEL: &str = "anjian-audit-checkpoint-v1";

/// A signed statement "the chain had `seq` entries, the last linked `head`, at `at_ms`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub head: String,
    pub at_ms: i64,
    /// The Ed25519 public key that signed it (hex).
    pub public_key: String,
    /// The signature (hex).
    pub signature: String,
}

/// The installation's checkpoint signing key, derived from the secret key file.
pub fn signing_key(secret: &[u8; 32]) -> SigningKey {
    SigningKey::from_bytes(&derive_key(secret, b"anjian audit checkpoint v1"))
}

/// The public half of the installation's checkpoint key (hex), to keep elsewhere.
pub fn public_key(secret: &[u8; 32]) -> String {
    hex::encode(signing_key(secret).verifying_key().as_bytes())
}

fn message(seq: i64, head: &str, at_ms: i64) -> String {
    format!("{LABEL}\n{seq}\n{head}\n{at_ms}")
}

/// Checks a hex Ed25519 `signature` by the hex `public_key` over `message`; a refusal
/// names `what` was signed (a checkpoint, an export).
fn verify_signed(
    what: &str,
    public_key: &str,
    signature: &str,
    message: &str,
) -> Result<(), String> {
    let key: [u8; 32] = hex::decode(public_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| format!("{what}的公钥格式不正确"))?;
    let sig: [u8; 64] = hex::decode(signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| format!("{what}的签名格式不正确"))?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| format!("{what}的公钥无效"))?;
    key.verify(message.as_bytes(), &Signature::from_bytes(&sig))
        .map_err(|_| format!("{what}的签名不正确：内容被改动过"))
}

impl Checkpoint {
    /// Signs the head `(seq, head)` at `at_ms`.
    pub fn sign(seq: i64, head: &str, at_ms: i64, key: &SigningKey) -> Checkpoint {
        let sig = key.sign(message(seq, head, at_ms).as_bytes());
        Checkpoint {
            seq,
            head: head.to_string(),
            at_ms,
            public_key: hex::encode(key.verifying_key().as_bytes()),
            signature: hex::encode(sig.to_bytes()),
        }
    }

    /// Checks the signature against `expected_key` (hex; the public key kept elsewhere),
    /// or against the key the checkpoint names when none is given.
    pub fn check(&self, expected_key: Option<&str>) -> Result<(), String> {
        if let Some(k) = expected_key
            && !k.trim().eq_ignore_ascii_case(&self.public_key)
        {
            return Err("检查点不是由所给公钥对应的密钥签署的".into());
        }
        verify_signed(
            "检查点",
            &self.public_key,
            &self.signature,
            &message(self.seq, &self.head, self.at_ms),
        )
    }
}

/// The label signed before an export's fields.
const EXPORT_LABEL: &str = "anjian-audit-export-v1";

/// A signed statement over an export of the chain: the entries `first_seq..=last_seq`
/// (`count` of them) whose lines, as written, hash (SHA-256) to `sha256`. The auditor
/// checks it offline with the public key kept elsewhere: a line changed, added or
/// dropped after the export no longer matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSeal {
    pub first_seq: i64,
    pub last_seq: i64,
    pub count: i64,
    pub sha256: String,
    pub at_ms: i64,
    /// The Ed25519 public key that signed it (hex).
    pub public_key: String,
    /// The signature (hex).
    pub signature: String,
}

fn export_message(first: i64, last: i64, count: i64, sha256: &str, at_ms: i64) -> String {
    format!("{EXPORT_LABEL}\n{first}\n{last}\n{count}\n{sha256}\n{at_ms}")
}

impl ExportSeal {
    /// Signs an export of `count` entries `first..=last` whose lines hash to `sha256`.
    pub fn sign(
        first_seq: i64,
        last_seq: i64,
        count: i64,
        sha256: &str,
        at_ms: i64,
        key: &SigningKey,
    ) -> ExportSeal {
        let sig = key.sign(export_message(first_seq, last_seq, count, sha256, at_ms).as_bytes());
        ExportSeal {
            first_seq,
            last_seq,
            count,
            sha256: sha256.to_string(),
            at_ms,
            public_key: hex::encode(key.verifying_key().as_bytes()),
            signature: hex::encode(sig.to_bytes()),
        }
    }

    /// Checks the signature against `expected_key` (hex), or the key the seal names.
    pub fn check(&self, expected_key: Option<&str>) -> Result<(), String> {
        if let Some(k) = expected_key
            && !k.trim().eq_ignore_ascii_case(&self.public_key)
        {
            return Err("导出文件不是由所给公钥对应的密钥签署的".into());
        }
        let m = export_message(
            self.first_seq,
            self.last_seq,
            self.count,
            &self.sha256,
            self.at_ms,
        );
        verify_signed("导出文件", &self.public_key, &self.signature, &m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_verifies_and_an_altered_one_does_not() {
        let key = signing_key(&[3; 32]);
        let c = Checkpoint::sign(1500, "ab12", 1_660_000_000_000, &key);
        c.check(None).unwrap();
        c.check(Some(&public_key(&[3; 32]))).unwrap();
        assert!(c.check(Some(&public_key(&[4; 32]))).is_err());
        let mut moved = c.clone();
        moved.seq = 1400;
        assert!(moved.check(None).is_err());
        let mut forged = Checkpoint::sign(1500, "cd34", 1_660_000_000_000, &signing_key(&[4; 32]));
        forged.public_key = c.public_key.clone();
        assert!(forged.check(None).is_err());
    }
}
