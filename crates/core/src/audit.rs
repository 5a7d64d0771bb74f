//! The audit chain's arithmetic: the digest of a change and the link that ties each
//! entry to the one before it. Storage appends; this module decides what is linked.
//!
//! A link is an HMAC-SHA-256 under the chain key, which is derived from the secret key
//! file and never stored in the database: whoever can write the database but not read
//! the key file cannot rewrite an entry and recompute the links after it. Entries
//! written before links were keyed (a database from before migration 0032) carry a plain
//! SHA-256 and are marked unkeyed; once a keyed entry appears, every later one must be.

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The key of the chain's links (32 bytes), derived from the secret key file.
#[derive(Clone)]
pub struct ChainKey([u8; 32]);

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainKey(…)")
    }
}

impl ChainKey {
    /// The chain key derived from the installation's secret key: HMAC-SHA-256 of a
    /// fixed label under it, so that it differs from the field-sealing key.
    pub fn derive(secret: &[u8; 32]) -> ChainKey {
        ChainKey(derive_key(secret, b"anjian audit chain v1"))
    }
}

/// HMAC-SHA-256 of `label` under `secret`: a key for one purpose.
pub(crate) fn derive_key(secret: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(label);
    m.finalize().into_bytes().into()
}

/// The hash that stands before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of the chain, with every field that its hash covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at_ms: i64,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub outcome: String,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    pub detail: String,
    pub prev_hash: String,
}

impl AuditRecord {
    /// Feeds every field, each length-prefixed so that no two different records
    /// serialise alike.
    fn feed(&self, mut update: impl FnMut(&[u8])) {
        let mut field = |s: &str| {
            update(&(s.len() as u64).to_be_bytes());
            update(s.as_bytes());
        };
        field(&self.seq.to_string());
        field(&self.at_ms.to_string());
        field(&opt_num(self.actor_user_id));
        field(&self.actor_name);
        field(&self.role);
        field(&opt_num(self.unit_id));
        field(&self.action);
        field(&self.object_type);
        field(self.object_id.as_deref().unwrap_or("-"));
        field(&self.outcome);
        field(self.before_digest.as_deref().unwrap_or("-"));
        field(self.after_digest.as_deref().unwrap_or("-"));
        field(&self.detail);
        field(&self.prev_hash);
    }

    /// The unkeyed link of entries written before links were keyed: SHA-256 over every
    /// field.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        self.feed(|b| h.update(b));
        hex::encode(h.finalize())
    }

    /// The keyed link: HMAC-SHA-256 over every field under the chain key.
    pub fn link(&self, key: &ChainKey) -> String {
        let mut m =
            <Hmac<Sha256> as Mac>::new_from_slice(&key.0).expect("HMAC takes any key length");
        self.feed(|b| m.update(b));
        hex::encode(m.finalize().into_bytes())
    }
}

fn opt_num(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| "-".into())
}

/// The digest of an object's state: SHA-256 of its canonical JSON (keys sorted).
pub fn digest<T: Serialize + ?Sized>(value: &T) -> String {
    let v = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    let mut out = String::new();
    canonical(&v, &mut out);
    hex::encode(Sha256::digest(out.as_bytes()))
}

/// Writes JSON with object keys sorted, whatever map order serde_json was built with.
fn canonical(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&m[k], out);
            }
            out.push('}');
        }
        serde_json::Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Where a chain first fails verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// Sequence number of the first bad entry.
    pub seq: i64,
    /// What is wrong, in Chinese.
    pub reason: String,
}

/// Incremental verifier: feed entries in sequence order with their stored link.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev_hash: String,
    prev_seq: i64,
    checked: u64,
    keys: Vec<ChainKey>,
    keyed_seen: bool,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier::new(Vec::new())
    }
}

impl ChainVerifier {
    /// A verifier with the chain keys (the current one and those of rotated key files;
    /// none: only unkeyed entries can be checked).
    pub fn new(keys: Vec<ChainKey>) -> Self {
        ChainVerifier {
            prev_hash: GENESIS.to_string(),
            prev_seq: 0,
            checked: 0,
            keys,
            keyed_seen: false,
        }
    }

    /// A verifier that picks the chain up after entry `prev_seq`, whose link was
    /// `prev_hash` (an export of a period).
    pub fn resume(keys: Vec<ChainKey>, prev_seq: i64, prev_hash: &str) -> Self {
        ChainVerifier {
            prev_hash: prev_hash.to_string(),
            prev_seq,
            ..ChainVerifier::new(keys)
        }
    }

