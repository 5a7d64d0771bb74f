//! The audit chain writer and verifier. Every write appends one entry inside its own
//! transaction; the product offers no way to edit or delete entries. Each entry is
//! linked to the one before it under the chain key (HMAC-SHA-256, see
//! `anjian_core::audit`), which the process is given at start-up from the secret key
//! file ([`use_chain_key`]) and which is never stored in the database.

use std::sync::OnceLock;

use anjian_core::audit::{AuditRecord, ChainBreak, ChainKey, ChainVerifier};
use anjian_core::checkpoint::Checkpoint;

use crate::db::{Db, Tx, q};
use crate::error::{Error, Result};
use crate::scope::Actor;

static CHAIN_KEYS: OnceLock<Vec<ChainKey>> = OnceLock::new();

/// Gives the process the chain keys, the current one first (once; a later call keeps
/// the first keys). Until they are given, appending refuses: an entry never goes
/// unlinked.
pub fn use_chain_keys(keys: Vec<ChainKey>) {
    if !keys.is_empty() {
        let _ = CHAIN_KEYS.set(keys);
    }
}

fn chain_key() -> Result<&'static ChainKey> {
    CHAIN_KEYS
        .get()
        .and_then(|k| k.first())
        .ok_or_else(|| Error::Config("审计链密钥未载入（需要密钥文件）".into()))
}

/// What an entry records beyond its actor.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: Option<String>,
    /// "ok", "denied" or "failed".
    pub outcome: &'static str,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    pub detail: String,
}

impl Entry {
    /// A successful action on an object.
    pub fn ok(action: &'static str, object_type: &'static str, object_id: impl ToString) -> Entry {
        Entry {
            action,
            object_type,
            object_id: Some(object_id.to_string()),
            outcome: "ok",
            ..Entry::default()
        }
    }

    /// Sets the digests of the object's state before and after: always the SHA-256 of
    /// the state's canonical JSON (`anjian_core::audit::digest`), whatever the state is
    /// (a whole record, or a workflow's state name).
    pub fn change<T: serde::Serialize + ?Sized>(
        mut self,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Entry {
        self.before_digest = before.map(anjian_core::audit::digest);
        self.after_digest = after.map(anjian_core::audit::digest);
        self
    }

    /// Adds a free-text detail.
    pub fn detail(mut self, d: impl Into<String>) -> Entry {
        self.detail = d.into();
        self
    }

    /// Folds what a part of the same action recorded into this entry's detail: one user
    /// action, one entry of the chain (a launch records the plan it stored, its special
    /// periods and its expansion in the campaign's entry).
    pub fn and(mut self, part: Entry) -> Entry {
        if !part.detail.is_empty() {
            self.detail = format!("{}；{}", self.detail, part.detail);
        }
        self
    }
}

#[derive(sqlx::FromRow)]
struct Head {
    seq: i64,
    hash: String,
}

/// Appends an entry in `tx`. The head row's update serialises concurrent appends on
/// both engines (SQLite's write lock; PostgreSQL's row lock, held to the commit), so
/// a transaction appends its entry last; an append takes two round trips: the
/// head's next number and link, then the entry, whose insert moves the head's link on
/// (the trigger `audit_head_follows`, migration 0054).
pub async fn append(tx: &mut Tx, now_ms: i64, actor: &Actor, e: Entry) -> Result<i64> {
    let head: Head = tx
        .one(q(
            "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
        ))
        .await?;
    let rec = AuditRecord {
        seq: head.seq,
        at_ms: now_ms,
        actor_user_id: actor.user_id,
        actor_name: actor.username.clone(),
        role: actor.role.clone(),
        unit_id: actor.unit_id,
        action: e.action.to_string(),
        object_type: e.object_type.to_string(),
        object_id: e.object_id,
        outcome: e.outcome.to_string(),
        before_digest: e.before_digest,
        after_digest: e.after_digest,
        detail: e.detail.chars().take(2000).collect(),
        prev_hash: head.hash,
    };
    let hash = rec.link(chain_key()?);
    tx.execute(
        q("INSERT INTO audit_log (seq, at_ms, actor_user_id, actor_name, role, unit_id, action, object_type, object_id, outcome, before_digest, after_digest, detail, prev_hash, hash, keyed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1)")
            .bind(rec.seq)
            .bind(rec.at_ms)
            .bind(rec.actor_user_id)
            .bind(rec.actor_name)
            .bind(rec.role)
            .bind(rec.unit_id)
            .bind(rec.action)
            .bind(rec.object_type)
            .bind(rec.object_id)
            .bind(rec.outcome)
            .bind(rec.before_digest)
            .bind(rec.after_digest)
            .bind(rec.detail)
            .bind(rec.prev_hash)
            .bind(hash),
    )
    .await?;
    Ok(head.seq)
}

/// Records an event in a transaction of its own (failed logins, denied accesses).
pub async fn record(db: &Db, now_ms: i64, actor: &Actor, e: Entry) -> Result<i64> {
    let mut tx = db.begin().await?;
    let seq = append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(seq)
}

/// A stored entry as read back.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct AuditRow {
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
    pub hash: String,
    /// 1 when the link is keyed (every entry since migration 0032).
    pub keyed: i64,
}

impl AuditRow {
    /// The fields the entry's link covers.
    pub fn record(&self) -> AuditRecord {
        AuditRecord {
            seq: self.seq,
            at_ms: self.at_ms,
            actor_user_id: self.actor_user_id,
            actor_name: self.actor_name.clone(),
            role: self.role.clone(),
            unit_id: self.unit_id,
            action: self.action.clone(),
            object_type: self.object_type.clone(),
            object_id: self.object_id.clone(),
            outcome: self.outcome.clone(),
            before_digest: self.before_digest.clone(),
            after_digest: self.after_digest.clone(),
            detail: self.detail.clone(),
            prev_hash: self.prev_hash.clone(),
        }
    }
}

