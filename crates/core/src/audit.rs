//! The audit chain's arithmetic: the digest of a change and the hash that links each
//! entry to the one before it. Storage appends; this module decides what is hashed.

use serde::Serialize;
use sha2::{Digest, Sha256};

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
    /// The SHA-256 over every field, each length-prefixed so that no two different
    /// records serialise alike.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        let mut field = |s: &str| {
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
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
        hex::encode(h.finalize())
    }
}

fn opt_num(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| "-".into())
}

/// The digest of an object's state: SHA-256 of its canonical JSON (keys sorted).
pub fn digest<T: Serialize>(value: &T) -> String {
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

/// Incremental verifier: feed entries in sequence order with their stored hash.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev_hash: String,
    prev_seq: i64,
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            prev_hash: GENESIS.to_string(),
            prev_seq: 0,
            checked: 0,
        }
    }
}

impl ChainVerifier {
    /// Checks the next entry; returns the break if the chain is broken here.
    pub fn next(&mut self, rec: &AuditRecord, stored_hash: &str) -> Result<(), ChainBreak> {
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
        if rec.hash() != stored_hash {
            return Err(fail("记录内容与其哈希不符，已被篡改"));
        }
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
        let a = rec(1, GENESIS);
        let b = rec(2, &a.hash());
        let c = rec(3, &b.hash());
        let mut v = ChainVerifier::default();
        for r in [&a, &b, &c] {
            v.next(r, &r.hash()).unwrap();
        }
        assert_eq!(v.checked(), 3);

        let mut tampered = b.clone();
        tampered.actor_name = "someone".into();
        let mut v = ChainVerifier::default();
        v.next(&a, &a.hash()).unwrap();
        assert_eq!(v.next(&tampered, &b.hash()).unwrap_err().seq, 2);

        let mut v = ChainVerifier::default();
        v.next(&a, &a.hash()).unwrap();
        assert_eq!(v.next(&c, &c.hash()).unwrap_err().seq, 3);
    }

    #[test]
    fn digest_ignores_key_order() {
        assert_eq!(
            digest(&serde_json::json!({"a": 1, "b": 2})),
            digest(&serde_json::json!({"b": 2, "a": 1}))
        );
    }
}
