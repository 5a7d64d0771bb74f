//! Server-side sessions. The cookie carries a random token; the table keeps only its
//! SHA-256, with an idle and an absolute expiry. Logout deletes the row.

use anjian_core::role::Role;
use anjian_core::unit::UnitKind;
use sha2::{Digest, Sha256};

use super::second_factor::Proof;
use crate::audit::{self, Entry};
use crate::db::{Db, q};
use crate::error::Result;
use crate::scope::{Actor, Scope};

/// A fresh random token (256 bits, hex).
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the operating system's random source");
    hex::encode(b)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The user behind a session or token, with what every request needs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionUser {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub must_change_password: i64,
    pub password_changed_at: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_kind: String,
    pub unit_path: String,
    pub last_seen_at: i64,
    /// When the account's second factor was enabled (0: none).
    pub second_factor_at: i64,
    /// When this session last stepped up (0: never; always 0 for an API token).
    pub stepped_up_at: i64,
    /// The unit's unread reminders (the to-do badge); loaded for pages only.
    #[sqlx(skip)]
    pub unread: i64,
}

impl SessionUser {
    /// The role (an unknown stored role reads as the most restricted).
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::EnterpriseUser)
    }

    /// The data scope of this user.
    pub fn scope(&self) -> Scope {
        Scope::for_user(
            self.role(),
            self.unit_id,
            UnitKind::parse(&self.unit_kind).unwrap_or(UnitKind::Enterprise),
            &self.unit_path,
        )
    }

    /// This user's business scope where only `allowed` roles read: 403 for the others.
    fn scope_where(&self, allowed: fn(Role) -> bool) -> Result<Scope> {
        if allowed(self.role()) {
            Ok(self.scope())
        } else {
            Err(crate::error::Error::Forbidden)
        }
    }

    /// This user's scope over the enterprise register, the duty records, warnings and
    /// special periods (`Role::keeps_register`): 403 for an enterprise's account.
    pub fn register_scope(&self) -> Result<Scope> {
        self.scope_where(Role::keeps_register)
    }

    /// This user's scope over rankings, bulletins, accountability and the dashboard
    /// (`Role::reads_rankings`): 403 for an enterprise's account.
    pub fn rankings_scope(&self) -> Result<Scope> {
        self.scope_where(Role::reads_rankings)
    }

    /// This user's scope over tips: 403 for a role that does not handle them
    /// (`Role::handles_tips`); the whole list for the custodian, who opens identities
    /// and is kept out of the rest by the route guard; the business scope otherwise.
    pub fn tips_scope(&self) -> Result<Scope> {
        let role = self.role();
        if !role.handles_tips() {
            Err(crate::error::Error::Forbidden)
        } else if role.can_see_reporters() {
            Ok(Scope::All)
        } else {
            Ok(self.scope())
        }
    }

    /// This user's scope over the directory and the accounts (`Scope::directory_for`).
    pub fn directory_scope(&self) -> Scope {
        Scope::directory_for(
            self.role(),
            self.unit_id,
            UnitKind::parse(&self.unit_kind).unwrap_or(UnitKind::Enterprise),
            &self.unit_path,
        )
    }

    /// This user as the actor of an action.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user_id),
            username: self.username.clone(),
            role: self.role.clone(),
            unit_id: Some(self.unit_id),
        }
    }
}

const JOIN: &str = "SELECT us.id AS user_id, us.username, us.display_name, us.role, us.must_change_password, us.password_changed_at, u.id AS unit_id, u.name AS unit_name, u.kind AS unit_kind, u.path AS unit_path, COALESCE(us.totp_enabled_at, 0) AS second_factor_at";

/// Opens a session for `actor` (a new token at every login); returns the token for
/// the cookie. The second factor's `proof`, if the account has one, is used up and the
/// login audited in the same transaction.
pub async fn create(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    absolute_ms: i64,
    client: &str,
    proof: Option<&Proof>,
) -> Result<String> {
    let token = new_token();
    let user_id = actor.user_id.ok_or(crate::error::Error::NotFound)?;
    let mut tx = db.begin().await?;
    if let Some(p) = proof {
        super::second_factor::spend(&mut tx, now_ms, user_id, p).await?;
    }
    tx.execute(
        q("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, client) VALUES ($1, $2, $3, $3, $4, $5)")
            .bind(token_hash(&token))
            .bind(user_id)
            .bind(now_ms)
            .bind(now_ms + absolute_ms)
            .bind(client),
    )
    .await?;
    // Sessions past their absolute expiry are swept here, on the rare write path.
    tx.execute(q("DELETE FROM sessions WHERE expires_at < $1").bind(now_ms))
        .await?;
    let how = match proof {
        Some(Proof::Step(_)) => "，动态验证码",
        Some(Proof::Recovery(_)) => "，恢复码",
        None => "",
    };
    let e = Entry::ok("auth.login", "user", user_id).detail(format!("来自 {client}{how}"));
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(token)
}

