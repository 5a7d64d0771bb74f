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
    /// The second factor, for an account that has one: the six digits of the
    /// authenticator app, or a recovery code.
    #[serde(default)]
    pub totp: Option<String>,
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
    /// Whether the account signs in with a second factor.
    pub second_factor: bool,
    /// Whether the account must enrol a second factor before anything else (its role
    /// needs one): `POST /api/v1/me/second-factor`, then `…/confirm`.
    pub second_factor_due: bool,
}

/// The caller as `/api/v1/me` and the login show it, with the expiry warning.
async fn me_now(state: &AppState, u: &anjian_store::accounts::SessionUser) -> Me {
    let mut me = me_of(u);
    me.password_expires_in_days = crate::auth::password_days_left(state, u).await;
    me.second_factor_due = crate::auth::enrolment_due(state, u).await;
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
        second_factor: u.second_factor_at > 0,
        second_factor_due: false,
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
        crate::auth::Credentials {
            username: &req.username,
            password: &req.password,
            second: req.totp.as_deref(),
        },
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
    crate::accounts::change_own_password(&state, &u, &headers, &c.current, &c.password).await?;
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

/// A secret being enrolled: type it or scan the URI, then confirm with a code.
#[derive(Serialize, ToSchema)]
pub struct Enrolment {
    /// The secret in base32.
    pub secret: String,
    /// The `otpauth://` URI (the QR code's content).
    pub otpauth_uri: String,
}

/// Starts enrolling a second factor (TOTP): a new secret, pending until its first code
/// confirms it; an enabled factor stays in force until then.
#[utoipa::path(post, path = "/api/v1/me/second-factor", operation_id = "begin_second_factor", responses((status = 200, body = Enrolment), (status = 401, body = crate::error::ErrorBody)))]
pub async fn begin_second_factor(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Enrolment>, ApiError> {
    crate::second_factor::begin(&state, &u).await?;
    let f = anjian_store::accounts::second_factor::of(&state.db, u.user_id).await?;
    let secret =
        crate::second_factor::open(&state, u.user_id, f.pending.as_deref().unwrap_or_default())?;
    Ok(Json(Enrolment {
        otpauth_uri: secret.otpauth_uri(crate::second_factor::ISSUER, &u.username),
        secret: secret.base32(),
    }))
}

/// A second-factor code.
#[derive(Deserialize, ToSchema)]
pub struct SecondFactorInput {
    /// Six digits from the authenticator app (or, for a step-up, a recovery code).
    #[serde(default)]
    pub totp: String,
}

/// Recovery codes, shown this once.
#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// Confirms the pending second factor with its first code; answers the recovery codes.
#[utoipa::path(post, path = "/api/v1/me/second-factor/confirm", operation_id = "confirm_second_factor", request_body = SecondFactorInput, responses((status = 200, body = RecoveryCodes), (status = 400, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn confirm_second_factor(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(i): Body<SecondFactorInput>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let codes = crate::second_factor::confirm(&state, &u, &i.totp).await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

/// Steps the session up: a good code lets it open a reporter's identity and export
/// whole ledgers for five minutes.
#[utoipa::path(post, path = "/api/v1/auth/step-up", operation_id = "step_up", request_body = SecondFactorInput, responses((status = 204), (status = 403, body = crate::error::ErrorBody)))]
pub async fn step_up(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiUser(u): ApiUser,
    Body(i): Body<SecondFactorInput>,
) -> Result<axum::http::StatusCode, ApiError> {
    let fresh = crate::second_factor::fresh(&state, &u);
    if fresh {
        // A fresh step-up is not renewed without a code.
        if i.totp.trim().is_empty() {
            return Ok(axum::http::StatusCode::NO_CONTENT);
        }
    }
    let mut u = u;
    u.stepped_up_at = 0;
    crate::second_factor::step_up(&state, &u, &headers, Some(&i.totp), false).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// One of the caller's live sessions.
#[derive(Serialize, ToSchema)]
pub struct LiveSession {
    /// Names the session for `/api/v1/me/sessions/end`.
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub client: String,
    /// The session of this request.
    pub current: bool,
}

/// The caller's live sessions, newest first.
#[utoipa::path(get, path = "/api/v1/me/sessions", operation_id = "list_own_sessions", responses((status = 200, body = [LiveSession])))]
pub async fn sessions(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiUser(u): ApiUser,
) -> Result<Json<Vec<LiveSession>>, ApiError> {
    let idle = anjian_store::settings::password_policy(&state.db)
        .await?
        .idle_ms();
    let current = crate::auth::cookie_token(&headers)
        .map(|t| anjian_store::accounts::sessions::handle_of(&t))
        .unwrap_or_default();
    let live =
        anjian_store::accounts::sessions::live(&state.db, state.now(), u.user_id, idle).await?;
    Ok(Json(
        live.into_iter()
            .map(|l| LiveSession {
                current: l.handle == current,
                id: l.handle,
                created_at: l.created_at,
                last_seen_at: l.last_seen_at,
                client: l.client,
            })
            .collect(),
    ))
}

/// Which sessions to end: one by its id, or (without it) every other one.
#[derive(Deserialize, ToSchema)]
pub struct EndSessions {
    #[serde(default)]
    pub id: Option<String>,
}

/// How many sessions ended.
#[derive(Serialize, ToSchema)]
pub struct Ended {
    pub ended: u64,
}

/// Ends one of the caller's other sessions, or all of them.
#[utoipa::path(post, path = "/api/v1/me/sessions/end", operation_id = "end_own_sessions", request_body = EndSessions, responses((status = 200, body = Ended), (status = 400, body = crate::error::ErrorBody)))]
pub async fn end_sessions(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiUser(u): ApiUser,
    Body(e): Body<EndSessions>,
) -> Result<Json<Ended>, ApiError> {
    let handle = e.id.as_deref().map(str::trim).filter(|h| !h.is_empty());
    if handle.is_some_and(|h| h.len() != 16 || !h.bytes().all(|b| b.is_ascii_hexdigit())) {
        return Err(
            crate::error::Problem::bad_field("invalid_session", "id", "会话编号无效").into(),
        );
    }
    let keep = crate::auth::cookie_token(&headers).unwrap_or_default();
    let ended = anjian_store::accounts::sessions::end_own(
        &state.db,
        state.now(),
        &u.actor(),
        handle,
        &keep,
    )
    .await?;
    Ok(Json(Ended { ended }))
}