pub(crate) const COLUMNS: &str = "seq, at_ms, actor_user_id, actor_name, role, unit_id, action, object_type, object_id, outcome, before_digest, after_digest, detail, prev_hash, hash, keyed";

/// Filter of the audit viewer.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only entries before this sequence number (keyset, newest first).
    pub before: Option<i64>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub limit: i64,
}

/// Lists entries newest first.
pub async fn list(db: &Db, reader: &Actor, f: &AuditFilter) -> Result<Vec<AuditRow>> {
    crate::authz::require(reader, anjian_core::role::Role::can_read_audit)?;
    let mut query = q(format!("SELECT {COLUMNS} FROM audit_log WHERE 1=1"));
    if let Some(b) = f.before {
        query = query.push(" AND seq < ").push_bind(b);
    }
    if let Some(a) = &f.actor {
        query = query.push(" AND actor_name = ").push_bind(a.clone());
    }
    if let Some(a) = &f.action {
        query = query.push(" AND action = ").push_bind(a.clone());
    }
    if let Some(o) = &f.outcome {
        query = query.push(" AND outcome = ").push_bind(o.clone());
    }
    query = query
        .push(" ORDER BY seq DESC LIMIT ")
        .push_bind(f.limit.clamp(1, 500));
    db.read().all(query).await
}

/// The result of verifying the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub checked: u64,
    pub head_seq: i64,
    pub broken: Option<ChainBreak>,
}

/// [`verify`] for a reader of the product: the auditor (the command line and the tests
/// call `verify` as the machine's operator).
pub async fn verify_for(db: &Db, reader: &Actor) -> Result<Verification> {
    crate::authz::require(reader, anjian_core::role::Role::can_read_audit)?;
    verify(db).await
}

/// Re-computes the whole chain in sequence order under the process's chain key and
/// names the first broken entry.
pub async fn verify(db: &Db) -> Result<Verification> {
    let keys = CHAIN_KEYS.get().cloned().unwrap_or_default();
    // After a purge the chain is picked up at the last purged entry's link.
    let anchor: Option<(i64, String)> = db
        .read()
        .opt(q("SELECT seq, hash FROM audit_anchor WHERE id = 1"))
        .await?;
    let (mut v, mut after) = match anchor {
        Some((seq, hash)) => (ChainVerifier::resume(keys, seq, &hash), seq),
        None => (ChainVerifier::new(keys), 0_i64),
    };
    loop {
        let rows: Vec<AuditRow> = db
            .read()
            .all(
                q(format!(
                    "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 2000"
                ))
                .bind(after),
            )
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for r in &rows {
            if let Err(b) = v.next(&r.record(), &r.hash, r.keyed == 1) {
                return Ok(Verification {
                    checked: v.checked(),
                    head_seq: r.seq,
                    broken: Some(b),
                });
            }
        }
    }
    #[derive(sqlx::FromRow)]
    struct H {
        seq: i64,
        hash: String,
    }
    let head: H = db
        .read()
        .one(q("SELECT seq, hash FROM audit_head WHERE id = 1"))
        .await?;
    let broken = if head.seq != after || head.hash != v.head() {
        Some(ChainBreak {
            seq: after + 1,
            reason: "链尾与记录不一致，末尾的记录被删除".into(),
        })
    } else {
        None
    };
    Ok(Verification {
        checked: v.checked(),
        head_seq: head.seq,
        broken,
    })
}

/// Signs the chain's head as it is once this checkpoint's own entry is appended (the
/// security administrator's export), in one transaction.
pub async fn checkpoint(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    key: &anjian_core::checkpoint::SigningKey,
) -> Result<Checkpoint> {
    crate::authz::require(actor, anjian_core::role::Role::can_grant_roles)?;
    let mut tx = db.begin().await?;
    let e = Entry::ok("audit.checkpoint", "audit", "head").detail("导出审计链签名检查点");
    append(&mut tx, now_ms, actor, e).await?;
    let (seq, head): (i64, String) = tx
        .one(q("SELECT seq, hash FROM audit_head WHERE id = 1"))
        .await?;
    tx.commit().await?;
    Ok(Checkpoint::sign(seq, &head, now_ms, key))
}

/// Whether the chain still extends `c`: the checkpoint's signature holds (against
/// `public_key` when given), the entry at its sequence number still carries its link,
/// and the whole chain verifies. Returns the reason it does not.
pub async fn extends(db: &Db, c: &Checkpoint, public_key: Option<&str>) -> Result<Option<String>> {
    if let Err(why) = c.check(public_key) {
        return Ok(Some(why));
    }
    let at: Option<(String,)> = db
        .read()
        .opt(q("SELECT hash FROM audit_log WHERE seq = $1").bind(c.seq))
        .await?;
    match at {
        None => {
            return Ok(Some(format!(
                "审计链已不含检查点的第 {} 条记录：被截短",
                c.seq
            )));
        }
        Some((h,)) if h != c.head => {
            return Ok(Some(format!(
                "第 {} 条记录的链接与检查点不符：检查点之前的记录被改写",
                c.seq
            )));
        }
        Some(_) => {}
    }
    let v = verify(db).await?;
    Ok(v.broken
        .map(|b| format!("第 {} 条记录：{}", b.seq, b.reason)))
}
