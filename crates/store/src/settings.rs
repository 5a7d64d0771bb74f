//! Settings kept in the database: the password policy, and the mark of a demo
//! database. Each change is audited.

use anjian_core::password::PasswordPolicy;

use crate::audit::{self, Entry};
use crate::db::{Db, Tx, q};
use crate::error::Result;
use crate::scope::Actor;

/// Key of the password policy (JSON).
pub const PASSWORD_POLICY: &str = "password_policy";
/// Key present in databases that `anjian demo` built, and only there.
pub const DEMO: &str = "demo";

/// The value of a setting.
pub async fn get(db: &Db, key: &str) -> Result<Option<String>> {
    let v: Option<(String,)> = db
        .read()
        .opt(q("SELECT value FROM settings WHERE key = $1").bind(key))
        .await?;
    Ok(v.map(|(s,)| s))
}

/// Sets a setting, audited as `action`, in one transaction.
pub async fn set(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    action: &'static str,
    key: &'static str,
    value: &str,
) -> Result<()> {
    let mut tx = db.begin().await?;
    set_in(&mut tx, now_ms, actor, action, key, value).await?;
    tx.commit().await
}

/// [`set`] inside `tx`, for an action that writes more than the setting.
pub(crate) async fn set_in(
    tx: &mut Tx,
    now_ms: i64,
    actor: &Actor,
    action: &'static str,
    key: &'static str,
    value: &str,
) -> Result<()> {
    let before: Option<(String,)> = tx
        .opt(q("SELECT value FROM settings WHERE key = $1").bind(key))
        .await?;
    upsert(tx, now_ms, key, value).await?;
    let e = Entry::ok(action, "settings", key)
        .change(before.as_ref().map(|(v,)| v.as_str()), Some(value))
        .detail(value.chars().take(500).collect::<String>());
    audit::append(tx, now_ms, actor, e).await?;
    Ok(())
}

async fn upsert(tx: &mut Tx, now_ms: i64, key: &str, value: &str) -> Result<()> {
    tx.execute(
        q("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
            .bind(key)
            .bind(value)
            .bind(now_ms),
    )
    .await?;
    Ok(())
}

/// The password policy in force (the default until the security administrator sets one).
pub async fn password_policy(db: &Db) -> Result<PasswordPolicy> {
    Ok(get(db, PASSWORD_POLICY)
        .await?
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

/// Sets the password policy; tokens issued for longer than its new maximum lifetime
/// are shortened to it, in the same transaction.
pub async fn set_password_policy(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    p: PasswordPolicy,
) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::can_grant_roles)?;
    let json = serde_json::to_string(&p).unwrap_or_default();
    let before = get(db, PASSWORD_POLICY).await?;
    let mut tx = db.begin().await?;
    upsert(&mut tx, now_ms, PASSWORD_POLICY, &json).await?;
    let max_ms = i64::from(p.token_max_days) * 86_400_000;
    tx.execute(
        q("UPDATE api_tokens SET expires_at = created_at + $1 WHERE revoked_at IS NULL AND expires_at > created_at + $1")
            .bind(max_ms),
    )
    .await?;
    let e = Entry::ok("settings.password_policy", "settings", PASSWORD_POLICY)
        .change(
            before
                .as_deref()
                .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
                .as_ref(),
            serde_json::to_value(p).ok().as_ref(),
        )
        .detail(json.clone());
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await
}
