//! Exports of the audit chain for a period, and their offline verification. An export
//! is newline-delimited JSON: one stored entry per line, oldest first, then one line
//! `{"seal": …}` signing the entries' lines with the installation's Ed25519 key (the
//! public half printed on the policy page and by `anjian audit checkpoint`). The
//! auditor runs `anjian audit verify --file` on any machine: the seal, the sequence and
//! the links; with the secret key file at hand, also every keyed link.

use anjian_core::audit::{ChainKey, ChainVerifier};
use anjian_core::checkpoint::{ExportSeal, SigningKey};
use sha2::{Digest, Sha256};

use crate::audit::{self, AuditRow, COLUMNS, Entry};
use crate::db::{Db, q};
use crate::error::{Error, Result};
use crate::scope::Actor;

/// The most entries one export holds (a longer period is refused with a message).
pub const MAX_ENTRIES: i64 = 200_000;

/// Exports the entries recorded in `[from_ms, to_ms)`, audited as an action of its own
/// (appended before the entries are read, so a period ending now leaves it out).
pub async fn export(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    from_ms: i64,
    to_ms: i64,
    key: &SigningKey,
) -> Result<Vec<u8>> {
    crate::authz::require(actor, anjian_core::role::Role::can_grant_roles)?;
    let (n,): (i64,) = db
        .read()
        .one(
            q("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE at_ms >= $1 AND at_ms < $2")
                .bind(from_ms)
                .bind(to_ms),
        )
        .await?;
    if n == 0 {
        return Err(Error::invalid(
            "empty_period",
            "from",
            "这段时间内没有审计记录",
        ));
    }
    if n > MAX_ENTRIES {
        return Err(Error::invalid(
            "period_too_long",
            "to",
            format!("这段时间内有{n}条记录，一次最多导出{MAX_ENTRIES}条，请缩短时间段"),
        ));
    }
    let e = Entry::ok("audit.export", "audit", "period").detail(format!(
        "导出 {} 至 {} 的审计记录（{n}条）",
        anjian_core::time::format_local(from_ms),
        anjian_core::time::format_local(to_ms)
    ));
    audit::record(db, now_ms, actor, e).await?;
    let mut out = Vec::new();
    let (mut first, mut last, mut count) = (0_i64, 0_i64, 0_i64);
    let mut after = 0_i64;
    loop {
        let rows: Vec<AuditRow> = db
            .read()
            .all(
                q(format!("SELECT {COLUMNS} FROM audit_log WHERE at_ms >= $1 AND at_ms < $2 AND seq > $3 ORDER BY seq LIMIT 2000"))
                    .bind(from_ms)
                    .bind(to_ms)
                    .bind(after),
            )
            .await?;
        let Some(tail) = rows.last() else { break };
        after = tail.seq;
        for r in &rows {
            if count == 0 {
                first = r.seq;
            }
            last = r.seq;
            count += 1;
            out.extend(serde_json::to_vec(r).unwrap_or_default());
            out.push(b'\n');
        }
    }
    let sha = hex::encode(Sha256::digest(&out));
    let seal = ExportSeal::sign(first, last, count, &sha, now_ms, key);
    out.extend(serde_json::to_vec(&serde_json::json!({ "seal": seal })).unwrap_or_default());
    out.push(b'\n');
    Ok(out)
}

/// What an export's verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportCheck {
    pub seal: ExportSeal,
    /// Whether the keyed links were recomputed (the secret key file was at hand).
    pub links_checked: bool,
}

/// Verifies an export offline: the seal's signature (against `public_key` when given)
/// over the entries' lines, the count and sequence numbers, each entry's link to the
/// one before it, and, with `keys`, every link recomputed. Returns why it fails.
pub fn verify_export(
    bytes: &[u8],
    keys: Option<Vec<ChainKey>>,
    public_key: Option<&str>,
) -> std::result::Result<ExportCheck, String> {
    let body_end = bytes
        .strip_suffix(b"\n")
        .unwrap_or(bytes)
        .iter()
        .rposition(|b| *b == b'\n')
        .map(|i| i + 1)
        .ok_or("导出文件不完整：没有签名行")?;
    let (body, seal_line) = bytes.split_at(body_end);
    #[derive(serde::Deserialize)]
    struct Sealed {
        seal: ExportSeal,
    }
    let seal = serde_json::from_slice::<Sealed>(seal_line)
        .map_err(|_| "导出文件的最后一行不是签名".to_string())?
        .seal;
    seal.check(public_key)?;
    if hex::encode(Sha256::digest(body)) != seal.sha256 {
        return Err("导出文件的内容与签名不符：有记录被改动、增加或删除".into());
    }
    let rows: Vec<AuditRow> = body
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_slice(l).map_err(|_| format!("第{}行不是审计记录", i + 1)))
        .collect::<std::result::Result<_, _>>()?;
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Err("导出文件中没有记录".into());
    };
    if rows.len() as i64 != seal.count || first.seq != seal.first_seq || last.seq != seal.last_seq {
        return Err("导出文件的记录数或序号与签名不符".into());
    }
    let links_checked = keys.is_some();
    let mut v = ChainVerifier::resume(keys.unwrap_or_default(), first.seq - 1, &first.prev_hash);
    let mut prev: Option<&AuditRow> = None;
    for r in &rows {
        if let Some(p) = prev
            && (r.seq != p.seq + 1 || r.prev_hash != p.hash)
        {
            return Err(format!("第 {} 条记录与上一条不相连", r.seq));
        }
        if links_checked && let Err(b) = v.next(&r.record(), &r.hash, r.keyed == 1) {
            return Err(format!("第 {} 条记录：{}", b.seq, b.reason));
        }
        prev = Some(r);
    }
    Ok(ExportCheck {
        seal,
        links_checked,
    })
}