    /// Checks the next entry (`keyed`: its link is an HMAC under the chain key);
    /// returns the break if the chain is broken here.
    pub fn next(
        &mut self,
        rec: &AuditRecord,
        stored_hash: &str,
        keyed: bool,
    ) -> Result<(), ChainBreak> {
        let fail = |reason: &str| ChainBreak {
            seq: rec.seq,
            reason: reason.to_string(),
        };
        if rec.seq != self.prev_seq + 1 {
            return Err(fail("序号不连续，有记录被删除或插入"));
        }
        if rec.prev_hash != self.prev_hash {
            return Err(fail("前序哈希与上一条记录不一致"));
        }
        let intact = match keyed {
            false if self.keyed_seen => {
                return Err(fail("此前的记录已用密钥链接，这条却没有：已被改写"));
            }
            false => rec.hash() == stored_hash,
            true if self.keys.is_empty() => {
                return Err(fail("记录用密钥链接，校验需要密钥文件"));
            }
            true => self.keys.iter().any(|k| rec.link(k) == stored_hash),
        };
        if !intact {
            return Err(fail(
                "记录内容与其链接不符，已被篡改（或密钥文件不是本系统的）",
            ));
        }
        self.keyed_seen |= keyed;
        self.prev_hash = stored_hash.to_string();
        self.prev_seq = rec.seq;
        self.checked += 1;
        Ok(())
    }

    /// How many entries have been checked.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// The hash of the last good entry.
    pub fn head(&self) -> &str {
        &self.prev_hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: i64, prev: &str) -> AuditRecord {
        AuditRecord {
            seq,
            at_ms: 1_652_000_000_000 + seq,
            actor_user_id: Some(7),
            actor_name: "office".into(),
            role: "office_admin".into(),
            unit_id: Some(1),
            action: "unit.create".into(),
            object_type: "unit".into(),
            object_id: Some(seq.to_string()),
            outcome: "ok".into(),
            before_digest: None,
            after_digest: Some(digest(&serde_json::json!({"b": 1, "a": 2}))),
            detail: String::new(),
            prev_hash: prev.into(),
        }
    }

    #[test]
    fn chain_detects_edit_deletion_and_reorder() {
        let k = ChainKey::derive(&[7; 32]);
        let a = rec(1, GENESIS);
        let b = rec(2, &a.link(&k));
        let c = rec(3, &b.link(&k));
        let mut v = ChainVerifier::new(vec![k.clone()]);
        for r in [&a, &b, &c] {
            v.next(r, &r.link(&k), true).unwrap();
        }
        assert_eq!(v.checked(), 3);

        let mut tampered = b.clone();
        tampered.actor_name = "someone".into();
        let mut v = ChainVerifier::new(vec![k.clone()]);
        v.next(&a, &a.link(&k), true).unwrap();
        assert_eq!(v.next(&tampered, &b.link(&k), true).unwrap_err().seq, 2);

        let mut v = ChainVerifier::new(vec![k.clone()]);
        v.next(&a, &a.link(&k), true).unwrap();
        assert_eq!(v.next(&c, &c.link(&k), true).unwrap_err().seq, 3);
    }

    /// Whoever can write the database but lacks the key file rewrites entry 2 and
    /// everything after it: with plain SHA-256, with a key of their own, or marked as
    /// unkeyed. Each fails.
    #[test]
    fn a_rewrite_without_the_key_fails() {
        let k = ChainKey::derive(&[7; 32]);
        let a = rec(1, GENESIS);
        let mut b = rec(2, &a.link(&k));
        b.detail = "改写".into();
        let theirs = ChainKey::derive(&[9; 32]);
        for (link, keyed) in [(b.hash(), true), (b.link(&theirs), true), (b.hash(), false)] {
            let mut v = ChainVerifier::new(vec![k.clone()]);
            v.next(&a, &a.link(&k), true).unwrap();
            assert_eq!(v.next(&b, &link, keyed).unwrap_err().seq, 2);
        }
        // Entries of an older database, unkeyed, then keyed ones: verified.
        let old = rec(1, GENESIS);
        let new = rec(2, &old.hash());
        let mut v = ChainVerifier::new(vec![k.clone()]);
        v.next(&old, &old.hash(), false).unwrap();
        v.next(&new, &new.link(&k), true).unwrap();
    }

    #[test]
    fn digest_ignores_key_order() {
        assert_eq!(
            digest(&serde_json::json!({"a": 1, "b": 2})),
            digest(&serde_json::json!({"b": 2, "a": 1}))
        );
    }
}
