//! Login, logout, the current user, and API tokens.

use anjian_core::error::required_text;
use anjian_store::accounts::tokens;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

use super::body::Body;
use crate::AppState;
use crate::auth::{ApiUser, clear_cookies, is_secure, session_cookie};
use crate::error::ApiError;
pub(crate) use crate::shared::client_address::client;

/// Credentials.
#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// A unit reference.
#[derive(Serialize, ToSchema)]
pub struct UnitRef {
    pub id: i64,
    pub name: String,
    pub kind: String,
}

/// The current user.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_label: String,
    pub unit: UnitRef,
    pub must_change_password: bool,
    /// Days left before the password expires, when within the policy's warning period
    /// (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_expires_in_days: Option<i64>,
}

/// The caller as `/api/v1/me` and the login show it, with the expiry warning.
async fn me_now(state: &AppState, u: &anjian_store::accounts::SessionUser) -> Me {
    let mut me = me_of(u);
    me.password_expires_in_days = crate::auth::password_days_left(state, u).await;
    me
}

fn me_of(u: &anjian_store::accounts::SessionUser) -> Me {
    Me {
        id: u.user_id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.clone(),
        role_label: u.role().label().to_string(),
        unit: UnitRef {
            id: u.unit_id,
            name: u.unit_name.clone(),
            kind: u.unit_kind.clone(),
        },
        must_change_password: u.must_change_password == 1,
        password_expires_in_days: None,
    }
}

/// Logs in with a user name and password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", request_body = LoginRequest,
    responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Body(req): Body<LoginRequest>,
) -> Result<Response, ApiError> {
    let (user, token) = crate::auth::login(
        &state,
        &req.username,
        &req.password,
        &client(&state, peer, &headers),
    )
    .await?;
    let cookie = session_cookie(
        &token,
        is_secure(&state, &headers),
        state.config.absolute_timeout_ms / 1000,
    );
    let me = me_now(&state, &user).await;
    Ok(([(header::SET_COOKIE, cookie)], Json(me)).into_response())
}

/// Logs out: the session ends on the server.
#[utoipa::path(post, path = "/api/v1/auth/logout", responses((status = 204)))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiUser(u): ApiUser,
) -> Result<Response, ApiError> {
    crate::auth::logout(&state, &headers, Some(&u)).await?;
    Ok((clear_cookies(), axum::http::StatusCode::NO_CONTENT).into_response())
}

/// The logged-in user.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(State(state): State<AppState>, ApiUser(u): ApiUser) -> Json<Me> {
    Json(me_now(&state, &u).await)
}

/// A change of one's own password.
#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    #[serde(default)]
    pub current: String,
    #[serde(default)]
    pub password: String,
}

/// Changes the caller's own password (the one API route an account that must change
/// its password may use besides `/api/v1/me`).
#[utoipa::path(post, path = "/api/v1/me/password", operation_id = "change_own_password", request_body = PasswordChange, responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiUser(u): ApiUser,
    Body(c): Body<PasswordChange>,
) -> Result<axum::http::StatusCode, ApiError> {
    crate::accounts::change_own_password(&state, (&u, &headers), &c.current, &c.password).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// A request for an API token.
#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub name: String,
    /// Days until it expires (1–366, default 90).
    pub days: Option<i64>,
}

/// A new token; the secret is shown only once.
#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    pub id: i64,
    pub name: String,
    pub token: String,
    pub expires_at: i64,
}

/// Creates an API token for the logged-in user (use as `Authorization: Bearer …`).
#[utoipa::path(post, path = "/api/v1/tokens", request_body = TokenRequest, responses((status = 201, body = TokenCreated)))]
pub async fn create_token(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(req): Body<TokenRequest>,
) -> Result<Response, ApiError> {
    let name = required_text("name", "令牌名称", &req.name, 50)?;
    let (t, secret) = tokens::create(
        &state.db,
        state.now(),
        &u.actor(),
        u.user_id,
        &name,
        req.days.unwrap_or(90),
    )
    .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(TokenCreated {
            id: t.id,
            name: t.name,
            token: secret,
            expires_at: t.expires_at,
        }),
    )
        .into_response())
}
