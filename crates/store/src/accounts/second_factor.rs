//! The second factor of an account: its sealed TOTP secret (the web layer seals and
//! opens it with the field cipher; this module never sees it in the clear), the last
//! step used, and the hashed recovery codes. Every use of a code is a conditional
//! update (`WHERE totp_last_step < $step`, `WHERE used_at IS NULL`), so a code is good
//! once even when two requests race.

use crate::audit::{self, Entry};
use crate::db::{Arg, Db, Tx, insert_rows, q};
use crate::error::{Error, Result};
use crate::scope::{Actor, Scope};

/// An account's second factor as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Factor {
    /// The sealed secret, once enabled.
    pub secret: Option<String>,
    /// The sealed secret being enrolled, until its first code confirms it.
    pub pending: Option<String>,
    /// When it was enabled.
    pub enabled_at: Option<i64>,
    /// The last step whose code was accepted.
    pub last_step: i64,
    /// Recovery codes not yet used.
    pub recovery_left: i64,
}

/// How a user proved the second factor, to be used up in the action's transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// The code of this step (it must be later than the last one used).
    Step(i64),
    /// The SHA-256 of a recovery code (it must not be used yet).
    Recovery(String),
}

/// The second factor of an account.
pub async fn of(db: &Db, user_id: i64) -> Result<Factor> {
    db.read()
        .opt(
            q("SELECT us.totp_secret AS secret, us.totp_pending AS pending, us.totp_enabled_at AS enabled_at, us.totp_last_step AS last_step, (SELECT COUNT(*) FROM recovery_codes r WHERE r.user_id = us.id AND r.used_at IS NULL) AS recovery_left FROM users us WHERE us.id = $1")
                .bind(user_id),
        )
        .await?
        .ok_or(Error::NotFound)
}

/// Uses up a proof inside the caller's transaction; `Conflict` when the code was used
/// already (a replay, or a second request with the same code).
pub async fn spend(tx: &mut Tx, now_ms: i64, user_id: i64, proof: &Proof) -> Result<()> {
    let n = match proof {
        Proof::Step(step) => {
            tx.execute(
                q("UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2 AND totp_secret IS NOT NULL")
                    .bind(user_id)
                    .bind(*step),
            )
            .await?
        }
        Proof::Recovery(hash) => {
            tx.execute(
                q("UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
                    .bind(user_id)
                    .bind(hash)
                    .bind(now_ms),
            )
            .await?
        }
    };
    if n == 1 {
        Ok(())
    } else {
        Err(Error::conflict(
            "second_factor_used",
            "totp",
            "该验证码已使用过，请等待下一个验证码",
        ))
    }
}

/// Starts (or restarts) an enrolment: keeps the sealed new secret as pending. The
/// enabled secret, if any, stays in force until the new one is confirmed.
pub async fn begin(db: &Db, now_ms: i64, actor: &Actor, user_id: i64, sealed: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            q("UPDATE users SET totp_pending = $2 WHERE id = $1")
                .bind(user_id)
                .bind(sealed),
        )
        .await?;
    if n != 1 {
        return Err(Error::NotFound);
    }
    audit::append(
        &mut tx,
        now_ms,
        actor,
        Entry::ok("auth.second_factor_begun", "user", user_id),
    )
    .await?;
    tx.commit().await
}

/// Gives an account a second factor directly (the demo's accounts, whose secret the
/// person running the demo chose or is shown), without recovery codes.
pub async fn install(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    user_id: i64,
    sealed: &str,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            q("UPDATE users SET totp_secret = $2, totp_pending = NULL, totp_enabled_at = $3 WHERE id = $1")
                .bind(user_id)
                .bind(sealed)
                .bind(now_ms),
        )
        .await?;
    if n != 1 {
        return Err(Error::NotFound);
    }
    audit::append(
        &mut tx,
        now_ms,
        actor,
        Entry::ok("auth.second_factor_enabled", "user", user_id).detail("演示账户"),
    )
    .await?;
    tx.commit().await
}

/// Confirms an enrolment with the first code of the pending secret (`step`): the
/// pending secret becomes the account's, and `recovery` (the hashes of the new recovery
/// codes) replace any earlier ones. `Conflict` when no enrolment is pending.
pub async fn enable(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    user_id: i64,
    step: i64,
    recovery: &[String],
) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            q("UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_enabled_at = $2, totp_last_step = $3 WHERE id = $1 AND totp_pending IS NOT NULL")
                .bind(user_id)
                .bind(now_ms)
                .bind(step),
        )
        .await?;
    if n != 1 {
        return Err(Error::conflict(
            "no_enrolment",
            "totp",
            "没有待确认的双因素认证，请重新开始启用",
        ));
    }
    replace_recovery(&mut tx, user_id, recovery).await?;
    audit::append(
        &mut tx,
        now_ms,
        actor,
        Entry::ok("auth.second_factor_enabled", "user", user_id),
    )
    .await?;
    tx.commit().await
}