/// The live session of `token` at `now_ms`, if any: the account must be active, the
/// session within its absolute expiry and idle for less than `idle_ms`.
pub async fn lookup(
    db: &Db,
    now_ms: i64,
    token: &str,
    idle_ms: i64,
) -> Result<Option<SessionUser>> {
    db.read()
        .opt(
            q(format!("{JOIN}, s.last_seen_at, s.stepped_up_at FROM sessions s JOIN users us ON us.id = s.user_id JOIN units u ON u.id = us.unit_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND us.active = 1"))
                .bind(token_hash(token))
                .bind(now_ms)
                .bind(now_ms - idle_ms),
        )
        .await
}

/// Marks the session as seen now (callers do it at most once a minute).
pub async fn touch(db: &Db, now_ms: i64, token: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        q("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now_ms)
            .bind(token_hash(token)),
    )
    .await?;
    tx.commit().await
}

/// Ends a session (logout), audited.
pub async fn delete(db: &Db, now_ms: i64, actor: &Actor, token: &str) -> Result<u64> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(q("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(token)))
        .await?;
    let uid = actor.user_id.unwrap_or_default();
    audit::append(
        &mut tx,
        now_ms,
        actor,
        Entry::ok("auth.logout", "user", uid),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// The user behind an API token, if it is valid at `now_ms`.
pub async fn lookup_token(db: &Db, now_ms: i64, token: &str) -> Result<Option<SessionUser>> {
    db.read()
        .opt(
            q(format!("{JOIN}, t.created_at AS last_seen_at, CAST(0 AS BIGINT) AS stepped_up_at FROM api_tokens t JOIN users us ON us.id = t.user_id JOIN units u ON u.id = us.unit_id WHERE t.token_hash = $1 AND t.expires_at > $2 AND t.revoked_at IS NULL AND us.active = 1"))
                .bind(token_hash(token))
                .bind(now_ms),
        )
        .await
}

/// One of a user's live sessions as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Live {
    /// The first 16 hex digits of the token's hash: names the session in a form
    /// without revealing anything that opens it.
    pub handle: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub client: String,
}

/// The user's live sessions at `now_ms` (newest first; at most 50).
pub async fn live(db: &Db, now_ms: i64, user_id: i64, idle_ms: i64) -> Result<Vec<Live>> {
    db.read()
        .all(
            q("SELECT substr(token_hash, 1, 16) AS handle, created_at, last_seen_at, client FROM sessions WHERE user_id = $1 AND expires_at > $2 AND last_seen_at > $3 ORDER BY last_seen_at DESC, token_hash LIMIT 50")
                .bind(user_id)
                .bind(now_ms)
                .bind(now_ms - idle_ms),
        )
        .await
}

/// The handle of a token (see [`Live::handle`]).
pub fn handle_of(token: &str) -> String {
    token_hash(token)[..16].to_string()
}

/// Ends the user's own sessions: the one named by `handle`, or with `None` every one
/// but the current (`keep`). Audited; answers how many ended (0 for an unknown handle).
pub async fn end_own(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    handle: Option<&str>,
    keep: &str,
) -> Result<u64> {
    let user_id = actor.user_id.ok_or(crate::error::Error::NotFound)?;
    let mut tx = db.begin().await?;
    let n = match handle {
        Some(h) => {
            tx.execute(
                q("DELETE FROM sessions WHERE user_id = $1 AND substr(token_hash, 1, 16) = $2 AND token_hash <> $3")
                    .bind(user_id)
                    .bind(h)
                    .bind(token_hash(keep)),
            )
            .await?
        }
        None => {
            tx.execute(
                q("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                    .bind(user_id)
                    .bind(token_hash(keep)),
            )
            .await?
        }
    };
    let what = if handle.is_some() {
        "结束一个会话"
    } else {
        "结束其他全部会话"
    };
    audit::append(
        &mut tx,
        now_ms,
        actor,
        Entry::ok("auth.sessions_ended", "user", user_id).detail(format!("{what}（{n}个）")),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}
