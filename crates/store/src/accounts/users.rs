//! Users: each belongs to a unit and has one role. Listed and read through the scope.

use anjian_core::role::Role;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Db, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope};

/// A user as lists show it (never the hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub role: String,
    pub active: i64,
    pub must_change_password: i64,
    pub password_changed_at: i64,
    pub created_at: i64,
}

impl User {
    /// The role as a value.
    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.role).ok()
    }
}

const COLUMNS: &str = "us.id, us.username, us.display_name, us.unit_id, u.name AS unit_name, us.role, us.active, us.must_change_password, us.password_changed_at, us.created_at";

/// A validated new account; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub role: Role,
    pub password_hash: String,
    pub must_change_password: bool,
}

fn scoped(scope: &Scope) -> crate::db::Q {
    scope.units(
        q(format!(
            "SELECT {COLUMNS} FROM users us JOIN units u ON u.id = us.unit_id WHERE "
        )),
        "u",
    )
}

/// Lists users whose unit is in scope, by id (keyset).
/// Lifts the login locks on account `id` (in `scope`), the security administrator's
/// action, in one transaction with its audit entry.
pub async fn unlock(db: &Db, now_ms: i64, actor: &Actor, scope: &Scope, id: i64) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::can_grant_roles)?;
    let target = get(db, scope, id).await?;
    let mut tx = db.begin().await?;
    crate::accounts::throttle::unlock(&mut tx, &target.username).await?;
    let entry = Entry::ok("user.unlock", "user", id).detail(target.username.clone());
    crate::audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

pub async fn list(
    db: &Db,
    reader: &Actor,
    scope: &Scope,
    after: Option<i64>,
    unit: Option<i64>,
    limit: i64,
) -> Result<Vec<User>> {
    crate::authz::require(reader, anjian_core::role::Role::can_list_users)?;
    let mut query = scoped(scope);
    if let Some(a) = after {
        query = query.push(" AND us.id > ").push_bind(a);
    }
    if let Some(u) = unit {
        query = query.push(" AND us.unit_id = ").push_bind(u);
    }
    db.read()
        .all(
            query
                .push(" ORDER BY us.id LIMIT ")
                .push_bind(limit.clamp(1, 1000)),
        )
        .await
}

/// One user in scope, for a reader who may list accounts (the administrators).
pub async fn get_for(db: &Db, reader: &Actor, scope: &Scope, id: i64) -> Result<User> {
    crate::authz::require(reader, Role::can_list_users)?;
    get(db, scope, id).await
}

/// One user in scope.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<User> {
    db.read()
        .one(scoped(scope).push(" AND us.id = ").push_bind(id))
        .await
}

/// A user by name (no scope: for login and the command line).
pub async fn by_username(db: &Db, username: &str) -> Result<Option<User>> {
    db.read()
        .opt(q(format!("SELECT {COLUMNS} FROM users us JOIN units u ON u.id = us.unit_id WHERE us.username = $1")).bind(username))
        .await
}

/// The stored hash and state needed to check a login.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub active: i64,
    pub role: String,
    /// The sealed TOTP secret, when the account has a second factor.
    pub totp_secret: Option<String>,
    /// The last TOTP step accepted.
    pub totp_last_step: i64,
}

/// The credentials of `username`, if the account exists.
pub async fn credentials(db: &Db, username: &str) -> Result<Option<Credentials>> {
    db.read()
        .opt(q("SELECT id, password_hash, active, role, totp_secret, totp_last_step FROM users WHERE username = $1").bind(username))
        .await
}

/// Creates an account in a unit in scope.
pub async fn create(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    new: &NewUser,
) -> Result<User> {
    crate::authz::require(actor, anjian_core::role::Role::can_manage_accounts)?;
    let mut tx = db.begin().await?;
    let unit: Option<(i64,)> = tx
        .opt(
            scope
                .units(q("SELECT u.id FROM units u WHERE "), "u")
                .push(" AND u.active = 1 AND u.id = ")
                .push_bind(new.unit_id),
        )
        .await?;
    if unit.is_none() {
        return Err(Error::Invalid(anjian_core::FieldError::new(
            "unit_not_found",
            "unit",
            "所属单位不存在或已停用",
        )));
    }
    let taken: Option<(i64,)> = tx
        .opt(q("SELECT id FROM users WHERE username = $1").bind(new.username.as_str()))
        .await?;
    if taken.is_some() {
        return Err(Error::conflict(
            "duplicate_username",
            "username",
            format!("用户名 {} 已存在", new.username),
        ));
    }
    let id = next_id(now_ms);
    tx.execute(
        q("INSERT INTO users (id, username, display_name, unit_id, role, password_hash, password_changed_at, must_change_password, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $7, $7)")
            .bind(id)
            .bind(new.username.as_str())
            .bind(new.display_name.as_str())
            .bind(new.unit_id)
            .bind(new.role.as_str())
            .bind(new.password_hash.as_str())
            .bind(now_ms)
            .bind(new.must_change_password),
    )
    .await?;
    let user: User = tx
        .one(
            q(format!(
                "SELECT {COLUMNS} FROM users us JOIN units u ON u.id = us.unit_id WHERE us.id = $1"
            ))
            .bind(id),
        )
        .await?;
    let e = Entry::ok("user.create", "user", id)
        .change(None, Some(&user))
        .detail(format!("{} {}", user.username, user.role));
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(user)
}

/// One change to an account: the audited action, its statement, and whether the
/// account's sessions end with it.
struct Change {
    action: &'static str,
    sql: crate::db::Q,
    end_sessions: bool,
    /// The session that made the change and goes on (one's own password change ends
    /// every other session).
    keep_session: Option<String>,
    /// The change replaces the password: the old hash goes to the history.
    replaces_password: bool,
}

