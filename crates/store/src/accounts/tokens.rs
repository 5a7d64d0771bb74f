//! API tokens for scripts: shown once at creation, stored as SHA-256, revocable.

use serde::Serialize;

use super::sessions::{new_token, token_hash};
use crate::audit::{self, Entry};
use crate::db::{Db, q};
use crate::error::Result;
use crate::ids::next_id;
use crate::scope::Actor;

/// A token as listed (never the secret).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// Creates a token for the actor's own account; returns it with its secret. It lives
/// `ttl_days`, at most the policy's maximum (`token_max_days`).
pub async fn create(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    user_id: i64,
    name: &str,
    ttl_days: i64,
) -> Result<(ApiToken, String)> {
    let max_days = i64::from(crate::settings::password_policy(db).await?.token_max_days);
    let secret = format!("ajt_{}", new_token());
    let id = next_id(now_ms);
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(user_id)
            .bind(name)
            .bind(token_hash(&secret))
            .bind(now_ms)
            .bind(now_ms + ttl_days.clamp(1, max_days.max(1)) * 86_400_000),
    )
    .await?;
    audit::append(
        &mut tx,
        now_ms,
        actor,
        Entry::ok("token.create", "api_token", id).detail(name),
    )
    .await?;
    let t: ApiToken = tx
        .one(
            q("SELECT id, name, created_at, expires_at, revoked_at FROM api_tokens WHERE id = $1")
                .bind(id),
        )
        .await?;
    tx.commit().await?;
    Ok((t, secret))
}

/// The tokens of a user.
pub async fn list(db: &Db, user_id: i64) -> Result<Vec<ApiToken>> {
    db.read()
        .all(q("SELECT id, name, created_at, expires_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC").bind(user_id))
        .await
}

/// Revokes one of the user's tokens.
pub async fn revoke(db: &Db, now_ms: i64, actor: &Actor, user_id: i64, id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(q("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL").bind(now_ms).bind(id).bind(user_id))
        .await?;
    if n == 0 {
        return Err(crate::error::Error::NotFound);
    }
    audit::append(
        &mut tx,
        now_ms,
        actor,
        Entry::ok("token.revoke", "api_token", id),
    )
    .await?;
    tx.commit().await
}
