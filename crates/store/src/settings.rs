//! Settings kept in the database and edited in the product (the password policy).

use anjian_core::password::PasswordPolicy;

use crate::audit::{self, Entry};
use crate::db::{Db, q};
use crate::error::Result;
use crate::scope::Actor;

const POLICY_KEY: &str = "password_policy";

/// The password policy in force (the default until the security administrator sets one).
pub async fn password_policy(db: &Db) -> Result<PasswordPolicy> {
    let v: Option<(String,)> = db
        .read()
        .opt(q("SELECT value FROM settings WHERE key = $1").bind(POLICY_KEY))
        .await?;
    Ok(v.and_then(|(s,)| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

/// Sets the password policy.
pub async fn set_password_policy(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    p: PasswordPolicy,
) -> Result<()> {
    let before = password_policy(db).await?;
    let json = serde_json::to_string(&p).unwrap_or_default();
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
            .bind(POLICY_KEY)
            .bind(json.clone())
            .bind(now_ms),
    )
    .await?;
    let e = Entry::ok("settings.password_policy", "settings", POLICY_KEY)
        .change(
            Some(anjian_core::audit::digest(&before)),
            Some(anjian_core::audit::digest(&p)),
        )
        .detail(json);
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await
}