/// How many replaced passwords are kept per account (the policy may ask up to this).
const HISTORY_KEPT: i64 = 24;

/// Applies one change to a user in scope, audited, in one transaction.
async fn change(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    c: Change,
) -> Result<User> {
    let Change {
        action,
        sql,
        end_sessions,
        keep_session,
        replaces_password,
    } = c;
    let mut tx = db.begin().await?;
    let before: User = tx
        .one(scoped(scope).push(" AND us.id = ").push_bind(id))
        .await?;
    if replaces_password {
        tx.execute(
            q("INSERT INTO password_history (user_id, password_hash, replaced_at) SELECT id, password_hash, $2 FROM users WHERE id = $1")
                .bind(id)
                .bind(now_ms),
        )
        .await?;
        tx.execute(
            q("DELETE FROM password_history WHERE user_id = $1 AND replaced_at < (SELECT MIN(replaced_at) FROM (SELECT replaced_at FROM password_history WHERE user_id = $1 ORDER BY replaced_at DESC LIMIT $2) kept)")
                .bind(id)
                .bind(HISTORY_KEPT),
        )
        .await?;
    }
    tx.execute(sql).await?;
    if end_sessions {
        tx.execute(
            q("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> COALESCE($2, '')")
                .bind(id)
                .bind(keep_session.as_deref().map(super::sessions::token_hash)),
        )
        .await?;
    }
    // A reset, a disabled account, a new role or a new password: no API token minted
    // before it goes on working.
    if end_sessions || action == "user.change_password" {
        tx.execute(
            q("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now_ms)
                .bind(id),
        )
        .await?;
    }
    let after: User = tx
        .one(
            q(format!(
                "SELECT {COLUMNS} FROM users us JOIN units u ON u.id = us.unit_id WHERE us.id = $1"
            ))
            .bind(id),
        )
        .await?;
    let e = Entry::ok(action, "user", id)
        .change(Some(&before), Some(&after))
        .detail(after.username.clone());
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(after)
}

/// Disables or enables an account; disabling ends its sessions.
pub async fn set_active(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    active: bool,
) -> Result<User> {
    crate::authz::require(actor, anjian_core::role::Role::can_manage_accounts)?;
    let sql = q("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3")
        .bind(active)
        .bind(now_ms)
        .bind(id);
    let action = if active {
        "user.enable"
    } else {
        "user.disable"
    };
    change(
        db,
        now_ms,
        actor,
        scope,
        id,
        Change {
            action,
            sql,
            end_sessions: !active,
            keep_session: None,
            replaces_password: false,
        },
    )
    .await
}

/// A password being set: its Argon2 hash, whether the user must change it at the next
/// login (an administrator's reset), and the session to keep (the user's own change).
#[derive(Debug, Clone, Copy)]
pub struct NewPassword<'a> {
    pub hash: &'a str,
    pub must_change: bool,
    pub keep_session: Option<&'a str>,
}

/// Sets a new password hash and ends the account's sessions and tokens, all of them
/// after an administrator's reset (`must_change`: the user chooses a new one at next
/// login), every one but `keep_session` (the session that changed it) when the user
/// changes their own.
pub async fn set_password(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    NewPassword {
        hash,
        must_change,
        keep_session,
    }: NewPassword<'_>,
) -> Result<User> {
    // A reset (the user must change it) is the system administrator's; otherwise only
    // the account's own user sets its password.
    if must_change {
        crate::authz::require(actor, Role::can_manage_accounts)?;
    } else if actor.user_id != Some(id) && !actor.is_system() {
        return Err(Error::Forbidden);
    }
    let sql = q("UPDATE users SET password_hash = $1, password_changed_at = $2, must_change_password = $3, updated_at = $2 WHERE id = $4")
        .bind(hash)
        .bind(now_ms)
        .bind(must_change)
        .bind(id);
    let action = if must_change {
        "user.reset_password"
    } else {
        "user.change_password"
    };
    change(
        db,
        now_ms,
        actor,
        scope,
        id,
        Change {
            action,
            sql,
            end_sessions: true,
            keep_session: keep_session.filter(|_| !must_change).map(str::to_string),
            replaces_password: true,
        },
    )
    .await
}

/// The hashes of the `n` passwords account `id` had before its current one, newest
/// first (for the policy's "no reuse of the last N").
pub async fn previous_password_hashes(db: &Db, id: i64, n: u32) -> Result<Vec<String>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let rows: Vec<(String,)> = db
        .read()
        .all(
            q("SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY replaced_at DESC LIMIT $2")
                .bind(id)
                .bind(i64::from(n)),
        )
        .await?;
    Ok(rows.into_iter().map(|(h,)| h).collect())
}

/// Changes an account's role; ends its sessions so the new role applies at once.
pub async fn set_role(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    role: Role,
) -> Result<User> {
    crate::authz::require(actor, anjian_core::role::Role::can_grant_roles)?;
    let sql = q("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3")
        .bind(role.as_str())
        .bind(now_ms)
        .bind(id);
    change(
        db,
        now_ms,
        actor,
        scope,
        id,
        Change {
            action: "user.set_role",
            sql,
            end_sessions: true,
            keep_session: None,
            replaces_password: false,
        },
    )
    .await
}

/// Counts accounts in scope.
pub async fn count(db: &Db, scope: &Scope) -> Result<i64> {
    let (n,): (i64,) = db
        .read()
        .one(scope.units(q("SELECT CAST(COUNT(*) AS BIGINT) FROM users us JOIN units u ON u.id = us.unit_id WHERE "), "u"))
        .await?;
    Ok(n)
}