/// The instant before which entries may be purged when they are kept `months` months
/// (never fewer than the law's six): midnight, Beijing time, `months` months before
/// `now_ms`'s day.
pub fn retention_cutoff(now_ms: i64, months: u32) -> Option<i64> {
    let months = months.max(anjian_core::password::MIN_RETENTION_MONTHS);
    let today = anjian_core::time::local_date(now_ms)?;
    let day = today.checked_sub_months(chrono::Months::new(months))?;
    anjian_core::time::at_local(day, 0)
}

/// What a purge removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purge {
    /// The signed export of the purged entries, to keep (it must be written before
    /// the entries go: the caller writes it, then calls [`purge_exported`]).
    pub export: Vec<u8>,
    pub first_seq: i64,
    pub last_seq: i64,
}

/// The oldest entries past the retention period of the policy, from the chain's start
/// to its first entry inside the period (at most [`MAX_ENTRIES`] of them), exported and
/// signed; `None` when the chain's first entry is inside the period. Nothing is
/// deleted yet.
pub async fn prepare_purge(db: &Db, now_ms: i64, key: &SigningKey) -> Result<Option<Purge>> {
    let months = crate::settings::password_policy(db).await?.retention_months;
    let Some(cutoff) = retention_cutoff(now_ms, months) else {
        return Ok(None);
    };
    // The chain is purged from its start up to its first entry inside the period: a
    // prefix, so that what remains is one chain from the anchor.
    let (first, last, young): (Option<i64>, Option<i64>, Option<i64>) = db
        .read()
        .one(
            q("SELECT (SELECT MIN(seq) FROM audit_log), (SELECT MAX(seq) FROM audit_log), (SELECT MIN(seq) FROM audit_log WHERE at_ms >= $1)")
                .bind(cutoff),
        )
        .await?;
    let (Some(first_seq), Some(last)) = (first, last) else {
        return Ok(None);
    };
    let last_seq = young
        .map_or(last, |y| y - 1)
        .min(first_seq + MAX_ENTRIES - 1);
    if last_seq < first_seq {
        return Ok(None);
    }
    let mut out = Vec::new();
    let mut after = first_seq - 1;
    let mut count = 0_i64;
    while after < last_seq {
        let rows: Vec<AuditRow> = db
            .read()
            .all(
                q(format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT 2000"))
                    .bind(after)
                    .bind(last_seq),
            )
            .await?;
        let Some(tail) = rows.last() else { break };
        after = tail.seq;
        for r in &rows {
            count += 1;
            out.extend(serde_json::to_vec(r).unwrap_or_default());
            out.push(b'\n');
        }
    }
    let sha = hex::encode(Sha256::digest(&out));
    let seal = ExportSeal::sign(first_seq, last_seq, count, &sha, now_ms, key);
    out.extend(serde_json::to_vec(&serde_json::json!({ "seal": seal })).unwrap_or_default());
    out.push(b'\n');
    Ok(Some(Purge {
        export: out,
        first_seq,
        last_seq,
    }))
}

/// Deletes the entries of an exported purge in one transaction: the chain's anchor
/// moves to the last purged entry's link and the purge is itself audited. Entries
/// younger than the retention period are never deleted (the cutoff is checked again
/// here); `Conflict` when the chain no longer starts where the purge began.
pub async fn purge_exported(db: &Db, now_ms: i64, actor: &Actor, p: &Purge) -> Result<u64> {
    let months = crate::settings::password_policy(db).await?.retention_months;
    let cutoff = retention_cutoff(now_ms, months).unwrap_or(i64::MIN);
    let mut tx = db.begin().await?;
    let (young,): (i64,) = tx
        .one(
            q("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE seq >= $1 AND seq <= $2 AND at_ms >= $3")
                .bind(p.first_seq)
                .bind(p.last_seq)
                .bind(cutoff),
        )
        .await?;
    if young > 0 {
        return Err(Error::conflict(
            "retention",
            "retention_months",
            "要清理的记录中有未满保存期的，未清理任何记录",
        ));
    }
    let (first,): (Option<i64>,) = tx.one(q("SELECT MIN(seq) FROM audit_log")).await?;
    if first != Some(p.first_seq) {
        return Err(Error::conflict(
            "state_changed",
            "seq",
            "审计链的起点已变化，请重新清理",
        ));
    }
    let (hash,): (String,) = tx
        .one(q("SELECT hash FROM audit_log WHERE seq = $1").bind(p.last_seq))
        .await?;
    let n = tx
        .execute(q("DELETE FROM audit_log WHERE seq <= $1").bind(p.last_seq))
        .await?;
    tx.execute(q("DELETE FROM audit_anchor WHERE id = 1"))
        .await?;
    tx.execute(
        q("INSERT INTO audit_anchor (id, seq, hash, purged_at) VALUES (1, $1, $2, $3)")
            .bind(p.last_seq)
            .bind(hash)
            .bind(now_ms),
    )
    .await?;
    let e = Entry::ok("audit.purge", "audit", "chain").detail(format!(
        "清理超过保存期（{months}个月）的审计记录：第 {} 至 {} 条，共 {n} 条（已导出）",
        p.first_seq, p.last_seq
    ));
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(n)
}
