//! Account actions shared by the API and the pages: creating an account, resetting a
//! password and changing one's own, each validated once and stored in one transaction.

use anjian_core::error::required_text;
use anjian_core::password::parse_username;
use anjian_core::role::Role;
use anjian_store::accounts::{NewUser, SessionUser, User, users};

use crate::AppState;
use crate::error::Problem;

/// Validates a new account's fields against the policy and hashes its password. The
/// user must choose a new password at first login.
pub async fn new_user(
    state: &AppState,
    username: &str,
    display_name: &str,
    unit: i64,
    role: &str,
    password: &str,
) -> Result<NewUser, Problem> {
    let username = parse_username(username)?;
    let display_name = required_text("display_name", "姓名", display_name, 50)?;
    let role = Role::parse(role)?;
    if !role.creatable_by_system_admin() {
        return Err(Problem::bad_field(
            "role_needs_security_admin",
            "role",
            "系统管理员只能创建单位操作员、单位负责人、企业用户；其他角色须由安全管理员授予",
        ));
    }
    anjian_store::settings::password_policy(&state.db)
        .await?
        .check(&username, password)?;
    let password_hash = crate::password::hash(password.to_string()).await;
    Ok(NewUser {
        username,
        display_name,
        unit_id: unit,
        role,
        password_hash,
        must_change_password: true,
    })
}

/// Resets the password of an account in `me`'s scope; the user must change it at next
/// login and loses its sessions.
pub async fn reset_password(
    state: &AppState,
    me: &SessionUser,
    id: i64,
    password: String,
) -> Result<User, Problem> {
    let target = users::get(&state.db, &me.directory_scope(), id).await?;
    anjian_store::settings::password_policy(&state.db)
        .await?
        .check(&target.username, &password)?;
    let hash = crate::password::hash(password).await;
    Ok(users::set_password(
        &state.db,
        state.now(),
        &me.actor(),
        &me.directory_scope(),
        id,
        users::NewPassword {
            hash: &hash,
            must_change: true,
            keep_session: None,
        },
    )
    .await?)
}

/// Changes the user's own password (page and API alike): the current one must match,
/// the new one differ from it and meet the policy. Every other session of the account
/// ends, and its API tokens with them; the browser session that changed it (its cookie
/// in `headers`) goes on.
pub async fn change_own_password(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    headers: &axum::http::HeaderMap,
    current: &str,
    password: &str,
) -> Result<(), Problem> {
    let creds = users::credentials(&state.db, &u.username)
        .await?
        .ok_or_else(Problem::not_found)?;
    if !crate::password::verify(current.to_string(), creds.password_hash).await {
        return Err(Problem::bad_field(
            "wrong_password",
            "current",
            "当前密码不正确",
        ));
    }
    if password == current {
        return Err(Problem::bad_field(
            "same_password",
            "password",
            "新密码不能与当前密码相同",
        ));
    }
    let policy = anjian_store::settings::password_policy(&state.db).await?;
    policy.check(&u.username, password)?;
    for old in users::previous_password_hashes(&state.db, u.user_id, policy.history).await? {
        if crate::password::verify(password.to_string(), old).await {
            return Err(Problem::bad_field(
                "password_reused",
                "password",
                format!("新密码不能与最近使用过的{}个密码相同", policy.history),
            ));
        }
    }
    let hash = crate::password::hash(password.to_string()).await;
    users::set_password(
        &state.db,
        state.now(),
        &u.actor(),
        &anjian_store::Scope::All,
        u.user_id,
        users::NewPassword {
            hash: &hash,
            must_change: false,
            keep_session: crate::auth::cookie_token(headers).as_deref(),
        },
    )
    .await?;
    Ok(())
}
