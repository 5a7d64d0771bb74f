//! The user's own account: change password, API tokens.

use anjian_core::error::required_text;
use anjian_store::accounts::{sessions, tokens};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::admin::policy_hint;
use super::{Done, Layout, PageForm, PageQuery, flash_of};
use crate::AppState;
use crate::auth::{PageUser, password_due};
use crate::error::{PageError, Problem, render};
use crate::input::path_id;

/// The account page.
#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub layout: Option<Layout>,
    pub due: bool,
    pub flash: Option<String>,
    pub error: Option<String>,
    pub policy_hint: String,
    pub new_token: Option<String>,
    pub tokens: Vec<(i64, String, String, String, bool)>,
    /// The live sessions: handle, since, last seen, client, whether it is this one.
    pub sessions: Vec<(String, String, String, String, bool)>,
    /// Whether the account has a second factor.
    pub second_factor: bool,
}

async fn page(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    headers: &HeaderMap,
    flash: Option<String>,
    error: Option<String>,
    new_token: Option<String>,
) -> Result<Response, PageError> {
    let p = anjian_store::settings::password_policy(&state.db).await?;
    let ts = tokens::list(&state.db, u.user_id).await?;
    let current = crate::auth::cookie_token(headers)
        .map(|t| sessions::handle_of(&t))
        .unwrap_or_default();
    let live = sessions::live(&state.db, state.now(), u.user_id, p.idle_ms()).await?;
    let fmt = |ms: i64| {
        anjian_core::time::format_local(ms)
            .chars()
            .take(10)
            .collect::<String>()
    };
    let mut r = render(&AccountPage {
        layout: Layout::of(u),
        due: password_due(state, u).await,
        flash,
        error: error.clone(),
        policy_hint: policy_hint(&p),
        new_token,
        tokens: ts
            .into_iter()
            .map(|t| {
                (
                    t.id,
                    t.name,
                    fmt(t.created_at),
                    fmt(t.expires_at),
                    t.revoked_at.is_some(),
                )
            })
            .collect(),
        sessions: live
            .into_iter()
            .map(|l| {
                let this = l.handle == current;
                (
                    l.handle,
                    anjian_core::time::format_local(l.created_at),
                    anjian_core::time::format_local(l.last_seen_at),
                    l.client,
                    this,
                )
            })
            .collect(),
        second_factor: u.second_factor_at > 0,
    });
    if error.is_some() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// GET /account and /account/password.
pub async fn account(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<Done>,
) -> Result<Response, PageError> {
    page(
        &state,
        &u,
        &headers,
        q.ok.map(|_| "密码已修改".to_string()),
        None,
        None,
    )
    .await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    password: String,
    confirm: String,
}

/// POST /account/password: checks the current password and the policy.
pub async fn change_password(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    PageUser(u): PageUser,
    PageForm(f): PageForm<PasswordForm>,
) -> Result<Response, PageError> {
    let r = if f.password != f.confirm {
        Err(Problem::bad_field(
            "mismatch",
            "confirm",
            "两次输入的新密码不一致",
        ))
    } else {
        crate::accounts::change_own_password(&state, &u, &headers, &f.current, &f.password).await
    };
    match r {
        Ok(()) => Ok(Redirect::to("/account?ok=1").into_response()),
        Err(p) if p.status.is_client_error() => Ok(super::with_refusal(
            page(&state, &u, &headers, None, Some(flash_of(&p)), None).await?,
            super::Refusal::of(&p),
        )),
        Err(p) => Err(p.into()),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

/// POST /account/tokens.
pub async fn create_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageUser(u): PageUser,
    PageForm(f): PageForm<TokenForm>,
) -> Result<Response, PageError> {
    match required_text("name", "令牌名称", &f.name, 50) {
        Ok(name) => {
            let (_, secret) =
                tokens::create(&state.db, state.now(), &u.actor(), u.user_id, &name, 90).await?;
            page(&state, &u, &headers, None, None, Some(secret)).await
        }
        Err(e) => {
            let p = Problem::from(e);
            Ok(super::with_refusal(
                page(&state, &u, &headers, None, Some(flash_of(&p)), None).await?,
                super::Refusal::of(&p),
            ))
        }
    }
}

/// POST /account/tokens/{id}/revoke.
pub async fn revoke_token(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    tokens::revoke(&state.db, state.now(), &u.actor(), u.user_id, path_id(&id)?).await?;
    Ok(Redirect::to("/account").into_response())
}

/// Ending sessions: the one named by `session` (its handle), or every other one when
/// it is empty.
#[derive(Deserialize)]
pub struct EndForm {
    #[serde(default)]
    session: String,
}

/// POST /account/sessions/end: ends one of the user's other sessions, or all of them.
pub async fn end_sessions(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageUser(u): PageUser,
    PageForm(f): PageForm<EndForm>,
) -> Result<Response, PageError> {
    let keep = crate::auth::cookie_token(&headers).unwrap_or_default();
    let handle = f.session.trim();
    if !handle.is_empty() && (handle.len() != 16 || !handle.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(Problem::bad_field("invalid_session", "session", "会话编号无效").into());
    }
    sessions::end_own(
        &state.db,
        state.now(),
        &u.actor(),
        (!handle.is_empty()).then_some(handle),
        &keep,
    )
    .await?;
    Ok(Redirect::to("/account#sessions").into_response())
}
