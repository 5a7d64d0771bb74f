//! Accounts, by the separated administrators.

use anjian_core::role::Role;
use anjian_store::accounts::{User, users};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::{Body, Params};
use super::path_id;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};

/// A unit reference on a user.
#[derive(Serialize, ToSchema)]
pub struct UserUnit {
    pub id: i64,
    pub name: String,
}

/// An account (never its password).
#[derive(Serialize, ToSchema)]
pub struct UserJson {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit: UserUnit,
    pub unit_id: i64,
    pub active: bool,
}

impl From<&User> for UserJson {
    fn from(u: &User) -> Self {
        UserJson {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role.clone(),
            unit: UserUnit {
                id: u.unit_id,
                name: u.unit_name.clone(),
            },
            unit_id: u.unit_id,
            active: u.active == 1,
        }
    }
}

/// Keyset page of users.
#[derive(Deserialize, IntoParams)]
pub struct UserQuery {
    pub after: Option<i64>,
    pub limit: Option<i64>,
    pub unit: Option<i64>,
}

/// Accounts in scope (administrators only).
#[utoipa::path(get, path = "/api/v1/users", params(UserQuery), responses((status = 200, body = [UserJson]), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(f): Params<UserQuery>,
) -> Result<Json<Vec<UserJson>>, ApiError> {
    let rows = users::list(
        &state.db,
        &u.actor(),
        &u.directory_scope(),
        f.after,
        f.unit,
        f.limit.unwrap_or(100),
    )
    .await?;
    Ok(Json(rows.iter().map(UserJson::from).collect()))
}

/// One account in scope.
#[utoipa::path(get, path = "/api/v1/users/{id}", responses((status = 200, body = UserJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_user(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<UserJson>, ApiError> {
    let user = users::get_for(&state.db, &u.actor(), &u.directory_scope(), path_id(&id)?).await?;
    Ok(Json(UserJson::from(&user)))
}

/// A new account.
#[derive(Deserialize, ToSchema)]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    pub unit: i64,
    pub role: String,
    pub password: String,
}

/// Creates an account (system administrator). The user must choose a new password at
/// first login.
#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserInput, responses((status = 201, body = UserJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(i): Body<NewUserInput>,
) -> Result<Response, ApiError> {
    // Asked before the password is hashed (the store asks again when it writes).
    anjian_store::authz::require(&u.actor(), Role::can_manage_accounts)?;
    let new = crate::accounts::new_user(
        &state,
        &i.username,
        &i.display_name,
        i.unit,
        &i.role,
        &i.password,
    )
    .await?;
    let user = users::create(
        &state.db,
        state.now(),
        &u.actor(),
        &u.directory_scope(),
        &new,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(UserJson::from(&user))).into_response())
}

/// Enabled or disabled.
#[derive(Deserialize, ToSchema)]
pub struct UserActiveInput {
    pub active: bool,
}

/// Disables or enables an account (system administrator).
#[utoipa::path(post, path = "/api/v1/users/{id}/active", request_body = UserActiveInput, responses((status = 200, body = UserJson)))]
pub async fn set_user_active(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(i): Body<UserActiveInput>,
) -> Result<Json<UserJson>, ApiError> {
    let id = path_id(&id)?;
    if id == u.user_id {
        return Err(Problem::bad_field("self_disable", "active", "不能停用自己的账户").into());
    }
    let user = users::set_active(
        &state.db,
        state.now(),
        &u.actor(),
        &u.directory_scope(),
        id,
        i.active,
    )
    .await?;
    Ok(Json(UserJson::from(&user)))
}

/// A new temporary password.
#[derive(Deserialize, ToSchema)]
pub struct PasswordInput {
    pub password: String,
}

/// Resets a password (system administrator); the user must change it at next login.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", request_body = PasswordInput, responses((status = 200, body = UserJson)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(i): Body<PasswordInput>,
) -> Result<Json<UserJson>, ApiError> {
    anjian_store::authz::require(&u.actor(), Role::can_manage_accounts)?;
    let user = crate::accounts::reset_password(&state, &u, path_id(&id)?, i.password).await?;
    Ok(Json(UserJson::from(&user)))
}

/// A role.
#[derive(Deserialize, ToSchema)]
pub struct RoleInput {
    pub role: String,
}

/// Changes an account's role (security administrator).
#[utoipa::path(post, path = "/api/v1/users/{id}/role", request_body = RoleInput, responses((status = 200, body = UserJson)))]
pub async fn set_role(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(i): Body<RoleInput>,
) -> Result<Json<UserJson>, ApiError> {
    let id = path_id(&id)?;
    if id == u.user_id {
        return Err(Problem::bad_field("self_role", "role", "不能修改自己的角色").into());
    }
    let role = Role::parse(&i.role)?;
    let user = users::set_role(
        &state.db,
        state.now(),
        &u.actor(),
        &u.directory_scope(),
        id,
        role,
    )
    .await?;
    Ok(Json(UserJson::from(&user)))
}