async fn replace_recovery(tx: &mut Tx, user_id: i64, recovery: &[String]) -> Result<()> {
    tx.execute(q("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id))
        .await?;
    if recovery.is_empty() {
        return Ok(());
    }
    let rows: Vec<Vec<Arg>> = recovery
        .iter()
        .map(|h| vec![user_id.into(), h.clone().into()])
        .collect();
    tx.execute(insert_rows(
        "INSERT INTO recovery_codes (user_id, code_hash) VALUES ",
        &rows,
    ))
    .await?;
    Ok(())
}

/// New recovery codes for an account with a second factor, proven by a code (`proof`)
/// in the same transaction; the old codes stop working.
pub async fn renew_recovery(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    user_id: i64,
    proof: &Proof,
    recovery: &[String],
) -> Result<()> {
    let mut tx = db.begin().await?;
    spend(&mut tx, now_ms, user_id, proof).await?;
    replace_recovery(&mut tx, user_id, recovery).await?;
    audit::append(
        &mut tx,
        now_ms,
        actor,
        Entry::ok("auth.recovery_codes_renewed", "user", user_id),
    )
    .await?;
    tx.commit().await
}

/// A step-up to be taken in an action's transaction: the session it marks and the
/// proof it spends.
#[derive(Debug, Clone)]
pub struct StepUp {
    /// The session's token hash.
    pub token_hash: String,
    pub proof: Proof,
}

/// Marks the session of the step-up as stepped up now, spending its proof inside `tx`;
/// answers how it was proved, for the action's audit entry.
pub async fn step_up_in(
    tx: &mut Tx,
    now_ms: i64,
    user_id: i64,
    s: &StepUp,
) -> Result<&'static str> {
    spend(tx, now_ms, user_id, &s.proof).await?;
    let n = tx
        .execute(
            q("UPDATE sessions SET stepped_up_at = $3 WHERE token_hash = $1 AND user_id = $2")
                .bind(&s.token_hash)
                .bind(user_id)
                .bind(now_ms),
        )
        .await?;
    if n != 1 {
        return Err(Error::NotFound);
    }
    Ok(if matches!(s.proof, Proof::Recovery(_)) {
        "以恢复码验证"
    } else {
        "以动态验证码验证"
    })
}

/// Marks the session of the step-up as stepped up now, spending its proof, as an action
/// of its own (an export's step-up, or `/auth/step-up`).
pub async fn step_up(db: &Db, now_ms: i64, actor: &Actor, s: &StepUp) -> Result<()> {
    let user_id = actor.user_id.ok_or(Error::NotFound)?;
    let mut tx = db.begin().await?;
    let detail = step_up_in(&mut tx, now_ms, user_id, s).await?;
    audit::append(
        &mut tx,
        now_ms,
        actor,
        Entry::ok("auth.step_up", "user", user_id).detail(detail),
    )
    .await?;
    tx.commit().await
}

/// Removes the second factor of an account in `scope` (the security administrator's
/// answer to a lost phone): the secret and recovery codes are deleted and every session
/// and token of the account ends; the user enrols again at the next login if the role
/// needs it.
pub async fn reset(db: &Db, now_ms: i64, actor: &Actor, scope: &Scope, user_id: i64) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::can_grant_roles)?;
    let mut tx = db.begin().await?;
    let visible: Option<(i64,)> = tx
        .opt(
            scope
                .units(
                    q("SELECT us.id FROM users us JOIN units u ON u.id = us.unit_id WHERE "),
                    "u",
                )
                .push(" AND us.id = ")
                .push_bind(user_id),
        )
        .await?;
    if visible.is_none() {
        return Err(Error::NotFound);
    }
    tx.execute(
        q("UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_enabled_at = NULL WHERE id = $1")
            .bind(user_id),
    )
    .await?;
    replace_recovery(&mut tx, user_id, &[]).await?;
    tx.execute(q("DELETE FROM sessions WHERE user_id = $1").bind(user_id))
        .await?;
    tx.execute(
        q("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(now_ms)
            .bind(user_id),
    )
    .await?;
    audit::append(
        &mut tx,
        now_ms,
        actor,
        Entry::ok("user.second_factor_reset", "user", user_id),
    )
    .await?;
    tx.commit().await
}
