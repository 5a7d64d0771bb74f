//! Failed-login throttling. Failures are counted per (user name, client address): as
//! many as the password policy allows (five by default) within its lock period (15
//! minutes by default) lock that pair for that period. The lock expires by itself and
//! failures during a lock do not extend it, so nobody can lock a victim out for good,
//! and an attacker's address never locks the victim's own.

use crate::audit::{self, Entry};
use crate::db::{Db, q};
use crate::error::Result;
use crate::scope::Actor;

/// Until when (epoch ms) the pair is locked, if it is locked at `now_ms`.
pub async fn locked_until(
    db: &Db,
    now_ms: i64,
    username: &str,
    client: &str,
) -> Result<Option<i64>> {
    let row: Option<(i64,)> = db
        .read()
        .opt(
            q("SELECT locked_until FROM login_failures WHERE username = $1 AND client = $2")
                .bind(username)
                .bind(client),
        )
        .await?;
    Ok(row.map(|(t,)| t).filter(|t| *t > now_ms))
}

/// Records a failure and its audit entry; returns the lock's end if this failure
/// locked the pair.
pub async fn record_failure(
    db: &Db,
    now_ms: i64,
    username: &str,
    client: &str,
    reason: &str,
) -> Result<Option<i64>> {
    let policy = crate::settings::password_policy(db).await?;
    let (max_failures, window_ms) = (i64::from(policy.lock_failures), policy.lock_ms());
    let mut tx = db.begin().await?;
    let row: Option<(i64, i64)> = tx
        .opt(q("SELECT failures, window_start FROM login_failures WHERE username = $1 AND client = $2").bind(username).bind(client))
        .await?;
    let (failures, start) = match row {
        Some((n, s)) if now_ms - s < window_ms => (n + 1, s),
        _ => (1, now_ms),
    };
    let locked = if failures >= max_failures {
        now_ms + window_ms
    } else {
        0
    };
    let (failures, start) = if locked > 0 {
        (0, now_ms)
    } else {
        (failures, start)
    };
    tx.execute(
        q("INSERT INTO login_failures (username, client, failures, window_start, locked_until) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username, client) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = CASE WHEN excluded.locked_until > 0 THEN excluded.locked_until ELSE login_failures.locked_until END")
            .bind(username)
            .bind(client)
            .bind(failures)
            .bind(start)
            .bind(locked),
    )
    .await?;
    let mut e =
        Entry::ok("auth.login_failed", "user", username).detail(format!("{reason}，来自 {client}"));
    e.outcome = "failed";
    audit::append(&mut tx, now_ms, &Actor::anonymous(username), e).await?;
    tx.commit().await?;
    Ok((locked > 0).then_some(locked))
}

/// Forgets the failures of a pair after a successful login.
pub async fn clear(db: &Db, username: &str, client: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        q("DELETE FROM login_failures WHERE username = $1 AND client = $2")
            .bind(username)
            .bind(client),
    )
    .await?;
    tx.commit().await
}

/// Lifts every lock on a user name (the security administrator's unlock).
pub async fn unlock(tx: &mut crate::db::Tx, username: &str) -> Result<u64> {
    tx.execute(q("DELETE FROM login_failures WHERE username = $1").bind(username))
        .await
}
